"""The knowledge the classifier learns from: the HS 2022 nomenclature (through the reference
feature's parser) and the labelled goods descriptions of ``hs-text/`` in the data directory.

Every labelled description becomes an :class:`Example` (text, HS 2022 subheading, source,
group). The group is what held-out splits keep together (the first content word of a parcel
description is usually its brand or product family), so an evaluation never scores a
description whose near-twin was learned.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from smartcustoms.classify.model import PathStep
from smartcustoms.classify.text import content_words
from smartcustoms.errors import DataUnavailable
from smartcustoms.reference.loaders.common import read_text
from smartcustoms.reference.loaders.hs import parse as parse_hs

__all__ = [
    "HS_FILES",
    "TEXT_FILES",
    "Corpus",
    "Example",
    "Nomenclature",
    "platform_examples",
    "read_corpus",
    "read_corpus_files",
]

HS_FILES = ("harmonized-system/harmonized-system.csv", "harmonized-system/sections.csv")
TEXT_FILES = (
    "hs-text/uk-search_references.json",
    "hs-text/uk-extra_references.csv",
    "hs-text/uk-brands.csv",
    "hs-text/uk-vague_terms.csv",
    "hs-text/eu-cn-nomenclature-en.csv",
)
NOMENCLATURE_SOURCES = ("hs", "cn")


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    hs6: str
    source: str
    """``hs`` / ``cn`` (nomenclature texts), ``uk-search``, ``uk-parcel``, ``uk-brand``,
    ``platform`` (accepted declarations)."""
    group: str


@dataclass(frozen=True, slots=True)
class Nomenclature:
    """HS 2022: code -> (description, section numeral); section numeral -> name."""

    codes: dict[str, tuple[str, str | None]]
    sections: dict[str, str]

    def subheadings(self) -> list[str]:
        return sorted(c for c in self.codes if len(c) == 6)

    def describe(self, code: str) -> str:
        entry = self.codes.get(code)
        return entry[0] if entry else ""

    def path(self, hs6: str) -> list[PathStep]:
        """Section -> chapter -> heading -> subheading (the levels the table has)."""
        steps: list[PathStep] = []
        chapter = self.codes.get(hs6[:2])
        if chapter and chapter[1]:
            steps.append(PathStep("section", chapter[1], self.sections.get(chapter[1], "")))
        for level, n in (("chapter", 2), ("heading", 4), ("subheading", 6)):
            entry = self.codes.get(hs6[:n])
            if entry:
                steps.append(PathStep(level, hs6[:n], entry[0]))
        return steps


@dataclass(slots=True)
class Corpus:
    nomenclature: Nomenclature
    examples: list[Example]
    vague: list[str]
    fingerprint: str
    files: dict[str, str] = field(default_factory=dict)
    """Relative path -> SHA-256 of every file read."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _hs6(raw: str, known: Collection[str]) -> str | None:
    digits = "".join(ch for ch in str(raw) if ch.isdigit())
    if len(digits) % 2:  # spreadsheets drop the leading zero of chapters 01-09
        digits = "0" + digits
    code = digits[:6]
    return code if len(code) == 6 and code in known else None


def _group(text: str) -> str:
    words = content_words(text)
    return words[0] if words else text.strip().lower()[:12]


def read_nomenclature(data_dir: Path) -> Nomenclature:
    hs_csv, sections_csv = (data_dir / f for f in HS_FILES)
    for path in (hs_csv, sections_csv):
        if not path.is_file():
            raise DataUnavailable(f"the HS nomenclature is missing: {path}")
    data = parse_hs(hs_csv, sections_csv)
    sections = {str(s["roman"]): str(s["name"]) for s in data.sections}
    codes: dict[str, tuple[str, str | None]] = {}
    for rec in data.codes:
        section = rec["section"]
        codes[str(rec["code"])] = (str(rec["description"]), str(section) if section else None)
    return Nomenclature(codes, sections)


