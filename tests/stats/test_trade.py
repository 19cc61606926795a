"""Trade figures on the hand-made fixture against a hand computation, on both databases."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from smartcustoms.declarations import service as declarations
from smartcustoms.errors import InvalidInput, PermissionDenied
from smartcustoms.reference import service as reference
from smartcustoms.stats import service
from smartcustoms.stats.model import By
from tests.stats.conftest import StatsKR, item, lodge


def cents(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def krw(db, month: int, year: int = 2021) -> Decimal:  # type: ignore[no-untyped-def]
    return reference.rate_per_usd(db.uow(), "KRW", date(year, month, 1)).per_usd


def test_trade_by_partner_matches_hand_computation(stats_kr: StatsKR) -> None:
    k = stats_kr.kr
    r = service.trade(k.db.uow(), k.analyst, "2021-Q2", service.parse_query(by="partner"))
    apr, may = krw(k.db, 4), krw(k.db, 5)
    assert r.currency == "KRW" and r.period.first == date(2021, 4, 1)
    assert r.total.value == Decimal(2_000_000)
    assert r.total.value_usd == cents(Decimal(1_500_000) / apr + Decimal(500_000) / may)
    assert r.total.items == 4
    rows = {row.key: row for row in r.rows}
    assert [row.key for row in r.rows] == ["CN", "DE", "US", "JP"]
    assert {key: row.value for key, row in rows.items()} == {
        "CN": 1_000_000, "DE": 500_000, "US": 300_000, "JP": 200_000
    }  # fmt: skip
    assert {key: row.share_pct for key, row in rows.items()} == {
        "CN": Decimal("50.00"), "DE": Decimal("25.00"), "US": Decimal("15.00"),
        "JP": Decimal("10.00"),
    }  # fmt: skip
    assert rows["CN"].value_usd == cents(Decimal(1_000_000) / apr)
    assert rows["US"].value_usd == cents(Decimal(300_000) / may)
    assert rows["CN"].label == "China"
    # APEC: everyone but Germany.
    assert r.apec_share_pct == Decimal("75.00")


def test_flows_hs_levels_filters_and_top(stats_kr: StatsKR) -> None:
    k = stats_kr.kr

    def run(period: str = "2021-Q2", **kw: object) -> dict[str, Decimal]:
        res = service.trade(k.db.uow(), k.analyst, period, service.parse_query(**kw))  # type: ignore[arg-type]
        return {row.key: row.value for row in res.rows}

    assert run(by="flow") == {"import": 1_800_000, "export": 200_000}
    assert run(by="chapter") == {"85": 1_700_000, "90": 300_000}
    assert run(by="heading", flow="import") == {"8507": 1_000_000, "8541": 500_000, "9027": 300_000}
    assert run(by="section") == {"XVI": 1_700_000, "XVIII": 300_000}
    assert run(by="mode") == {"sea": 1_700_000, "air": 300_000}
    assert run(by="month") == {"2021-04": 1_500_000, "2021-05": 500_000}
    assert run(by="apec") == {"APEC": 1_500_000, "non-APEC": 500_000}
    assert run(by="partner", hs="8507") == {"CN": 1_000_000, "JP": 200_000}
    assert run(by="total", flow="export") == {"total": 200_000}
    assert run("2021", by="quarter") == {"2021-Q1": 400_000, "2021-Q2": 2_000_000}
    top = service.trade(k.db.uow(), k.analyst, "2021-Q2", service.parse_query(top=2))
    assert [row.key for row in top.rows] == ["CN", "DE"]
    assert top.other is not None and top.other.value == Decimal(500_000)


def test_growth_and_period_comparison(stats_kr: StatsKR) -> None:
    k = stats_kr.kr
    g = service.growth(k.db.uow(), k.analyst, "2021-Q2", service.parse_query(by="partner"))
    assert g.previous.code == "2021-Q1" and g.year_before.code == "2020-Q2"
    assert g.total.value == 2_000_000 and g.total.previous == 400_000
    assert g.total.growth_pct == Decimal("400.00")  # (2.0 - 0.4) / 0.4
    assert g.total.yoy_pct == Decimal("150.00")  # (2.0 - 0.8) / 0.8
    cn = next(row for row in g.rows if row.key == "CN")
    assert cn.growth_pct == Decimal("150.00") and cn.yoy_pct == Decimal("25.00")
    apr20, jan21, apr21 = krw(k.db, 4, 2020), krw(k.db, 1), krw(k.db, 4)
    assert cn.yoy_usd_pct == cents(
        (Decimal(1_000_000) / apr21 - Decimal(800_000) / apr20) * 100 / (Decimal(800_000) / apr20)
    )
    c = service.compare(
        k.db.uow(), k.analyst, "2021-H1", "2020-H1", service.parse_query(by="total")
    )
    assert c.total_a.value == 2_400_000 and c.total_b.value == 800_000
    assert c.growth_pct == Decimal("200.00")
    assert c.total_a.value_usd == cents(
        Decimal(400_000) / jan21 + Decimal(1_500_000) / apr21 + Decimal(500_000) / krw(k.db, 5)
    )


def test_new_and_cancelled_declarations_reach_the_figures(stats_kr: StatsKR) -> None:
    k = stats_kr.kr
    q = service.parse_query(by="total")
    assert service.trade(k.db.uow(), k.analyst, "2021-06", q).total.value == 0
    lodge(k, "D6", "2021-06-02", [item("850760", "CN", 70_000)], {})
    k.quiet_lanes("yellow")
    d7 = lodge(k, "D7", "2021-06-03", [item("850760", "CN", 5_000)], {})
    assert service.trade(k.db.uow(), k.analyst, "2021-06", q).total.value == 75_000
    declarations.cancel(k.db.uow(), k.declarant, d7.id, "typo")
    assert service.trade(k.db.uow(), k.analyst, "2021-06", q).total.value == 70_000
    assert service.trade(k.db.uow(), k.analyst, "2021-Q2", q).total.value == 2_070_000


def test_named_periods_validation_roles_and_tenancy(stats_kr: StatsKR) -> None:
    k = stats_kr.kr
    fyp = service.trade(k.db.uow(), k.analyst, "FYP14", service.parse_query(by="total"))
    assert fyp.period.first == date(2021, 1, 1) and fyp.total.value == 2_400_000
    with pytest.raises(InvalidInput) as exc:
        service.parse_query(by="colour", flow="sideways", hs="85x", top=0)
    assert {e.path for e in exc.value.errors} == {"by", "flow", "hs", "top"}
    with pytest.raises(InvalidInput):
        service.trade(k.db.uow(), k.analyst, "2021-Q5", service.parse_query())
    with pytest.raises(PermissionDenied):
        service.trade(k.db.uow(), k.declarant, "2021-Q2", service.parse_query())
    # Another economy sees none of KR's trade.
    jp = k.actors.user("JP", "analyst")
    from tests.declarations.conftest import principal

    other = service.trade(
        k.db.uow(), principal(k.db, jp["email"]), "2021-Q2", service.parse_query()
    )
    assert other.total.value == 0 and other.rows == []
    assert By.PARTNER.value == "partner"
