"""Pages of e-commerce clearance: platforms and carriers upload a manifest and watch it being
decided (progress, decisions summary, download); officers work the parcel queue and record
results; everyone of the economy sees the charts.

The upload form posts the file to the page route, which spools it and starts the same job as
the API; the job page polls the API's status URL (same-origin, cookie session) to show
progress, then reloads to show the summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.ecommerce import services
from smartcustoms.errors import PermissionDenied, SmartCustomsError
from smartcustoms.web.api.ecommerce import jobs, start_job
from smartcustoms.web.deps import CurrentPrincipal, UoW, get_settings
from smartcustoms.web.errors import status_for
from smartcustoms.web.i18n import N_
from smartcustoms.web.i18n import gettext as _
from smartcustoms.web.pages.home import render

router = APIRouter(include_in_schema=False)
NAV = [{"href": "/ecommerce", "label": N_("E-commerce")}]


def _lodger(principal: Principal) -> bool:
    return principal.has(Role.PLATFORM, Role.CARRIER)


def _officer(principal: Principal) -> bool:
    return principal.has(Role.OFFICER, Role.ANALYST)


@router.get("/ecommerce", response_class=HTMLResponse)
def home(request: Request, uow: UoW, principal: CurrentPrincipal) -> Response:
    if not (_lodger(principal) or _officer(principal)):
        raise PermissionDenied(_("e-commerce pages are for platforms, carriers and officers"))
    manifests = services.manifests(uow, principal, 20)
    svgs = services.chart_svgs(services.figures(uow, principal), translate=_)
    return render(
        request,
        "ecommerce/home.html",
        principal=principal,
        nav_items=NAV,
        manifests=manifests,
        charts=svgs,
        lodger=_lodger(principal),
        officer=_officer(principal),
    )


@router.post("/ecommerce/upload")
async def upload(
    request: Request,
    principal: CurrentPrincipal,
    file: Annotated[UploadFile, File()],
    profile: Annotated[str, Form()] = "flat",
) -> Response:
    principal.require(Role.PLATFORM, Role.CARRIER)
    settings = get_settings(request)
    directory = settings.files_dir / "ecommerce" / "uploads"
    directory.mkdir(parents=True, exist_ok=True)
    import tempfile

    import anyio.to_thread

    with tempfile.NamedTemporaryFile(dir=directory, delete=False, suffix=".upload") as fh:
        while block := await file.read(1 << 20):
            fh.write(block)
    path = Path(fh.name)
    name = file.filename or "manifest.ndjson"
    doc = await anyio.to_thread.run_sync(
        lambda: start_job(request, principal, path, name, None, profile, None)
    )
    return RedirectResponse(f"/ecommerce/manifests/{doc['id']}", status_code=303)


@router.get("/ecommerce/manifests/{manifest_id}", response_class=HTMLResponse)
def manifest_page(
    request: Request, uow: UoW, principal: CurrentPrincipal, manifest_id: str
) -> Response:
    outcome = services.manifest(uow, principal, manifest_id)
    flagged = []
    if outcome.status == "done":
        for kind in ("refuse", "inspect", "hold"):
            flagged += services.decisions(uow, principal, manifest_id, kind, limit=50)
    done, total = jobs(request).get(manifest_id, (0, 0))
    return render(
        request,
        "ecommerce/manifest.html",
        principal=principal,
        nav_items=NAV,
        m=outcome,
        flagged=flagged,
        done=done,
        total=total,
    )


@router.get("/ecommerce/queue", response_class=HTMLResponse)
def queue_page(
    request: Request,
    uow: UoW,
    principal: CurrentPrincipal,
    decision: str = "",
    done: str = "",
) -> Response:
    rows = services.queue(uow, principal, decision or None, limit=100)
    return render(
        request,
        "ecommerce/queue.html",
        principal=principal,
        nav_items=NAV,
        rows=rows,
        decision=decision,
        done=done,
    )


@router.get("/ecommerce/parcels/{waybill}", response_class=HTMLResponse)
def parcel_page(request: Request, uow: UoW, principal: CurrentPrincipal, waybill: str) -> Response:
    view = services.parcel_view(uow, principal, waybill)
    return render(
        request,
        "ecommerce/parcel.html",
        principal=principal,
        nav_items=NAV,
        p=view,
        results=services.RESULTS,
        officer=principal.has(Role.OFFICER),
        error=None,
    )


@router.post("/ecommerce/parcels/{waybill}/result")
def parcel_result(
    request: Request,
    uow: UoW,
    principal: CurrentPrincipal,
    waybill: str,
    result: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    try:
        services.record_result(uow, principal, waybill, result, note)
    except SmartCustomsError as exc:
        view = services.parcel_view(uow, principal, waybill)
        return render(
            request,
            "ecommerce/parcel.html",
            status_code=status_for(exc),
            principal=principal,
            nav_items=NAV,
            p=view,
            results=services.RESULTS,
            officer=principal.has(Role.OFFICER),
            error=exc.message,
        )
    return RedirectResponse(f"/ecommerce/queue?done={waybill}", status_code=303)
