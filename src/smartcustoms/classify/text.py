"""Text of a goods description as the classifier reads it: normalised, spelled the way the
nomenclature spells it, stripped of marketplace filler, and enriched with the nomenclature's own
words for the things marketplace listings name differently.

Why this matters (docs/classify.md): listing titles are full of filler ("high quality", "new",
"for women") that matches legal text by accident, and they name goods by the words shoppers use
("hoodie", "sneakers", "fashion jewelry") where the nomenclature says "jerseys, pullovers ...
knitted", "footwear with outer soles of rubber" and "imitation jewellery". The decisive facts are
often attributes (the metal of a ring, knitted or woven, the material of the upper): the rules at
the end add the nomenclature's words for them when the context makes them decisive.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from smartcustoms.reference.loaders.common import fold

__all__ = [
    "FILLER",
    "compose",
    "content_words",
    "normalise",
]

_NON_WORD = re.compile(r"[^a-z0-9%]+")
_TSHIRT = re.compile(r"\bt[\s-]?shirts?\b")  # one token: "shirts" alone is heading 6105

# US (marketplace) spelling -> the nomenclature's British spelling.
SPELLING: dict[str, str] = {
    "jewelry": "jewellery",
    "jewelries": "jewellery",
    "aluminum": "aluminium",
    "color": "colour",
    "colors": "colours",
    "colored": "coloured",
    "fiber": "fibre",
    "fibers": "fibres",
    "tire": "tyre",
    "tires": "tyres",
    "pajamas": "pyjamas",
    "pajama": "pyjama",
    "sulfur": "sulphur",
    "gray": "grey",
    "mold": "mould",
    "molds": "moulds",
    "center": "centre",
    "meter": "metre",
    "meters": "metres",
    "liter": "litre",
    "liters": "litres",
    "catalog": "catalogue",
    "diaper": "napkin",
    "diapers": "napkins",
    "yogurt": "yoghurt",
    "favor": "favour",
    "organizer": "organiser",
    "organizers": "organisers",
    "vapor": "vapour",
    "womens": "women",
    "woman": "women",
    "ladies": "women",
    "lady": "women",
    "mens": "men",
    "man": "men",
    "girl": "girls",
    "boy": "boys",
}

# Words of listing titles that say nothing about what the goods are.
FILLER: frozenset[str] = frozenset(
    """
    a an the and or of for with in on to by at from as is are be this that these those it its
    new newest latest hot sale sales best bestseller top high quality premium luxury cheap
    free shipping fast fashion fashionable style stylish trendy cute beautiful pretty elegant
    classic vintage retro modern simple casual cool popular original genuine authentic official
    brand branded designer unisex adult adults teen teens her him his mom dad mum wife husband
    gift gifts present presents birthday christmas xmas valentine valentines anniversary party
    pcs pc piece pieces set sets pack packs lot lots pair pairs size sizes small medium large
    xl xxl xs s m l 1 2 3 4 5 6 7 8 9 10 100 one two three
    color colour colours colors multicolor multicolour black white red blue green yellow pink
    purple orange brown grey gray silver gold golden beige navy
    amazing perfect great good nice super ultra pro plus mini max edition version model
    item items product products goods 2020 2021 2022 2023 2024 2025 2026 us uk eu
    """.split()  # noqa: SIM905  (a word list reads better as text)
) - {"silver", "gold", "golden"}  # precious metals decide jewellery headings

# Shopper words -> the nomenclature's words (added, never substituted).
EXPANSIONS: dict[str, str] = {
    # jewellery and watches
    "necklace": "jewellery necklaces",
    "necklaces": "jewellery necklaces",
    "pendant": "jewellery pendants",
    "pendants": "jewellery pendants",
    "earring": "jewellery earrings",
    "earrings": "jewellery earrings",
    "ear studs": "jewellery earrings",
    "bracelet": "jewellery bracelets",
    "bracelets": "jewellery bracelets",
    "bangle": "jewellery bracelets",
    "anklet": "jewellery",
    "brooch": "jewellery brooches",
    "charm": "jewellery",
    "fashion jewellery": "imitation jewellery",
    "costume jewellery": "imitation jewellery",
    "fine jewellery": "jewellery precious metal",
    "wristwatch": "wrist watches",
    "smartwatch": "smart watch wrist watches",
    "watch band": "watch straps bands bracelets",
    "watch strap": "watch straps bands bracelets",
    # garments
    "tshirts": "tshirts singlets vests knitted crocheted",
    "tee": "tshirts knitted crocheted",
    "tank top": "singlets vests knitted crocheted",
    "hoodie": "jerseys pullovers sweatshirts knitted crocheted",
    "hoodies": "jerseys pullovers sweatshirts knitted crocheted",
    "sweatshirt": "jerseys pullovers sweatshirts knitted crocheted",
    "sweater": "jerseys pullovers cardigans knitted crocheted",
    "jumper": "jerseys pullovers knitted crocheted",
    "cardigan": "cardigans knitted crocheted",
    "leggings": "trousers knitted crocheted",
    "yoga pants": "trousers knitted crocheted",
    "jeans": "trousers denim cotton",
    "pants": "trousers",
    "shorts": "shorts trousers",
    "bra": "brassieres",
    "bras": "brassieres",
    "panties": "briefs panties knitted crocheted",
    "underwear": "underpants briefs",
    "lingerie": "brassieres briefs nightdresses",
    "socks": "socks hosiery knitted crocheted",
    "tights": "tights pantyhose hosiery knitted",
    "swimsuit": "swimwear",
    "bikini": "swimwear",
    "swimwear": "swimwear",
    "dress": "dresses",
    "skirt": "skirts",
    "blouse": "blouses shirts",
    "coat": "overcoats coats anoraks",
    "jacket": "jackets anoraks wind-jackets",
    "raincoat": "raincoats anoraks",
    "scarf": "shawls scarves",
    "scarves": "shawls scarves",
    "beanie": "hats knitted crocheted headgear",
    "cap": "hats headgear",
    "gloves": "gloves mittens",
    "baby clothes": "babies garments",
    "romper": "babies garments",
    # footwear
    "sneakers": "footwear training shoes tennis shoes outer soles rubber plastics",
    "trainers": "footwear training shoes outer soles rubber plastics",
    "shoes": "footwear",
    "boots": "footwear",
    "sandals": "footwear",
    "slippers": "footwear",
    "heels": "footwear",
    "flip flops": "footwear outer soles uppers rubber plastics",
    # bags, luggage, hair
    "handbag": "handbags",
    "backpack": "rucksacks bags",
    "wallet": "wallets purses",
    "purse": "purses handbags",
    "suitcase": "suitcases trunks",
    "luggage": "suitcases trunks travel",
    "phone case": "cases mobile telephone",
    "wig": "wigs human hair synthetic textile",
    "wigs": "wigs human hair synthetic textile",
    "hair extensions": "wigs false beards hair",
    "eyelashes": "false eyelashes",
    # electronics and computers
    "phone": "telephones cellular networks",
    "smartphone": "telephones cellular networks smartphones",
    "earbuds": "headphones earphones",
    "headset": "headphones earphones microphone",
    "bluetooth speaker": "loudspeakers",
    "laptop": "automatic data processing machines portable",
    "notebook computer": "automatic data processing machines portable",
    "tablet": "automatic data processing machines portable",
    "keyboard": "keyboards input units",
    "mouse": "input units automatic data processing",
    "usb flash drive": "storage units semiconductor",
    "memory card": "semiconductor storage devices",
    "power bank": "lithium ion accumulators",
    "charger": "static converters chargers",
    "usb cable": "insulated electric conductors connectors",
    "led strip": "light-emitting diode LED lamps",
    "light bulb": "lamps",
    "drone": "unmanned aircraft",
    "camera": "cameras",
    "router": "apparatus reception transmission data",
    "monitor": "monitors",
    # home, kitchen, garden
    "mug": "tableware kitchenware",
    "cup": "tableware kitchenware",
    "water bottle": "bottles flasks",
    "pillow": "cushions pillows bedding",
    "blanket": "blankets travelling rugs",
    "bedding": "bed linen",
    "curtain": "curtains",
    "rug": "carpets floor coverings",
    "lamp": "lamps lighting fittings",
    "sofa": "seats",
    "chair": "seats",
    "table": "furniture",
    "vase": "ornamental articles",
    "planter": "pots",
    "garden hose": "tubes pipes hoses",
    # beauty and health
    "lipstick": "lip make-up preparations",
    "mascara": "eye make-up preparations",
    "eyeshadow": "eye make-up preparations",
    "nail polish": "manicure pedicure preparations",
    "perfume": "perfumes toilet waters",
    "shampoo": "shampoos",
    "face cream": "beauty skin care preparations",
    "moisturizer": "beauty skin care preparations",
    "moisturiser": "beauty skin care preparations",
    "serum": "beauty skin care preparations",
    "sunscreen": "sunscreen sun tan preparations",
    "toothbrush": "toothbrushes",
    "razor": "razors",
    "vitamins": "food supplements preparations",
    "supplement": "food supplements preparations",
    # toys, sports, misc
    "toy": "toys",
    "toys": "toys",
    "doll": "dolls",
    "plush": "toys stuffed",
    "puzzle": "puzzles",
    "lego": "construction sets toys",
    "building blocks": "construction sets toys",
    "board game": "games",
    "yoga mat": "gymnastics exercise articles",
    "dumbbell": "gymnastics exercise articles",
    "fishing": "fishing tackle",
    "bicycle": "bicycles",
    "helmet": "safety headgear",
    "sunglasses": "sunglasses spectacles",
    "glasses": "spectacles",
    "umbrella": "umbrellas",
    "pen": "pens ball point",
    "notebook": "notebooks stationery paper",
    "sticker": "labels paper self-adhesive",
    "stickers": "labels paper self-adhesive",
    "pet": "animals",
    "dog collar": "saddlery harness any animal",
    "leash": "saddlery harness any animal",
    "car": "motor vehicles",
    "car accessories": "parts accessories motor vehicles",
    "e cigarette": "electronic cigarettes vaporising",
    "vape": "electronic cigarettes vaporising",
}

# Attribute rules: when the description is about one of ``context`` and mentions one of
# ``facts``, add ``words`` (the nomenclature's wording of the fact that decides the heading).
_SILVER = ("925", "sterling", "sterling silver", "solid silver", "s925")
_PRECIOUS = (
    "18k",
    "14k",
    "10k",
    "9k",
    "24k",
    "solid gold",
    "platinum",
    "750",
    "585",
)
_BASE = (
    "alloy",
    "zinc",
    "stainless",
    "steel",
    "titanium",
    "copper",
    "brass",
    "iron",
    "plated",
    "rhinestone",
    "acrylic",
    "resin",
    "plastic",
    "crystal",
    "glass",
    "imitation",
    "cubic zirconia",
)
_JEWELLERY = ("jewellery", "necklace", "pendant", "earring", "bracelet", "ring", "brooch", "anklet")
_GARMENT = (
    "shirt",
    "dress",
    "trousers",
    "pants",
    "hoodie",
    "sweater",
    "jacket",
    "coat",
    "skirt",
    "blouse",
    "clothing",
    "garment",
    "top",
    "shorts",
    "leggings",
    "pyjama",
    "suit",
)
_FOOTWEAR = ("shoe", "shoes", "footwear", "sneakers", "boots", "sandals", "slippers", "trainers")
_EXPANSION_KEYS = frozenset(EXPANSIONS)
RULES: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    (_JEWELLERY, _SILVER, "jewellery of silver"),
    (_JEWELLERY, _PRECIOUS, "jewellery of precious metal excluding silver gold"),
    (_JEWELLERY, _BASE, "imitation jewellery base metal"),
    (
        _GARMENT,
        ("knit", "knitted", "jersey", "crochet", "crocheted", "spandex", "elastane"),
        "knitted or crocheted",
    ),
    (
        _GARMENT,
        ("woven", "denim", "chiffon", "poplin", "twill", "linen", "satin"),
        "not knitted or crocheted woven",
    ),
    (_GARMENT, ("cotton",), "of cotton"),
    (
        _GARMENT,
        ("polyester", "nylon", "acrylic", "spandex", "elastane", "viscose"),
        "of synthetic fibres man-made fibres",
    ),
    (_GARMENT, ("wool", "cashmere"), "of wool fine animal hair"),
    (_FOOTWEAR, ("leather", "genuine leather", "cowhide", "suede"), "uppers of leather"),
    (
        _FOOTWEAR,
        ("canvas", "mesh", "textile", "fabric", "knit", "knitted"),
        "uppers of textile materials",
    ),
    (
        _FOOTWEAR,
        ("pu", "synthetic", "rubber", "pvc", "eva", "plastic"),
        "outer soles and uppers of rubber or plastics",
    ),
)


def normalise(text: str) -> str:
    """Lower case ASCII words, British spelling; punctuation becomes space."""
    if not text.isascii():
        text = fold(text)  # accents off (and lower case), as everywhere else
    lowered = text.lower().replace("&", " and ").replace("'s", "s")
    lowered = _TSHIRT.sub("tshirts", lowered)
    return " ".join(SPELLING.get(w, w) for w in _NON_WORD.sub(" ", lowered).split())


def content_words(text: str) -> list[str]:
    """The words of ``text`` that may say what the goods are (normalised, filler removed)."""
    return [w for w in normalise(text).split() if w not in FILLER and not w.isdigit()]


def _phrases(words: list[str]) -> set[str]:
    """Every run of one to three words (what lexicon keys are)."""
    out = set(words)
    for n in (2, 3):
        out.update(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    return out


def _expand(phrases: set[str]) -> list[str]:
    singular = {p[:-1] for p in phrases if p.endswith("s") and not p.endswith("ss")}
    return [EXPANSIONS[p] for p in sorted((phrases | singular) & _EXPANSION_KEYS)]


def compose(
    description: str,
    category: str | None = None,
    attributes: Mapping[str, object] | None = None,
) -> str:
    """The text the classifier reads: title, category path, attribute values, and the
    nomenclature's words for what they name."""
    parts = [description]
    if category:
        # "Jewelry & Accessories > Fashion Jewelry > Pendants": the leaf says most.
        levels = [p for p in re.split(r"[>/|]", category) if p.strip()]
        parts += levels + levels[-1:]
    for key, value in (attributes or {}).items():
        if value is None or isinstance(value, (dict, list)):
            continue
        parts.append(f"{key} {value}")
    base = normalise(" ".join(str(p) for p in parts))
    words = base.split()
    phrases = _phrases(words)
    extra = _expand(phrases)
    plural = {w[:-1] for w in words if w.endswith("s")}
    for context, facts, added in RULES:
        if (phrases | plural).isdisjoint(context) or phrases.isdisjoint(facts):
            continue
        extra.append(added)
    return " ".join([base, *extra]).strip()
