"""The read API other features use (e-commerce parcels): classify many descriptions at once.

    from smartcustoms.classify.queries import ParcelClassifier
    classifier = ParcelClassifier.under(settings.home)   # once per app / job, cheap
    codes = classifier.classify_many(["100 ariel pods", "gift"])

Each answer says the likely subheading with its calibrated confidence, whether the description
is too vague to classify (hold the parcel for information) and what is missing. Without a built
model every answer is None: the caller decides (for example: hold for information).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from smartcustoms.classify.lodgement import LazySuggester
from smartcustoms.classify.suggester import Suggester

__all__ = ["ParcelClassification", "ParcelClassifier"]


@dataclass(frozen=True, slots=True)
class ParcelClassification:
    hs_code: str
    """The most likely HS 2022 subheading (6 digits)."""
    confidence: float
    heading_confidence: float
    chapter_confidence: float
    vague: bool
    """Too vague to classify: hold for information."""
    missing: tuple[str, ...]
    alternatives: tuple[tuple[str, float], ...]
    """The next subheadings with their confidences."""


@dataclass(frozen=True, slots=True)
class ParcelClassifier:
    suggester: Callable[[], Suggester | None]

    @classmethod
    def under(cls, home: Path) -> ParcelClassifier:
        return cls(LazySuggester.under(home))

    @property
    def available(self) -> bool:
        return self.suggester() is not None

    def classify_many(
        self, texts: Sequence[str], top: int = 3, *, chunk: int = 512
    ) -> list[ParcelClassification | None]:
        """One answer per text, in order (None for an empty text or when no model is built)."""
        model = self.suggester()
        out: list[ParcelClassification | None] = [None] * len(texts)
        if model is None:
            return out
        todo = [(i, t) for i, t in enumerate(texts) if isinstance(t, str) and t.strip()]
        for start in range(0, len(todo), chunk):
            part = todo[start : start + chunk]
            for (i, _), c in zip(part, model.classify_many([t for _, t in part], top), strict=True):
                best, rest = c.suggestions[0], c.suggestions[1:]
                out[i] = ParcelClassification(
                    hs_code=best.hs_code,
                    confidence=best.confidence,
                    heading_confidence=best.heading_confidence,
                    chapter_confidence=best.chapter_confidence,
                    vague=c.vagueness.vague,
                    missing=tuple(c.vagueness.missing),
                    alternatives=tuple((s.hs_code, s.confidence) for s in rest),
                )
        return out
