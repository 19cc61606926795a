"""/api/v1/stats: trade figures, growth, comparison, green trade, release times, mirror
statistics and exports, for the caller's economy; /api/v1/public/stats: published aggregates."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from smartcustoms.stats import green, mirror, publish, release, service
from smartcustoms.stats.schemas import jsonable
from smartcustoms.web.deps import CurrentPrincipal, UoW

router = APIRouter(prefix="/api/v1", tags=["statistics"])

PeriodQ = Annotated[
    str, Query(description="2021, 2021-Q2, 2021-H1, 2021-05, 2021-01..2021-06 or FYP14")
]
ByQ = Annotated[str, Query(description="partner, section, chapter, heading, subheading, mode, "
                           "office, flow, month, quarter, year, apec or total")]  # fmt: skip
FlowQ = Annotated[str, Query(description="import, export or total")]
TopQ = Annotated[int | None, Query(description="only the N largest rows")]


def _q(by: str, flow: str, partner: str | None, hs: str | None, mode: str | None,
       office: str | None, top: int | None) -> service.Query:  # fmt: skip
    return service.parse_query(by, flow, partner, hs, mode, office, top)


@router.get("/stats/trade")
def trade(
    uow: UoW,
    principal: CurrentPrincipal,
    period: PeriodQ,
    by: ByQ = "partner",
    flow: FlowQ = "total",
    partner: str | None = None,
    hs: str | None = None,
    mode: str | None = None,
    office: str | None = None,
    top: TopQ = None,
) -> dict[str, Any]:
    """The period's total and each row's value (economy's currency and USD), share, items."""
    q = _q(by, flow, partner, hs, mode, office, top)
    return jsonable(service.trade(uow, principal, period, q))  # type: ignore[no-any-return]


@router.get("/stats/growth")
def growth(
    uow: UoW,
    principal: CurrentPrincipal,
    period: PeriodQ,
    vs: Annotated[str | None, Query(description="compare with this period instead")] = None,
    by: ByQ = "total",
    flow: FlowQ = "total",
    partner: str | None = None,
    hs: str | None = None,
    mode: str | None = None,
    office: str | None = None,
    top: TopQ = None,
) -> dict[str, Any]:
    """Growth against the previous period and a year before; with ``vs``: period A against B."""
    q = _q(by, flow, partner, hs, mode, office, top)
    if vs:
        return jsonable(service.compare(uow, principal, period, vs, q))  # type: ignore[no-any-return]
    return jsonable(service.growth(uow, principal, period, q))  # type: ignore[no-any-return]


@router.get("/stats/green")
def green_trade(
    uow: UoW,
    principal: CurrentPrincipal,
    period: PeriodQ,
    by: ByQ = "partner",
    flow: FlowQ = "total",
    partner: str | None = None,
    top: TopQ = None,
) -> dict[str, Any]:
    """Environmental goods (APEC EGL in HS 2022): value, share of all trade, growth."""
    q = _q(by, flow, partner, None, None, None, top)
    return jsonable(green.green(uow, principal, period, q))  # type: ignore[no-any-return]


@router.get("/stats/green/tariff-cap")
def green_tariff_cap(
    uow: UoW,
    principal: CurrentPrincipal,
    cap: Annotated[Decimal, Query(ge=0, le=1000, description="the cap in percent")] = Decimal(5),
) -> dict[str, Any]:
    """Every schedule line on an EGL subheading above the cap, per rate type."""
    return jsonable(green.tariff_cap(uow, principal, cap))  # type: ignore[no-any-return]


@router.get("/stats/release-times")
def release_times(
    uow: UoW,
    principal: CurrentPrincipal,
    period: PeriodQ,
    by: Annotated[str, Query(description=", ".join(release.DIMENSIONS))] = "lane",
) -> dict[str, Any]:
    """Lodgement (or arrival) to release: median, mean, p90, shares within 10 min/1 h/1 day."""
    return jsonable(release.release_times(uow, principal, period, by))  # type: ignore[no-any-return]


@router.get("/stats/mirror")
def mirror_stats(
    uow: UoW,
    principal: CurrentPrincipal,
    partner: str,
    period: PeriodQ,
    flow: Annotated[str, Query(description="export or import")] = "export",
    level: Annotated[int, Query(description="HS digits: 2, 4 or 6")] = 6,
    top: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> dict[str, Any]:
    """Our flow with a partner against the partner's mirror flow, largest gaps first."""
    result = mirror.mirror(uow, principal, partner, period, flow=flow, level=level, top=top)
    return jsonable(result)  # type: ignore[no-any-return]


class PublishIn(BaseModel):
    title: str
    period: str
    by: str = "partner"
    flow: str = "total"
    threshold: int = publish.DEFAULT_THRESHOLD


@router.post("/stats/publications", status_code=201)
def create_publication(uow: UoW, principal: CurrentPrincipal, body: PublishIn) -> dict[str, Any]:
    """Publish a frozen aggregate for anyone to read (small cells suppressed)."""
    pub = publish.publish(
        uow,
        principal,
        title=body.title,
        period=body.period,
        by=body.by,
        flow=body.flow,
        threshold=body.threshold,
    )
    return jsonable(pub)  # type: ignore[no-any-return]


@router.delete("/stats/publications/{publication_id}", status_code=204)
def delete_publication(uow: UoW, principal: CurrentPrincipal, publication_id: str) -> None:
    publish.unpublish(uow, principal, publication_id)


@router.get("/public/stats/{economy}")
def public_publications(uow: UoW, economy: str) -> list[dict[str, Any]]:
    """What the economy published (no login)."""
    return [
        {k: v for k, v in jsonable(p).items() if k != "payload"}
        for p in publish.list_published(uow, economy)
    ]


@router.get("/public/stats/{economy}/{publication_id}")
def public_publication(uow: UoW, economy: str, publication_id: str) -> dict[str, Any]:
    return jsonable(publish.get_published(uow, economy, publication_id))  # type: ignore[no-any-return]
