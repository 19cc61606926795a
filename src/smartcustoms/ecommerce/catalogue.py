"""What parcels typically hold: goods with their HS 2022 subheading, descriptions as buyers and
platforms write them, a typical price and weight, plus the words that say a description is too
vague. Used by the generator (to make parcels) and by the engine (to see whether a description
fits its declared code): the keyword map is the engine's only knowledge of descriptions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

__all__ = ["CATALOGUE", "PROHIBITED_GOODS", "VAGUE_TERMS", "Product", "keyword_chapters", "words"]


@dataclass(frozen=True, slots=True)
class Product:
    hs6: str
    descriptions: tuple[str, ...]
    median_usd: float
    sigma: float
    kg: float


CATALOGUE: tuple[Product, ...] = (
    Product("851713", ("smartphone", "mobile phone 128gb", "android smartphone"), 180, 0.5, 0.35),
    Product("851830", ("bluetooth earbuds", "wireless headphones", "earphones"), 25, 0.6, 0.15),
    Product("850760", ("power bank 10000mah", "lithium battery pack"), 20, 0.4, 0.3),
    Product("847130", ("laptop computer", "notebook computer 15 inch"), 600, 0.4, 2.0),
    Product("847160", ("wireless mouse", "mechanical keyboard"), 15, 0.5, 0.3),
    Product("852351", ("usb flash drive 64gb", "micro sd memory card"), 8, 0.5, 0.03),
    Product("852589", ("action camera", "digital camera"), 150, 0.5, 0.4),
    Product(
        "950300", ("toy car", "building blocks set", "plush toy bear", "puzzle toy"), 12, 0.6, 0.4
    ),
    Product("950450", ("video game console", "handheld game console"), 250, 0.4, 1.0),
    Product("610910", ("cotton t-shirt", "printed tee shirt"), 8, 0.5, 0.2),
    Product("611020", ("cotton sweater", "knitted pullover"), 20, 0.5, 0.4),
    Product("620342", ("men's cotton jeans", "cotton trousers"), 25, 0.5, 0.6),
    Product("640411", ("running shoes", "sports sneakers"), 35, 0.5, 0.9),
    Product("420222", ("handbag", "tote bag", "shoulder bag"), 25, 0.6, 0.5),
    Product("711719", ("fashion necklace", "earrings", "bracelet"), 5, 0.7, 0.05),
    Product("910211", ("wrist watch", "digital watch"), 30, 0.6, 0.1),
    Product("330499", ("face cream", "skin care serum", "sunscreen lotion"), 15, 0.5, 0.2),
    Product("330410", ("lipstick", "lip gloss"), 8, 0.5, 0.05),
    Product("330300", ("perfume 50ml", "eau de toilette"), 40, 0.5, 0.3),
    Product("392690", ("phone case", "plastic storage box"), 4, 0.6, 0.08),
    Product("851631", ("hair dryer",), 25, 0.4, 0.7),
    Product("850940", ("blender", "juicer"), 40, 0.4, 1.5),
    Product("900410", ("sunglasses",), 10, 0.7, 0.08),
    Product("950662", ("football", "basketball"), 15, 0.4, 0.5),
    Product("482010", ("paper notebook", "diary planner"), 5, 0.5, 0.3),
    Product("490199", ("paperback book", "novel"), 15, 0.4, 0.4),
    Product("630260", ("bath towel", "cotton towel set"), 10, 0.5, 0.5),
    Product("940521", ("led desk lamp", "table lamp"), 20, 0.5, 0.9),
    Product("210690", ("protein powder", "dietary supplement capsules"), 30, 0.4, 1.0),
    Product("854340", ("e-cigarette", "vape pen"), 20, 0.5, 0.1),
)

PROHIBITED_GOODS: tuple[Product, ...] = (
    Product("930400", ("pepper spray", "stun gun"), 15, 0.4, 0.2),
    Product("960110", ("ivory carving",), 120, 0.5, 0.3),
    Product("821193", ("switchblade knife",), 20, 0.4, 0.2),
    Product("120991", ("cannabis seeds",), 30, 0.5, 0.05),
)

VAGUE_TERMS: frozenset[str] = frozenset(
    {
        "gift",
        "gifts",
        "parts",
        "spare parts",
        "sample",
        "samples",
        "accessories",
        "goods",
        "items",
        "item",
        "stuff",
        "merchandise",
        "present",
        "general cargo",
        "personal effects",
        "daily necessities",
        "clothes",
        "other",
    }
)

_WORD = re.compile(r"[a-z][a-z'-]+")
_STOP = frozenset(
    {"with", "and", "for", "set", "pack", "inch", "the", "men's", "women's", "new", "pcs", "mini"}
)


def words(description: str) -> list[str]:
    return [w for w in _WORD.findall(description.lower()) if len(w) >= 3 and w not in _STOP]


@cache
def keyword_chapters() -> dict[str, frozenset[str]]:
    """Word -> the HS chapters whose goods descriptions use it."""
    out: dict[str, set[str]] = {}
    for p in CATALOGUE + PROHIBITED_GOODS:
        for d in p.descriptions:
            for w in words(d):
                out.setdefault(w, set()).add(p.hs6[:2])
    return {w: frozenset(c) for w, c in out.items()}
