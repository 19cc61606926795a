"""A built classifier ready to answer: the engine, its calibration and the nomenclature.

``Suggester.classify`` turns goods descriptions into ranked, calibrated, explained HS 2022
subheadings and says when a description is too vague to classify and what is missing.
Database-free: the national tariff lines are added by the service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from smartcustoms.classify.data import Nomenclature
from smartcustoms.classify.engine import HsClassifier
from smartcustoms.classify.evaluation import Calibration
from smartcustoms.classify.model import (
    Classification,
    GoodsQuery,
    Neighbour,
    Suggestion,
    Vagueness,
)
from smartcustoms.classify.text import compose, content_words, normalise

__all__ = ["MAX_TOP", "Suggester", "vagueness"]

MAX_TOP = 20

# Words that name no goods on their own, and what an officer would ask for.
VAGUE_WORDS: dict[str, str] = {
    "gift": "what the gift is (the product type) and what it is made of",
    "gifts": "what the gifts are (the product type) and what they are made of",
    "present": "what the present is (the product type) and what it is made of",
    "presents": "what the presents are and what they are made of",
    "sample": "what the sample is of, its material and its use",
    "samples": "what the samples are of, their material and their use",
    "parts": "what machine or device the parts are for, and the part itself",
    "part": "what machine or device the part is for, and the part itself",
    "spare": "what machine or device the spare parts are for",
    "spares": "what machine or device the spare parts are for",
    "accessories": "what the accessories are and what they go with",
    "accessory": "what the accessory is and what it goes with",
    "goods": "what the goods are (the product type)",
    "items": "what the items are (the product type)",
    "merchandise": "what the merchandise is (the product type)",
    "stuff": "what the goods are (the product type)",
    "things": "what the goods are (the product type)",
    "personal": "what the personal effects are",
    "effects": "what the personal effects are",
    "clothing": "the garment (shirt, trousers...), knitted or woven, and the fibre",
    "clothes": "the garment (shirt, trousers...), knitted or woven, and the fibre",
    "garment": "the garment (shirt, trousers...), knitted or woven, and the fibre",
    "garments": "the garments (shirts, trousers...), knitted or woven, and the fibre",
    "apparel": "the garment (shirt, trousers...), knitted or woven, and the fibre",
    "documents": "whether these are printed matter, and what kind",
    "equipment": "what the equipment is and what it does",
    "machine": "what the machine does",
    "machinery": "what the machines do",
    "tools": "which tools (hand or power, their function)",
    "electronics": "what the device is and what it does",
    "electronic": "what the device is and what it does",
    "device": "what the device is and what it does",
    "food": "what the food is (product, preparation)",
    "foodstuffs": "what the foodstuffs are (product, preparation)",
    "cosmetics": "which cosmetic (make-up, skin care, hair care...)",
    "toiletries": "which toiletries (soap, shampoo, toothpaste...)",
    "supplies": "what the supplies are",
    "misc": "what the goods are (the product type)",
    "miscellaneous": "what the goods are (the product type)",
    "various": "what the goods are (the product type)",
    "mixed": "what the goods are (the product type)",
    "unit": "what the goods are (the product type)",
    "set": "what the set consists of",
    "kit": "what the kit consists of",
    "material": "which material, and in what form",
    "materials": "which materials, and in what form",
    "plastic": "what the plastic article is (the product type)",
    "metal": "which metal, and what the article is",
    "other": "what the goods are (the product type)",
}

# When the top suggestions split across these codes, this fact decides between them.
DECISIVE: tuple[tuple[tuple[str, ...], str], ...] = (
    (("61", "62"), "whether the fabric is knitted/crocheted or woven, and the fibre"),
    (("7113", "7117"), "the metal: precious (gold, silver, platinum) or base/imitation"),
    (("6402", "6403", "6404", "6405"), "the material of the upper and of the outer sole"),
    (("4202", "3926", "6307"), "the material of the bag or case (leather, plastic, textile)"),
    (("8471", "8517", "8528"), "what the device does (computer, phone, display)"),
    (("9503", "9504", "9506"), "toy, game or sports article, and for what age"),
    (("3303", "3304", "3305", "3307"), "which preparation (perfume, skin care, hair care...)"),
    (("2106", "3004"), "food supplement or medicament (dosage, therapeutic use)"),
)

VAGUE_THRESHOLD = 0.5


def vagueness(
    description: str, category: str | None, detector: float, confidence: float, codes: list[str]
) -> Vagueness:
    text = f"{description} {category or ''}"
    words = content_words(text)
    missing: list[str] = []
    reason = ""
    vague = False
    if not words:
        vague = True
        named = [w for w in normalise(text).split() if w in VAGUE_WORDS]
        reason = (
            f"'{' '.join(named)}' does not say what the goods are"
            if named
            else "the description names no goods"
        )
        missing += list(dict.fromkeys(VAGUE_WORDS[w] for w in named)) or [
            "what the goods are (the product type), their material and use"
        ]
    else:
        unnamed = [w for w in words if w in VAGUE_WORDS]
        if len(unnamed) == len(words):
            vague = True
            reason = f"'{' '.join(words)}' does not say what the goods are"
            missing += list(dict.fromkeys(VAGUE_WORDS[w] for w in unnamed))
        elif detector >= VAGUE_THRESHOLD and confidence < 0.25:
            vague = True
            reason = "too vague to classify: it reads like descriptions customs cannot classify"
            missing.append("what the goods are (the product type), their material and use")
    for family, fact in DECISIVE:
        hit = {
            next(p for p in family if c.startswith(p)) for c in codes[:3] if c.startswith(family)
        }
        if len(hit) > 1 and fact not in missing:
            missing.append(fact)
    return Vagueness(vague, round(float(detector), 4), missing, reason)


@dataclass(slots=True)
class Suggester:
    engine: HsClassifier
    calibration: Calibration
    nomenclature: Nomenclature
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", ""))

    def classify(
        self, queries: Sequence[GoodsQuery], top: int = 5, *, explain: bool = True
    ) -> list[Classification]:
        """Top ``top`` subheadings for each query, in order."""
        top = max(1, min(int(top), MAX_TOP))
        if not queries:
            return []
        texts = [compose(q.description, q.category, q.attributes) for q in queries]
        scored = self.engine.score(texts)
        p, comp = scored.probabilities, scored.components
        codes = self.engine.codes_
        heading_p = _sum_by(p, self.engine.code_heading_, len(self.engine.headings_))
        chapter_p = _sum_by(p, self.engine.code_chapter_, len(self.engine.chapters_))
        out = []
        for i, q in enumerate(queries):
            order = np.argsort(-p[i])[:top]
            row = comp.query.getrow(i)
            sim_row = np.zeros(comp.similarities.shape[1])
            if explain:
                lo, hi = comp.similarities.indptr[i], comp.similarities.indptr[i + 1]
                sim_row[comp.similarities.indices[lo:hi]] = comp.similarities.data[lo:hi]
            suggestions = []
            for j in order:
                code = str(codes[j])
                hp = float(heading_p[i, self.engine.code_heading_[j]])
                cp = float(chapter_p[i, self.engine.code_chapter_[j]])
                suggestions.append(
                    Suggestion(
                        hs_code=code,
                        confidence=self.calibration.confidence(float(p[i, j]), 6),
                        description=self.nomenclature.describe(code),
                        path=self.nomenclature.path(code) if explain else [],
                        matched_words=self.engine.matched_words(row, int(j)) if explain else [],
                        examples=self._examples(sim_row, int(j), comp.neighbours[i])
                        if explain
                        else [],
                        heading_confidence=self.calibration.confidence(hp, 4),
                        chapter_confidence=self.calibration.confidence(cp, 2),
                    )
                )
            best = suggestions[0].confidence if suggestions else 0.0
            flag = vagueness(
                q.description,
                q.category,
                float(comp.vague[i]),
                best,
                [s.hs_code for s in suggestions],
            )
            out.append(Classification(q.description, suggestions, flag, texts[i]))
        return out

    def classify_many(self, texts: Sequence[str], top: int = 3) -> list[Classification]:
        """Batch path for parcels: descriptions only, codes, confidences and the vagueness
        flag without the explanations (the fast path)."""
        return self.classify([GoodsQuery(t) for t in texts], top, explain=False)

    def _examples(
        self, row: Any, code_index: int, neighbours: list[tuple[int, float]]
    ) -> list[Neighbour]:
        found = self.engine.examples_of(row, code_index, neighbours)
        return [
            Neighbour(
                str(self.engine.example_text_[j]),
                str(self.engine.codes_[self.engine.example_code_[j]]),
                str(self.engine.example_source_[j]),
                round(s, 4),
            )
            for j, s in found
        ]


def _sum_by(p: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros((p.shape[0], n))
    np.add.at(out.T, groups, p.T)
    return out


def with_lines(c: Classification, lines: Mapping[str, list[Any]]) -> Classification:
    """The classification with the national tariff lines of each suggested subheading."""
    return replace(
        c,
        suggestions=[
            replace(s, national_lines=list(lines.get(s.hs_code, []))) for s in c.suggestions
        ],
    )
