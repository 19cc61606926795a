"""Use cases for tariff schedules. Each owns its transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core.clock import Clock
from smartcustoms.core.codes import is_currency
from smartcustoms.db.cache import bump, stamp_of
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import FieldError, InvalidInput, NotFound, PermissionDenied
from smartcustoms.tariff import csvio
from smartcustoms.tariff.model import (
    DeMinimisScope,
    Match,
    ScheduleSettings,
    TariffLine,
    TariffSchedule,
)
from smartcustoms.tariff.repository import TariffRepository
from smartcustoms.tariff.tables import TariffScheduleRow


@dataclass(frozen=True, slots=True)
class ScheduleSummary:
    economy: str
    lines: int
    rate_types: list[str]
    settings: ScheduleSettings


def _may_edit(principal: Principal, economy: str) -> None:
    principal.require(Role.ANALYST)
    if principal.economy != economy:
        raise PermissionDenied(f"you may only change the schedule of {principal.economy}")


def stamp_name(economy: str) -> str:
    return f"tariff:{economy.upper()}"


def get_schedule(uow: UnitOfWork, economy: str) -> TariffSchedule | None:
    """The economy's schedule, or None when it has none (tariffs are public: no scoping).

    Every submission needs it, and it has thousands of lines: it is built once per change
    (``set_schedule`` bumps its stamp) and shared read-only, checked with one lookup per use."""
    code = economy.upper()
    with uow:
        repo = TariffRepository(uow.session)
        stamp = stamp_of(uow.session, stamp_name(code))
        return uow.cache.get(("tariff", code), stamp, lambda: repo.schedule(code))


def summary(uow: UnitOfWork, economy: str) -> ScheduleSummary:
    schedule = get_schedule(uow, economy)
    if schedule is None:
        raise NotFound(
            f"no tariff schedule for {economy.upper()}; see 'smartcustoms tariff import'"
        )
    return ScheduleSummary(
        schedule.economy, len(schedule.lines), sorted(schedule.rate_types()), schedule.settings
    )


def check_settings(settings: ScheduleSettings) -> None:
    errors = []
    if settings.vat_rate < 0 or settings.vat_rate > 100:
        errors.append(FieldError("vat_rate", "out_of_range", "VAT must be between 0 and 100 %"))
    if settings.de_minimis_amount is not None:
        if settings.de_minimis_amount < 0:
            errors.append(
                FieldError(
                    "de_minimis_amount", "negative", "the de minimis threshold cannot be negative"
                )
            )
        if not settings.de_minimis_currency or not is_currency(settings.de_minimis_currency):
            errors.append(
                FieldError(
                    "de_minimis_currency",
                    "unknown_currency",
                    "give the ISO 4217 currency of the de minimis threshold",
                )
            )
    if not settings.default_rate_type:
        errors.append(FieldError("default_rate_type", "required", "name the general rate type"))
    if errors:
        raise InvalidInput(errors)


def set_schedule(
    uow: UnitOfWork,
    principal: Principal,
    settings: ScheduleSettings,
    lines: Iterable[TariffLine] | None,
    *,
    clock: Clock | None = None,
) -> ScheduleSummary:
    """Store the settings and (when given) replace every line of the economy's schedule."""
    economy = settings.economy.upper()
    settings = replace(
        settings,
        economy=economy,
        de_minimis_currency=(settings.de_minimis_currency or None)
        and settings.de_minimis_currency.upper(),
    )
    _may_edit(principal, economy)
    check_settings(settings)
    now = (clock or uow.clock).now()
    with uow:
        repo = TariffRepository(uow.session)
        row = repo.settings_row(economy)
        if row is None:
            row = TariffScheduleRow(economy=economy)
            uow.session.add(row)
        row.vat_rate = settings.vat_rate
        row.de_minimis_amount = settings.de_minimis_amount
        row.de_minimis_currency = settings.de_minimis_currency
        row.de_minimis_scope = settings.de_minimis_scope.value
        row.default_rate_type = settings.default_rate_type.upper()
        row.source = settings.source
        row.updated_at = now
        uow.session.flush()
        if lines is not None:
            repo.replace_lines(economy, lines)
        bump(uow.session, stamp_name(economy), now)
        count = repo.line_count(economy)
        schedule = repo.schedule(economy)
        uow.commit()
    assert schedule is not None
    return ScheduleSummary(economy, count, sorted(schedule.rate_types()), schedule.settings)


def import_csv(
    uow: UnitOfWork,
    principal: Principal,
    text: str,
    *,
    economy: str,
    vat_rate: Decimal | None = None,
    de_minimis_amount: Decimal | None = None,
    de_minimis_currency: str | None = None,
    de_minimis_scope: DeMinimisScope | None = None,
    default_rate_type: str | None = None,
    source: str = "",
    clock: Clock | None = None,
) -> ScheduleSummary:
    """Replace the economy's lines with the CSV's (all or nothing); settings not given stay."""
    lines = csvio.parse_csv(text)
    current = get_schedule(uow, economy)
    base = current.settings if current else ScheduleSettings(economy=economy.upper())
    settings = replace(
        base,
        vat_rate=base.vat_rate if vat_rate is None else vat_rate,
        de_minimis_amount=base.de_minimis_amount
        if de_minimis_amount is None
        else de_minimis_amount,
        de_minimis_currency=de_minimis_currency or base.de_minimis_currency,
        de_minimis_scope=de_minimis_scope or base.de_minimis_scope,
        default_rate_type=(default_rate_type or base.default_rate_type).upper(),
        source=source or base.source,
    )
    return set_schedule(uow, principal, settings, lines, clock=clock)


def lookup(
    uow: UnitOfWork, economy: str, hs_code: str, origin: str, claimed: str | None = None
) -> Match:
    """Which line applies to ``hs_code`` from ``origin`` (claiming ``claimed``), and why."""
    schedule = get_schedule(uow, economy)
    if schedule is None:
        raise NotFound(f"no tariff schedule for {economy.upper()}")
    code = hs_code.replace(".", "").replace(" ", "")
    match, _ = schedule.select(code, origin.upper(), claimed.upper() if claimed else None)
    if match is None:
        raise NotFound(
            f"no {schedule.settings.default_rate_type} rate for {code} in the "
            f"{schedule.economy} schedule"
        )
    return match


def export_csv(uow: UnitOfWork, economy: str) -> str:
    schedule = get_schedule(uow, economy)
    if schedule is None:
        raise NotFound(f"no tariff schedule for {economy.upper()}")
    return csvio.write_csv(sorted(schedule.lines, key=lambda ln: (ln.rate_type, ln.hs_prefix)))
