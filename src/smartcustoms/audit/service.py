"""Use cases of the audit trail (the CLI's way in; read-only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smartcustoms.audit.log import AuditLog, VerifyReport
from smartcustoms.db.uow import UnitOfWork

__all__ = ["heads", "history", "verify"]


def verify(
    uow: UnitOfWork, chain: str | None = None, progress: Callable[[int, int], None] | None = None
) -> VerifyReport:
    with uow:
        return uow.repo(AuditLog).verify(chain.upper() if chain else None, progress)


def heads(uow: UnitOfWork) -> dict[str, dict[str, Any]]:
    with uow:
        return {k: {"seq": s, "hash": h} for k, (s, h) in uow.repo(AuditLog).heads().items()}


def history(uow: UnitOfWork, entity_id: str) -> list[dict[str, Any]]:
    with uow:
        return uow.repo(AuditLog).entries_for(entity_id)
