"""Use cases of the case repository: draft, edit, submit, review, publish, read.

Attachments are in :mod:`.attaching`, bulk import in :mod:`.importing`.

Who may do what (see docs/cases.md):

- contributors (officer, analyst, knowledge_manager, admin) of an economy draft, edit and
  submit that economy's cases; declarants (traders) may read published cases only;
- knowledge managers (and admins) of the case's economy comment, return for changes, approve;
- approval publishes the version; published cases are readable by everyone, also without login;
- a published case that is edited gets a new working version; the published one stays visible
  until the new one is approved. Every version is kept.

Anything under edit or review is visible only inside its economy: others get :class:`NotFound`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError

from smartcustoms.accounts import service as accounts
from smartcustoms.accounts.model import Principal
from smartcustoms.cases.compile import PUBLISHED_STAMP
from smartcustoms.cases.identifiers import is_case_id, is_slug, slug_problem
from smartcustoms.cases.model import (
    Case,
    CaseContent,
    CaseStatus,
    CaseSummary,
    CaseVersion,
    ReviewAction,
    ReviewEvent,
    is_contributor,
    is_reviewer,
)
from smartcustoms.cases.repository import CasesRepository
from smartcustoms.cases.tables import CaseEventRow, CaseRow, CaseVersionRow
from smartcustoms.cases.validation import content_from_stored, content_to_dict, parse_content
from smartcustoms.core import codes
from smartcustoms.core.clock import Clock
from smartcustoms.core.ids import new_id
from smartcustoms.db.cache import bump
from smartcustoms.db.fulltext import FullTextIndex
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import (
    ConcurrentChange,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)

FTS_KIND = "cases"
SYSTEM_ACTOR = "system"
EDITABLE = (CaseStatus.DRAFT, CaseStatus.RETURNED)


# --- conversions ---------------------------------------------------------------------------------


def version_from_row(row: CaseVersionRow) -> CaseVersion:
    return CaseVersion(
        number=row.number,
        status=CaseStatus(row.status),
        content=content_from_stored(row.content),
        created_at=row.created_at,
        created_by=row.created_by,
        submitted_at=row.submitted_at,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
    )


def summary_from_rows(case: CaseRow, version: CaseVersionRow) -> CaseSummary:
    c = content_from_stored(version.content)
    return CaseSummary(
        id=case.id,
        slug=case.slug,
        economy=case.economy_code,
        title=c.title,
        year=c.year,
        status=CaseStatus(version.status),
        summary=c.summary,
        priority_areas=c.priority_areas,
        themes=c.themes,
        technologies=c.technologies,
        updated_at=case.updated_at,
        example=c.example,
        has_pending_revision=case.published_version is not None
        and case.working_version is not None,
    )


def _can_see_working(principal: Principal | None, case: CaseRow) -> bool:
    return (
        is_contributor(principal)
        and principal is not None
        and (principal.economy == case.economy_code)
    )


def to_case(repo: CasesRepository, row: CaseRow, principal: Principal | None) -> Case:
    insider = _can_see_working(principal, row)
    published = repo.version(row.id, row.published_version)
    working = repo.version(row.id, row.working_version) if insider else None
    events = repo.events(row.id) if insider else []
    numbers = repo.version_numbers(row.id)
    if not insider:
        # Outsiders see the history of what was published, nothing about pending work.
        numbers = [n for n in numbers if row.published_version and n <= row.published_version]
    return Case(
        id=row.id,
        slug=row.slug,
        economy=row.economy_code,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        published=None if published is None else version_from_row(published),
        working=None if working is None else version_from_row(working),
        events=tuple(
            ReviewEvent(ReviewAction(e.action), e.version, e.actor, e.at, e.comment) for e in events
        ),
        versions=tuple(numbers),
    )


def find_case(repo: CasesRepository, ref: str) -> CaseRow | None:
    """By id when ``ref`` has the shape of an id, else by slug: one kind never shadows the other
    (see :mod:`.identifiers`)."""
    if is_case_id(ref):
        return repo.get(ref)
    return repo.by_slug(ref) if is_slug(ref) else None


def visible_case(repo: CasesRepository, ref: str, principal: Principal | None) -> CaseRow:
    row = find_case(repo, ref)
    if row is None or (row.published_version is None and not _can_see_working(principal, row)):
        raise NotFound(f"no case {ref}")
    return row


def claim(repo: CasesRepository, row: CaseRow) -> None:
    """Take the case for a workflow step, or raise ConcurrentChange (409) when another step
    changed it since it was read. Call it after the checks, before the first write."""
    if not repo.claim(row):
        raise ConcurrentChange(
            f"case {row.slug} was changed by someone else at the same time; reload it and try again"
        )


def _actor(principal: Principal | None) -> str:
    return SYSTEM_ACTOR if principal is None else principal.email


def record_event(
    repo: CasesRepository,
    row: CaseRow,
    version: int,
    action: ReviewAction,
    principal: Principal | None,
    now: Any,
    comment: str = "",
) -> None:
    repo.add(
        CaseEventRow(
            id=new_id(),
            case_id=row.id,
            version=version,
            action=action.value,
            actor=_actor(principal),
            comment=comment,
            at=now,
        )
    )


def slugify(text: str, limit: int = 80) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "case"


def _new_slug(repo: CasesRepository, content: CaseContent) -> str:
    stem = f"{content.economy.lower()}-{slugify(content.title)}"
    taken = repo.slugs_like(stem)
    if stem not in taken:
        return stem
    n = 2
    while f"{stem}-{n}" in taken:
        n += 1
    return f"{stem}-{n}"


def known_economies(uow: UnitOfWork) -> set[str]:
    """Economies on the platform plus the APEC ones (created on first use)."""
    return {e.code for e in accounts.list_economies(uow)} | set(codes.APEC_CODES)


def _ensure_economy(uow: UnitOfWork, code: str) -> None:
    if code in codes.APEC_CODES and code not in {e.code for e in accounts.list_economies(uow)}:
        accounts.ensure_apec_economies(uow)


def _parse(uow: UnitOfWork, data: Any, principal: Principal | None) -> CaseContent:
    if principal is not None and isinstance(data, Mapping) and not data.get("economy"):
        data = {**data, "economy": principal.economy}
    content = parse_content(data, known_economies=known_economies(uow))
    if principal is not None and content.economy != principal.economy:
        raise InvalidInput.single(
            "economy",
            "other_economy",
            f"you can contribute cases of your own economy ({principal.economy}) only",
        )
    return content


# --- indexing: only the published version is searchable -----------------------------------------


def index_document(content: CaseContent) -> tuple[str, str]:
    economy = codes.apec_economy(content.economy)
    name = economy.name if economy else (codes.country_name(content.economy) or "")
    # The economy's name goes last so snippets start with the author's own words.
    return content.title, "\n".join(
        [*content.text_fields(), f"{name} {content.economy} {content.year}"]
    )


def facet_values(content: CaseContent) -> list[tuple[str, str]]:
    values = [("economy", content.economy), ("year", str(content.year))]
    values += [("priority_area", v) for v in content.priority_areas]
    values += [("theme", v) for v in content.themes]
    values += [("technology", v) for v in content.technologies]
    return values


def publish_version(
    uow: UnitOfWork,
    repo: CasesRepository,
    row: CaseRow,
    version: CaseVersionRow,
    principal: Principal | None,
    now: Any,
) -> None:
    previous = repo.version(row.id, row.published_version)
    if previous is not None and previous.number != version.number:
        previous.status = CaseStatus.SUPERSEDED.value
    version.status = CaseStatus.PUBLISHED.value
    version.decided_at, version.decided_by = now, _actor(principal)
    content = content_from_stored(version.content)
    row.published_version, row.working_version = version.number, None
    row.published_title, row.published_year, row.published_at = content.title, content.year, now
    row.updated_at = now
    repo.set_facets(row.id, facet_values(content))
    title, body = index_document(content)
    FullTextIndex(uow.session, FTS_KIND).replace(row.id, title, body)
    bump(uow.session, PUBLISHED_STAMP, now)


# --- writing ---------------------------------------------------------------------------------


def create_case(
    uow: UnitOfWork, principal: Principal, data: Any, *, clock: Clock | None = None
) -> Case:
    """Start a draft of the caller's economy."""
    if not is_contributor(principal):
        raise PermissionDenied(
            "drafting cases needs the role officer, analyst, knowledge_manager or admin"
        )
    now = (clock or uow.clock).now()
    with uow:
        content = _parse(uow, data, principal)
        repo = CasesRepository(uow.session)
        row = insert_case(uow, repo, content, principal, now)
        uow.commit()
        return to_case(repo, row, principal)


