"""/api/v1/cases: the Smart Customs Case Repository. Published cases are public."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Path, Query, Request, UploadFile, status
from fastapi.responses import Response

from smartcustoms.cases import attaching, attachments, io, schemas, search, service
from smartcustoms.cases import compile as compiler
from smartcustoms.cases.model import PRIORITY_AREAS, TECHNOLOGIES, THEMES, CaseStatus
from smartcustoms.cases.validation import MAX_YEAR, MIN_YEAR
from smartcustoms.core.pagination import MAX_PAGE, PageRequest
from smartcustoms.web.deps import CurrentPrincipal, OptionalPrincipal, UoW, get_settings
from smartcustoms.web.downloads import file_response
from smartcustoms.web.ratelimit import expensive_anonymous

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])

MAX_VERSION = 1_000_000  # beyond any real history; keeps the number inside SQL integers
MEDIA = {"pdf": "application/pdf", "html": "text/html; charset=utf-8", "json": "application/json"}


@router.get("", response_model=schemas.SearchOut)
def search_cases(
    uow: UoW,
    q: str = "",
    economy: Annotated[list[str] | None, Query()] = None,
    priority_area: Annotated[list[str] | None, Query()] = None,
    theme: Annotated[list[str] | None, Query()] = None,
    technology: Annotated[list[str] | None, Query()] = None,
    year: Annotated[list[str] | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> schemas.SearchOut:
    """Search published cases (public): ranked full text, highlighted snippets, facet counts."""
    filters = {
        "economy": economy or [],
        "priority_area": priority_area or [],
        "theme": theme or [],
        "technology": technology or [],
        "year": year or [],
    }
    result = search.search(uow, q, filters, PageRequest(page, size))
    return schemas.search_out(result)


@router.get("/vocabularies")
def vocabularies() -> dict[str, dict[str, str]]:
    """The allowed priority areas, themes and technologies (slug -> label)."""
    return {"priority_areas": PRIORITY_AREAS, "themes": THEMES, "technologies": TECHNOLOGIES}


@router.get("/drafts", response_model=list[schemas.SummaryOut])
def drafts(
    uow: UoW, principal: CurrentPrincipal, status: CaseStatus | None = None, mine: bool = False
) -> list[schemas.SummaryOut]:
    """Your economy's cases under edit or review (contributors)."""
    chosen = status.value if status else None
    return [
        schemas.summary_out(s)
        for s in service.list_working(uow, principal, status=chosen, mine=mine)
    ]


@router.get("/review-queue", response_model=list[schemas.SummaryOut])
def review_queue(uow: UoW, principal: CurrentPrincipal) -> list[schemas.SummaryOut]:
    """Submitted cases of your economy waiting for review (knowledge managers)."""
    return [schemas.summary_out(s) for s in service.review_queue(uow, principal)]


@router.get("/compiled", dependencies=[Depends(expensive_anonymous)])
def compiled(
    uow: UoW,
    year: Annotated[int | None, Query(ge=MIN_YEAR, le=MAX_YEAR)] = None,
    format: Literal["pdf", "html", "json"] = "html",
) -> Response:
    """The compiled yearly document of published cases (public)."""
    data = compiler.compile_document(uow, year, format)
    name = f"smart-customs-cases-{year or 'all'}.{format}"
    return file_response(data, MEDIA[format], name, inline=format != "html")


@router.post("", response_model=schemas.CaseOut, status_code=status.HTTP_201_CREATED)
def create(body: schemas.CaseIn, uow: UoW, principal: CurrentPrincipal) -> schemas.CaseOut:
    """Start a draft of your economy (officer, analyst, knowledge_manager, admin)."""
    data = body.model_dump(exclude_none=True)
    return schemas.case_out(service.create_case(uow, principal, data))


@router.post("/import", response_model=schemas.ImportOut)
def import_cases(
    body: schemas.ImportIn, uow: UoW, principal: CurrentPrincipal
) -> schemas.ImportOut:
    """Import many cases of your economy at once; all or nothing."""
    report = io.import_documents(uow, body.cases, principal=principal, publish=body.publish)
    return schemas.ImportOut(created=report.created, skipped=report.skipped)


