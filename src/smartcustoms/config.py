"""Settings, read once from the environment (prefix ``SMARTCUSTOMS_``) and passed in.

Nothing else in the package reads ``os.environ``: entry points build a :class:`Settings`
and hand it down, so tests can run several differently configured instances side by side.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me-in-production"
Environment = Literal["development", "test", "production"]


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("smartcustoms", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SMARTCUSTOMS_", extra="ignore")

    environment: Environment = "development"
    home: Path = Field(default_factory=_default_home)
    database_url: str | None = None
    data_dir: Path | None = None
    secret_key: str = PLACEHOLDER_SECRET
    # Web sessions (cookie) and API tokens expire; tokens may also be revoked.
    session_hours: int = 12
    host: str = "127.0.0.1"
    port: int = 8000
    offline: bool = False
    """Never download reference data (air-gapped): a data directory, else the built-in sample."""

    @field_validator("data_dir", "database_url", mode="before")
    @classmethod
    def _empty_means_unset(cls, value: object) -> object:
        # `make` exports SMARTCUSTOMS_DATA_DIR= when ../shared/data is absent: an empty value
        # is "not set", never Path('') == Path('.') (the current directory taken as data).
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.environment == "production" and self.secret_key in ("", PLACEHOLDER_SECRET):
            raise ValueError(
                "SMARTCUSTOMS_SECRET_KEY is still the placeholder; set a long random value "
                "before running with SMARTCUSTOMS_ENVIRONMENT=production"
            )
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'smartcustoms.db'}"

    @property
    def cache_dir(self) -> Path:
        """Where downloaded reference files are kept when no data directory is given."""
        return self.home / "data-cache"

    @property
    def files_dir(self) -> Path:
        """Uploaded attachments and generated artefacts (models, reports)."""
        return self.home / "files"
