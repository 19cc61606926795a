"""Pages of declarations: the queue and list, one declaration with its assessment and lane,
officer and declarant actions as small forms, and the form to lodge a new declaration.

Every page calls the same service functions as the API; refused actions (PermissionDenied,
Conflict, InvalidInput) come back as a page saying why, with a link back, never a 500.
"""

from __future__ import annotations

import contextlib
import json
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from smartcustoms.accounts import service as accounts
from smartcustoms.accounts.model import Principal, Role
from smartcustoms.audit import service as audit_service
from smartcustoms.core.ids import new_id
from smartcustoms.core.pagination import MAX_PAGE, PageRequest
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations import attachments, control, lifecycle, service
from smartcustoms.declarations.document import PARTY_ROLES
from smartcustoms.declarations.lifecycle import TRANSITIONS, Action
from smartcustoms.declarations.model import (
    DeclarationRecord,
    DeclarationSummary,
    DocumentKind,
    Lane,
    ListFilters,
    Outcome,
    Status,
)
from smartcustoms.errors import FieldError, InvalidInput, SmartCustomsError
from smartcustoms.web.api.classify import description_check
from smartcustoms.web.api.declarations import EXAMPLE
from smartcustoms.web.deps import CurrentPrincipal, UoW
from smartcustoms.web.errors import status_for
from smartcustoms.web.forms import by_path
from smartcustoms.web.guard import MAX_JSON_DEPTH, json_depth_exceeds
from smartcustoms.web.i18n import N_
from smartcustoms.web.i18n import gettext as _
from smartcustoms.web.pages.home import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
# An officer's work: goods waiting for physical inspection first, then documentary checks.
QUEUE = (Status.PHYSICAL_INSPECTION, Status.DOCUMENTARY_CHECK)
FILTER_KEYS = ("status", "lane", "hs_prefix", "date_from", "date_to", "party", "reference")
DONE = {
    "submitted": N_("Declaration lodged."),
    "amended": N_("Declaration amended and assessed again."),
    "record_inspection": N_("Inspection result recorded."),
    "refer_physical": N_("Referred to physical inspection."),
    "release": N_("Goods released."),
    "seize": N_("Goods seized."),
    "arrival_notice": N_("Arrival notice recorded; the declaration was assessed and routed."),
    "cancel": N_("Declaration cancelled."),
    "document_attached": N_("Document attached."),
    "document_removed": N_("Document removed."),
}
PARTY_LABELS = {
    "declarant": N_("Declarant"),
    "importer": N_("Importer"),
    "exporter": N_("Exporter"),
    "seller": N_("Seller"),
    "buyer": N_("Buyer"),
    "courier": N_("Courier"),
}
DOCUMENT_KINDS = {
    DocumentKind.COMMERCIAL_INVOICE: N_("Commercial invoice"),
    DocumentKind.PACKING_LIST: N_("Packing list"),
    DocumentKind.CERTIFICATE_OF_ORIGIN: N_("Certificate of origin"),
    DocumentKind.LICENCE: N_("Licence or permit"),
    DocumentKind.TRANSPORT_DOCUMENT: N_("Transport document (bill of lading, waybill)"),
    DocumentKind.INSPECTION_REPORT: N_("Inspection report"),
    DocumentKind.OTHER: N_("Other document"),
}
ACTION_TITLES = {
    "record_inspection": N_("Record inspection result"),
    "refer_physical": N_("Refer to physical inspection"),
    "release": N_("Release"),
    "seize": N_("Seize"),
    "arrival_notice": N_("Arrival notice"),
    "cancel": N_("Cancel declaration"),
}


