"""Use cases of selectivity rules, watch lists, the inspection budget and trusted traders.

Every function takes the unit of work first and owns its transaction; everything is scoped to
the principal's economy (another economy's rule: NotFound). Analysts (and admins) write; the
model registry, training and drift are in :mod:`.registry` and :mod:`.training`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core.clock import Clock
from smartcustoms.core.ids import new_id
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import FieldError, InvalidInput, NotFound
from smartcustoms.risk.ml.budget import SELECTION_STRATEGIES, LaneBudget
from smartcustoms.risk.model import (
    AeoTrader,
    BudgetView,
    RuleTestResult,
    RuleVersion,
    RuleView,
    WatchlistEntry,
)
from smartcustoms.risk.repository import RiskRepository
from smartcustoms.risk.rules import (
    ActiveRule,
    RuleContext,
    RuleDefinition,
    UnitValueNorms,
    fired_by_declaration,
    parse_definition,
)
from smartcustoms.risk.source import items_frame
from smartcustoms.risk.tables import (
    AeoTraderRow,
    BudgetRow,
    RuleRow,
    RuleVersionRow,
    WatchlistEntryRow,
)

RULE_STATUSES = ("draft", "active", "retired")
WRITERS = (Role.ANALYST,)
READERS = (Role.ANALYST, Role.OFFICER)


# --- rules ---------------------------------------------------------------------------------


def _view(
    row: RuleRow, current: RuleVersionRow, versions: list[RuleVersionRow] | None = None
) -> RuleView:
    return RuleView(
        id=row.id,
        economy=row.economy,
        name=row.name,
        status=row.status,
        version=row.version,
        definition=current.definition,
        description=str(current.definition.get("description", "")),
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        versions=[
            RuleVersion(v.version, v.definition, v.note, v.created_by, v.created_at)
            for v in versions or []
        ],
    )


def _own_rule(
    repo: RiskRepository, principal: Principal, rule_id: str, lock: bool = False
) -> RuleRow:
    row = repo.rule(rule_id, lock=lock)
    if row is None or row.economy != principal.economy:
        raise NotFound(f"no rule {rule_id}")
    return row


def create_rule(
    uow: UnitOfWork,
    principal: Principal,
    raw: Any,
    *,
    activate: bool = False,
    clock: Clock | None = None,
) -> RuleView:
    principal.require(*WRITERS)
    definition = parse_definition(raw)
    now = (clock or uow.clock).now()
    with uow:
        repo = uow.repo(RiskRepository)
        row = RuleRow(
            id=new_id(),
            economy=principal.economy,
            name=definition.name,
            status="active" if activate else "draft",
            version=1,
            created_by=principal.user_id,
            created_at=now,
            updated_at=now,
        )
        version = RuleVersionRow(
            rule_id=row.id,
            version=1,
            definition=definition.to_dict(),
            note="created",
            created_by=principal.user_id,
            created_at=now,
        )
        repo.add(row)
        uow.session.flush()
        repo.add(version)
        uow.commit()
        return _view(row, version, [version])


def update_rule(
    uow: UnitOfWork,
    principal: Principal,
    rule_id: str,
    raw: Any,
    *,
    note: str = "",
    clock: Clock | None = None,
) -> RuleView:
    """Each edit is a new version; the rule keeps its status (an active rule stays active)."""
    principal.require(*WRITERS)
    definition = parse_definition(raw)
    now = (clock or uow.clock).now()
    with uow:
        repo = uow.repo(RiskRepository)
        row = _own_rule(repo, principal, rule_id, lock=True)
        if row.status == "retired":
            raise InvalidInput.single("status", "retired", "a retired rule cannot be edited")
        row.version += 1
        row.name = definition.name
        row.updated_at = now
        repo.add(
            RuleVersionRow(
                rule_id=row.id,
                version=row.version,
                definition=definition.to_dict(),
                note=note or "edited",
                created_by=principal.user_id,
                created_at=now,
            )
        )
        uow.commit()
        return get_rule(uow, principal, rule_id)


def set_rule_status(
    uow: UnitOfWork, principal: Principal, rule_id: str, status: str, *, clock: Clock | None = None
) -> RuleView:
    """Activate, retire (or set back to draft) a rule; recorded as a new version."""
    principal.require(*WRITERS)
    if status not in RULE_STATUSES:
        raise InvalidInput.single(
            "status", "invalid_choice", f"status is one of {', '.join(RULE_STATUSES)}"
        )
    now = (clock or uow.clock).now()
    with uow:
        repo = uow.repo(RiskRepository)
        row = _own_rule(repo, principal, rule_id, lock=True)
        if row.status != status:
            current = repo.rule_version(row.id, row.version)
            assert current is not None
            row.status = status
            row.version += 1
            row.updated_at = now
            repo.add(
                RuleVersionRow(
                    rule_id=row.id,
                    version=row.version,
                    definition=current.definition,
                    note=status,
                    created_by=principal.user_id,
                    created_at=now,
                )
            )
            uow.commit()
        return get_rule(uow, principal, rule_id)


def get_rule(uow: UnitOfWork, principal: Principal, rule_id: str) -> RuleView:
    principal.require(*READERS)
    with uow:
        repo = uow.repo(RiskRepository)
        row = _own_rule(repo, principal, rule_id)
        versions = repo.rule_versions(row.id)
        return _view(row, versions[-1], versions)


def list_rules(uow: UnitOfWork, principal: Principal, status: str | None = None) -> list[RuleView]:
    principal.require(*READERS)
    with uow:
        repo = uow.repo(RiskRepository)
        out = []
        for row in repo.rules(principal.economy, status):
            current = repo.rule_version(row.id, row.version)
            assert current is not None
            out.append(_view(row, current))
        return out


def active_rules(uow: UnitOfWork, economy: str) -> list[ActiveRule]:
    """The economy's active rules as the assessor uses them (no role check: internal)."""
    with uow:
        pairs = uow.repo(RiskRepository).active_rule_definitions(economy)
        return [ActiveRule(r.id, v.version, parse_definition(v.definition)) for r, v in pairs]


