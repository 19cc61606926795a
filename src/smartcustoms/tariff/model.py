"""Tariff schedules as plain objects, and the longest-prefix match that picks a line."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal


class SpecificUnit(enum.StrEnum):
    KG = "kg"
    UNIT = "unit"


class DeMinimisScope(enum.StrEnum):
    """What a consignment at or below the threshold is relieved of."""

    DUTY = "duty"
    DUTY_AND_TAX = "duty_and_tax"


MIN_PREFIX, MAX_PREFIX = 2, 10


@dataclass(frozen=True, slots=True)
class TariffLine:
    """One rate: for HS codes starting with ``hs_prefix`` under rate type ``rate_type``.

    ``origins`` empty means any origin; otherwise the line (a preference) is only for goods
    originating in one of those countries. A specific duty is in the economy's currency per
    kilogram of net mass or per unit of quantity and adds to the ad valorem duty.
    """

    hs_prefix: str
    rate_type: str
    ad_valorem: Decimal = Decimal(0)
    specific_amount: Decimal | None = None
    specific_unit: SpecificUnit | None = None
    origins: frozenset[str] = field(default_factory=frozenset)
    description: str = ""

    def accepts_origin(self, origin: str) -> bool:
        return not self.origins or origin in self.origins


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    economy: str
    vat_rate: Decimal = Decimal(0)
    """VAT/GST in percent, charged on customs value + duty."""
    de_minimis_amount: Decimal | None = None
    de_minimis_currency: str | None = None
    de_minimis_scope: DeMinimisScope = DeMinimisScope.DUTY_AND_TAX
    default_rate_type: str = "MFN"
    """The rate type applied when no preference is claimed (or a claim does not hold)."""
    source: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    line: TariffLine
    why: str


class TariffSchedule:
    """An economy's settings and lines, indexed for longest-prefix lookups."""

    def __init__(self, settings: ScheduleSettings, lines: Iterable[TariffLine]) -> None:
        self.settings = settings
        self.lines: list[TariffLine] = list(lines)
        self._index: dict[tuple[str, str], TariffLine] = {
            (ln.rate_type, ln.hs_prefix): ln for ln in self.lines
        }

    @property
    def economy(self) -> str:
        return self.settings.economy

    def rate_types(self) -> set[str]:
        return {rate_type for rate_type, _ in self._index}

    def longest(self, hs_code: str, rate_type: str) -> TariffLine | None:
        """The line of ``rate_type`` whose prefix is the longest one ``hs_code`` starts with."""
        for length in range(min(len(hs_code), MAX_PREFIX), MIN_PREFIX - 1, -1):
            line = self._index.get((rate_type, hs_code[:length]))
            if line is not None:
                return line
        return None

    def select(self, hs_code: str, origin: str, claimed: str | None) -> tuple[Match | None, str]:
        """The line to apply, and a note when a claimed preference could not be granted."""
        note = ""
        if claimed and claimed != self.settings.default_rate_type:
            line = self.longest(hs_code, claimed)
            if line is not None and line.accepts_origin(origin):
                return Match(line, f"rate type {claimed} claimed, origin {origin}"), ""
            if line is None:
                note = f"no {claimed} rate for {hs_code} in the {self.economy} schedule"
            else:
                note = f"origin {origin} does not qualify for {claimed}"
        default = self.longest(hs_code, self.settings.default_rate_type)
        if default is None:
            return None, note
        why = f"{self.settings.default_rate_type} (general) rate"
        return Match(default, why + (f"; {note}" if note else "")), note
