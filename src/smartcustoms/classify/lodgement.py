"""The classifier at lodgement: does each item's description fit its declared code?

:class:`DescriptionCheck` is the :class:`~smartcustoms.declarations.lanes.SignalSource`
port the entry points pass to ``declarations.service.submit`` / ``validate``. An item whose
description reads confidently like another heading, while its declared heading gets almost no
probability, raises the ``hs_description_mismatch`` signal: a warning naming the likely code
for the trader, a criterion selectivity rules can match (``"signal":
"hs_description_mismatch"``), and a reason with the explanation for the officer. Vague
descriptions raise nothing (there is nothing to contradict), and without a built model the
check is silent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from smartcustoms.classify.model import GoodsQuery, Mismatch
from smartcustoms.classify.store import CURRENT, ModelStore
from smartcustoms.classify.suggester import Suggester
from smartcustoms.declarations.lanes import Signal
from smartcustoms.declarations.model import Declaration

__all__ = ["MISMATCH", "DescriptionCheck", "LazySuggester", "find_mismatches"]

log = logging.getLogger(__name__)
MISMATCH = "hs_description_mismatch"
LIKELY_HEADING_CONFIDENCE = 0.5
DECLARED_HEADING_PROBABILITY = 0.05


def find_mismatches(
    suggester: Suggester,
    items: Sequence[tuple[str, str]],
    *,
    likely_confidence: float = LIKELY_HEADING_CONFIDENCE,
    declared_probability: float = DECLARED_HEADING_PROBABILITY,
) -> list[Mismatch]:
    """``items``: (description, declared code). A mismatch when the best suggestion's heading
    is confident (calibrated) and the declared heading gets almost no probability."""
    todo = [(i, d, c) for i, (d, c) in enumerate(items) if d.strip() and len(c) >= 6]
    if not todo:
        return []
    results = suggester.classify([GoodsQuery(d) for _, d, _ in todo], top=5)
    scored = suggester.engine.score([r.text_read for r in results]).probabilities
    codes = suggester.engine.codes_
    headings = np.asarray([c[:4] for c in codes])
    out = []
    for (i, description, declared), result, p in zip(todo, results, scored, strict=True):
        if result.vagueness.vague or not result.suggestions:
            continue
        best = result.suggestions[0]
        if best.hs_code[:4] == declared[:4] or best.heading_confidence < likely_confidence:
            continue
        heading_p = float(p[headings == declared[:4]].sum())
        if heading_p >= declared_probability:
            continue
        ranks = [s.hs_code for s in result.suggestions]
        rank = ranks.index(declared[:6]) + 1 if declared[:6] in ranks else None
        words = ", ".join(best.matched_words[:4])
        example = (
            f"; e.g. '{best.examples[0].text}' is {best.examples[0].hs_code}"
            if (best.examples)
            else ""
        )
        explanation = (
            f"the description '{description}' reads like {best.hs_code[:4]}.{best.hs_code[4:]} "
            f"({best.description}; heading confidence {best.heading_confidence:.0%}), not the "
            f"declared {declared[:4]}.{declared[4:6]} (heading probability {heading_p:.1%}); "
            f"matched words: {words}{example}"
        )
        out.append(
            Mismatch(
                item=i,
                declared=declared[:6],
                likely=best.hs_code,
                likely_confidence=best.heading_confidence,
                declared_rank=rank,
                declared_probability=round(heading_p, 4),
                explanation=explanation,
            )
        )
    return out


class LazySuggester:
    """Loads the current model on first use and again when a newer build becomes current;
    None while no model is built. One per app instance or CLI run (never module-global)."""

    def __init__(self, store: ModelStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._loaded: tuple[str, Suggester] | None = None

    @classmethod
    def under(cls, home: Path) -> LazySuggester:
        return cls(ModelStore.under(home))

    def __call__(self) -> Suggester | None:
        if not (self.store.root / CURRENT).is_file():
            return None
        version = self.store.current()
        if version is None:
            return None
        with self._lock:
            if self._loaded is None or self._loaded[0] != version:
                self._loaded = (version, self.store.load(version))
            return self._loaded[1]


@dataclass(frozen=True, slots=True)
class DescriptionCheck:
    """The SignalSource port for lodging; tolerates the model being absent (no signals)."""

    suggester: Callable[[], Suggester | None]

    def __call__(self, declaration: Declaration) -> list[Signal]:
        return self.many([declaration])[0]

    def many(self, declarations: Sequence[Declaration]) -> list[list[Signal]]:
        """One classifier pass over every item of ``declarations`` (a bulk import's chunk)."""
        out: list[list[Signal]] = [[] for _ in declarations]
        try:
            model = self.suggester()
        except Exception:  # an advisory check never stops a lodgement (a damaged model file)
            log.exception("HS classifier could not be loaded; lodging without the check")
            return out
        if model is None:
            return out
        owners = [(k, i) for k, d in enumerate(declarations) for i in range(len(d.items))]
        items = [(it.description or "", it.hs_code or "") for d in declarations for it in d.items]
        for m in find_mismatches(model, items):
            k, i = owners[m.item]
            out[k].append(_signal(i, m))
        return out


def _signal(item: int, m: Mismatch) -> Signal:
    return Signal(
        name=MISMATCH,
        item=item,
        path=f"items[{item}].hs_code",
        message=f"item {item + 1}: likely HS {m.likely[:4]}.{m.likely[4:]}: " + m.explanation,
        detail={
            "declared": m.declared,
            "likely": m.likely,
            "likely_confidence": m.likely_confidence,
            "declared_probability": m.declared_probability,
            "declared_rank": m.declared_rank,
        },
    )
