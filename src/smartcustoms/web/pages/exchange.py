"""Exchange pages: partners and keys, outbox/inbox/refusals, certificates, AEO and MRAs (for
officers and analysts), and the public certificate verification page a QR code opens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.exchange.services import aeo, certificates, messages, trust
from smartcustoms.web.deps import UoW, require_roles
from smartcustoms.web.pages.home import render

router = APIRouter(include_in_schema=False)
ReaderDep = Annotated[Principal, Depends(require_roles(Role.OFFICER, Role.ANALYST))]


@router.get("/exchange", response_class=HTMLResponse)
def index(request: Request, uow: UoW, principal: ReaderDep) -> Response:
    return render(
        request,
        "exchange/index.html",
        principal=principal,
        partners=trust.list_partners(uow, principal),
        keys=trust.list_keys(uow, principal),
        counts=messages.outbox_counts(uow, principal),
        outbox=messages.list_outbox(uow, principal, limit=50),
        inbox=messages.list_inbox(uow, principal, limit=50),
        refusals=messages.list_refusals(uow, principal, limit=50),
    )


@router.get("/exchange/aeo", response_class=HTMLResponse)
def aeo_page(request: Request, uow: UoW, principal: ReaderDep) -> Response:
    return render(
        request,
        "exchange/aeo.html",
        principal=principal,
        mras=aeo.list_mras(uow, principal),
        operators=aeo.list_aeo(uow, principal),
    )


@router.get("/exchange/certificates", response_class=HTMLResponse)
def certificates_page(request: Request, uow: UoW, principal: ReaderDep) -> Response:
    return render(
        request,
        "exchange/certificates.html",
        principal=principal,
        certificates=certificates.list_certificates(uow, principal),
    )


@router.get("/exchange/certificates/{certificate_id}.pdf")
def certificate_pdf(
    request: Request, uow: UoW, principal: ReaderDep, certificate_id: str
) -> Response:
    found = certificates.get_certificate(uow, principal, certificate_id)
    link = certificates.verify_url(str(request.base_url), found["issuer"], certificate_id)
    pdf = certificates.certificate_pdf(found["credential"], link)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="{certificate_id}.pdf"'},
    )


@router.get("/verify/certificates/{economy}/{certificate_id}", response_class=HTMLResponse)
def verify_page(request: Request, uow: UoW, economy: str, certificate_id: str) -> Response:
    """Public: anyone holding the paper copy checks it here (no login)."""
    status = certificates.public_status(uow, economy, certificate_id)
    return render(request, "exchange/verify.html", cert=status)
