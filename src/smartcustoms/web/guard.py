"""One ASGI middleware in front of every request: refuse hostile input before any parsing, and
give every response its security headers.

Requests
    - a NUL byte in the path or the query string: 422 naming the parameter (PostgreSQL cannot
      store NUL, SQLite would store a string nobody can search for);
    - a body larger than the limit: 413 at once when ``Content-Length`` says so, else as soon as
      the streamed (chunked) body passes the limit -- nothing is parsed. Uploads and imports
      (paths ending in ``/attachments``, ``/documents`` or ``/import``) get
      ``max_upload_bytes``, every other request ``max_body_bytes``;
    - a JSON body nested deeper than :data:`MAX_JSON_DEPTH` or holding an escaped NUL
      (``\\u0000``), and a form body holding ``%00``: 422 before the body is parsed, so deep
      nesting can never reach a recursive parser or validator.

Responses
    - every response: ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``;
    - pages (not ``/api``, ``/static``): a Content-Security-Policy with no third-party source,
      scripts only from this site or inline with the per-request nonce (``csp_nonce()`` in
      templates), ``frame-ancestors 'none'`` (and ``X-Frame-Options: DENY`` for old browsers);
    - pages: the CSRF cookie (:mod:`smartcustoms.web.csrf`) when the browser has none yet.

Headers a route set itself (a stored file's sandbox CSP, for instance) are kept.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl

from smartcustoms.config import Settings
from smartcustoms.core.limits import shape_problems
from smartcustoms.errors import FieldError
from smartcustoms.web.csrf import CSRF_COOKIE, cookie_header

__all__ = [
    "MAX_JSON_DEPTH",
    "GuardMiddleware",
    "json_depth_exceeds",
    "nul_path",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_JSON_DEPTH = 32
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
UPLOAD_SUFFIXES = ("/attachments", "/documents", "/import")
NO_CSP_PATHS = ("/docs", "/redoc")  # FastAPI's own API browser (see docs/security.md)

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def json_depth_exceeds(body: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether a JSON text nests arrays/objects deeper than ``limit``, without parsing it."""
    raw = body.encode() if isinstance(body, str) else body
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    depth = 0
    for b in brackets:
        if b in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def nul_path(value: Any, path: str = "$") -> str | None:
    """The JSON path of the first string (key or value) holding a NUL character, if any."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return where
        elif isinstance(item, dict):
            for k, v in item.items():
                child = str(k) if where == "$" else f"{where}.{k}"
                if "\x00" in str(k):
                    return child
                stack.append((child, v))
        elif isinstance(item, list):
            stack.extend((f"{where}[{i}]", v) for i, v in enumerate(item))
    return None


def _nul_problem(body: bytes) -> FieldError:
    where = "$"
    with contextlib.suppress(ValueError, RecursionError):
        where = nul_path(json.loads(body)) or "$"
    return FieldError(where, "nul_character", "text may not contain the NUL character (\\u0000)")


def _shape(body: bytes) -> list[FieldError]:
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return []  # not JSON: the route reports it, with its own words
    return shape_problems(value)


def _error(error: str, detail: str, errors: list[FieldError] | None = None) -> bytes:
    body: dict[str, Any] = {"error": error, "detail": detail}
    if errors is not None:
        body["errors"] = [e.to_dict() for e in errors]
    return json.dumps(body).encode()


class GuardMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def limit_for(self, path: str) -> int:
        if path.rstrip("/").endswith(UPLOAD_SUFFIXES):
            return self.settings.max_upload_bytes
        return self.settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        state = scope.setdefault("state", {})
        state["csp_nonce"] = secrets.token_urlsafe(16)
        page = not path.startswith(("/api/", "/static/"))
        if page:
            cookies = SimpleCookie()
            try:
                cookies.load(headers.get("cookie", ""))
            except Exception:  # a malformed Cookie header: treat as none
                cookies = SimpleCookie()
            if CSRF_COOKIE in cookies and cookies[CSRF_COOKIE].value:
                state["csrf_nonce"] = cookies[CSRF_COOKIE].value
            else:
                state["csrf_nonce"] = secrets.token_urlsafe(32)
                state["csrf_new"] = True
        send = self._decorate(scope, send, page)

        problem = self._nul_in_url(scope)
        if problem is not None:
            await self._invalid(send, [problem])
            return
        if scope.get("method", "GET") not in BODY_METHODS:
            await self.app(scope, receive, send)
            return

        limit = self.limit_for(path)
        too_large = _error(
            "PayloadTooLarge",
            f"the request body is larger than {limit} bytes; this endpoint accepts at most that",
        )
        declared = headers.get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            await self._reply(send, 413, too_large)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._reply(send, 413, too_large)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)

        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/json" or ctype.endswith("+json"):
            if json_depth_exceeds(body):
                problem = FieldError(
                    "$", "too_deep", f"JSON may nest at most {MAX_JSON_DEPTH} levels deep"
                )
                await self._invalid(send, [problem])
                return
            shape = _shape(body)
            if shape:
                await self._invalid(send, shape)
                return
            if _ESCAPED_NUL.search(body):
                problem = _nul_problem(body)
                await self._invalid(send, [problem])
                return
        elif ctype == "application/x-www-form-urlencoded" and b"%00" in body:
            problem = self._nul_in_pairs(body.decode("latin-1"))
            if problem is not None:
                await self._invalid(send, [problem])
                return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    # --- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _nul_in_pairs(query: str) -> FieldError | None:
        for key, value in parse_qsl(query, keep_blank_values=True):
            if "\x00" in key or "\x00" in value:
                return FieldError(
                    key.replace("\x00", "") or "query",
                    "nul_character",
                    "text may not contain the NUL character (%00)",
                )
        return None

    def _nul_in_url(self, scope: Scope) -> FieldError | None:
        if "\x00" in scope.get("path", ""):
            return FieldError("path", "nul_character", "the path may not contain %00")
        query = scope.get("query_string", b"").decode("latin-1")
        if "%00" in query or "\x00" in query:
            return self._nul_in_pairs(query)
        return None

    async def _invalid(self, send: Send, problems: list[FieldError]) -> None:
        await self._reply(send, 422, _error("InvalidInput", problems[0].message, problems))

    @staticmethod
    async def _reply(send: Send, status: int, body: bytes) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _decorate(self, scope: Scope, send: Send, page: bool) -> Send:
        state = scope["state"]
        secure = self.settings.environment == "production"

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}

                def add(name: str, value: str) -> None:
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode("latin-1")))

                add("x-content-type-options", "nosniff")
                add("referrer-policy", "same-origin")
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if page:
                    add("x-frame-options", "DENY")
                    path = scope.get("path", "")
                    if path.startswith(NO_CSP_PATHS):
                        add("content-security-policy", "frame-ancestors 'none'")
                    else:
                        add("content-security-policy", page_csp(state["csp_nonce"]))
                    # The nonce cookie goes with the pages that may hold a form.
                    if state.get("csrf_new") and ctype.startswith(b"text/html"):
                        headers.append(
                            (b"set-cookie", cookie_header(state["csrf_nonce"], secure).encode())
                        )
                message["headers"] = headers
            await send(message)

        return wrapped


def page_csp(nonce: str) -> str:
    # Style attributes (bar widths, chart colours) need 'unsafe-inline' for styles; scripts do
    # not: only this site's files and inline blocks carrying this response's nonce run.
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
