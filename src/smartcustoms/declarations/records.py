"""Turn stored rows into the records callers see (model objects, no ORM leaking out)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from smartcustoms.core.clock import as_utc
from smartcustoms.declarations.document import assessment_from_dict, from_document
from smartcustoms.declarations.model import (
    DeclarationRecord,
    DeclarationSummary,
    HistoryEntry,
    InspectionResult,
    Lane,
    LaneExplanation,
    Outcome,
    Status,
)
from smartcustoms.declarations.tables import DeclarationRow, InspectionResultRow


def inspection_of(row: InspectionResultRow) -> InspectionResult:
    return InspectionResult(
        outcome=Outcome(row.outcome),
        notes=row.notes,
        revenue_adjustment=row.revenue_adjustment,
        fraud=row.fraud,
        critical=row.critical,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        source=row.source,
    )


def history_of(bodies: list[dict[str, Any]]) -> list[HistoryEntry]:
    out = []
    for b in bodies:
        before, after = b.get("before") or {}, b.get("after") or {}
        out.append(
            HistoryEntry(
                at=as_utc(datetime.fromisoformat(b["at"])),
                actor=b["actor"],
                action=b["action"],
                from_status=before.get("status"),
                to_status=after.get("status"),
                note=b.get("note", ""),
            )
        )
    return out


def record_of(
    row: DeclarationRow, inspections: list[InspectionResultRow], history: list[dict[str, Any]]
) -> DeclarationRecord:
    return DeclarationRecord(
        id=row.id,
        economy=row.economy,
        lodged_by=row.lodged_by,
        status=Status(row.status),
        lane=Lane(row.lane) if row.lane else None,
        lane_score=row.lane_score,
        lane_reasons=list(row.lane_reasons or []),
        version=row.version,
        declaration_date=row.declaration_date,
        declaration=from_document(row.document),
        assessment=assessment_from_dict(row.assessment) if row.assessment else None,
        inspections=[inspection_of(r) for r in inspections],
        source=row.source,
        created_at=row.created_at,
        updated_at=row.updated_at,
        history=history_of(history),
        lane_model_version=row.lane_model_version,
        lane_rules_fired=list(row.lane_rules_fired or []),
        lane_explanations=[LaneExplanation.from_dict(e) for e in row.lane_explanations or []],
    )


def summary_of(row: DeclarationRow, hs_codes: list[str]) -> DeclarationSummary:
    return DeclarationSummary(
        id=row.id,
        reference=row.reference,
        status=Status(row.status),
        lane=Lane(row.lane) if row.lane else None,
        declaration_date=row.declaration_date,
        declarant_id=row.declarant_id,
        trader_id=row.trader_id,
        hs_codes=hs_codes,
        customs_value=row.customs_value,
        total_due=row.total_due,
        currency=row.currency,
        source=row.source,
    )
