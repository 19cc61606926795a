"""The risk feature's lane selector for the declarations flow.

:class:`LearnedLaneSelector` is what the composition root (:mod:`smartcustoms.bootstrap`)
passes in as ``Ports.lane_selector``. The declarations flow calls it with the unit of work of
the lodging transaction; for an economy with an active model or active rules it returns a
:class:`~.scoring.LearnedAssessor` scoring inside that unit of work, otherwise None (the
declarations feature then uses its rule-based assessor). No database is kept here: each call
serves the database its unit of work is bound to; the scoring state cache is the
application's (``uow.ports.scoring_states``), never the process's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core.clock import SystemClock
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations import service as declarations
from smartcustoms.declarations.document import from_document
from smartcustoms.declarations.lanes import Assessor, AssessorContext, BatchItem
from smartcustoms.declarations.model import Declaration, Lane, LaneDecision, LaneExplanation
from smartcustoms.errors import InvalidInput
from smartcustoms.risk.model import ScoreResult

# risk.scoring and risk.batch (numpy, pandas, LightGBM) are imported where used: the
# composition root builds a LearnedLaneSelector at every CLI start-up, which must stay cheap.
if TYPE_CHECKING:
    from smartcustoms.risk.scoring import EconomyState

__all__ = ["LearnedAssessor", "LearnedLaneSelector", "score_payload"]


class LearnedAssessor:
    """The declarations :class:`~smartcustoms.declarations.lanes.Assessor` of the risk
    feature, bound to the unit of work of the lodging transaction.

    It reads the risk tables and past inspection results inside that transaction, and adds
    one selection record per declaration (its propensity and exploration draw,
    :mod:`.controls`). This is safe because it never commits or rolls back (keep it that way),
    so the lodging service still decides alone whether the declaration, its lane, its
    selection record and its audit entries are stored together.
    """

    def __init__(self, uow: UnitOfWork, state: EconomyState) -> None:
        self._uow = uow
        self.state = state

    def _now(self) -> datetime:
        ports = self._uow.ports
        return ports.clock.now() if ports is not None else SystemClock().now()

    def assess(self, declaration: Declaration, context: AssessorContext) -> LaneDecision:
        from smartcustoms.risk.controls import record_selections, selection_record
        from smartcustoms.risk.scoring import score_declaration

        result = score_declaration(
            self._uow,
            context.economy,
            self.state,
            declaration,
            context.declaration_id,
            context.on,
            signals=context.signals,
        )
        budget = self.state.budget
        record_selections(
            self._uow,
            [
                selection_record(
                    economy=context.economy,
                    declaration_id=context.declaration_id,
                    on=context.on,
                    budget=budget,
                    exploration_rate=budget.exploration,
                    lane=result.lane,
                    score=result.score,
                    propensity=result.propensity,
                    exploration=result.exploration,
                    explored=result.explored,
                    model_version=result.model_version,
                    now=self._now(),
                )
            ],
        )
        return LaneDecision(
            lane=Lane(result.lane),
            score=result.score,
            reasons=result.reasons,
            rules_fired=result.rules_fired,
            model_version=result.model_version if result.fraud_probability is not None else None,
            explanations=[
                LaneExplanation(e.feature, e.contribution, e.text) for e in result.explanations
            ],
        )

    def assess_batch(self, items: Sequence[BatchItem]) -> list[LaneDecision]:
        """Many declarations in date order (a bulk import, or the one of a submission) being
        lodged: see :mod:`.batch`. Being new, none has a selection record to replace."""
        from smartcustoms.risk.batch import assess_batch  # batch builds on scoring
        from smartcustoms.risk.controls import record_selections, selection_record

        economy = items[0].context.economy if items else ""
        done = assess_batch(self._uow, economy, self.state, items)
        budget, now = self.state.budget, self._now()
        record_selections(
            self._uow,
            [
                selection_record(
                    economy=item.context.economy,
                    declaration_id=item.context.declaration_id,
                    on=item.context.on,
                    budget=budget,
                    exploration_rate=budget.exploration,
                    lane=decision.lane.value,
                    score=decision.score,
                    propensity=float(done.propensity[k]),
                    exploration=float(done.exploration[k]),
                    explored=bool(done.explored[k]),
                    model_version=decision.model_version,
                    now=now,
                )
                for k, (item, decision) in enumerate(zip(items, done.decisions, strict=True))
            ],
            replace=False,
        )
        return done.decisions


class LearnedLaneSelector:
    """Learned lanes for economies with an active model or active rules."""

    def __call__(self, uow: UnitOfWork, economy: str, /) -> Assessor | None:
        from smartcustoms.risk.scoring import economy_state

        state = economy_state(uow, economy)
        return LearnedAssessor(uow, state) if state.enabled else None


def score_payload(
    uow: UnitOfWork, principal: Principal, raw: Any, *, explain_top: int = 3
) -> ScoreResult:
    """Score a declaration document without storing it: the lane it would get now."""
    from smartcustoms.risk.scoring import economy_state, score_declaration

    principal.require(Role.OFFICER, Role.ANALYST)
    report = declarations.validate(uow, principal, raw)
    if not report.valid:
        raise InvalidInput(report.errors)
    declaration = from_document(raw)
    on = declaration.date or date.today()
    state = economy_state(uow, principal.economy)
    reference = f"score:{declaration.reference}"
    return score_declaration(uow, principal.economy, state, declaration, reference, on, explain_top)
