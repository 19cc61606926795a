"""Home, login and logout pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from smartcustoms.accounts import service
from smartcustoms.accounts.model import Principal, Role
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

router = APIRouter(include_in_schema=False)

DEMO_SUFFIX = ".demo"
# Who may open the declarations pages (the declarations service's readers).
DECLARATION_READERS = (Role.DECLARANT, Role.OFFICER, Role.ANALYST)


def main_nav(principal: Principal | None) -> list[dict[str, str]]:
    """The top navigation: only pages the caller may open (a link that answers 403 is noise)."""
    items = []
    if principal is not None and principal.has(*DECLARATION_READERS):
        items.append({"href": "/declarations", "label": "Declarations"})
    if principal is not None and principal.has(
        Role.PLATFORM, Role.CARRIER, Role.OFFICER, Role.ANALYST
    ):
        items.append({"href": "/ecommerce", "label": "E-commerce"})
    if principal is not None and principal.has(Role.OFFICER, Role.ANALYST):
        items.append({"href": "/exchange", "label": "Exchange"})
    if principal is not None and principal.has(Role.ANALYST, Role.OFFICER, Role.ADMIN):
        items.append({"href": "/stats", "label": "Statistics"})
    items.append({"href": "/cases", "label": "Case repository"})
    items.append({"href": "/reference/hs", "label": "HS nomenclature"})
    return items


def render(request: Request, template: str, status_code: int = 200, **context: object) -> Response:
    templates = request.app.state.templates
    context.setdefault("principal", None)
    response: Response = templates.TemplateResponse(
        request, template, context, status_code=status_code
    )
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, principal: OptionalPrincipal) -> Response:
    return render(request, "home.html", principal=principal)


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
            error="demo accounts cannot log in when SMARTCUSTOMS_ENVIRONMENT=production",
            email=email,
        )
    try:
        _, token = service.login(
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
