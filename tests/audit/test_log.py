"""The audit chain's hashed form never changes: bodies written by the orjson path are the bytes
the standard encoder wrote, chains written by the old code verify and continue, and a fixed
chain still ends at the hash it always ended at."""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from smartcustoms.audit.log import GENESIS, AuditEvent, AuditLog, body_of, canonical_json
from smartcustoms.audit.tables import AuditEntryRow, AuditHeadRow
from smartcustoms.core.clock import as_utc
from smartcustoms.db.engine import Database
from tests.conftest import clean

# --- the code as it was (the reference) --------------------------------------------------------


def old_canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def old_body_of(chain: str, seq: int, e: AuditEvent) -> str:
    return old_canonical_json(
        {
            "chain": chain,
            "seq": seq,
            "at": as_utc(e.at).isoformat(),
            "actor": e.actor,
            "action": e.action,
            "entity_kind": e.entity_kind,
            "entity_id": e.entity_id,
            "before": e.before,
            "after": e.after,
            "note": e.note,
        }
    )


def old_link_hash(prev_hash: str, body: str) -> str:
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def old_append(log: AuditLog, chain: str, events: list[AuditEvent]) -> None:
    session = log.session
    head = session.scalars(
        select(AuditHeadRow).where(AuditHeadRow.chain == chain).with_for_update()
    ).one_or_none()
    if head is None:
        head = AuditHeadRow(chain=chain, seq=0, hash=GENESIS)
        session.add(head)
    seq, prev = head.seq, head.hash
    rows = []
    for e in events:
        seq += 1
        body = old_body_of(chain, seq, e)
        digest = old_link_hash(prev, body)
        rows.append(
            {
                "chain": chain,
                "seq": seq,
                "entity_kind": e.entity_kind,
                "entity_id": e.entity_id,
                "action": e.action,
                "actor": e.actor,
                "at": e.at,
                "body": body,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    session.execute(insert(AuditEntryRow), rows)
    head.seq, head.hash = seq, prev
    session.flush()


# --- the orjson path writes the same text ------------------------------------------------------

keys = st.text(max_size=4)
json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(),  # NaN, infinities, subnormals, -0.0
        st.floats(min_value=-1e-3, max_value=1e-3),
        st.text(),
        st.text(st.characters(codec="utf-8", categories=["Cc", "Zl", "Zp", "Lo", "So"])),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(keys, inner, max_size=4),
    ),
    max_leaves=20,
)


def _same_as_before(value: Any) -> None:
    try:
        expected: Any = old_canonical_json(value)
    except Exception as exc:
        expected = type(exc)
    try:
        got: Any = canonical_json(value)
    except Exception as exc:
        got = type(exc)
    assert got == expected


@settings(max_examples=600, deadline=None)
@given(json_values)
def test_canonical_json_writes_what_json_dumps_wrote(value: Any) -> None:
    _same_as_before(value)


@pytest.mark.parametrize(
    "value",
    [
        {"score": 1e-05, "b": 3.2e-05, "c": -9.99e-05, "d": 1e-4, "e": 1e-10, "f": 1e16},
        {"score": math.nan, "x": [math.inf, -math.inf]},
        {"big": 2**64, "neg": -(2**63) - 1, "ok": 2**63 - 1},
        {"t": (1, "a"), "nested": [(), {"k": (None,)}]},
        {1: "int key"},
        {"lone": "\ud800"},  # json writes it; hashing it then fails as it always did
        {"when": datetime(2026, 1, 1, tzinfo=UTC)},  # not JSON: TypeError as before
        {"day": date(2026, 1, 1)},
        {"text": "0.0000 and e-5 are only text here", "n": 0.5},
        {"é": 1, "z": 2, "Z": 3, "\U0001f600": 4, "ｚ": 5, "": 6},
    ],
)
def test_canonical_json_edge_values(value: Any) -> None:
    _same_as_before(value)


# --- a fixed chain ends at the hash it always ended at -----------------------------------------

