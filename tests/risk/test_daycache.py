"""The assessor's per-day cache (risk.daycache) gives the decisions a cold read gives.

Lodgements on three days through the composition root (the cached path), inspection results
recorded in between and in the middle of a day, by the same application or by another one on
the same database (a second web worker): every stored decision equals the one an assessor
without any cache computes for the same declaration, and the history was read from the
database only when a recorded inspection changed it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from smartcustoms.bootstrap import bootstrap
from smartcustoms.declarations import attachments, control, service
from smartcustoms.declarations.document import from_document
from smartcustoms.declarations.lanes import AssessorContext, BatchItem
from smartcustoms.declarations.model import DeclarationRecord, Outcome
from smartcustoms.declarations.queries import ChainPosition, DeclarationChange
from smartcustoms.risk import scoring, training
from smartcustoms.risk import service as risk
from smartcustoms.risk.batch import assess_batch
from smartcustoms.risk.daycache import HISTORY, WINDOW, DayCache, affects
from smartcustoms.web.api.declarations import EXAMPLE
from tests.declarations.conftest import KR
from tests.risk.risk_synth import make_frame


def _train(kr: KR, files: Path) -> None:
    train = make_frame(n=600, days=40, seed=0)
    valid = make_frame(n=300, days=20, seed=1)
    valid["date"] = valid["date"] + pd.Timedelta(days=40)
    training.train_from_frames(
        kr.db.uow(), kr.analyst, files, train, valid, params={"n_estimators": 15}, activate=True
    )
    # Declarations with an analyser item go to physical inspection: some are controlled.
    risk.create_rule(
        kr.db.uow(),
        kr.analyst,
        {"name": "analysers", "conditions": {"hs_prefix": ["9027"]}, "action": {"lane": "red"}},
        activate=True,
    )


def _document(day: str, n: int) -> dict[str, Any]:
    doc = copy.deepcopy(EXAMPLE)
    doc["reference"] = f"day-{day}-{n}"
    doc["date"] = day
    doc["importer"]["id"] = f"NEW{n % 2}"  # no history before these tests' inspections
    item = doc["items"][0]
    if n < 2:  # analysers: red by the rule, so they can be inspected
        item |= {"hs_code": "902710", "origin_country": "US", "preference": None}
    item["invoice_value"] = str(1000 + 37 * n)
    return doc


def _cold(kr: KR, record: DeclarationRecord, doc: dict[str, Any]) -> Any:
    """The decision of an assessor without any cache (a bare unit of work), same id."""
    uow = kr.db.uow()
    state = scoring.economy_state(uow, "KR")
    declaration = from_document(doc)
    assert declaration.date is not None
    context = AssessorContext("KR", record.id, declaration.date, kr.declarant.user_id)
    return assess_batch(uow, "KR", state, [BatchItem(declaration, context)]).decisions[0]


def test_cached_decisions_equal_cold_ones_across_days_and_inspections(
    kr: KR, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _train(kr, tmp_path / "files")
    reads: list[bool] = []
    history_model = scoring.history_model

    def counted(uow: Any, *args: Any) -> Any:
        reads.append(uow.ports is not None)  # True: the application's (cached) path
        return history_model(uow, *args)

    extend_history = scoring.extend_history
    carried: list[bool] = []

    def carried_forward(uow: Any, *args: Any) -> Any:
        reads.append(uow.ports is not None)
        carried.append(True)
        return extend_history(uow, *args)

    monkeypatch.setattr(scoring, "history_model", counted)
    monkeypatch.setattr(scoring, "extend_history", carried_forward)
    app = bootstrap(db=kr.db)

    def lodge(day: str, n: int, via: Any = app) -> DeclarationRecord:
        doc = _document(day, n)
        record = service.submit(via.uow(), kr.declarant, doc).record
        cold = _cold(kr, record, doc)
        assert record.lane is not None and record.lane == cold.lane
        assert record.lane_score == cold.score and record.lane_score is not None
        assert record.lane_reasons == cold.reasons
        assert record.lane_rules_fired == cold.rules_fired
        assert record.lane_explanations == cold.explanations
        return record

    first = [lodge("2021-04-01", n) for n in range(4)]
    assert [r.lane.value for r in first[:2] if r.lane] == ["red", "red"]
    control.record_inspection(app.uow(), kr.officer, first[0].id, Outcome.DISCREPANCY)
    second = [lodge("2021-04-02", n) for n in range(2)]
    control.record_inspection(app.uow(), kr.officer, first[1].id, Outcome.DISCREPANCY)
    second += [lodge("2021-04-02", n) for n in range(2, 4)]
    # Read once per day, once more after the inspection that changed the second day's history.
    assert reads.count(True) == 3
    # The second day's history holds both inspection results, the first day's neither.
    uow = app.uow()
    state = scoring.economy_state(uow, "KR")
    ticket = scoring.sync_days(uow, "KR", state)
    day1, day2 = (pd.Timestamp(d).date() for d in ("2021-04-01", "2021-04-02"))
    cached = [scoring.model_for_day(uow, "KR", state, d, ticket)[0] for d in (day1, day2)]
    assert reads.count(True) == 3  # both still cached
    assert state.directory is not None
    # Day 2's history was carried forward from day 1's (reading only day 1's results), and
    # is what one read of everything before day 2 gives, bit for bit.
    assert carried == [True, True]
    for day, model in zip((day1, day2), cached, strict=True):
        fresh = history_model(kr.db.uow(), "KR", state.directory, day)
        assert model.builder_.prior_ == fresh.builder_.prior_
        assert model.builder_.critical_prior_ == fresh.builder_.critical_prior_
        assert model.training_range_ == fresh.training_range_
        ours, theirs = model.builder_.history_, fresh.builder_.history_
        assert ours.keys() == theirs.keys()
        for name, (keys, stats) in ours.items():
            assert keys.tobytes() == theirs[name][0].tobytes(), name
            assert stats.tobytes() == theirs[name][1].tobytes(), name
    assert cached[0].builder_.prior_ != cached[1].builder_.prior_
    # A second worker on the same database: what it stores is seen by the first one's cache.
    other = bootstrap(db=kr.db)
    third = [lodge("2021-04-03", n, via=(app, other)[n]) for n in range(2)]
    control.record_inspection(other.uow(), kr.officer, second[0].id, Outcome.DISCREPANCY)
    third += [lodge("2021-04-03", n, via=app) for n in range(2, 4)]
    assert reads.count(True) == 6  # each worker's day 3, the first one's again after it
    assert len(third) == 4


def _change(seq: int, action: str, day: str | None) -> DeclarationChange:
    return DeclarationChange(seq, action, None if day is None else pd.Timestamp(day).date())


def test_changes_drop_the_days_they_concern() -> None:
    d1, d2, d3 = (pd.Timestamp(f"2021-04-0{i}").date() for i in (1, 2, 3))
    # A route stores a lane score: windows of later days; an inspection: later histories.
    assert affects(_change(1, "route", "2021-04-01"), WINDOW) == (True, d1)
    assert affects(_change(1, "route", "2021-04-01"), HISTORY) == (False, None)
    assert affects(_change(1, "record_inspection", "2021-04-02"), HISTORY) == (True, d2)
    assert affects(_change(1, "record_inspection", "2021-04-02"), WINDOW) == (False, None)
    # Unknown actions and amendments (which may move a declaration's day): every day.
    assert affects(_change(1, "amend", "2021-04-02"), WINDOW) == (True, None)
    assert affects(_change(1, "something new", "2021-04-02"), HISTORY) == (True, d2)
    for documents in (attachments.ATTACHED, attachments.REMOVED):
        for kind in (HISTORY, WINDOW):
            assert affects(_change(1, documents, "2021-04-02"), kind) == (False, None)
    assert affects(_change(1, "import", None), HISTORY) == (True, None)

    class Chain:
        """declaration_changes, scripted."""

        def __init__(self) -> None:
            self.seq, self.pending = 0, list[DeclarationChange]()

        def __call__(self, _uow: Any, _economy: str, since: Any, *, limit: int) -> Any:
            from smartcustoms.declarations.queries import DeclarationChanges

            changes, self.pending = self.pending, []
            self.seq = max([self.seq, *(c.seq for c in changes)])
            return DeclarationChanges(
                ChainPosition(self.seq, str(self.seq)), None if since is None else changes
            )

    chain = Chain()
    cache = DayCache()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("smartcustoms.declarations.queries.declaration_changes", chain)
        ticket = cache.sync(None, "KR")  # type: ignore[arg-type]
        for day in (d1, d2, d3):
            cache.put(HISTORY, day, f"history {day}", ticket)
            cache.put(WINDOW, day, f"window {day}", ticket)
        stale = ticket
        chain.pending = [_change(1, "route", "2021-04-02"), _change(2, "submit", "2021-04-01")]
        ticket = cache.sync(None, "KR")  # type: ignore[arg-type]
        assert cache.get(WINDOW, d2, ticket) == f"window {d2}"  # a route of d2: d3 only
        assert cache.get(WINDOW, d3, ticket) is None
        assert cache.get(HISTORY, d3, ticket) == f"history {d3}"
        # A value computed before that route is not stored for the day it concerns.
        cache.put(WINDOW, d3, "computed before the route", stale)
        assert cache.get(WINDOW, d3, ticket) is None
        cache.put(WINDOW, d3, "computed after", ticket)
        assert cache.get(WINDOW, d3, ticket) == "computed after"
        # Nor is a value computed further along the chain served to an assessment that read
        # less of it (it may rest on entries that assessment's transaction cannot see).
        assert cache.get(WINDOW, d3, stale) is None
        chain.pending = [_change(3, "record_inspection", "2021-04-01")]
        ticket = cache.sync(None, "KR")  # type: ignore[arg-type]
        assert cache.get(HISTORY, d1, ticket) == f"history {d1}"
        assert cache.get(HISTORY, d2, ticket) is None and cache.get(HISTORY, d3, ticket) is None
        assert cache.get(WINDOW, d3, ticket) == "computed after"