def rule_context(uow: UnitOfWork, economy: str, norms: UnitValueNorms | None) -> RuleContext:
    with uow:
        return RuleContext(uow.repo(RiskRepository).watchlists(economy), norms)


def test_rule(
    uow: UnitOfWork,
    principal: Principal,
    rule: Any,
    *,
    since: date | None = None,
    until: date | None = None,
    sample: int = 10,
    norms: UnitValueNorms | None = None,
) -> RuleTestResult:
    """What would this rule (a stored rule's id, or a definition) have hit in [since, until)?

    Unit values are compared with ``norms`` (the active model's) or, without them, with the
    norms of the tested declarations themselves.
    """
    principal.require(*READERS)
    if isinstance(rule, str):
        definition = parse_definition(get_rule(uow, principal, rule).definition)
    else:
        definition = parse_definition(rule)
    items = items_frame(uow, principal.economy, since=since, until=until)
    ctx = rule_context(uow, principal.economy, norms)
    c = definition.conditions
    wants_norm = c.unit_value_below_norm is not None or c.unit_value_above_norm is not None
    if ctx.norms is None and wants_norm and len(items):
        ctx.norms = UnitValueNorms.from_frame(items)
    return _summarise(definition, items, ctx, since, until, sample)


def _summarise(
    definition: RuleDefinition,
    items: Any,
    ctx: RuleContext,
    since: date | None,
    until: date | None,
    sample: int,
) -> RuleTestResult:
    ids, fired = fired_by_declaration([definition], items, ctx)
    first = items.drop_duplicates("declaration_id").set_index("declaration_id").loc[ids]
    hit = fired[:, 0] if len(ids) else np.zeros(0, bool)
    fraud = first["fraud"].to_numpy(np.float64)
    inspected = ~np.isnan(fraud)
    n_hits = int(hit.sum())
    ins_hits = int((hit & inspected).sum())
    fraud_hits = int(np.nansum(fraud[hit & inspected]))
    base = float(np.nanmean(fraud[inspected])) if inspected.any() else None
    rate = fraud_hits / ins_hits if ins_hits else None
    refs = first["reference"].to_numpy(object)
    return RuleTestResult(
        rule=definition.name,
        since=since,
        until=until,
        declarations=len(ids),
        hits=n_hits,
        hit_share=n_hits / len(ids) if len(ids) else 0.0,
        inspected_hits=ins_hits,
        fraud_hits=fraud_hits,
        hit_rate=rate,
        base_rate=base,
        lift=rate / base if rate is not None and base else None,
        sample_ids=[str(i) for i in ids[hit][:sample]],
        sample_references=[str(r) for r in refs[hit][:sample]],
    )


