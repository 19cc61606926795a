"""Where reference data comes from: data directory, download cache, sample, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartcustoms.config import Settings
from smartcustoms.errors import DataUnavailable
from smartcustoms.reference import sources
from smartcustoms.reference.sources import DataFile, ReferenceSource, resolve


def test_data_dir_wins(tmp_path: Path, shared_data_dir: Path) -> None:
    source = resolve(Settings(home=tmp_path, data_dir=shared_data_dir), allow_sample=False)
    assert source.kind == "directory" and not source.missing


def test_missing_data_dir_explains_the_layout(tmp_path: Path) -> None:
    with pytest.raises(DataUnavailable) as info:
        resolve(Settings(home=tmp_path, data_dir=tmp_path / "nope"), allow_sample=True)
    message = info.value.message
    assert "SMARTCUSTOMS_DATA_DIR=/path/to/data" in message
    assert "harmonized-system/harmonized-system.csv" in message


def test_download_failure_explains_and_sample_is_the_fallback(tmp_path: Path) -> None:
    # Port 9 on loopback refuses at once: a download that cannot work, without the network.
    dead = [
        DataFile(
            "hs",
            "harmonized-system/harmonized-system.csv",
            "0" * 64,
            "http://127.0.0.1:9/harmonized-system.csv",
        )
    ]
    with pytest.raises(DataUnavailable) as info:
        sources.download(tmp_path / "cache", dead)
    assert "SMARTCUSTOMS_DATA_DIR" in info.value.message


def test_cached_files_with_the_pinned_hash_are_reused(
    tmp_path: Path, shared_data_dir: Path
) -> None:
    cache = tmp_path / "cache"
    for f in sources.FILES:
        target = cache / f.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((shared_data_dir / f.path).read_bytes())
    source = sources.download(cache)  # every hash matches: nothing is fetched
    assert source.kind == "download" and not source.missing


def test_sample_source_has_every_dataset() -> None:
    sample = ReferenceSource.sample()
    assert sample.is_sample and not sample.missing


def test_an_empty_data_dir_variable_means_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `make` exports SMARTCUSTOMS_DATA_DIR= when ../shared/data is absent (issue 8, defect 1).
    monkeypatch.setenv("SMARTCUSTOMS_DATA_DIR", "")
    monkeypatch.setenv("SMARTCUSTOMS_DATABASE_URL", "  ")
    settings = Settings(home=tmp_path)
    assert settings.data_dir is None
    assert settings.effective_database_url.endswith("smartcustoms.db")


def test_a_directory_without_the_reference_files_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()  # a checkout, say: a directory, but not a data directory
    with pytest.raises(DataUnavailable) as info:
        resolve(Settings(home=tmp_path, data_dir=tmp_path), allow_sample=True)
    message = info.value.message
    assert "does not hold the reference files" in message
    assert "exchange-rates/monthly.csv" in message and "harmonized-system" in message


def test_offline_without_a_data_dir_falls_back_to_the_sample(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, data_dir=None, offline=True)
    assert resolve(settings, allow_sample=True).is_sample
    with pytest.raises(DataUnavailable):
        resolve(settings, allow_sample=False)
