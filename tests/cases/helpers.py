"""Shared helpers for the case repository's database tests (``case_data`` lives in
tests/factories.py and is re-exported here for older imports)."""

from __future__ import annotations

from smartcustoms.accounts import service as accounts
from smartcustoms.accounts.model import Principal
from smartcustoms.db.engine import Database
from tests.factories import case_data

__all__ = ["case_data", "principal"]


def principal(db: Database, actor: dict[str, str]) -> Principal:
    return accounts.authenticate(db.uow(), actor["token"])
