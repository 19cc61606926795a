"""``smartcustoms risk`` commands on the database: models (registry), train/retrain from
inspected declarations, budget, calibration, rules, AEO list, drift, lane simulation.

Registered on the ``risk`` group by :mod:`smartcustoms.cli.risk`. The CLI acts as the system
actor of ``--economy`` (an admin of it), like the other operator commands.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from smartcustoms.cli._common import JsonOption, console, emit, progress_steps, state
from smartcustoms.declarations.service import system_principal
from smartcustoms.risk.model import ModelInfo

# The risk services import numpy, pandas and LightGBM: each command imports what it uses, so
# the CLI starts (and `--help` answers) without loading them.

EconomyOption = typer.Option("KR", "--economy", help="Economy (ISO alpha-2).")


def _principal(economy: str) -> Any:
    return system_principal(economy.upper(), "cli")


def _params(trees: int | None, seed: int) -> dict[str, Any]:
    params: dict[str, Any] = {"random_state": seed}
    if trees:
        params["n_estimators"] = trees
    return params


def _lines(lines: Any) -> None:
    for line in lines:
        console.print(line)


def _model_table(models: list[ModelInfo]) -> None:
    table = Table(title="Risk models")
    for col in (
        "version",
        "status",
        "source",
        "training range",
        "rows",
        "valid p@5%",
        "red thr",
        "created",
    ):
        table.add_column(col)
    for m in models:
        p5 = (m.metrics.get("valid") or {}).get("precision@5%")
        red = ((m.thresholds or {}).get("regular") or {}).get("red")
        table.add_row(
            m.version,
            m.status,
            m.source,
            f"{m.training_from} .. {m.training_to}",
            str(m.training_rows),
            "" if p5 is None else f"{p5:.3f}",
            "" if red is None else f"{red:.4f}",
            m.created_at.isoformat()[:19],
        )
    console.print(table)


def _withprogress_steps(as_json: bool, total: int, work: Any) -> Any:
    with progress_steps(as_json, total, "starting") as step:
        result = work(step)
        step("done")
    return result


def models(ctx: typer.Context, economy: str = EconomyOption, as_json: bool = JsonOption) -> None:
    """List the economy's registered models (active, candidates, retired)."""
    from smartcustoms.risk import registry

    found = registry.list_models(state(ctx).db.uow(), _principal(economy))
    emit(found, as_json, _model_table)


def activate(
    ctx: typer.Context, version: str = typer.Argument(...), as_json: bool = JsonOption
) -> None:
    """Activate a registered model (thresholds recalibrated for the current budget)."""
    from smartcustoms.risk import registry

    economy = version.split("-", 1)[0]
    found = registry.activate(state(ctx).db.uow(), _principal(economy), version)
    emit(found, as_json, lambda m: console.print(f"active model of {m.economy}: {m.version}"))


def rollback(ctx: typer.Context, economy: str = EconomyOption, as_json: bool = JsonOption) -> None:
    """Re-activate the model that was active before the current one."""
    from smartcustoms.risk import registry

    found = registry.rollback(state(ctx).db.uow(), _principal(economy))
    emit(found, as_json, lambda m: console.print(f"rolled back: {m.version} is active"))


def retrain(
    ctx: typer.Context,
    economy: str = EconomyOption,
    force: bool = typer.Option(False, "--force", help="Activate whatever the result."),
    activate_if_better: bool = typer.Option(
        True, "--activate-if-better/--no-activate", help="Activate only if better."
    ),
    holdout: float = typer.Option(0.2, "--holdout", help="Latest share compared on."),
    trees: int | None = typer.Option(None, "--trees", help="Max boosting rounds."),
    seed: int = typer.Option(0, "--seed"),
    as_json: bool = JsonOption,
) -> None:
    """Train a candidate on inspection results and activate it if it beats the active model."""
    from smartcustoms.risk import training

    s = state(ctx)
    result = _withprogress_steps(
        as_json,
        5,
        lambda step: training.retrain(
            s.db.uow(),
            _principal(economy),
            s.settings.files_dir,
            params=_params(trees, seed),
            holdout=holdout,
            force=force,
            activate_if_better=activate_if_better,
            step=step,
        ),
    )
    emit(
        result,
        as_json,
        lambda r: console.print(
            f"candidate {r.candidate.version}: {r.reason}; "
            f"{'activated' if r.activated else 'kept as candidate'}"
            + "".join(f"\nwarning: {w}" for w in r.warnings)
        ),
    )


