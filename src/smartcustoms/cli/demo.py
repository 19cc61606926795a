"""``smartcustoms demo``: one command from a fresh clone to a running, populated platform.

Migrates the SQLite database in the data home, loads reference data (the data directory, else
a download, else the built-in sample — and says which), creates the APEC economies and demo
users, then shows smart customs at work (:mod:`smartcustoms.demo`): per demo economy its
tariff, past inspected traffic, budget and selectivity rules, for KR a trained and activated
risk model, the recent period replayed through the learned assessor and the officers' queues
holding the declarations that arrived last; finally the example cases. Then it serves the web
app. Running it again reuses what is there.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import typer
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from smartcustoms.accounts import service as accounts
from smartcustoms.cli._common import CliState, console, state
from smartcustoms.db import migrate
from smartcustoms.errors import Conflict

DEMO_PASSWORD = "smartcustoms-demo"
DEMO_ECONOMIES = ("KR", "SG")
DEMO_ROLES = ("declarant", "officer", "analyst", "knowledge_manager", "admin")


def demo_email(role: str, economy: str) -> str:
    return f"{role.replace('_', '-')}@{economy.lower()}.demo"


def demo(
    ctx: typer.Context,
    serve: bool = typer.Option(True, help="Serve the web app after preparing the data."),
    host: str = typer.Option(None),
    port: int = typer.Option(None),
) -> None:
    """Prepare a demo database (idempotent) and serve the platform."""
    st = state(ctx)
    settings = st.settings
    if settings.environment == "production":
        # The demo accounts share a published password: never on a production installation.
        raise Conflict(
            "the demo creates accounts with a published password; it does not run with "
            "SMARTCUSTOMS_ENVIRONMENT=production"
        )
    console.print(f"data home: [bold]{settings.home}[/bold]")
    migrate.upgrade(settings.effective_database_url, "heads")
    with _progress() as progress:
        for label, step in _steps(st):
            task = progress.add_task(label, total=None)

            def report(_what: str, done: int, total: int, task: TaskID = task) -> None:
                progress.update(task, completed=done, total=total or None)

            started = time.perf_counter()
            summary = step(report)
            progress.update(task, total=1, completed=1, description=f"{label}: {summary}")
            if not console.is_terminal:  # a log or a pipe: no live display, one line per step
                console.print(f"{label}: {summary} ({time.perf_counter() - started:.1f} s)")
    _print_logins()
    from smartcustoms.reference import service as reference

    notice = reference.data_notice(st.db.uow())
    if notice:
        console.print(f"[yellow]{notice}[/yellow]")
    if serve:
        from smartcustoms.cli.serve import serve as run_server

        run_server(ctx, host=host, port=port)


Step = Callable[[Callable[[str, int, int], None]], str]


def _steps(st: CliState) -> list[tuple[str, Step]]:
    def reference_data(report: Callable[[str, int, int], None]) -> str:
        from smartcustoms.reference import service as reference
        from smartcustoms.reference.sources import resolve

        source = resolve(st.settings, allow_sample=True)
        current = reference.status(st.db.uow())
        # Reuse what a previous run loaded from the same place; reload when it changed.
        # (Datasets built from installed packages are never the sample: they always match.)
        if current and all(
            d.source == "package"
            or (
                d.is_sample == source.is_sample
                and (d.location == source.location or d.location.startswith(str(source.root)))
            )
            for d in current
        ):
            return f"already loaded ({len(current)} datasets from {source.root})"
        return reference.load(st.db.uow(), source, progress=report).summary()

    def economies_and_users(report: Callable[[str, int, int], None]) -> str:
        added = accounts.ensure_apec_economies(st.db.uow())
        users = 0
        for economy in DEMO_ECONOMIES:
            for role in DEMO_ROLES:
                try:
                    accounts.create_user(
                        st.db.uow(),
                        economy=economy,
                        email=demo_email(role, economy),
                        password=DEMO_PASSWORD,
                        roles=[role],
                        name=f"Demo {role.replace('_', ' ')}",
                    )
                    users += 1
                except Conflict:
                    pass
        return f"{added} economies, {users} users added"

    def cases(report: Callable[[str, int, int], None]) -> str:
        from smartcustoms.cases.examples import load_examples

        return f"{load_examples(st.db.uow())} example cases published"

    def exchange(report: Callable[[str, int, int], None]) -> str:
        from smartcustoms.exchange.demo import connect_demo

        url = f"http://{st.settings.host}:{st.settings.port}"
        return connect_demo(st.db.uow, st.settings.secret_key, url, DEMO_ECONOMIES)

    def parcels(report: Callable[[str, int, int], None]) -> str:
        from smartcustoms.ecommerce.demo import load_demo_parcels

        return load_demo_parcels(
            st.db.uow,
            secret_key=st.settings.secret_key,
            files_dir=st.settings.files_dir,
            economies=tuple(DEMO_ECONOMIES),
            report=report,
        )

    def classifier(report: Callable[[str, int, int], None]) -> str:
        from smartcustoms.classify.service import ensure_model

        return ensure_model(
            st.settings.data_dir, st.settings.home, progress=lambda what: report(what, 0, 0)
        )

    from smartcustoms.demo.prepare import steps as economy_steps
    from smartcustoms.demo.traffic import prepare_traffic

    out: list[tuple[str, Step]] = [
        ("reference data", reference_data),
        ("economies and users", economies_and_users),
    ]
    work = st.settings.home / "demo"
    for economy in DEMO_ECONOMIES:
        traffic = prepare_traffic(economy, st.settings.data_dir, work)
        out += [(s.label, s.run) for s in economy_steps(st.db.uow, traffic, st.settings.files_dir)]
    out.append(("example cases", cases))
    # the classifier first: demo parcels declared without an HS code are classified
    out.append(("HS classifier", classifier))
    out.append(("e-commerce parcels", parcels))
    out.append(("exchange KR-SG", exchange))
    return out


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _print_logins() -> None:
    table = Table("email", "password", "role", "economy", title="Demo logins")
    for economy in DEMO_ECONOMIES:
        for role in DEMO_ROLES:
            table.add_row(demo_email(role, economy), DEMO_PASSWORD, role, economy)
    console.print(table)
