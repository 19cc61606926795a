"""Plugging the learned assessor into the declarations flow.

``install(db)`` registers (once per process) a factory with
:func:`smartcustoms.declarations.assessor.register_assessor_factory`; for an economy with an
active model or active rules it returns a :class:`~.scoring.LearnedAssessor`, otherwise None
(the declarations feature then uses its rule-based assessor). The web app installs it through
the risk router's lifespan; the CLI root should call ``install(lambda: state.db)``.

One process serves one database: the last ``install`` wins (tests re-install per app).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.db.engine import Database
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations import service as declarations
from smartcustoms.declarations.assessor import Assessor, register_assessor_factory
from smartcustoms.declarations.document import from_document
from smartcustoms.errors import InvalidInput
from smartcustoms.risk.model import ScoreResult
from smartcustoms.risk.scoring import LearnedAssessor, economy_state, score_declaration

DatabaseSource = Database | Callable[[], Database]

_source: DatabaseSource | None = None
_registered = False
_lock = threading.Lock()


def install(db: DatabaseSource) -> None:
    """Route lane decisions through the risk feature for ``db`` (idempotent)."""
    global _source, _registered
    with _lock:
        _source = db
        if not _registered:
            register_assessor_factory(_factory)
            _registered = True


def uninstall() -> None:
    """Back to the rule-based assessor (the registered factory then answers None)."""
    global _source
    with _lock:
        _source = None


def _database() -> Database | None:
    source = _source
    if source is None:
        return None
    return source if isinstance(source, Database) else source()


def _factory(economy: str) -> Assessor | None:
    db = _database()
    if db is None:
        return None
    state = economy_state(db.uow(), economy, db.url)
    return LearnedAssessor(db.uow, db.url, state) if state.enabled else None


def score_payload(
    uow: UnitOfWork, principal: Principal, raw: Any, *, key: str = "api", explain_top: int = 3
) -> ScoreResult:
    """Score a declaration document without storing it: the lane it would get now."""
    principal.require(Role.OFFICER, Role.ANALYST)
    report = declarations.validate(uow, principal, raw)
    if not report.valid:
        raise InvalidInput(report.errors)
    declaration = from_document(raw)
    on = declaration.date or date.today()
    state = economy_state(uow, principal.economy, key)
    reference = f"score:{declaration.reference}"
    return score_declaration(uow, principal.economy, state, declaration, reference, on, explain_top)
