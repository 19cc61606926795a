"""Home, login and logout pages."""

from __future__ import annotations

import importlib.util
from datetime import datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from smartcustoms.accounts import service
from smartcustoms.accounts.model import Principal, Role
from smartcustoms.cases import service as cases
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations import drafts, figures
from smartcustoms.declarations import service as declarations
from smartcustoms.errors import AuthenticationRequired, RateLimited
from smartcustoms.web.deps import (
    SESSION_COOKIE,
    OptionalPrincipal,
    UoW,
    client_address,
    get_settings,
    login_policy,
)
from smartcustoms.web.errors import status_for
from smartcustoms.web.i18n import N_
from smartcustoms.web.i18n import gettext as _

router = APIRouter(include_in_schema=False)

DEMO_SUFFIX = ".demo"
# Who may open the declarations pages (the declarations service's readers).
DECLARATION_READERS = (Role.DECLARANT, Role.OFFICER, Role.ANALYST)


def _mounted(module: str) -> bool:
    # A feature's pages may come from another branch (the risk workbench): link them only
    # when they are part of this installation, never to a 404.
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def main_nav(principal: Principal | None) -> list[dict[str, str]]:
    """The top navigation: only pages the caller may open (a link that answers 403 is noise).
    Labels are message ids: the layout translates them."""
    items = []
    if principal is not None and principal.has(*DECLARATION_READERS):
        items.append({"href": "/declarations", "label": N_("Declarations")})
    if principal is not None and principal.has(
        Role.PLATFORM, Role.CARRIER, Role.OFFICER, Role.ANALYST
    ):
        items.append({"href": "/ecommerce", "label": N_("E-commerce")})
    if principal is not None and principal.has(Role.OFFICER, Role.ANALYST):
        items.append({"href": "/exchange", "label": N_("Exchange")})
    if principal is not None and principal.has(Role.ANALYST, Role.OFFICER, Role.ADMIN):
        items.append({"href": "/stats", "label": N_("Statistics")})
    if (
        principal is not None
        and principal.has(Role.ANALYST)
        and _mounted("smartcustoms.web.pages.risk")
    ):
        items.append({"href": "/risk", "label": N_("Risk")})
    items.append({"href": "/cases", "label": N_("Case repository")})
    items.append({"href": "/reference/hs", "label": N_("HS nomenclature")})
    if principal is not None and Role.ADMIN in principal.roles:
        items.append({"href": "/admin", "label": N_("Administration")})
    return items


def _midnight(now: datetime) -> datetime:
    return datetime.combine(now.date(), time(), tzinfo=now.tzinfo)


def role_figures(uow: UnitOfWork, principal: Principal, now: datetime) -> list[dict[str, Any]]:
    """The figures each of the caller's roles needs today, one section per role held."""
    roles = principal.roles
    out: list[dict[str, Any]] = []
    if Role.DECLARANT in roles:
        counts = declarations.status_counts(uow, principal)
        out.append(
            {
                "role": "declarant",
                "title": N_("Your declarations"),
                "figures": [
                    (N_("drafts"), len(drafts.list_drafts(uow, principal)), "/declarations/drafts"),
                    (N_("declarations"), sum(counts.values()), "/declarations"),
                    (
                        N_("under control"),
                        counts.get("documentary_check", 0) + counts.get("physical_inspection", 0),
                        "/declarations?tab=all&status=documentary_check",
                    ),
                    (
                        N_("released"),
                        counts.get(N_("released"), 0),
                        "/declarations?status=released",
                    ),
                ],
            }
        )
    if Role.OFFICER in roles:
        counts = declarations.status_counts(uow, principal)
        lanes = figures.lanes_since(uow, principal, _midnight(now))
        out.append(
            {
                "role": "officer",
                "title": N_("Today"),
                "figures": [
                    (
                        N_("in the control queue"),
                        counts.get("documentary_check", 0) + counts.get("physical_inspection", 0),
                        "/declarations",
                    ),
                    (N_("green lane today"), lanes.get("green", 0), None),
                    (N_("yellow lane today"), lanes.get("yellow", 0), None),
                    (N_("red lane today"), lanes.get("red", 0), None),
                ],
            }
        )
    if Role.ANALYST in roles:
        monday = _midnight(now) - timedelta(days=now.weekday())
        hits = figures.hit_rate_since(uow, principal, monday)
        rate = "–" if hits.rate is None else f"{100 * hits.rate:.1f} %"
        out.append(
            {
                "role": "analyst",
                "title": N_("This week"),
                "figures": [
                    (N_("hit rate of inspections"), rate, None),
                    (N_("inspections recorded"), hits.inspected, None),
                    (N_("inspections that found fraud"), hits.hits, None),
                ],
            }
        )
    if Role.KNOWLEDGE_MANAGER in roles:
        queue = cases.review_queue(uow, principal)
        out.append(
            {
                "role": "knowledge_manager",
                "title": N_("Case repository"),
                "figures": [(N_("cases awaiting review"), len(queue), "/cases/review")],
            }
        )
    if Role.ADMIN in roles:
        users = service.list_users(uow, principal.economy)
        tokens = service.economy_tokens(uow, principal.economy)
        out.append(
            {
                "role": "admin",
                "title": N_("Administration"),
                "figures": [
                    (N_("users"), len(users), "/admin/users"),
                    (N_("active users"), sum(1 for u in users if u.is_active), "/admin/users"),
                    (
                        N_("API tokens not revoked"),
                        sum(1 for _, t in tokens if t.revoked_at is None),
                        "/admin/tokens",
                    ),
                ],
            }
        )
    return out


def render(request: Request, template: str, status_code: int = 200, **context: object) -> Response:
    templates = request.app.state.templates
    context.setdefault("principal", None)
    response: Response = templates.TemplateResponse(
        request, template, context, status_code=status_code
    )
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, uow: UoW, principal: OptionalPrincipal) -> Response:
    sections: list[dict[str, Any]] = []
    if principal is not None:
        sections = role_figures(uow, principal, request.app.state.container.clock.now())
    return render(request, "home.html", principal=principal, sections=sections)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login")
def login(
    request: Request,
    uow: UoW,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    settings = get_settings(request)
    if settings.environment == "production" and email.strip().lower().endswith(DEMO_SUFFIX):
        # Demo accounts have a published password (`smartcustoms demo`): not in production.
        return render(
            request,
            "login.html",
            status_code=401,
            next=_safe_next(next),
            error=_(
                "demo accounts cannot log in when {setting}",
                setting="SMARTCUSTOMS_ENVIRONMENT=production",
            ),
            email=email,
        )
    try:
        _session, token = service.login(
            uow,
            email,
            password,
            ttl=timedelta(hours=settings.session_hours),
            client=client_address(request),
            policy=login_policy(settings),
        )
    except (AuthenticationRequired, RateLimited) as exc:
        return render(
            request,
            "login.html",
            status_code=status_for(exc),
            next=_safe_next(next),
            error=exc.message,
            email=email,
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token.secret,
        httponly=True,
        samesite="lax",
        secure=settings.environment == "production",
        max_age=settings.session_hours * 3600,
    )
    return response


@router.post("/logout")
def logout(request: Request, uow: UoW) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        service.revoke_secret(uow, secret)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _safe_next(target: str) -> str:
    # Only local paths: an open redirect after login is a phishing aid.
    return target if target.startswith("/") and not target.startswith("//") else "/"
