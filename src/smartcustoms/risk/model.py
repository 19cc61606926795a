"""Plain objects the risk services return (no SQLAlchemy, no FastAPI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class RuleVersion:
    version: int
    definition: dict[str, Any]
    note: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RuleView:
    id: str
    economy: str
    name: str
    status: str  # draft | active | retired
    version: int
    definition: dict[str, Any]
    description: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    versions: list[RuleVersion] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RuleTestResult:
    """What a rule would have hit among past declarations."""

    rule: str
    since: date | None
    until: date | None
    declarations: int
    hits: int
    hit_share: float
    inspected_hits: int
    fraud_hits: int
    hit_rate: float | None  # fraud share among inspected hits
    base_rate: float | None  # fraud share among all inspected declarations of the period
    lift: float | None
    sample_ids: list[str]
    sample_references: list[str]


@dataclass(frozen=True, slots=True)
class ModelInfo:
    version: str
    economy: str
    status: str  # candidate | active | retired
    directory: str
    features: list[str]
    training_from: date
    training_to: date
    training_rows: int
    fingerprint: str
    parameters: dict[str, Any]
    metrics: dict[str, Any]
    thresholds: dict[str, Any] | None
    source: str
    note: str
    created_by: str
    created_at: datetime
    activated_at: datetime | None


@dataclass(frozen=True, slots=True)
class BudgetView:
    economy: str
    red: float
    yellow: float
    exploration: float
    aeo_factor: float
    updated_by: str | None
    updated_at: datetime | None
    thresholds: dict[str, Any] | None = None
    """The active model's calibrated thresholds (None without an active model)."""
    window: int = 2000
    """Lane thresholds follow this many recent scores (0: fixed at the calibration)."""
    strategy: str = "random"
    """How the exploration share is drawn: exploit, random, diverse or adaptive."""


@dataclass(frozen=True, slots=True)
class AeoTrader:
    trader_id: str
    note: str
    added_by: str
    added_at: datetime


@dataclass(frozen=True, slots=True)
class WatchlistEntry:
    watchlist: str
    party_id: str
    note: str
    added_by: str
    added_at: datetime


@dataclass(frozen=True, slots=True)
class Explanation:
    feature: str
    contribution: float
    text: str


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """What the learned assessor makes of a declaration (stored or not)."""

    lane: str
    fraud_probability: float | None
    critical_probability: float | None
    score: float | None  # after the rules' score adjustments
    model_version: str | None
    reasons: list[str]
    explanations: list[Explanation]
    rules_fired: list[str]
    aeo: bool
    explored: bool
    propensity: float = 1.0
    """The probability this declaration had of being sent to control (yellow or red) under
    the budget's selection strategy, before any draw; 1 when sent there for certain."""
    exploration: float = 0.0
    """Its chance of being drawn for exploration."""


@dataclass(frozen=True, slots=True)
class WeekDrift:
    week_start: str
    declarations: int
    psi: float | None
    status: str
    mean_score: float | None
    inspected: int
    hit_rate: float | None


@dataclass(frozen=True, slots=True)
class DriftReport:
    economy: str
    model_version: str
    reference_size: int
    reference_mean_score: float
    reference_hit_rate: float | None
    weeks: list[WeekDrift]


@dataclass(frozen=True, slots=True)
class RetrainResult:
    candidate: ModelInfo
    active_before: str | None
    holdout_from: date
    holdout_to: date
    holdout_rows: int
    inspection_rate: float
    candidate_precision: float
    active_precision: float | None
    activated: bool
    reason: str
    warnings: list[str] = field(default_factory=list)
