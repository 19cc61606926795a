"""``smartcustoms risk``: train and evaluate the learned risk model from declaration files.

Exit codes: 0 success, 2 invalid input (missing file, unknown profile, not a model directory),
1 anything else. With ``--json`` exactly one JSON document goes to stdout.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.table import Table

from smartcustoms.cli._common import console as stdout
from smartcustoms.cli._common import err_console as console
from smartcustoms.cli._common import progress_steps
from smartcustoms.errors import InvalidInput

# The model and its evaluation pull in LightGBM, scikit-learn and pandas (seconds to import):
# they are imported by the commands that use them, so `smartcustoms --help` stays instant.
if TYPE_CHECKING:
    from smartcustoms.risk.ml.estimator import RiskModel

app = typer.Typer(help="Learned risk model: train, evaluate.", no_args_is_help=True)
# Progress goes to stderr (``console``); results to stdout (``stdout``), never mixed with the
# one JSON document of --json.
T = TypeVar("T")

_SHOWN = (
    "precision@1%",
    "precision@2%",
    "precision@5%",
    "precision@10%",
    "recall@5%",
    "recall@10%",
    "roc_auc",
    "critical_caught@5%",
    "critical_caught@10%",
)


def _fail(
    as_json: bool, code: int, message: str, errors: list[dict[str, str]] | None = None
) -> None:
    if as_json:
        doc = {
            "error": "InvalidInput" if code == 2 else "Error",
            "message": message,
            "errors": errors or [],
        }
        typer.echo(json.dumps(doc, indent=2))
    else:
        console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def _guarded(as_json: bool, work: Callable[[], T]) -> T:
    """Run ``work``, turning failures into the CLI's exit codes (2 invalid input, else 1)."""
    try:
        return work()
    except typer.Exit:
        raise
    except InvalidInput as exc:
        _fail(as_json, 2, exc.message, [e.to_dict() for e in exc.errors])
    except FileNotFoundError as exc:
        _fail(as_json, 2, str(exc))
    except Exception as exc:
        _fail(as_json, 1, f"{type(exc).__name__}: {exc}")
    raise AssertionError("unreachable")


def _labelled(path: Path, profile: str, what: str) -> Any:
    from smartcustoms.risk.ml.frame import has_labels, read_frame

    frame = read_frame(path, profile)
    if not has_labels(frame):
        raise InvalidInput.single(what, "no_labels", f"{path} has no Fraud/Critical Fraud labels")
    return frame


def _metrics_table(results: dict[str, dict[str, Any]], title: str) -> Table:
    table = Table(title=title)
    table.add_column("metric")
    for name in results:
        table.add_column(name, justify="right")
    for metric in _SHOWN:
        cells = []
        for res in results.values():
            stat = res.get(metric)
            if isinstance(stat, dict):
                cells.append(
                    f"{stat['mean']:.3f} ± {stat['std']:.3f}"
                    if stat["n"] > 1
                    else f"{stat['mean']:.3f}"
                )
            else:
                cells.append("" if stat is None else f"{stat:.3f}")
        table.add_row(metric, *cells)
    return table


