"""The one place where domain errors become HTTP responses."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from smartcustoms.errors import (
    AuthenticationRequired,
    Conflict,
    DataUnavailable,
    FieldError,
    InvalidInput,
    NotFound,
    OperationFailed,
    PermissionDenied,
    RateLimited,
    SmartCustomsError,
)
from smartcustoms.web.i18n import N_
from smartcustoms.web.i18n import gettext as _

STATUS: dict[type[SmartCustomsError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    AuthenticationRequired: 401,
    PermissionDenied: 403,
    DataUnavailable: 503,
    RateLimited: 429,
    OperationFailed: 503,
}
HTTP_ERROR_NAMES = {
    400: "BadRequest",
    401: "AuthenticationRequired",
    403: "PermissionDenied",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    429: "RateLimited",
}


def status_for(exc: SmartCustomsError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


def error_body(exc: SmartCustomsError) -> dict[str, object]:
    body: dict[str, object] = {"error": type(exc).__name__, "detail": exc.message}
    if isinstance(exc, InvalidInput):
        body["errors"] = [e.to_dict() for e in exc.errors]
        if exc.warnings:
            body["warnings"] = [w.to_dict() for w in exc.warnings]
    return body


def _json_path(loc: tuple[int | str, ...]) -> str:
    # FastAPI locations look like ("body", "items", 3, "hs_code") -> items[3].hs_code
    parts = list(loc[1:] if loc and loc[0] in ("body", "query", "path", "form") else loc)
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or str(loc[0] if loc else "")


log = logging.getLogger("smartcustoms.web")
TITLES = {
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Not allowed here"),
    409: N_("Conflict"),
    422: N_("Invalid input"),
    500: N_("Something went wrong"),
    503: N_("Not available"),
}


def _principal(request: Request) -> object:
    """Who is asking, for the error page's header (a 403 page must not look logged out)."""
    from smartcustoms.web.deps import optional_principal

    try:
        return optional_principal(request)
    except Exception:  # the error page must render even when the database is the problem
        return None


def error_page(
    request: Request,
    status: int,
    message: str,
    errors: object = (),
    headers: dict[str, str] | None = None,
) -> Response:
    """The HTML error page in the site layout (page routes; the API keeps JSON)."""
    templates = request.app.state.templates
    context = {
        "status": status,
        "title": TITLES.get(status, N_("Error")),
        "message": message,
        "errors": list(errors or ()),  # type: ignore[call-overload]
        "principal": _principal(request),
    }
    response: Response = templates.TemplateResponse(
        request, "error.html", context, status_code=status, headers=headers or None
    )
    return response


def install(app: FastAPI) -> None:
    async def domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SmartCustomsError)
        status = status_for(exc)
        if status == 401 and _wants_html(request):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(exc.retry_after)
        if _wants_html(request):
            problems = exc.errors if isinstance(exc, InvalidInput) else []
            return error_page(request, status, exc.message, problems, headers=headers)
        return JSONResponse(error_body(exc), status_code=status, headers=headers or None)

    async def request_invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [
            FieldError(
                _json_path(tuple(e.get("loc", ()))),
                str(e.get("type", "invalid")),
                str(e.get("msg", "invalid value")),
            )
            for e in exc.errors()
        ]
        return JSONResponse(error_body(InvalidInput(errors)), status_code=422)

    async def http_error(request: Request, exc: Exception) -> Response:
        # Starlette's own errors (unknown route, wrong method, unparseable body): an HTML page in
        # the layout for pages, and for the API the same shape as every other error.
        assert isinstance(exc, StarletteHTTPException)
        if _wants_html(request):
            message = {
                404: _("There is no page at {path}.", path=request.url.path),
                405: _(
                    "{method} is not accepted at {path}.",
                    method=request.method,
                    path=request.url.path,
                ),
            }.get(exc.status_code, str(exc.detail))
            return error_page(request, exc.status_code, message)
        name = HTTP_ERROR_NAMES.get(exc.status_code, "HTTPError")
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return JSONResponse(
            {"error": name, "detail": detail},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        message = _("The server could not complete this request; it has been logged.")
        if _wants_html(request):
            return error_page(request, 500, message)
        return JSONResponse({"error": "InternalError", "detail": message}, status_code=500)

    app.add_exception_handler(SmartCustomsError, domain_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, request_invalid)
    app.add_exception_handler(Exception, server_error)
