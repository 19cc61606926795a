"""``smartcustoms audit``: verify the hash chains of the audit trail."""

from __future__ import annotations

import typer
from rich.progress import Progress

from smartcustoms.audit import service as audit_service
from smartcustoms.audit.log import VerifyReport
from smartcustoms.cli._common import JsonOption, console, emit, err_console, state

app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)


@app.command("verify")
def verify(
    ctx: typer.Context,
    chain: str | None = typer.Option(None, help="Only this economy"),
    as_json: bool = JsonOption,
) -> None:
    """Recompute every link of the chain; name the first broken one (exit 1)."""
    uow = state(ctx).db.uow()
    if as_json:
        report = audit_service.verify(uow, chain)
    else:
        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task("verifying", total=None)
            report = audit_service.verify(
                uow, chain, lambda done, total: bar.update(task, completed=done, total=total)
            )

    def render(r: VerifyReport) -> None:
        per = ", ".join(f"{k} {v}" for k, v in sorted(r.chains.items()))
        if r.ok:
            console.print(f"[green]audit chain intact[/green]: {r.entries} entries ({per})")
        else:
            assert r.broken is not None
            err_console.print(f"[red]audit chain broken[/red] at {r.broken.describe()}")

    emit(report, as_json, render)
    if not report.ok:
        raise typer.Exit(1)


@app.command("head")
def head(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """The last link of each chain: publish it elsewhere to detect a rewritten chain."""
    heads = audit_service.heads(state(ctx).db.uow())

    def render(h: dict[str, dict[str, object]]) -> None:
        for k, v in sorted(h.items()):
            console.print(f"{k}: seq {v['seq']} {v['hash']}")

    emit(heads, as_json, render)
