"""Shared builders for the case repository's integration tests."""

from __future__ import annotations

from typing import Any

from smartcustoms.accounts import service as accounts
from smartcustoms.accounts.model import Principal
from smartcustoms.db.engine import Database


def case_data(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Automated release of low-risk parcels",
        "year": 2026,
        "summary": "Parcels scored as low risk are released on arrival.",
        "problem": "Millions of small parcels and few officers.",
        "solution": "A machine learning model scores every parcel on pre-arrival data.",
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
    data.update(over)
    return data


def principal(db: Database, actor: dict[str, str]) -> Principal:
    return accounts.authenticate(db.uow(), actor["token"])
