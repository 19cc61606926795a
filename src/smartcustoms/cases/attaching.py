"""Attachments of a case: checked, stored by content hash, listed on the working version."""

from __future__ import annotations

from pathlib import Path

from smartcustoms.accounts.model import Principal
from smartcustoms.cases import attachments as files
from smartcustoms.cases.model import Attachment, Case, ReviewAction
from smartcustoms.cases.repository import CasesRepository
from smartcustoms.cases.service import (
    editable_version,
    get_case,
    record_event,
    to_case,
    visible_case,
)
from smartcustoms.core.clock import Clock
from smartcustoms.db.uow import UnitOfWork, transactional
from smartcustoms.errors import NotFound


@transactional
def add_attachment(
    uow: UnitOfWork,
    principal: Principal,
    ref: str,
    filename: str,
    data: bytes,
    *,
    files_dir: Path,
    clock: Clock | None = None,
) -> Case:
    """Check and store a file, and list it on the working version (opened if needed)."""
    info = files.check(data, filename)
    now = (clock or uow.clock).now()
    with uow:
        repo = CasesRepository(uow.session)
        row = visible_case(repo, ref, principal)
        version = editable_version(repo, row, principal, now)
        files.FileStore(files_dir / "cases").put(data)
        current = [a for a in version.content.get("attachments", []) if a["sha256"] != info.sha256]
        current.append(
            {
                "sha256": info.sha256,
                "filename": info.filename,
                "content_type": info.content_type,
                "size": info.size,
            }
        )
        version.content = {**version.content, "attachments": current}
        row.updated_at = now
        record_event(
            repo, row, version.number, ReviewAction.ATTACHED, principal, now, info.filename
        )
        return to_case(repo, row, principal)


@transactional
def remove_attachment(
    uow: UnitOfWork, principal: Principal, ref: str, sha256: str, *, clock: Clock | None = None
) -> Case:
    now = (clock or uow.clock).now()
    with uow:
        repo = CasesRepository(uow.session)
        row = visible_case(repo, ref, principal)
        version = editable_version(repo, row, principal, now)
        current = version.content.get("attachments", [])
        kept = [a for a in current if a["sha256"] != sha256]
        if len(kept) == len(current):
            raise NotFound("no such attachment on this case")
        version.content = {**version.content, "attachments": kept}
        row.updated_at = now
        record_event(repo, row, version.number, ReviewAction.DETACHED, principal, now, sha256)
        return to_case(repo, row, principal)


def read_attachment(
    uow: UnitOfWork, ref: str, sha256: str, principal: Principal | None, *, files_dir: Path
) -> tuple[Attachment, bytes]:
    """An attachment of a version the caller may see (the public: the published one)."""
    case = get_case(uow, ref, principal)
    versions = [v for v in (case.published, case.working) if v is not None]
    for version in versions:
        for attachment in version.content.attachments:
            if attachment.sha256 == sha256:
                return attachment, files.FileStore(files_dir / "cases").read(sha256)
    raise NotFound("no such attachment on this case")