def budget(
    ctx: typer.Context,
    economy: str = EconomyOption,
    red: float | None = typer.Option(None, "--red"),
    yellow: float | None = typer.Option(None, "--yellow"),
    exploration: float | None = typer.Option(None, "--exploration"),
    aeo_factor: float | None = typer.Option(None, "--aeo-factor"),
    window: int | None = typer.Option(
        None, "--window", help="Thresholds follow this many recent scores (0: fixed)"
    ),
    strategy: str | None = typer.Option(
        None, "--strategy", help="Exploration draws: exploit, random, diverse or adaptive"
    ),
    as_json: bool = JsonOption,
) -> None:
    """Show or set the inspection budget (target lane shares); recalibrates thresholds."""
    from smartcustoms.risk import operations, service

    db = state(ctx).db
    principal = _principal(economy)
    if any(v is not None for v in (red, yellow, exploration, aeo_factor, window, strategy)):
        current = service.get_budget(db.uow(), principal)
        operations.set_budget(
            db.uow(),
            principal,
            {
                "red": current.red if red is None else red,
                "yellow": current.yellow if yellow is None else yellow,
                "exploration": current.exploration if exploration is None else exploration,
                "aeo_factor": current.aeo_factor if aeo_factor is None else aeo_factor,
                "window": current.window if window is None else window,
                "strategy": current.strategy if strategy is None else strategy,
            },
        )
    view = service.get_budget(db.uow(), principal)
    emit(
        view,
        as_json,
        lambda b: console.print(
            f"{b.economy}: red {b.red:.1%}, yellow {b.yellow:.1%}, exploration "
            f"{b.exploration:.1%} ({b.strategy}), AEO factor {b.aeo_factor:g}, window {b.window}; "
            f"thresholds "
            f"{json.dumps((b.thresholds or {}).get('regular'))}"
        ),
    )


def calibrate(
    ctx: typer.Context,
    economy: str = EconomyOption,
    recent: bool = typer.Option(
        True, "--recent/--stored", help="Rescore the latest weeks of declarations."
    ),
    weeks: int = typer.Option(8, "--weeks"),
    as_json: bool = JsonOption,
) -> None:
    """Recalibrate the active model's lane thresholds now."""
    from smartcustoms.risk import registry

    found = registry.recalibrate(
        state(ctx).db.uow(), _principal(economy), recent=recent, weeks=weeks
    )
    emit(
        found,
        as_json,
        lambda m: console.print(f"{m.version}: thresholds {json.dumps(m.thresholds)}"),
    )


def drift(
    ctx: typer.Context,
    economy: str = EconomyOption,
    since: str | None = typer.Option(None, "--since", help="YYYY-MM-DD"),
    as_json: bool = JsonOption,
) -> None:
    """Weekly PSI of scores and hit rate against the active model's reference period."""
    from smartcustoms.risk import training

    report = training.drift(
        state(ctx).db.uow(), _principal(economy), since=date.fromisoformat(since) if since else None
    )

    def render(r: Any) -> None:
        table = Table(title=f"Drift of {r.model_version} (reference {r.reference_size} scores)")
        for col in ("week", "declarations", "PSI", "status", "mean score", "hit rate"):
            table.add_column(col)
        for w in r.weeks:
            table.add_row(
                w.week_start,
                str(w.declarations),
                "" if w.psi is None else f"{w.psi:.3f}",
                w.status,
                "" if w.mean_score is None else f"{w.mean_score:.3f}",
                "" if w.hit_rate is None else f"{w.hit_rate:.1%}",
            )
        console.print(table)

    emit(report, as_json, render)


def simulate(
    ctx: typer.Context,
    economy: str = EconomyOption,
    since: str | None = typer.Option(None, "--since", help="YYYY-MM-DD"),
    until: str | None = typer.Option(None, "--until", help="YYYY-MM-DD (excluded)"),
    as_json: bool = JsonOption,
) -> None:
    """Lanes the learned assessor would give the stored declarations of a period."""
    from smartcustoms.risk import scoring

    sim = scoring.simulate_lanes(
        state(ctx).db.uow(),
        economy.upper(),
        since=date.fromisoformat(since) if since else None,
        until=date.fromisoformat(until) if until else None,
    )
    doc = {k: v for k, v in sim.__dict__.items() if k != "lanes"} if not as_json else None
    emit(sim if as_json else doc, as_json, lambda d: console.print(d))


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter("a date YYYY-MM-DD", param_hint=name) from exc


