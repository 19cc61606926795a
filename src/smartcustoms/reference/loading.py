"""Writing each dataset into its tables, inside the caller's transaction.

Every function parses its files completely before touching the database, so a malformed
file fails before any delete; and the service runs all of them in one transaction, so a
failure in a later dataset rolls back the earlier ones too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from smartcustoms.db.fulltext import FullTextIndex
from smartcustoms.errors import DataUnavailable
from smartcustoms.reference import repository as repo
from smartcustoms.reference.loaders import countries as countries_loader
from smartcustoms.reference.loaders import egl as egl_loader
from smartcustoms.reference.loaders import fx as fx_loader
from smartcustoms.reference.loaders import hs as hs_loader
from smartcustoms.reference.loaders import unlocode as unlocode_loader
from smartcustoms.reference.sources import ReferenceSource, sha256_of
from smartcustoms.reference.tables import (
    RefCountry,
    RefCountryGroup,
    RefCurrency,
    RefEgl,
    RefFxRate,
    RefHsCode,
    RefHsSection,
    RefLocation,
)

HS_FTS_KIND = "ref_hs"
Report = Callable[[int, int], None]
"""(done, total) for the dataset being loaded; total 0 while unknown."""


@dataclass
class Loaded:
    rows: int
    files: dict[str, str]
    """File (relative to the source, or the package file) -> SHA-256."""
    location: str
    notes: list[str] = field(default_factory=list)


def _hashes(source: ReferenceSource, paths: list[Path]) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in paths:
        try:
            key = str(p.relative_to(source.root))
        except ValueError:
            key = str(p)
        out[key] = sha256_of(p)
    return out


def load_hs(session: Session, source: ReferenceSource, report: Report) -> Loaded:
    paths = source.require("hs")
    hs_csv = source.path("harmonized-system/harmonized-system.csv")
    sections_csv = source.path("harmonized-system/sections.csv")
    data = hs_loader.parse(hs_csv, sections_csv)
    total = len(data.codes)
    report(0, total)
    repo.replace_all(session, RefHsSection, data.sections)
    rows = repo.replace_all(session, RefHsCode, data.codes, lambda n: report(n, total))
    index = FullTextIndex(session, HS_FTS_KIND)
    index.clear()
    index.add_many(data.documents)
    return Loaded(rows, _hashes(source, paths), source.location)


def load_countries(session: Session, source: ReferenceSource, report: Report) -> Loaded:
    data = countries_loader.parse()
    total = len(data.countries) + len(data.currencies)
    report(0, total)
    n = repo.replace_all(session, RefCountry, data.countries)
    n += repo.replace_all(session, RefCurrency, data.currencies)
    repo.replace_all(session, RefCountryGroup, data.groups)
    report(n, total)
    files = {f"pycountry {data.version}/{p.name}": sha256_of(p) for p in data.files}
    return Loaded(
        len(data.countries),
        files,
        f"pycountry {data.version}",
        [f"{len(data.currencies)} currencies, {len(data.groups)} APEC economies"],
    )


def load_fx(session: Session, source: ReferenceSource, report: Report) -> Loaded:
    paths = source.require("fx")
    data = fx_loader.parse(source.path("exchange-rates/monthly.csv"))
    total = len(data.rows)
    report(0, total)
    rows = repo.replace_all(session, RefFxRate, data.rows, lambda n: report(n, total))
    return Loaded(
        rows,
        _hashes(source, paths),
        source.location,
        [f"quote orientation: {data.orientation_evidence}"],
    )


def load_egl(session: Session, source: ReferenceSource, report: Report) -> Loaded:
    paths = source.require("egl")
    listed = egl_loader.parse(source.path("apec-egl/apec_egl_hs2007_codes.txt"))
    subheadings = repo.hs_codes_of_level(session, 6)
    if not subheadings:
        raise DataUnavailable(
            "the environmental goods list is mapped onto HS 2022 subheadings, and none are "
            "loaded: load the 'hs' dataset first (or together: --only hs,egl)"
        )
    rows, unmapped = egl_loader.map_to_current(listed, subheadings)
    report(0, len(rows))
    n = repo.replace_all(session, RefEgl, rows)
    report(n, len(rows))
    notes = [f"{len(listed)} listed HS 2007 subheadings -> {n} HS 2022 subheadings"]
    if unmapped:
        notes.append("not found in the loaded HS: " + ", ".join(unmapped))
    return Loaded(len(listed), _hashes(source, paths), source.location, notes)


def load_unlocode(session: Session, source: ReferenceSource, report: Report) -> Loaded:
    paths = source.require("unlocode")
    path = source.path("unlocode/unlocode-code-list-2018-1_full.csv")
    # Parse fully first: a bad line near the end must fail before the old rows are deleted.
    rows = list(unlocode_loader.parse(path))
    total = len(rows)
    report(0, total)
    n = repo.replace_all(session, RefLocation, rows, lambda done: report(done, total))
    return Loaded(n, _hashes(source, paths), source.location)


LOADERS: dict[str, Callable[[Session, ReferenceSource, Report], Loaded]] = {
    "hs": load_hs,
    "countries": load_countries,
    "fx": load_fx,
    "egl": load_egl,
    "unlocode": load_unlocode,
}
