"""``smartcustoms stats``: trade figures, growth, green trade, release times, mirror statistics,
exports and the period report, from the economy's own declarations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import typer
from rich.table import Table

from smartcustoms.cli._common import JsonOption, console, emit, state
from smartcustoms.cli.declarations import EconomyOption, UserOption, principal
from smartcustoms.stats import refresh as refreshing
from smartcustoms.stats import service
from smartcustoms.stats.model import Comparison, GrowthResult, TradeResult

app = typer.Typer(
    help="Trade statistics, green trade, release times and mirror statistics.",
    no_args_is_help=True,
)

PeriodOption = typer.Option(
    ...,
    "--period",
    help="2021, 2021-Q2, 2021-H1, 2021-05, 2021-01..2021-06 or a named period such as FYP14",
)
ByOption = typer.Option(
    "partner",
    "--by",
    help="partner, section, chapter, heading, subheading, mode, office, flow, month, "
    "quarter, year, apec or total",
)
FlowOption = typer.Option("total", "--flow", help="import, export or total (both)")
PartnerOption = typer.Option(None, "--partner", help="Only this partner (2-letter code)")
HsOption = typer.Option(None, "--hs", help="Only this HS chapter, heading or subheading")
ModeOption = typer.Option(None, "--mode", help="Only this mode of transport (sea, air, ...)")
OfficeOption = typer.Option(None, "--office", help="Only this customs office")
TopOption = typer.Option(None, "--top", help="Only the N largest rows (the rest as 'other')")


def _fmt(value: Decimal | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def _pct(value: Decimal | None) -> str:
    return "-" if value is None else f"{value:+.2f} %"


def _query(**kw: Any) -> service.Query:
    return service.parse_query(**kw)


def _render_trade(r: TradeResult) -> None:
    console.print(
        f"[bold]{r.economy}[/bold] {r.flow.value} trade by {r.by.value}, {r.period.label}: "
        f"{_fmt(r.total.value)} {r.currency} = {_fmt(r.total.value_usd)} USD, "
        f"{r.total.items:,} items"
    )
    if r.apec_share_pct is not None:
        console.print(f"APEC economies' share: {r.apec_share_pct} %")
    table = Table()
    for col in (r.by.value, "", r.currency, "USD", "share %", "items"):
        table.add_column(col, justify="right" if col not in (r.by.value, "") else "left")
    for row in r.rows:
        table.add_row(
            row.key,
            row.label[:40],
            _fmt(row.value),
            _fmt(row.value_usd),
            "-" if row.share_pct is None else f"{row.share_pct}",
            f"{row.items:,}",
        )
    if r.other is not None:
        table.add_row("other", "", _fmt(r.other.value), _fmt(r.other.value_usd), "", "")
    console.print(table)
    for note in r.notes:
        console.print(f"[yellow]note:[/yellow] {note}")


@app.command("trade")
def trade(
    ctx: typer.Context,
    period: str = PeriodOption,
    by: str = ByOption,
    flow: str = FlowOption,
    partner: str | None = PartnerOption,
    hs: str | None = HsOption,
    mode: str | None = ModeOption,
    office: str | None = OfficeOption,
    top: int | None = TopOption,
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Trade figures of a period by partner, HS level, mode, office or time, with shares."""
    q = _query(by=by, flow=flow, partner=partner, hs=hs, mode=mode, office=office, top=top)
    result = service.trade(state(ctx).db.uow(), principal(ctx, user, economy), period, q)
    emit(result, as_json, _render_trade)


def _render_growth(r: GrowthResult) -> None:
    console.print(
        f"[bold]{r.economy}[/bold] {r.flow.value} trade, {r.period.label} against "
        f"{r.previous.code} (previous) and {r.year_before.code} (a year before)"
    )
    table = Table()
    for col in (r.by.value, "", r.period.code, r.previous.code, "growth", r.year_before.code,
                "year on year"):  # fmt: skip
        table.add_column(col, justify="left" if col in (r.by.value, "") else "right")
    for row in [r.total, *r.rows]:
        table.add_row(
            row.key,
            row.label[:36],
            _fmt(row.value),
            _fmt(row.previous),
            _pct(row.growth_pct),
            _fmt(row.year_before),
            _pct(row.yoy_pct),
        )
    console.print(table)


def _render_compare(r: Comparison) -> None:
    console.print(
        f"[bold]{r.economy}[/bold] {r.flow.value} trade: {r.a.label} {_fmt(r.total_a.value)} "
        f"{r.currency} against {r.b.label} {_fmt(r.total_b.value)} {r.currency}: "
        f"{_pct(r.growth_pct)} ({_pct(r.growth_usd_pct)} in USD)"
    )
    table = Table()
    for col in (r.by.value, "", r.a.code, r.b.code, "growth"):
        table.add_column(col, justify="left" if col in (r.by.value, "") else "right")
    for row in r.rows:
        table.add_row(row.key, row.label[:36], _fmt(row.a), _fmt(row.b), _pct(row.growth_pct))
    console.print(table)


@app.command("growth")
def growth(
    ctx: typer.Context,
    period: str = PeriodOption,
    vs: str | None = typer.Option(
        None, "--vs", help="Compare with this period instead (period A against period B)"
    ),
    by: str = typer.Option("total", "--by", help="As for 'stats trade' (default: total)"),
    flow: str = FlowOption,
    partner: str | None = PartnerOption,
    hs: str | None = HsOption,
    mode: str | None = ModeOption,
    office: str | None = OfficeOption,
    top: int | None = TopOption,
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Growth against the previous period and a year before, or period A against B (--vs)."""
    q = _query(by=by, flow=flow, partner=partner, hs=hs, mode=mode, office=office, top=top)
    uow, who = state(ctx).db.uow(), principal(ctx, user, economy)
    if vs:
        emit(service.compare(uow, who, period, vs, q), as_json, _render_compare)
    else:
        emit(service.growth(uow, who, period, q), as_json, _render_growth)


@app.command("refresh")
def refresh(
    ctx: typer.Context,
    economy: str = typer.Option(..., "--economy", help="Economy code, e.g. KR"),
    full: bool = typer.Option(False, "--full", help="Rebuild every month"),
    as_json: bool = JsonOption,
) -> None:
    """Bring the statistics' trade cells up to date with the declarations (queries do it too)."""
    report = refreshing.refresh(state(ctx).db.uow(), economy, full=full)
    emit(
        report,
        as_json,
        lambda r: console.print(
            f"{r.economy}: {'full rebuild' if r.full else f'{len(r.months)} months'}, "
            f"{r.cells:,} cells written (audit position {r.position})"
        ),
    )
