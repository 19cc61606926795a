"""Pages of the case repository: public search and case pages, drafts, review queue, forms."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from smartcustoms.accounts.model import Principal
from smartcustoms.cases import attaching, attachments, search, service
from smartcustoms.cases.model import (
    CONTRIBUTOR_ROLES,
    FACETS,
    PRIORITY_AREAS,
    TECHNOLOGIES,
    THEMES,
    Case,
    CaseStatus,
    is_contributor,
    is_reviewer,
)
from smartcustoms.cases.validation import content_to_dict
from smartcustoms.core.codes import APEC_ECONOMIES
from smartcustoms.core.pagination import MAX_PAGE, PageRequest
from smartcustoms.errors import InvalidInput
from smartcustoms.web.deps import CurrentPrincipal, OptionalPrincipal, UoW, get_settings
from smartcustoms.web.i18n import N_
from smartcustoms.web.i18n import gettext as _
from smartcustoms.web.pages.home import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 10
FACET_TITLES = {
    "economy": N_("Economy"),
    "priority_area": N_("Priority area"),
    "theme": N_("Theme"),
    "technology": N_("Technology"),
    "year": N_("Year"),
}
VOCABS = {"priority_areas": PRIORITY_AREAS, "themes": THEMES, "technologies": TECHNOLOGIES}


def _nav(principal: Principal | None) -> list[dict[str, str]]:
    items: list[dict[str, str]] = []  # "Case repository" itself is in the base navigation
    if is_contributor(principal):
        items.append({"href": "/cases/drafts", "label": N_("Drafts")})
    if is_reviewer(principal):
        items.append({"href": "/cases/review", "label": N_("Review queue")})
    return items


@router.get("/cases", response_class=HTMLResponse)
def list_cases(
    request: Request, uow: UoW, principal: OptionalPrincipal, q: str = "", page: int = 1
) -> Response:
    filters = {f: request.query_params.getlist(f) for f in FACETS}
    try:
        result = search.search(uow, q, filters, PageRequest(min(max(page, 1), MAX_PAGE), PAGE_SIZE))
    except InvalidInput as exc:
        result = search.search(uow, q, {}, PageRequest(1, PAGE_SIZE))
        error: InvalidInput | None = exc
    else:
        error = None
    base = [("q", q)] if q else []
    base += [(f, v) for f, vs in result.filters.items() for v in vs]
    return render(
        request,
        "cases/list.html",
        principal=principal,
        nav_items=_nav(principal),
        result=result,
        q=q,
        facet_titles=FACET_TITLES,
        input_error=error,
        prev_url=f"/cases?{urlencode([*base, ('page', result.page - 1)])}",
        next_url=f"/cases?{urlencode([*base, ('page', result.page + 1)])}",
        pages=-(-result.total // PAGE_SIZE) or 1,
    )


@router.get("/cases/drafts", response_class=HTMLResponse)
def drafts(request: Request, uow: UoW, principal: CurrentPrincipal, mine: bool = False) -> Response:
    rows = service.list_working(uow, principal, mine=mine)
    return render(
        request,
        "cases/drafts.html",
        principal=principal,
        nav_items=_nav(principal),
        rows=rows,
        mine=mine,
        title=_("Drafts and cases under review"),
    )


@router.get("/cases/review", response_class=HTMLResponse)
def review(request: Request, uow: UoW, principal: CurrentPrincipal) -> Response:
    rows = service.review_queue(uow, principal)
    return render(
        request,
        "cases/drafts.html",
        principal=principal,
        nav_items=_nav(principal),
        rows=rows,
        mine=False,
        title=_("Review queue"),
        queue=True,
    )


def _form_page(
    request: Request,
    principal: Principal,
    data: dict[str, Any],
    *,
    action: str,
    error: InvalidInput | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "cases/form.html",
        status_code=status_code,
        principal=principal,
        nav_items=_nav(principal),
        data=data,
        action=action,
        error=error,
        vocabs=VOCABS,
        economies=APEC_ECONOMIES,
        lines=_as_lines(data),
    )


@router.get("/cases/new", response_class=HTMLResponse)
def new_form(request: Request, principal: CurrentPrincipal) -> Response:
    principal.require(*CONTRIBUTOR_ROLES)
    return _form_page(
        request, principal, {"economy": principal.economy, "language": "en"}, action="/cases/new"
    )


@router.post("/cases/new")
async def create(request: Request, uow: UoW, principal: CurrentPrincipal) -> Response:
    data = _from_form(await request.form())
    try:
        case = await run_in_threadpool(service.create_case, uow, principal, data)
    except InvalidInput as exc:
        return _form_page(request, principal, data, action="/cases/new", error=exc, status_code=422)
    return RedirectResponse(f"/cases/{case.slug}?view=working", status_code=303)


@router.get("/cases/{ref}", response_class=HTMLResponse)
def show(
    request: Request, ref: str, uow: UoW, principal: OptionalPrincipal, view: str = ""
) -> Response:
    case = service.get_case(uow, ref, principal)
    version = (
        case.working
        if (view == "working" or case.published is None) and case.working
        else case.current
    )
    similar = search.similar_cases(uow, case.id, principal) if case.published else []
    insider = case.working is not None or (
        is_contributor(principal) and principal is not None and principal.economy == case.economy
    )
    return render(
        request,
        "cases/show.html",
        principal=principal,
        nav_items=_nav(principal),
        case=case,
        version=version,
        content=version.content,
        similar=similar,
        insider=insider,
        reviewer=insider and is_reviewer(principal),
        editable=insider and (case.working is None or case.working.status in service.EDITABLE),
        CaseStatus=CaseStatus,
        vocabs=VOCABS,
        economies=dict((e.code, e.name) for e in APEC_ECONOMIES),
    )


@router.get("/cases/{ref}/edit", response_class=HTMLResponse)
def edit_form(request: Request, ref: str, uow: UoW, principal: CurrentPrincipal) -> Response:
    case = service.get_case(uow, ref, principal)
    content = (case.working or case.current).content
    return _form_page(
        request, principal, content_to_dict(content), action=f"/cases/{quote(case.slug)}/edit"
    )


@router.post("/cases/{ref}/edit")
async def edit(request: Request, ref: str, uow: UoW, principal: CurrentPrincipal) -> Response:
    data = _from_form(await request.form())
    try:
        case = await run_in_threadpool(service.update_case, uow, principal, ref, data)
    except InvalidInput as exc:
        return _form_page(
            request, principal, data, action=f"/cases/{quote(ref)}/edit", error=exc, status_code=422
        )
    return RedirectResponse(f"/cases/{case.slug}?view=working", status_code=303)


@router.post("/cases/{ref}/{action}")
async def transition(
    request: Request, ref: str, action: str, uow: UoW, principal: CurrentPrincipal
) -> Response:
    form = await request.form()
    comment = str(form.get("comment") or "")
    case: Case
    if action == "attachments":
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput.single("file", "required", _("choose a file to attach"))
        data = await upload.read(attachments.MAX_BYTES + 1)
        files_dir = get_settings(request).files_dir
        case = await run_in_threadpool(
            lambda: attaching.add_attachment(
                uow, principal, ref, upload.filename or "attachment", data, files_dir=files_dir
            )
        )
    elif action == "submit":
        case = await run_in_threadpool(
            lambda: service.submit_case(uow, principal, ref, comment=comment)
        )
    elif action == "approve":
        case = await run_in_threadpool(
            lambda: service.approve_case(uow, principal, ref, comment=comment)
        )
    elif action == "return":
        case = await run_in_threadpool(service.return_case, uow, principal, ref, comment)
    elif action == "comment":
        case = await run_in_threadpool(service.comment_case, uow, principal, ref, comment)
    else:
        return Response(status_code=404)
    view = "" if case.working is None else "?view=working"
    return RedirectResponse(f"/cases/{case.slug}{view}", status_code=303)


# --- form <-> data ---------------------------------------------------------------------------


def _split_lines(text: str, fields: list[str]) -> list[dict[str, str]]:
    rows = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        rows.append({f: (parts[i] if i < len(parts) else "") for i, f in enumerate(fields)})
    return rows


OUTCOME_FIELDS = ["metric", "before", "after", "unit", "source"]
LINK_FIELDS = ["title", "url"]
CONTACT_FIELDS = ["name", "organisation", "email", "role"]


def _from_form(form: FormData) -> dict[str, Any]:
    def text(key: str) -> str:
        value = form.get(key)
        return value if isinstance(value, str) else ""

    data: dict[str, Any] = {
        k: text(k)
        for k in (
            "title",
            "economy",
            "year",
            "summary",
            "problem",
            "solution",
            "lessons",
            "language",
        )
    }
    for key in VOCABS:
        data[key] = [v for v in form.getlist(key) if isinstance(v, str)]
    data["implementation"] = {
        "timeline": text("timeline"),
        "cost": text("cost"),
        "partners": [p.strip() for p in text("partners").splitlines() if p.strip()],
    }
    data["outcomes"] = _split_lines(text("outcomes"), OUTCOME_FIELDS)
    data["links"] = _split_lines(text("links"), LINK_FIELDS)
    data["contacts"] = _split_lines(text("contacts"), CONTACT_FIELDS)
    return data


def _as_lines(data: dict[str, Any]) -> dict[str, str]:
    def lines(items: Any, fields: list[str]) -> str:
        if not isinstance(items, list):
            return ""
        out = []
        for item in items:
            if isinstance(item, dict):
                out.append(
                    " | ".join("" if item.get(f) is None else str(item.get(f)) for f in fields)
                )
        return "\n".join(out)

    impl = data.get("implementation") or {}
    return {
        "outcomes": lines(data.get("outcomes"), OUTCOME_FIELDS),
        "links": lines(data.get("links"), LINK_FIELDS),
        "contacts": lines(data.get("contacts"), CONTACT_FIELDS),
        "partners": "\n".join(impl.get("partners") or []),
        "timeline": impl.get("timeline") or "",
        "cost": impl.get("cost") or "",
    }
