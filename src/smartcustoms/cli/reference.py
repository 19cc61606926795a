"""``smartcustoms reference``: load and query the reference data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn
from rich.table import Table

from smartcustoms.cli._common import JsonOption, console, emit, err_console, state
from smartcustoms.errors import FieldError, InvalidInput, NotFound
from smartcustoms.reference import service
from smartcustoms.reference.model import (
    Conversion,
    DatasetStatus,
    EglAnswer,
    HsEntry,
    HsHit,
    LoadReport,
    Location,
    format_hs,
)
from smartcustoms.reference.sources import ReferenceSource, resolve

app = typer.Typer(
    help="Reference data: HS codes, exchange rates, environmental goods, locations.",
    no_args_is_help=True,
)


def _notice(ctx: typer.Context, as_json: bool) -> None:
    """Say so (on stderr, never into --json output) when the data is the sample or absent."""
    if as_json:
        return
    notice = service.data_notice(state(ctx).db.uow())
    if notice:
        err_console.print(f"[yellow]note:[/yellow] {notice}")


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput.single(
            "date",
            "malformed_date",
            f"{value!r} is not a date: expected YYYY-MM-DD, e.g. 2021-04-15",
        ) from None


def _unknown_hs_is_bad_input(exc: NotFound) -> InvalidInput:
    # A code the user typed that does not exist is bad input (exit 2), not a missing record.
    return InvalidInput.single("code", "unknown_hs_code", exc.message)


@app.command("load")
def load(
    ctx: typer.Context,
    data_dir: Path | None = typer.Option(
        None,
        "--data-dir",
        help="Directory laid out like the shared data directory "
        "(default: SMARTCUSTOMS_DATA_DIR, else download into the cache).",
    ),
    only: str | None = typer.Option(
        None, "--only", help="Comma-separated datasets: hs,countries,fx,egl,unlocode."
    ),
    sample: bool = typer.Option(False, "--sample", help="Load the small built-in sample."),
    as_json: bool = JsonOption,
) -> None:
    """Load reference data in one transaction (a failure leaves the previous data intact)."""
    st = state(ctx)
    datasets = [d for d in only.split(",")] if only else None
    if sample:
        source = ReferenceSource.sample()
    elif data_dir is not None:
        source = ReferenceSource.from_directory(data_dir)
    else:
        source = resolve(st.settings, allow_sample=False)
    if as_json:
        report = service.load(st.db.uow(), source, datasets=datasets)
    else:
        console.print(f"loading from [bold]{source.location}[/bold]")
        with Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.completed:,} rows"),
            console=console,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(name: str, done: int, total: int) -> None:
                if name not in tasks:
                    tasks[name] = bar.add_task(name, total=total or None)
                bar.update(tasks[name], completed=done, total=total or None)

            report = service.load(st.db.uow(), source, datasets=datasets, progress=progress)

    def render(r: LoadReport) -> None:
        table = Table("dataset", "rows", "seconds", "source", "notes")
        for d in r.datasets:
            table.add_row(
                d.name,
                f"{d.rows:,}",
                f"{r.timings.get(d.name, 0):.2f}",
                d.source + (" (sample)" if d.is_sample else ""),
                "; ".join(r.notes.get(d.name, [])),
            )
        console.print(table)
        for name, reason in r.skipped.items():
            err_console.print(f"[yellow]skipped {name}:[/yellow] {reason}")
        _notice(ctx, as_json)

    emit(report, as_json, render)


@app.command("status")
def status(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Which datasets are loaded, from where, how many rows, when, and whether it is the sample."""
    data = service.status(state(ctx).db.uow())

    def render(rows: list[DatasetStatus]) -> None:
        table = Table("dataset", "rows", "source", "location", "loaded at", "sample", "sha256")
        for d in rows:
            table.add_row(
                d.name,
                f"{d.rows:,}",
                d.source,
                d.location,
                f"{d.loaded_at:%Y-%m-%d %H:%M} UTC",
                "yes" if d.is_sample else "",
                d.sha256[:12],
            )
        console.print(table if rows else "no reference data loaded")
        _notice(ctx, as_json)

    emit(data, as_json, render)


