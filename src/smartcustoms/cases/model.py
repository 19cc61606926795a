"""The Smart Customs Case Repository's domain: a case, its versions, its review workflow.

Pure dataclasses and vocabularies; no SQLAlchemy or FastAPI here. A *case* is the stable
identity (id, slug, economy); its text lives in numbered *versions*. At most one version is
published (what everyone, also without login, reads) and at most one is the working version
(a draft, submitted, or returned for changes). Editing a published case opens a new working
version, so the published text stays visible until the new one is approved.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from smartcustoms.accounts.model import Principal, Role


class CaseStatus(enum.StrEnum):
    """The status of one version (and of a case: the status of its working version)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"  # a knowledge manager asked for changes
    PUBLISHED = "published"
    SUPERSEDED = "superseded"  # an older published version, kept for the record


class ReviewAction(enum.StrEnum):
    CREATED = "created"
    EDITED = "edited"
    SUBMITTED = "submitted"
    COMMENTED = "commented"
    RETURNED = "returned"
    APPROVED = "approved"
    IMPORTED = "imported"
    ATTACHED = "attached"
    DETACHED = "detached"


# Who may draft and submit: the customs administration's own staff. Declarants are traders and
# brokers, not authors of their administration's practices, so they are left out.
CONTRIBUTOR_ROLES: tuple[Role, ...] = (
    Role.OFFICER,
    Role.ANALYST,
    Role.KNOWLEDGE_MANAGER,
    Role.ADMIN,
)
REVIEWER_ROLES: tuple[Role, ...] = (Role.KNOWLEDGE_MANAGER,)  # admin passes every check


def is_contributor(principal: Principal | None) -> bool:
    return principal is not None and principal.has(*CONTRIBUTOR_ROLES)


def is_reviewer(principal: Principal | None) -> bool:
    return principal is not None and principal.has(*REVIEWER_ROLES)


# --- vocabularies ------------------------------------------------------------------------------
# Controlled vocabularies keep the facets clean ("AI" and "artificial intelligence" would
# otherwise be two facet values). Add entries here; the slug is what files and the API use.

PRIORITY_AREAS: dict[str, str] = {
    "openness": "Openness",
    "innovation": "Innovation",
    "cooperation": "Cooperation",
}

THEMES: dict[str, str] = {
    "paperless-trade": "Paperless trade",
    "cross-border-ecommerce": "Cross-border e-commerce",
    "green-trade": "Green trade",
    "risk-management-ai": "Risk management and AI",
    "non-intrusive-inspection": "Non-intrusive inspection and image analysis",
    "single-window": "Single window",
    "aeo-mutual-recognition": "AEO and mutual recognition",
    "supply-chain-resilience": "Supply-chain resilience",
    "data-exchange-standards": "Data exchange and standards",
    "sps-certification": "Sanitary and phytosanitary certification",
    "trade-facilitation": "Trade facilitation",
    "border-security": "Border security and enforcement",
    "revenue-collection": "Revenue collection",
    "capacity-building": "Capacity building",
    "digital-identity": "Digital identity and trusted traders",
}

TECHNOLOGIES: dict[str, str] = {
    "machine-learning": "Machine learning",
    "artificial-intelligence": "Artificial intelligence",
    "blockchain": "Blockchain",
    "iot": "Internet of things",
    "big-data": "Big data analytics",
    "xray-ct-image-analysis": "X-ray/CT image analysis",
    "computer-vision": "Computer vision",
    "rpa": "Robotic process automation",
    "cloud": "Cloud computing",
    "api": "Application programming interfaces",
    "electronic-certificates": "Electronic certificates and signatures",
    "single-window-platform": "Single-window platform",
    "mobile": "Mobile applications",
    "gis-tracking": "GPS/GIS tracking",
    "nlp": "Natural language processing",
}

FACETS: tuple[str, ...] = ("economy", "priority_area", "theme", "technology", "year")


def facet_label(facet: str, value: str) -> str:
    """A human label for a facet value (falls back to the value itself)."""
    table = {"priority_area": PRIORITY_AREAS, "theme": THEMES, "technology": TECHNOLOGIES}.get(
        facet, {}
    )
    return table.get(value, value)


