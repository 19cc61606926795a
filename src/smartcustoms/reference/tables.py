"""ORM mapping of the reference data. Every table starts with ``ref_``.

The test fixtures keep ``ref_`` tables between tests (reference data is loaded once per
session), so the prefix is a contract, not a style choice.

Exchange rates are stored as decimal *text*: SQLite has no exact decimal type, and a rate
that came in as ``1117.8555`` must come back as exactly that on both databases.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smartcustoms.db.base import Base, UTCDateTime


class RefDataset(Base):
    """One row per dataset: where the loaded data came from, and when."""

    __tablename__ = "ref_datasets"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    files: Mapped[str] = mapped_column(Text)  # JSON object: file name -> SHA-256
    rows: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    is_sample: Mapped[bool] = mapped_column(Boolean)


class RefHsSection(Base):
    __tablename__ = "ref_hs_sections"

    roman: Mapped[str] = mapped_column(String(6), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)


class RefHsCode(Base):
    """HS 2022 chapters (level 2), headings (4) and subheadings (6)."""

    __tablename__ = "ref_hs"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    level: Mapped[int] = mapped_column(Integer)
    section: Mapped[str | None] = mapped_column(String(6))
    parent: Mapped[str | None] = mapped_column(String(6), index=True)


class RefCountry(Base):
    __tablename__ = "ref_countries"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    alpha3: Mapped[str] = mapped_column(String(3))
    numeric: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(200))
    official_name: Mapped[str | None] = mapped_column(String(300))


class RefCountryGroup(Base):
    """Named groups of countries (``APEC``: the 21 member economies, with APEC's names)."""

    __tablename__ = "ref_country_groups"

    group_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    country_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    member_name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str | None] = mapped_column(String(3))


class RefCurrency(Base):
    __tablename__ = "ref_currencies"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    numeric: Mapped[str | None] = mapped_column(String(3))


class RefFxRate(Base):
    """Monthly average rate of one currency, normalised to units per 1 USD."""

    __tablename__ = "ref_fx_rates"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    per_usd: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(40))  # exactly as in the file
    source_quote: Mapped[str] = mapped_column(String(20))
    source_name: Mapped[str] = mapped_column(String(60))  # the file's "Country" column


class RefEgl(Base):
    """HS 2022 subheadings that are APEC environmental goods, with the listed HS 2007 code."""

    __tablename__ = "ref_egl"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    listed_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    derivation: Mapped[str] = mapped_column(String(60))


class RefLocation(Base):
    """UN/LOCODE entries. A code can appear more than once (names in two languages)."""

    __tablename__ = "ref_locations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(5), index=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    name: Mapped[str] = mapped_column(String(120))
    name_ascii: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120), index=True)  # lower-cased ASCII name
    subdivision: Mapped[str | None] = mapped_column(String(10))
    functions: Mapped[str] = mapped_column(String(8))
    status: Mapped[str | None] = mapped_column(String(2))
    iata: Mapped[str | None] = mapped_column(String(3))
    coordinates: Mapped[str | None] = mapped_column(String(20))
    change: Mapped[str | None] = mapped_column(String(2))
