"""The tariff schedule is built once per change and shared; a change made by another worker
(another Database on the same file or server) is seen on the next submission."""

from __future__ import annotations

from decimal import Decimal

from smartcustoms.db.engine import Database
from smartcustoms.declarations import service
from smartcustoms.tariff import service as tariff
from smartcustoms.tariff.model import ScheduleSettings, TariffLine
from tests.declarations.conftest import KR, doc


def _duty_of_third_item(db: Database, kr: KR, reference: str) -> Decimal:
    rec = service.submit(db.uow(), kr.declarant, doc(reference=reference)).record
    assert rec.assessment is not None
    return sum(
        (ln.amount for ln in rec.assessment.lines if ln.item == 3 and ln.tax != "vat"),
        Decimal(0),
    )


def test_schedule_is_cached_until_it_changes_in_any_worker(kr: KR) -> None:
    worker = kr.db
    other = Database(kr.db.url)  # a second web worker: its own engine, pool and cache
    try:
        first = tariff.get_schedule(worker.uow(), "KR")
        assert first is not None
        # Cached: the same object is handed out again, no rows re-read.
        assert tariff.get_schedule(worker.uow(), "kr") is first
        hits = worker.cache.hits
        before = _duty_of_third_item(worker, kr, "C1")
        assert worker.cache.hits > hits

        # The other worker replaces the 9027 line: 3 % -> 20 %.
        tariff.set_schedule(
            other.uow(),
            service.system_principal("KR"),
            ScheduleSettings(
                economy="KR",
                vat_rate=Decimal(10),
                de_minimis_amount=Decimal(150),
                de_minimis_currency="USD",
                default_rate_type="A",
                source="test, changed",
            ),
            [
                TariffLine("85", "A", Decimal(8)),
                TariffLine("8504", "A", Decimal(13)),
                TariffLine("9027", "A", Decimal(20)),
            ],
        )
        changed = tariff.get_schedule(worker.uow(), "KR")
        assert changed is not first and changed is not None
        assert changed.settings.source == "test, changed"
        after = _duty_of_third_item(worker, kr, "C2")
        assert after > before
    finally:
        other.dispose()


def test_a_failed_change_leaves_the_cache_right(kr: KR) -> None:
    """Lines cached inside a change that rolls back are never served as current."""
    from smartcustoms.db.cache import bump
    from smartcustoms.tariff.repository import TariffRepository

    worker = kr.db
    assert _rate(tariff.get_schedule(worker.uow(), "KR")) == Decimal(3)
    uow = worker.uow()
    with uow:
        TariffRepository(uow.session).replace_lines("KR", [TariffLine("9027", "A", Decimal(50))])
        bump(uow.session, tariff.stamp_name("KR"))
        assert _rate(tariff.get_schedule(uow, "KR")) == Decimal(50)  # its own change
        uow.rollback()
    assert _rate(tariff.get_schedule(worker.uow(), "KR")) == Decimal(3)


def _rate(schedule: object) -> Decimal:
    from smartcustoms.tariff.model import TariffSchedule

    assert isinstance(schedule, TariffSchedule)
    line = schedule.longest("902710", "A")
    assert line is not None
    return line.ad_valorem