AT = datetime(2026, 11, 30, 18, 0, 0, 123456, tzinfo=timezone(timedelta(hours=9)))


def events() -> list[AuditEvent]:
    out = []
    for n in range(6):
        before = None if n == 0 else {"status": "submitted", "lane": None, "version": n}
        after = {
            "status": "released",
            "lane": ["green", "yellow", "red"][n % 3],
            "version": n + 1,
            "score": [0.123456789, 1e-05, math.nan, 0.0, 1e16, -0.5][n],
            "reasons": ["model score", 'quote " back\\slash\ttab\nline 서울 😀'],
            "signals": [{"name": "hs_description", "item": 1, "detail": {"n": 2**65}}],
            "total_due": "393927.5",
        }
        out.append(
            AuditEvent(
                "declaration",
                f"d{n:031d}",
                ["submit", "assess", "route"][n % 3],
                "u-declarant" if n % 2 else "system",
                AT + timedelta(seconds=n // 2),
                before,
                after,
                "" if n % 2 else "note: é\n\\u0000 as text",
            )
        )
    return out


# The head of the chain above as the code before orjson computed it (and every version since).
FIXED_HEAD = "2ee1660333bd95b19aede49da8b470c740032bce8d82df7089a7167274706c93"


def test_a_fixed_chain_ends_at_its_recorded_hash() -> None:
    prev = GENESIS
    for seq, e in enumerate(events(), start=1):
        body = body_of("KR", seq, e)
        assert body == old_body_of("KR", seq, e)
        prev = old_link_hash(prev, body)
    assert prev == FIXED_HEAD


# --- the database: old and new appends write the same entries, and chains continue ------------


def _entries(db: Database) -> list[tuple[Any, ...]]:
    with db.uow() as uow:
        rows = uow.session.scalars(select(AuditEntryRow).order_by(AuditEntryRow.seq)).all()
        columns = ("chain", "seq", "entity_kind", "entity_id", "action", "actor", "at", "body")
        return [tuple(getattr(r, c) for c in (*columns, "prev_hash", "hash")) for r in rows]


def test_append_writes_the_entries_the_old_code_wrote(db: Database) -> None:
    with db.uow() as uow:
        old_append(uow.repo(AuditLog), "KR", events())
        uow.commit()
    before = _entries(db)
    clean(db)
    with db.uow() as uow:
        assert uow.repo(AuditLog).append("KR", events()) == 6
        uow.commit()
    assert _entries(db) == before
    assert before[-1][-1] == FIXED_HEAD
    with db.uow() as uow:
        report = uow.repo(AuditLog).verify()
    assert report.ok and report.entries == 6


def test_append_of_plain_events_writes_the_entries_the_old_code_wrote(db: Database) -> None:
    """Events without a value orjson writes differently: the orjson path itself (the events
    above all go the standard encoder's way)."""
    plain = [
        AuditEvent(
            e.entity_kind,
            e.entity_id,
            e.action,
            e.actor,
            e.at,
            e.before,
            {**(e.after or {}), "score": 0.5, "signals": []},
            e.note,
        )
        for e in events()
    ]
    with db.uow() as uow:
        old_append(uow.repo(AuditLog), "KR", plain)
        uow.commit()
    before = _entries(db)
    clean(db)
    with db.uow() as uow:
        assert uow.repo(AuditLog).append("KR", plain) == 6
        uow.commit()
    assert _entries(db) == before


def test_a_chain_written_by_the_old_code_verifies_and_continues(db: Database) -> None:
    first, second = events()[:3], events()[3:]
    with db.uow() as uow:
        old_append(uow.repo(AuditLog), "KR", first)
        uow.commit()
    with db.uow() as uow:
        uow.repo(AuditLog).append("KR", second)
        uow.commit()
    with db.uow() as uow:
        log = uow.repo(AuditLog)
        report = log.verify()
        heads = log.heads()
    assert report.ok and report.chains == {"KR": 6}
    assert heads["KR"] == (6, FIXED_HEAD)
