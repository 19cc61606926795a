"""De minimis and tax regimes (built-in rows plus stored changes) and per-economy settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core.clock import Clock
from smartcustoms.core.ids import new_id
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.ecommerce.model import (
    EcomSettings,
    Prohibition,
    Regime,
)
from smartcustoms.ecommerce.regimes import built_in_for, regime_on
from smartcustoms.ecommerce.repository import EcommerceRepository
from smartcustoms.ecommerce.tables import (
    EcomRegimeRow,
    EcomSettingsRow,
)
from smartcustoms.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
)

__all__ = ["add_regime", "get_settings", "regime_for", "regimes", "save_settings"]


def _regime_from(d: Mapping[str, Any]) -> Regime:
    def dec(k: str) -> Decimal | None:
        v = d.get(k)
        return None if v in (None, "") else Decimal(str(v))

    pros = tuple(
        Prohibition(
            str(p.get("hs_prefix", "")), str(p.get("keyword", "")).lower(), str(p.get("reason", ""))
        )
        for p in d.get("prohibitions") or []
    )
    return Regime(
        economy=str(d["economy"]).upper(),
        effective_from=date.fromisoformat(str(d["effective_from"])),
        currency=str(d["currency"]).upper(),
        threshold_currency=str(d.get("threshold_currency") or d["currency"]).upper(),
        duty_threshold=dec("duty_threshold"),
        tax_threshold=dec("tax_threshold"),
        vat_rate=dec("vat_rate") or Decimal(0),
        default_duty_rate=dec("default_duty_rate") or Decimal(0),
        threshold_basis=str(d.get("threshold_basis") or "goods"),
        flat_duty_per_item=dec("flat_duty_per_item"),
        duty_factor=dec("duty_factor") if dec("duty_factor") is not None else Decimal(1),  # type: ignore[arg-type]
        tax_factor=dec("tax_factor") if dec("tax_factor") is not None else Decimal(1),  # type: ignore[arg-type]
        vendor_scheme=str(d.get("vendor_scheme") or ""),
        vendor_pattern=str(d.get("vendor_pattern") or ""),
        vendor_ceiling=dec("vendor_ceiling"),
        per_transaction_limit=dec("per_transaction_limit"),
        annual_limit=dec("annual_limit"),
        prohibitions=pros,
        source=str(d.get("source") or ""),
        note=str(d.get("note") or ""),
        verified=bool(d.get("verified", True)),
    )


def regimes(uow: UnitOfWork, economy: str) -> list[Regime]:
    """Built-in and stored regime rows of ``economy``, oldest first (stored win on a tie)."""
    economy = economy.upper()
    with uow:
        stored = [
            _regime_from(r.definition) for r in EcommerceRepository(uow.session).regimes(economy)
        ]
    return sorted(built_in_for(economy) + stored, key=lambda r: r.effective_from)


def regime_for(uow: UnitOfWork, economy: str, on: date) -> Regime:
    found = regime_on(regimes(uow, economy), on)
    if found is None:
        raise NotFound(f"no e-commerce regime for {economy} on {on.isoformat()}")
    return found


def add_regime(
    uow: UnitOfWork,
    principal: Principal,
    definition: Mapping[str, Any],
    clock: Clock | None = None,
) -> Regime:
    """A new regime row (a change in law) for the caller's economy, from its effective date."""
    principal.require(Role.ADMIN, Role.ANALYST)
    base = regime_on(regimes(uow, principal.economy), date.max)
    merged: dict[str, Any] = (base.to_dict() if base else {}) | dict(definition)
    merged["economy"] = principal.economy
    errors: list[FieldError] = []
    if not merged.get("effective_from"):
        errors.append(FieldError("effective_from", "required", "effective_from is required"))
    if not merged.get("source"):
        errors.append(FieldError("source", "required", "say where the rule comes from (source)"))
    if not merged.get("currency"):
        errors.append(FieldError("currency", "required", "currency is required"))
    try:
        regime = _regime_from(merged) if not errors else None
    except (ValueError, InvalidOperation, KeyError) as exc:
        errors.append(FieldError("definition", "invalid", f"not a valid regime: {exc}"))
        regime = None
    if errors or regime is None:
        raise InvalidInput(errors)
    for k in ("duty_threshold", "tax_threshold", "vat_rate", "default_duty_rate"):
        v = getattr(regime, k)
        if v is not None and v < 0:
            errors.append(FieldError(k, "negative", f"{k} must not be negative"))
    if errors:
        raise InvalidInput(errors)
    now = (clock or uow.clock).now()
    with uow:
        repo = EcommerceRepository(uow.session)
        if repo.regime_at(principal.economy, regime.effective_from) is not None:
            raise Conflict(f"a regime row from {regime.effective_from} exists already")
        repo.add(
            EcomRegimeRow(
                id=new_id(),
                economy=principal.economy,
                effective_from=regime.effective_from,
                definition=regime.to_dict(),
                created_by=principal.user_id,
                created_at=now,
            )
        )
        uow.commit()
    return regime


def get_settings(uow: UnitOfWork, economy: str) -> EcomSettings:
    with uow:
        row = EcommerceRepository(uow.session).settings(economy.upper())
        if row is None:
            return EcomSettings(economy.upper())
        known = set(EcomSettings.__dataclass_fields__)
        return EcomSettings(
            **({k: v for k, v in row.settings.items() if k in known} | {"economy": economy.upper()})
        )


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _coerce(current: Any, value: Any) -> Any:
    """A new setting value in the type of the current one (text from the CLI or a form, JSON
    from the API); ``bool("false")`` would be true, so yes/no words are read as such."""
    if isinstance(current, bool) and isinstance(value, str):
        word = value.strip().lower()
        if word not in _TRUE + _FALSE:
            raise ValueError(f"{value!r} is not yes or no")
        return word in _TRUE
    return type(current)(value.strip() if isinstance(value, str) else value)


def save_settings(
    uow: UnitOfWork,
    principal: Principal,
    changes: Mapping[str, Any],
    clock: Clock | None = None,
) -> EcomSettings:
    principal.require(Role.ADMIN, Role.ANALYST)
    current = get_settings(uow, principal.economy)
    fields = EcomSettings.__dataclass_fields__
    errors = [
        FieldError(k, "unknown", f"unknown setting {k}")
        for k in changes
        if k not in fields or k == "economy"
    ]
    if errors:
        raise InvalidInput(errors)
    try:
        new = replace(current, **{k: _coerce(getattr(current, k), v) for k, v in changes.items()})
    except (TypeError, ValueError) as exc:
        raise InvalidInput.single("settings", "invalid", str(exc)) from exc
    for k in ("inspection_rate", "exploration_rate", "tolerance"):
        if not 0 <= getattr(new, k) <= 1:
            errors.append(FieldError(k, "range", f"{k} must lie between 0 and 1"))
    if errors:
        raise InvalidInput(errors)
    now = (clock or uow.clock).now()
    with uow:
        repo = EcommerceRepository(uow.session)
        row = repo.settings(principal.economy)
        data = {k: v for k, v in asdict(new).items() if k != "economy"}
        if row is None:
            repo.add(
                EcomSettingsRow(
                    economy=principal.economy,
                    settings=data,
                    updated_by=principal.user_id,
                    updated_at=now,
                )
            )
        else:
            row.settings, row.updated_by, row.updated_at = data, principal.user_id, now
        uow.commit()
    return new
