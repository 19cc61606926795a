"""``smartcustoms stats``: trade figures, growth, green trade, release times, mirror statistics,
exports and the period report, from the economy's own declarations."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from smartcustoms.accounts.model import Principal
from smartcustoms.cli._common import JsonOption, console, emit, state
from smartcustoms.cli.declarations import EconomyOption, UserOption
from smartcustoms.cli.declarations import principal as acting_as
from smartcustoms.declarations import queries as declaration_queries
from smartcustoms.errors import InvalidInput
from smartcustoms.stats import export, green, mirror, publish, release, report, service
from smartcustoms.stats import refresh as refreshing
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


def principal(ctx: typer.Context, user: str | None, economy: str | None) -> Principal:
    """--user or --economy; without either, the one economy that has declarations (the demo)."""
    if user or economy:
        return acting_as(ctx, user, economy)
    found = declaration_queries.economies(state(ctx).db.uow())
    if len(found) == 1:
        return acting_as(ctx, None, found[0])
    listed = ", ".join(found) or "none yet"
    raise InvalidInput.single(
        "--economy",
        "required",
        f"give --economy XX or --user EMAIL (economies with declarations: {listed})",
    )


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


def _render_green(r: green.GreenResult) -> None:
    console.print(
        f"[bold]{r.economy}[/bold] green trade ({r.egl_subheadings} EGL subheadings), "
        f"{r.period.label}: {_fmt(r.green.total.value)} {r.currency} "
        f"({_fmt(r.green.total.value_usd)} USD) = {r.green_share_pct or '-'} % of "
        f"{_fmt(r.all_goods.value)}; growth {_pct(r.growth_pct)}, year on year {_pct(r.yoy_pct)}"
    )
    _render_trade(r.green)


@app.command("green")
def green_(
    ctx: typer.Context,
    period: str = PeriodOption,
    by: str = ByOption,
    flow: str = FlowOption,
    partner: str | None = PartnerOption,
    top: int | None = TopOption,
    tariff_cap: bool = typer.Option(
        False, "--tariff-cap", help="Check the tariff schedule against the APEC 5 % cap instead"
    ),
    cap: str = typer.Option("5", "--cap", help="The cap in percent (with --tariff-cap)"),
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Environmental goods trade (APEC EGL in HS 2022): value, share, growth, by partner."""
    uow, who = state(ctx).db.uow(), principal(ctx, user, economy)
    if tariff_cap:
        try:
            limit = Decimal(cap)
        except ArithmeticError as exc:
            raise InvalidInput.single("--cap", "not_a_number", f"{cap!r} is not a number") from exc
        emit(green.tariff_cap(uow, who, limit), as_json, _render_cap)
        return
    q = _query(by=by, flow=flow, partner=partner, top=top)
    emit(green.green(uow, who, period, q), as_json, _render_green)


def _render_cap(r: green.TariffCapResult) -> None:
    checked = ", ".join(f"{k} {v}" for k, v in r.lines_checked.items())
    console.print(
        f"[bold]{r.economy}[/bold] tariff schedule against the {r.cap_pct} % cap on "
        f"{r.egl_subheadings} EGL subheadings (lines checked: {checked}): "
        f"{len(r.above_cap)} above the cap"
    )
    table = Table()
    for col in ("rate type", "EGL code", "line", "ad valorem %", "specific", "origins"):
        table.add_column(col)
    for x in r.above_cap:
        table.add_row(x.rate_type, x.egl_code, x.hs_prefix, str(x.ad_valorem),
                      x.specific or "", ", ".join(x.origins))  # fmt: skip
    console.print(table)
    if r.without_rate:
        console.print(f"no {r.default_rate_type} line for: {', '.join(r.without_rate)}")


