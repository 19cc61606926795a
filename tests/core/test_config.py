from pathlib import Path

import pytest
from pydantic import ValidationError

from smartcustoms.config import PLACEHOLDER_SECRET, Settings


def test_database_defaults_to_sqlite_in_home(tmp_path: Path) -> None:
    s = Settings(home=tmp_path)
    assert s.effective_database_url == f"sqlite:///{tmp_path / 'smartcustoms.db'}"


def test_reads_prefixed_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SMARTCUSTOMS_DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("SMARTCUSTOMS_DATA_DIR", str(tmp_path))
    s = Settings()
    assert s.effective_database_url == "postgresql://u@h/db"
    assert s.data_dir == tmp_path


def test_placeholder_secret_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key=PLACEHOLDER_SECRET)
    assert Settings(environment="production", secret_key="x" * 40).secret_key == "x" * 40
    assert Settings(environment="development").secret_key == PLACEHOLDER_SECRET
