"""Countries and currencies from pycountry (ISO 3166-1, ISO 4217), and the APEC group."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pycountry

from smartcustoms.core.codes import APEC_ECONOMIES


@dataclass(frozen=True, slots=True)
class CountryData:
    countries: list[dict[str, object]]
    currencies: list[dict[str, object]]
    groups: list[dict[str, object]]
    files: list[Path]
    version: str


def parse() -> CountryData:
    countries = [
        {
            "code": c.alpha_2,
            "alpha3": c.alpha_3,
            "numeric": c.numeric,
            "name": c.name,
            "official_name": getattr(c, "official_name", None),
        }
        for c in pycountry.countries
    ]
    currencies = [
        {"code": c.alpha_3, "name": c.name, "numeric": getattr(c, "numeric", None)}
        for c in pycountry.currencies
    ]
    groups: list[dict[str, object]] = [
        {
            "group_code": "APEC",
            "country_code": e.code,
            "member_name": e.name,
            "currency": e.currency,
        }
        for e in APEC_ECONOMIES
    ]
    database = Path(pycountry.DATABASE_DIR)
    files = [database / "iso3166-1.json", database / "iso4217.json"]
    return CountryData(countries, currencies, groups, [f for f in files if f.is_file()], _version())


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pycountry")
    except PackageNotFoundError:  # pragma: no cover - vendored copies
        return "unknown"