@app.command("hs")
def hs(ctx: typer.Context, code: str, as_json: bool = JsonOption) -> None:
    """Show an HS 2022 code (85, 8507, 8507.60) with its ancestors and children."""
    try:
        entry = service.hs_lookup(state(ctx).db.uow(), code)
    except NotFound as exc:
        raise _unknown_hs_is_bad_input(exc) from exc

    def render(e: HsEntry) -> None:
        if e.section:
            console.print(f"[dim]Section {e.section.roman}: {e.section.name}[/dim]")
        for a in e.ancestors:
            console.print(f"[dim]{format_hs(a.code):>8}  {a.description}[/dim]")
        console.print(f"[bold]{format_hs(e.code):>8}  {e.description}[/bold]")
        for c in e.children:
            console.print(f"{'':>4}{format_hs(c.code):>8}  {c.description}")
        _notice(ctx, as_json)

    emit(entry, as_json, render)


@app.command("hs-search")
def hs_search(
    ctx: typer.Context,
    text: str,
    limit: int = typer.Option(10, "--limit", min=1, max=100),
    as_json: bool = JsonOption,
) -> None:
    """Rank HS codes for a goods description (full-text search)."""
    hits = service.hs_search(state(ctx).db.uow(), text, limit=limit)

    def render(rows: list[HsHit]) -> None:
        table = Table("code", "level", "score", "description")
        for h in rows:
            table.add_row(format_hs(h.code), str(h.level), f"{h.score:.3f}", h.description)
        console.print(table if rows else f"no HS code matches {text!r}")
        _notice(ctx, as_json)

    emit(hits, as_json, render)


@app.command("fx")
def fx(
    ctx: typer.Context,
    amount: str,
    from_currency: str,
    to_currency: str,
    on: str = typer.Option(..., "--date", help="YYYY-MM-DD; the month's average rate is used."),
    as_json: bool = JsonOption,
) -> None:
    """Convert an amount through USD with the monthly rates of that date (and say which)."""
    problems: list[FieldError] = []
    value: Decimal | None = None
    when: date | None = None
    for parse in (lambda: service.parse_amount(amount), lambda: _parse_date(on)):
        try:
            result = parse()
        except InvalidInput as exc:
            problems.extend(exc.errors)
            continue
        if isinstance(result, Decimal):
            value = result
        else:
            when = result
    if problems or value is None or when is None:
        raise InvalidInput(problems)
    conversion = service.convert(state(ctx).db.uow(), value, from_currency, to_currency, when)

    def render(c: Conversion) -> None:
        console.print(
            f"[bold]{c.amount:,} {c.from_currency} = {c.result:,} {c.to_currency}[/bold]"
            f" (rates of {c.date:%Y-%m})"
        )
        for r in c.rates_used:
            console.print(
                f"  {r.currency}: {r.per_usd} per USD, average of {r.month:%Y-%m} "
                f"(quoted {r.source_quote} in the source)"
            )
        _notice(ctx, as_json)

    emit(conversion, as_json, render)


@app.command("egl")
def egl(ctx: typer.Context, code: str, as_json: bool = JsonOption) -> None:
    """Is this HS 2022 subheading on the APEC Environmental Goods List (mapped from HS 2007)?"""
    try:
        answer = service.egl(state(ctx).db.uow(), code)
    except NotFound as exc:
        raise _unknown_hs_is_bad_input(exc) from exc

    def render(a: EglAnswer) -> None:
        if a.is_environmental:
            how = "listed as such" if a.derivation == "listed" else a.derivation
            console.print(
                f"[green]yes[/green]: {format_hs(a.code)} is an APEC environmental "
                f"good ({how}: HS 2007 {format_hs(a.listed_code or '')})"
            )
        else:
            console.print(f"no: {format_hs(a.code)} is not on the APEC environmental goods list")
        _notice(ctx, as_json)

    emit(answer, as_json, render)


@app.command("locations")
def locations(
    ctx: typer.Context,
    text: str,
    country: str | None = typer.Option(None, "--country", help="ISO 3166 code, e.g. KR."),
    limit: int = typer.Option(20, "--limit", min=1, max=200),
    as_json: bool = JsonOption,
) -> None:
    """Find UN/LOCODE locations by code (KRPUS) or name (busan)."""
    rows = service.locations_search(state(ctx).db.uow(), text, country=country, limit=limit)

    def render(items: list[Location]) -> None:
        table = Table("code", "name", "subdivision", "functions", "coordinates")
        for loc in items:
            table.add_row(
                loc.code,
                loc.name,
                loc.subdivision or "",
                ", ".join(loc.functions),
                loc.coordinates or "",
            )
        console.print(table if items else f"no location matches {text!r}")
        _notice(ctx, as_json)

    emit(rows, as_json, render)
