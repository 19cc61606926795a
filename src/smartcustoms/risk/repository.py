"""Queries on the risk tables. Never commits; the services own the transaction."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import BindParameter, Select, Table, bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from smartcustoms.risk.tables import (
    AeoTraderRow,
    BudgetRow,
    ExplorationTuningRow,
    ModelRow,
    PartnerUpdateRow,
    RuleRow,
    RuleVersionRow,
    SelectionRow,
    WatchlistEntryRow,
)

_CHUNK = 500  # ids per IN list: well under every database's parameter limit


class RiskRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- rules --------------------------------------------------------------------------
    def rule(self, rule_id: str, *, lock: bool = False) -> RuleRow | None:
        stmt = select(RuleRow).where(RuleRow.id == rule_id)
        if lock:
            stmt = stmt.with_for_update()
        return self.session.scalars(stmt).one_or_none()

    def rules(self, economy: str, status: str | None = None) -> list[RuleRow]:
        stmt = select(RuleRow).where(RuleRow.economy == economy)
        if status is not None:
            stmt = stmt.where(RuleRow.status == status)
        return list(self.session.scalars(stmt.order_by(RuleRow.created_at, RuleRow.id)))

    def rule_version(self, rule_id: str, version: int) -> RuleVersionRow | None:
        return self.session.get(RuleVersionRow, (rule_id, version))

    def rule_versions(self, rule_id: str) -> list[RuleVersionRow]:
        return list(
            self.session.scalars(
                select(RuleVersionRow)
                .where(RuleVersionRow.rule_id == rule_id)
                .order_by(RuleVersionRow.version)
            )
        )

    def active_rule_definitions(self, economy: str) -> list[tuple[RuleRow, RuleVersionRow]]:
        rows = self.session.execute(
            select(RuleRow, RuleVersionRow)
            .join(
                RuleVersionRow,
                (RuleVersionRow.rule_id == RuleRow.id)
                & (RuleVersionRow.version == RuleRow.version),
            )
            .where(RuleRow.economy == economy, RuleRow.status == "active")
            .order_by(RuleRow.created_at, RuleRow.id)
        )
        return [(r, v) for r, v in rows]

    def add(self, row: object) -> None:
        self.session.add(row)

    # -- watch lists --------------------------------------------------------------------
    def watchlists(self, economy: str) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for name, party in self.session.execute(
            select(WatchlistEntryRow.watchlist, WatchlistEntryRow.party_id).where(
                WatchlistEntryRow.economy == economy
            )
        ):
            out.setdefault(name, set()).add(party)
        return out

    def watchlist_entry(self, economy: str, name: str, party: str) -> WatchlistEntryRow | None:
        return self.session.get(WatchlistEntryRow, (economy, name, party))

    def watchlist_entries(self, economy: str, name: str | None) -> list[WatchlistEntryRow]:
        stmt = select(WatchlistEntryRow).where(WatchlistEntryRow.economy == economy)
        if name:
            stmt = stmt.where(WatchlistEntryRow.watchlist == name)
        return list(
            self.session.scalars(
                stmt.order_by(WatchlistEntryRow.watchlist, WatchlistEntryRow.party_id)
            )
        )

    def remove(self, row: object) -> None:
        self.session.delete(row)

    # -- models -------------------------------------------------------------------------
    def model(self, version: str) -> ModelRow | None:
        return self.session.get(ModelRow, version)

    def models(self, economy: str) -> list[ModelRow]:
        return list(
            self.session.scalars(
                select(ModelRow)
                .where(ModelRow.economy == economy)
                .order_by(ModelRow.created_at.desc(), ModelRow.version.desc())
            )
        )

    def active_model(self, economy: str) -> ModelRow | None:
        return self.session.scalars(
            select(ModelRow).where(ModelRow.economy == economy, ModelRow.status == "active")
        ).first()

    # -- budget, AEO --------------------------------------------------------------------
    def budget(self, economy: str) -> BudgetRow | None:
        return self.session.get(BudgetRow, economy)

    def aeo_ids(self, economy: str) -> set[str]:
        return set(
            self.session.scalars(
                select(AeoTraderRow.trader_id).where(AeoTraderRow.economy == economy)
            )
        )

    def aeo_traders(self, economy: str) -> list[AeoTraderRow]:
        return list(
            self.session.scalars(
                select(AeoTraderRow)
                .where(AeoTraderRow.economy == economy)
                .order_by(AeoTraderRow.trader_id)
            )
        )

    def aeo_trader(self, economy: str, trader_id: str) -> AeoTraderRow | None:
        return self.session.get(AeoTraderRow, (economy, trader_id))

    def remove_aeo(self, economy: str, trader_id: str) -> int:
        result = self.session.execute(
            delete(AeoTraderRow).where(
                AeoTraderRow.economy == economy, AeoTraderRow.trader_id == trader_id
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def state_stamp(self, economy: str) -> tuple[object, ...]:
        """Changes whenever the active model, active rules, watch lists, budget or AEO list
        change: the assessor's cache key (one round trip, asked at every lodgement)."""
        row = self.session.execute(_state_stamp_statement(), {"economy": economy}).one()
        return tuple(row)

    # -- selections (propensity and exploration of every lodged declaration) -----------------
    def put_selections(self, rows: Sequence[dict[str, Any]], *, replace: bool = True) -> None:
        """Insert selection records, replacing any of the same declarations (a declaration
        assessed again, e.g. on its arrival notice, keeps only its latest selection);
        ``replace=False``: the declarations are new, there is nothing to replace."""
        if replace:
            ids = [r["declaration_id"] for r in rows]
            for i in range(0, len(ids), _CHUNK):
                self.session.execute(
                    delete(SelectionRow).where(SelectionRow.declaration_id.in_(ids[i : i + _CHUNK]))
                )
        if rows:
            # Core insert of the table: plain rows, no ORM bulk-insert bookkeeping.
            table: Table = SelectionRow.__table__  # type: ignore[assignment]
            self.session.execute(insert(table), list(rows))

    def selections(
        self, economy: str, since: date | None = None, until: date | None = None
    ) -> list[SelectionRow]:
        stmt = select(SelectionRow).where(SelectionRow.economy == economy)
        if since is not None:
            stmt = stmt.where(SelectionRow.declared_on >= since)
        if until is not None:
            stmt = stmt.where(SelectionRow.declared_on < until)
        return list(self.session.scalars(stmt.order_by(SelectionRow.declared_on)))

    def tuning(self, economy: str, *, lock: bool = False) -> ExplorationTuningRow | None:
        stmt = select(ExplorationTuningRow).where(ExplorationTuningRow.economy == economy)
        if lock:
            stmt = stmt.with_for_update()
        return self.session.scalars(stmt).one_or_none()

    # -- model updates from partners -------------------------------------------------------
    def partner_updates(self, economy: str) -> list[PartnerUpdateRow]:
        return list(
            self.session.scalars(
                select(PartnerUpdateRow)
                .where(PartnerUpdateRow.economy == economy)
                .order_by(PartnerUpdateRow.received_at, PartnerUpdateRow.id)
            )
        )


