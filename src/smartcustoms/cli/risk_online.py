"""``smartcustoms risk simulate-online``: the online inspection simulator from declaration files.

With ``--json`` exactly one JSON document goes to stdout: the run's configuration, its weekly
rows, a summary over the last 13 weeks with ``precision_ratio_to_full_information``, and the
full-information run's summary. ``--out DIR`` also writes the weekly CSV and a chart (SVG).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from smartcustoms.errors import InvalidInput

__all__ = ["register"]

console = Console(stderr=True)
#: The strategy the recorded benchmark found best (BENCHMARKS.md, "Online targeting").
DEFAULT_STRATEGY = "exploit"


def simulate_online(
    from_file: list[Path] = typer.Option(
        ..., "--from-file", help="Labelled declaration files (repeat; concatenated by date)."
    ),
    profile: str = typer.Option("kcs-cdd", "--profile", help="Column profile of the files."),
    rate: float = typer.Option(0.10, "--rate", help="Share of each week's declarations inspected."),
    strategy: str = typer.Option(
        DEFAULT_STRATEGY, "--strategy", help="exploit, random, diverse or adaptive."
    ),
    share: float = typer.Option(0.10, "--share", help="Exploration share (random, diverse)."),
    schedule: str = typer.Option("constant", "--schedule", help="constant or decay (100%→rate)."),
    initial_days: int = typer.Option(30, "--initial-days", help="Fully labelled start window."),
    exact_values: bool = typer.Option(
        True, "--exact-values/--no-exact-values", help="Use the exact-value history features."
    ),
    ipw: bool = typer.Option(False, "--ipw", help="Inverse-propensity weighted training."),
    trees: int = typer.Option(150, "--trees", help="Boosting rounds per weekly model."),
    seed: int = typer.Option(0, "--seed"),
    out: Path | None = typer.Option(None, "--out", help="Directory for weeks.csv and chart.svg."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Replay the files week by week, revealing labels only for inspected declarations."""
    import pandas as pd

    from smartcustoms.risk.ml.frame import has_labels, read_frame
    from smartcustoms.risk.ml.online.report import chart_svg
    from smartcustoms.risk.ml.online.simulator import (
        OnlineConfig,
        full_information_config,
        result_document,
        simulate,
        weeks_frame,
    )

    try:
        config = OnlineConfig(
            rate=rate,
            strategy=strategy,
            share=share,
            schedule=schedule,
            initial_days=initial_days,
            exact_values=exact_values,
            ipw=ipw,
            n_estimators=trees,
            seed=seed,
        )
    except ValueError as exc:
        raise InvalidInput.single("options", "invalid", str(exc)) from exc
    frames = []
    for i, path in enumerate(from_file):
        frame = read_frame(path, profile)
        if not has_labels(frame):
            raise InvalidInput.single(
                f"from_file[{i}]", "no_labels", f"{path} has no Fraud/Critical Fraud labels"
            )
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    runs: dict[str, Any] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} weeks"),
        TimeElapsedColumn(),
        console=console,
        disable=as_json,
    ) as progress:
        for name, cfg in (
            (strategy, config),
            ("full-information", full_information_config(config)),
        ):
            task = progress.add_task(name, total=None)

            def step(done: int, total: int, task: Any = task) -> None:
                progress.update(task, completed=done, total=total)

            runs[name] = simulate(frame, cfg, progress=step)
    result, full = runs[strategy], runs["full-information"]
    doc = result_document(result, full)
    summary = doc["summary"]
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        weeks_frame(runs).to_csv(out / "weeks.csv", index=False)
        (out / "chart.svg").write_text(chart_svg(runs))
        (out / "result.json").write_text(json.dumps(doc, indent=2))
    if as_json:
        typer.echo(json.dumps(doc, indent=2))
        return
    table = Table(title=f"online simulation, last 13 weeks, {rate:.0%} inspected")
    for column in ("run", "precision", "recall", "critical recall", "exploration"):
        table.add_column(column, justify="right")
    for name, run in runs.items():
        s = run.summary()
        table.add_row(
            name,
            f"{s['precision']:.3f}",
            f"{s['recall']:.3f}",
            f"{s['critical_recall']:.3f}",
            f"{s['exploration_share']:.1%}",
        )
    typer.echo("")
    Console().print(table)
    typer.echo(
        f"precision ratio to full information: {summary['precision_ratio_to_full_information']:.3f}"
    )
    if out is not None:
        typer.echo(f"weeks, chart and JSON written to {out}")


def register(app: typer.Typer) -> None:
    app.command("simulate-online")(simulate_online)