def insert_case(
    uow: UnitOfWork,
    repo: CasesRepository,
    content: CaseContent,
    principal: Principal | None,
    now: Any,
    *,
    case_id: str | None = None,
    slug: str | None = None,
    action: ReviewAction = ReviewAction.CREATED,
) -> CaseRow:
    _ensure_economy(uow, content.economy)
    if case_id is not None and not is_case_id(case_id):
        raise InvalidInput.single("id", "invalid_id", "a case id is 32 hex digits")
    if slug is not None:
        problem = slug_problem(slug, content.economy)
        if problem:
            raise InvalidInput.single("slug", "invalid_slug", problem)
    row = CaseRow(
        id=case_id or new_id(),
        slug=slug or _new_slug(repo, content),
        revision=0,
        economy_code=content.economy,
        created_by=None if principal is None else principal.user_id,
        created_at=now,
        updated_at=now,
        working_version=1,
    )
    repo.add(row)
    try:
        repo.flush()
    except IntegrityError as exc:
        # Two cases created at the same instant with the same title (a double-clicked form)
        # drew the same free slug; the unique index let one through. The caller's unit of
        # work rolls back on leaving.
        raise ConcurrentChange(
            f"another case named '{row.slug}' was created at the same time; "
            "reload the list and try again if it is not yours"
        ) from exc
    repo.add(
        CaseVersionRow(
            id=new_id(),
            case_id=row.id,
            number=1,
            status=CaseStatus.DRAFT.value,
            title=content.title,
            content=content_to_dict(content),
            created_by=_actor(principal),
            created_at=now,
        )
    )
    record_event(repo, row, 1, action, principal, now)
    repo.flush()
    return row


