"""API models of /api/v1/classify."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = ["ClassifyOut", "ClassifyResultOut"]


class ClassifyResultOut(BaseModel):
    index: int
    description: str | None = None
    suggestions: list[dict[str, Any]] = Field(default_factory=list)
    vagueness: dict[str, Any] | None = None
    text_read: str | None = None
    error: dict[str, Any] | None = None


class ClassifyOut(BaseModel):
    model: str
    results: list[ClassifyResultOut]
