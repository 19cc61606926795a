"""``smartcustoms classify``: build the HS code suggester from the data directory, evaluate it,
suggest codes for one description or a JSON Lines file.

Exit codes: 0 success, 2 invalid input, 1 anything else. With ``--json`` exactly one JSON
document goes to stdout; progress goes to stderr.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from smartcustoms.classify.model import Classification
from smartcustoms.cli._common import JsonOption, LazyModule, emit, state
from smartcustoms.errors import DataUnavailable, InvalidInput

# The classifier's modules bring scikit-learn and SciPy: loaded on first use, not at start-up.
service: Any = LazyModule("smartcustoms.classify.service")
data: Any = LazyModule("smartcustoms.classify.data")
evaluation: Any = LazyModule("smartcustoms.classify.evaluation")
stores: Any = LazyModule("smartcustoms.classify.store")


app = typer.Typer(help="HS code suggestion from goods descriptions.", no_args_is_help=True)
console = Console(stderr=True)


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[str], None]]:
    if quiet:
        yield lambda _step: None
        return
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("starting", total=None)
        yield lambda step: progress.update(task, description=step)


def _data_dir(ctx: typer.Context, given: Path | None) -> Path:
    data_dir = given or state(ctx).settings.data_dir
    if data_dir is None:
        raise InvalidInput.single(
            "data_dir",
            "required",
            "no data directory: pass --data-dir or set SMARTCUSTOMS_DATA_DIR",
        )
    if not (data_dir / "harmonized-system").is_dir():
        raise DataUnavailable(f"{data_dir} holds no harmonized-system/ folder")
    return data_dir


def _chapters(raw: str | None) -> list[str] | None:
    if not raw:
        return None
    chapters = [c.strip().zfill(2) for c in raw.split(",") if c.strip()]
    bad = [c for c in chapters if not (c.isdigit() and len(c) == 2)]
    if bad:
        raise InvalidInput.single("chapters", "invalid_chapter", f"not HS chapters: {bad}")
    return chapters


def _metrics_table(metrics: dict[str, Any]) -> Table:
    table = Table(title="held-out test split, accuracy")
    table.add_column("subset")
    table.add_column("n", justify="right")
    for d in evaluation.LEVELS:
        table.add_column(f"top-1 HS{d}", justify="right")
        table.add_column(f"top-5 HS{d}", justify="right")
    for name, acc in metrics["test"].items():
        cells = []
        for d in evaluation.LEVELS:
            cells += [f"{acc[f'top1_hs{d}']:.3f}", f"{acc[f'top5_hs{d}']:.3f}"]
        table.add_row(name, str(acc["n"]), *cells)
    return table


@app.command()
def build(
    ctx: typer.Context,
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Default: SMARTCUSTOMS_DATA_DIR."
    ),
    chapters: str | None = typer.Option(None, "--chapters", help="Only these chapters: 61,62,71"),
    refit: bool = typer.Option(True, "--refit/--no-refit", help="Refit on all data after eval."),
    declarations_of: str | None = typer.Option(
        None,
        "--declarations-of",
        help="Also learn from this economy's released declarations (description -> code).",
    ),
    as_json: bool = JsonOption,
) -> None:
    """Build the classifier from the data directory (saved under the data home as current)."""
    settings = state(ctx).settings
    store = stores.ModelStore.under(settings.home)
    extra = []
    if declarations_of:
        from smartcustoms.declarations.queries import cleared_descriptions

        pairs = cleared_descriptions(state(ctx).db.uow(), declarations_of)
        extra = data.platform_examples(pairs)
    with _progress(as_json) as step:
        meta = service.build_model(
            _data_dir(ctx, data_dir),
            store,
            chapters=_chapters(chapters),
            extra=extra,
            refit=refit,
            progress=step,
        )

    def render(m: dict[str, Any]) -> None:
        console.print(f"built [bold]{m['version']}[/bold] under {store.root}")
        console.print(f"data fingerprint {m['fingerprint'][:16]}, {m['examples']} texts")
        console.print(_metrics_table(m["metrics"]))

    emit({k: v for k, v in meta.items() if k != "files"}, as_json, render)


@app.command()
def evaluate(
    ctx: typer.Context,
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Default: SMARTCUSTOMS_DATA_DIR."
    ),
    chapters: str | None = typer.Option(None, "--chapters", help="Only these chapters: 61,62,71"),
    listings: Path | None = typer.Option(
        None, "--listings", help="Score the current model on this labelled JSON Lines file."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Top-1 / top-5 accuracy at 2, 4 and 6 digits on the held-out split (refits on the
    training split), or of the current model on a labelled file (--listings)."""
    if listings is not None:
        if not listings.is_file():
            raise InvalidInput.single("listings", "not_found", f"no such file: {listings}")
        scored = service.evaluate_labelled(
            _load(ctx), listings.read_text(encoding="utf-8").splitlines()
        )
        emit(
            scored,
            as_json,
            lambda m: console.print(_metrics_table({"test": {listings.name: m}})),
        )
        return
    with _progress(as_json) as step:
        metrics = service.evaluate(
            _data_dir(ctx, data_dir), chapters=_chapters(chapters), progress=step
        )
    emit(metrics, as_json, lambda m: console.print(_metrics_table(m)))


