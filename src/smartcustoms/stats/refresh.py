"""Keeping ``stats_trade_cells`` current: months whose declarations changed are recomputed.

The declarations' audit chain is their change log: every lodgement, amendment, state change
and bulk import appends to it. The cells record the chain position they reflect; a refresh
asks the declarations' read API which months changed after it and recomputes exactly those
months with one GROUP BY each (a full rebuild the first time). When nothing changed, a
refresh is one primary-key read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from smartcustoms.core.clock import Clock
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations import queries as declarations
from smartcustoms.stats.levels import LEVELS, project
from smartcustoms.stats.model import add_months
from smartcustoms.stats.repository import StatsRepository
from smartcustoms.stats.tables import StatsStateRow

__all__ = ["RefreshReport", "ensure_fresh", "rebuild", "refresh"]


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


def _rows(economy: str, cells: Iterable[declarations.TradeCell]) -> Iterator[dict[str, Any]]:
    """Each fine cell, then each month's roll-ups (cells come in month order)."""
    month: date | None = None
    rollup: dict[tuple[str, str, str, str, str, str, str], list[Any]] = {}

    def flush() -> Iterator[dict[str, Any]]:
        for (level, kind, ccy, partner, hs, mode, office), (value, mass, items) in rollup.items():
            yield _row(economy, level, month, kind, ccy, partner, hs, mode, office, value, mass,
                       items)  # fmt: skip
        rollup.clear()

    coarse = [lv for lv in LEVELS if lv.code != "f"]
    for c in cells:
        if c.month != month:
            yield from flush()
            month = c.month
        yield _row(economy, "f", c.month, c.kind, c.currency, c.partner, c.hs6,
                   c.transport_mode, c.office, c.customs_value, c.net_mass_kg, c.items)  # fmt: skip
        for lv in coarse:
            key = (lv.code, c.kind, c.currency,
                   *project(lv, c.partner, c.hs6, c.transport_mode, c.office))  # fmt: skip
            acc = rollup.get(key)
            if acc is None:
                rollup[key] = [c.customs_value, c.net_mass_kg, c.items]
            else:
                acc[0] += c.customs_value
                acc[1] += c.net_mass_kg
                acc[2] += c.items
    yield from flush()


_FIELDS = ("economy", "level", "month", "kind", "currency", "partner", "hs", "mode", "office",
           "value", "net_mass_kg", "items")  # fmt: skip


def _row(*values: Any) -> dict[str, Any]:
    return dict(zip(_FIELDS, values, strict=True))


def rebuild(uow: UnitOfWork, economy: str, months: list[date] | None) -> int:
    """Recompute the cells of ``months`` (None: every month); returns the cells written."""
    repo = StatsRepository(uow.session)
    if months is None:
        return repo.replace_cells(
            economy, None, None, _rows(economy, declarations.trade_cells(uow, economy))
        )
    written = 0
    for first, last in _runs(months):
        end = date.fromordinal(add_months(last, 1).toordinal() - 1)
        rows = _rows(economy, declarations.trade_cells(uow, economy, first, end))
        written += repo.replace_cells(economy, first, last, rows)
    return written


def ensure_fresh(
    uow: UnitOfWork, economy: str, *, full: bool = False, clock: Clock | None = None
) -> RefreshReport:
    """Bring the economy's cells up to date inside the caller's transaction (no commit)."""
    now = (clock or uow.clock).now()
    repo = StatsRepository(uow.session)
    state = repo.state(economy)
    # The common case, without a lock: nothing was lodged or changed since.
    if (
        state is not None
        and not full
        and declarations.changes_since(uow, economy, state.position).position == state.position
    ):
        return RefreshReport(economy, False, [], 0, state.position)
    # Lock the state row so concurrent readers do not recompute the same months twice.
    state = repo.state(economy, lock=True)
    position = 0 if state is None or full else state.position
    changes = declarations.changes_since(uow, economy, position)
    if state is not None and not full and changes.position == state.position:
        return RefreshReport(economy, False, [], 0, state.position)
    full_rebuild = position == 0
    written = rebuild(uow, economy, None if full_rebuild else changes.months)
    rebuilt = [] if full_rebuild else changes.months
    if state is None:
        repo.add(StatsStateRow(economy=economy, position=changes.position, refreshed_at=now))
    else:
        state.position, state.refreshed_at = changes.position, now
    uow.session.flush()
    return RefreshReport(economy, full_rebuild, rebuilt, written, changes.position)


def refresh(
    uow: UnitOfWork, economy: str, *, full: bool = False, clock: Clock | None = None
) -> RefreshReport:
    """The use case: refresh and commit."""
    with uow:
        report = ensure_fresh(uow, economy.upper(), full=full, clock=clock)
        uow.commit()
        return report