@functools.cache
def _state_stamp_statement() -> Select[Any]:
    """The statement of :meth:`RiskRepository.state_stamp`, built once: building it and its
    cache key cost more than running it."""
    economy: BindParameter[str] = bindparam("economy")
    active = (ModelRow.economy == economy) & (ModelRow.status == "active")
    mv = select(func.max(ModelRow.version)).where(active).scalar_subquery()
    m = select(func.max(ModelRow.activated_at)).where(active).scalar_subquery()
    r = select(func.max(RuleRow.updated_at)).where(RuleRow.economy == economy).scalar_subquery()
    rc = (
        select(func.count())
        .select_from(RuleRow)
        .where(RuleRow.economy == economy, RuleRow.status == "active")
        .scalar_subquery()
    )
    w = select(func.count(), func.max(WatchlistEntryRow.added_at)).where(
        WatchlistEntryRow.economy == economy
    )
    wc = w.with_only_columns(func.count()).scalar_subquery()
    wa = w.with_only_columns(func.max(WatchlistEntryRow.added_at)).scalar_subquery()
    b = select(BudgetRow.updated_at).where(BudgetRow.economy == economy).scalar_subquery()
    ac = (
        select(func.count())
        .select_from(AeoTraderRow)
        .where(AeoTraderRow.economy == economy)
        .scalar_subquery()
    )
    aa = (
        select(func.max(AeoTraderRow.added_at))
        .where(AeoTraderRow.economy == economy)
        .scalar_subquery()
    )
    th = select(ModelRow.thresholds).where(active).limit(1).scalar_subquery()
    tu = (
        select(ExplorationTuningRow.updated_at)
        .where(ExplorationTuningRow.economy == economy)
        .scalar_subquery()
    )
    return select(mv, m, r, rc, wc, wa, b, ac, aa, th, tu)
