"""Use cases spanning the budget, the AEO list, rules and the registry: a budget or AEO change
recalibrates the active model's thresholds in the same transaction; rule tests compare unit
values with the active model's HS norms."""

from __future__ import annotations

from typing import Any

from smartcustoms.accounts.model import Principal
from smartcustoms.core.clock import Clock
from smartcustoms.db.uow import UnitOfWork, transactional
from smartcustoms.errors import FieldError, InvalidInput
from smartcustoms.risk import registry, service
from smartcustoms.risk.model import BudgetView, RuleTestResult
from smartcustoms.risk.rules import UnitValueNorms


def _recalibrate_active(uow: UnitOfWork, principal: Principal, clock: Clock | None) -> None:
    if registry.active_info(uow, principal.economy) is not None:
        registry.recalibrate(uow, principal, clock=clock)


@transactional
def set_budget(
    uow: UnitOfWork, principal: Principal, raw: dict[str, Any], *, clock: Clock | None = None
) -> BudgetView:
    values = {}
    errors = []
    for key in ("red", "yellow", "exploration", "aeo_factor"):
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            errors.append(FieldError(key, "required", "a share between 0 and 1"))
            continue
        values[key] = float(value)
    window = raw.get("window", service.budget_of(uow, principal.economy).window)
    if isinstance(window, bool) or not isinstance(window, int):
        errors.append(FieldError("window", "not_an_integer", "a number of declarations"))
    strategy = raw.get("strategy", service.budget_of(uow, principal.economy).strategy)
    if not isinstance(strategy, str):
        errors.append(FieldError("strategy", "invalid", "a strategy name"))
    if errors:
        raise InvalidInput(errors)
    budget = service.validate_budget(**values, window=window, strategy=strategy)
    with uow:
        service.save_budget(uow, principal, budget, clock=clock)
        _recalibrate_active(uow, principal, clock)
    return service.get_budget(uow, principal)


@transactional
def change_aeo(
    uow: UnitOfWork,
    principal: Principal,
    trader_id: str,
    trusted: bool,
    note: str = "",
    *,
    clock: Clock | None = None,
) -> None:
    with uow:
        if trusted:
            service.add_aeo(uow, principal, trader_id, note, clock=clock)
        else:
            service.remove_aeo(uow, principal, trader_id)
        _recalibrate_active(uow, principal, clock)


def test_rule(uow: UnitOfWork, principal: Principal, rule: Any, **kwargs: Any) -> RuleTestResult:
    active = registry.active_info(uow, principal.economy)
    norms = None
    if active is not None:
        model = registry.load_model(uow, active.directory)
        norms = UnitValueNorms.from_history(model.builder_.history_)
    return service.test_rule(uow, principal, rule, norms=norms, **kwargs)
