"""Concurrent actions on one declaration: two requests released at the same instant, repeated.

Every state change is a compare-and-set on the status and version read, so of two concurrent
changes exactly one wins and the loser gets a ConcurrentChange/Conflict (HTTP 409), on SQLite
and on PostgreSQL alike. Never both, never a 500.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import pytest

from smartcustoms.audit.log import AuditLog
from smartcustoms.declarations import control, service
from smartcustoms.declarations.model import Outcome, Status
from smartcustoms.errors import Conflict
from tests.integration.declarations.conftest import KR, doc

TRIALS = 15

Action = Callable[[KR, str], Any]


def race(first: Callable[[], Any], second: Callable[[], Any]) -> list[Any]:
    """Run both at once (released by a barrier); each result is a value or the exception."""
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def run(i: int, fn: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[i] = fn()
        except Exception as exc:  # the test inspects what each side got
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate((first, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def lodge(kr: KR, reference: str, lane: str) -> str:
    return service.submit(kr.db.uow(), kr.declarant, doc(reference=reference)).record.id


def held(kr: KR, reference: str) -> str:
    i = lodge(kr, reference, "red")
    control.record_inspection(kr.db.uow(), kr.officer, i, Outcome.DISCREPANCY, hold=True)
    return i


def seizure(kr: KR, i: str) -> Any:
    return control.record_inspection(kr.db.uow(), kr.officer, i, Outcome.SEIZURE)


def no_discrepancy(kr: KR, i: str) -> Any:
    return control.record_inspection(kr.db.uow(), kr.officer, i, Outcome.NO_DISCREPANCY)


def cancel(kr: KR, i: str) -> Any:
    return service.cancel(kr.db.uow(), kr.declarant, i, "double click")


def refer(kr: KR, i: str) -> Any:
    return control.refer_physical(kr.db.uow(), kr.officer, i, "look at it")


def release(kr: KR, i: str) -> Any:
    return control.release(kr.db.uow(), kr.officer, i, "paid")


def seize(kr: KR, i: str) -> Any:
    return control.seize(kr.db.uow(), kr.officer, i, "contraband")


SCENARIOS: dict[str, tuple[str, Action, Action]] = {
    # lane the declaration is routed to, then the two actions that race
    "seizure_vs_no_discrepancy": ("yellow", seizure, no_discrepancy),
    "cancel_vs_refer": ("yellow", cancel, refer),
    "release_vs_seize_held": ("held", release, seize),
}


def outcome_status(name: str, winner: int) -> set[Status]:
    return {
        "seizure_vs_no_discrepancy": [{Status.SEIZED}, {Status.RELEASED}],
        "cancel_vs_refer": [{Status.CANCELLED}, {Status.PHYSICAL_INSPECTION}],
        "release_vs_seize_held": [{Status.RELEASED}, {Status.SEIZED}],
    }[name][winner]


def assert_one_winner(results: list[Any]) -> int:
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, Conflict)]
    assert not unexpected, f"a racing action failed with something else than a 409: {unexpected}"
    winners = [i for i, r in enumerate(results) if not isinstance(r, Exception)]
    assert len(winners) == 1, f"expected exactly one winner, got {results}"
    return winners[0]


def assert_chain_intact(kr: KR) -> None:
    uow = kr.db.uow()
    with uow:
        report = AuditLog(uow.session).verify()
    assert report.ok, report


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_two_concurrent_actions_exactly_one_wins(kr: KR, name: str) -> None:
    lane, first, second = SCENARIOS[name]
    kr.quiet_lanes("red" if lane == "held" else lane)
    for trial in range(TRIALS):
        ref = f"{name[:10]}-{trial}"
        i = held(kr, ref) if lane == "held" else lodge(kr, ref, lane)
        results = race(partial(first, kr, i), partial(second, kr, i))
        winner = assert_one_winner(results)
        rec = service.get(kr.db.uow(), kr.officer, i)
        assert rec.status in outcome_status(name, winner)
        assert rec.status is results[winner].status
        # The record agrees with itself: one inspection result per recorded inspection action.
        recorded = [h for h in rec.history if h.action == "record_inspection"]
        assert len(rec.inspections) == len(recorded)
        if name == "seizure_vs_no_discrepancy":
            assert len(rec.inspections) == 1
            assert (rec.inspections[0].outcome is Outcome.SEIZURE) == (rec.status is Status.SEIZED)
    assert_chain_intact(kr)


def test_two_concurrent_amends_never_500(kr: KR) -> None:
    """Without an expected version both may win one after the other, never both on the same
    version (no IntegrityError): the versions kept are exactly the amendments made."""
    kr.quiet_lanes("yellow")
    for trial in range(TRIALS):
        ref = f"AM-{trial}"
        i = lodge(kr, ref, "yellow")
        one, two = doc(reference=ref), doc(reference=ref)
        one["items"][2]["invoice_value"] = "1100"
        two["items"][2]["invoice_value"] = "1200"
        results = race(
            partial(service.amend, kr.db.uow(), kr.declarant, i, one),
            partial(service.amend, kr.db.uow(), kr.declarant, i, two),
        )
        unexpected = [r for r in results if isinstance(r, Exception)]
        assert all(isinstance(r, Conflict) for r in unexpected), unexpected
        wins = [r for r in results if not isinstance(r, Exception)]
        assert wins
        rec = service.get(kr.db.uow(), kr.declarant, i)
        assert rec.version == 1 + len(wins)
        kept = service.versions(kr.db.uow(), kr.declarant, i)
        assert [v["version"] for v in kept] == list(range(1, rec.version))
        assert rec.declaration.items[2].invoice_value in (Decimal(1100), Decimal(1200))
    assert_chain_intact(kr)


def test_two_concurrent_amends_of_the_same_version_exactly_one_wins(kr: KR) -> None:
    kr.quiet_lanes("yellow")
    for trial in range(TRIALS):
        ref = f"AV-{trial}"
        i = lodge(kr, ref, "yellow")
        one, two = doc(reference=ref), doc(reference=ref)
        one["items"][2]["invoice_value"] = "1100"
        two["items"][2]["invoice_value"] = "1200"
        results = race(
            partial(service.amend, kr.db.uow(), kr.declarant, i, one, expected_version=1),
            partial(service.amend, kr.db.uow(), kr.declarant, i, two, expected_version=1),
        )
        winner = assert_one_winner(results)
        rec = service.get(kr.db.uow(), kr.declarant, i)
        assert rec.version == 2
        assert rec.declaration.items[2].invoice_value == (Decimal(1100), Decimal(1200))[winner]
        assert [v["version"] for v in service.versions(kr.db.uow(), kr.declarant, i)] == [1]
    assert_chain_intact(kr)


def test_stale_amend_is_a_conflict(kr: KR) -> None:
    kr.quiet_lanes("yellow")
    i = lodge(kr, "ST", "yellow")
    changed = doc(reference="ST")
    changed["items"][2]["invoice_value"] = "1100"
    service.amend(kr.db.uow(), kr.declarant, i, changed, expected_version=1)
    with pytest.raises(Conflict, match="version 2, not 1"):
        service.amend(kr.db.uow(), kr.declarant, i, changed, expected_version=1)


def test_http_loser_gets_409(client: Any, kr: KR) -> None:
    kr.quiet_lanes("yellow")
    i = lodge(kr, "HT", "yellow")
    me = {"Authorization": kr.users["declarant"]["Authorization"]}
    changed = doc(reference="HT")
    changed["items"][2]["invoice_value"] = "1100"
    url = f"/api/v1/declarations/{i}/amend"
    first = client.post(url, json=changed, headers={**me, "If-Match": '"1"'})
    assert first.status_code == 200 and first.json()["version"] == 2, first.text
    stale = client.post(url, json=changed, headers={**me, "If-Match": "1"})
    assert stale.status_code == 409, stale.text
    assert stale.json()["error"] == "ConcurrentChange"
    bad = client.post(url, json=changed, headers={**me, "If-Match": "two"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "If-Match"
