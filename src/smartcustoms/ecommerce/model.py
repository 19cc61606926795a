"""Pure domain objects of cross-border e-commerce clearance: regimes, decisions, signals,
manifest outcomes. No database, no web.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

__all__ = [
    "DECISION_ORDER",
    "SIGNALS",
    "BadParcel",
    "Decision",
    "EcomSettings",
    "FraudKind",
    "ManifestOutcome",
    "ParcelView",
    "Prohibition",
    "Regime",
    "Signal",
]


class Decision(enum.StrEnum):
    RELEASE = "release"
    HOLD = "hold"  # held for information: the carrier/platform must send what is missing
    INSPECT = "inspect"
    REFUSE = "refuse"  # prohibited or restricted goods: not admitted


DECISION_ORDER: tuple[Decision, ...] = (
    Decision.RELEASE,
    Decision.HOLD,
    Decision.INSPECT,
    Decision.REFUSE,
)


class FraudKind(enum.StrEnum):
    """Ground-truth labels the generator injects, so detection can be measured."""

    UNDERVALUATION = "undervaluation"
    SPLITTING = "splitting"
    MISDESCRIPTION = "misdescription"
    PROHIBITED = "prohibited"
    THREE_ORDER_MISMATCH = "three_order_mismatch"
    TAMPERED = "tampered"
    OVER_LIMIT = "over_limit"


@dataclass(frozen=True, slots=True)
class Signal:
    """One risk signal: its bit in the per-parcel mask, its weight in the score, its words."""

    bit: int
    name: str
    weight: float
    words: str


# Bits 0..15: signals that add to the score; the decision rules read some of them directly.
SIGNALS: tuple[Signal, ...] = (
    Signal(0, "undervalued", 3.0, "declared unit price far below the usual price for its HS code"),
    Signal(
        1,
        "split",
        2.5,
        "one of several parcels to the same buyer or address whose total "
        "exceeds the de minimis threshold",
    ),
    Signal(2, "misfit", 2.0, "description does not fit the declared HS code"),
    Signal(3, "vague", 1.0, "description too vague to classify"),
    Signal(4, "watchlist", 3.0, "a party is on a watch list"),
    Signal(5, "seller_repeat", 0.5, "seller sends many low-value parcels"),
    Signal(6, "prohibited", 0.0, "prohibited or restricted goods"),
    Signal(7, "vendor_tax", 0.0, "vendor tax registration missing, malformed or tax not declared"),
    Signal(
        8, "explore", 0.0, "selected at random for inspection (keeps detection measures honest)"
    ),
    Signal(9, "three_order", 0.0, "order, payment and waybill records disagree"),
    Signal(10, "three_order_wait", 0.0, "order, payment or waybill record not yet received"),
    Signal(11, "over_limit", 0.0, "over the per-transaction or annual per-buyer limit"),
    Signal(12, "signature", 0.0, "a record's signature is missing or does not verify"),
    Signal(13, "rule", 0.0, "a selectivity rule of the risk feature fired"),
    Signal(14, "classified", 0.0, "no HS code declared: the HS classifier's subheading is used"),
    Signal(
        15,
        "unclassified",
        0.0,
        "no HS code declared and the description cannot be classified with confidence",
    ),
)
SIGNAL_BY_NAME: dict[str, Signal] = {s.name: s for s in SIGNALS}


@dataclass(frozen=True, slots=True)
class Prohibition:
    """Goods not admitted: by HS prefix and/or description keyword, with the reason in words."""

    hs_prefix: str = ""
    keyword: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Regime:
    """One economy's low-value import regime from ``effective_from`` on, with its source.

    Amounts are in ``threshold_currency`` (often the local currency, sometimes USD or EUR as
    the law states it). ``None`` threshold: no relief at all (duty/tax from the first unit).
    ``duty_factor``/``tax_factor`` scale the computed duty/tax (China's cross-border retail
    import regime: duty 0, 70% of VAT and consumption tax).
    """

    economy: str
    effective_from: date
    currency: str
    threshold_currency: str
    duty_threshold: Decimal | None
    tax_threshold: Decimal | None
    vat_rate: Decimal
    default_duty_rate: Decimal
    threshold_basis: str = "goods"  # "goods" (intrinsic value) or "cif" (+ freight, insurance)
    flat_duty_per_item: Decimal | None = None
    duty_factor: Decimal = Decimal(1)
    tax_factor: Decimal = Decimal(1)
    vendor_scheme: str = ""
    vendor_pattern: str = ""
    vendor_ceiling: Decimal | None = None
    per_transaction_limit: Decimal | None = None
    annual_limit: Decimal | None = None
    prohibitions: tuple[Prohibition, ...] = ()
    source: str = ""
    note: str = ""
    verified: bool = True

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            if isinstance(value, Decimal):
                value = str(value)
            elif isinstance(value, date):
                value = value.isoformat()
            elif name == "prohibitions":
                value = [
                    {"hs_prefix": p.hs_prefix, "keyword": p.keyword, "reason": p.reason}
                    for p in value
                ]
            out[name] = value
        return out


@dataclass(frozen=True, slots=True)
class EcomSettings:
    """Per-economy operating settings (stored; defaults when none)."""

    economy: str
    inspection_rate: float = 0.05
    exploration_rate: float = 0.005
    min_inspect_score: float = 2.0
    store_good_parcels: bool = False
    """False: a manifest with any bad parcel is rejected whole; True: good ones are stored."""
    split_window_days: int = 3
    seller_repeat_limit: int = 500
    undervaluation_ratio: float = 0.3
    tolerance: float = 0.05
    three_orders_required: bool = False
    three_order_deadline_hours: int = 24


@dataclass(frozen=True, slots=True)
class BadParcel:
    line: int
    waybill: str
    field: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "waybill": self.waybill,
            "field": self.field,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class ManifestOutcome:
    """What a manifest job produced (the submit command prints this as JSON)."""

    id: str
    economy: str
    status: str  # processing, done, rejected
    parcels: int
    decided: int
    decisions: dict[str, int]
    bad: int
    errors: list[dict[str, Any]] = field(default_factory=list)
    duty_total: str = "0"
    tax_total: str = "0"
    currency: str = ""
    created_at: datetime | None = None
    finished_at: datetime | None = None
    progress: float = 0.0
    resubmitted: bool = False
    decisions_file: str | None = None
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ParcelView:
    waybill: str
    manifest_id: str
    arrival_date: date
    order_no: str
    platform: str
    carrier: str
    seller: str
    hs_main: str
    items: int
    currency: str
    value: Decimal
    duty: Decimal
    tax: Decimal
    decision: str
    score: float
    reasons: str
    status: str
    result: str | None = None
    result_note: str | None = None
    item_lines: list[dict[str, Any]] = field(default_factory=list)
