"""The risk analyst's workbench: selectivity rules (write, test on the past, activate, retire,
versions), the model registry (evaluation charts, feature importance, activate, roll back,
retrain as a background job), the inspection budget (previewed before it is saved), drift
(weekly PSI, hit rate and score distribution) and one declaration's lane as a waterfall.

Every change goes through the services the API calls (``risk.service``, ``risk.operations``,
``risk.registry``, ``risk.training``): the pages are one more way in, not a second write path.
A form that does not validate comes back with status 422, each problem beside its field and
what was typed kept; an unknown id is the 404 page, a missing role the 403 page.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from smartcustoms import charts
from smartcustoms.accounts.model import Principal, Role
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import Conflict, FieldError, InvalidInput, NotFound, SmartCustomsError
from smartcustoms.risk import operations, registry, service, workbench
from smartcustoms.risk.jobs import RetrainJobs
from smartcustoms.risk.ml.budget import SELECTION_STRATEGIES
from smartcustoms.risk.model import DriftReport, RuleTestResult
from smartcustoms.risk.rules import parse_definition
from smartcustoms.web.deps import CurrentPrincipal, UoW, get_db, get_settings
from smartcustoms.web.i18n import N_
from smartcustoms.web.i18n import gettext as _
from smartcustoms.web.pages.home import render
from smartcustoms.web.vocabulary import lane_label

router = APIRouter(include_in_schema=False)

ANALYSTS = (Role.ANALYST,)
READERS = (Role.ANALYST, Role.OFFICER)  # drift and a declaration's lane: officers read them too
LIST_CONDITIONS = ("hs_prefix", "origin", "departure", "office", "parties")
NUMBER_CONDITIONS = (
    "min_value",
    "max_value",
    "min_mass",
    "max_mass",
    "unit_value_below_norm",
    "unit_value_above_norm",
)
ACTION_NUMBERS = ("score_add", "random_check")
RULE_FIELDS = (
    "name",
    "description",
    *LIST_CONDITIONS,
    "watchlist",
    *NUMBER_CONDITIONS,
    "lane",
    *ACTION_NUMBERS,
    "note",
    "since",
    "until",
)
BUDGET_FIELDS = ("red", "yellow", "exploration", "aeo_factor", "window", "strategy")
#: The exploration strategies the budget form offers, each with its one-line help (the order
#: of the select; a test keeps it the same set as the risk kit's SELECTION_STRATEGIES).
STRATEGIES = (
    (
        "random",
        N_("random"),
        N_("the exploration share is drawn uniformly: unbiased labels to evaluate and retrain"),
    ),
    (
        "diverse",
        N_("diverse"),
        N_("drawn more often where the model is least sure of its score"),
    ),
    (
        "adaptive",
        N_("adaptive"),
        N_("as diverse, at the share a bandit chooses from the hit rates it observes"),
    ),
    (
        "exploit",
        N_("exploit"),
        N_("no exploration draw: only the scores and the rules choose what is controlled"),
    ),
)
DONE = {
    "created": N_("Rule saved as a draft."),
    "activated": N_("Rule saved and activated."),
    "updated": N_("Rule saved as a new version."),
    "active": N_("Rule activated: it takes part in routing from the next declaration."),
    "retired": N_("Rule retired."),
    "draft": N_("Rule set back to draft."),
    "budget": N_("Budget saved; the active model's thresholds were recalibrated."),
    "model": N_("Model activated."),
    "rollback": N_("Rolled back to the previous model."),
}
MAX_FORM_VALUE = 2000


# --- form reading --------------------------------------------------------------------------


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form as plain text fields (files and repeated keys ignored)."""
    form = await request.form()
    return {k: v[:MAX_FORM_VALUE] for k, v in form.items() if isinstance(v, str)}


Form = Annotated[dict[str, str], Depends(form_fields)]


def _number(text: str, path: str, errors: list[FieldError]) -> float | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        errors.append(FieldError(path, "not_a_number", _("a number, e.g. 1000 or 0.5")))
        return None
    if not math.isfinite(value):
        errors.append(FieldError(path, "not_a_number", _("a finite number")))
        return None
    return value


