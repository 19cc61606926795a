"""``smartcustoms ecommerce``: generate and submit parcel manifests, decisions, the officers'
parcel queue and results, regimes, unit-value norms, party keys and three-order records.

The console operator acts as the system actor of ``--economy`` (an admin of it), like the
other operator commands.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from smartcustoms.cli._common import JsonOption, LazyModule, console, emit, err_console, state
from smartcustoms.declarations.service import system_principal

if TYPE_CHECKING:
    from smartcustoms.ecommerce.model import ParcelView


services: Any = LazyModule("smartcustoms.ecommerce.services")
generator: Any = LazyModule("smartcustoms.ecommerce.generator")
schemas: Any = LazyModule("smartcustoms.ecommerce.schemas")


app = typer.Typer(help="Cross-border e-commerce clearance: parcel manifests.", no_args_is_help=True)
EconomyOption = typer.Option(..., "--economy", help="Economy (ISO alpha-2).")
DateOption = typer.Option(None, "--date", help="Arrival date (YYYY-MM-DD); default today.")


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


@app.command()
def generate(
    parcels: int = typer.Option(..., "--parcels", min=1, help="How many parcels."),
    seed: int = typer.Option(..., "--seed", help="Random seed (same seed, same file)."),
    economy: str = EconomyOption,
    out: Path = typer.Option(..., "--out", help="The NDJSON file to write."),
    on: str | None = DateOption,
    three_orders: bool = typer.Option(
        False, "--three-orders", help="Also write signed records and the parties' keys."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Write a synthetic manifest with injected frauds (truth in FILE.truth.csv)."""
    counts = generator.write_manifest(
        out, parcels, seed, economy.upper(), _date(on), three_orders=three_orders
    )
    doc = {"out": str(out), "truth": f"{out}.truth.csv", "parcels": parcels, "frauds": counts}
    emit(
        doc,
        as_json,
        lambda d: console.print(f"wrote {parcels} parcels to {out}; injected frauds: {counts}"),
    )


