"""Identifiers: random, URL-safe, sortable enough for humans to read out on the phone."""

from __future__ import annotations

import secrets
import uuid


def new_id() -> str:
    """A 32-character hex id (UUID4). Stored as text so SQLite and PostgreSQL agree."""
    return uuid.uuid4().hex


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
