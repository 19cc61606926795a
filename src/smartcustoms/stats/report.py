"""The period report: the figures administrations quote (totals, growth, APEC share, top
partners and products, green trade, release times) with charts, as printable HTML and PDF.
The statistics page shows the same :class:`PeriodReport`.

Its words go through a ``translate`` function the caller passes (the web pages pass their
message catalogue's ``gettext``; the command line keeps English): a template writes
``{{ _("Totals") }}``, the chart titles are built with ``_ = translate``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from smartcustoms import charts
from smartcustoms.accounts.model import Principal
from smartcustoms.core.clock import Clock
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.stats import green, release, service
from smartcustoms.stats.model import By, Flow, GrowthRow, Period, TradeResult, add_months
from smartcustoms.stats.refresh import ensure_fresh
from smartcustoms.stats.repository import StatsRepository

__all__ = [
    "PeriodReport",
    "Translate",
    "build",
    "default_period",
    "english",
    "render_html",
    "render_pdf",
]

TEMPLATES = Path(__file__).parent / "templates"
TOP = 10

#: ``translate("Top partners, {period}", period="2021-Q2")``: a message id (English) and the
#: values of its ``{fields}``, to the text a reader sees.
Translate = Callable[..., str]


def english(message: str, **values: object) -> str:
    """The message as written, its fields filled (what the report says untranslated)."""
    return message.format(**values) if values else message


@dataclass(frozen=True, slots=True)
class PeriodReport:
    economy: str
    currency: str
    period: Period
    generated: date
    by_partner: TradeResult
    by_chapter: TradeResult
    by_flow: TradeResult
    series: TradeResult
    """Months of the twelve months ending with the period."""
    growth: GrowthRow
    previous: Period
    year_before: Period
    green: green.GreenResult
    release: release.ReleaseResult
    charts: dict[str, str]


def default_period(uow: UnitOfWork, economy: str) -> str:
    """The quarter of the latest month with trade (the current quarter when there is none)."""
    with uow:
        ensure_fresh(uow, economy)
        latest = StatsRepository(uow.session).latest_month(economy)
        uow.commit()
    m = latest or date.today().replace(day=1)
    return f"{m.year}-Q{(m.month - 1) // 3 + 1}"


def build(
    uow: UnitOfWork,
    principal: Principal,
    period: str,
    *,
    clock: Clock | None = None,
    translate: Translate = english,
) -> PeriodReport:
    _ = translate
    today = (clock or uow.clock).now().date()
    with uow:
        p = service.period_of(uow, principal.economy, period)

        def q(by: By, top: int | None = TOP) -> service.Query:
            return service.Query(by, Flow.TOTAL, top=top)

        partners = service.trade_in(uow, principal, p, q(By.PARTNER), clock)
        chapters = service.trade_in(uow, principal, p, q(By.CHAPTER), clock)
        flows = service.trade_in(uow, principal, p, q(By.FLOW, None), clock)
        year = Period("12m", _("twelve months"), add_months(p.last, -11), p.last)
        series = service.trade_in(uow, principal, year, q(By.MONTH, None), clock)
        uow.commit()
    g = service.growth(uow, principal, period, q(By.TOTAL))
    gr = green.green(uow, principal, period, q(By.PARTNER))
    rel = release.release_times(uow, principal, period, "lane")
    cur = partners.currency
    by_month = {r.key: r.value for r in series.rows}  # months without trade are 0
    made = {
        "series": charts.line(
            [(f"{m:%Y-%m}", by_month.get(f"{m:%Y-%m}", 0)) for m in year.months],
            _(
                "Trade by month, {currency} (12 months to {month})",
                currency=cur,
                month=f"{p.last:%Y-%m}",
            ),
            unit=cur,
        ),
        "partners": charts.bars(
            [(f"{r.key} {r.label}", r.value) for r in partners.rows],
            _("Top partners, {period} ({currency})", period=p.code, currency=cur),
            unit=cur,
            note=[f"{r.share_pct} %" if r.share_pct is not None else "" for r in partners.rows],
        ),
        "products": charts.bars(
            [(f"{r.key} {r.label}", r.value) for r in chapters.rows],
            _("Top HS chapters, {period} ({currency})", period=p.code, currency=cur),
            unit=cur,
            note=[f"{r.share_pct} %" if r.share_pct is not None else "" for r in chapters.rows],
        ),
        "apec": charts.donut(
            partners.apec_share_pct or 0, 100, _("APEC economies' share"), label="APEC"
        ),
        "green": charts.donut(
            gr.green.total.value,
            gr.all_goods.value,
            _("Environmental goods' share"),
            label=_("EGL"),
        ),
        "green_partners": charts.bars(
            [(f"{r.key} {r.label}", r.value) for r in gr.green.rows[:TOP]],
            _("Environmental goods by partner, {period} ({currency})", period=p.code, currency=cur),
            unit=cur,
        ),
        "release": charts.columns(
            list(zip(rel.buckets, rel.total.histogram, strict=True)),
            _("Release times, {period}: declarations per time to release", period=p.code),
        ),
    }
    return PeriodReport(
        principal.economy,
        cur,
        p,
        today,
        partners,
        chapters,
        flows,
        series,
        g.total,
        g.previous,
        g.year_before,
        gr,
        rel,
        made,
    )


def _environment(translate: Translate) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = lambda v: "–" if v is None else f"{v:,.2f}"
    env.filters["pct"] = lambda v: "–" if v is None else f"{v:+.2f} %"
    env.filters["share"] = lambda v: "–" if v is None else f"{v:.2f} %"
    env.filters["secs"] = lambda v: _secs(v, translate)
    env.globals["_"] = translate
    return env


def _secs(value: float | None, translate: Translate = english) -> str:
    _ = translate
    if value is None:
        return "–"
    if value < 120:
        return _("{value} s", value=f"{value:.0f}")
    if value < 7200:
        return _("{value} min", value=f"{value / 60:.1f}")
    if value < 172800:
        return _("{value} h", value=f"{value / 3600:.1f}")
    return _("{value} days", value=f"{value / 86400:.1f}")


def render_html(
    report: PeriodReport,
    *,
    standalone: bool = True,
    translate: Translate = english,
    language: str = "en",
) -> str:
    """The report body; ``standalone`` wraps it in a printable page of its own (whose
    ``lang`` is ``language``, the language ``translate`` writes)."""
    env = _environment(translate)
    body = env.get_template("report_body.html").render(r=report)
    if not standalone:
        return body
    return env.get_template("report.html").render(r=report, body=body, language=language)


def render_pdf(
    report: PeriodReport, *, translate: Translate = english, language: str = "en"
) -> bytes:
    from weasyprint import HTML  # imported late: loading pango takes a moment

    html = render_html(report, translate=translate, language=language)
    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    assert pdf is not None
    return bytes(pdf)