def editable_version(
    repo: CasesRepository, row: CaseRow, principal: Principal, now: Any
) -> CaseVersionRow:
    """The version to change: the working draft, or a new one opened from the published text.
    Claims the case (compare-and-set): the caller is about to change it."""
    if not _can_see_working(principal, row):
        if row.published_version is None:
            raise NotFound(f"no case {row.id}")
        raise PermissionDenied("only contributors of the case's economy may edit it")
    claim(repo, row)
    version = repo.version(row.id, row.working_version)
    if version is None:
        published = repo.version(row.id, row.published_version)
        assert published is not None
        number = repo.last_version_number(row.id) + 1
        version = CaseVersionRow(
            id=new_id(),
            case_id=row.id,
            number=number,
            status=CaseStatus.DRAFT.value,
            title=published.title,
            content=dict(published.content),
            created_by=_actor(principal),
            created_at=now,
        )
        repo.add(version)
        row.working_version = number
        repo.flush()
    elif CaseStatus(version.status) not in EDITABLE:
        raise Conflict(
            f"the case is {version.status}; it can be edited again after the "
            "review returns it for changes"
        )
    return version


def update_case(
    uow: UnitOfWork, principal: Principal, ref: str, data: Any, *, clock: Clock | None = None
) -> Case:
    """Replace the working version's content (opening one if only a published text exists)."""
    now = (clock or uow.clock).now()
    with uow:
        repo = CasesRepository(uow.session)
        row = visible_case(repo, ref, principal)
        content = _parse(uow, data, principal)
        version = editable_version(repo, row, principal, now)
        # Attachments are managed by add/remove_attachment; an edit keeps the ones present.
        stored = content_to_dict(content)
        stored["attachments"] = version.content.get("attachments", [])
        version.content, version.title = stored, content.title
        row.updated_at = now
        record_event(repo, row, version.number, ReviewAction.EDITED, principal, now)
        uow.commit()
        return to_case(repo, row, principal)


def submit_case(
    uow: UnitOfWork,
    principal: Principal,
    ref: str,
    *,
    comment: str = "",
    clock: Clock | None = None,
) -> Case:
    now = (clock or uow.clock).now()
    with uow:
        repo = CasesRepository(uow.session)
        row = visible_case(repo, ref, principal)
        if not _can_see_working(principal, row):
            raise PermissionDenied("only contributors of the case's economy may submit it")
        claim(repo, row)
        version = repo.version(row.id, row.working_version)
        if version is None or CaseStatus(version.status) not in EDITABLE:
            state = "published with no pending changes" if version is None else version.status
            raise Conflict(f"only a draft or a returned case can be submitted; this one is {state}")
        version.status, version.submitted_at = CaseStatus.SUBMITTED.value, now
        row.updated_at = now
        record_event(
            repo, row, version.number, ReviewAction.SUBMITTED, principal, now, comment.strip()
        )
        uow.commit()
        return to_case(repo, row, principal)


def _review_target(repo: CasesRepository, ref: str, principal: Principal) -> CaseRow:
    row = visible_case(repo, ref, principal)
    if not (is_reviewer(principal) and principal.economy == row.economy_code):
        if not _can_see_working(principal, row) and row.published_version is None:
            raise NotFound(f"no case {ref}")
        raise PermissionDenied("reviewing needs the role knowledge_manager in the case's economy")
    return row


