"""``smartcustoms risk score-batch FILE --model DIR --out FILE [--dask SCHEDULER]``.

Scores every declaration of a file with a saved model (from ``risk train --out``) and gives it a
lane by the inspection budget over the file (:mod:`smartcustoms.risk.ml.scorefile`); writes a CSV of
id, fraud score, critical score and lane. With ``--dask`` the rows are scored on the workers of
that Dask scheduler (:mod:`smartcustoms.risk.ml.distributed`): the same scores, in parallel.
Exit codes: 0 success, 2 invalid input, 1 anything else; ``--json`` prints one JSON document.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import typer

from smartcustoms.cli._common import console as stdout
from smartcustoms.cli._common import fail, guarded, progress_steps

__all__ = ["register", "score_batch"]


def score_batch(
    file: Path = typer.Argument(..., help="Declarations to score (a file of --profile)."),
    model_dir: Path = typer.Option(..., "--model", help="Model directory from 'risk train'."),
    out: Path = typer.Option(..., "--out", help="CSV to write: id, scores, lane."),
    profile: str = typer.Option("kcs-cdd", "--profile", help="Column profile of the file."),
    red: float = typer.Option(0.03, "--red", min=0.0, max=1.0, help="Share sent to red."),
    yellow: float = typer.Option(0.07, "--yellow", min=0.0, max=1.0, help="Share to yellow."),
    dask: str | None = typer.Option(
        None, "--dask", help="Score on this Dask scheduler's workers (tcp://host:8786)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
) -> None:
    """Score a file of declarations with a saved model; lanes by the budget over the file."""
    if red + yellow > 1:
        fail(as_json, 2, "--red and --yellow add up to more than 1")

    def work() -> dict[str, Any]:
        from smartcustoms.risk.ml.estimator import RiskModel
        from smartcustoms.risk.ml.scorefile import score_file, write_scores

        with progress_steps(as_json, 3, "loading the model") as step:
            model = RiskModel.load(model_dir)
            if not file.is_file():
                raise FileNotFoundError(f"no such file: {file}")
            step("scoring" + (f" on {dask}" if dask else ""))
            started = time.perf_counter()
            if dask is None:
                result = score_file(model, file, profile, red, yellow)
            else:
                from smartcustoms.risk.ml.distributed import connect
                from smartcustoms.risk.ml.distributed import score_file as score_on_cluster

                with connect(dask) as client:
                    result = score_on_cluster(client, model, file, profile, red, yellow)
            seconds = time.perf_counter() - started
            step("writing")
            write_scores(result, out)
            step("done")
        lanes = {name: int((result.lanes == name).sum()) for name in ("red", "yellow", "green")}
        return {
            "file": str(file),
            "out": str(out),
            "rows": len(result.ids),
            "seconds": round(seconds, 3),
            "lanes": lanes,
            "dask": dask,
        }

    doc = guarded(as_json, work)
    if as_json:
        typer.echo(json.dumps(doc, indent=2))
        return
    lanes = doc["lanes"]
    stdout.print(
        f"{doc['rows']} declarations scored in {doc['seconds']:.2f} s → [bold]{out}[/bold] "
        f"(red {lanes['red']}, yellow {lanes['yellow']}, green {lanes['green']})"
    )


def register(app: typer.Typer) -> None:
    app.command("score-batch")(score_batch)
