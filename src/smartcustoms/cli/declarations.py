"""``smartcustoms declarations``: validate, submit, show, list, act on and import declarations;
attach and read their supporting documents.

The CLI runs with database access, so it is an operator's tool: ``--user EMAIL`` acts as that
user (with their roles and economy); without it, commands act as the system (an admin of the
economy given by ``--economy``).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from smartcustoms.accounts import service as accounts
from smartcustoms.accounts.model import Principal
from smartcustoms.cli._common import JsonOption, console, emit, err_console, state
from smartcustoms.core.pagination import Page, PageRequest
from smartcustoms.declarations import attachments, control, service
from smartcustoms.declarations.intake import importing
from smartcustoms.declarations.intake.profiles import load_profile
from smartcustoms.declarations.model import (
    DeclarationDocument,
    DeclarationRecord,
    DeclarationSummary,
    Lane,
    ListFilters,
    Outcome,
    Status,
    ValidationReport,
)
from smartcustoms.errors import InvalidInput

if TYPE_CHECKING:
    from smartcustoms.classify.lodgement import DescriptionCheck

app = typer.Typer(
    help="Goods declarations: lodge, follow, act on, bulk import.", no_args_is_help=True
)
UserOption = typer.Option(
    None,
    "--user",
    envvar="SMARTCUSTOMS_USER",
    help="Act as this user (email); default: the system.",
)
EconomyOption = typer.Option(None, "--economy", help="Economy code when acting as the system.")


def principal(
    ctx: typer.Context, user: str | None, economy: str | None, default_economy: str | None = None
) -> Principal:
    db = state(ctx).db
    if user:
        return accounts.principal_of(accounts.user_by_email(db.uow(), user))
    code = economy or default_economy
    if not code:
        raise InvalidInput.single(
            "--economy", "required", "give --user EMAIL, or --economy XX to act as the system"
        )
    return service.system_principal(code)


def _check(ctx: typer.Context) -> DescriptionCheck:
    """HS classification's lodgement check (silent while no classifier is built)."""
    # Imported here: the classifier brings scikit-learn and SciPy, which no other command needs.
    from smartcustoms.classify.lodgement import DescriptionCheck, LazySuggester

    holder = state(ctx).container.ports.hs_suggester
    return DescriptionCheck(holder or LazySuggester.under(state(ctx).settings.home))


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InvalidInput.single("file", "not_found", f"no such file: {path}") from exc
    except json.JSONDecodeError as exc:
        raise InvalidInput.single("$", "invalid_json", f"{path.name} is not JSON: {exc}") from exc


def render_record(r: DeclarationRecord) -> None:
    d = r.declaration
    console.print(
        f"[bold]{r.id}[/bold]  {d.kind.value} {d.reference}  status [bold]{r.status}"
        f"[/bold]  lane {r.lane or '-'}  version {r.version}"
    )
    console.print(
        f"  {r.economy}, office {d.office}, {d.transport_mode.value}, "
        f"{r.declaration_date}, declarant {d.declarant.id}"
    )
    if r.lane_reasons:
        console.print("  lane: " + "; ".join(r.lane_reasons))
    a = r.assessment
    if a is not None:
        table = Table("item", "tax", "base", "rate", "source", "amount", title="assessment")
        for ln in a.lines:
            table.add_row(
                str(ln.item),
                ln.tax,
                f"{ln.base} {ln.base_unit}",
                f"{ln.rate} {ln.rate_unit}",
                ln.source,
                f"{ln.amount} {a.currency}",
            )
        console.print(table)
        rates = ", ".join(f"{x.currency} {x.per_usd}/USD ({x.month:%Y-%m})" for x in a.rates_used)
        console.print(
            f"  customs value {a.customs_value} {a.currency}; duty {a.duty_total}; "
            f"VAT {a.tax_total}; [bold]total {a.total} {a.currency}[/bold]"
            + (f"; rates: {rates}" if rates else "")
        )
        for note in a.notes:
            console.print(f"  note: {note}")
    for h in r.history:
        console.print(
            f"  {h.at:%Y-%m-%d %H:%M} {h.action:<18} {h.from_status or '-'} -> "
            f"{h.to_status or '-'}  by {h.actor} {h.note}"
        )


