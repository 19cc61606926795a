"""API models. Amounts are Decimals, which serialise as JSON strings (never floats).

Request bodies for lodging are read by :mod:`.intake.validation` (so every problem is reported at
once, with its path); :class:`DeclarationIn` documents their shape and serves the JSON schema.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PartyIn(BaseModel):
    id: str = Field(max_length=64)
    name: str | None = None
    country: str | None = Field(None, description="ISO 3166 alpha-2")


class ItemIn(BaseModel):
    hs_code: str = Field(description="6 digits, optionally a national extension up to 10")
    description: str
    origin_country: str
    origin_indicator: str | None = None
    quantity: Decimal | None = None
    unit: str | None = Field(None, description="UN/ECE Rec. 20 unit, e.g. PCE, LTR")
    net_mass_kg: Decimal
    gross_mass_kg: Decimal | None = None
    invoice_value: Decimal
    preference: str | None = Field(None, description="Rate type claimed, e.g. FCN1")
    declared_duty_rate: Decimal | None = None


class DeclarationIn(BaseModel):
    reference: str = Field(description="Your own reference; unique per declarant")
    kind: Literal["import", "export"]
    date: str | None = Field(None, description="YYYY-MM-DD; default today")
    office: str
    transport_mode: Literal[
        "sea",
        "rail",
        "road",
        "air",
        "post",
        "fixed_installation",
        "inland_waterway",
        "own_propulsion",
        "unknown",
    ]
    invoice_currency: str
    incoterm: str
    freight: Decimal = Decimal(0)
    insurance: Decimal = Decimal(0)
    declarant: PartyIn
    importer: PartyIn | None = None
    exporter: PartyIn | None = None
    seller: PartyIn | None = None
    buyer: PartyIn | None = None
    courier: PartyIn | None = None
    departure_country: str | None = None
    destination_country: str | None = None
    arrival_date: str | None = Field(None, description="Later than today: pre-lodgement")
    departure_date: str | None = None
    national: dict[str, str] = Field(default_factory=dict)
    items: list[ItemIn] = Field(min_length=1, max_length=999)


class ProblemOut(_Out):
    path: str
    code: str
    message: str


class FxRateOut(_Out):
    currency: str
    month: date
    per_usd: Decimal
    source_quote: str


class ValuationOut(_Out):
    item: int
    invoice_value: Decimal
    freight: Decimal
    insurance: Decimal
    cif: Decimal
    customs_value: Decimal


class LineOut(_Out):
    item: int
    tax: str
    base: Decimal
    base_unit: str
    rate: Decimal
    rate_unit: str
    source: str
    amount: Decimal


class DeMinimisOut(_Out):
    threshold: Decimal
    threshold_currency: str
    threshold_local: Decimal
    consignment_value: Decimal
    scope: str
    applies: bool


class AssessmentOut(_Out):
    currency: str
    invoice_currency: str
    date: date
    rates_used: list[FxRateOut]
    valuation: list[ValuationOut]
    lines: list[LineOut]
    de_minimis: DeMinimisOut | None
    customs_value: Decimal
    duty_total: Decimal
    tax_total: Decimal
    total: Decimal
    notes: list[str]
    complete: bool


class InspectionOut(_Out):
    outcome: str
    notes: str
    revenue_adjustment: Decimal | None
    fraud: bool
    critical: bool
    recorded_by: str
    recorded_at: datetime
    source: str


class HistoryOut(_Out):
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    note: str


class LaneExplanationOut(_Out):
    feature: str
    contribution: float | None
    text: str


class DeclarationOut(BaseModel):
    id: str
    economy: str
    lodged_by: str
    status: str
    lane: str | None
    lane_score: float | None
    lane_reasons: list[str]
    lane_model_version: str | None = None
    lane_rules_fired: list[str] = Field(default_factory=list)
    lane_explanations: list[LaneExplanationOut] = Field(default_factory=list)
    version: int
    declaration_date: date
    document: dict[str, Any]
    assessment: AssessmentOut | None
    inspections: list[InspectionOut]
    history: list[HistoryOut]
    source: str
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[str] = Field(default_factory=list)
    warnings: list[ProblemOut] = Field(default_factory=list)


class SummaryOut(_Out):
    id: str
    reference: str
    status: str
    lane: str | None
    declaration_date: date
    declarant_id: str
    trader_id: str | None
    hs_codes: list[str]
    customs_value: Decimal | None
    total_due: Decimal | None
    currency: str | None
    source: str


class PageOut(BaseModel):
    items: list[SummaryOut]
    total: int
    page: int
    size: int
    pages: int


class ValidationOut(BaseModel):
    valid: bool
    errors: list[ProblemOut]
    warnings: list[ProblemOut]
    assessment: AssessmentOut | None


class CancelIn(BaseModel):
    reason: str = ""


class NoteIn(BaseModel):
    note: str = ""


class ArrivalIn(BaseModel):
    arrived_on: date | None = None


class InspectionIn(BaseModel):
    outcome: Literal["no_discrepancy", "discrepancy", "seizure"]
    notes: str = ""
    revenue_adjustment: Decimal | None = None
    hold: bool = False
    critical: bool = False


class DocumentOut(BaseModel):
    """A supporting document attached to a declaration."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    declaration_id: str
    kind: str = Field(
        description="commercial_invoice, packing_list, certificate_of_origin, licence, "
        "transport_document, inspection_report (officers) or other"
    )
    filename: str
    content_type: str = Field(description="decided from the content, not the upload's claim")
    size: int
    sha256: str
    note: str
    uploaded_by: str
    uploaded_at: datetime
    href: str = Field(description="where to download it")
