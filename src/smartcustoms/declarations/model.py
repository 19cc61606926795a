"""The goods declaration as plain objects: document, lanes, lifecycle record (the duty
assessment it carries is :class:`smartcustoms.tariff.duties.DutyAssessment`)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from smartcustoms.errors import FieldError
from smartcustoms.tariff.duties import DutyAssessment

Day = date  # the Declaration has a field named ``date``


class Kind(enum.StrEnum):
    IMPORT = "import"
    EXPORT = "export"


class Status(enum.StrEnum):
    PRE_LODGED = "pre_lodged"
    SUBMITTED = "submitted"
    ASSESSED = "assessed"
    DOCUMENTARY_CHECK = "documentary_check"
    PHYSICAL_INSPECTION = "physical_inspection"
    RELEASED = "released"
    HELD = "held"
    SEIZED = "seized"
    CANCELLED = "cancelled"


class Lane(enum.StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class Outcome(enum.StrEnum):
    NO_DISCREPANCY = "no_discrepancy"
    DISCREPANCY = "discrepancy"
    SEIZURE = "seizure"


class TransportMode(enum.StrEnum):
    """UN/ECE Recommendation 19 modes of transport."""

    SEA = "sea"
    RAIL = "rail"
    ROAD = "road"
    AIR = "air"
    POST = "post"
    FIXED_INSTALLATION = "fixed_installation"
    INLAND_WATERWAY = "inland_waterway"
    OWN_PROPULSION = "own_propulsion"
    UNKNOWN = "unknown"


INCOTERMS: frozenset[str] = frozenset(
    {"EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP"}
)
# ISO 3166 reserves ZZ for user assignment; customs data uses it for "unknown country".
UNKNOWN_COUNTRY = "ZZ"
MAX_ITEMS = 999


@dataclass(frozen=True, slots=True)
class Party:
    id: str
    name: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    hs_code: str
    description: str
    origin_country: str
    net_mass_kg: Decimal
    invoice_value: Decimal
    origin_indicator: str | None = None
    quantity: Decimal | None = None
    unit: str | None = None
    gross_mass_kg: Decimal | None = None
    preference: str | None = None
    """The rate type claimed (e.g. an FTA code); None = the general rate."""
    declared_duty_rate: Decimal | None = None
    """The duty rate the declarant self-assessed, in percent (checked, never trusted)."""


@dataclass(frozen=True, slots=True)
class Declaration:
    """The document a declarant lodges. The economy is the one of the account that lodges it."""

    reference: str
    kind: Kind
    office: str
    transport_mode: TransportMode
    declarant: Party
    invoice_currency: str
    incoterm: str
    items: tuple[Item, ...]
    date: date | None = None
    """The declaration date (None: the day it is lodged). Exchange rates are taken for it."""
    importer: Party | None = None
    exporter: Party | None = None
    seller: Party | None = None
    buyer: Party | None = None
    courier: Party | None = None
    departure_country: str | None = None
    destination_country: str | None = None
    arrival_date: Day | None = None
    departure_date: Day | None = None
    freight: Decimal = Decimal(0)
    insurance: Decimal = Decimal(0)
    national: dict[str, str] = field(default_factory=dict)
    """Data elements of the national format that the common model has no field for."""

    @property
    def trader(self) -> Party | None:
        return self.importer if self.kind is Kind.IMPORT else self.exporter

    @property
    def partner(self) -> Party | None:
        return self.seller if self.kind is Kind.IMPORT else self.buyer


# --- lanes, inspection, record -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LaneExplanation:
    """One plain-word reason behind a risk score: the feature it concerns, its contribution
    (log-odds, positive raises the risk) and a sentence an officer reads."""

    feature: str
    contribution: float | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "contribution": self.contribution, "text": self.text}

    @classmethod
    def from_dict(cls, raw: Any) -> LaneExplanation:
        if isinstance(raw, dict):
            value = raw.get("contribution")
            return cls(
                str(raw.get("feature") or ""),
                None if value is None else float(value),
                str(raw.get("text") or raw.get("feature") or ""),
            )
        return cls("", None, str(raw))


@dataclass(frozen=True, slots=True)
class LaneDecision:
    lane: Lane
    score: float | None
    reasons: list[str]
    rules_fired: list[str]
    model_version: str | None = None
    explanations: list[LaneExplanation] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class InspectionResult:
    outcome: Outcome
    notes: str
    revenue_adjustment: Decimal | None
    fraud: bool
    critical: bool
    recorded_by: str
    recorded_at: datetime
    source: str


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    note: str


@dataclass(frozen=True, slots=True)
class DeclarationRecord:
    """A stored declaration as callers see it."""

    id: str
    economy: str
    lodged_by: str
    status: Status
    lane: Lane | None
    lane_score: float | None
    lane_reasons: list[str]
    version: int
    declaration_date: date
    declaration: Declaration
    assessment: DutyAssessment | None
    inspections: list[InspectionResult]
    source: str
    created_at: datetime
    updated_at: datetime
    history: list[HistoryEntry] = field(default_factory=list)
    lane_model_version: str | None = None
    lane_rules_fired: list[str] = field(default_factory=list)
    lane_explanations: list[LaneExplanation] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DeclarationSummary:
    """One row of a list: enough to pick a declaration, without its document."""

    id: str
    reference: str
    status: Status
    lane: Lane | None
    declaration_date: date
    declarant_id: str
    trader_id: str | None
    hs_codes: list[str]
    customs_value: Decimal | None
    total_due: Decimal | None
    currency: str | None
    source: str


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Every problem found (``errors`` block lodging, ``warnings`` do not)."""

    errors: list[FieldError]
    warnings: list[FieldError]
    assessment: DutyAssessment | None = None
    """A preview of duties and taxes when the document is valid."""

    @property
    def valid(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True)
class ListFilters:
    status: Status | None = None
    lane: Lane | None = None
    date_from: date | None = None
    date_to: date | None = None
    hs_prefix: str | None = None
    party: str | None = None
    """A party identifier: declarant, importer/exporter or seller/buyer."""
    reference: str | None = None


class DocumentKind(enum.StrEnum):
    """What a supporting document attached to a declaration is."""

    COMMERCIAL_INVOICE = "commercial_invoice"
    PACKING_LIST = "packing_list"
    CERTIFICATE_OF_ORIGIN = "certificate_of_origin"
    LICENCE = "licence"
    """An import or export licence, permit or certificate a regulated good needs."""
    TRANSPORT_DOCUMENT = "transport_document"
    """Bill of lading, air waybill, CMR consignment note, rail waybill."""
    INSPECTION_REPORT = "inspection_report"
    """Attached by customs officers only (a documentary check's or an inspection's report)."""
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class DeclarationDocument:
    """A supporting document attached to a declaration (its bytes are in the file store)."""

    id: str
    declaration_id: str
    kind: DocumentKind
    filename: str
    """Cleaned: the last path component, safe characters only."""
    content_type: str
    """Decided from the content (magic bytes), never taken from the uploader."""
    size: int
    sha256: str
    note: str
    uploaded_by: str
    uploaded_at: datetime
