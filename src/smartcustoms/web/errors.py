"""The one place where domain errors become HTTP responses."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response

from smartcustoms.errors import (
    AuthenticationRequired,
    Conflict,
    DataUnavailable,
    FieldError,
    InvalidInput,
    NotFound,
    OperationFailed,
    PermissionDenied,
    SmartCustomsError,
)

STATUS: dict[type[SmartCustomsError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    AuthenticationRequired: 401,
    PermissionDenied: 403,
    DataUnavailable: 503,
    OperationFailed: 503,
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
    return body


def _json_path(loc: tuple[int | str, ...]) -> str:
    # FastAPI locations look like ("body", "items", 3, "hs_code") -> items[3].hs_code
    parts = list(loc[1:] if loc and loc[0] in ("body", "query", "path", "form") else loc)
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or str(loc[0] if loc else "")


def install(app: FastAPI) -> None:
    async def domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SmartCustomsError)
        status = status_for(exc)
        if status == 401 and _wants_html(request):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if _wants_html(request):
            templates = request.app.state.templates
            return templates.TemplateResponse(
                request, "error.html", {"status": status, "error": exc}, status_code=status
            )
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(error_body(exc), status_code=status, headers=headers)

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

    app.add_exception_handler(SmartCustomsError, domain_error)
    app.add_exception_handler(RequestValidationError, request_invalid)
