"""Bulk import of already-parsed cases (files, the API, the shipped examples)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from smartcustoms.accounts.model import Principal
from smartcustoms.cases.identifiers import is_case_id, slug_problem
from smartcustoms.cases.model import ReviewAction, is_contributor, is_reviewer
from smartcustoms.cases.repository import CasesRepository
from smartcustoms.cases.service import insert_case, publish_version, record_event
from smartcustoms.cases.tables import CaseRow
from smartcustoms.cases.validation import content_from_stored
from smartcustoms.core.clock import Clock
from smartcustoms.db.uow import UnitOfWork, transactional
from smartcustoms.errors import FieldError, InvalidInput, PermissionDenied

EXAMPLES_DIR = Path(__file__).parent / "examples"


@transactional
def import_contents(
    uow: UnitOfWork,
    items: list[tuple[str, dict[str, Any]]],
    *,
    principal: Principal | None,
    publish: bool,
    clock: Clock | None = None,
) -> tuple[list[str], list[str]]:
    """Store already-parsed cases all at once: ``items`` is (source label, envelope+content).

    ``principal`` None is the console's system import (the operator holds the database anyway).
    Returns (created slugs, skipped slugs). Identifiers follow :mod:`.identifiers`: a given
    slug must be in the namespace of the case's economy; ids are the platform's (an API
    caller's id only recognises a case of its own economy, an operator's is kept if free).
    A case of the same economy that already has the slug or id is skipped, so re-running an
    import is harmless; nothing about other economies' cases is looked at or revealed.
    Nothing is stored if anything is wrong.
    """
    if principal is not None:
        if not is_contributor(principal):
            raise PermissionDenied("importing cases needs a contributor role")
        if publish and not is_reviewer(principal):
            raise PermissionDenied("publishing on import needs the role knowledge_manager")
    now = (clock or uow.clock).now()
    created: list[str] = []
    skipped: list[str] = []
    errors: list[FieldError] = []
    with uow:
        repo = CasesRepository(uow.session)
        for source, data in items:
            content = content_from_stored(data["content"])
            if principal is not None and content.economy != principal.economy:
                errors.append(
                    FieldError(
                        f"{source}economy",
                        "other_economy",
                        f"you can import cases of {principal.economy} only",
                    )
                )
                continue
            found = _identify(repo, source, data, content.economy, principal, errors)
            if found is None:
                continue
            existing, case_id, slug = found
            if existing is not None:
                skipped.append(existing.slug)
                continue
            row = insert_case(
                uow,
                repo,
                content,
                principal,
                now,
                case_id=case_id,
                slug=slug,
                action=ReviewAction.IMPORTED,
            )
            if publish:
                version = repo.version(row.id, 1)
                assert version is not None
                publish_version(uow, repo, row, version, principal, now)
                record_event(
                    repo, row, 1, ReviewAction.APPROVED, principal, now, "published on import"
                )
            created.append(row.slug)
        if errors:
            raise InvalidInput(errors)
    return created, skipped


def _identify(
    repo: CasesRepository,
    source: str,
    data: dict[str, Any],
    economy: str,
    principal: Principal | None,
    errors: list[FieldError],
) -> tuple[CaseRow | None, str | None, str | None] | None:
    """(the same economy's case already there, id to keep, slug to use); None on an error."""
    case_id, slug = data.get("id"), data.get("slug")
    if slug is not None:
        problem = slug_problem(slug, economy)
        if problem:
            errors.append(FieldError(f"{source}slug", "invalid_slug", problem))
            return None
    if case_id is not None and not (isinstance(case_id, str) and is_case_id(case_id)):
        if principal is None:
            errors.append(FieldError(f"{source}id", "invalid_id", "a case id is 32 hex digits"))
            return None
        case_id = None  # an API caller's id that is no id of ours: ignored
    by_id = repo.get(case_id) if case_id else None
    if by_id is not None and by_id.economy_code != economy:
        if principal is None:
            errors.append(FieldError(f"{source}id", "id_taken", f"the id {case_id} is taken"))
            return None
        by_id = None  # another economy's case: not ours to find, match or reveal
    if by_id is not None:
        return by_id, None, None
    by_slug = repo.by_slug(slug) if slug else None
    if by_slug is not None and by_slug.economy_code != economy:
        # Only cases stored before slugs were namespaced can be here.
        errors.append(FieldError(f"{source}slug", "slug_taken", f"choose another slug than {slug}"))
        return None
    if by_slug is not None:
        return by_slug, None, None
    # The platform assigns ids to what API callers import; the operator's export ids are kept.
    return None, case_id if principal is None else None, slug