@app.command()
def submit(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="NDJSON, JSON or CSV."),
    economy: str = EconomyOption,
    on: str | None = DateOption,
    profile: str = typer.Option("flat", "--profile", help="CSV mapping profile: flat, h7, ceb621."),
    fmt: str | None = typer.Option(
        None, "--format", help="ndjson, json or csv (default: by name)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Lodge a manifest, wait for its decisions, print the counts."""
    st = state(ctx)
    principal = system_principal(economy.upper(), "cli")
    with _progress() as bar:
        task = bar.add_task(f"parcels of {file.name}", total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        outcome = services.submit_manifest(
            st.db.uow(),
            principal,
            file,
            secret_key=st.settings.secret_key,
            files_dir=st.settings.files_dir,
            filename=file.name,
            fmt=fmt,
            profile=profile,
            on=_date(on),
            progress=report,
        )
    emit(schemas.outcome_doc(outcome), as_json, _show_outcome)
    if outcome.status == "rejected":
        raise typer.Exit(2)


def _show_outcome(d: dict[str, Any]) -> None:
    console.print(
        f"manifest {d['id']} [{d['status']}]{' (resubmitted)' if d['resubmitted'] else ''}: "
        f"{d['parcels']} parcels, {d['decided']} decided, {d['bad']} bad"
    )
    for kind, n in d["decisions"].items():
        console.print(f"  {kind:8} {n}")
    console.print(f"  duty {d['duty_total']} {d['currency']}, tax {d['tax_total']}")
    for e in d["errors"]:
        console.print(
            f"  line {e['line']} {e['waybill']} {e['field']}: {e['reason']}", markup=False
        )
    if d["decisions_file"]:
        console.print(f"decisions file: {d['decisions_file']}")


def _parcels(rows: list[ParcelView]) -> None:
    table = Table("waybill", "decision", "score", "duty", "tax", "reasons")
    for r in rows:
        table.add_row(r.waybill, r.decision, f"{r.score:.2f}", str(r.duty), str(r.tax), r.reasons)
    console.print(table)


@app.command()
def decisions(
    ctx: typer.Context,
    manifest_id: str = typer.Argument(..., help="The manifest (job) id."),
    economy: str = EconomyOption,
    decision: str | None = typer.Option(None, "--decision", help="release/hold/inspect/refuse"),
    limit: int = typer.Option(100, "--limit"),
    as_json: bool = JsonOption,
) -> None:
    """The per-parcel decisions of a manifest."""
    st = state(ctx)
    principal = system_principal(economy.upper(), "cli")
    rows = services.decisions(st.db.uow(), principal, manifest_id, decision, limit)
    emit(rows, as_json, _parcels)


@app.command()
def queue(
    ctx: typer.Context,
    economy: str = EconomyOption,
    decision: str | None = typer.Option(None, "--decision", help="inspect or hold"),
    limit: int = typer.Option(50, "--limit"),
    as_json: bool = JsonOption,
) -> None:
    """Parcels waiting for an officer (inspections first, riskiest first)."""
    st = state(ctx)
    principal = system_principal(economy.upper(), "cli")
    emit(services.queue(st.db.uow(), principal, decision, limit), as_json, _parcels)


@app.command()
def result(
    ctx: typer.Context,
    waybill: str = typer.Argument(...),
    economy: str = EconomyOption,
    outcome: str = typer.Option(
        ..., "--result", help="no_finding, finding, seized, released_after_info, refused"
    ),
    note: str = typer.Option("", "--note"),
    as_json: bool = JsonOption,
) -> None:
    """Record an officer's result for a held or inspected parcel."""
    st = state(ctx)
    principal = system_principal(economy.upper(), "cli")
    view = services.record_result(st.db.uow(), principal, waybill, outcome, note)
    emit(view, as_json, lambda v: console.print(f"{v.waybill}: {v.status}, result {v.result}"))


@app.command()
def regimes(
    ctx: typer.Context,
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """The economy's de minimis and tax regime rows, with sources and dates."""
    st = state(ctx)
    rows = services.regimes(st.db.uow(), economy)

    def show(rs: list[Any]) -> None:
        table = Table(
            "from", "currency", "duty thr.", "tax thr.", "VAT %", "vendor scheme", "source"
        )
        for r in rs:
            table.add_row(
                str(r.effective_from),
                r.threshold_currency,
                str(r.duty_threshold),
                str(r.tax_threshold),
                str(r.vat_rate),
                r.vendor_scheme,
                r.source[:60],
            )
        console.print(table)

    emit([r.to_dict() for r in rows] if as_json else rows, as_json, show)


@app.command("regime-add")
def regime_add(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, help="JSON object: the changed fields."),
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Add a regime row (a change in law) from its effective date."""
    st = state(ctx)
    principal = system_principal(economy.upper(), "cli")
    regime = services.add_regime(st.db.uow(), principal, json.loads(file.read_text()))
    emit(
        regime.to_dict(),
        as_json,
        lambda d: console.print(f"regime for {d['economy']} from {d['effective_from']} added"),
    )


@app.command()
def norms(
    ctx: typer.Context,
    economy: str = EconomyOption,
    on: str | None = DateOption,
    days: int = typer.Option(30, "--days"),
    as_json: bool = JsonOption,
) -> None:
    """Learn unit-value norms per HS subheading from the last DAYS days of parcels."""
    st = state(ctx)
    n = services.refresh_norms(st.db.uow(), economy, _date(on) or date.today(), days)
    emit({"norms": n}, as_json, lambda d: console.print(f"{d['norms']} unit-value norms"))


@app.command("settings")
def settings_cmd(
    ctx: typer.Context,
    economy: str = EconomyOption,
    set_: list[str] = typer.Option([], "--set", help="KEY=VALUE, repeatable."),
    as_json: bool = JsonOption,
) -> None:
    """Show or change the economy's e-commerce settings (budget, all-or-nothing, ...)."""
    st = state(ctx)
    principal = system_principal(economy.upper(), "cli")
    # The service reads each value in its setting's type.
    changes = {k.strip(): v for k, _, v in (item.partition("=") for item in set_)}
    current = (
        services.save_settings(st.db.uow(), principal, changes)
        if changes
        else services.get_settings(st.db.uow(), economy)
    )
    emit(current, as_json, lambda s: console.print(s))


@app.command("keys")
def keys_cmd(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, help="JSON: {party: {kind, public_key}}."),
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Register the parties' Ed25519 public keys (private keys in the file are ignored)."""
    st = state(ctx)
    principal = system_principal(economy.upper(), "cli")
    parties = json.loads(file.read_text(encoding="utf-8"))
    done = [
        services.register_party_key(
            st.db.uow(), principal, party, str(v.get("kind", "")), str(v.get("public_key", ""))
        )
        for party, v in parties.items()
    ]
    emit(done, as_json, lambda d: console.print(f"{len(d)} party keys registered"))


@app.command("records")
def records_cmd(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, help="NDJSON of signed records."),
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Lodge signed order, payment and waybill records (the three orders)."""
    import orjson

    st = state(ctx)
    principal = system_principal(economy.upper(), "cli")
    records = [orjson.loads(line) for line in file.read_bytes().splitlines() if line.strip()]
    out = services.submit_records(
        st.db.uow(), principal, records, secret_key=st.settings.secret_key
    )
    emit(
        out,
        as_json,
        lambda d: console.print(
            f"{d['accepted']} accepted, {d['refused']} refused, {d['unchanged']} unchanged, "
            f"{d['redecided']} waiting parcels decided again"
        ),
    )


@app.command("sweep")
def sweep(
    ctx: typer.Context,
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Mark parcels still waiting for three-order records after the deadline."""
    st = state(ctx)
    principal = system_principal(economy.upper(), "cli")
    n = services.expire_waiting(st.db.uow(), principal)
    emit(
        {"expired": n},
        as_json,
        lambda d: console.print(f"{d['expired']} parcels past the deadline"),
    )
