"""The compiled yearly document: the year's published cases as one PDF, HTML or JSON file.

Layout: cover, foreword slot, table of contents, the cases grouped by priority area (each
case under its first-listed priority area, so it appears once), an index by economy and by
technology, and a summary table of every quantified outcome. The HTML is standalone (inline
CSS, no external resources) and is what WeasyPrint turns into the PDF, so both agree.
Everything authors wrote goes through Jinja's autoescaping.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from smartcustoms.cases.model import PRIORITY_AREAS, TECHNOLOGIES, THEMES, CaseContent, Outcome
from smartcustoms.cases.repository import CasesRepository
from smartcustoms.cases.validation import content_from_stored, content_to_dict
from smartcustoms.core import codes
from smartcustoms.core.clock import Clock
from smartcustoms.db.cache import stamp_of
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import InvalidInput

OutputFormat = Literal["pdf", "html", "json"]
FORMATS: tuple[str, ...] = ("pdf", "html", "json")
# Bumped whenever a version is published: the compiled document is derived from those only.
PUBLISHED_STAMP = "cases:published"
TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_FOREWORD = (
    "This slot is reserved for the foreword of the APEC Sub-Committee on Customs Procedures. "
    "Supply it with --foreword FILE when compiling."
)


@dataclass(frozen=True, slots=True)
class CompiledCase:
    number: str
    anchor: str
    id: str
    slug: str
    economy_name: str
    content: CaseContent


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    label: str
    cases: tuple[CompiledCase, ...]


@dataclass
class CompiledDocument:
    year: int | None
    generated_at: datetime
    foreword: str
    sections: list[Section]
    by_economy: list[tuple[str, list[CompiledCase]]] = field(default_factory=list)
    by_technology: list[tuple[str, list[CompiledCase]]] = field(default_factory=list)
    outcomes: list[tuple[CompiledCase, Outcome]] = field(default_factory=list)

    @property
    def cases(self) -> list[CompiledCase]:
        return [c for s in self.sections for c in s.cases]

    @property
    def title(self) -> str:
        suffix = f" {self.year}" if self.year else ""
        return f"APEC Smart Customs Case Repository{suffix}"


def economy_name(code: str) -> str:
    economy = codes.apec_economy(code)
    return economy.name if economy else (codes.country_name(code) or code)


def build(
    uow: UnitOfWork, year: int | None, *, foreword: str | None = None, clock: Clock | None = None
) -> CompiledDocument:
    """Collect the published cases of ``year`` (all years when None) into the document."""
    with uow:
        rows = CasesRepository(uow.session).published_for_year(year)
        # Plain values out of the rows: they expire when the unit of work closes.
        contents = [(c.id, c.slug, content_from_stored(v.content)) for c, v in rows]
    grouped: dict[str, list[tuple[str, str, CaseContent]]] = {k: [] for k in PRIORITY_AREAS}
    for case_id, slug, content in contents:
        grouped[content.priority_areas[0]].append((case_id, slug, content))
    sections = []
    for s_index, (key, members) in enumerate(((k, m) for k, m in grouped.items() if m), start=1):
        members.sort(key=lambda m: (economy_name(m[2].economy), m[2].title))
        sections.append(
            Section(
                key,
                PRIORITY_AREAS[key],
                tuple(
                    CompiledCase(
                        f"{s_index}.{i}",
                        f"case-{slug}",
                        case_id,
                        slug,
                        economy_name(content.economy),
                        content,
                    )
                    for i, (case_id, slug, content) in enumerate(members, start=1)
                ),
            )
        )
    doc = CompiledDocument(
        year,
        (clock or uow.clock).now(),
        foreword.strip() if foreword and foreword.strip() else DEFAULT_FOREWORD,
        sections,
    )
    economies: dict[str, list[CompiledCase]] = {}
    technologies: dict[str, list[CompiledCase]] = {}
    for case in doc.cases:
        economies.setdefault(case.economy_name, []).append(case)
        for tech in case.content.technologies:
            technologies.setdefault(TECHNOLOGIES.get(tech, tech), []).append(case)
        doc.outcomes += [(case, o) for o in case.content.outcomes]
    doc.by_economy = sorted(economies.items())
    doc.by_technology = sorted(technologies.items())
    return doc


def _paragraphs(text: str) -> Markup:
    """Plain text to escaped paragraphs: blank lines separate paragraphs, newlines break."""
    blocks = [b.strip() for b in str(text).replace("\r\n", "\n").split("\n\n") if b.strip()]
    return Markup("").join(
        Markup("<p>")
        + Markup("<br>").join(escape(line) for line in b.split("\n"))
        + Markup("</p>\n")
        for b in blocks
    )


def _figure(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["paragraphs"] = _paragraphs
    env.filters["figure"] = _figure
    env.globals.update(themes=THEMES, technologies=TECHNOLOGIES, priority_areas=PRIORITY_AREAS)
    return env


def render_html(doc: CompiledDocument) -> str:
    return environment().get_template("compiled.html").render(doc=doc)


def render_pdf(doc: CompiledDocument) -> bytes:
    from weasyprint import HTML  # imported late: loading pango takes a moment

    pdf = HTML(string=render_html(doc), base_url=str(TEMPLATES)).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def render_json(doc: CompiledDocument) -> dict[str, Any]:
    def ref(c: CompiledCase) -> dict[str, str]:
        return {"number": c.number, "id": c.id, "slug": c.slug, "title": c.content.title}

    return {
        "title": doc.title,
        "year": doc.year,
        "generated_at": doc.generated_at.isoformat(),
        "foreword": doc.foreword,
        "table_of_contents": [
            {"priority_area": s.key, "label": s.label, "cases": [ref(c) for c in s.cases]}
            for s in doc.sections
        ],
        "sections": [
            {
                "priority_area": s.key,
                "label": s.label,
                "cases": [
                    {**ref(c), "economy_name": c.economy_name, **content_to_dict(c.content)}
                    for c in s.cases
                ],
            }
            for s in doc.sections
        ],
        "index_by_economy": {name: [c.number for c in cs] for name, cs in doc.by_economy},
        "index_by_technology": {name: [c.number for c in cs] for name, cs in doc.by_technology},
        "outcomes": [
            {
                "case": c.number,
                "title": c.content.title,
                "economy": c.content.economy,
                "metric": o.metric,
                "before": o.before,
                "after": o.after,
                "unit": o.unit,
                "source": o.source,
            }
            for c, o in doc.outcomes
        ],
    }


def compile_document(
    uow: UnitOfWork,
    year: int | None,
    fmt: str,
    *,
    foreword: str | None = None,
    clock: Clock | None = None,
) -> bytes:
    """The document as bytes in ``fmt`` (pdf, html or json)."""
    if fmt not in FORMATS:
        raise InvalidInput.single(
            "format", "unknown_format", f"'{fmt}' is not a format; use pdf, html or json"
        )
    if foreword is None and clock is None:
        # The public document: rendered once per publication (a PDF takes seconds), shared
        # by every request and worker until a case is published (which bumps the stamp).
        with uow:
            stamp = stamp_of(uow.session, PUBLISHED_STAMP)
            return uow.cache.get(
                ("cases:compiled", year, fmt), stamp, lambda: _render(uow, year, fmt, None, None)
            )
    return _render(uow, year, fmt, foreword, clock)


def _render(
    uow: UnitOfWork, year: int | None, fmt: str, foreword: str | None, clock: Clock | None
) -> bytes:
    doc = build(uow, year, foreword=foreword, clock=clock)
    if fmt == "pdf":
        return render_pdf(doc)
    if fmt == "html":
        return render_html(doc).encode("utf-8")
    return (json.dumps(render_json(doc), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
