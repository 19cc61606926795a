"""Named periods: the built-in ones (five-year plans) and those an economy defines, and
turning a period text into a :class:`~smartcustoms.stats.model.Period`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core.clock import Clock
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import FieldError, InvalidInput
from smartcustoms.stats.model import BUILTIN_PERIODS, Period, parse_period
from smartcustoms.stats.repository import StatsRepository
from smartcustoms.stats.tables import StatsPeriodRow

__all__ = ["NamedPeriodInfo", "define_period", "list_periods", "named_periods", "period_of"]

READERS = (Role.ANALYST, Role.OFFICER)


def named_periods(uow: UnitOfWork, economy: str) -> dict[str, tuple[str, date, date]]:
    with uow:
        return {
            r.code: (r.label, r.first_month, r.last_month)
            for r in StatsRepository(uow.session).periods(economy)
        }


def period_of(uow: UnitOfWork, economy: str, text: str, path: str = "period") -> Period:
    return parse_period(text, path, named_periods(uow, economy))


@dataclass(frozen=True, slots=True)
class NamedPeriodInfo:
    code: str
    label: str
    first: date
    last: date
    builtin: bool


def list_periods(uow: UnitOfWork, principal: Principal) -> list[NamedPeriodInfo]:
    principal.require(*READERS)
    own = named_periods(uow, principal.economy)
    out = [
        NamedPeriodInfo(c, p.label, date(p.first_year, 1, 1), date(p.last_year, 12, 1), True)
        for c, p in BUILTIN_PERIODS.items()
        if c not in own
    ]
    out += [NamedPeriodInfo(c, lab, a, b, False) for c, (lab, a, b) in own.items()]
    return sorted(out, key=lambda x: (x.first, x.code))


def define_period(
    uow: UnitOfWork,
    principal: Principal,
    code: str,
    label: str,
    months: str,
    *,
    clock: Clock | None = None,
) -> NamedPeriodInfo:
    """Name a run of months (``2021-01..2025-12``) for this economy, e.g. a national plan."""
    principal.require(Role.ANALYST)
    problems: list[FieldError] = []
    key = (code or "").strip().upper()
    if not re.fullmatch(r"[A-Z][A-Z0-9_-]{1,19}", key):
        problems.append(
            FieldError(
                "code", "malformed_code", "2-20 letters, digits, - or _, starting with a letter"
            )
        )
    if not (label or "").strip() or len(label) > 200:
        problems.append(FieldError("label", "required", "give a label of 1 to 200 characters"))
    span: Period | None = None
    try:
        span = parse_period(months, "months")
    except InvalidInput as exc:
        problems.extend(exc.errors)
    if problems:
        raise InvalidInput(problems)
    assert span is not None
    now = (clock or uow.clock).now()
    with uow:
        repo = StatsRepository(uow.session)
        row = repo.period(principal.economy, key)
        if row is None:
            row = StatsPeriodRow(economy=principal.economy, code=key, created_at=now)
            repo.add(row)
        row.label, row.first_month, row.last_month = label.strip(), span.first, span.last
        row.created_by, row.created_at = principal.user_id, now
        uow.commit()
        return NamedPeriodInfo(key, row.label, span.first, span.last, False)