def num(value: Any) -> str:
    """Thousands separators, the stored precision kept (KRW has no minor unit, USD two)."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return f"{Decimal(value):,}"


def _nav(principal: Principal) -> list[dict[str, str]]:
    if principal.has(Role.DECLARANT):
        return [
            {"href": "/declarations/form", "label": N_("New declaration")},
            {"href": "/declarations/drafts", "label": N_("My drafts")},
            {"href": "/declarations/upload", "label": N_("Bulk upload")},
        ]
    if principal.has(Role.OFFICER):
        return [{"href": "/declarations/upload", "label": N_("Bulk upload")}]
    return []


# --- the list ----------------------------------------------------------------------------------


def _filters(params: dict[str, str]) -> tuple[ListFilters, list[FieldError]]:
    """Read the filter fields leniently: a bad one is reported and ignored, not a 422."""
    errors: list[FieldError] = []

    def day(key: str) -> date | None:
        if not params.get(key):
            return None
        try:
            return date.fromisoformat(params[key])
        except ValueError:
            errors.append(FieldError(key, "invalid_date", _("use a date like 2021-05-14")))
            return None

    status = lane = None
    if params.get("status"):
        try:
            status = Status(params["status"])
        except ValueError:
            errors.append(FieldError("status", "unknown_status", _("not a declaration status")))
    if params.get("lane"):
        try:
            lane = Lane(params["lane"])
        except ValueError:
            errors.append(FieldError("lane", "unknown_lane", _("a lane is green, yellow or red")))
    hs = params.get("hs_prefix", "").replace(".", "").replace(" ", "")
    if hs and not re.fullmatch(r"\d{1,10}", hs):
        errors.append(FieldError("hs_prefix", "invalid_hs_prefix", _("1 to 10 digits, e.g. 8507")))
        hs = ""
    return (
        ListFilters(
            status=status,
            lane=lane,
            date_from=day("date_from"),
            date_to=day("date_to"),
            hs_prefix=hs or None,
            party=params.get("party") or None,
            reference=params.get("reference") or None,
        ),
        errors,
    )


def _window(
    uow: UnitOfWork, principal: Principal, f: ListFilters, skip: int, need: int
) -> tuple[list[DeclarationSummary], int]:
    """Rows ``skip .. skip+need`` of one filtered list (at most two service pages) and its
    total."""
    p = skip // PAGE_SIZE + 1
    got = service.list_declarations(uow, principal, f, PageRequest(p, PAGE_SIZE))
    rows = list(got.items)[skip % PAGE_SIZE :]
    if len(rows) < need and p * PAGE_SIZE < got.total:
        rows += service.list_declarations(uow, principal, f, PageRequest(p + 1, PAGE_SIZE)).items
    return rows[:need], got.total


def _queue(
    uow: UnitOfWork, principal: Principal, f: ListFilters, page: int
) -> tuple[list[DeclarationSummary], int]:
    """One paginated list over the queue's statuses, in QUEUE order."""
    offset = (page - 1) * PAGE_SIZE
    rows: list[DeclarationSummary] = []
    total = 0
    for status in QUEUE:
        got, n = _window(
            uow, principal, replace(f, status=status), max(0, offset - total), PAGE_SIZE - len(rows)
        )
        rows += got
        total += n
    return rows, total


