"""Plugging the learned assessor into the declarations flow.

``install()`` registers (once per process, idempotent) a factory with
:func:`smartcustoms.declarations.assessor.register_assessor_factory`. The declarations flow
calls it with the unit of work of the lodging transaction; for an economy with an active model
or active rules it returns a :class:`~.scoring.LearnedAssessor` scoring inside that unit of
work, otherwise None (the declarations feature then uses its rule-based assessor). No database
is kept here: each call serves the database its unit of work is bound to, so several app
instances (or a CLI and an app) in one process never see each other's data.

Entry points call ``install()``: the web app through the risk router's lifespan, the CLI in its
root callback.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations import service as declarations
from smartcustoms.declarations.assessor import Assessor, register_assessor_factory
from smartcustoms.declarations.document import from_document
from smartcustoms.errors import InvalidInput
from smartcustoms.risk.model import ScoreResult

# risk.scoring (numpy, pandas, LightGBM) is imported where used: install() runs at every CLI
# start-up and must stay cheap.

_enabled = False
_lock = threading.Lock()


def install() -> None:
    """Route lane decisions through the risk feature (idempotent)."""
    global _enabled
    with _lock:
        register_assessor_factory(_factory)  # a no-op when already registered
        _enabled = True


def uninstall() -> None:
    """Back to the rule-based assessor (the registered factory then answers None); tests."""
    global _enabled
    with _lock:
        _enabled = False


def _factory(uow: UnitOfWork, economy: str) -> Assessor | None:
    if not _enabled:
        return None
    from smartcustoms.risk.scoring import LearnedAssessor, database_key, economy_state

    state = economy_state(uow, economy, database_key(uow))
    return LearnedAssessor(uow, state) if state.enabled else None


def score_payload(
    uow: UnitOfWork, principal: Principal, raw: Any, *, explain_top: int = 3
) -> ScoreResult:
    """Score a declaration document without storing it: the lane it would get now."""
    from smartcustoms.risk.scoring import database_key, economy_state, score_declaration

    principal.require(Role.OFFICER, Role.ANALYST)
    report = declarations.validate(uow, principal, raw)
    if not report.valid:
        raise InvalidInput(report.errors)
    declaration = from_document(raw)
    on = declaration.date or date.today()
    state = economy_state(uow, principal.economy, database_key(uow))
    reference = f"score:{declaration.reference}"
    return score_declaration(uow, principal.economy, state, declaration, reference, on, explain_top)