def comment_case(
    uow: UnitOfWork, principal: Principal, ref: str, comment: str, *, clock: Clock | None = None
) -> Case:
    """Add a remark to the case's history (contributors and reviewers of its economy)."""
    now = (clock or uow.clock).now()
    if not comment.strip():
        raise InvalidInput.single("comment", "required", "write a comment")
    with uow:
        repo = CasesRepository(uow.session)
        row = visible_case(repo, ref, principal)
        if not _can_see_working(principal, row):
            raise PermissionDenied("only members of the case's economy may comment on it")
        number = row.working_version or row.published_version or 1
        record_event(repo, row, number, ReviewAction.COMMENTED, principal, now, comment.strip())
        uow.commit()
        return to_case(repo, row, principal)


def return_case(
    uow: UnitOfWork, principal: Principal, ref: str, comment: str, *, clock: Clock | None = None
) -> Case:
    """Send a submitted case back to its authors with what to change."""
    now = (clock or uow.clock).now()
    if not comment.strip():
        raise InvalidInput.single(
            "comment", "required", "say what should change when returning a case"
        )
    with uow:
        repo = CasesRepository(uow.session)
        row = _review_target(repo, ref, principal)
        claim(repo, row)
        version = _submitted(repo, row)
        version.status = CaseStatus.RETURNED.value
        version.decided_at, version.decided_by = now, principal.email
        row.updated_at = now
        record_event(
            repo, row, version.number, ReviewAction.RETURNED, principal, now, comment.strip()
        )
        uow.commit()
        return to_case(repo, row, principal)


def approve_case(
    uow: UnitOfWork,
    principal: Principal,
    ref: str,
    *,
    comment: str = "",
    clock: Clock | None = None,
) -> Case:
    """Publish the submitted version; an earlier published version becomes superseded."""
    now = (clock or uow.clock).now()
    with uow:
        repo = CasesRepository(uow.session)
        row = _review_target(repo, ref, principal)
        claim(repo, row)
        version = _submitted(repo, row)
        publish_version(uow, repo, row, version, principal, now)
        record_event(
            repo, row, version.number, ReviewAction.APPROVED, principal, now, comment.strip()
        )
        uow.commit()
        return to_case(repo, row, principal)


def _submitted(repo: CasesRepository, row: CaseRow) -> CaseVersionRow:
    version = repo.version(row.id, row.working_version)
    if version is None or version.status != CaseStatus.SUBMITTED.value:
        state = "published with no pending changes" if version is None else version.status
        raise Conflict(f"only a submitted case can be reviewed; this one is {state}")
    return version


# --- reading ---------------------------------------------------------------------------------


def get_case(uow: UnitOfWork, ref: str, principal: Principal | None = None) -> Case:
    """A case by id or slug; drafts of other economies (and for the public) are NotFound."""
    with uow:
        repo = CasesRepository(uow.session)
        return to_case(repo, visible_case(repo, ref, principal), principal)


def get_version(
    uow: UnitOfWork, ref: str, number: int, principal: Principal | None = None
) -> CaseVersion:
    with uow:
        repo = CasesRepository(uow.session)
        row = visible_case(repo, ref, principal)
        version = repo.version(row.id, number)
        public = version is not None and version.status in (
            CaseStatus.PUBLISHED.value,
            CaseStatus.SUPERSEDED.value,
        )
        if version is None or not (public or _can_see_working(principal, row)):
            raise NotFound(f"case {ref} has no version {number}")
        return version_from_row(version)


def list_working(
    uow: UnitOfWork, principal: Principal, *, status: str | None = None, mine: bool = False
) -> list[CaseSummary]:
    """The economy's cases under edit or review (a contributor's drafts page)."""
    if not is_contributor(principal):
        raise PermissionDenied("only contributors see drafts")
    try:
        statuses = [CaseStatus(status).value] if status else None
    except ValueError:
        allowed = ", ".join(s.value for s in CaseStatus)
        raise InvalidInput.single("status", "unknown_status", f"use one of {allowed}") from None
    with uow:
        repo = CasesRepository(uow.session)
        rows = repo.working(principal.economy, statuses, principal.email if mine else None)
        return [summary_from_rows(c, v) for c, v in rows]


def review_queue(uow: UnitOfWork, principal: Principal) -> list[CaseSummary]:
    """Submitted cases of the reviewer's economy, oldest change first."""
    if not is_reviewer(principal):
        raise PermissionDenied("the review queue needs the role knowledge_manager")
    with uow:
        repo = CasesRepository(uow.session)
        rows = repo.working(principal.economy, [CaseStatus.SUBMITTED.value])
        return [summary_from_rows(c, v) for c, v in reversed(rows)]
