"""Figures and SVG charts: parcels per day, decisions by kind, duty and tax, top HS chapters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from smartcustoms import charts
from smartcustoms.accounts.model import Principal
from smartcustoms.core.clock import SystemClock
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.ecommerce.model import (
    DECISION_ORDER,
)
from smartcustoms.ecommerce.repository import EcommerceRepository
from smartcustoms.ecommerce.services.access import (
    LODGERS,
    OFFICERS,
)
from smartcustoms.ecommerce.services.regimes import regime_for

__all__ = ["chart_svgs", "figures"]


def figures(
    uow: UnitOfWork, principal: Principal, last: date | None = None, days: int = 14
) -> dict[str, Any]:
    """Parcels per day, decisions by kind, duty and tax collected, top HS chapters."""
    principal.require(*LODGERS, *OFFICERS)
    last = last or SystemClock().now().date()
    first = last - timedelta(days=days - 1)
    with uow:
        repo = EcommerceRepository(uow.session)
        per_day = repo.per_day(principal.economy, first, last)
        if not per_day:  # show the latest activity when nothing arrived in the window
            with uow:
                latest = repo.manifests(principal.economy, 1)
            if latest:
                last = latest[0].arrival_date
                first = last - timedelta(days=days - 1)
                per_day = repo.per_day(principal.economy, first, last)
        return {
            "first": first,
            "last": last,
            "per_day": [(d, n, float(duty or 0), float(tax or 0)) for d, n, duty, tax in per_day],
            "decisions": repo.by_decision(principal.economy, first, last),
            "chapters": repo.top_chapters(principal.economy, first, last, 8),
            "currency": regime_for(uow, principal.economy, last).currency,
        }


# One colour per decision kind, the same on every chart.
COLOURS = {"release": "#2e7d32", "hold": "#f9a825", "inspect": "#c62828", "refuse": "#4a148c"}


def chart_svgs(data: Mapping[str, Any]) -> dict[str, str]:
    days = [d.strftime("%m-%d") for d, *_ in data["per_day"]]
    ccy = data["currency"]
    return {
        "parcels": charts.grouped_columns(
            days,
            [charts.Series("parcels", [n for _, n, _, _ in data["per_day"]], "#1565c0")],
            "Parcels per day",
            x_label="day (month-day)",
            y_label="parcels",
            testid="chart-parcels",
            css_class="ecom-chart",
            width=560,
        ),
        "decisions": charts.bars(
            [(d.value, float(data["decisions"].get(d.value, 0))) for d in DECISION_ORDER],
            "Decisions by kind",
            unit="parcels",
            colours=COLOURS,
            label_width=120,
            width=560,
            testid="chart-decisions",
            css_class="ecom-chart",
            empty="no parcels yet",
        ),
        "revenue": charts.grouped_columns(
            days,
            [
                charts.Series("duty", [x for *_, x, _ in data["per_day"]], "#6d4c41"),
                charts.Series("tax", [x for *_, x in data["per_day"]], "#00838f"),
            ],
            f"Duty and tax collected ({ccy})",
            unit=ccy,
            x_label="day (month-day)",
            testid="chart-revenue",
            css_class="ecom-chart",
            width=560,
        ),
        "chapters": charts.bars(
            [(f"chapter {c}", float(n)) for c, n in data["chapters"]],
            "Top HS chapters",
            unit="parcels",
            label_width=120,
            width=560,
            testid="chart-chapters",
            css_class="ecom-chart",
            empty="no parcels yet",
        ),
    }
