"""Root of the CLI. Exit codes: 0 success, 2 invalid input, 1 anything else."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

import click
import sqlalchemy.exc
import typer
from pydantic import ValidationError

from smartcustoms.bootstrap import cli_commands
from smartcustoms.cli._common import CliState, err_console
from smartcustoms.config import Settings
from smartcustoms.errors import InvalidInput, SmartCustomsError

app = typer.Typer(
    name="smartcustoms",
    help="SmartCustoms: declarations, risk targeting, reference data and more.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(ctx: typer.Context) -> None:
    # CliState wires the platform through the composition root (smartcustoms.bootstrap) the
    # first time a command needs the database: lodgements and imports get learned lanes.
    if not isinstance(ctx.obj, CliState):
        ctx.obj = CliState(Settings())
        ctx.call_on_close(ctx.obj.close)


# Every feature's command groups and commands, from the one table in smartcustoms.bootstrap.
for name, target, is_group in cli_commands():
    if is_group:
        app.add_typer(target, name=name)
    else:
        app.command(name)(target)


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
        if isinstance(exc.__cause__, sqlalchemy.exc.DBAPIError):
            exc = _database_error(exc.__cause__)
        _report(exc, as_json, [])
        return 1
    except sqlalchemy.exc.DBAPIError as exc:
        _report(_database_error(exc), as_json, [])
        return 1
    return result if isinstance(result, int) else 0


def _database_error(exc: sqlalchemy.exc.DBAPIError) -> SmartCustomsError:
    hint = "is the database migrated? run 'smartcustoms db upgrade'"
    return SmartCustomsError(f"database error: {exc.orig} ({hint})")


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
