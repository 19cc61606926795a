"""The audit trail: an append-only SHA-256 hash chain per economy.

Each entry's ``body`` is canonical JSON (chain, seq, time, actor, action, entity, before, after,
note) and ``hash = sha256(prev_hash + "\\n" + body)``, where ``prev_hash`` is the previous
entry's hash (64 zeros for the first). Changing, deleting or reordering any entry breaks every
later link; :func:`verify` walks the chains and names the first broken one. The chain head
(``audit_heads``) is locked while appending, so concurrent writers queue instead of forking the
chain, and it reveals entries cut off the end. Publishing the head hash elsewhere (``audit
head``) also guards against someone rewriting the whole chain.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartcustoms.audit.tables import AuditEntryRow, AuditHeadRow
from smartcustoms.core.clock import as_utc
from smartcustoms.db.bulk import insert_rows

__all__ = [
    "GENESIS",
    "AuditEvent",
    "AuditLog",
    "BrokenLink",
    "VerifyReport",
    "body_of",
    "link_hash",
]

GENESIS = "0" * 64


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_SORTED = orjson.OPT_SORT_KEYS


def canonical_json(value: Any) -> str:
    """The hashed form of an entry's body. Every stored chain was hashed with exactly this
    form, ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``, so
    it must never change.

    orjson writes the same text several times faster for JSON values (tests/audit compares
    them) except: floats of magnitude below 1e-4 (``0.00001`` where ``json`` writes
    ``1e-05``; their text holds ``0.0000`` or ``e-``), NaN and infinities (orjson writes
    ``null``), integers beyond 64 bits and non-text keys (orjson refuses them), and values
    that are not JSON (tuples, dates, dataclasses: orjson accepts some). Those are caught by
    reading orjson's text back and comparing it with ``value``, and go through the standard
    encoder (which also raises what it always raised)."""
    try:
        out = orjson.dumps(value, option=_SORTED)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return _ENCODER.encode(value)
    if b"0.0000" in out or b"e-" in out or orjson.loads(out) != value:
        return _ENCODER.encode(value)
    return out.decode()


@dataclass(frozen=True, slots=True)
class AuditEvent:
    entity_kind: str
    entity_id: str
    action: str
    actor: str
    at: datetime
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class BrokenLink:
    entry_id: int
    chain: str
    seq: int
    entity_kind: str
    entity_id: str
    problem: str

    def describe(self) -> str:
        return (
            f"audit entry {self.entry_id} (chain {self.chain}, seq {self.seq}, "
            f"{self.entity_kind} {self.entity_id}): {self.problem}"
        )


@dataclass(frozen=True, slots=True)
class VerifyReport:
    ok: bool
    entries: int
    chains: dict[str, int]
    """Entries checked per chain."""
    broken: BrokenLink | None = None


def link_hash(prev_hash: str, body: str) -> str:
    return sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def body_of(chain: str, seq: int, e: AuditEvent, at: str | None = None) -> str:
    """The hashed body of ``e`` as entry ``seq`` of ``chain``; ``at`` is ``e.at`` in ISO form
    when the caller has it already (a batch shares one time)."""
    return canonical_json(
        {
            "chain": chain,
            "seq": seq,
            "at": at if at is not None else as_utc(e.at).isoformat(),
            "actor": e.actor,
            "action": e.action,
            "entity_kind": e.entity_kind,
            "entity_id": e.entity_id,
            "before": e.before,
            "after": e.after,
            "note": e.note,
        }
    )


class AuditLog:
    """Appends to and reads the chains; never commits (the service owns the transaction)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, chain: str, events: Sequence[AuditEvent]) -> int:
        if not events:
            return 0
        head = self.session.scalars(
            select(AuditHeadRow).where(AuditHeadRow.chain == chain).with_for_update()
        ).one_or_none()
        if head is None:
            head = AuditHeadRow(chain=chain, seq=0, hash=GENESIS)
            self.session.add(head)
        seq, prev = head.seq, head.hash
        times: dict[datetime, str] = {}
        rows = []
        for e in events:
            seq += 1
            at = times.get(e.at)
            if at is None:
                at = times[e.at] = as_utc(e.at).isoformat()
            body = body_of(chain, seq, e, at)
            digest = sha256(f"{prev}\n{body}".encode()).hexdigest()  # link_hash, inlined
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
        insert_rows(self.session, AuditEntryRow, rows)
        head.seq, head.hash = seq, prev
        self.session.flush()
        return len(rows)

    def entries_for(self, entity_id: str) -> list[dict[str, Any]]:
        rows = self.session.scalars(
            select(AuditEntryRow)
            .where(AuditEntryRow.entity_id == entity_id)
            .order_by(AuditEntryRow.chain, AuditEntryRow.seq)
        ).all()
        return [json.loads(r.body) for r in rows]

    def heads(self) -> dict[str, tuple[int, str]]:
        return {h.chain: (h.seq, h.hash) for h in self.session.scalars(select(AuditHeadRow))}

    def verify(
        self, chain: str | None = None, progress: Callable[[int, int], None] | None = None
    ) -> VerifyReport:
        heads = self.heads()
        chains = [chain] if chain else sorted(set(heads) | set(self._chains()))
        total = int(self.session.scalar(select(func.count()).select_from(AuditEntryRow)) or 0)
        counted: dict[str, int] = {}
        done = 0
        for name in chains:
            seq, prev, last = 0, GENESIS, None
            stmt = (
                select(AuditEntryRow)
                .where(AuditEntryRow.chain == name)
                .order_by(AuditEntryRow.seq)
                .execution_options(yield_per=2000)
            )
            # Closed even when verification stops early (a streaming server-side cursor).
            with self.session.scalars(stmt) as rows:
                for row in rows:
                    done += 1
                    problem = _check(row, seq + 1, prev)
                    if problem:
                        counted[name] = seq
                        return VerifyReport(
                            False,
                            done,
                            counted,
                            BrokenLink(
                                row.id, name, row.seq, row.entity_kind, row.entity_id, problem
                            ),
                        )
                    seq, prev, last = row.seq, row.hash, row
                    if progress and done % 2000 == 0:
                        progress(done, total)
            counted[name] = seq
            head = heads.get(name)
            if head is not None and head != (seq, prev):
                anchor = last
                return VerifyReport(
                    False,
                    done,
                    counted,
                    BrokenLink(
                        anchor.id if anchor else 0,
                        name,
                        seq,
                        anchor.entity_kind if anchor else "-",
                        anchor.entity_id if anchor else "-",
                        f"the chain head records seq {head[0]}, but the chain ends at seq {seq}: "
                        "entries were removed from the end or the last one was rewritten",
                    ),
                )
        if progress:
            progress(done, total)
        return VerifyReport(True, done, counted)

    def _chains(self) -> list[str]:
        return list(self.session.scalars(select(AuditEntryRow.chain).distinct()))


def _check(row: AuditEntryRow, expected_seq: int, prev: str) -> str | None:
    if row.seq != expected_seq:
        return f"expected seq {expected_seq} here: entries before it are missing"
    if row.prev_hash != prev:
        return "its prev_hash does not match the previous entry's hash"
    if link_hash(row.prev_hash, row.body) != row.hash:
        return "its content was changed after it was written (hash mismatch)"
    try:
        body = json.loads(row.body)
    except ValueError:
        return "its body is not valid JSON"
    columns = {
        "chain": row.chain,
        "seq": row.seq,
        "entity_kind": row.entity_kind,
        "entity_id": row.entity_id,
        "action": row.action,
        "actor": row.actor,
        "at": as_utc(row.at).isoformat(),
    }
    for key, value in columns.items():
        if body.get(key) != value:
            return (
                f"its column '{key}' ({value}) disagrees with the hashed record ({body.get(key)})"
            )
    return None
