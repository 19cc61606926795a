"""Keeping ``stats_trade_cells`` current: months whose declarations changed are recomputed.

The declarations' audit chain is their change log: every lodgement, amendment, state change
and bulk import appends to it. The cells record the chain position they reflect; a refresh
asks the declarations' read API which months changed after it and recomputes exactly those
months with one GROUP BY each (a full rebuild the first time). When nothing changed, a
refresh is one primary-key read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from smartcustoms.core.clock import Clock, SystemClock
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations import queries as declarations
from smartcustoms.stats.model import add_months
from smartcustoms.stats.repository import StatsRepository
from smartcustoms.stats.tables import StatsStateRow

__all__ = ["RefreshReport", "ensure_fresh", "refresh"]


@dataclass(frozen=True, slots=True)
class RefreshReport:
    economy: str
    full: bool
    months: list[date]
    """Months recomputed (empty on a full rebuild or when nothing changed)."""
    cells: int
    """Cells written."""
    position: int


def _runs(months: list[date]) -> list[tuple[date, date]]:
    """Consecutive months as (first, last) runs."""
    runs: list[tuple[date, date]] = []
    for m in sorted(months):
        if runs and add_months(runs[-1][1], 1) == m:
            runs[-1] = (runs[-1][0], m)
        else:
            runs.append((m, m))
    return runs


def _rows(economy: str, cells: list[declarations.TradeCell]) -> list[dict[str, object]]:
    return [
        {
            "economy": economy,
            "month": c.month,
            "kind": c.kind,
            "currency": c.currency,
            "partner": c.partner,
            "hs6": c.hs6,
            "mode": c.transport_mode,
            "office": c.office,
            "value": c.customs_value,
            "net_mass_kg": c.net_mass_kg,
            "items": c.items,
        }
        for c in cells
    ]


def ensure_fresh(
    uow: UnitOfWork, economy: str, *, full: bool = False, clock: Clock | None = None
) -> RefreshReport:
    """Bring the economy's cells up to date inside the caller's transaction (no commit)."""
    now = (clock or SystemClock()).now()
    repo = StatsRepository(uow.session)
    state = repo.state(economy, lock=True)
    position = 0 if state is None or full else state.position
    changes = declarations.changes_since(uow, economy, position)
    if state is not None and not full and changes.position == state.position:
        return RefreshReport(economy, False, [], 0, state.position)
    written = 0
    rebuilt: list[date] = []
    if position == 0:
        rows = _rows(economy, declarations.trade_cells(uow, economy))
        repo.replace_cells(economy, None, None, rows)
        written = len(rows)
    else:
        for first, last in _runs(changes.months):
            end = date.fromordinal(add_months(last, 1).toordinal() - 1)
            rows = _rows(economy, declarations.trade_cells(uow, economy, first, end))
            repo.replace_cells(economy, first, last, rows)
            written += len(rows)
        rebuilt = changes.months
    if state is None:
        repo.add(StatsStateRow(economy=economy, position=changes.position, refreshed_at=now))
    else:
        state.position, state.refreshed_at = changes.position, now
    uow.session.flush()
    return RefreshReport(economy, position == 0, rebuilt, written, changes.position)


def refresh(
    uow: UnitOfWork, economy: str, *, full: bool = False, clock: Clock | None = None
) -> RefreshReport:
    """The use case: refresh and commit."""
    with uow:
        report = ensure_fresh(uow, economy.upper(), full=full, clock=clock)
        uow.commit()
        return report
