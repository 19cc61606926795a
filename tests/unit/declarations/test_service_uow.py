"""Declaration use cases on the fake unit of work (no database): each state change is
stored with its audit entry or not at all, and only the outermost use case commits."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core.clock import FixedClock
from smartcustoms.db.uow import UnitOfWork, transactional
from smartcustoms.declarations import control
from smartcustoms.declarations import service as declarations
from smartcustoms.declarations.document import from_document, to_document
from smartcustoms.declarations.model import Outcome, Status
from smartcustoms.declarations.tables import DeclarationRow
from smartcustoms.errors import Conflict, OperationFailed
from tests.fakes import FakeUnitOfWork
from tests.unit.declarations.factories import document

NOW = datetime(2021, 5, 20, 9, 0, tzinfo=UTC)
CLOCK = FixedClock(NOW)
DECLARANT = Principal("u-dec", "dec@x", "Declarant", "KR", frozenset({Role.DECLARANT}))
OFFICER = Principal("u-off", "off@x", "Officer", "KR", frozenset({Role.OFFICER}))


def stored(uow: FakeUnitOfWork, status: Status, lane: str = "yellow") -> str:
    row = DeclarationRow(
        id="d1",
        economy="KR",
        lodged_by=DECLARANT.user_id,
        reference="INV-2021-0042",
        submission_hash="0" * 64,
        kind="import",
        status=status.value,
        lane=lane,
        lane_score=None,
        lane_reasons=[],
        version=1,
        declaration_date=date(2021, 5, 14),
        office="020",
        declarant_id="BRK-001",
        trader_id="IMP-778",
        partner_id="SEL-12",
        invoice_currency="USD",
        document=to_document(from_document(document())),
        assessment=None,
        source="api",
        batch_id=None,
        created_at=NOW,
        updated_at=NOW,
    )
    uow.declarations.data["declarations"].append(row)
    uow.declarations.commit()
    return row.id


def committed_actions(uow: FakeUnitOfWork) -> list[str]:
    return [json.loads(e.body)["action"] for e in uow.audit.committed("entries")]


def committed_status(uow: FakeUnitOfWork) -> str:
    return uow.declarations.committed("declarations")[0].status


def test_cancel_moves_and_audits_in_one_commit() -> None:
    uow = FakeUnitOfWork()
    did = stored(uow, Status.DOCUMENTARY_CHECK)
    record = declarations.cancel(uow, DECLARANT, did, "wrong goods", clock=CLOCK)
    assert record.status is Status.CANCELLED
    assert [h.action for h in record.history] == ["cancel"]
    assert uow.commits == 1 and committed_status(uow) == "cancelled"
    assert committed_actions(uow) == ["cancel"]


def test_officer_actions_through_the_fake() -> None:
    uow = FakeUnitOfWork()
    did = stored(uow, Status.DOCUMENTARY_CHECK)
    referred = control.refer_physical(uow, OFFICER, did, "looks odd", clock=CLOCK)
    assert referred.status is Status.PHYSICAL_INSPECTION and referred.lane is not None
    assert referred.lane.value == "red"
    held = control.record_inspection(uow, OFFICER, did, Outcome.DISCREPANCY, hold=True, clock=CLOCK)
    assert held.status is Status.HELD and len(held.inspections) == 1
    released = control.release(uow, OFFICER, did, "paid", clock=CLOCK)
    assert released.status is Status.RELEASED
    assert [h.action for h in released.history] == [
        "refer_physical",
        "record_inspection",
        "release",
    ]
    assert uow.commits == 3 and committed_status(uow) == "released"


def test_a_refused_action_stores_nothing() -> None:
    uow = FakeUnitOfWork()
    did = stored(uow, Status.RELEASED, lane="green")
    with pytest.raises(Conflict):
        control.seize(uow, OFFICER, did, clock=CLOCK)
    assert uow.commits == 0 and committed_status(uow) == "released"
    assert uow.audit.committed("entries") == []


def test_nested_use_cases_commit_once_at_the_outermost() -> None:
    uow = FakeUnitOfWork()
    did = stored(uow, Status.DOCUMENTARY_CHECK)

    @transactional
    def refer_then_hold(u: UnitOfWork) -> None:
        control.refer_physical(u, OFFICER, did, clock=CLOCK)
        assert uow.commits == 0  # the inner use case's commit waited for this one
        control.record_inspection(u, OFFICER, did, Outcome.DISCREPANCY, hold=True, clock=CLOCK)

    refer_then_hold(uow)
    assert uow.commits == 1 and committed_status(uow) == "held"


def test_a_failure_after_an_inner_use_case_rolls_both_back() -> None:
    uow = FakeUnitOfWork()
    did = stored(uow, Status.DOCUMENTARY_CHECK)

    @transactional
    def refer_then_fail(u: UnitOfWork) -> None:
        control.refer_physical(u, OFFICER, did, clock=CLOCK)
        raise FileNotFoundError("model.txt")

    with pytest.raises(OperationFailed, match="nothing was stored") as failed:
        refer_then_fail(uow)
    assert isinstance(failed.value.__cause__, FileNotFoundError)
    assert uow.commits == 0 and committed_status(uow) == "documentary_check"
    assert uow.audit.committed("entries") == []
