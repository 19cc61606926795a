"""HS nomenclature pages: search box and a code view with its ancestors and children."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from smartcustoms.errors import InvalidInput, NotFound
from smartcustoms.reference import service
from smartcustoms.reference.editions import earlier_edition
from smartcustoms.reference.model import format_hs
from smartcustoms.web.deps import OptionalPrincipal, UoW
from smartcustoms.web.i18n import gettext as _
from smartcustoms.web.pages.home import render

router = APIRouter(include_in_schema=False)


@router.get("/reference/hs", response_class=HTMLResponse)
def hs_search(request: Request, uow: UoW, principal: OptionalPrincipal, q: str = "") -> Response:
    query = q.strip()[:400]
    if re.fullmatch(r"\d{2}(\d{2}(\.?\d{2})?)?", query):
        # A code typed into the search box opens that code's page.
        return RedirectResponse(f"/reference/hs/{query.replace('.', '')}", status_code=303)
    hits = service.hs_search(uow, query, limit=20) if query else []
    error = None
    if query and not hits:
        error = _("No HS code matches “{query}”.", query=query)
    return render(
        request,
        "reference/hs_search.html",
        principal=principal,
        q=query,
        hits=hits,
        error=error,
        hs=format_hs,
    )


@router.get("/reference/hs/{code}", response_class=HTMLResponse)
def hs_code(request: Request, uow: UoW, principal: OptionalPrincipal, code: str) -> Response:
    try:
        entry = service.hs_lookup(uow, code)
    except InvalidInput as exc:
        return render(
            request,
            "reference/hs_search.html",
            status_code=422,
            principal=principal,
            q=code,
            hits=[],
            error=exc.errors[0].message,
            hs=format_hs,
        )
    except NotFound:
        # A subheading of an earlier edition is still valid on old declarations, whose pages
        # link it: show where it stood (its HS 2022 heading) instead of a dead end.
        wanted = service.normalise_hs(code)  # it read: the lookup got past it
        edition = earlier_edition(wanted) if len(wanted) == 6 else None
        if edition is None:
            raise
        heading = service.hs_lookup(uow, wanted[:4])
        return render(
            request,
            "reference/hs_code.html",
            principal=principal,
            entry=heading,
            egl=None,
            hs=format_hs,
            former=wanted,
            former_edition=edition,
        )
    egl = service.egl(uow, entry.code) if entry.level == 6 else None
    return render(
        request, "reference/hs_code.html", principal=principal, entry=entry, egl=egl, hs=format_hs
    )