def _nomenclature_examples(nom: Nomenclature, wanted: set[str]) -> Iterable[Example]:
    for code in sorted(wanted):
        heading = nom.describe(code[:4])
        yield Example(f"{nom.describe(code)} ; {heading}", code, "hs", "nomenclature")


def _cn_examples(path: Path, nom: Nomenclature, wanted: set[str]) -> Iterable[Example]:
    reader = csv.DictReader(io.StringIO(read_text(path)))
    for row in reader:
        code = _hs6(row.get("goods_code") or "", wanted)
        description = " ".join((row.get("description") or "").replace("|", " ").split())
        level = (row.get("hier_pos") or "").strip()
        if code is None or level not in ("6", "8", "10") or not description:
            continue
        if description.lower().rstrip(":") in ("other", "others"):
            continue
        yield Example(f"{description} ; {nom.describe(code[:4])}", code, "cn", "nomenclature")


def _labelled(data_dir: Path, wanted: set[str]) -> Iterable[Example]:
    search = data_dir / TEXT_FILES[0]
    if search.is_file():
        for text, code in json.loads(read_text(search)).items():
            hs6 = _hs6(code, wanted)
            if hs6:
                yield Example(text, hs6, "uk-search", _group(text))
    extra = data_dir / TEXT_FILES[1]
    if extra.is_file():
        rows = csv.reader(io.StringIO(read_text(extra)))
        next(rows, None)
        for row in rows:
            if len(row) >= 2 and (hs6 := _hs6(row[1], wanted)):
                yield Example(row[0], hs6, "uk-parcel", _group(row[0]))
    brands = data_dir / TEXT_FILES[2]
    if brands.is_file():
        for fields in csv.DictReader(io.StringIO(read_text(brands))):
            brand_row: dict[str, str] = dict(fields)
            hs6 = _hs6(brand_row.get("CMDTYCODE") or "", wanted)
            text = " ".join(
                (brand_row.get(k) or "").strip()
                for k in ("GDSDESC", "Description for context / augmenting")
            ).strip()
            if hs6 and text:
                brand = (brand_row.get("GDSDESC (Brand / Product)") or text).split()
                yield Example(text, hs6, "uk-brand", (brand[0] if brand else text).lower())


def _vague(data_dir: Path) -> list[str]:
    path = data_dir / TEXT_FILES[3]
    if not path.is_file():
        return []
    rows = csv.reader(io.StringIO(read_text(path)))
    return [row[0].strip() for row in rows if row and row[0].strip()]


def platform_examples(pairs: Iterable[tuple[str, str]]) -> list[Example]:
    """Examples from the platform's cleared declarations: (description, declared code)."""
    return [Example(text, code[:6], "platform", _group(text)) for text, code in pairs]


def read_corpus_files(data_dir: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of the files a build reads (to tell whether data changed)."""
    return {
        rel: _sha256(data_dir / rel) for rel in HS_FILES + TEXT_FILES if (data_dir / rel).is_file()
    }


def read_corpus(
    data_dir: Path,
    *,
    chapters: Collection[str] | None = None,
    extra: Iterable[Example] = (),
) -> Corpus:
    """Everything under ``data_dir`` the classifier learns from; ``chapters`` restricts it
    (tests build on a slice), ``extra`` adds examples (the platform's accepted declarations)."""
    data_dir = Path(data_dir)
    nom = read_nomenclature(data_dir)
    wanted = {c for c in nom.subheadings() if chapters is None or c[:2] in chapters}
    examples = list(_nomenclature_examples(nom, wanted))
    cn = data_dir / TEXT_FILES[4]
    if cn.is_file():
        examples += _cn_examples(cn, nom, wanted)
    examples += _labelled(data_dir, wanted)
    examples += [e for e in extra if e.hs6 in wanted]
    files = read_corpus_files(data_dir)
    digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode())
    digest.update(json.dumps(sorted(chapters or [])).encode())
    digest.update(str(len(examples)).encode())
    return Corpus(nom, examples, _vague(data_dir), digest.hexdigest(), files)
