"""Figures and SVG charts: parcels per day, decisions by kind, duty and tax, top HS chapters.

The charts' words go through the ``translate`` function the caller passes (the web pages pass
their message catalogue's ``gettext``; the API keeps English)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


def _english(message: str, **values: object) -> str:
    return message.format(**values) if values else message


def chart_svgs(data: Mapping[str, Any], translate: Callable[..., str] = _english) -> dict[str, str]:
    _ = translate
    decisions = {
        "release": _("release"),
        "hold": _("hold"),
        "inspect": _("inspect"),
        "refuse": _("refuse"),
    }
    days = [d.strftime("%m-%d") for d, *_rest in data["per_day"]]
    ccy = data["currency"]
    return {
        "parcels": charts.grouped_columns(
            days,
            [charts.Series(_("parcels"), [n for _d, n, *_rest in data["per_day"]], "#1565c0")],
            _("Parcels per day"),
            x_label=_("day (month-day)"),
            y_label=_("parcels"),
            testid="chart-parcels",
            css_class="ecom-chart",
            width=560,
        ),
        "decisions": charts.bars(
            [
                (decisions.get(d.value, d.value), float(data["decisions"].get(d.value, 0)))
                for d in DECISION_ORDER
            ],
            _("Decisions by kind"),
            unit=_("parcels"),
            colours={decisions.get(k, k): colour for k, colour in COLOURS.items()},
            label_width=120,
            width=560,
            testid="chart-decisions",
            css_class="ecom-chart",
            empty=_("no parcels yet"),
        ),
        "revenue": charts.grouped_columns(
            days,
            [
                charts.Series(_("duty"), [x for *_rest, x, _t in data["per_day"]], "#6d4c41"),
                charts.Series(_("tax"), [x for *_rest, x in data["per_day"]], "#00838f"),
            ],
            _("Duty and tax collected ({currency})", currency=ccy),
            unit=ccy,
            x_label=_("day (month-day)"),
            testid="chart-revenue",
            css_class="ecom-chart",
            width=560,
        ),
        "chapters": charts.bars(
            [(_("chapter {code}", code=c), float(n)) for c, n in data["chapters"]],
            _("Top HS chapters"),
            unit=_("parcels"),
            label_width=120,
            width=560,
            testid="chart-chapters",
            css_class="ecom-chart",
            empty=_("no parcels yet"),
        ),
    }
