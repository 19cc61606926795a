"""CSRF protection of the pages: a signed token, bound to the browser and to its session.

Every browser gets a random nonce in the ``smartcustoms_csrf`` cookie (HttpOnly, SameSite=Lax;
set by :class:`smartcustoms.web.guard.GuardMiddleware`). A form's token is
``HMAC-SHA256(secret_key, nonce | session cookie)``: a site that cannot read this site's pages
cannot compute it (it needs ``secret_key``), and a token stolen from one session is worthless
in another, even to someone able to plant cookies. Templates put it in a form with
``{{ csrf_field() }}``; :func:`protect` (mounted on every non-API router by the app factory)
checks it on every POST/PUT/PATCH/DELETE of a page, from the ``csrf_token`` form field or the
``X-CSRF-Token`` header.

The JSON API does not use this: there the session cookie authenticates reads only, and every
change needs a bearer token, which a browser never sends on its own (see
:func:`smartcustoms.web.deps.current_principal`).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from fastapi import Request
from jinja2 import pass_context
from markupsafe import Markup, escape

from smartcustoms.errors import PermissionDenied
from smartcustoms.web.i18n import gettext as _

__all__ = [
    "CSRF_COOKIE",
    "FIELD",
    "HEADER",
    "CsrfRefused",
    "cookie_header",
    "install_template_globals",
    "protect",
    "token_for",
]

CSRF_COOKIE = "smartcustoms_csrf"
SESSION_COOKIE = "smartcustoms_session"  # the same name as web.deps.SESSION_COOKIE
FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class CsrfRefused(PermissionDenied):
    pass


def cookie_header(nonce: str, secure: bool) -> str:
    parts = [f"{CSRF_COOKIE}={nonce}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def sign(secret_key: str, nonce: str, session: str) -> str:
    message = f"csrf|{nonce}|{session}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def token_for(request: Request) -> str:
    """The token a form rendered for this request must send back."""
    nonce = request.scope.get("state", {}).get("csrf_nonce") or request.cookies.get(CSRF_COOKIE, "")
    session = request.cookies.get(SESSION_COOKIE, "")
    return sign(request.app.state.settings.secret_key, nonce, session)


async def protect(request: Request) -> None:
    """Refuse a state-changing page request whose token is missing or wrong."""
    if request.method in SAFE_METHODS or request.url.path.startswith("/api/"):
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return  # a browser never adds this header on its own: not forgeable cross-site
    sent = request.headers.get(HEADER, "")
    if not sent:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(FIELD)
            sent = value if isinstance(value, str) else ""
    nonce = request.cookies.get(CSRF_COOKIE, "")
    expected = sign(
        request.app.state.settings.secret_key, nonce, request.cookies.get(SESSION_COOKIE, "")
    )
    if not nonce or not sent or not hmac.compare_digest(sent, expected):
        # The route will not run: close the form read above (an upload's spooled file).
        await request.close()
        raise CsrfRefused(
            _("this form has expired or did not come from this site; reload the page and try again")
        )


def install_template_globals(env: Any) -> None:
    """``csrf_token()``, ``csrf_field()`` and ``csp_nonce()`` for every template."""

    @pass_context
    def csrf_token(context: Any) -> str:
        return token_for(context["request"])

    @pass_context
    def csrf_field(context: Any) -> Markup:
        token = escape(token_for(context["request"]))
        return Markup(f'<input type="hidden" name="{FIELD}" value="{token}">')

    @pass_context
    def csp_nonce(context: Any) -> str:
        return str(context["request"].scope.get("state", {}).get("csp_nonce", ""))

    env.globals["csrf_token"] = csrf_token
    env.globals["csrf_field"] = csrf_field
    env.globals["csp_nonce"] = csp_nonce