@router.get("/{ref}", response_model=schemas.CaseOut)
def get_case(ref: str, uow: UoW, principal: OptionalPrincipal) -> schemas.CaseOut:
    """A case by id or slug. Drafts are visible only inside their economy."""
    return schemas.case_out(service.get_case(uow, ref, principal))


@router.put("/{ref}", response_model=schemas.CaseOut)
def update(
    ref: str, body: schemas.CaseIn, uow: UoW, principal: CurrentPrincipal
) -> schemas.CaseOut:
    """Replace the working version (a published case gets a new version under review)."""
    data = body.model_dump(exclude_none=True)
    return schemas.case_out(service.update_case(uow, principal, ref, data))


@router.get("/{ref}/versions/{number}", response_model=schemas.VersionOut)
def version(
    ref: str,
    number: Annotated[int, Path(ge=1, le=MAX_VERSION)],
    uow: UoW,
    principal: OptionalPrincipal,
) -> schemas.VersionOut:
    out = schemas.version_out(service.get_version(uow, ref, number, principal))
    assert out is not None
    return out


@router.get("/{ref}/similar", response_model=list[schemas.SimilarOut])
def similar(
    ref: str,
    uow: UoW,
    principal: OptionalPrincipal,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> list[schemas.SimilarOut]:
    """Published cases sharing themes, technologies and wording with this one."""
    return schemas.similar_out(search.similar_cases(uow, ref, principal, limit))


@router.post("/{ref}/submit", response_model=schemas.CaseOut)
def submit(
    ref: str, uow: UoW, principal: CurrentPrincipal, body: schemas.CommentIn | None = None
) -> schemas.CaseOut:
    comment = body.comment if body else ""
    return schemas.case_out(service.submit_case(uow, principal, ref, comment=comment))


@router.post("/{ref}/comments", response_model=schemas.CaseOut)
def comment(
    ref: str, body: schemas.CommentIn, uow: UoW, principal: CurrentPrincipal
) -> schemas.CaseOut:
    return schemas.case_out(service.comment_case(uow, principal, ref, body.comment))


@router.post("/{ref}/return", response_model=schemas.CaseOut)
def return_for_changes(
    ref: str, body: schemas.CommentIn, uow: UoW, principal: CurrentPrincipal
) -> schemas.CaseOut:
    """Send a submitted case back with what to change (knowledge managers)."""
    return schemas.case_out(service.return_case(uow, principal, ref, body.comment))


@router.post("/{ref}/approve", response_model=schemas.CaseOut)
def approve(
    ref: str, uow: UoW, principal: CurrentPrincipal, body: schemas.CommentIn | None = None
) -> schemas.CaseOut:
    """Publish a submitted case (knowledge managers of its economy)."""
    comment = body.comment if body else ""
    return schemas.case_out(service.approve_case(uow, principal, ref, comment=comment))


@router.post(
    "/{ref}/attachments", response_model=schemas.CaseOut, status_code=status.HTTP_201_CREATED
)
def upload(
    ref: str,
    request: Request,
    uow: UoW,
    principal: CurrentPrincipal,
    file: Annotated[UploadFile, File()],
) -> schemas.CaseOut:
    """Attach a PDF, PNG, JPEG, plain-text or CSV file (10 MB at most)."""
    # Read one byte past the limit: enough to refuse an oversized file without holding it all.
    data = file.file.read(attachments.MAX_BYTES + 1)
    case = attaching.add_attachment(
        uow,
        principal,
        ref,
        file.filename or "attachment",
        data,
        files_dir=get_settings(request).files_dir,
    )
    return schemas.case_out(case)


@router.get("/{ref}/attachments/{sha256}")
def download(
    ref: str, sha256: str, request: Request, uow: UoW, principal: OptionalPrincipal
) -> Response:
    info, data = attaching.read_attachment(
        uow, ref, sha256, principal, files_dir=get_settings(request).files_dir
    )
    return file_response(data, info.content_type, info.filename)


@router.delete("/{ref}/attachments/{sha256}", response_model=schemas.CaseOut)
def remove(ref: str, sha256: str, uow: UoW, principal: CurrentPrincipal) -> schemas.CaseOut:
    return schemas.case_out(attaching.remove_attachment(uow, principal, ref, sha256))
