"""/api/v1/reference: HS codes, exchange rates, environmental goods, locations. Public reads:
reference data is nobody's economy data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query

from smartcustoms.reference import service
from smartcustoms.reference.schemas import (
    ConversionOut,
    DatasetStatusOut,
    EglAnswerOut,
    HsEntryOut,
    HsHitOut,
    LocationOut,
    StatusOut,
)
from smartcustoms.web.deps import UoW

router = APIRouter(prefix="/api/v1/reference", tags=["reference"])


@router.get("/status", response_model=StatusOut)
def status(uow: UoW) -> StatusOut:
    """Which reference datasets are loaded, from where, and whether it is the built-in sample."""
    datasets = [DatasetStatusOut.model_validate(d) for d in service.status(uow)]
    return StatusOut(datasets=datasets, notice=service.data_notice(uow))


@router.get("/hs", response_model=list[HsHitOut])
def hs_search(
    uow: UoW,
    q: Annotated[str, Query(min_length=1, max_length=400, description="Goods description")],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[HsHitOut]:
    """Rank HS codes for a goods description."""
    return [HsHitOut.model_validate(h) for h in service.hs_search(uow, q, limit=limit)]


@router.get("/hs/{code}", response_model=HsEntryOut)
def hs_code(uow: UoW, code: str) -> HsEntryOut:
    """One HS 2022 code (85, 8507, 850760 or 8507.60) with its ancestors and children."""
    return HsEntryOut.model_validate(service.hs_lookup(uow, code))


@router.get("/fx", response_model=ConversionOut)
def fx(
    uow: UoW,
    amount: Annotated[Decimal, Query(allow_inf_nan=False)],
    from_currency: Annotated[str, Query(alias="from", min_length=3, max_length=3)],
    to_currency: Annotated[str, Query(alias="to", min_length=3, max_length=3)],
    on: Annotated[date, Query(alias="date", description="YYYY-MM-DD")],
) -> ConversionOut:
    """Convert through USD with the monthly average rates of the month of ``date``."""
    conversion = service.convert(uow, amount, from_currency, to_currency, on)
    return ConversionOut.model_validate(conversion)


@router.get("/egl/{code}", response_model=EglAnswerOut)
def egl(uow: UoW, code: str) -> EglAnswerOut:
    """Is this HS 2022 subheading an APEC environmental good, and from which listed code?"""
    return EglAnswerOut.model_validate(service.egl(uow, code))


@router.get("/locations", response_model=list[LocationOut])
def locations(
    uow: UoW,
    q: Annotated[str, Query(min_length=1, max_length=120, description="UN/LOCODE or name")],
    country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> list[LocationOut]:
    """UN/LOCODE locations by exact code or by name (prefix first, then contains)."""
    found = service.locations_search(uow, q, country=country, limit=limit)
    return [LocationOut.model_validate(loc) for loc in found]


@router.get("/locations/{code}", response_model=LocationOut)
def location(uow: UoW, code: str) -> LocationOut:
    return LocationOut.model_validate(service.location(uow, code))
