"""The lifecycle through the services: every allowed transition and refusals, with roles."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from smartcustoms.core.clock import FixedClock
from smartcustoms.declarations import control, service
from smartcustoms.declarations.model import Lane, Outcome, Status
from smartcustoms.errors import Conflict, InvalidInput, PermissionDenied
from tests.integration.declarations.conftest import KR, doc


def lodge(kr: KR, lane: str | None = None, **changes: object) -> str:
    kr.quiet_lanes(lane)
    return service.submit(kr.db.uow(), kr.declarant, doc(**changes)).record.id


def test_green_yellow_red_lanes(kr: KR) -> None:
    green = service.get(kr.db.uow(), kr.officer, lodge(kr))
    assert green.status is Status.RELEASED and green.lane is Lane.GREEN
    assert [h.action for h in green.history] == ["submit", "assess", "route"]
    assert [h.to_status for h in green.history] == ["submitted", "assessed", "released"]
    yellow = service.get(kr.db.uow(), kr.officer, lodge(kr, "yellow", reference="Y"))
    assert yellow.status is Status.DOCUMENTARY_CHECK
    assert "rule force" in yellow.lane_reasons[0]
    red = service.get(kr.db.uow(), kr.officer, lodge(kr, "red", reference="R"))
    assert red.status is Status.PHYSICAL_INSPECTION


def test_pre_lodgement_waits_for_arrival_notice(kr: KR) -> None:
    clock = FixedClock(datetime(2021, 5, 14, 9, tzinfo=UTC))
    kr.quiet_lanes()
    rec = service.submit(
        kr.db.uow(), kr.declarant, doc(arrival_date="2021-05-30"), clock=clock
    ).record
    assert rec.status is Status.PRE_LODGED and rec.assessment is None
    with pytest.raises(PermissionDenied):
        control.arrival_notice(kr.db.uow(), kr.declarant, rec.id, clock=clock)
    clock.advance(datetime(2021, 5, 30, 9, tzinfo=UTC) - clock.now())
    done = control.arrival_notice(kr.db.uow(), kr.officer, rec.id, clock=clock)
    assert done.status is Status.RELEASED and done.assessment is not None
    assert [h.action for h in done.history] == ["submit", "arrival_notice", "assess", "route"]
    with pytest.raises(Conflict):
        control.arrival_notice(kr.db.uow(), kr.officer, rec.id, clock=clock)


def test_documentary_check_referral_and_results(kr: KR) -> None:
    a = lodge(kr, "yellow", reference="A")
    with pytest.raises(PermissionDenied):
        control.refer_physical(kr.db.uow(), kr.declarant, a)
    rec = control.refer_physical(kr.db.uow(), kr.officer, a, "invoice looks altered")
    assert rec.status is Status.PHYSICAL_INSPECTION and rec.lane is Lane.RED
    with pytest.raises(PermissionDenied):
        control.record_inspection(kr.db.uow(), kr.declarant, a, Outcome.NO_DISCREPANCY)
    rec = control.record_inspection(
        kr.db.uow(),
        kr.officer,
        a,
        Outcome.DISCREPANCY,
        revenue_adjustment=Decimal(50000),
        notes="undervalued",
    )
    assert rec.status is Status.RELEASED
    assert rec.inspections[0].fraud and rec.inspections[0].revenue_adjustment == 50000
    with pytest.raises(Conflict):
        control.record_inspection(kr.db.uow(), kr.officer, a, Outcome.NO_DISCREPANCY)
    b = lodge(kr, "yellow", reference="B")
    assert (
        control.record_inspection(kr.db.uow(), kr.officer, b, Outcome.NO_DISCREPANCY).status
        is Status.RELEASED
    )
    c = lodge(kr, "red", reference="C")
    assert (
        control.record_inspection(kr.db.uow(), kr.officer, c, Outcome.SEIZURE).status
        is Status.SEIZED
    )
    with pytest.raises(InvalidInput):
        control.record_inspection(kr.db.uow(), kr.officer, c, Outcome.NO_DISCREPANCY, hold=True)


def test_held_goods_are_released_or_seized(kr: KR) -> None:
    for ref, decide, final in (
        ("H1", control.release, Status.RELEASED),
        ("H2", control.seize, Status.SEIZED),
    ):
        i = lodge(kr, "red", reference=ref)
        with pytest.raises(Conflict):
            decide(kr.db.uow(), kr.officer, i)  # not held yet
        held = control.record_inspection(kr.db.uow(), kr.officer, i, Outcome.DISCREPANCY, hold=True)
        assert held.status is Status.HELD
        with pytest.raises(PermissionDenied):
            decide(kr.db.uow(), kr.declarant, i)
        assert decide(kr.db.uow(), kr.officer, i, "paid").status is final
        with pytest.raises(Conflict):
            decide(kr.db.uow(), kr.officer, i)


def test_cancel_rules(kr: KR) -> None:
    y = lodge(kr, "yellow", reference="Y")
    with pytest.raises(PermissionDenied):
        service.cancel(kr.db.uow(), kr.officer, y)
    with pytest.raises(PermissionDenied):
        service.cancel(kr.db.uow(), _other_declarant_with_access(kr), y)
    assert service.cancel(kr.db.uow(), kr.declarant, y, "wrong goods").status is Status.CANCELLED
    with pytest.raises(Conflict):
        service.cancel(kr.db.uow(), kr.declarant, y)
    r = lodge(kr, "red", reference="R")
    with pytest.raises(Conflict):  # selected for physical inspection: cannot withdraw
        service.cancel(kr.db.uow(), kr.declarant, r)
    g = lodge(kr, reference="G")
    with pytest.raises(Conflict):  # released
        service.cancel(kr.db.uow(), kr.declarant, g)


def _other_declarant_with_access(kr: KR):  # type: ignore[no-untyped-def]
    """A declarant who is also an officer: sees the declaration but does not own it."""
    from tests.integration.declarations.conftest import principal

    return principal(kr.db, kr.actors.user("KR", "declarant", "officer")["email"])


def test_amend_keeps_versions_and_never_escapes_control(kr: KR) -> None:
    r = lodge(kr, "red", reference="R")
    kr.quiet_lanes()  # a second assessment would now say green
    changed = doc(reference="R")
    changed["items"][2]["invoice_value"] = "1500"
    with pytest.raises(PermissionDenied):
        service.amend(kr.db.uow(), kr.officer, r, changed)
    rec = service.amend(kr.db.uow(), kr.declarant, r, changed)
    assert rec.version == 2 and rec.status is Status.PHYSICAL_INSPECTION
    assert rec.declaration.items[2].invoice_value == Decimal(1500)
    old = service.versions(kr.db.uow(), kr.declarant, r)
    assert [v["version"] for v in old] == [1]
    assert old[0]["document"]["items"][2]["invoice_value"] == "1000"
    with pytest.raises(InvalidInput):
        service.amend(kr.db.uow(), kr.declarant, r, doc(reference="OTHER"))
    g = lodge(kr, reference="G")
    with pytest.raises(Conflict):  # released: too late
        service.amend(kr.db.uow(), kr.declarant, g, doc(reference="G"))
    clock = FixedClock(datetime(2021, 5, 14, 9, tzinfo=UTC))
    p = service.submit(
        kr.db.uow(), kr.declarant, doc(reference="P", arrival_date="2021-05-20"), clock=clock
    ).record
    amended = service.amend(
        kr.db.uow(), kr.declarant, p.id, doc(reference="P", arrival_date="2021-05-21"), clock=clock
    )
    assert amended.status is Status.PRE_LODGED and amended.version == 2