def _report(rep: ValidationReport) -> None:
    if rep.valid:
        console.print("[green]valid[/green]")
    for e in rep.errors:
        err_console.print(f"  [red]{e.path}[/red] ({e.code}): {e.message}")
    for w in rep.warnings:
        console.print(f"  [yellow]{w.path}[/yellow] ({w.code}): {w.message}")
    if rep.assessment is not None:
        a = rep.assessment
        console.print(f"  duties {a.duty_total}, VAT {a.tax_total}, total {a.total} {a.currency}")


@app.command("validate")
def validate(
    ctx: typer.Context,
    file: Path,
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Validate a JSON declaration without storing it (exit 2 when invalid)."""
    rep = service.validate(
        state(ctx).db.uow(), principal(ctx, user, economy), _load_json(file), signals=_check(ctx)
    )
    emit(rep, as_json, _report)
    if not rep.valid:
        raise typer.Exit(2)


@app.command("submit")
def submit(
    ctx: typer.Context,
    file: Path,
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Lodge a JSON declaration (the same file again returns the stored one)."""
    result = service.submit(
        state(ctx).db.uow(),
        principal(ctx, user, economy),
        _load_json(file),
        source="cli",
        signals=_check(ctx),
    )

    def render(r: service.SubmitResult) -> None:
        console.print("created" if r.created else "already lodged (same content)")
        render_record(r.record)

    emit(result, as_json, render)


@app.command("show")
def show(
    ctx: typer.Context,
    declaration_id: str,
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """One declaration with its assessment, lane, inspections and history."""
    emit(
        service.get(state(ctx).db.uow(), principal(ctx, user, economy), declaration_id),
        as_json,
        render_record,
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Status | None = typer.Option(None),
    lane: Lane | None = typer.Option(None),
    date_from: str | None = typer.Option(None, "--from", help="YYYY-MM-DD"),
    date_to: str | None = typer.Option(None, "--to", help="YYYY-MM-DD"),
    hs: str | None = typer.Option(None, help="HS code prefix"),
    party: str | None = typer.Option(None, help="declarant, importer/exporter or seller id"),
    page: int = typer.Option(1, min=1),
    size: int = typer.Option(20, min=1, max=500),
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """List declarations (newest first) with filters."""
    filters = ListFilters(
        status=status,
        lane=lane,
        date_from=_day(date_from, "--from"),
        date_to=_day(date_to, "--to"),
        hs_prefix=hs,
        party=party,
    )
    result = service.list_declarations(
        state(ctx).db.uow(), principal(ctx, user, economy), filters, PageRequest(page, size)
    )

    def render(p: Page[DeclarationSummary]) -> None:
        table = Table(
            "id",
            "reference",
            "date",
            "status",
            "lane",
            "HS",
            "value",
            "due",
            title=f"{p.total} declarations (page {p.page}/{p.pages})",
        )
        for s in p.items:
            table.add_row(
                s.id,
                s.reference,
                str(s.declaration_date),
                s.status.value,
                s.lane.value if s.lane else "-",
                " ".join(s.hs_codes),
                f"{s.customs_value or ''}",
                f"{'' if s.total_due is None else s.total_due} {s.currency or ''}",
            )
        console.print(table)

    emit(result, as_json, render)


def _day(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput.single(option, "invalid_date", "write YYYY-MM-DD") from exc


@app.command("amend")
def amend(
    ctx: typer.Context,
    declaration_id: str,
    file: Path,
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Replace a declaration's document (before release; the old version is kept)."""
    emit(
        service.amend(
            state(ctx).db.uow(), principal(ctx, user, economy), declaration_id, _load_json(file)
        ),
        as_json,
        render_record,
    )


@app.command("cancel")
def cancel(
    ctx: typer.Context,
    declaration_id: str,
    reason: str = typer.Option(""),
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Cancel a declaration (declarant, before release and before physical inspection)."""
    emit(
        service.cancel(state(ctx).db.uow(), principal(ctx, user, economy), declaration_id, reason),
        as_json,
        render_record,
    )


@app.command("arrival")
def arrival(
    ctx: typer.Context,
    declaration_id: str,
    on: str | None = typer.Option(None, help="Arrival date (default today)"),
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Arrival notice for a pre-lodged declaration: it is then assessed and routed."""
    emit(
        control.arrival_notice(
            state(ctx).db.uow(), principal(ctx, user, economy), declaration_id, _day(on, "--on")
        ),
        as_json,
        render_record,
    )


@app.command("refer")
def refer(
    ctx: typer.Context,
    declaration_id: str,
    note: str = typer.Option(""),
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Send a declaration under documentary check to physical inspection."""
    emit(
        control.refer_physical(
            state(ctx).db.uow(), principal(ctx, user, economy), declaration_id, note
        ),
        as_json,
        render_record,
    )


@app.command("inspect")
def inspect(
    ctx: typer.Context,
    declaration_id: str,
    outcome: Outcome = typer.Option(..., help="no_discrepancy, discrepancy or seizure"),
    adjustment: str | None = typer.Option(None, help="Revenue adjustment owed"),
    hold: bool = typer.Option(False, help="Hold the goods (discrepancy)"),
    critical: bool = typer.Option(False, help="A critical fraud"),
    notes: str = typer.Option(""),
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Record the result of a documentary check or physical inspection."""
    amount = None
    if adjustment is not None:
        try:
            amount = Decimal(adjustment)
        except ArithmeticError as exc:
            raise InvalidInput.single("--adjustment", "not_a_number", "give a number") from exc
    emit(
        control.record_inspection(
            state(ctx).db.uow(),
            principal(ctx, user, economy),
            declaration_id,
            outcome,
            notes=notes,
            revenue_adjustment=amount,
            hold=hold,
            critical=critical,
        ),
        as_json,
        render_record,
    )


@app.command("release")
def release(
    ctx: typer.Context,
    declaration_id: str,
    note: str = typer.Option(""),
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Release held goods."""
    emit(
        control.release(state(ctx).db.uow(), principal(ctx, user, economy), declaration_id, note),
        as_json,
        render_record,
    )


@app.command("seize")
def seize(
    ctx: typer.Context,
    declaration_id: str,
    note: str = typer.Option(""),
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Seize held goods."""
    emit(
        control.seize(state(ctx).db.uow(), principal(ctx, user, economy), declaration_id, note),
        as_json,
        render_record,
    )


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path,
    profile: str = typer.Option("kcs-cdd", help="Profile name or path to a YAML profile"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate only; store nothing"),
    assess: bool = typer.Option(
        False,
        "--assess",
        help="Lanes from the assessor in date order, like live lodgements; labels kept only "
        "for declarations sent to control (default: historical import, every label kept)",
    ),
    economy: str | None = typer.Option(None, help="Economy (default: the profile's)"),
    chunk_size: int = typer.Option(
        importing.CHUNK_ROWS, "--chunk-size", help="Rows stored per transaction", min=1
    ),
    check_descriptions: bool = typer.Option(
        False,
        "--check-descriptions",
        help="With --assess: run the HS classification check on every item, as live "
        "lodging does (risk rules can select on its signal; about 360 items/s)",
    ),
    user: str | None = UserOption,
    as_json: bool = JsonOption,
) -> None:
    """Import a national file through a mapping profile: every row, or none (exit 2).

    Rows are stored chunk by chunk; an import interrupted half-way is completed (nothing
    duplicated) by running the same command again."""
    if check_descriptions and not assess:
        raise InvalidInput.single(
            "--check-descriptions", "needs_assess", "the description check needs --assess"
        )
    prof = load_profile(profile)
    who = principal(ctx, user, economy, prof.economy)
    uow = state(ctx).db.uow()
    signals = _check(ctx) if check_descriptions else None
    try:
        if as_json:
            report = importing.import_file(
                uow,
                who,
                file,
                prof,
                economy=economy,
                dry_run=dry_run,
                assess=assess,
                chunk_size=chunk_size,
                signals=signals,
            )
        else:
            with Progress(
                TextColumn("{task.description:<8}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err_console,
            ) as bar:
                tasks: dict[str, Any] = {}

                def tick(stage: str, done: int, total: int) -> None:
                    if stage not in tasks:
                        tasks[stage] = bar.add_task(stage, total=max(total, 1))
                    bar.update(tasks[stage], completed=done, total=max(total, 1))

                report = importing.import_file(
                    uow,
                    who,
                    file,
                    prof,
                    economy=economy,
                    dry_run=dry_run,
                    assess=assess,
                    progress=tick,
                    chunk_size=chunk_size,
                    signals=signals,
                )
    except importing.ImportRejected as exc:
        emit(exc.report, as_json, _render_import)
        raise typer.Exit(2) from exc
    emit(report, as_json, _render_import)


def _render_import(r: importing.ImportReport) -> None:
    verb = "checked (dry run)" if r.dry_run else "stored"
    if r.errors:
        table = Table(
            "row",
            "column",
            "field",
            "problem",
            title=f"{r.invalid} invalid rows of {r.rows}: nothing stored",
        )
        for e in r.errors:
            table.add_row(str(e.row), e.column or "-", e.field, e.message)
        err_console.print(table)
        return
    count = r.valid if r.dry_run else r.stored
    console.print(
        f"{r.rows} rows: {count} {verb}, {r.already_present} already present; "
        f"{r.inspections} inspection results ({r.fraud} fraud, {r.critical} critical) "
        f"in {r.seconds:.1f} s"
    )
    if r.assessed and r.stored:
        console.print(
            "lanes: " + ", ".join(f"{lane} {n} ({n / r.stored:.1%})" for lane, n in r.lanes.items())
        )
    if r.warnings:
        console.print("warnings: " + ", ".join(f"{k} x{v}" for k, v in r.warnings.items()))


rules_app = typer.Typer(help="The rule-based lane assessor's configuration.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@rules_app.command("show")
def rules_show(
    ctx: typer.Context,
    economy: str = typer.Option(..., help="Economy code"),
    as_json: bool = JsonOption,
) -> None:
    """Show the rules and random selection rates."""
    config = service.get_assessor_config(state(ctx).db.uow(), economy.upper())
    emit(config.to_dict(), as_json, lambda d: console.print_json(json.dumps(d)))


@rules_app.command("set")
def rules_set(
    ctx: typer.Context,
    file: Path,
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Replace the configuration with a JSON file (random rates and rules)."""
    config = service.set_assessor_config(
        state(ctx).db.uow(), principal(ctx, user, economy), _load_json(file)
    )
    emit(config.to_dict(), as_json, lambda d: console.print(f"{len(d['rules'])} rules set"))


# --- supporting documents ----------------------------------------------------------------------


def _render_documents(documents: list[DeclarationDocument]) -> None:
    if not documents:
        console.print("no documents")
        return
    table = Table("id", "kind", "file", "type", "bytes", "attached by", "at", "sha256")
    for d in documents:
        table.add_row(
            d.id,
            d.kind.value,
            d.filename,
            d.content_type,
            f"{d.size:,}",
            d.uploaded_by,
            d.uploaded_at.strftime("%Y-%m-%d %H:%M"),
            d.sha256[:16] + "…",
        )
    console.print(table)


@app.command("attach")
def attach(
    ctx: typer.Context,
    declaration_id: str,
    file: Path,
    kind: str = typer.Option(
        ...,
        help="commercial_invoice, packing_list, certificate_of_origin, licence, "
        "transport_document, inspection_report (officers) or other",
    ),
    note: str = typer.Option(""),
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Attach a supporting document (PDF, PNG, JPEG, TIFF, XML, CSV or text; 10 MiB at most)."""
    try:
        with file.open("rb") as fh:
            data = fh.read(attachments.MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        raise InvalidInput.single("file", "not_found", f"cannot read {file}: {exc}") from exc
    added = attachments.attach(
        state(ctx).db.uow(),
        principal(ctx, user, economy),
        declaration_id,
        kind=kind,
        filename=file.name,
        data=data,
        note=note,
    )
    emit(added, as_json, lambda d: console.print(f"attached {d.filename} as {d.id}"))


@app.command("documents")
def documents(
    ctx: typer.Context,
    declaration_id: str,
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """The supporting documents of a declaration."""
    found = attachments.list_documents(
        state(ctx).db.uow(), principal(ctx, user, economy), declaration_id
    )
    emit(found, as_json, _render_documents)


@app.command("document")
def document(
    ctx: typer.Context,
    declaration_id: str,
    document_id: str,
    out: Path = typer.Option(..., "--out", help="Where to write the document's bytes"),
    user: str | None = UserOption,
    economy: str | None = EconomyOption,
) -> None:
    """Write one document to a file (its bytes checked against the recorded SHA-256)."""
    found, data = attachments.fetch(
        state(ctx).db.uow(), principal(ctx, user, economy), declaration_id, document_id
    )
    out.write_bytes(data)
    console.print(f"{found.filename}: {len(data):,} bytes written to {out}")
