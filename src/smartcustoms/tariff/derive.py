"""Derive a demonstration tariff schedule from declarations that carry their applied rates.

The Korea Customs Service declaration datasets (profile ``kcs-cdd``) record, per line, the
HS6 code, the rate type the duty was assessed under (``A`` basic, ``C`` WTO, ``FCN1`` the
Korea–China FTA, ...) and the rate applied. That is enough for a *demonstration* schedule:

- one line per (HS6, rate type): the rate seen most often (ties: the lowest);
- rate types starting with ``F`` (free-trade agreements), ``E`` (APTA) or ``R`` (least-developed
  countries) are preferences: only the origins the data shows under them qualify;
  every other rate type is open to any origin;
- ``A`` (the basic rate) is the general rate applied when no preference is claimed.

It is *not* the Korean tariff: rates the data never shows are missing, and the origins of a
preference are only those seen. The schedule says so in its ``source``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from smartcustoms.core.codes import is_country
from smartcustoms.tariff.model import ScheduleSettings, TariffLine

PREFERENCE_PREFIXES = ("F", "E", "R")
KR_DEFAULT_RATE_TYPE = "A"
KR_VAT = Decimal(10)
# Korea's de minimis for duty and VAT on consignments for personal use: USD 150.
KR_DE_MINIMIS = Decimal(150)


@dataclass(frozen=True, slots=True)
class Observation:
    hs6: str
    rate_type: str
    rate: Decimal
    origin: str


def derive_lines(observations: Iterable[Observation]) -> list[TariffLine]:
    rates: dict[tuple[str, str], Counter[Decimal]] = defaultdict(Counter)
    origins: dict[str, set[str]] = defaultdict(set)
    for ob in observations:
        if not (ob.hs6.isdigit() and len(ob.hs6) == 6 and ob.rate_type):
            continue
        rates[(ob.hs6, ob.rate_type)][ob.rate] += 1
        if is_country(ob.origin):
            origins[ob.rate_type].add(ob.origin.upper())
    lines = []
    for (hs6, rate_type), counter in sorted(rates.items()):
        best = max(counter.values())
        rate = min(r for r, n in counter.items() if n == best)
        preference = rate_type.startswith(PREFERENCE_PREFIXES)
        lines.append(
            TariffLine(
                hs_prefix=hs6,
                rate_type=rate_type,
                ad_valorem=rate,
                origins=frozenset(origins[rate_type]) if preference else frozenset(),
                description=f"derived: rate seen {best} of {sum(counter.values())} times",
            )
        )
    return lines


def kr_demo_settings(source: str) -> ScheduleSettings:
    return ScheduleSettings(
        economy="KR",
        vat_rate=KR_VAT,
        de_minimis_amount=KR_DE_MINIMIS,
        de_minimis_currency="USD",
        default_rate_type=KR_DEFAULT_RATE_TYPE,
        source=f"DEMONSTRATION schedule derived from {source}: HS6 -> the rate the data "
        "shows for each rate type; not the Korean tariff",
    )
