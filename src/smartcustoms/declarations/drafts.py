"""Declaration drafts: what a declarant typed, kept until they lodge it or throw it away.

The declaration model has no draft status (a declaration exists from its lodgement on, and its
reference is unique per declarant), so a draft is not a declaration: it is the form as typed,
kept as one small JSON file per draft under ``files_dir/drafts/<economy>/<user id>/`` -- the
simplest store that needs no schema change, survives restarts and is private to its author.
Nothing in a draft is validated (a draft may be half-written); lodging it goes through
``service.submit`` like any other document. Files are written atomically (temporary file, then
rename), so a crash never leaves half a draft.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core.ids import new_id
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import InvalidInput, NotFound, OperationFailed

__all__ = ["MAX_DRAFTS", "Draft", "delete", "get", "list_drafts", "save"]

MAX_DRAFTS = 200
"""Drafts per declarant: enough for any desk, a bound on what one account can store."""
_ID = re.compile(r"[0-9a-f]{8,40}")
_SAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True, slots=True)
class Draft:
    id: str
    reference: str
    saved_at: datetime
    values: dict[str, Any]
    """The form fields as typed (field path -> text)."""


def _folder(uow: UnitOfWork, principal: Principal) -> Path:
    principal.require(Role.DECLARANT)
    ports = uow.ports
    if ports is None or ports.files_dir is None:
        raise OperationFailed("drafts need a files directory (SMARTCUSTOMS_HOME)")
    # Ids are ours (hex), economies two letters: cleaned anyway, a path never leaves the root.
    return (
        Path(ports.files_dir)
        / "drafts"
        / _SAFE.sub("", principal.economy)
        / _SAFE.sub("", principal.user_id)
    )


def _path(folder: Path, draft_id: str) -> Path:
    if not _ID.fullmatch(draft_id):
        raise NotFound(f"no draft {draft_id[:40]}")
    return folder / f"{draft_id}.json"


def _read(path: Path) -> Draft | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Draft(
            data["id"],
            str(data.get("reference", "")),
            datetime.fromisoformat(data["saved_at"]),
            dict(data["values"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # unreadable: not listed (never a 500)


def save(
    uow: UnitOfWork, principal: Principal, values: dict[str, Any], draft_id: str | None = None
) -> Draft:
    """Keep ``values`` as a new draft, or over the caller's draft ``draft_id``."""
    folder = _folder(uow, principal)
    folder.mkdir(parents=True, exist_ok=True)
    if draft_id:
        path = _path(folder, draft_id)
        if not path.is_file():
            raise NotFound(f"no draft {draft_id}")
    else:
        if sum(1 for _ in folder.glob("*.json")) >= MAX_DRAFTS:
            raise InvalidInput.single(
                "draft", "too_many", f"at most {MAX_DRAFTS} drafts: lodge or delete some first"
            )
        draft_id = new_id()
        path = _path(folder, draft_id)
    draft = Draft(draft_id, str(values.get("reference", ""))[:64], uow.clock.now(), values)
    text = json.dumps(
        {
            "id": draft.id,
            "reference": draft.reference,
            "saved_at": draft.saved_at.isoformat(),
            "values": values,
        }
    )
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return draft


def get(uow: UnitOfWork, principal: Principal, draft_id: str) -> Draft:
    draft = _read(_path(_folder(uow, principal), draft_id))
    if draft is None:
        raise NotFound(f"no draft {draft_id}")
    return draft


def list_drafts(uow: UnitOfWork, principal: Principal) -> list[Draft]:
    """The caller's drafts, newest first."""
    folder = _folder(uow, principal)
    if not folder.is_dir():
        return []
    drafts = [d for p in folder.glob("*.json") if (d := _read(p)) is not None]
    return sorted(drafts, key=lambda d: d.saved_at, reverse=True)


def delete(uow: UnitOfWork, principal: Principal, draft_id: str) -> None:
    path = _path(_folder(uow, principal), draft_id)
    if not path.is_file():
        raise NotFound(f"no draft {draft_id}")
    path.unlink(missing_ok=True)
