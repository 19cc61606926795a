"""The declaration page's Documents section: attach a supporting document, remove one.

Mounted before :mod:`.declarations` (see ``bootstrap.FEATURES``): its
``/declarations/{id}/{action}`` would otherwise take ``/declarations/{id}/documents``. The
list and the upload form are rendered by the declaration page itself
(:func:`.declarations.show_page`); downloads go through the API route, which accepts the
session cookie for reads.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from smartcustoms.declarations import attachments
from smartcustoms.errors import InvalidInput, SmartCustomsError
from smartcustoms.web.deps import CurrentPrincipal, UoW
from smartcustoms.web.pages.declarations import refused_page, show_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.post("/declarations/{declaration_id}/documents")
async def attach(
    request: Request, declaration_id: str, uow: UoW, principal: CurrentPrincipal
) -> Response:
    data: bytes | None = None
    name = declared = ""
    # Closed on leaving the block: an uploaded file is spooled to a temporary file.
    async with request.form() as form:
        kind, note = str(form.get("kind") or ""), str(form.get("note") or "")
        upload = form.get("file")
        # A browser sends an empty part without a name when no file was chosen: "no file".
        if isinstance(upload, UploadFile) and (upload.filename or upload.size):
            data = await upload.read(attachments.MAX_DOCUMENT_BYTES + 1)
            name, declared = upload.filename or "", upload.content_type or ""
    try:
        await run_in_threadpool(
            lambda: attachments.attach(
                uow,
                principal,
                declaration_id,
                kind=kind,
                filename=name,
                data=data,
                content_type=declared,
                note=note,
            )
        )
    except InvalidInput as exc:
        # The form comes back with what was typed (a file cannot be kept: chosen again).
        problems = list(exc.errors)
        return await run_in_threadpool(
            lambda: show_page(
                request,
                uow,
                principal,
                declaration_id,
                doc_form={"kind": kind, "note": note},
                doc_errors=problems,
                status_code=422,
            )
        )
    except SmartCustomsError as exc:
        return refused_page(request, principal, declaration_id, exc)
    return RedirectResponse(
        f"/declarations/{declaration_id}?done=document_attached#documents", status_code=303
    )


@router.post("/declarations/{declaration_id}/documents/{document_id}/remove")
def remove(
    request: Request, declaration_id: str, document_id: str, uow: UoW, principal: CurrentPrincipal
) -> Response:
    try:
        attachments.remove(uow, principal, declaration_id, document_id)
    except SmartCustomsError as exc:
        return refused_page(request, principal, declaration_id, exc)
    return RedirectResponse(
        f"/declarations/{declaration_id}?done=document_removed#documents", status_code=303
    )
