"""Reference queries on the session's reference data, on SQLite and PostgreSQL.

Expected values are read from the shared data files, never typed in.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from smartcustoms.db.engine import Database
from smartcustoms.errors import InvalidInput, NotFound
from smartcustoms.reference import service


def file_rate(data_dir: Path, country: str, month: str) -> Decimal:
    with (data_dir / "exchange-rates/monthly.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["Country"] == country and row["Date"] == month:
                return Decimal(row["Exchange rate"])
    raise AssertionError(f"{country} {month} not in the file")


def test_hs_lookup_gives_ancestors_children_and_section(db: Database) -> None:
    entry = service.hs_lookup(db.uow(), "8507.60")
    assert (entry.code, entry.level, entry.parent) == ("850760", 6, "8507")
    assert [(a.code, a.level) for a in entry.ancestors] == [("85", 2), ("8507", 4)]
    assert entry.section is not None and entry.section.roman == "XVI"
    heading = service.hs_lookup(db.uow(), "8507")
    assert "850760" in {c.code for c in heading.children}
    assert all(c.level == 6 for c in heading.children)


def test_unknown_hs_code_names_it_and_suggests(db: Database) -> None:
    with pytest.raises(NotFound) as info:
        service.hs_lookup(db.uow(), "850799")
    assert "8507.99" in info.value.message and "8507.90" in info.value.message


def test_hs_search_ranks_lithium_ion_accumulators(db: Database, shared_data_dir: Path) -> None:
    hits = service.hs_search(db.uow(), "lithium ion battery", limit=5)
    assert "850760" in [h.code for h in hits]
    assert any("<mark>" in h.snippet_html for h in hits)


def test_hs_known_and_suggest(db: Database, shared_data_dir: Path) -> None:
    codes = [f"{n:06d}" for n in range(10000, 20000)]  # 10k candidates in one call
    known = service.hs_known(db.uow(), [*codes, "850760", "8507.60"])
    assert "850760" in known and "010121" in known and "019999" not in known
    assert service.hs_suggest(db.uow(), "850799", n=2) == ["850790", "850780"]


def test_convert_krw_to_usd_uses_that_months_rate(db: Database, shared_data_dir: Path) -> None:
    krw = file_rate(shared_data_dir, "South Korea", "2021-04-01")
    result = service.convert(db.uow(), Decimal(1_000_000), "krw", "USD", date(2021, 4, 15))
    assert [(r.currency, r.month, r.per_usd) for r in result.rates_used] == [
        ("KRW", date(2021, 4, 1), krw)
    ]
    assert result.result == (Decimal(1_000_000) / krw).quantize(Decimal("0.0001"))


def test_convert_through_usd_and_euro_is_worth_more_than_a_dollar(
    db: Database, shared_data_dir: Path
) -> None:
    result = service.convert(db.uow(), Decimal(100), "EUR", "JPY", date(2021, 4, 30))
    assert [r.currency for r in result.rates_used] == ["EUR", "JPY"]
    eur, jpy = (r.per_usd for r in result.rates_used)
    assert result.result == (Decimal(100) / eur * jpy).quantize(Decimal("0.0001"))
    in_usd = service.convert(db.uow(), Decimal(100), "EUR", "USD", date(2021, 4, 1))
    assert in_usd.result > 100  # guards against inverting an already per-USD quote
    assert service.convert(db.uow(), Decimal(5), "USD", "USD", date(1900, 1, 1)).rates_used == []


def test_bulk_rates_skip_months_without_a_rate(db: Database, shared_data_dir: Path) -> None:
    months = [date(2021, m, 10) for m in range(1, 4)] + [date(1950, 1, 1)]
    rates = service.rates_per_usd(db.uow(), "KRW", months)
    assert set(rates) == {date(2021, 1, 1), date(2021, 2, 1), date(2021, 3, 1)}
    assert rates[date(2021, 1, 1)] == file_rate(shared_data_dir, "South Korea", "2021-01-01")


def test_convert_rejects_unknown_currencies_all_at_once(db: Database) -> None:
    with pytest.raises(InvalidInput) as info:
        service.convert(db.uow(), Decimal(1), "XYZ", "ABC", date(2021, 4, 1))
    assert [e.path for e in info.value.errors] == ["from_currency", "to_currency"]
    assert "'XYZ'" in info.value.errors[0].message


def test_missing_rate_names_currency_and_month(db: Database) -> None:
    with pytest.raises(NotFound, match=r"PGK in 2021-04"):
        service.convert(db.uow(), Decimal(1), "PGK", "USD", date(2021, 4, 1))
    with pytest.raises(NotFound, match=r"KRW in 1950-01"):
        service.rate_per_usd(db.uow(), "KRW", date(1950, 1, 5))


def test_environmental_goods(db: Database, shared_data_dir: Path) -> None:
    split = service.egl(db.uow(), "854141")
    assert (split.is_environmental, split.listed_code) == (True, "854140")
    assert split.derivation == "split from listed HS 2007 subheading"
    assert service.egl(db.uow(), "9027.89").listed_code == "902780"
    listed = service.egl(db.uow(), "841919")
    assert (listed.listed_code, listed.derivation) == ("841919", "listed")
    assert service.egl(db.uow(), "850760").is_environmental is False
    with pytest.raises(InvalidInput):
        service.egl(db.uow(), "8541")
    codes = {m.code for m in service.egl_list(db.uow())}
    assert {"854141", "854149", "902781"} <= codes


def test_locations_by_code_and_name(db: Database, shared_data_dir: Path) -> None:
    assert service.locations_search(db.uow(), "KR PUS")[0].name == "Busan"
    by_name = service.locations_search(db.uow(), "busan", country="kr")
    assert by_name[0].code == "KRPUS" and all(loc.country == "KR" for loc in by_name)
    accents = service.locations_search(db.uow(), "PUSPOKLADANY")
    assert accents and accents[0].name == "Püspökladány"
    contains = service.locations_search(db.uow(), "ngapore", limit=5)
    assert "SGSIN" in {loc.code for loc in contains}
    assert service.location(db.uow(), "krpus").country == "KR"
    with pytest.raises(NotFound):
        service.location(db.uow(), "ZZZZZ")
    with pytest.raises(InvalidInput):
        service.locations_search(db.uow(), "busan", country="KOR")


def test_countries_currencies_and_apec(db: Database) -> None:
    apec = service.apec_economies(db.uow())
    assert len(apec) == 21 and {"KR", "CN", "US"} <= {c.code for c in apec}
    assert "KRW" in {c.code for c in service.currencies(db.uow())}


def test_status_and_notice_for_full_data(db: Database, shared_data_dir: Path) -> None:
    status = {d.name: d for d in service.status(db.uow())}
    assert set(status) == {"hs", "countries", "fx", "egl", "unlocode"}
    assert status["unlocode"].rows > 100_000 and not status["hs"].is_sample
    assert len(status["hs"].sha256) == 64 and status["hs"].source == "directory"
    assert service.data_notice(db.uow()) is None
