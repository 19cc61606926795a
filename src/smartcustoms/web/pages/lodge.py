"""The trader's declaration form: header, parties and items as fields, not JSON.

- ``/declarations/form``: a new declaration (or a draft, ``?draft=<id>``). One form, several
  buttons: *Preview duties* validates and shows the itemised assessment, storing nothing;
  *Submit* lodges it through ``service.submit``; *Save draft* keeps what was typed
  (:mod:`smartcustoms.declarations.drafts`); *Add item* / *Remove* change the item rows. Every
  button works without script; a small nonce'd script adds and removes rows in place.
- ``/declarations/{id}/amend``: the same form filled from the declaration, lodged through
  ``service.amend`` (with the version edited, so a concurrent amendment is refused).
- ``/declarations/drafts``: the caller's drafts.
- ``/declarations/upload`` (form) and ``/declarations/import`` (its target, with the upload size
  limit): a bulk file with a per-row error report. Officers and admins import a national file
  through a mapping profile (``importing.import_file``, all or nothing); declarants upload a JSON
  file of declarations (an array, or one per line), every one checked with
  ``service.submit_many``: all in one transaction, stored only if none has an error.

Field names are the document's JSON paths (``items[0].hs_code``), so every problem the
validation reports lands beside the field it names; the few that name no field (the document
as a whole) are listed above the form, never dropped.
"""

from __future__ import annotations

import contextlib
import json
import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core import codes
from smartcustoms.declarations import drafts, service
from smartcustoms.declarations.document import to_document
from smartcustoms.declarations.intake.importing import ImportRejected, import_file
from smartcustoms.declarations.model import INCOTERMS, MAX_ITEMS, Kind, TransportMode
from smartcustoms.errors import (
    ConcurrentChange,
    Conflict,
    FieldError,
    InvalidInput,
)
from smartcustoms.web.api.classify import description_check
from smartcustoms.web.deps import CurrentPrincipal, UoW, get_settings
from smartcustoms.web.forms import by_path
from smartcustoms.web.i18n import N_
from smartcustoms.web.i18n import gettext as _
from smartcustoms.web.pages.declarations import num
from smartcustoms.web.pages.home import render

__all__ = ["document_from_form", "form_from_document", "router"]

router = APIRouter(include_in_schema=False)

HEADER = (
    "reference",
    "kind",
    "date",
    "office",
    "transport_mode",
    "invoice_currency",
    "incoterm",
    "freight",
    "insurance",
    "departure_country",
    "destination_country",
    "arrival_date",
)
PARTIES = ("declarant", "importer", "exporter", "seller", "buyer")
PARTY_FIELDS = ("id", "name", "country")
ITEM_FIELDS = (
    "hs_code",
    "description",
    "origin_country",
    "net_mass_kg",
    "invoice_value",
    "quantity",
    "unit",
    "preference",
)
_ITEM = re.compile(r"^items\[(\d{1,3})\]\.([a-z_]+)$")
MAX_FIELD = 2000
VALID = N_("Valid: no errors. Nothing is stored until you submit.")
MAX_BULK_ROWS = 1000


# --- form <-> document -------------------------------------------------------------------------


def _clean(value: Any) -> str:
    return str(value or "").replace("\x00", "").strip()[:MAX_FIELD]


def items_of(values: dict[str, Any]) -> list[dict[str, str]]:
    """The item rows of a form, in order, renumbered without gaps (a row removed by the
    script leaves a hole); a row with nothing typed is dropped unless it is the only one."""
    rows: dict[int, dict[str, str]] = {}
    for key, value in values.items():
        m = _ITEM.match(key)
        if m and m.group(2) in ITEM_FIELDS:
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = _clean(value)
    ordered = [rows[n] for n in sorted(rows)][:MAX_ITEMS]
    kept = [r for r in ordered if any(r.values())]
    return kept or [{}]


def form_values(values: dict[str, Any]) -> dict[str, Any]:
    """The typed form, cleaned: header and party fields, and the items as a list."""
    out: dict[str, Any] = {k: _clean(values.get(k)) for k in HEADER}
    for party in PARTIES:
        for f in PARTY_FIELDS:
            out[f"{party}.{f}"] = _clean(values.get(f"{party}.{f}"))
    out["items"] = items_of(values)
    return out


def document_from_form(form: dict[str, Any]) -> dict[str, Any]:
    """The declaration document of a cleaned form (empty fields left out, so that the
    validation reports a missing required one as missing)."""
    doc: dict[str, Any] = {k: form[k] for k in HEADER if form.get(k)}
    for party in PARTIES:
        fields = {f: form.get(f"{party}.{f}", "") for f in PARTY_FIELDS}
        if any(fields.values()):
            doc[party] = {f: v for f, v in fields.items() if v}
    doc["items"] = [{k: v for k, v in item.items() if v} for item in form["items"]]
    return doc