def evaluate_controls(
    ctx: typer.Context,
    economy: str = EconomyOption,
    since: str | None = typer.Option(None, "--since", help="YYYY-MM-DD"),
    until: str | None = typer.Option(None, "--until", help="YYYY-MM-DD (excluded)"),
    as_json: bool = JsonOption,
) -> None:
    """Fraud rate of all lodged declarations estimated from recorded controls (IPW)."""
    from smartcustoms.risk import controls

    found = controls.evaluate_controls(
        state(ctx).db.uow(),
        _principal(economy),
        since=_day(since, "--since"),
        until=_day(until, "--until"),
    )

    def show(doc: dict[str, Any]) -> None:
        e = doc["estimate"]

        def pct(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.2%}"

        console.print(
            f"{doc['economy']}: {e['lodged']} lodged, {e['controlled']} controlled "
            f"({e['labelled']} with a result, {e['pending']} pending, {e['explored']} explored, "
            f"{e['unreachable']} never had a chance of control)"
        )
        console.print(f"hit rate of controls (biased): {pct(e['hit_rate'])}")
        console.print(
            f"fraud rate, inverse propensity weighted: {pct(e['horvitz_thompson'])} "
            f"(± {pct(e['horvitz_thompson_se'])}); self-normalised {pct(e['hajek'])}"
        )

    emit(found.to_dict(), as_json, show)


def tune_exploration(
    ctx: typer.Context,
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """One round of the adaptive strategy's bandit: reward the exploration share in force
    with the hit rate of the controls labelled since the last round, choose the next share."""
    from smartcustoms.risk import controls

    found = controls.tune_exploration(state(ctx).db.uow(), _principal(economy))
    emit(
        found.to_dict(),
        as_json,
        lambda t: console.print(
            f"{t['economy']}: exploration share {t['share']:.0%} of the inspection budget "
            f"({t['exploration_rate']:.2%} of declarations) after round {t['rounds']}; "
            f"{t['rewarded']} new results"
            + (f", hit rate {t['reward']:.1%}" if t["reward"] is not None else "")
        ),
    )


def rules(
    ctx: typer.Context,
    economy: str = EconomyOption,
    add: Path | None = typer.Option(None, "--add", help="JSON file with a definition."),
    activate_rule: str | None = typer.Option(None, "--activate", help="Rule id."),
    retire: str | None = typer.Option(None, "--retire", help="Rule id."),
    test: str | None = typer.Option(None, "--test", help="Rule id or JSON file."),
    as_json: bool = JsonOption,
) -> None:
    """List, add (draft), activate, retire and test selectivity rules."""
    from smartcustoms.risk import service

    db, principal = state(ctx).db, _principal(economy)
    if add:
        service.create_rule(db.uow(), principal, json.loads(add.read_text()))
    if activate_rule:
        service.set_rule_status(db.uow(), principal, activate_rule, "active")
    if retire:
        service.set_rule_status(db.uow(), principal, retire, "retired")
    if test:
        path = Path(test)
        target: Any = json.loads(path.read_text()) if path.is_file() else test
        from smartcustoms.risk import operations

        result = operations.test_rule(db.uow(), principal, target)
        emit(result, as_json, lambda r: console.print(r))
        return
    found = service.list_rules(db.uow(), principal)
    emit(
        found, as_json, lambda rs: _lines(f"{r.id} v{r.version} [{r.status}] {r.name}" for r in rs)
    )


def aeo(
    ctx: typer.Context,
    economy: str = EconomyOption,
    add: str | None = typer.Option(None, "--add", help="Trader id to trust."),
    remove: str | None = typer.Option(None, "--remove", help="Trader id to drop."),
    as_json: bool = JsonOption,
) -> None:
    """Trusted traders (AEO) held to the reduced inspection rate."""
    from smartcustoms.risk import operations, service

    db, principal = state(ctx).db, _principal(economy)
    if add:
        operations.change_aeo(db.uow(), principal, add, True)
    if remove:
        operations.change_aeo(db.uow(), principal, remove, False)
    found = service.list_aeo(db.uow(), principal)
    emit(found, as_json, lambda ts: _lines(t.trader_id for t in ts))


def register(app: typer.Typer) -> None:
    for name, command in (
        ("models", models),
        ("activate", activate),
        ("rollback", rollback),
        ("retrain", retrain),
        ("budget", budget),
        ("calibrate", calibrate),
        ("drift", drift),
        ("simulate", simulate),
        ("evaluate-controls", evaluate_controls),
        ("tune-exploration", tune_exploration),
        ("rules", rules),
        ("aeo", aeo),
    ):
        app.command(name)(command)