# --- the case's content --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """One quantified result: ``metric`` went from ``before`` to ``after`` (in ``unit``)."""

    metric: str
    unit: str
    source: str
    before: float | None = None
    after: float | None = None
    note: str = ""

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True, slots=True)
class Implementation:
    timeline: str = ""
    partners: tuple[str, ...] = ()
    cost: str = ""


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    organisation: str = ""
    email: str = ""
    role: str = ""


@dataclass(frozen=True, slots=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A stored file; ``sha256`` names it in the file store (content-addressed)."""

    sha256: str
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class CaseContent:
    """Everything an author writes. Text is plain text: never interpreted as markup."""

    title: str
    economy: str
    year: int
    summary: str
    problem: str
    solution: str
    priority_areas: tuple[str, ...]
    themes: tuple[str, ...]
    technologies: tuple[str, ...] = ()
    implementation: Implementation = field(default_factory=Implementation)
    outcomes: tuple[Outcome, ...] = ()
    lessons: str = ""
    contacts: tuple[Contact, ...] = ()
    links: tuple[Link, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    language: str = "en"
    example: bool = False  # shipped example content, shown with a clear marker

    def text_fields(self) -> list[str]:
        """Every piece of free text, for the full-text index."""
        parts = [
            self.summary,
            self.problem,
            self.solution,
            self.implementation.timeline,
            self.implementation.cost,
            self.lessons,
        ]
        parts += list(self.implementation.partners)
        parts += [f"{o.metric} {o.unit} {o.note} {o.source}" for o in self.outcomes]
        parts += [THEMES.get(t, t) for t in self.themes]
        parts += [TECHNOLOGIES.get(t, t) for t in self.technologies]
        parts += [f"{c.name} {c.organisation}" for c in self.contacts]
        parts += [link.title for link in self.links]
        return [p for p in parts if p]


@dataclass(frozen=True, slots=True)
class CaseVersion:
    number: int
    status: CaseStatus
    content: CaseContent
    created_at: datetime
    created_by: str | None
    submitted_at: datetime | None = None
    decided_at: datetime | None = None
    decided_by: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewEvent:
    action: ReviewAction
    version: int
    actor: str  # email, or "system" for imports run at the console
    at: datetime
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Case:
    """A case as one caller may see it.

    ``published`` is what the public reads; ``working`` is the version under edit or review
    (``None`` for callers outside the case's economy, and when nothing is pending).
    """

    id: str
    slug: str
    economy: str
    created_at: datetime
    updated_at: datetime
    created_by: str | None
    published: CaseVersion | None
    working: CaseVersion | None
    events: tuple[ReviewEvent, ...] = ()
    versions: tuple[int, ...] = ()

    @property
    def status(self) -> CaseStatus:
        if self.working is not None:
            return self.working.status
        return CaseStatus.PUBLISHED if self.published is not None else CaseStatus.DRAFT

    @property
    def current(self) -> CaseVersion:
        """The version to show by default: the published one when there is one."""
        version = self.published or self.working
        assert version is not None, "a case always has a published or a working version"
        return version

    @property
    def content(self) -> CaseContent:
        return self.current.content


@dataclass(frozen=True, slots=True)
class CaseSummary:
    id: str
    slug: str
    economy: str
    title: str
    year: int
    status: CaseStatus
    summary: str
    priority_areas: tuple[str, ...]
    themes: tuple[str, ...]
    technologies: tuple[str, ...]
    updated_at: datetime
    example: bool = False
    has_pending_revision: bool = False


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass(frozen=True, slots=True)
class SearchResult:
    case: CaseSummary
    score: float
    snippet_html: str  # HTML-escaped text with <mark> around matches; safe to render


@dataclass(frozen=True, slots=True)
class SearchPage:
    query: str
    results: tuple[SearchResult, ...]
    total: int
    page: int
    size: int
    facets: dict[str, tuple[FacetValue, ...]]
    filters: dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class SimilarCase:
    case: CaseSummary
    score: float
    shared_themes: tuple[str, ...]
    shared_technologies: tuple[str, ...]