def _day(text: str, path: str, errors: list[FieldError]) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(FieldError(path, "invalid_date", _("a date like 2021-05-14")))
        return None


def field_of(path: str) -> str:
    """The form field a problem's JSON path concerns (``conditions.hs_prefix[1]`` -> hs_prefix;
    ``conditions`` and ``action`` stay: they label their fieldsets)."""
    path = re.sub(r"\[\d+\]$", "", path)
    for prefix in ("conditions.", "action."):
        if path.startswith(prefix):
            return path[len(prefix) :]
    return path or "form"


def by_field(errors: list[FieldError]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in errors:
        out.setdefault(field_of(e.path), []).append(e.message)
    return out


def rule_raw(form: dict[str, str]) -> tuple[dict[str, Any], list[FieldError]]:
    """The rule definition (the API's JSON shape) from the form, and the problems only the
    form can have (a number that is not one). Everything else is checked by the service."""
    errors: list[FieldError] = []
    conditions: dict[str, Any] = {}
    for key in LIST_CONDITIONS:
        values = [v for v in re.split(r"[,\s]+", form.get(key, "")) if v]
        if values:
            conditions[key] = values
    if form.get("watchlist", "").strip():
        conditions["watchlist"] = form["watchlist"].strip()
    for key in NUMBER_CONDITIONS:
        value = _number(form.get(key, ""), f"conditions.{key}", errors)
        if value is not None:
            conditions[key] = value
    action: dict[str, Any] = {}
    if form.get("lane", "").strip():
        action["lane"] = form["lane"].strip()
    for key in ACTION_NUMBERS:
        value = _number(form.get(key, ""), f"action.{key}", errors)
        if value is not None:
            action[key] = value
    raw = {
        "name": form.get("name", "").strip(),
        "description": form.get("description", "").strip(),
        "conditions": conditions,
        "action": action,
    }
    return raw, errors


def rule_form(definition: dict[str, Any]) -> dict[str, str]:
    """A stored definition as the form shows it."""
    c = definition.get("conditions") or {}
    a = definition.get("action") or {}
    out = {
        "name": str(definition.get("name", "")),
        "description": str(definition.get("description", "")),
    }
    for key in LIST_CONDITIONS:
        out[key] = ", ".join(str(v) for v in c.get(key) or [])
    out["watchlist"] = str(c.get("watchlist") or "")
    for key in NUMBER_CONDITIONS:
        out[key] = "" if c.get(key) is None else f"{c[key]:g}"
    out["lane"] = str(a.get("lane") or "")
    for key in ACTION_NUMBERS:
        out[key] = "" if not a.get(key) else f"{a[key]:g}"
    return out


def _validate_rule(
    form: dict[str, str],
) -> tuple[dict[str, Any], list[FieldError], date | None, date | None]:
    raw, errors = rule_raw(form)
    since = _day(form.get("since", ""), "since", errors)
    until = _day(form.get("until", ""), "until", errors)
    try:
        parse_definition(raw)  # the service's own check, for every problem at once
    except InvalidInput as exc:
        errors += list(exc.errors)
    return raw, errors, since, until


# --- the workbench home --------------------------------------------------------------------


def _tabs(active: str) -> list[dict[str, str]]:
    items = [
        ("home", "/risk", N_("Workbench")),
        ("rules", "/risk/rules", N_("Rules")),
        ("models", "/risk/models", N_("Models")),
        ("budget", "/risk/budget", N_("Budget")),
        ("drift", "/risk/drift", N_("Drift")),
    ]
    return [
        {"key": k, "href": h, "label": label, "current": str(k == active)} for k, h, label in items
    ]


@router.get("/risk", response_class=HTMLResponse)
def home(request: Request, uow: UoW, principal: CurrentPrincipal) -> Response:
    principal.require(*ANALYSTS)
    rules = service.list_rules(uow, principal)
    counts = {s: sum(1 for r in rules if r.status == s) for s in service.RULE_STATUSES}
    models = registry.list_models(uow, principal)
    active = next((m for m in models if m.status == "active"), None)
    budget = service.get_budget(uow, principal)
    recent = sorted(rules, key=lambda r: r.updated_at, reverse=True)[:5]
    return render(
        request,
        "risk/home.html",
        principal=principal,
        tabs=_tabs("home"),
        counts=counts,
        recent=recent,
        active=active,
        models=len(models),
        budget=budget,
        metric=_headline(active.metrics if active else {}),
    )


def _headline(metrics: dict[str, Any]) -> list[tuple[str, str]]:
    valid = metrics.get("valid") or {}
    out = []
    for key in ("precision@5%", "recall@5%", "critical_caught@5%", "roc_auc"):
        value = valid.get(key)
        if isinstance(value, int | float) and math.isfinite(value):
            out.append((key, f"{value:.3f}"))
    return out


# --- rules ---------------------------------------------------------------------------------


@router.get("/risk/rules", response_class=HTMLResponse)
def rules_page(
    request: Request, uow: UoW, principal: CurrentPrincipal, status: str = ""
) -> Response:
    principal.require(*ANALYSTS)
    chosen = status if status in service.RULE_STATUSES else ""
    return render(
        request,
        "risk/rules.html",
        principal=principal,
        tabs=_tabs("rules"),
        rules=service.list_rules(uow, principal, chosen or None),
        status=chosen,
        statuses=service.RULE_STATUSES,
    )


def _rule_form_page(
    request: Request,
    principal: Principal,
    form: dict[str, str],
    *,
    rule: Any = None,
    errors: list[FieldError] | None = None,
    tested: RuleTestResult | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "risk/rule_form.html",
        status_code=status_code,
        principal=principal,
        tabs=_tabs("rules"),
        form=form,
        rule=rule,
        errors=by_field(errors or []),
        tested=tested,
    )


@router.get("/risk/rules/new", response_class=HTMLResponse)
def new_rule(request: Request, principal: CurrentPrincipal) -> Response:
    principal.require(*ANALYSTS)
    return _rule_form_page(request, principal, {"lane": "red"})


@router.post("/risk/rules/new")
def create_rule(request: Request, uow: UoW, principal: CurrentPrincipal, form: Form) -> Response:
    principal.require(*ANALYSTS)
    kept = {k: form.get(k, "") for k in RULE_FIELDS}
    raw, errors, since, until = _validate_rule(form)
    if errors:
        return _rule_form_page(request, principal, kept, errors=errors, status_code=422)
    action = form.get("action", "save")
    if action == "test":
        tested = operations.test_rule(uow, principal, raw, since=since, until=until)
        return _rule_form_page(request, principal, kept, tested=tested)
    try:
        rule = service.create_rule(uow, principal, raw, activate=action == "activate")
    except InvalidInput as exc:
        return _rule_form_page(request, principal, kept, errors=list(exc.errors), status_code=422)
    done = "activated" if rule.status == "active" else "created"
    return RedirectResponse(f"/risk/rules/{rule.id}?done={done}", status_code=303)


def _rule_page(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    rule_id: str,
    *,
    done: str = "",
    tested: RuleTestResult | None = None,
    form: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Response:
    rule = service.get_rule(uow, principal, rule_id)
    return render(
        request,
        "risk/rule.html",
        status_code=status_code,
        principal=principal,
        tabs=_tabs("rules"),
        rule=rule,
        summary=parse_definition(rule.definition).describe(),
        done=DONE.get(done),
        tested=tested,
        form=form or {},
        errors=by_field(errors or []),
    )


@router.get("/risk/rules/{rule_id}", response_class=HTMLResponse)
def show_rule(
    request: Request, uow: UoW, principal: CurrentPrincipal, rule_id: str, done: str = ""
) -> Response:
    principal.require(*ANALYSTS)
    return _rule_page(request, uow, principal, rule_id, done=done)


@router.post("/risk/rules/{rule_id}/test")
def test_rule(
    request: Request, uow: UoW, principal: CurrentPrincipal, rule_id: str, form: Form
) -> Response:
    principal.require(*ANALYSTS)
    service.get_rule(uow, principal, rule_id)  # 404 for another economy's rule
    errors: list[FieldError] = []
    since = _day(form.get("since", ""), "since", errors)
    until = _day(form.get("until", ""), "until", errors)
    kept = {"since": form.get("since", ""), "until": form.get("until", "")}
    if errors:
        return _rule_page(
            request, uow, principal, rule_id, form=kept, errors=errors, status_code=422
        )
    tested = operations.test_rule(uow, principal, rule_id, since=since, until=until)
    return _rule_page(request, uow, principal, rule_id, tested=tested, form=kept)


@router.post("/risk/rules/{rule_id}/status")
def set_status(
    request: Request, uow: UoW, principal: CurrentPrincipal, rule_id: str, form: Form
) -> Response:
    principal.require(*ANALYSTS)
    status = form.get("status", "")
    try:
        rule = service.set_rule_status(uow, principal, rule_id, status)
    except InvalidInput as exc:
        errors = list(exc.errors)
        return _rule_page(request, uow, principal, rule_id, errors=errors, status_code=422)
    return RedirectResponse(f"/risk/rules/{rule.id}?done={rule.status}", status_code=303)


@router.get("/risk/rules/{rule_id}/edit", response_class=HTMLResponse)
def edit_rule(request: Request, uow: UoW, principal: CurrentPrincipal, rule_id: str) -> Response:
    principal.require(*ANALYSTS)
    rule = service.get_rule(uow, principal, rule_id)
    return _rule_form_page(request, principal, rule_form(rule.definition), rule=rule)


@router.post("/risk/rules/{rule_id}/edit")
def update_rule(
    request: Request, uow: UoW, principal: CurrentPrincipal, rule_id: str, form: Form
) -> Response:
    principal.require(*ANALYSTS)
    rule = service.get_rule(uow, principal, rule_id)
    kept = {k: form.get(k, "") for k in RULE_FIELDS}
    raw, errors, since, until = _validate_rule(form)
    if errors:
        return _rule_form_page(request, principal, kept, rule=rule, errors=errors, status_code=422)
    if form.get("action") == "test":
        tested = operations.test_rule(uow, principal, raw, since=since, until=until)
        return _rule_form_page(request, principal, kept, rule=rule, tested=tested)
    try:
        service.update_rule(uow, principal, rule_id, raw, note=form.get("note", "").strip())
    except InvalidInput as exc:
        return _rule_form_page(
            request, principal, kept, rule=rule, errors=list(exc.errors), status_code=422
        )
    return RedirectResponse(f"/risk/rules/{rule_id}?done=updated", status_code=303)


# --- models --------------------------------------------------------------------------------


def _evaluation_charts(ev: workbench.ModelEvaluation) -> dict[str, str]:
    out = {
        "curve": charts.lines(
            ev.rates,
            [
                charts.Series(_("precision"), ev.precision),
                charts.Series(_("recall"), ev.recall),
            ],
            _("Precision and recall against the inspection rate"),
            x_label=_("share of declarations inspected (highest scores first)"),
            y_label=_("share"),
            x_format=charts.percent,
            y_format=charts.percent,
            y_min=0.0,
            y_max=1.0,
            testid="chart-precision-recall",
        )
    }
    if ev.critical_rates:
        out["critical"] = charts.lines(
            ev.critical_rates,
            [charts.Series(_("critical frauds caught"), ev.critical_caught, charts.PALETTE[3])],
            _("Share of critical frauds caught against the inspection rate"),
            x_label=_("share of declarations inspected (highest scores first)"),
            y_label=_("share of critical frauds caught"),
            x_format=charts.percent,
            y_format=charts.percent,
            y_min=0.0,
            y_max=1.0,
            testid="chart-critical",
        )
    if ev.importance:
        out["importance"] = charts.bars(
            ev.importance,
            _("Feature importance (share of the fraud model's total gain)"),
            value_format=charts.percent,
            testid="chart-importance",
        )
    return out


@router.get("/risk/models", response_class=HTMLResponse)
def models_page(
    request: Request, uow: UoW, principal: CurrentPrincipal, done: str = ""
) -> Response:
    principal.require(*ANALYSTS)
    models = registry.list_models(uow, principal)
    active = next((m for m in models if m.status == "active"), None)
    evaluation = workbench.model_evaluation(uow, principal, active.version) if active else None
    return render(
        request,
        "risk/models.html",
        principal=principal,
        tabs=_tabs("models"),
        models=models,
        active=active,
        ev=evaluation,
        charts=_evaluation_charts(evaluation) if evaluation else {},
        done=DONE.get(done),
        error=None,
        jobs=_jobs(request).recent(principal.economy),
    )


@router.get("/risk/models/{version}", response_class=HTMLResponse)
def model_page(request: Request, uow: UoW, principal: CurrentPrincipal, version: str) -> Response:
    principal.require(*ANALYSTS)
    evaluation = workbench.model_evaluation(uow, principal, version)
    return render(
        request,
        "risk/model.html",
        principal=principal,
        tabs=_tabs("models"),
        m=evaluation.info,
        ev=evaluation,
        charts=_evaluation_charts(evaluation),
    )


def _models_refused(
    request: Request, uow: UnitOfWork, principal: Principal, exc: SmartCustomsError, status: int
) -> Response:
    models = registry.list_models(uow, principal)
    return render(
        request,
        "risk/models.html",
        status_code=status,
        principal=principal,
        tabs=_tabs("models"),
        models=models,
        active=next((m for m in models if m.status == "active"), None),
        ev=None,
        charts={},
        done=None,
        error=exc.message,
        jobs=[],
    )


@router.post("/risk/models/rollback")
def rollback(request: Request, uow: UoW, principal: CurrentPrincipal) -> Response:
    principal.require(*ANALYSTS)
    try:
        registry.rollback(uow, principal)
    except Conflict as exc:
        return _models_refused(request, uow, principal, exc, 409)
    return RedirectResponse("/risk/models?done=rollback", status_code=303)


@router.post("/risk/models/{version}/activate")
def activate(request: Request, uow: UoW, principal: CurrentPrincipal, version: str) -> Response:
    principal.require(*ANALYSTS)
    registry.activate(uow, principal, version)
    return RedirectResponse("/risk/models?done=model", status_code=303)


# --- retraining as a background job --------------------------------------------------------


def _jobs(request: Request) -> RetrainJobs:
    jobs: RetrainJobs = request.app.state.container.retrain_jobs
    return jobs


@router.post("/risk/models/retrain")
def retrain(request: Request, uow: UoW, principal: CurrentPrincipal, form: Form) -> Response:
    principal.require(*ANALYSTS)
    errors: list[FieldError] = []
    holdout = _number(form.get("holdout", "0.2") or "0.2", "holdout", errors)
    if holdout is not None and not 0 < holdout < 1:
        errors.append(FieldError("holdout", "out_of_range", _("a share between 0 and 1, e.g. 0.2")))
    if errors:
        return _models_refused(request, uow, principal, InvalidInput(errors), 422)
    try:
        job = _jobs(request).start(
            get_db(request).uow,
            principal,
            get_settings(request).files_dir,
            holdout=holdout or 0.2,
            force=form.get("force") == "yes",
        )
    except Conflict as exc:
        return _models_refused(request, uow, principal, exc, 409)
    return RedirectResponse(f"/risk/jobs/{job.id}", status_code=303)


@router.get("/risk/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, principal: CurrentPrincipal, job_id: str) -> Response:
    principal.require(*ANALYSTS)
    job = _jobs(request).get(principal.economy, job_id)
    if job is None:
        raise NotFound(_("no retraining job {id}", id=job_id))
    return render(request, "risk/job.html", principal=principal, tabs=_tabs("models"), job=job)


# --- budget --------------------------------------------------------------------------------


def _budget_form(view: Any) -> dict[str, str]:
    return {
        "red": f"{view.red:g}",
        "yellow": f"{view.yellow:g}",
        "exploration": f"{view.exploration:g}",
        "aeo_factor": f"{view.aeo_factor:g}",
        "window": str(view.window),
        "strategy": view.strategy,
    }


def _budget_page(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    form: dict[str, str] | None = None,
    *,
    errors: list[FieldError] | None = None,
    preview: workbench.BudgetPreview | None = None,
    done: str = "",
    status_code: int = 200,
) -> Response:
    view = service.get_budget(uow, principal)
    return render(
        request,
        "risk/budget.html",
        status_code=status_code,
        principal=principal,
        tabs=_tabs("budget"),
        view=view,
        form=form or _budget_form(view),
        errors=by_field(errors or []),
        preview=preview,
        chart=_shares_chart(preview) if preview and preview.shares else "",
        done=DONE.get(done),
        strategies=STRATEGIES,
    )


def _shares_chart(preview: workbench.BudgetPreview) -> str:
    colours = {"green": "#1f8a4c", "yellow": "#e3b600", "red": "#c62828"}
    return charts.bars(
        [(lane_label(lane), preview.shares[lane]) for lane in ("green", "yellow", "red")],
        _("Expected lane shares with this budget"),
        value_format=charts.percent,
        colours={lane_label(lane): colour for lane, colour in colours.items()},
        label_width=80,
        testid="chart-lane-shares",
    )


@router.get("/risk/budget", response_class=HTMLResponse)
def budget_page(
    request: Request, uow: UoW, principal: CurrentPrincipal, done: str = ""
) -> Response:
    principal.require(*ANALYSTS)
    return _budget_page(request, uow, principal, done=done)


@router.post("/risk/budget")
def budget_post(request: Request, uow: UoW, principal: CurrentPrincipal, form: Form) -> Response:
    principal.require(*ANALYSTS)
    kept = {k: form.get(k, "").strip() for k in BUDGET_FIELDS}
    current = service.budget_of(uow, principal.economy)
    # A form without the field (an older page, a script) keeps the strategy in force.
    kept["strategy"] = kept["strategy"] or current.strategy
    errors: list[FieldError] = []
    raw: dict[str, Any] = {"strategy": kept["strategy"]}
    for key in BUDGET_FIELDS[:4]:
        value = _number(kept[key], key, errors)
        if value is None and not any(e.path == key for e in errors):
            errors.append(FieldError(key, "required", _("a share between 0 and 1")))
        raw[key] = value
    if kept["window"]:
        try:
            raw["window"] = int(kept["window"])
        except ValueError:
            errors.append(FieldError("window", "not_an_integer", _("a number of declarations")))
    if errors:  # the shares that were numbers still get their range checked, each beside it
        errors += [
            FieldError(k, "out_of_range", _("a share between 0 and 1"))
            for k in BUDGET_FIELDS[:4]
            if raw[k] is not None and not 0 <= raw[k] <= 1
        ]
        if raw["strategy"] not in SELECTION_STRATEGIES:  # the service's rule, checked here too
            names = ", ".join(SELECTION_STRATEGIES)
            errors.append(FieldError("strategy", "invalid", _("one of {names}", names=names)))
    else:
        try:
            budget = service.validate_budget(
                raw["red"], raw["yellow"], raw["exploration"], raw["aeo_factor"],
                raw.get("window", current.window), raw["strategy"],
            )  # fmt: skip
        except InvalidInput as exc:
            errors += list(exc.errors)
    if errors:
        return _budget_page(request, uow, principal, kept, errors=errors, status_code=422)
    if form.get("action") == "save":
        operations.set_budget(uow, principal, {k: v for k, v in raw.items() if v is not None})
        return RedirectResponse("/risk/budget?done=budget", status_code=303)
    preview = workbench.preview_budget(uow, principal, budget)
    return _budget_page(request, uow, principal, kept, preview=preview)


# --- drift ---------------------------------------------------------------------------------


def _drift_charts(report: DriftReport, dist: workbench.ScoreDistribution) -> dict[str, str]:
    weeks = [w.week_start for w in report.weeks]
    x = list(range(len(weeks)))
    ticks = [(float(i), w[5:]) for i, w in enumerate(weeks)]

    def weekly(
        series: list[charts.Series], title: str, y_label: str, y_format: charts.Format, testid: str
    ) -> str:
        return charts.lines(
            x,
            series,
            title,
            x_label=_("week starting (month-day)"),
            x_ticks=ticks,
            y_label=y_label,
            y_format=y_format,
            y_min=0.0,
            testid=testid,
        )

    def flat(name: str, value: float | None, colour: str) -> charts.Series:
        return charts.Series(name, [value] * len(x), colour, dashed=True)

    psi = weekly(
        [
            charts.Series(_("PSI"), [w.psi for w in report.weeks]),
            flat(_("watch ({psi})", psi=0.1), 0.1, "#e3b600"),
            flat(_("shifted ({psi})", psi=0.25), 0.25, "#c62828"),
        ],
        _("Score drift per week: population stability index against the training period"),
        _("PSI"),
        lambda v: f"{v:.2f}",
        "chart-psi",
    )
    hit = weekly(
        [
            charts.Series(_("hit rate of inspected"), [w.hit_rate for w in report.weeks]),
            flat(_("training period"), report.reference_hit_rate, "#8a8a8a"),
        ],
        _("Hit rate per week (frauds among inspected declarations)"),
        _("hit rate"),
        charts.percent,
        "chart-hit-rate",
    )
    mean = weekly(
        [
            charts.Series(_("mean fraud score"), [w.mean_score for w in report.weeks]),
            flat(_("training period"), report.reference_mean_score, "#8a8a8a"),
        ],
        _("Mean fraud score per week"),
        _("mean fraud score"),
        charts.percent,
        "chart-mean-score",
    )
    series = [
        charts.Series(_("training period"), dist.reference, "#8a8a8a"),
        charts.Series(_("since training"), dist.recent, charts.PALETTE[0]),
    ]
    if dist.latest_week_start:
        series.append(
            charts.Series(
                _("week of {day}", day=dist.latest_week_start or ""),
                dist.latest_week,
                charts.PALETTE[1],
            )
        )
    histogram = charts.histogram(
        dist.edges,
        series,
        _("Fraud score distribution (bins: tenths of the training period)"),
        x_label=_("fraud score"),
        y_label=_("share of declarations"),
        x_format=lambda v: f"{v:.2f}",
        testid="chart-score-distribution",
        width=720,
    )
    return {"psi": psi, "hit": hit, "mean": mean, "histogram": histogram}


@router.get("/risk/drift", response_class=HTMLResponse)
def drift_page(
    request: Request,
    uow: UoW,
    principal: CurrentPrincipal,
    since: str = "",
    until: str = "",
) -> Response:
    principal.require(*READERS)
    errors: list[FieldError] = []
    start = _day(since, "since", errors)
    end = _day(until, "until", errors)
    context: dict[str, Any] = {
        "principal": principal,
        "tabs": _tabs("drift") if principal.has(*ANALYSTS) else [],
        "since": since,
        "until": until,
        "errors": by_field(errors),
        "report": None,
        "charts": {},
        "error": None,
    }
    if errors:
        return render(request, "risk/drift.html", status_code=422, **context)
    try:
        report, dist = workbench.drift_view(uow, principal, since=start, until=end)
    except Conflict as exc:
        context["error"] = exc.message
        return render(request, "risk/drift.html", **context)
    context["report"] = report
    context["dist"] = dist
    context["charts"] = _drift_charts(report, dist)
    return render(request, "risk/drift.html", **context)


# --- a declaration's lane ------------------------------------------------------------------


@router.get("/risk/declarations/{declaration_id}/lane", response_class=HTMLResponse)
def lane_page(
    request: Request, uow: UoW, principal: CurrentPrincipal, declaration_id: str
) -> Response:
    principal.require(*READERS)
    fall = workbench.lane_waterfall(uow, principal, declaration_id)
    chart = ""
    if fall.base is not None:
        marks = [
            (_("{lane} threshold", lane=lane_label(lane)), workbench.logit(p))
            for lane, p in fall.thresholds.items()
        ]
        chart = charts.waterfall(
            (_("model's average declaration"), fall.base),
            fall.steps,
            _("Why {reference} scored as it did", reference=fall.reference),
            end_label=_("this declaration's fraud score"),
            unit=_("fraud score (log-odds; the axis shows probabilities)"),
            value_format=lambda v: f"{v:.2f}",
            axis_format=lambda v: charts.percent(workbench.sigmoid(v)),
            marks=marks,
            width=880,
            label_width=400,
            testid="chart-waterfall",
        )
    return render(
        request,
        "risk/lane.html",
        principal=principal,
        tabs=_tabs("") if principal.has(*ANALYSTS) else [],
        fall=fall,
        chart=chart,
    )
