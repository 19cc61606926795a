"""``DutyBatch`` gives what ``assess_duties`` gave before it became a batch used once (the
reference in :mod:`.reference_duties`), object for object (reprs compared, so every Decimal
keeps its digits and exponent), on many random consignments sharing one batch, and so does
``assess_duties`` now."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartcustoms.declarations.model import Declaration, Item, Kind, Party, TransportMode
from smartcustoms.errors import NotFound
from smartcustoms.tariff.duties import DutyBatch, FxRate, Selections, assess_duties
from smartcustoms.tariff.model import (
    DeMinimisScope,
    ScheduleSettings,
    SpecificUnit,
    TariffLine,
    TariffSchedule,
)
from tests.tariff.reference_duties import reference_assess_duties

PER_USD = {"USD": Decimal(1), "KRW": Decimal("1120.5"), "EUR": Decimal("0.91"), "JPY": Decimal(143)}


def fx(currency: str, on: date) -> FxRate:
    if currency == "EUR" and on.month == 3:
        raise NotFound("no EUR rate for March")
    # February takes January's rate (as the rate book's fallback does): a note.
    month = on.replace(day=1) if on.month != 2 else on.replace(month=1, day=1)
    return FxRate(currency, month, PER_USD[currency], "per USD")


def schedule(scope: DeMinimisScope, amount: Decimal | None) -> TariffSchedule:
    return TariffSchedule(
        ScheduleSettings(
            economy="KR",
            vat_rate=Decimal(10),
            de_minimis_amount=amount,
            de_minimis_currency="USD",
            de_minimis_scope=scope,
            default_rate_type="A",
        ),
        [
            TariffLine("85", "A", Decimal(8)),
            TariffLine("850760", "FCN1", Decimal(0), origins=frozenset({"CN"})),
            TariffLine("6109", "A", Decimal("13.5"), Decimal(500), SpecificUnit.UNIT),
            TariffLine("6109", "FCN1", Decimal(5), origins=frozenset({"CN"})),
            TariffLine("0201", "A", Decimal(40), Decimal("1000.25"), SpecificUnit.KG),
        ],
    )


amounts = st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False)
items = st.builds(
    Item,
    hs_code=st.sampled_from(["850760", "8507600000", "610910", "020130", "030111", "851712"]),
    description=st.just("goods"),
    origin_country=st.sampled_from(["CN", "VN", "KR", "US"]),
    net_mass_kg=amounts,
    invoice_value=amounts,
    quantity=st.none() | amounts,
    preference=st.sampled_from([None, "A", "FCN1", "XYZ"]),
    declared_duty_rate=st.none() | st.sampled_from([Decimal(0), Decimal(8), Decimal("8.0")]),
)
declarations = st.builds(
    Declaration,
    reference=st.just("R"),
    kind=st.sampled_from(list(Kind)),
    office=st.just("40"),
    transport_mode=st.just(TransportMode.SEA),
    declarant=st.just(Party("D")),
    invoice_currency=st.sampled_from(list(PER_USD)),
    incoterm=st.sampled_from(["FOB", "CIF", "CFR", "EXW", "DAP"]),
    items=st.lists(items, min_size=1, max_size=4).map(tuple),
    date=st.sampled_from([date(2021, 1, 5), date(2021, 2, 9), date(2021, 3, 1), date(2021, 4, 30)]),
    freight=amounts,
    insurance=amounts,
)


def one(decl: Declaration, sched: TariffSchedule | None, currency: str, how: Any) -> str:
    assert decl.date is not None
    try:
        return repr(how(decl, economy="KR", currency=currency, on=decl.date, schedule=sched, fx=fx))
    except NotFound as exc:
        return f"NotFound {exc.message}"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    decls=st.lists(declarations, min_size=1, max_size=12),
    scope=st.sampled_from(list(DeMinimisScope)),
    amount=st.sampled_from([None, Decimal(150), Decimal(10**6)]),
    has_schedule=st.booleans(),
    currency=st.sampled_from(["KRW", "USD", "EUR"]),  # minor units of 1, 0.01
)
def test_a_batch_assesses_like_one_by_one(
    decls: list[Declaration],
    scope: DeMinimisScope,
    amount: Decimal | None,
    has_schedule: bool,
    currency: str,
) -> None:
    sched = schedule(scope, amount) if has_schedule else None
    sel = Selections(sched) if sched is not None else None
    batch = DutyBatch(economy="KR", currency=currency, schedule=sched, fx=fx, selections=sel)
    for decl in decls:
        assert decl.date is not None
        try:
            got = repr(batch.assess(decl, decl.date))
        except NotFound as exc:
            got = f"NotFound {exc.message}"
        expected = one(decl, sched, currency, reference_assess_duties)
        assert got == expected
        assert one(decl, sched, currency, assess_duties) == expected
