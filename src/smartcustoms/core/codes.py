"""Country, currency and APEC economy codes (ISO 3166-1 alpha-2, ISO 4217)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pycountry


@dataclass(frozen=True, slots=True)
class Economy:
    code: str
    name: str
    currency: str


# The 21 APEC member economies with the ISO codes their customs administrations use.
APEC_ECONOMIES: tuple[Economy, ...] = (
    Economy("AU", "Australia", "AUD"),
    Economy("BN", "Brunei Darussalam", "BND"),
    Economy("CA", "Canada", "CAD"),
    Economy("CL", "Chile", "CLP"),
    Economy("CN", "China", "CNY"),
    Economy("HK", "Hong Kong, China", "HKD"),
    Economy("ID", "Indonesia", "IDR"),
    Economy("JP", "Japan", "JPY"),
    Economy("KR", "Republic of Korea", "KRW"),
    Economy("MY", "Malaysia", "MYR"),
    Economy("MX", "Mexico", "MXN"),
    Economy("NZ", "New Zealand", "NZD"),
    Economy("PG", "Papua New Guinea", "PGK"),
    Economy("PE", "Peru", "PEN"),
    Economy("PH", "The Philippines", "PHP"),
    Economy("RU", "Russia", "RUB"),
    Economy("SG", "Singapore", "SGD"),
    Economy("TW", "Chinese Taipei", "TWD"),
    Economy("TH", "Thailand", "THB"),
    Economy("US", "United States", "USD"),
    Economy("VN", "Viet Nam", "VND"),
)
APEC_CODES: frozenset[str] = frozenset(e.code for e in APEC_ECONOMIES)


def apec_economy(code: str) -> Economy | None:
    code = code.upper()
    return next((e for e in APEC_ECONOMIES if e.code == code), None)


@cache
def country_codes() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


@cache
def currency_codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def is_country(code: str) -> bool:
    return code.upper() in country_codes()


def is_currency(code: str) -> bool:
    return code.upper() in currency_codes()


def country_name(code: str) -> str | None:
    country = pycountry.countries.get(alpha_2=code.upper())
    return None if country is None else str(country.name)