def _load(ctx: typer.Context) -> Any:
    return stores.ModelStore.under(state(ctx).settings.home).load()


def _render(results: list[Classification]) -> None:
    out = Console()
    for c in results:
        out.print(f"[bold]{c.description}[/bold]")
        if c.vagueness.vague:
            out.print(f"  [yellow]too vague:[/yellow] {c.vagueness.reason}")
        for m in c.vagueness.missing:
            out.print(f"  [yellow]missing:[/yellow] {m}")
        table = Table("code", "conf.", "heading", "chapter", "description / matched words")
        for s in c.suggestions:
            path = " > ".join(f"{p.code}" for p in s.path)
            words = ", ".join(s.matched_words)
            example = f"\n  e.g. {s.examples[0].text!r}" if s.examples else ""
            lines = "".join(f"\n  {ln.code} {ln.description}" for ln in s.national_lines[:5])
            table.add_row(
                f"{s.hs_code[:4]}.{s.hs_code[4:]}",
                f"{s.confidence:.2f}",
                f"{s.heading_confidence:.2f}",
                f"{s.chapter_confidence:.2f}",
                f"{s.description}\n  {path}\n  words: {words}{example}{lines}",
            )
        out.print(table)


@app.command()
def suggest(
    ctx: typer.Context,
    text: str = typer.Argument(..., help="The goods description."),
    category: str | None = typer.Option(None, "--category", help="Category path: A > B > C"),
    top: int = typer.Option(5, "--top", min=1, max=20),
    economy: str | None = typer.Option(None, "--economy", help="List this economy's lines."),
    as_json: bool = JsonOption,
) -> None:
    """Suggest HS 2022 subheadings for a goods description."""
    query = service.parse_query({"description": text, "category": category})
    suggester = _load(ctx)
    uow = state(ctx).db.uow() if economy else None
    results = service.suggest(suggester, [query], top, uow=uow, economy=economy)
    emit(
        {"model": suggester.version, "results": [c.to_dict() for c in results]},
        as_json,
        lambda _d: _render(results),
    )


@app.command()
def batch(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="JSON Lines: one {description, ...} per line."),
    top: int = typer.Option(5, "--top", min=1, max=20),
    as_json: bool = JsonOption,
) -> None:
    """Classify every line of a JSON Lines file; bad lines get an error in their place."""
    if not file.is_file():
        raise InvalidInput.single("file", "not_found", f"no such file: {file}")
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise InvalidInput.single("file", "not_utf8", f"{file} is not UTF-8 text") from None
    items = service.parse_batch(lines)
    suggester = _load(ctx)
    results = service.classify_batch(suggester, items, top)
    doc = {"model": suggester.version, "results": [r.to_dict() for r in results]}
    if as_json:
        typer.echo(json.dumps(doc, ensure_ascii=False))
        return
    for r in results:
        if r.classification is None:
            console.print(f"[red]{r.index}[/red]: {'; '.join(e.message for e in r.errors)}")
        else:
            best = r.classification.suggestions[0]
            console.print(f"{r.index}: {best.hs_code} ({best.confidence:.2f}) {best.description}")
