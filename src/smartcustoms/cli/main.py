"""Root of the CLI. Exit codes: 0 success, 2 invalid input, 1 anything else."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

import click
import sqlalchemy.exc
import typer
from pydantic import ValidationError

from smartcustoms.cli import accounts, db, serve
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
    if not isinstance(ctx.obj, CliState):
        ctx.obj = CliState(Settings())
    # Lodgements and imports from the CLI get learned lanes too (idempotent, no global db).
    from smartcustoms.risk import wiring

    wiring.install()


app.add_typer(db.app, name="db")
app.add_typer(accounts.economies_app, name="economies")
app.add_typer(accounts.users_app, name="users")
app.add_typer(accounts.tokens_app, name="tokens")
app.command("serve")(serve.serve)


def _register_optional() -> None:
    """Feature groups register here; each is one line so parallel work does not collide."""
    from smartcustoms.cli import demo, reference

    app.add_typer(reference.app, name="reference")
    from smartcustoms.cli import cases as cases_cli

    app.add_typer(cases_cli.app, name="cases")
    from smartcustoms.cli import audit as audit_cli
    from smartcustoms.cli import declarations as declarations_cli
    from smartcustoms.cli import tariff as tariff_cli

    app.add_typer(declarations_cli.app, name="declarations")
    app.add_typer(tariff_cli.app, name="tariff")
    app.add_typer(audit_cli.app, name="audit")
    from smartcustoms.cli import risk as risk_cli

    app.add_typer(risk_cli.app, name="risk")
    app.command("demo")(demo.demo)


_register_optional()


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
        _report(exc, as_json, [e.to_dict() for e in exc.errors])
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


def _report(exc: SmartCustomsError, as_json: bool, errors: list[dict[str, str]]) -> None:
    if as_json:
        doc = {"error": type(exc).__name__, "message": exc.message, "errors": errors}
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    # A single problem's sentence often is the message itself; say it once.
    if not (len(errors) == 1 and errors[0]["message"] == exc.message):
        err_console.print(f"[red]error:[/red] {exc.message}")
    for e in errors:
        err_console.print(f"  [bold]{e['path']}[/bold] ({e['code']}): {e['message']}")


def main() -> None:
    sys.exit(run())