# --- watch lists ---------------------------------------------------------------------------


def add_to_watchlist(
    uow: UnitOfWork,
    principal: Principal,
    watchlist: str,
    party_id: str,
    note: str = "",
    *,
    clock: Clock | None = None,
) -> WatchlistEntry:
    principal.require(*WRITERS)
    errors = [
        FieldError(k, "required", f"{k} is required")
        for k, v in (("watchlist", watchlist), ("party_id", party_id))
        if not v.strip()
    ]
    if errors:
        raise InvalidInput(errors)
    now = (clock or uow.clock).now()
    with uow:
        repo = uow.repo(RiskRepository)
        row = repo.watchlist_entry(principal.economy, watchlist.strip(), party_id.strip())
        if row is None:
            row = WatchlistEntryRow(
                economy=principal.economy,
                watchlist=watchlist.strip(),
                party_id=party_id.strip(),
                note=note,
                added_by=principal.user_id,
                added_at=now,
            )
            repo.add(row)
            uow.commit()
        return WatchlistEntry(row.watchlist, row.party_id, row.note, row.added_by, row.added_at)


def remove_from_watchlist(
    uow: UnitOfWork, principal: Principal, watchlist: str, party_id: str
) -> None:
    principal.require(*WRITERS)
    with uow:
        repo = uow.repo(RiskRepository)
        row = repo.watchlist_entry(principal.economy, watchlist, party_id)
        if row is None:
            raise NotFound(f"{party_id} is not on watch list {watchlist}")
        repo.remove(row)
        uow.commit()


def list_watchlist(
    uow: UnitOfWork, principal: Principal, watchlist: str | None = None
) -> list[WatchlistEntry]:
    principal.require(*READERS)
    with uow:
        rows = uow.repo(RiskRepository).watchlist_entries(principal.economy, watchlist)
        return [
            WatchlistEntry(r.watchlist, r.party_id, r.note, r.added_by, r.added_at) for r in rows
        ]


# --- budget --------------------------------------------------------------------------------


def budget_of(uow: UnitOfWork, economy: str) -> LaneBudget:
    with uow:
        row = uow.repo(RiskRepository).budget(economy)
        if row is None:
            return LaneBudget()
        return LaneBudget(
            row.red, row.yellow, row.exploration, row.aeo_factor, row.window, row.strategy
        )


def get_budget(uow: UnitOfWork, principal: Principal) -> BudgetView:
    principal.require(*READERS)
    with uow:
        repo = uow.repo(RiskRepository)
        row = repo.budget(principal.economy)
        active = repo.active_model(principal.economy)
        b = budget_of(uow, principal.economy)
        return BudgetView(
            principal.economy,
            b.red,
            b.yellow,
            b.exploration,
            b.aeo_factor,
            row.updated_by if row else None,
            row.updated_at if row else None,
            active.thresholds if active else None,
            b.window,
            b.strategy,
        )


MAX_WINDOW = 1_000_000


