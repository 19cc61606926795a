"""Loading: one transaction, provenance recorded, the sample flagged, failures roll back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from smartcustoms.core.clock import FixedClock
from smartcustoms.db.engine import Database
from smartcustoms.errors import DataUnavailable, InvalidInput
from smartcustoms.reference import service
from smartcustoms.reference.sources import (
    FILES,
    SAMPLE_DIR,
    ReferenceSource,
    sample_name,
    sha256_of,
)
from smartcustoms.reference.tables import RefFxRate, RefHsCode, RefLocation


def counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            model.__tablename__: conn.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (RefHsCode, RefFxRate, RefLocation)
        } | {
            "fts": conn.execute(
                text("SELECT count(*) FROM fts_documents WHERE kind = 'ref_hs'")
            ).scalar_one()
        }


def sample_copy(tmp_path: Path) -> Path:
    """The built-in sample laid out as an operator's data directory (published file names)."""
    target = tmp_path / "data"
    for f in FILES:
        (target / f.path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLE_DIR / sample_name(f.path), target / f.path)
    return target


def test_no_data_gives_a_notice(empty_db: Database) -> None:
    notice = service.data_notice(empty_db.uow())
    assert notice is not None and "reference load" in notice


def test_sample_load_is_recorded_and_flagged(empty_db: Database) -> None:
    from datetime import UTC, datetime

    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    seen: list[tuple[str, int, int]] = []
    report = service.load(
        empty_db.uow(),
        ReferenceSource.sample(),
        clock=FixedClock(at),
        progress=lambda name, done, total: seen.append((name, done, total)),
    )
    assert [d.name for d in report.datasets] == ["hs", "countries", "fx", "egl", "unlocode"]
    assert {name for name, _, _ in seen} == {"hs", "countries", "fx", "egl", "unlocode"}
    status = {d.name: d for d in service.status(empty_db.uow())}
    assert status["hs"].is_sample and status["hs"].source == "sample"
    assert status["hs"].loaded_at == at
    assert status["fx"].sha256 == sha256_of(SAMPLE_DIR / sample_name("exchange-rates/monthly.csv"))
    assert not status["countries"].is_sample  # pycountry is complete, not a sample
    notice = service.data_notice(empty_db.uow())
    assert notice is not None and "SAMPLE" in notice
    assert service.hs_lookup(empty_db.uow(), "85").level == 2
    assert "(built-in sample)" in report.summary()


def test_failing_load_leaves_previous_data_intact(empty_db: Database, tmp_path: Path) -> None:
    service.load(empty_db.uow(), ReferenceSource.sample())
    before = counts(empty_db)
    before_status = service.status(empty_db.uow())
    data = sample_copy(tmp_path)
    # Valid HS and FX with fewer rows, then a corrupted UN/LOCODE file: the last dataset fails
    # after the first ones were already written in the same transaction.
    hs_csv = data / "harmonized-system/harmonized-system.csv"
    kept = [line for line in hs_csv.read_text(encoding="utf-8").splitlines() if ",9027" not in line]
    hs_csv.write_text("\n".join(kept) + "\n", encoding="utf-8")
    with (data / "unlocode/unlocode-code-list-2018-1_full.csv").open("a", encoding="utf-8") as f:
        f.write(',"KR","??","Broken",,,,,,,,\n')
    with pytest.raises(DataUnavailable, match=r"unlocode-code-list-2018-1_full\.csv line"):
        service.load(empty_db.uow(), ReferenceSource.from_directory(data))
    assert counts(empty_db) == before
    assert service.status(empty_db.uow()) == before_status
    assert service.hs_lookup(empty_db.uow(), "9027").code == "9027"


def test_corrupted_rates_file_fails_before_anything_changes(
    empty_db: Database, tmp_path: Path
) -> None:
    service.load(empty_db.uow(), ReferenceSource.sample())
    before = counts(empty_db)
    data = sample_copy(tmp_path)
    (data / "exchange-rates/monthly.csv").write_text(
        "Date,Country,Exchange rate\n2021-04-01,South Korea,not-a-number\n", encoding="utf-8"
    )
    with pytest.raises(DataUnavailable, match=r"monthly\.csv line 2"):
        service.load(empty_db.uow(), ReferenceSource.from_directory(data), datasets=["hs", "fx"])
    assert counts(empty_db) == before


def test_only_some_datasets_and_missing_ones(empty_db: Database, tmp_path: Path) -> None:
    data = sample_copy(tmp_path)
    shutil.rmtree(data / "unlocode")
    report = service.load(empty_db.uow(), ReferenceSource.from_directory(data))
    assert "unlocode" in report.skipped and "unlocode" not in {d.name for d in report.datasets}
    with pytest.raises(DataUnavailable, match="unlocode"):
        service.load(empty_db.uow(), ReferenceSource.from_directory(data), datasets=["unlocode"])
    with pytest.raises(InvalidInput, match="hsx"):
        service.load(empty_db.uow(), ReferenceSource.from_directory(data), datasets=["hsx"])
    report = service.load(empty_db.uow(), ReferenceSource.from_directory(data), datasets=["fx"])
    assert [d.name for d in report.datasets] == ["fx"]


def test_egl_needs_hs(empty_db: Database) -> None:
    with pytest.raises(DataUnavailable, match="load the 'hs' dataset first"):
        service.load(empty_db.uow(), ReferenceSource.sample(), datasets=["egl"])


def test_full_unlocode_load(empty_db: Database, shared_data_dir: Path) -> None:
    report = service.load(
        empty_db.uow(), ReferenceSource.from_directory(shared_data_dir), datasets=["unlocode"]
    )
    assert report.datasets[0].rows == counts(empty_db)["ref_locations"] > 100_000
