"""Administrator pages: users, API tokens, economies, the tariff schedule, settings.

Admins only, always within their own economy (a user or token of another economy answers 404,
as the API does). Every change goes through the same service functions the CLI and the API use
(``accounts.service``, ``tariff.service``): no second write path. A refused change comes back
as the same form, what was typed kept, every problem beside its field.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from smartcustoms.accounts import service as accounts
from smartcustoms.accounts.model import Principal, Role
from smartcustoms.errors import Conflict, FieldError, InvalidInput
from smartcustoms.tariff import service as tariff
from smartcustoms.web.deps import CurrentPrincipal, UoW, get_settings
from smartcustoms.web.forms import by_path
from smartcustoms.web.i18n import N_
from smartcustoms.web.i18n import gettext as _
from smartcustoms.web.pages.home import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
ROLES = [r.value for r in Role]
MAX_BROWSE = 500
SECRET_WORDS = ("secret", "password", "key", "token")


def _admin(principal: Principal) -> Principal:
    principal.require(Role.ADMIN)
    return principal


def _nav() -> list[dict[str, str]]:
    return [
        {"href": "/admin/users", "label": N_("Users")},
        {"href": "/admin/tokens", "label": N_("API tokens")},
        {"href": "/admin/economies", "label": N_("Economies")},
        {"href": "/admin/tariff", "label": N_("Tariff")},
        {"href": "/admin/settings", "label": N_("Settings")},
    ]


def _page(request: Request, principal: Principal, template: str, **context: Any) -> Response:
    return render(request, template, principal=principal, admin_nav=_nav(), **context)


# --- overview ----------------------------------------------------------------------------------


@router.get("/admin", response_class=HTMLResponse)
def overview(request: Request, uow: UoW, principal: CurrentPrincipal) -> Response:
    _admin(principal)
    users = accounts.list_users(uow, principal.economy)
    tokens = accounts.economy_tokens(uow, principal.economy)
    live = [t for _, t in tokens if t.revoked_at is None]
    return _page(
        request,
        principal,
        "admin/index.html",
        users=len(users),
        active=sum(1 for u in users if u.is_active),
        tokens=len(live),
    )


# --- users -------------------------------------------------------------------------------------


def _users_page(
    request: Request,
    uow: UoW,
    principal: Principal,
    *,
    form: dict[str, Any] | None = None,
    errors: list[FieldError] | None = None,
    done: str = "",
    status_code: int = 200,
) -> Response:
    return _page(
        request,
        principal,
        "admin/users.html",
        status_code=status_code,
        users=accounts.list_users(uow, principal.economy),
        roles=ROLES,
        form=form or {"roles": []},
        errors=by_path(errors or []),
        done=done,
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users(request: Request, uow: UoW, principal: CurrentPrincipal, done: str = "") -> Response:
    _admin(principal)
    return _users_page(request, uow, principal, done=done)


@router.post("/admin/users")
async def create_user(request: Request, uow: UoW, principal: CurrentPrincipal) -> Response:
    _admin(principal)
    data = await request.form()
    email = str(data.get("email", ""))
    name = str(data.get("name", ""))
    roles = [str(r) for r in data.getlist("roles")]
    form: dict[str, Any] = {"email": email, "name": name, "roles": roles}
    password = str(data.get("password", ""))
    try:
        user = accounts.create_user(
            uow,
            economy=principal.economy,
            email=email,
            password=password,
            roles=roles,
            name=name,
        )
    except InvalidInput as exc:
        # roles[0] and the like belong to the roles field.
        problems = [
            FieldError("roles", e.code, e.message) if e.path.startswith("roles") else e
            for e in exc.errors
        ]
        return _users_page(request, uow, principal, form=form, errors=problems, status_code=422)
    except Conflict as exc:
        problem = FieldError("email", "exists", exc.message)
        return _users_page(request, uow, principal, form=form, errors=[problem], status_code=409)
    return RedirectResponse(f"/admin/users/{user.id}?done=created", status_code=303)


def _user_page(
    request: Request,
    uow: UoW,
    principal: Principal,
    user_id: str,
    *,
    errors: list[FieldError] | None = None,
    done: str = "",
    issued: Any = None,
    status_code: int = 200,
) -> Response:
    user = accounts.get_user(uow, user_id, principal.economy)
    return _page(
        request,
        principal,
        "admin/user.html",
        status_code=status_code,
        user=user,
        roles=ROLES,
        tokens=[t for t in accounts.list_tokens(uow, user.id) if t.kind == "api"],
        errors=by_path(errors or []),
        done=done,
        issued=issued,
        default_days=get_settings(request).api_token_days,
    )


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def user(
    request: Request, user_id: str, uow: UoW, principal: CurrentPrincipal, done: str = ""
) -> Response:
    _admin(principal)
    return _user_page(request, uow, principal, user_id, done=done)


@router.post("/admin/users/{user_id}/roles")
async def user_roles(
    request: Request, user_id: str, uow: UoW, principal: CurrentPrincipal
) -> Response:
    _admin(principal)
    accounts.get_user(uow, user_id, principal.economy)  # another economy's user: 404 first
    data = await request.form()
    roles = [str(r) for r in data.getlist("roles")]
    if user_id == principal.user_id and Role.ADMIN.value not in roles:
        problem = FieldError(
            "roles", "self_lockout", _("you cannot take the admin role from yourself")
        )
        return _user_page(request, uow, principal, user_id, errors=[problem], status_code=422)
    try:
        accounts.set_roles(uow, user_id, principal.economy, roles)
    except InvalidInput as exc:
        problems = [FieldError("roles", e.code, e.message) for e in exc.errors]
        return _user_page(request, uow, principal, user_id, errors=problems, status_code=422)
    return RedirectResponse(f"/admin/users/{user_id}?done=roles", status_code=303)


@router.post("/admin/users/{user_id}/active")
def user_active(
    request: Request,
    user_id: str,
    uow: UoW,
    principal: CurrentPrincipal,
    active: Annotated[str, Form()] = "",
) -> Response:
    _admin(principal)
    target = accounts.get_user(uow, user_id, principal.economy)
    enable = active == "1"
    if target.id == principal.user_id and not enable:
        problem = FieldError("active", "self_lockout", _("you cannot deactivate your own account"))
        return _user_page(request, uow, principal, user_id, errors=[problem], status_code=422)
    accounts.set_active(uow, target.email, enable)
    return RedirectResponse(
        f"/admin/users/{user_id}?done={'activated' if enable else 'deactivated'}", status_code=303
    )


@router.post("/admin/users/{user_id}/password")
def user_password(
    request: Request,
    user_id: str,
    uow: UoW,
    principal: CurrentPrincipal,
    password: Annotated[str, Form()] = "",
) -> Response:
    _admin(principal)
    try:
        accounts.reset_password(uow, user_id, principal.economy, password)
    except InvalidInput as exc:
        problems = [FieldError("password", e.code, e.message) for e in exc.errors]
        return _user_page(request, uow, principal, user_id, errors=problems, status_code=422)
    return RedirectResponse(f"/admin/users/{user_id}?done=password", status_code=303)


# --- tokens ------------------------------------------------------------------------------------


def _days(text: str, default: int) -> int:
    if not text.strip():
        return default
    try:
        days = int(text.strip())
    except ValueError:
        raise InvalidInput.single("days", "not_a_number", _("a whole number of days")) from None
    if not 1 <= days <= 3650:
        raise InvalidInput.single("days", "out_of_range", _("between 1 and 3650 days"))
    return days


@router.post("/admin/users/{user_id}/tokens")
def create_token(
    request: Request,
    user_id: str,
    uow: UoW,
    principal: CurrentPrincipal,
    name: Annotated[str, Form()] = "",
    days: Annotated[str, Form()] = "",
) -> Response:
    _admin(principal)
    target = accounts.get_user(uow, user_id, principal.economy)
    problems: list[FieldError] = []
    if not name.strip():
        problems.append(FieldError("name", "required", _("name the token (what it is for)")))
    elif len(name.strip()) > 120:
        problems.append(FieldError("name", "too_long", _("at most 120 characters")))
    lifetime = 0
    try:
        lifetime = _days(days, get_settings(request).api_token_days)
    except InvalidInput as exc:
        problems += exc.errors
    if problems:
        return _user_page(request, uow, principal, user_id, errors=problems, status_code=422)
    issued = accounts.issue_token(uow, target.id, name=name.strip(), ttl=timedelta(days=lifetime))
    # The secret is shown on this response only (stored as a hash): no redirect, no URL.
    response = _user_page(request, uow, principal, user_id, issued=issued, status_code=201)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/admin/tokens", response_class=HTMLResponse)
def tokens(request: Request, uow: UoW, principal: CurrentPrincipal, done: str = "") -> Response:
    _admin(principal)
    return _page(
        request,
        principal,
        "admin/tokens.html",
        tokens=accounts.economy_tokens(uow, principal.economy),
        done=done,
    )


@router.post("/admin/tokens/{token_id}/revoke")
def revoke(
    request: Request,
    token_id: str,
    uow: UoW,
    principal: CurrentPrincipal,
    back: Annotated[str, Form()] = "",
) -> Response:
    _admin(principal)
    accounts.revoke_token(uow, token_id, by=principal)
    target = back if back.startswith("/admin/") and not back.startswith("//") else "/admin/tokens"
    return RedirectResponse(f"{target}?done=revoked", status_code=303)


# --- economies ---------------------------------------------------------------------------------


def _economies_page(
    request: Request,
    uow: UoW,
    principal: Principal,
    *,
    form: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    done: str = "",
    status_code: int = 200,
) -> Response:
    return _page(
        request,
        principal,
        "admin/economies.html",
        status_code=status_code,
        economies=accounts.list_economies(uow),
        form=form or {},
        errors=by_path(errors or []),
        done=done,
    )


@router.get("/admin/economies", response_class=HTMLResponse)
def economies(request: Request, uow: UoW, principal: CurrentPrincipal, done: str = "") -> Response:
    _admin(principal)
    return _economies_page(request, uow, principal, done=done)


@router.post("/admin/economies")
def create_economy(
    request: Request,
    uow: UoW,
    principal: CurrentPrincipal,
    code: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    currency: Annotated[str, Form()] = "",
) -> Response:
    _admin(principal)
    form = {"code": code, "name": name, "currency": currency}
    try:
        accounts.create_economy(uow, code[:8], name[:120] or None, currency[:8] or None)
    except InvalidInput as exc:
        return _economies_page(
            request, uow, principal, form=form, errors=list(exc.errors), status_code=422
        )
    except Conflict as exc:
        problem = FieldError("code", "exists", exc.message)
        return _economies_page(
            request, uow, principal, form=form, errors=[problem], status_code=409
        )
    return RedirectResponse("/admin/economies?done=created", status_code=303)


# --- tariff ------------------------------------------------------------------------------------


def _tariff_page(
    request: Request,
    uow: UoW,
    principal: Principal,
    *,
    hs: str = "",
    errors: list[FieldError] | None = None,
    form: dict[str, str] | None = None,
    done: Any = None,
    status_code: int = 200,
) -> Response:
    schedule = tariff.get_schedule(uow, principal.economy)
    prefix = hs.replace(".", "").replace(" ", "")[:10]
    hs_error = None
    lines: list[Any] = []
    shown = 0
    if prefix and not prefix.isdigit():
        hs_error = N_("digits only, e.g. 8507")
    elif schedule is not None:
        matching = [
            ln
            for ln in schedule.lines
            if ln.hs_prefix.startswith(prefix) or prefix.startswith(ln.hs_prefix)
        ]
        matching.sort(key=lambda ln: (ln.hs_prefix, ln.rate_type))
        shown = len(matching)
        lines = matching[:MAX_BROWSE]
    row_errors = [e for e in (errors or []) if e.path.startswith("rows[") or e.path == "header"]
    return _page(
        request,
        principal,
        "admin/tariff.html",
        status_code=status_code,
        schedule=schedule,
        hs=hs,
        hs_error=hs_error,
        lines=lines,
        matching=shown,
        max_browse=MAX_BROWSE,
        row_errors=row_errors,
        errors=by_path([e for e in errors or [] if e not in row_errors]),
        form=form or {},
        done=done,
    )


@router.get("/admin/tariff", response_class=HTMLResponse)
def tariff_page(request: Request, uow: UoW, principal: CurrentPrincipal, hs: str = "") -> Response:
    _admin(principal)
    return _tariff_page(request, uow, principal, hs=hs)


def _optional_decimal(text: str, path: str, problems: list[FieldError]) -> Decimal | None:
    if not text.strip():
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        problems.append(FieldError(path, "not_a_number", _("write a number like 10 or 7.5")))
        return None
    if not value.is_finite():
        problems.append(FieldError(path, "not_a_number", _("write a number like 10 or 7.5")))
        return None
    return value


# The path ends in /import: the guard gives it the upload size limit, not the form limit.
@router.post("/admin/tariff/import")
async def tariff_import(request: Request, uow: UoW, principal: CurrentPrincipal) -> Response:
    _admin(principal)
    data = await request.form()
    upload = data.get("file")
    form = {
        "vat_rate": str(data.get("vat_rate", "")),
        "default_rate_type": str(data.get("default_rate_type", "")),
        "source": str(data.get("source", "")),
    }
    problems: list[FieldError] = []
    vat = _optional_decimal(form["vat_rate"], "vat_rate", problems)
    text = filename = ""
    if not isinstance(upload, UploadFile) or not upload.filename:
        problems.append(FieldError("file", "required", _("choose a tariff CSV file")))
    else:
        filename = upload.filename
        raw = await upload.read()
        await upload.close()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.append(FieldError("file", "not_utf8", _("the file must be UTF-8 text (CSV)")))
        if "\x00" in text:
            problems.append(FieldError("file", "nul_character", _("the file holds NUL bytes")))
    if problems:
        return _tariff_page(request, uow, principal, errors=problems, form=form, status_code=422)
    try:
        summary = tariff.import_csv(
            uow,
            principal,
            text,
            economy=principal.economy,
            vat_rate=vat,
            default_rate_type=form["default_rate_type"].strip()[:16] or None,
            source=form["source"].strip()[:200] or filename[:200],
        )
    except InvalidInput as exc:
        return _tariff_page(
            request, uow, principal, errors=list(exc.errors), form=form, status_code=422
        )
    return _tariff_page(request, uow, principal, done=summary)


# --- settings ----------------------------------------------------------------------------------


def _shown_settings(request: Request) -> list[tuple[str, str]]:
    """The effective settings, without secrets (a secret is shown as set or not)."""
    settings = get_settings(request)
    out: list[tuple[str, str]] = []
    for name in sorted(type(settings).model_fields):
        value = getattr(settings, name)
        if any(word in name for word in SECRET_WORDS):
            out.append((name, _("(set)") if value else _("(not set)")))
        elif name == "database_url":
            out.append((name, _without_password(settings.effective_database_url)))
        else:
            out.append((name, "" if value is None else str(value)))
    return out


def _without_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL: show nothing of it rather than a secret
        return _("(unreadable URL)")


@router.get("/admin/settings", response_class=HTMLResponse)
def settings_page(request: Request, principal: CurrentPrincipal) -> Response:
    _admin(principal)
    return _page(request, principal, "admin/settings.html", settings=_shown_settings(request))
