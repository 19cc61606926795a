"""API models of the case repository (input loosely typed: the service validates everything)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from smartcustoms.cases.model import (
    Case,
    CaseSummary,
    CaseVersion,
    SearchPage,
    SimilarCase,
)
from smartcustoms.cases.validation import content_to_dict


class CaseIn(BaseModel):
    """A case's content. Fields are checked by the service, which reports every problem."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "example": {
                "title": "Automated release of low-risk parcels",
                "year": 2026,
                "summary": "Parcels scored as low risk are released on arrival.",
                "problem": "Millions of parcels, few officers.",
                "solution": "A risk model scores every parcel on pre-arrival data.",
                "priority_areas": ["innovation"],
                "themes": ["cross-border-ecommerce", "risk-management-ai"],
                "technologies": ["machine-learning"],
                "outcomes": [
                    {
                        "metric": "Median release time",
                        "before": 26,
                        "after": 2,
                        "unit": "hours",
                        "source": "Administration statistics 2025",
                    }
                ],
            }
        },
    )

    title: Any = None
    economy: Any = Field(None, description="Defaults to your economy; others are refused.")
    year: Any = None
    summary: Any = None
    problem: Any = None
    solution: Any = None
    priority_areas: Any = None
    themes: Any = None
    technologies: Any = None
    implementation: Any = None
    outcomes: Any = None
    lessons: Any = None
    contacts: Any = None
    links: Any = None
    language: Any = None
    example: Any = None


class CommentIn(BaseModel):
    comment: str = ""


class ImportIn(BaseModel):
    cases: list[dict[str, Any]]
    publish: bool = Field(False, description="Publish at once (knowledge managers only).")


class ImportOut(BaseModel):
    created: list[str]
    skipped: list[str]


class VersionOut(BaseModel):
    number: int
    status: str
    created_at: datetime
    created_by: str | None
    submitted_at: datetime | None
    decided_at: datetime | None
    decided_by: str | None
    content: dict[str, Any]


class EventOut(BaseModel):
    action: str
    version: int
    actor: str
    at: datetime
    comment: str


class CaseOut(BaseModel):
    id: str
    slug: str
    economy: str
    status: str
    created_at: datetime
    updated_at: datetime
    versions: list[int]
    published: VersionOut | None
    working: VersionOut | None = Field(
        description="The version under edit or review; only for members of the case's economy."
    )
    events: list[EventOut]


class SummaryOut(BaseModel):
    id: str
    slug: str
    economy: str
    title: str
    year: int
    status: str
    summary: str
    priority_areas: list[str]
    themes: list[str]
    technologies: list[str]
    updated_at: datetime
    example: bool
    has_pending_revision: bool


class ResultOut(BaseModel):
    case: SummaryOut
    score: float
    snippet_html: str = Field(description="HTML-escaped text with <mark> around matches.")


class FacetValueOut(BaseModel):
    value: str
    label: str
    count: int
    selected: bool


class SearchOut(BaseModel):
    query: str
    total: int
    page: int
    size: int
    results: list[ResultOut]
    facets: dict[str, list[FacetValueOut]]
    filters: dict[str, list[str]]


class SimilarOut(BaseModel):
    case: SummaryOut
    score: float
    shared_themes: list[str]
    shared_technologies: list[str]


def version_out(v: CaseVersion | None) -> VersionOut | None:
    if v is None:
        return None
    return VersionOut(
        number=v.number,
        status=v.status.value,
        created_at=v.created_at,
        created_by=v.created_by,
        submitted_at=v.submitted_at,
        decided_at=v.decided_at,
        decided_by=v.decided_by,
        content=content_to_dict(v.content),
    )


def case_out(case: Case) -> CaseOut:
    return CaseOut(
        id=case.id,
        slug=case.slug,
        economy=case.economy,
        status=case.status.value,
        created_at=case.created_at,
        updated_at=case.updated_at,
        versions=list(case.versions),
        published=version_out(case.published),
        working=version_out(case.working),
        events=[
            EventOut(
                action=e.action.value, version=e.version, actor=e.actor, at=e.at, comment=e.comment
            )
            for e in case.events
        ],
    )


def summary_out(s: CaseSummary) -> SummaryOut:
    return SummaryOut(
        id=s.id,
        slug=s.slug,
        economy=s.economy,
        title=s.title,
        year=s.year,
        status=s.status.value,
        summary=s.summary,
        priority_areas=list(s.priority_areas),
        themes=list(s.themes),
        technologies=list(s.technologies),
        updated_at=s.updated_at,
        example=s.example,
        has_pending_revision=s.has_pending_revision,
    )


def search_out(page: SearchPage) -> SearchOut:
    return SearchOut(
        query=page.query,
        total=page.total,
        page=page.page,
        size=page.size,
        results=[
            ResultOut(
                case=summary_out(r.case), score=round(r.score, 6), snippet_html=r.snippet_html
            )
            for r in page.results
        ],
        facets={
            k: [
                FacetValueOut(value=f.value, label=f.label, count=f.count, selected=f.selected)
                for f in v
            ]
            for k, v in page.facets.items()
        },
        filters={k: list(v) for k, v in page.filters.items()},
    )


def similar_out(items: list[SimilarCase]) -> list[SimilarOut]:
    return [
        SimilarOut(
            case=summary_out(s.case),
            score=s.score,
            shared_themes=list(s.shared_themes),
            shared_technologies=list(s.shared_technologies),
        )
        for s in items
    ]