def _secs(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 120:
        return f"{value:.0f} s"
    if value < 7200:
        return f"{value / 60:.1f} min"
    if value < 172800:
        return f"{value / 3600:.1f} h"
    return f"{value / 86400:.1f} d"


@app.command("release-times")
def release_times(
    ctx: typer.Context,
    period: str = PeriodOption,
    by: str = typer.Option("lane", "--by", help=f"One of {', '.join(release.DIMENSIONS)}"),
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Lodgement (or arrival) to release: median, mean, 90th percentile, share within
    10 minutes / 1 hour / 1 day (WCO Time Release Study method)."""
    result = release.release_times(state(ctx).db.uow(), principal(ctx, user, economy), period, by)

    def render(r: release.ReleaseResult) -> None:
        console.print(f"[bold]{r.economy}[/bold] release times by {r.by}, {r.period.label}")
        table = Table()
        for col in (r.by, "count", "median", "mean", "p90", "≤10 min", "≤1 h", "≤1 day"):
            table.add_column(col, justify="left" if col == r.by else "right")
        for g in [r.total, *r.groups]:
            shares = (g.within_10_min_pct, g.within_1_h_pct, g.within_1_day_pct)
            table.add_row(
                g.key,
                f"{g.count:,}",
                *(_secs(x) for x in (g.median_s, g.mean_s, g.p90_s)),
                *(f"{x} %" if x is not None else "-" for x in shares),
            )
        console.print(table)
        for note in r.notes:
            console.print(f"[yellow]note:[/yellow] {note}")

    emit(result, as_json, render)


@app.command("mirror")
def mirror_(
    ctx: typer.Context,
    partner: str = typer.Option(..., "--partner", help="The partner economy, e.g. JP"),
    period: str = PeriodOption,
    flow: str = typer.Option("export", "--flow", help="export (ours to them) or import"),
    level: int = typer.Option(6, "--level", help="HS digits: 2, 4 or 6"),
    top: int = typer.Option(20, "--top", help="The N largest gaps"),
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Our exports to a partner against its imports from us (or the reverse), largest gaps."""
    result = mirror.mirror(
        state(ctx).db.uow(), principal(ctx, user, economy), partner, period,
        flow=flow, level=level, top=top,
    )  # fmt: skip

    def render(r: mirror.MirrorResult) -> None:
        console.print(
            f"[bold]{r.economy}[/bold] {r.flow.value}s with {r.partner}, {r.period.label} "
            f"(USD; partner data: {r.source}): reported {_fmt(r.reported_total_usd)}, "
            f"mirror {_fmt(r.mirror_total_usd)}, gap {_fmt(r.gap_total_usd)}"
        )
        table = Table()
        for col in ("HS", "", "reported", "mirror", "gap", "gap %"):
            table.add_column(col, justify="left" if col in ("HS", "") else "right")
        for row in r.rows:
            table.add_row(row.hs, row.label[:36], _fmt(row.reported_usd), _fmt(row.mirror_usd),
                          _fmt(row.gap_usd), _pct(row.gap_pct))  # fmt: skip
        console.print(table)

    emit(result, as_json, render)


@app.command("periods")
def periods(
    ctx: typer.Context,
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Named periods: built-in (FYP13, FYP14, FYP15) and the economy's own."""
    found = service.list_periods(state(ctx).db.uow(), principal(ctx, user, economy))

    def render(items: list[service.NamedPeriodInfo]) -> None:
        for p in items:
            console.print(f"{p.code:<12} {p.first:%Y-%m}..{p.last:%Y-%m}  {p.label}")

    emit(found, as_json, render)


@app.command("define-period")
def define_period(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="A short code, e.g. PLAN2"),
    label: str = typer.Option(..., "--label", help="e.g. 'Second national plan 2022-2026'"),
    months: str = typer.Option(..., "--months", help="e.g. 2022-01..2026-12 or 2022"),
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Name a run of months for this economy; use the code wherever a period is asked."""
    info = service.define_period(
        state(ctx).db.uow(), principal(ctx, user, economy), code, label, months
    )
    emit(info, as_json, lambda p: console.print(f"{p.code}: {p.first:%Y-%m}..{p.last:%Y-%m}"))


@app.command("export")
def export_(
    ctx: typer.Context,
    period: str = PeriodOption,
    by: str = ByOption,
    flow: str = FlowOption,
    fmt: str = typer.Option("csv", "--format", help="csv, xlsx or sdmx (SDMX-CSV)"),
    out: Path = typer.Option(..., "--out", help="File to write"),
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
) -> None:
    """Write trade figures to a CSV, XLSX or SDMX-CSV file."""
    if fmt not in export.FORMATS:
        raise InvalidInput.single("--format", "unknown_value", "csv, xlsx or sdmx")
    q = _query(by=by, flow=flow)
    result = service.trade(state(ctx).db.uow(), principal(ctx, user, economy), period, q)
    if fmt == "xlsx":
        out.write_bytes(export.to_xlsx(result))
    else:
        text = export.to_sdmx_csv(result) if fmt == "sdmx" else export.to_csv(result)
        out.write_text(text, encoding="utf-8")
    console.print(f"wrote {out} ({len(result.rows)} rows)")


@app.command("report")
def report_(
    ctx: typer.Context,
    period: str = PeriodOption,
    fmt: str = typer.Option("pdf", "--format", help="pdf or html"),
    out: Path = typer.Option(..., "--out", help="File to write"),
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
) -> None:
    """The printable period report: totals, growth, APEC share, green trade, release times."""
    if fmt not in ("pdf", "html"):
        raise InvalidInput.single("--format", "unknown_value", "pdf or html")
    built = report.build(state(ctx).db.uow(), principal(ctx, user, economy), period)
    if fmt == "pdf":
        out.write_bytes(report.render_pdf(built))
    else:
        out.write_text(report.render_html(built), encoding="utf-8")
    console.print(f"wrote {out}")


@app.command("publish")
def publish_(
    ctx: typer.Context,
    title: str = typer.Option(..., "--title"),
    period: str = PeriodOption,
    by: str = typer.Option(
        "partner", "--by", help="partner, chapter, heading, mode, office, flow or total"
    ),
    flow: str = FlowOption,
    threshold: int = typer.Option(
        3, "--threshold", help="Suppress rows below this many declarants"
    ),
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Publish an aggregate for anyone to read at /public/stats/<economy> (small cells
    suppressed)."""
    pub = publish.publish(
        state(ctx).db.uow(),
        principal(ctx, user, economy),
        title=title,
        period=period,
        by=by,
        flow=flow,
        threshold=threshold,
    )
    emit(
        pub,
        as_json,
        lambda p: console.print(
            f"published {p.id}: /public/stats/{p.economy}/{p.id} "
            f"({p.payload['suppressed']} rows suppressed)"
        ),
    )
