"""``smartcustoms db``: schema migrations."""

from __future__ import annotations

import typer

from smartcustoms.cli._common import JsonOption, console, emit, state
from smartcustoms.db import migrate

app = typer.Typer(help="Database schema: upgrade, check for drift.", no_args_is_help=True)


@app.command()
def upgrade(ctx: typer.Context, revision: str = "heads", as_json: bool = JsonOption) -> None:
    """Migrate the database that SMARTCUSTOMS_DATABASE_URL points to."""
    url = state(ctx).settings.effective_database_url
    migrate.upgrade(url, revision)
    emit(
        {"database": url.split("@")[-1], "revision": revision},
        as_json,
        lambda d: console.print(f"database at [bold]{revision}[/bold]"),
    )


@app.command()
def check(ctx: typer.Context) -> None:
    """Fail when the models and the migrations disagree (like 'alembic check')."""
    migrate.check(state(ctx).settings.effective_database_url)
    console.print("no drift between models and migrations")