def form_from_document(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored document as form values (for the amend form)."""
    flat: dict[str, Any] = {k: doc.get(k) for k in HEADER}
    for party in PARTIES:
        for f in PARTY_FIELDS:
            flat[f"{party}.{f}"] = (doc.get(party) or {}).get(f)
    for n, item in enumerate(doc.get("items") or []):
        for f in ITEM_FIELDS:
            flat[f"items[{n}].{f}"] = item.get(f)
    return form_values(flat)


def _placed(form: dict[str, Any], problems: list[FieldError]) -> list[FieldError]:
    """Problems moved to the field that shows them: a missing party to its id field."""
    out = []
    for p in problems:
        if p.path in PARTIES:
            out.append(FieldError(f"{p.path}.id", p.code, p.message))
        else:
            out.append(p)
    return out


def _fields(form: dict[str, Any]) -> list[str]:
    names = list(HEADER) + [f"{p}.{f}" for p in PARTIES for f in PARTY_FIELDS] + ["items"]
    names += [f"items[{n}].{f}" for n in range(len(form["items"])) for f in ITEM_FIELDS]
    return names


# --- pages -------------------------------------------------------------------------------------


def _choices() -> dict[str, Any]:
    countries = sorted((c, codes.country_name(c) or c) for c in codes.country_codes())
    return {
        "countries": countries,
        "currencies": sorted(codes.currency_codes()),
        "kinds": [(k.value, k.value) for k in Kind],
        "modes": [(m.value, m.value.replace("_", " ")) for m in TransportMode],
        "incoterms": [(t, t) for t in sorted(INCOTERMS)],
        "parties": PARTIES,
    }


def _form_page(
    request: Request,
    principal: Principal,
    form: dict[str, Any],
    *,
    action: str = "/declarations/form",
    amending: Any = None,
    draft_id: str = "",
    errors: list[FieldError] | None = None,
    warnings: list[FieldError] | None = None,
    assessment: Any = None,
    flash: str = "",
    status_code: int = 200,
) -> Response:
    placed_errors = _placed(form, errors or [])
    placed_warnings = _placed(form, warnings or [])
    return render(
        request,
        "declarations/form.html",
        status_code=status_code,
        principal=principal,
        form=form,
        action=action,
        amending=amending,
        draft_id=draft_id,
        error_list=placed_errors,
        errors=by_path(placed_errors),
        warnings=by_path(placed_warnings),
        fields=_fields(form),
        a=assessment,
        flash=flash,
        item_fields=ITEM_FIELDS,
        num=num,
        **_choices(),
    )


def _blank(principal: Principal) -> dict[str, Any]:
    form = form_values({})
    form["kind"] = "import"
    form["declarant.country"] = principal.economy
    return form


@router.get("/declarations/form", response_class=HTMLResponse)
def new_form(request: Request, uow: UoW, principal: CurrentPrincipal, draft: str = "") -> Response:
    principal.require(Role.DECLARANT)
    if draft:
        saved = drafts.get(uow, principal, draft)
        return _form_page(request, principal, form_values(saved.values), draft_id=saved.id)
    return _form_page(request, principal, _blank(principal))


def _intent(data: dict[str, Any]) -> tuple[str, int | None]:
    intent = str(data.get("intent", "preview"))
    if intent.startswith("remove:"):
        with contextlib.suppress(ValueError):
            return "remove", int(intent.split(":", 1)[1])
        return "preview", None
    return intent, None


def _rearranged(form: dict[str, Any], intent: str, index: int | None) -> dict[str, Any] | None:
    """The form after Add item / Remove (the no-script way), or None for other buttons."""
    if intent == "add_item":
        if len(form["items"]) < MAX_ITEMS:
            form["items"].append({})
        return form
    if intent == "remove" and index is not None:
        if 0 <= index < len(form["items"]) and len(form["items"]) > 1:
            del form["items"][index]
        return form
    return None


@router.post("/declarations/form")
async def post_form(request: Request, uow: UoW, principal: CurrentPrincipal) -> Response:
    principal.require(Role.DECLARANT)
    data = dict((await request.form()).items())
    form = form_values(data)
    draft_id = _clean(data.get("draft_id"))
    intent, index = _intent(data)
    if _rearranged(form, intent, index) is not None:
        return _form_page(request, principal, form, draft_id=draft_id)
    if intent == "save_draft":
        try:
            saved = drafts.save(uow, principal, _flat(form), draft_id or None)
        except InvalidInput as exc:
            return _form_page(
                request,
                principal,
                form,
                draft_id=draft_id,
                errors=list(exc.errors),
                status_code=422,
            )
        return _form_page(
            request,
            principal,
            form,
            draft_id=saved.id,
            flash=N_("Draft saved. Nothing was lodged."),
        )
    raw = document_from_form(form)
    if intent == "submit":
        try:
            result = service.submit(
                uow, principal, raw, source="web", signals=description_check(request)
            )
        except InvalidInput as exc:
            return _form_page(
                request,
                principal,
                form,
                draft_id=draft_id,
                errors=list(exc.errors),
                warnings=list(exc.warnings),
                status_code=422,
            )
        except Conflict as exc:
            problem = FieldError("reference", "reference_used", exc.message)
            return _form_page(
                request, principal, form, draft_id=draft_id, errors=[problem], status_code=409
            )
        if draft_id:
            with contextlib.suppress(InvalidInput, Exception):
                drafts.delete(uow, principal, draft_id)  # lodged: the draft has served
        return RedirectResponse(f"/declarations/{result.record.id}?done=submitted", 303)
    report = service.validate(uow, principal, raw, signals=description_check(request))
    return _form_page(
        request,
        principal,
        form,
        draft_id=draft_id,
        errors=report.errors,
        warnings=report.warnings,
        assessment=report.assessment,
        flash="" if report.errors else VALID,
        status_code=200 if report.valid else 422,
    )


def _flat(form: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in form.items() if k != "items"}
    for n, item in enumerate(form["items"]):
        for f, v in item.items():
            out[f"items[{n}].{f}"] = v
    return out


# --- amend -------------------------------------------------------------------------------------


@router.get("/declarations/{declaration_id}/amend", response_class=HTMLResponse)
def amend_form(
    request: Request, declaration_id: str, uow: UoW, principal: CurrentPrincipal
) -> Response:
    principal.require(Role.DECLARANT)
    record = service.get(uow, principal, declaration_id)
    form = form_from_document(to_document(record.declaration))
    return _form_page(
        request, principal, form, action=f"/declarations/{record.id}/amend", amending=record
    )


@router.post("/declarations/{declaration_id}/amend")
async def amend(
    request: Request, declaration_id: str, uow: UoW, principal: CurrentPrincipal
) -> Response:
    principal.require(Role.DECLARANT)
    record = service.get(uow, principal, declaration_id)
    data = dict((await request.form()).items())
    form = form_values(data)
    # The reference and kind are the declaration's: the form shows them read-only.
    form["reference"] = record.declaration.reference
    form["kind"] = record.declaration.kind.value
    intent, index = _intent(data)
    page: dict[str, Any] = {"action": f"/declarations/{record.id}/amend", "amending": record}
    if _rearranged(form, intent, index) is not None:
        return _form_page(request, principal, form, **page)
    raw = document_from_form(form)
    if intent == "submit":
        try:
            version = int(_clean(data.get("version")) or record.version)
        except ValueError:
            version = record.version
        try:
            service.amend(uow, principal, record.id, raw, expected_version=version)
        except InvalidInput as exc:
            return _form_page(
                request,
                principal,
                form,
                errors=list(exc.errors),
                warnings=list(exc.warnings),
                status_code=422,
                **page,
            )
        except ConcurrentChange as exc:
            problem = FieldError("version", "stale", exc.message)
            return _form_page(request, principal, form, errors=[problem], status_code=409, **page)
        return RedirectResponse(f"/declarations/{record.id}?done=amended", 303)
    report = service.validate(uow, principal, raw, signals=description_check(request))
    return _form_page(
        request,
        principal,
        form,
        errors=report.errors,
        warnings=report.warnings,
        assessment=report.assessment,
        status_code=200 if report.valid else 422,
        flash="" if report.errors else VALID,
        **page,
    )


# --- drafts ------------------------------------------------------------------------------------


@router.get("/declarations/drafts", response_class=HTMLResponse)
def draft_list(request: Request, uow: UoW, principal: CurrentPrincipal, done: str = "") -> Response:
    principal.require(Role.DECLARANT)
    return render(
        request,
        "declarations/drafts.html",
        principal=principal,
        drafts=drafts.list_drafts(uow, principal),
        done=done,
    )


@router.post("/declarations/drafts/{draft_id}/delete")
def draft_delete(
    request: Request, draft_id: str, uow: UoW, principal: CurrentPrincipal
) -> Response:
    principal.require(Role.DECLARANT)
    drafts.delete(uow, principal, draft_id)
    return RedirectResponse("/declarations/drafts?done=deleted", status_code=303)


# --- bulk upload -------------------------------------------------------------------------------


def _bulk_page(
    request: Request,
    principal: Principal,
    *,
    report: Any = None,
    rows: list[dict[str, Any]] | None = None,
    errors: list[FieldError] | None = None,
    lodged: list[Any] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "declarations/upload.html",
        status_code=status_code,
        principal=principal,
        officer=principal.has(Role.OFFICER),
        report=report,
        rows=rows or [],
        errors=by_path(errors or []),
        lodged=lodged or [],
    )


@router.get("/declarations/upload", response_class=HTMLResponse)
def upload_form(request: Request, principal: CurrentPrincipal) -> Response:
    principal.require(Role.DECLARANT, Role.OFFICER)
    return _bulk_page(request, principal)


@router.post("/declarations/import")
async def upload(request: Request, uow: UoW, principal: CurrentPrincipal) -> Response:
    principal.require(Role.DECLARANT, Role.OFFICER)
    data = await request.form()
    upload = data.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        problem = FieldError("file", "required", _("choose a file"))
        return _bulk_page(request, principal, errors=[problem], status_code=422)
    content = await upload.read()
    await upload.close()
    if principal.has(Role.OFFICER):
        return _officer_import(request, uow, principal, content, bool(data.get("dry_run")))
    return _declarant_bulk(request, uow, principal, content)


def _officer_import(
    request: Request, uow: UoW, principal: Principal, content: bytes, dry_run: bool
) -> Response:
    folder = get_settings(request).files_dir
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".csv", delete=False) as fh:
        fh.write(content)
        path = Path(fh.name)
    try:
        report = import_file(uow, principal, path, dry_run=dry_run)
    except ImportRejected as exc:
        rows = [
            {"row": e.row, "column": e.column or "", "field": e.field, "message": e.message}
            for e in exc.report.errors
        ]
        return _bulk_page(request, principal, report=exc.report, rows=rows, status_code=422)
    except InvalidInput as exc:
        problems = [FieldError("file", e.code, e.message) for e in exc.errors]
        return _bulk_page(request, principal, errors=problems, status_code=422)
    finally:
        path.unlink(missing_ok=True)
    return _bulk_page(request, principal, report=report)


def _documents(content: bytes) -> list[Any]:
    """A JSON array of declarations, or one JSON declaration per line."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput.single("file", "not_utf8", _("the file must be UTF-8 JSON")) from None
    stripped = text.strip()
    if not stripped:
        raise InvalidInput.single("file", "empty", _("the file is empty"))
    if stripped.startswith("["):
        try:
            docs = json.loads(stripped)
        except (ValueError, RecursionError) as exc:
            raise InvalidInput.single(
                "file", "invalid_json", _("not valid JSON: {error}", error=exc)
            ) from None
        out = list(docs)
    else:
        out = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except (ValueError, RecursionError) as exc:
                raise InvalidInput.single(
                    "file", "invalid_json", _("line {n} is not valid JSON: {error}", n=n, error=exc)
                ) from None
    if len(out) > MAX_BULK_ROWS:
        raise InvalidInput.single(
            "file", "too_many", _("at most {n} declarations per file", n=MAX_BULK_ROWS)
        )
    return out


def _declarant_bulk(request: Request, uow: UoW, principal: Principal, content: bytes) -> Response:
    try:
        docs = _documents(content)
    except InvalidInput as exc:
        return _bulk_page(request, principal, errors=list(exc.errors), status_code=422)
    try:
        lodged = service.submit_many(
            uow, principal, docs, source="web-bulk", signals=description_check(request)
        )
    except InvalidInput as exc:
        rows = [_row_error(e) for e in exc.errors]
        summary = {"rows": len(docs), "invalid": len({r["row"] for r in rows}), "stored": 0}
        return _bulk_page(request, principal, report=summary, rows=rows, status_code=422)
    stored = sum(1 for r in lodged if r.created)
    summary = {"rows": len(docs), "invalid": 0, "stored": stored}
    return _bulk_page(request, principal, report=summary, lodged=lodged)


def _row_error(error: FieldError) -> dict[str, Any]:
    """A problem of ``service.submit_many`` (path ``[n].field``) as a row of the report."""
    position, _sep, field = error.path.partition("]")
    return {
        "row": int(position.lstrip("[")) + 1,
        "column": "",
        "field": field.lstrip("."),
        "message": error.message,
    }
