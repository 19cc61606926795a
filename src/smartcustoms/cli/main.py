"""Root of the CLI. Exit codes: 0 success, 2 invalid input, 1 anything else."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

import click
import sqlalchemy.exc
import typer
from pydantic import ValidationError

from smartcustoms.cli import (
    accounts,
    audit,
    cases,
    classify,
    db,
    declarations,
    demo,
    ecommerce,
    exchange,
    reference,
    risk,
    serve,
    stats,
    tariff,
)
from smartcustoms.cli._common import CliState, err_console
from smartcustoms.config import Settings
from smartcustoms.errors import InvalidInput, SmartCustomsError
from smartcustoms.risk import wiring

app = typer.Typer(
    name="smartcustoms",
    help="SmartCustoms: declarations, risk targeting, reference data and more.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(ctx: typer.Context) -> None:
    if not isinstance(ctx.obj, CliState):
        ctx.obj = CliState(Settings())
    # Lodgements and imports from the CLI get learned lanes too (idempotent, no global db).
    wiring.install()


for sub_app, name in (
    (db.app, "db"),
    (accounts.economies_app, "economies"),
    (accounts.users_app, "users"),
    (accounts.tokens_app, "tokens"),
    (reference.app, "reference"),
    (declarations.app, "declarations"),
    (tariff.app, "tariff"),
    (audit.app, "audit"),
    (risk.app, "risk"),
    (cases.app, "cases"),
    (ecommerce.app, "ecommerce"),
    (exchange.app, "exchange"),
    (stats.app, "stats"),
    (classify.app, "classify"),
):
    app.add_typer(sub_app, name=name)
app.command("serve")(serve.serve)
app.command("demo")(demo.demo)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (tests call this directly)."""
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args
    try:
        result = app(args=args, prog_name="smartcustoms", standalone_mode=False)
    except (typer.Exit, click.exceptions.Exit) as exc:
        return int(exc.exit_code)
    except (typer.Abort, click.exceptions.Abort):
        err_console.print("aborted")
        return 1
    except (typer.TyperException, click.ClickException) as exc:
        # Usage and parameter errors (click's, or the copy Typer vendors): exit code 2.
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        return int(getattr(exc, "exit_code", 2))
    except InvalidInput as exc:
        _report(
            exc, as_json, [e.to_dict() for e in exc.errors], [w.to_dict() for w in exc.warnings]
        )
        return 2
    except ValidationError as exc:  # settings from the environment
        err_console.print(f"[red]configuration error:[/red] {exc}")
        return 2
    except SmartCustomsError as exc:
        _report(exc, as_json, [])
        return 1
    except sqlalchemy.exc.DBAPIError as exc:
        hint = "is the database migrated? run 'smartcustoms db upgrade'"
        _report(SmartCustomsError(f"database error: {exc.orig} ({hint})"), as_json, [])
        return 1
    return result if isinstance(result, int) else 0


def _report(
    exc: SmartCustomsError,
    as_json: bool,
    errors: list[dict[str, str]],
    warnings: list[dict[str, str]] | None = None,
) -> None:
    if as_json:
        doc: dict[str, object] = {
            "error": type(exc).__name__,
            "message": exc.message,
            "errors": errors,
        }
        if warnings:
            doc["warnings"] = warnings
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    # A single problem's sentence often is the message itself; say it once.
    if not (len(errors) == 1 and errors[0]["message"] == exc.message):
        err_console.print(f"[red]error:[/red] {exc.message}")
    for e in errors:
        err_console.print(f"  [bold]{e['path']}[/bold] ({e['code']}): {e['message']}")
    for w in warnings or []:
        err_console.print(
            f"  [yellow]warning[/yellow] [bold]{w['path']}[/bold] ({w['code']}): {w['message']}"
        )


def main() -> None:
    sys.exit(run())
