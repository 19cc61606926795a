"""``smartcustoms tariff``: import, show, look up and export tariff schedules."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import typer
from rich.table import Table

from smartcustoms.cli._common import JsonOption, console, emit, state
from smartcustoms.cli.declarations import EconomyOption, UserOption, principal
from smartcustoms.declarations.demo import load_kr_demo_schedule
from smartcustoms.errors import InvalidInput
from smartcustoms.tariff import service
from smartcustoms.tariff.model import DeMinimisScope

app = typer.Typer(
    help="Tariff schedules: duty rates, VAT/GST, de minimis per economy.", no_args_is_help=True
)


def _amount(value: str | None, option: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise InvalidInput.single(option, "not_a_number", f"'{value}' is not a number") from exc


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path,
    economy: str = typer.Option(..., help="Economy the schedule belongs to, e.g. KR"),
    vat: str | None = typer.Option(None, help="VAT/GST rate in percent"),
    de_minimis: str | None = typer.Option(None, help="De minimis threshold amount"),
    de_minimis_currency: str | None = typer.Option(None, help="Currency of the threshold"),
    de_minimis_scope: DeMinimisScope | None = typer.Option(None, help="duty or duty_and_tax"),
    default_rate_type: str | None = typer.Option(None, help="The general rate type (MFN)"),
    user: str | None = UserOption,
    as_json: bool = JsonOption,
) -> None:
    """Replace an economy's tariff lines with a CSV file (columns in docs/declarations.md)."""
    if not file.is_file():
        raise InvalidInput.single("file", "not_found", f"no such file: {file}")
    summary = service.import_csv(
        state(ctx).db.uow(),
        principal(ctx, user, economy.upper()),
        file.read_text(encoding="utf-8"),
        economy=economy,
        vat_rate=_amount(vat, "--vat"),
        de_minimis_amount=_amount(de_minimis, "--de-minimis"),
        de_minimis_currency=de_minimis_currency,
        de_minimis_scope=de_minimis_scope,
        default_rate_type=default_rate_type,
        source=f"imported from {file.name}",
    )
    emit(
        summary,
        as_json,
        lambda s: console.print(
            f"{s.economy}: {s.lines} tariff lines, rate types {', '.join(s.rate_types)}"
        ),
    )


@app.command("show")
def show(ctx: typer.Context, economy: str = typer.Option(...), as_json: bool = JsonOption) -> None:
    """An economy's schedule settings and size."""
    summary = service.summary(state(ctx).db.uow(), economy)

    def render(s: service.ScheduleSummary) -> None:
        st = s.settings
        console.print(f"{s.economy}: {s.lines} lines; rate types {', '.join(s.rate_types)}")
        console.print(
            f"  general rate type {st.default_rate_type}; VAT/GST {st.vat_rate} %; "
            f"de minimis {st.de_minimis_amount or '-'} {st.de_minimis_currency or ''} "
            f"({st.de_minimis_scope})"
        )
        console.print(f"  source: {st.source}")

    emit(summary, as_json, render)


@app.command("lookup")
def lookup(
    ctx: typer.Context,
    hs_code: str,
    economy: str = typer.Option(...),
    origin: str = typer.Option(..., help="Country of origin"),
    claim: str | None = typer.Option(None, help="Rate type claimed, e.g. FCN1"),
    as_json: bool = JsonOption,
) -> None:
    """Which tariff line applies (longest HS prefix), and why."""
    match = service.lookup(state(ctx).db.uow(), economy, hs_code, origin, claim)

    def render(m: object) -> None:
        table = Table("prefix", "rate type", "ad valorem %", "specific", "origins", "why")
        ln = match.line
        specific = f"{ln.specific_amount}/{ln.specific_unit}" if ln.specific_amount else ""
        table.add_row(
            ln.hs_prefix,
            ln.rate_type,
            str(ln.ad_valorem),
            specific,
            " ".join(sorted(ln.origins)) or "any",
            match.why,
        )
        console.print(table)

    emit(match, as_json, render)


@app.command("export")
def export(
    ctx: typer.Context,
    economy: str = typer.Option(...),
    out: Path | None = typer.Option(None, help="Write here instead of stdout"),
) -> None:
    """Write an economy's lines as tariff CSV."""
    text = service.export_csv(state(ctx).db.uow(), economy)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")


@app.command("derive-kcs")
def derive_kcs(
    ctx: typer.Context,
    files: list[Path],
    as_json: bool = JsonOption,
    economy: str | None = EconomyOption,
) -> None:
    """Derive the DEMONSTRATION KR schedule from KCS declaration files (profile kcs-cdd)."""
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise InvalidInput.single("files", "not_found", f"no such file: {', '.join(missing)}")
    lines = load_kr_demo_schedule(state(ctx).db.uow(), files)
    emit(
        {"economy": "KR", "lines": lines},
        as_json,
        lambda d: console.print(f"KR demonstration schedule: {d['lines']} lines"),
    )
