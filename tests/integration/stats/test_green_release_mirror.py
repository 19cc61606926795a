"""Green trade, the tariff-cap check, release times and mirror statistics on the hand-made
fixture, against hand computations, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from smartcustoms.core.clock import FixedClock
from smartcustoms.declarations import control
from smartcustoms.declarations import service as declarations
from smartcustoms.declarations.model import Outcome
from smartcustoms.errors import InvalidInput, NotFound
from smartcustoms.reference import service as reference
from smartcustoms.risk import service as risk
from smartcustoms.stats import green, mirror, release, service
from smartcustoms.tariff import service as tariff
from smartcustoms.tariff.model import ScheduleSettings, TariffLine
from tests.integration.declarations.conftest import principal
from tests.integration.stats.conftest import StatsKR, document, item
from tests.integration.stats.test_trade import cents, krw


def test_green_trade_value_share_growth_by_partner(stats_kr: StatsKR) -> None:
    k = stats_kr.kr
    g = green.green(k.db.uow(), k.analyst, "2021-Q2", service.parse_query(by="partner"))
    # EGL in Q2: 854143 from DE (500,000, April) and 902710 from US (300,000, May).
    assert g.green.total.value == 800_000
    assert g.all_goods.value == 2_000_000
    assert g.green_share_pct == Decimal("40.00")
    assert {r.key: (r.value, r.share_pct) for r in g.green.rows} == {
        "DE": (500_000, Decimal("62.50")),
        "US": (300_000, Decimal("37.50")),
    }
    assert g.green.total.value_usd == cents(
        Decimal(500_000) / krw(k.db, 4) + Decimal(300_000) / krw(k.db, 5)
    )
    assert g.previous.value == 0 and g.growth_pct is None  # Q1: batteries only, not EGL
    assert g.egl_subheadings == len(reference.egl_list(k.db.uow()))


def test_tariff_cap_lists_every_egl_line_above_five_percent(stats_kr: StatsKR) -> None:
    k = stats_kr.kr
    r = green.tariff_cap(k.db.uow(), k.analyst)
    codes = sorted(m.code for m in reference.egl_list(k.db.uow()))
    # KR schedule: 85 -> 8 %; 8504 -> 13 % + 500/unit; 9027 -> 3 % + 1000/kg; FCN1 850760 0 %.
    expected = {(c, "8504" if c.startswith("8504") else "85") for c in codes if c[:2] == "85"}
    expected |= {(c, "9027") for c in codes if c.startswith("9027")}
    assert {(x.egl_code, x.hs_prefix) for x in r.above_cap} == expected
    assert all(x.rate_type == "A" for x in r.above_cap)
    nine = next(x for x in r.above_cap if x.hs_prefix == "9027")
    assert nine.ad_valorem == 3 and nine.specific == "1000/kg"
    assert set(r.without_rate) == {c for c in codes if c[:2] != "85" and c[:4] != "9027"}
    assert r.lines_checked["FCN1"] == 0
    loose = green.tariff_cap(k.db.uow(), k.analyst, Decimal(10))
    assert {x.hs_prefix for x in loose.above_cap} == {"8504", "9027"}


def test_release_times_median_mean_p90_and_shares(stats_kr: StatsKR) -> None:
    k = stats_kr.kr
    k.quiet_lanes("yellow")
    risk.add_aeo(k.db.uow(), k.analyst, "AEO-1")
    t0 = datetime(2021, 6, 30, 10, 0, tzinfo=UTC)
    waits = {"R1": 300, "R2": 1800, "R3": 7200, "R4": 2 * 86400}
    for n, (ref, seconds) in enumerate(waits.items()):
        importer = {"id": "AEO-1" if ref in ("R1", "R2") else "IMP-9", "country": "KR"}
        doc = document(ref, f"2021-06-1{n}", [item("850760", "CN", 1000)], importer=importer)
        rec = declarations.submit(k.db.uow(), k.declarant, doc, clock=FixedClock(t0)).record
        control.record_inspection(
            k.db.uow(),
            k.officer,
            rec.id,
            Outcome.NO_DISCREPANCY,
            clock=FixedClock(t0 + timedelta(seconds=seconds)),
        )
    r = release.release_times(k.db.uow(), k.analyst, "2021-Q2", by="lane")
    # D1, D2, D3 green (released on lodgement: 0 s) + the four above.
    t = r.total
    assert t.count == 7 and t.median_s == 300
    assert t.mean_s == pytest.approx(182_100 / 7)
    assert t.p90_s == pytest.approx(7200 + 0.4 * (172_800 - 7200))
    assert (t.within_10_min_pct, t.within_1_h_pct, t.within_1_day_pct) == (
        Decimal("57.14"), Decimal("71.43"), Decimal("85.71")
    )  # fmt: skip
    lanes = {g.key: g for g in r.groups}
    assert lanes["green"].count == 3 and lanes["green"].median_s == 0
    assert lanes["yellow"].median_s == 4500  # (1800 + 7200) / 2
    assert sum(t.histogram) == 7 and t.histogram[0] == 3
    aeo = {g.key: g for g in release.release_times(k.db.uow(), k.analyst, "2021-Q2", "aeo").groups}
    assert aeo["AEO"].count == 2 and aeo["AEO"].median_s == 1050
    assert aeo["non-AEO"].count == 5 and aeo["non-AEO"].median_s == 0
    with pytest.raises(InvalidInput):
        release.release_times(k.db.uow(), k.analyst, "2021-Q2", "colour")


def test_mirror_against_a_partner_on_the_same_installation(stats_kr: StatsKR) -> None:
    k = stats_kr.kr
    jp_user = k.actors.user("JP", "declarant")
    jp_analyst = k.actors.user("JP", "analyst")
    tariff.set_schedule(
        k.db.uow(),
        declarations.system_principal("JP"),
        ScheduleSettings(economy="JP", default_rate_type="MFN", source="test"),
        [TariffLine("85", "MFN", Decimal(0)), TariffLine("90", "MFN", Decimal(0))],
    )
    jp_doc = document(
        "JP-1",
        "2021-05-12",
        [item("850760", "KR", 30_000)],
        invoice_currency="JPY",
        declarant={"id": "JBR-1", "country": "JP"},
        importer={"id": "JIM-1", "country": "JP"},
        seller={"id": "EXP-1", "country": "KR"},
    )
    declarations.submit(k.db.uow(), principal(k.db, jp_user["email"]), jp_doc)
    m = mirror.mirror(k.db.uow(), k.analyst, "JP", "2021-Q2", flow="export")
    jpy_may = reference.rate_per_usd(k.db.uow(), "JPY", datetime(2021, 5, 1).date()).per_usd
    kr_usd, jp_usd = cents(Decimal(200_000) / krw(k.db, 5)), cents(Decimal(30_000) / jpy_may)
    assert [(r.hs, r.reported_usd, r.mirror_usd) for r in m.rows] == [("850760", kr_usd, jp_usd)]
    assert m.gap_total_usd == jp_usd - kr_usd
    # JP sees the mirror from its side: its imports from KR against KR's exports to JP.
    back = mirror.mirror(
        k.db.uow(), principal(k.db, jp_analyst["email"]), "KR", "2021-Q2", flow="import"
    )
    assert back.reported_total_usd == jp_usd and back.mirror_total_usd == kr_usd
    with pytest.raises(NotFound):
        mirror.mirror(k.db.uow(), k.analyst, "NZ", "2021-Q2")
    with pytest.raises(InvalidInput) as exc:
        mirror.mirror(k.db.uow(), k.analyst, "KR", "2021-Q2", flow="both", level=3)
    assert {e.path for e in exc.value.errors} == {"partner", "flow", "level"}


class FakeParcels:
    """What an e-commerce read API would give: seconds from manifest lodgement to release."""

    def durations(self, uow: object, economy: str, first: object, last: object) -> list:  # type: ignore[type-arg]
        assert economy == "KR"
        return [release.Durations(s, {}) for s in (1.0, 2.0, 30.0, 700.0)]


def test_parcels_plug_into_release_times(stats_kr: StatsKR) -> None:
    k = stats_kr.kr
    r = release.release_times(k.db.uow(), k.analyst, "2021-Q2", parcels=FakeParcels())
    assert r.parcels is not None and r.parcels.count == 4
    assert r.parcels.median_s == 16 and r.parcels.within_10_min_pct == Decimal("75.00")
    assert not any("parcels" in n for n in r.notes)
