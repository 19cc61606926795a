"""What every CLI command shares: settings, database, output as text or one JSON document."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from smartcustoms.bootstrap import Container, bootstrap
from smartcustoms.config import Settings
from smartcustoms.db.engine import Database
from smartcustoms.errors import InvalidInput


def _console(stderr: bool = False) -> Console:
    """A rich console; without a terminal (a pipe, a log file, CI) rich assumes 80 columns and
    cuts progress summaries and table cells, so those get room instead."""
    probe = Console(stderr=stderr)
    return probe if probe.is_terminal else Console(stderr=stderr, width=200)


console = _console()
err_console = _console(stderr=True)
T = TypeVar("T")

JsonOption = typer.Option(False, "--json", help="Print one JSON document on stdout.")


@dataclasses.dataclass
class CliState:
    """Built once per invocation by the root callback and passed to commands via the context."""

    settings: Settings
    _container: Container | None = None

    @property
    def container(self) -> Container:
        """The platform wired by the composition root, built on first use."""
        if self._container is None:
            self._container = bootstrap(self.settings)
        return self._container

    @property
    def db(self) -> Database:
        return self.container.db

    def close(self) -> None:
        """At the end of the command: release the database connections."""
        if self._container is not None:
            self._container.close()
            self._container = None


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState(Settings())
    return root.obj


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):
        return to_jsonable(value.model_dump(mode="json"))
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [to_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, Path):
        return str(value)
    return value


def emit(data: T, as_json: bool, render: Callable[[T], None]) -> None:
    """Print ``data`` as one JSON document, or let ``render`` show it to a person."""
    if as_json:
        typer.echo(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2))
    else:
        render(data)


@contextmanager
def progress_steps(as_json: bool, total: int, label: str) -> Iterator[Callable[[str], None]]:
    """A progress bar advanced one labelled step at a time (nothing with ``as_json``)."""
    if as_json:
        yield lambda _step: None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,  # progress never mixes with a JSON document on stdout
    ) as progress:
        task = progress.add_task(label, total=total)

        def step(description: str) -> None:
            progress.update(task, advance=1, description=description)

        yield step


class LazyModule:
    """A module imported on first attribute use. Feature CLIs whose work needs numpy, pandas,
    scikit-learn or SciPy hold those modules this way, so `smartcustoms --help` and every other
    command start without them."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        import importlib

        return getattr(importlib.import_module(self._name), attr)


def fail(
    as_json: bool, code: int, message: str, errors: list[dict[str, str]] | None = None
) -> None:
    """Report a failure (one JSON document, or a red line on stderr) and exit with ``code``."""
    if as_json:
        doc = {
            "error": "InvalidInput" if code == 2 else "Error",
            "message": message,
            "errors": errors or [],
        }
        typer.echo(json.dumps(doc, indent=2))
    else:
        err_console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def guarded(as_json: bool, work: Callable[[], T]) -> T:
    """Run ``work``, turning failures into the CLI's exit codes (2 invalid input, else 1)."""
    try:
        return work()
    except typer.Exit:
        raise
    except InvalidInput as exc:
        fail(as_json, 2, exc.message, [e.to_dict() for e in exc.errors])
    except FileNotFoundError as exc:
        fail(as_json, 2, str(exc))
    except Exception as exc:
        fail(as_json, 1, f"{type(exc).__name__}: {exc}")
    raise AssertionError("unreachable")