def validate_budget(
    red: float,
    yellow: float,
    exploration: float,
    aeo_factor: float,
    window: int = 2000,
    strategy: str = "random",
) -> LaneBudget:
    errors = []
    for name, value in (
        ("red", red),
        ("yellow", yellow),
        ("exploration", exploration),
        ("aeo_factor", aeo_factor),
    ):
        if not 0.0 <= value <= 1.0:
            errors.append(FieldError(name, "out_of_range", "a share between 0 and 1"))
    if not errors and red + yellow > 1.0:
        errors.append(FieldError("yellow", "out_of_range", "red and yellow exceed 100%"))
    if not errors and exploration > red:
        errors.append(
            FieldError(
                "exploration",
                "out_of_range",
                "the exploration share is part of the red share: at most red",
            )
        )
    if not 0 <= window <= MAX_WINDOW:
        errors.append(
            FieldError(
                "window",
                "out_of_range",
                f"0 (thresholds fixed at the model's calibration) or up to {MAX_WINDOW:,} "
                "recent declarations",
            )
        )
    if strategy not in SELECTION_STRATEGIES:
        errors.append(
            FieldError("strategy", "invalid", f"one of {', '.join(SELECTION_STRATEGIES)}")
        )
    if errors:
        raise InvalidInput(errors)
    return LaneBudget(red, yellow, exploration, aeo_factor, window, strategy)


def save_budget(
    uow: UnitOfWork, principal: Principal, budget: LaneBudget, *, clock: Clock | None = None
) -> None:
    """Store the budget (the caller recalibrates the active model's thresholds)."""
    principal.require(*WRITERS)
    now = (clock or uow.clock).now()
    with uow:
        repo = uow.repo(RiskRepository)
        row = repo.budget(principal.economy)
        if row is None:
            row = BudgetRow(
                economy=principal.economy,
                red=0,
                yellow=0,
                exploration=0,
                aeo_factor=1,
                window=budget.window,
                updated_by=principal.user_id,
                updated_at=now,
            )
            repo.add(row)
        row.red, row.yellow = budget.red, budget.yellow
        row.exploration, row.aeo_factor = budget.exploration, budget.aeo_factor
        row.window, row.strategy = budget.window, budget.strategy
        row.updated_by, row.updated_at = principal.user_id, now
        uow.commit()


# --- trusted traders (AEO) -----------------------------------------------------------------


def aeo_ids(uow: UnitOfWork, economy: str) -> set[str]:
    with uow:
        return uow.repo(RiskRepository).aeo_ids(economy)


def add_aeo(
    uow: UnitOfWork,
    principal: Principal,
    trader_id: str,
    note: str = "",
    *,
    clock: Clock | None = None,
) -> AeoTrader:
    principal.require(*WRITERS)
    if not trader_id.strip():
        raise InvalidInput.single("trader_id", "required", "give the trader's identifier")
    now = (clock or uow.clock).now()
    with uow:
        repo = uow.repo(RiskRepository)
        row = repo.aeo_trader(principal.economy, trader_id.strip())
        if row is None:
            row = AeoTraderRow(
                economy=principal.economy,
                trader_id=trader_id.strip(),
                note=note,
                added_by=principal.user_id,
                added_at=now,
            )
            repo.add(row)
            uow.commit()
        return AeoTrader(row.trader_id, row.note, row.added_by, row.added_at)


def remove_aeo(uow: UnitOfWork, principal: Principal, trader_id: str) -> None:
    principal.require(*WRITERS)
    with uow:
        if uow.repo(RiskRepository).remove_aeo(principal.economy, trader_id) == 0:
            raise NotFound(f"{trader_id} is not a trusted trader of {principal.economy}")
        uow.commit()


def list_aeo(uow: UnitOfWork, principal: Principal) -> list[AeoTrader]:
    principal.require(*READERS)
    with uow:
        return [
            AeoTrader(r.trader_id, r.note, r.added_by, r.added_at)
            for r in uow.repo(RiskRepository).aeo_traders(principal.economy)
        ]
