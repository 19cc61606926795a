"""/api/v1/risk: score a declaration, selectivity rules, model registry, inspection budget,
trusted traders, watch lists, drift, recorded controls (IPW estimates). Everything is scoped
to the caller's economy (another economy's rule or model: 404); rules, models and budgets need
the analyst role."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Response, status
from pydantic import BaseModel, Field

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.risk import controls, operations, registry, service, training, wiring
from smartcustoms.risk.model import (
    AeoTrader,
    BudgetView,
    DriftReport,
    ModelInfo,
    RuleTestResult,
    RuleView,
    ScoreResult,
    WatchlistEntry,
)
from smartcustoms.web.deps import UoW, require_roles

router = APIRouter(prefix="/api/v1/risk", tags=["risk"])
AnalystDep = Annotated[Principal, Depends(require_roles(Role.ANALYST))]
ReaderDep = Annotated[Principal, Depends(require_roles(Role.ANALYST, Role.OFFICER))]
Body_ = Annotated[dict[str, Any], Body()]


class StatusIn(BaseModel):
    status: str = Field(description="draft, active or retired")


class BudgetIn(BaseModel):
    red: float = Field(
        ge=0, le=1, allow_inf_nan=False, description="share of declarations to red (physical)"
    )
    yellow: float = Field(
        ge=0, le=1, allow_inf_nan=False, description="share to yellow (documentary check)"
    )
    exploration: float = Field(
        0.005, ge=0, le=1, allow_inf_nan=False, description="random share of red (unbiased labels)"
    )
    aeo_factor: float = Field(
        0.5, ge=0, le=1, allow_inf_nan=False, description="trusted traders' rate vs others'"
    )
    window: int | None = Field(
        None,
        ge=0,
        le=10_000_000,
        description="thresholds follow this many recent scores (0: fixed at the model's "
        "calibration; omitted: unchanged)",
    )
    strategy: Literal["exploit", "random", "diverse", "adaptive"] | None = Field(
        None,
        description="how the exploration share is drawn: exploit (none), random (uniform), "
        "diverse (by the model's uncertainty), adaptive (diverse, share tuned by a bandit); "
        "omitted: unchanged",
    )


class TraderIn(BaseModel):
    trader_id: str
    note: str = ""


class WatchIn(BaseModel):
    party_id: str
    note: str = ""


@router.post("/score", response_model=None)
def score(uow: UoW, principal: ReaderDep, payload: Body_) -> ScoreResult:
    """Score a declaration without storing it: probabilities, lane, explanations, rules."""
    return wiring.score_payload(uow, principal, payload)


# --- rules ---------------------------------------------------------------------------------


@router.get("/rules", response_model=None)
def list_rules(
    uow: UoW, principal: AnalystDep, status_: Annotated[str | None, Query(alias="status")] = None
) -> list[RuleView]:
    return service.list_rules(uow, principal, status_)


@router.post("/rules", status_code=status.HTTP_201_CREATED, response_model=None)
def create_rule(
    uow: UoW, principal: AnalystDep, payload: Body_, activate: bool = False
) -> RuleView:
    return service.create_rule(uow, principal, payload, activate=activate)


@router.post("/rules/test", response_model=None)
def test_definition(
    uow: UoW,
    principal: AnalystDep,
    payload: Body_,
    since: date | None = None,
    until: date | None = None,
) -> RuleTestResult:
    """What would this (unsaved) rule have hit among past declarations?"""
    return operations.test_rule(uow, principal, payload, since=since, until=until)


@router.get("/rules/{rule_id}", response_model=None)
def get_rule(uow: UoW, principal: AnalystDep, rule_id: str) -> RuleView:
    return service.get_rule(uow, principal, rule_id)


@router.put("/rules/{rule_id}", response_model=None)
def update_rule(
    uow: UoW, principal: AnalystDep, rule_id: str, payload: Body_, note: str = ""
) -> RuleView:
    """Edit a rule: stored as a new version."""
    return service.update_rule(uow, principal, rule_id, payload, note=note)


@router.post("/rules/{rule_id}/status", response_model=None)
def set_rule_status(uow: UoW, principal: AnalystDep, rule_id: str, body: StatusIn) -> RuleView:
    return service.set_rule_status(uow, principal, rule_id, body.status)


@router.post("/rules/{rule_id}/test", response_model=None)
def test_rule(
    uow: UoW,
    principal: AnalystDep,
    rule_id: str,
    since: date | None = None,
    until: date | None = None,
) -> RuleTestResult:
    service.get_rule(uow, principal, rule_id)  # 404 for another economy's rule
    return operations.test_rule(uow, principal, rule_id, since=since, until=until)


# --- models --------------------------------------------------------------------------------


@router.get("/models", response_model=None)
def list_models(uow: UoW, principal: AnalystDep) -> list[ModelInfo]:
    return registry.list_models(uow, principal)


@router.post("/models/rollback", response_model=None)
def rollback(uow: UoW, principal: AnalystDep) -> ModelInfo:
    return registry.rollback(uow, principal)


@router.get("/models/{version}", response_model=None)
def get_model(uow: UoW, principal: AnalystDep, version: str) -> ModelInfo:
    return registry.get_model(uow, principal, version)


@router.post("/models/{version}/activate", response_model=None)
def activate(uow: UoW, principal: AnalystDep, version: str) -> ModelInfo:
    return registry.activate(uow, principal, version)


@router.post("/calibrate", response_model=None)
def calibrate(
    uow: UoW,
    principal: AnalystDep,
    recent: bool = False,
    weeks: Annotated[int, Query(ge=1, le=520)] = 8,
) -> ModelInfo:
    """Recalibrate the active model's thresholds (``recent``: on the latest weeks)."""
    return registry.recalibrate(uow, principal, recent=recent, weeks=weeks)