@app.command()
def train(
    ctx: typer.Context,
    from_file: Path | None = typer.Option(
        None, "--from-file", help="Training declarations (labelled); else the database."
    ),
    out: Path | None = typer.Option(None, "--out", help="Directory to write the model to."),
    valid: Path | None = typer.Option(None, "--valid", help="Validation file for early stopping."),
    profile: str = typer.Option("kcs-cdd", "--profile", help="Column profile of the files."),
    economy: str | None = typer.Option(
        None, "--economy", help="Register the model for this economy (train from its database)."
    ),
    activate: bool | None = typer.Option(
        None, "--activate/--candidate", help="Activate it (default: if none is active)."
    ),
    trees: int | None = typer.Option(None, "--trees", help="Max boosting rounds."),
    seed: int = typer.Option(0, "--seed", help="Training seed."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
) -> None:
    """Train the risk model (fraud and critical fraud): from files to --out, and/or registered
    for --economy (from its inspected declarations when no --from-file is given)."""
    params: dict[str, Any] = {"random_state": seed} | ({"n_estimators": trees} if trees else {})
    if from_file is None or economy is not None:
        _train_registered(ctx, from_file, valid, profile, economy, activate, params, as_json)
        return
    assert from_file is not None
    if out is None:
        _fail(as_json, 2, "give --out DIR (or --economy to register the model)")
    assert out is not None

    def work() -> dict[str, Any]:
        from smartcustoms.risk.ml.estimator import RiskModel

        with progress_steps(as_json, 3, "reading files") as step:
            frame = _labelled(from_file, profile, "from_file")
            valid_frame = _labelled(valid, profile, "valid") if valid else None
            step("training (features, boosters)")
            model = RiskModel(**params).fit(frame, valid=valid_frame)
            model.sources_ = {"train": str(from_file.resolve()), "profile": profile}
            if valid:
                model.sources_["valid"] = str(valid.resolve())
            step("saving")
            model.save(out)
            step("done")
        return {"model": str(out), **model.metadata()}

    doc = _guarded(as_json, work)
    if as_json:
        typer.echo(json.dumps(doc, indent=2, default=str))
        return
    stdout.print(
        f"model saved to [bold]{out}[/bold] (training range "
        f"{doc['training_range'][0]} .. {doc['training_range'][1]}, "
        f"{doc['training_rows']} rows, trees {doc['best_iterations']})"
    )
    if doc["metrics"].get("valid"):
        stdout.print(_metrics_table({"validation": doc["metrics"]["valid"]}, "Validation"))


def _train_registered(
    ctx: typer.Context,
    from_file: Path | None,
    valid: Path | None,
    profile: str,
    economy: str | None,
    activate: bool | None,
    params: dict[str, Any],
    as_json: bool,
) -> None:
    from smartcustoms.cli._common import emit, state
    from smartcustoms.declarations.service import system_principal
    from smartcustoms.risk import training

    if economy is None:
        _fail(as_json, 2, "give --economy XX to train from the database (or --from-file)")
    assert economy is not None
    s = state(ctx)
    principal = system_principal(economy.upper(), "cli")

    def work() -> Any:
        with progress_steps(as_json, 5, "reading") as step:
            if from_file is None:
                found = training.train_from_database(
                    s.db.uow(),
                    principal,
                    s.settings.files_dir,
                    params=params,
                    activate=activate,
                    step=step,
                )
            else:
                frame = _labelled(from_file, profile, "from_file")
                valid_frame = _labelled(valid, profile, "valid") if valid else None
                sources = {"train": str(from_file.resolve()), "profile": profile}
                found = training.train_from_frames(
                    s.db.uow(),
                    principal,
                    s.settings.files_dir,
                    frame,
                    valid_frame,
                    params=params,
                    activate=activate,
                    sources=sources,
                    step=step,
                )
            step("done")
        return found

    info = _guarded(as_json, work)
    emit(
        info,
        as_json,
        lambda m: stdout.print(
            f"registered [bold]{m.version}[/bold] ({m.status}), training range "
            f"{m.training_from} .. {m.training_to}, {m.training_rows} rows"
        ),
    )


def _training_frames(model: RiskModel) -> tuple[Any, Any]:
    sources = model.sources_
    if "train" not in sources:
        raise InvalidInput.single(
            "model",
            "no_sources",
            "--seeds > 1 and --baseline retrain, but the model does not record its training files",
        )
    profile = sources.get("profile", "kcs-cdd")
    train_frame = _labelled(Path(sources["train"]), profile, "train")
    valid_frame = (
        _labelled(Path(sources["valid"]), profile, "valid") if "valid" in sources else None
    )
    return train_frame, valid_frame


@app.command()
def evaluate(
    model_dir: Path = typer.Option(..., "--model", help="Model directory from 'risk train'."),
    from_file: Path = typer.Option(..., "--from-file", help="Labelled test declarations."),
    profile: str = typer.Option("kcs-cdd", "--profile", help="Column profile of the file."),
    baseline: bool = typer.Option(False, "--baseline", help="Add the paper's baseline."),
    seeds: int = typer.Option(1, "--seeds", min=1, help="Average over N training seeds."),
    report: Path | None = typer.Option(None, "--report", help="Write a .md or .html report."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
) -> None:
    """Precision/recall at 1, 2, 5, 10% inspected, ROC AUC, critical frauds caught."""

    def work() -> dict[str, Any]:
        from smartcustoms.risk.ml.comparison import compare
        from smartcustoms.risk.ml.estimator import RiskModel
        from smartcustoms.risk.ml.evaluation import (
            evaluate_scores,
            precision_curve,
            summarize,
            write_report,
        )
        from smartcustoms.risk.ml.frame import FRAUD, critical_target, frame_fingerprint

        model = RiskModel.load(model_dir)
        test = _labelled(from_file, profile, "from_file")
        retrain = seeds > 1 or baseline
        total = 2 + (seeds if seeds > 1 else 0) + (2 * seeds if baseline else 0)
        results: dict[str, dict[str, Any]] = {}
        curves: dict[str, list[tuple[float, float]]] = {}
        with progress_steps(as_json, total, "scoring") as step:
            train_frame = valid_frame = None
            if retrain:
                train_frame, valid_frame = _training_frames(model)
            step("scoring with the saved model")
            if seeds == 1:
                scores = model.predict_proba(test)[:, 1]
                results["risk model"] = summarize(
                    [evaluate_scores(test[FRAUD].to_numpy(), scores, critical_target(test))]
                )
                curves["risk model"] = precision_curve(test[FRAUD].to_numpy(), scores)
            if retrain:
                found, found_curves = compare(
                    train_frame,
                    test,
                    valid=valid_frame,
                    seeds=seeds,
                    params=model.get_params(),
                    baseline=baseline,
                    on_step=step,
                    include_model=seeds > 1,
                )
                results.update(found)
                curves = {**curves, **found_curves}
            step("done")
        if report:
            notes = [f"model: {model_dir}", f"test file: {from_file}", f"seeds: {seeds}"]
            shown = {n: {k: r[k] for k in _SHOWN if k in r} for n, r in results.items()}
            write_report(report, shown, curves, notes=notes)
        doc: dict[str, Any] = {
            "model": str(model_dir),
            "test_file": str(from_file),
            "test_rows": len(test),
            "test_fingerprint": frame_fingerprint(test),
            "seeds": seeds,
            "results": results,
        }
        if (
            train_frame is not None
            and frame_fingerprint(
                train_frame if valid_frame is None else _concat(train_frame, valid_frame)
            )
            != model.fingerprint_
        ):
            doc["warning"] = "training files changed since the model was trained"
        if report:
            doc["report"] = str(report)
        return doc

    doc = _guarded(as_json, work)
    if as_json:
        typer.echo(json.dumps(doc, indent=2, default=str))
        return
    stdout.print(_metrics_table(doc["results"], f"{from_file.name} ({doc['test_rows']} rows)"))
    if "warning" in doc:
        console.print(f"[yellow]warning:[/yellow] {doc['warning']}")
    if report:
        stdout.print(f"report written to [bold]{report}[/bold]")


def _concat(first: Any, second: Any) -> Any:
    import pandas as pd

    both = pd.concat([first, second], ignore_index=True)
    return both.sort_values("date", kind="stable").reset_index(drop=True)


def _register_database_commands() -> None:
    from smartcustoms.cli import risk_db, risk_online

    risk_db.register(app)
    risk_online.register(app)


_register_database_commands()