@router.get("/declarations", response_class=HTMLResponse)
def list_page(request: Request, uow: UoW, principal: CurrentPrincipal) -> Response:
    q = {k: v.strip() for k, v in request.query_params.items()}
    officer = principal.has(Role.OFFICER)
    tab = q.get("tab") or ("queue" if officer else "all")
    if tab not in ("queue", "all") or (tab == "queue" and not officer):
        tab = "all"
    filters, errors = _filters(q)
    try:
        page = min(max(1, int(q.get("page", "1"))), MAX_PAGE)
    except ValueError:
        page = 1
    if tab == "queue":
        rows, total = _queue(uow, principal, replace(filters, status=None), page)
    else:
        got = service.list_declarations(uow, principal, filters, PageRequest(page, PAGE_SIZE))
        rows, total = list(got.items), got.total
    counts = service.status_counts(uow, principal)
    peak = max(counts.values(), default=0)
    bars = [
        {"status": s.value, "n": counts.get(s.value, 0), "pct": 100 * counts.get(s.value, 0) / peak}
        for s in Status
        if peak
    ]
    keep = [(k, q[k]) for k in FILTER_KEYS if q.get(k) and not (tab == "queue" and k == "status")]
    pages = max(1, -(-total // PAGE_SIZE))

    def url(**changes: Any) -> str:
        params = dict([("tab", tab), *keep, ("page", str(page))])
        params.update({k: str(v) for k, v in changes.items()})
        return "/declarations?" + urlencode({k: v for k, v in params.items() if v})

    return render(
        request,
        "declarations/list.html",
        principal=principal,
        nav_items=_nav(principal),
        tab=tab,
        officer=officer,
        q=q,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        url=url,
        bars=bars,
        counted=sum(counts.values()),
        statuses=[s.value for s in Status],
        lanes=[la.value for la in Lane],
        input_errors=errors,
        num=num,
    )


# --- lodging -----------------------------------------------------------------------------------


def _example() -> str:
    # A fresh reference each time: re-lodging the example would otherwise replay or clash.
    return json.dumps({**EXAMPLE, "reference": f"WEB-{new_id()[:8].upper()}"}, indent=2)


def _new_page(
    request: Request,
    principal: Principal,
    text: str,
    *,
    errors: list[FieldError] | None = None,
    warnings: list[FieldError] | None = None,
    report: Any = None,
    status_code: int = 200,
) -> Response:
    lines = {} if json_depth_exceeds(text) else json_lines(text)
    return render(
        request,
        "declarations/new.html",
        status_code=status_code,
        principal=principal,
        nav_items=_nav(principal),
        text=text,
        errors=[(e, line_of(lines, e.path)) for e in errors or []],
        warnings=[(w, line_of(lines, w.path)) for w in warnings or []],
        report=report,
        num=num,
    )


@router.get("/declarations/new", response_class=HTMLResponse)
def new_form(request: Request, principal: CurrentPrincipal) -> Response:
    principal.require(Role.DECLARANT)
    return _new_page(request, principal, _example())


@router.post("/declarations/new")
def lodge(
    request: Request,
    uow: UoW,
    principal: CurrentPrincipal,
    document: Annotated[str, Form()] = "",
    intent: Annotated[str, Form()] = "validate",
) -> Response:
    principal.require(Role.DECLARANT)
    if json_depth_exceeds(document):
        problem = FieldError(
            "$",
            "too_deep",
            _("the document may nest at most {depth} levels deep", depth=MAX_JSON_DEPTH),
        )
        return _new_page(request, principal, document, errors=[problem], status_code=422)
    try:
        raw = json.loads(document)
    except json.JSONDecodeError as exc:
        problem = FieldError(
            "$",
            "invalid_json",
            _(
                "not valid JSON: {error} (line {line}, column {column})",
                error=exc.msg,
                line=exc.lineno,
                column=exc.colno,
            ),
        )
        return _new_page(request, principal, document, errors=[problem], status_code=422)
    if intent == "submit":
        try:
            result = service.submit(
                uow, principal, raw, source="web", signals=description_check(request)
            )
        except InvalidInput as exc:
            return _new_page(
                request,
                principal,
                document,
                errors=list(exc.errors),
                warnings=list(exc.warnings),
                status_code=422,
            )
        return RedirectResponse(f"/declarations/{result.record.id}?done=submitted", 303)
    report = service.validate(uow, principal, raw, signals=description_check(request))
    return _new_page(
        request,
        principal,
        document,
        errors=report.errors,
        warnings=report.warnings,
        report=report,
        status_code=200 if report.valid else 422,
    )


# --- one declaration ---------------------------------------------------------------------------


def _lane_detail(record: DeclarationRecord, trail: list[dict[str, Any]]) -> dict[str, Any]:
    """The lane decision as stored on the declaration (score, model, reasons, rules fired,
    explanations: the same whether it was lodged or imported), plus what the audit trail adds:
    the lane the assessor first chose and any later referral."""
    out: dict[str, Any] = {
        "lane": None,
        "score": record.lane_score,
        "model_version": record.lane_model_version,
        "rules_fired": list(record.lane_rules_fired),
        "explanations": [
            {"text": e.text, "contribution": e.contribution} for e in record.lane_explanations
        ],
        "referral": None,
    }
    for entry in trail:
        after = entry.get("after") or {}
        action = entry.get("action")
        if action in (lifecycle.Action.ROUTE.value, "import") and after.get("lane"):
            out["lane"] = after.get("lane")
            out["referral"] = None
        elif action == lifecycle.Action.REFER_PHYSICAL.value:
            out["referral"] = entry
    return out


@router.get("/declarations/{declaration_id}", response_class=HTMLResponse)
def show(
    request: Request, declaration_id: str, uow: UoW, principal: CurrentPrincipal, done: str = ""
) -> Response:
    return show_page(request, uow, principal, declaration_id, done=done)


def show_page(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    declaration_id: str,
    *,
    done: str = "",
    form: dict[str, str] | None = None,
    form_errors: list[FieldError] | None = None,
    doc_form: dict[str, str] | None = None,
    doc_errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Response:
    """The declaration page; ``form``/``form_errors``: the inspection form sent back as typed
    with its problems, ``doc_form``/``doc_errors``: the same for the document upload form."""
    record = service.get(uow, principal, declaration_id)
    # Read only after the scoped get above: that is what proves the caller may see this record.
    trail = audit_service.history(uow, record.id)
    is_owner = record.lodged_by == principal.user_id
    d = record.declaration
    parties = [
        (PARTY_LABELS.get(role, role.capitalize()), p)
        for role in PARTY_ROLES
        if (p := getattr(d, role)) is not None
    ]
    adjustments = sum(
        (i.revenue_adjustment for i in record.inspections if i.revenue_adjustment),
        Decimal(0),
    )
    return render(
        request,
        "declarations/show.html",
        status_code=status_code,
        principal=principal,
        nav_items=_nav(principal),
        r=record,
        d=d,
        a=record.assessment,
        adjustments=adjustments,
        parties=parties,
        lane=_lane_detail(record, trail),
        trail=trail,
        names=actor_names(uow, principal),
        versions=service.versions(uow, principal, record.id),
        allowed=lifecycle.allowed_actions(record.status, principal, is_owner),
        titles=ACTION_TITLES,
        outcomes=[o.value for o in Outcome],
        done=DONE.get(done),
        is_owner=is_owner,
        form=form or {},
        form_errors=form_errors or [],
        num=num,
        **_documents(uow, principal, record, doc_form, doc_errors),
    )


def _documents(
    uow: UnitOfWork,
    principal: Principal,
    record: DeclarationRecord,
    typed: dict[str, str] | None,
    problems: list[FieldError] | None,
) -> dict[str, Any]:
    """The Documents section: the list, which ones the caller may remove, the upload form."""
    documents = attachments.list_documents(uow, principal, record.id)
    officer = principal.has(Role.OFFICER)
    kinds = [
        (k.value, label)
        for k, label in DOCUMENT_KINDS.items()
        if officer or k not in attachments.OFFICERS_ONLY
    ]
    removable = record.status in attachments.REMOVABLE
    return {
        "documents": documents,
        "document_kinds": {k.value: label for k, label in DOCUMENT_KINDS.items()},
        "kind_options": kinds,
        "removable": {d.id for d in documents if removable and d.uploaded_by == principal.user_id},
        "can_attach": attachments.may_attach(record.status, record.lodged_by, principal),
        "doc_form": typed or {},
        "doc_errors": by_path(problems or []),
        "max_document_mib": attachments.MAX_DOCUMENT_BYTES // (1024 * 1024),
        "size_text": size_text,
    }


def size_text(n: int) -> str:
    """A file size people read (1,234 bytes; 56.7 KiB; 8.9 MiB)."""
    if n < 1024:
        return f"{n:,} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / (1024 * 1024):.1f} MiB"


def actor_names(uow: UnitOfWork, principal: Principal) -> dict[str, str]:
    """User id -> a name people read, for the economy's users and the system actors."""
    names = {u.id: u.name or u.email for u in accounts.list_users(uow, principal.economy)}
    for system in ("system", "cli", "demo"):
        names.setdefault(system, _("SmartCustoms ({system})", system=system))
    names[principal.user_id] = _("you")
    return names


def _decimal(text: str, path: str) -> Decimal | None:
    if not text.strip():
        return None
    try:
        return Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise InvalidInput.single(
            path, "not_a_number", _("write an amount like 50000 or 120.50")
        ) from None


def refused_page(
    request: Request, principal: Principal, declaration_id: str, exc: SmartCustomsError
) -> Response:
    return render(
        request,
        "declarations/refused.html",
        status_code=status_for(exc),
        principal=principal,
        nav_items=_nav(principal),
        error=exc,
        declaration_id=declaration_id,
    )


@dataclass(frozen=True, slots=True)
class ActionForm:
    """The fields an action form may post (each action reads the ones it needs)."""

    outcome: str = ""
    notes: str = ""
    revenue_adjustment: str = ""
    hold: str = ""
    critical: str = ""
    arrived_on: str = ""

    def inspection(self) -> dict[str, str]:
        return {
            "outcome": self.outcome,
            "notes": self.notes,
            "revenue_adjustment": self.revenue_adjustment,
            "hold": self.hold,
            "critical": self.critical,
        }


def _arrival_notice(uow: UnitOfWork, principal: Principal, did: str, form: ActionForm) -> None:
    try:
        day = date.fromisoformat(form.arrived_on) if form.arrived_on else None
    except ValueError:
        raise InvalidInput.single(
            "arrived_on", "invalid_date", _("use a date like 2021-05-14")
        ) from None
    control.arrival_notice(uow, principal, did, day)


def _inspect(uow: UnitOfWork, principal: Principal, did: str, form: ActionForm) -> None:
    _record_inspection(uow, principal, did, form.inspection())


Handler = Callable[[UnitOfWork, Principal, str, ActionForm], object]
# The use case behind each action a page form may post: every requestable action of the
# lifecycle table except submit and amend, which have their own pages (tests check the match).
HANDLERS: dict[Action, Handler] = {
    Action.ARRIVAL_NOTICE: _arrival_notice,
    Action.CANCEL: lambda uow, p, did, f: service.cancel(uow, p, did, f.notes),
    Action.REFER_PHYSICAL: lambda uow, p, did, f: control.refer_physical(uow, p, did, f.notes),
    Action.RECORD_INSPECTION: _inspect,
    Action.RELEASE: lambda uow, p, did, f: control.release(uow, p, did, f.notes),
    Action.SEIZE: lambda uow, p, did, f: control.seize(uow, p, did, f.notes),
}


def page_action(name: str) -> Action | None:
    """The lifecycle action a page form posted, if it is one a person may ask for here;
    None (answered 404) for anything else, so an unknown name can never act."""
    try:
        action = Action(name)
    except ValueError:
        return None
    if not TRANSITIONS[action].requestable or action not in HANDLERS:
        return None
    return action if name in ACTION_TITLES else None


@router.post("/declarations/{declaration_id}/{action}")
def act(
    request: Request,
    declaration_id: str,
    action: str,
    uow: UoW,
    principal: CurrentPrincipal,
    outcome: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
    revenue_adjustment: Annotated[str, Form()] = "",
    hold: Annotated[str, Form()] = "",
    critical: Annotated[str, Form()] = "",
    arrived_on: Annotated[str, Form()] = "",
) -> Response:
    """One endpoint for the lifecycle actions, dispatched from the lifecycle table; the
    service checks role, ownership and state."""
    chosen = page_action(action)
    if chosen is None:
        return Response(status_code=404)
    form = ActionForm(outcome, notes, revenue_adjustment, hold, critical, arrived_on)
    try:
        HANDLERS[chosen](uow, principal, declaration_id, form)
    except InvalidInput as exc:
        if chosen is not Action.RECORD_INSPECTION:
            return refused_page(request, principal, declaration_id, exc)
        # The officer fixes the form: it comes back as typed, with what is wrong.
        return show_page(
            request,
            uow,
            principal,
            declaration_id,
            form=form.inspection(),
            form_errors=list(exc.errors),
            status_code=422,
        )
    except SmartCustomsError as exc:
        return refused_page(request, principal, declaration_id, exc)
    return RedirectResponse(f"/declarations/{declaration_id}?done={action}", status_code=303)


def _record_inspection(
    uow: UnitOfWork, principal: Principal, declaration_id: str, typed: dict[str, str]
) -> None:
    problems: list[FieldError] = []
    chosen = None
    try:
        chosen = Outcome(typed["outcome"])
    except ValueError:
        problems.append(
            FieldError("outcome", "required", _("choose no discrepancy, discrepancy or seizure"))
        )
    amount = None
    try:
        amount = _decimal(typed["revenue_adjustment"], "revenue_adjustment")
    except InvalidInput as exc:
        problems += exc.errors
    if problems or chosen is None:
        raise InvalidInput(problems)
    control.record_inspection(
        uow,
        principal,
        declaration_id,
        chosen,
        notes=typed["notes"],
        revenue_adjustment=amount,
        hold=bool(typed["hold"]),
        critical=bool(typed["critical"]),
    )


# --- where a JSON path sits in the text --------------------------------------------------------

_DECODER = json.JSONDecoder()
_WS = " \t\r\n"


def json_lines(text: str) -> dict[str, int]:
    """The line (1-based) of every key and value of a JSON document, by JSON path
    (``items[0].hs_code``; the root is ``$``); what it could read when the text is broken."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    out: dict[str, int] = {}

    def line(i: int) -> int:
        return bisect_right(starts, i)

    def skip(i: int) -> int:
        while i < len(text) and text[i] in _WS:
            i += 1
        return i

    def child(path: str, key: str) -> str:
        return key if path == "$" else f"{path}.{key}"

    def value(i: int, path: str) -> int:
        i = skip(i)
        out.setdefault(path, line(i))
        if text[i] == "{":
            i = skip(i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                i = skip(i)
                key, end = _DECODER.raw_decode(text, i)
                out.setdefault(child(path, str(key)), line(i))
                i = skip(end)
                i = skip(value(i + 1, child(path, str(key))))  # past the ':'
                if text[i] == "}":
                    return i + 1
                i += 1  # ','
        if text[i] == "[":
            i, n = skip(i + 1), 0
            if text[i] == "]":
                return i + 1
            while True:
                i = skip(value(i, f"{path}[{n}]"))
                n += 1
                if text[i] == "]":
                    return i + 1
                i += 1
        _value, end = _DECODER.raw_decode(text, i)
        return int(end)

    # Only ever called on text json.loads accepted, or to salvage what precedes a syntax error.
    with contextlib.suppress(ValueError, IndexError, RecursionError):
        value(0, "$")
    return out


def line_of(lines: dict[str, int], path: str) -> int | None:
    """The line of ``path``, or of its nearest parent present (a missing field: its object)."""
    while path:
        if path in lines:
            return lines[path]
        parent = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", path)
        if parent == path:
            break
        path = parent
    return lines.get("$")
