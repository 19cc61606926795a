"""What the API and the CLI print about manifests: plain JSON documents."""

from __future__ import annotations

from typing import Any

from smartcustoms.ecommerce.model import ManifestOutcome

__all__ = ["outcome_doc"]


def outcome_doc(o: ManifestOutcome, errors: int = 50) -> dict[str, Any]:
    return {
        "id": o.id,
        "economy": o.economy,
        "status": o.status,
        "parcels": o.parcels,
        "decided": o.decided,
        "decisions": o.decisions,
        "bad": o.bad,
        "errors": o.errors[:errors],
        "duty_total": o.duty_total,
        "tax_total": o.tax_total,
        "currency": o.currency,
        "resubmitted": o.resubmitted,
        "decisions_file": o.decisions_file,
        "timings": o.timings,
    }
