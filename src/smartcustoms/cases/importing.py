"""Bulk import of already-parsed cases (files, the API, the shipped examples)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from smartcustoms.accounts.model import Principal
from smartcustoms.cases.model import ReviewAction, is_contributor, is_reviewer
from smartcustoms.cases.repository import CasesRepository
from smartcustoms.cases.service import insert_case, publish_version, record_event
from smartcustoms.cases.validation import content_from_stored
from smartcustoms.core.clock import Clock, SystemClock
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
    Returns (created slugs, skipped slugs); a case whose id or slug exists is skipped, so
    re-running an import is harmless. Nothing is stored if anything is wrong.
    """
    if principal is not None:
        if not is_contributor(principal):
            raise PermissionDenied("importing cases needs a contributor role")
        if publish and not is_reviewer(principal):
            raise PermissionDenied("publishing on import needs the role knowledge_manager")
    now = (clock or SystemClock()).now()
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
            case_id, slug = data.get("id"), data.get("slug")
            if (case_id and repo.get(case_id)) or (slug and repo.by_slug(slug)):
                skipped.append(slug or case_id or content.title)
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
