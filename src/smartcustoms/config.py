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
    # API bearer tokens live this many days unless issued with another lifetime.
    api_token_days: int = Field(90, ge=1, le=3650)
    # Login throttling: failures per account and per client within the window, then a lockout.
    login_window_minutes: int = Field(15, ge=1)
    login_max_failures_account: int = Field(5, ge=1)
    login_max_failures_client: int = Field(30, ge=1)
    login_lockout_minutes: int = Field(15, ge=1)
    # Request bodies: refused with 413 before parsing. Uploads and imports get the larger limit.
    max_body_bytes: int = Field(2 * 1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(32 * 1024 * 1024, ge=1024)
    # Expensive anonymous endpoints (the compiled case document): requests per client per minute.
    anonymous_expensive_per_minute: int = Field(6, ge=1)
    host: str = "127.0.0.1"
    port: int = 8000
    # The web app sends the exchange outbox every so many seconds (0: only on request).
    exchange_deliver_every: float = 15.0
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
