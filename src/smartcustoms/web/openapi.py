"""The OpenAPI document as the app really behaves.

FastAPI describes a 422 as its own ``HTTPValidationError`` and nothing else; the app answers
every error as ``{"error", "detail", "errors": [...]}`` (web.errors, web.guard) and may answer
400, 401, 403, 404, 409, 413, 422, 429 and 503. :func:`install` rewrites the generated document
once: the real error model, the statuses each operation can return (derived from the route:
who may call it, whether it has path parameters, a body, whether it changes state), the bearer
security scheme, and the real content types of the operations that serve files.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi import routing as fastapi_routing
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from smartcustoms.declarations import document_files
from smartcustoms.web import deps

__all__ = ["ERROR_SCHEMA", "RATE_LIMITED", "api_routes", "install"]

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "the kind of error, e.g. InvalidInput"},
        "detail": {"type": "string", "description": "a sentence for a person"},
        "errors": {
            "type": "array",
            "description": "with InvalidInput: every problem, each with its field",
            "items": {"$ref": "#/components/schemas/FieldProblem"},
        },
    },
}
FIELD_PROBLEM: dict[str, Any] = {
    "title": "FieldProblem",
    "type": "object",
    "required": ["path", "code", "message"],
    "properties": {
        "path": {"type": "string", "description": "JSON path of the field, e.g. items[3].hs_code"},
        "code": {"type": "string"},
        "message": {"type": "string"},
    },
}
WHY = {
    "400": "the request could not be read",
    "401": "no valid credentials (a bearer token; the session cookie only for reads)",
    "403": "your role does not allow this",
    "404": "no such thing in your economy",
    "409": "the current state does not allow this, or it clashes with an existing one",
    "413": "the request body is too large",
    "422": "every problem with the input, each with its field",
    "429": "too many requests or attempts; see Retry-After",
    "503": "reference data or another dependency is unavailable",
}
# Operations that serve something other than JSON: (method, path) -> media types.
ATTACHMENT_TYPES = ["application/pdf", "image/png", "image/jpeg", "text/plain", "text/csv"]
FILE_TYPES: dict[tuple[str, str], list[str]] = {
    ("get", "/api/v1/cases/compiled"): ["text/html", "application/pdf", "application/json"],
    ("get", "/api/v1/cases/{ref}/attachments/{sha256}"): ATTACHMENT_TYPES,
    ("get", "/api/v1/declarations/{declaration_id}/documents/{document_id}"): list(
        document_files.ACCEPTED_TYPES
    ),
}
# Operations limited per client (web.ratelimit) or throttled (login attempts).
RATE_LIMITED: set[tuple[str, str]] = {
    ("get", "/api/v1/cases/compiled"),
    ("post", "/api/v1/auth/tokens"),
}
# Operations that check a password themselves (401 for a wrong one).
CHECKS_PASSWORD: set[tuple[str, str]] = {("post", "/api/v1/auth/tokens")}
UNSAFE = {"post", "put", "patch", "delete"}


def api_routes(app: FastAPI, *, hidden: bool = False) -> list[tuple[str, str, APIRoute]]:
    """Every operation of the app as (lower-case method, full path, route), included routers
    flattened (newer FastAPI keeps them nested, older ones copied them into ``app.routes``);
    ``hidden``: also the routes left out of the schema (the pages)."""
    iterate = getattr(fastapi_routing, "iter_route_contexts", None)
    out = []
    items: Any = iterate(app.routes) if iterate else app.routes
    for item in items:
        route = getattr(item, "original_route", item)
        if not isinstance(route, APIRoute):
            continue
        if not hidden and not getattr(item, "include_in_schema", route.include_in_schema):
            continue
        path = getattr(item, "path_format", route.path_format)
        for method in sorted(getattr(item, "methods", None) or route.methods or ()):
            if method != "HEAD":
                out.append((method.lower(), path, route))
    return out


def _calls(dependant: Dependant) -> set[Any]:
    found: set[Any] = set()
    stack = [dependant]
    while stack:
        d = stack.pop()
        if d.call is not None:
            found.add(d.call)
        stack.extend(d.dependencies)
    return found


def _error_response(why: str) -> dict[str, Any]:
    return {
        "description": why,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def describe(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Error"] = ERROR_SCHEMA
    schemas["FieldProblem"] = FIELD_PROBLEM
    doc["components"]["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "an API token (sc_...)"}
    }
    routes = {(method, path): route for method, path, route in api_routes(app)}
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            route = routes.get((method, path))
            if route is None:
                continue
            calls = _calls(route.dependant)
            required = deps.current_principal in calls
            optional = deps.optional_principal in calls
            has_body = route.body_field is not None
            has_params = bool(op.get("parameters")) or has_body
            statuses = {"503"}
            if has_body:
                statuses |= {"400", "413"}
            if has_params:
                statuses.add("422")
            if required:
                statuses |= {"401", "403"}
                op["security"] = [{"bearer": []}]
            elif optional:
                op["security"] = [{}, {"bearer": []}]
            if required or any(p.get("in") == "path" for p in op.get("parameters", [])):
                statuses.add("404")
            # Reads of an economy's state may clash too ("no active model"); writes always may.
            if required or (method in UNSAFE and has_body):
                statuses.add("409")
            if (method, path) in CHECKS_PASSWORD:
                statuses.add("401")
            if (method, path) in RATE_LIMITED:
                statuses.add("429")
            responses = op.setdefault("responses", {})
            for code in sorted(statuses):
                responses[code] = _error_response(WHY[code])
            if "429" in responses:
                responses["429"]["headers"] = {
                    "Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}
                }
            types = FILE_TYPES.get((method, path))
            if types:
                ok = responses.setdefault("200", {"description": "the document"})
                ok["content"] = {
                    t: {"schema": {"type": "object"}}
                    if t == "application/json"
                    else {"schema": {"type": "string", "format": "binary"}}
                    for t in types
                }
    return doc


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
