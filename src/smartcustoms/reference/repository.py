"""Queries over the reference tables. Never commits: the service owns the transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.orm import Session

from smartcustoms.reference.tables import (
    RefCountry,
    RefCountryGroup,
    RefCurrency,
    RefDataset,
    RefEgl,
    RefFxRate,
    RefHsCode,
    RefHsSection,
    RefLocation,
)

CHUNK = 5000


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


def replace_all(
    session: Session,
    model: type[Any],
    rows: Iterable[Mapping[str, Any]],
    on_chunk: Callable[[int], None] | None = None,
    chunk: int = CHUNK,
) -> int:
    """Delete every row of ``model`` and insert ``rows`` in chunks (executemany); the count."""
    table = _table(model)
    session.execute(delete(table))
    done = 0
    batch: list[Mapping[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            session.execute(insert(table), batch)
            done += len(batch)
            batch = []
            if on_chunk:
                on_chunk(done)
    if batch:
        session.execute(insert(table), batch)
        done += len(batch)
    if on_chunk:
        on_chunk(done)
    return done


# --- datasets -------------------------------------------------------------------------------


def save_dataset(
    session: Session,
    *,
    name: str,
    source: str,
    location: str,
    files: dict[str, str],
    rows: int,
    loaded_at: datetime,
    is_sample: bool,
) -> RefDataset:
    record = session.get(RefDataset, name) or RefDataset(name=name)
    record.source = source
    record.location = location
    record.sha256 = next(iter(files.values()), "")
    record.files = json.dumps(files, sort_keys=True)
    record.rows = rows
    record.loaded_at = loaded_at
    record.is_sample = is_sample
    session.add(record)
    session.flush()
    return record


def datasets(session: Session) -> Sequence[RefDataset]:
    return session.scalars(select(RefDataset).order_by(RefDataset.name)).all()


def sample_or_empty(session: Session) -> tuple[int, int]:
    """(datasets loaded, of which built-in sample): one cheap query for every page."""
    row = session.execute(
        select(func.count(), func.count().filter(RefDataset.is_sample.is_(True)))
    ).one()
    return int(row[0]), int(row[1])


# --- HS -------------------------------------------------------------------------------------


def hs_get(session: Session, code: str) -> RefHsCode | None:
    return session.get(RefHsCode, code)


def hs_many(session: Session, codes: Iterable[str]) -> dict[str, RefHsCode]:
    wanted = list(dict.fromkeys(codes))
    out: dict[str, RefHsCode] = {}
    for start in range(0, len(wanted), 900):
        part = wanted[start : start + 900]
        for row in session.scalars(select(RefHsCode).where(RefHsCode.code.in_(part))):
            out[row.code] = row
    return out


def hs_children(session: Session, code: str) -> Sequence[RefHsCode]:
    return session.scalars(
        select(RefHsCode).where(RefHsCode.parent == code).order_by(RefHsCode.code)
    ).all()


def hs_codes_of_level(session: Session, level: int) -> list[str]:
    return list(session.scalars(select(RefHsCode.code).where(RefHsCode.level == level)))


def hs_codes_known(session: Session, codes: Collection[str], level: int) -> list[str]:
    """Those of ``codes`` that are HS codes of ``level`` (looked up, not all loaded)."""
    wanted = sorted(codes)
    out: list[str] = []
    for start in range(0, len(wanted), 900):
        part = wanted[start : start + 900]
        out += session.scalars(
            select(RefHsCode.code).where(RefHsCode.level == level, RefHsCode.code.in_(part))
        )
    return out


def hs_codes_with_prefix(session: Session, prefix: str, level: int) -> list[str]:
    return list(
        session.scalars(
            select(RefHsCode.code)
            .where(RefHsCode.level == level, RefHsCode.code.startswith(prefix, autoescape=True))
            .order_by(RefHsCode.code)
        )
    )


def hs_section(session: Session, roman: str) -> RefHsSection | None:
    return session.get(RefHsSection, roman)


def hs_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(RefHsCode)) or 0)


# --- exchange rates -------------------------------------------------------------------------


def fx_rate(session: Session, currency: str, month: date) -> RefFxRate | None:
    return session.get(RefFxRate, (currency, month))


def fx_rates(session: Session, currency: str, months: Sequence[date]) -> dict[date, RefFxRate]:
    out: dict[date, RefFxRate] = {}
    for start in range(0, len(months), 900):
        part = months[start : start + 900]
        stmt = select(RefFxRate).where(RefFxRate.currency == currency, RefFxRate.month.in_(part))
        for row in session.scalars(stmt):
            out[row.month] = row
    return out


def fx_currencies(session: Session) -> list[str]:
    return list(session.scalars(select(RefFxRate.currency).distinct().order_by(RefFxRate.currency)))


def fx_range(session: Session, currency: str) -> tuple[date | None, date | None]:
    row = session.execute(
        select(func.min(RefFxRate.month), func.max(RefFxRate.month)).where(
            RefFxRate.currency == currency
        )
    ).one()
    return row[0], row[1]


# --- countries and currencies ---------------------------------------------------------------


def countries(session: Session) -> Sequence[RefCountry]:
    return session.scalars(select(RefCountry).order_by(RefCountry.code)).all()


def group_members(session: Session, group: str) -> dict[str, RefCountryGroup]:
    stmt = select(RefCountryGroup).where(RefCountryGroup.group_code == group)
    return {g.country_code: g for g in session.scalars(stmt)}


def currencies(session: Session) -> Sequence[RefCurrency]:
    return session.scalars(select(RefCurrency).order_by(RefCurrency.code)).all()


def currency_exists(session: Session, code: str) -> bool:
    return session.get(RefCurrency, code) is not None


# --- environmental goods --------------------------------------------------------------------


def egl_for(session: Session, code: str) -> Sequence[RefEgl]:
    return session.scalars(
        select(RefEgl).where(RefEgl.code == code).order_by(RefEgl.derivation, RefEgl.listed_code)
    ).all()


def egl_all(session: Session) -> Sequence[RefEgl]:
    return session.scalars(select(RefEgl).order_by(RefEgl.code, RefEgl.listed_code)).all()


# --- locations ------------------------------------------------------------------------------


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def locations_by_code(session: Session, code: str) -> Sequence[RefLocation]:
    return session.scalars(
        select(RefLocation).where(RefLocation.code == code).order_by(RefLocation.id)
    ).all()


def locations_by_name(
    session: Session,
    key: str,
    country: str | None,
    limit: int,
    *,
    contains: bool,
    exclude: Iterable[int] = (),
) -> Sequence[RefLocation]:
    pattern = ("%" if contains else "") + _escape_like(key) + "%"
    stmt = select(RefLocation).where(RefLocation.name_key.like(pattern, escape="\\"))
    if country:
        stmt = stmt.where(RefLocation.country == country)
    skip = list(exclude)
    if skip:
        stmt = stmt.where(RefLocation.id.not_in(skip))
    stmt = stmt.order_by(func.length(RefLocation.name_key), RefLocation.name_key, RefLocation.id)
    return session.scalars(stmt.limit(limit)).all()


def location_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(RefLocation)) or 0)
