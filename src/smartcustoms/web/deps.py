"""FastAPI dependencies: settings, unit of work, and who is calling."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from smartcustoms.accounts import service as accounts
from smartcustoms.accounts.model import LoginPolicy, Principal, Role
from smartcustoms.config import Settings
from smartcustoms.db.engine import Database
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import AuthenticationRequired
from smartcustoms.web.csrf import SAFE_METHODS

SESSION_COOKIE = "smartcustoms_session"


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def login_policy(settings: Settings) -> LoginPolicy:
    return LoginPolicy(
        window=timedelta(minutes=settings.login_window_minutes),
        max_account=settings.login_max_failures_account,
        max_client=settings.login_max_failures_client,
        lockout=timedelta(minutes=settings.login_lockout_minutes),
    )


def client_address(request: Request) -> str:
    """Who is knocking, for login throttling (behind a proxy: configure uvicorn's
    --forwarded-allow-ips so that this is the real client)."""
    return request.client.host if request.client else ""


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_uow(request: Request) -> UnitOfWork:
    return get_db(request).uow()


COOKIE_REFUSED = (
    "the JSON API accepts the browser session cookie for reads only; "
    "send 'Authorization: Bearer <token>' to change anything"
)


def _cookie_refused(request: Request) -> bool:
    # A browser attaches the session cookie to any request, including one a foreign site makes
    # it send; a bearer header it never adds on its own. So on the JSON API a change needs the
    # header (pages are protected by CSRF tokens instead, see web.csrf).
    return request.url.path.startswith("/api/") and request.method not in SAFE_METHODS


def _credential(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    if _cookie_refused(request):
        return None
    return request.cookies.get(SESSION_COOKIE)


def optional_principal(request: Request) -> Principal | None:
    secret = _credential(request)
    if secret is None:
        return None
    try:
        return accounts.authenticate(get_uow(request), secret)
    except AuthenticationRequired:
        return None


def current_principal(request: Request) -> Principal:
    secret = _credential(request)
    if secret is None:
        if request.cookies.get(SESSION_COOKIE) and _cookie_refused(request):
            raise AuthenticationRequired(COOKIE_REFUSED)
        raise AuthenticationRequired("log in, or send 'Authorization: Bearer <token>'")
    return accounts.authenticate(get_uow(request), secret)


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        principal.require(*roles)
        return principal

    return dependency


UoW = Annotated[UnitOfWork, Depends(get_uow)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