@router.get("/controls", response_model=None)
def evaluate_controls(
    uow: UoW,
    principal: ReaderDep,
    since: Annotated[date | None, Query(description="first declaration date")] = None,
    until: Annotated[date | None, Query(description="declaration date excluded")] = None,
) -> dict[str, Any]:
    """The fraud rate of all lodged declarations estimated from recorded controls, each
    label weighted by 1 / the declaration's selection propensity; beside it the naive hit
    rate of controls."""
    return controls.evaluate_controls(uow, principal, since=since, until=until).to_dict()


# --- budget, trusted traders, watch lists --------------------------------------------------


@router.get("/budget", response_model=None)
def get_budget(uow: UoW, principal: AnalystDep) -> BudgetView:
    return service.get_budget(uow, principal)


@router.put("/budget", response_model=None)
def put_budget(uow: UoW, principal: AnalystDep, body: BudgetIn) -> BudgetView:
    return operations.set_budget(uow, principal, body.model_dump(exclude_none=True))


@router.get("/aeo", response_model=None)
def list_aeo(uow: UoW, principal: AnalystDep) -> list[AeoTrader]:
    return service.list_aeo(uow, principal)


@router.post("/aeo", status_code=status.HTTP_204_NO_CONTENT)
def add_aeo(uow: UoW, principal: AnalystDep, body: TraderIn) -> Response:
    operations.change_aeo(uow, principal, body.trader_id, True, body.note)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/aeo/{trader_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_aeo(uow: UoW, principal: AnalystDep, trader_id: str) -> Response:
    operations.change_aeo(uow, principal, trader_id, False)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/watchlists", response_model=None)
def list_watchlists(
    uow: UoW, principal: AnalystDep, name: str | None = None
) -> list[WatchlistEntry]:
    return service.list_watchlist(uow, principal, name)


@router.post("/watchlists/{name}", status_code=status.HTTP_201_CREATED, response_model=None)
def add_watch(uow: UoW, principal: AnalystDep, name: str, body: WatchIn) -> WatchlistEntry:
    return service.add_to_watchlist(uow, principal, name, body.party_id, body.note)


@router.delete("/watchlists/{name}/{party_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_watch(uow: UoW, principal: AnalystDep, name: str, party_id: str) -> Response:
    service.remove_from_watchlist(uow, principal, name, party_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- drift ---------------------------------------------------------------------------------


@router.get("/drift", response_model=None)
def drift(
    uow: UoW, principal: ReaderDep, since: date | None = None, until: date | None = None
) -> DriftReport:
    """Weekly PSI of scores and hit rate against the active model's reference period."""
    return training.drift(uow, principal, since=since, until=until)
