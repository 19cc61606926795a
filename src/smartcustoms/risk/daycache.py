"""Per-day values the assessor derives from stored declarations, kept while they stay true.

The lane of a declaration dated D depends on two things read from the economy's stored
declarations, and reading them was most of the cost of one lodgement:

* the model's **history** as of D: the inspection results of declarations dated after the
  training period and before D (:func:`.registry.history_model`);
* the **score window** for D: the latest lane scores of declarations dated before D
  (:func:`.window.window_before`), which the day's thresholds are calibrated on.

Both stay the same for every declaration dated D until an inspection result (history) or a lane
score (window) is stored for a declaration dated before D; live traffic is dated today, so
today's values hardly ever change. A :class:`DayCache` keeps them per day and, once per
assessment, reads the economy's audit chain from the last position it saw
(:func:`smartcustoms.declarations.queries.declaration_changes`: one indexed read of the few
entries appended since, by this worker or any other). Every change to a declaration appends to
that chain in its own transaction, so an entry that may change a day's values drops them, and
what is served is what a fresh read at that chain position gives, whichever worker, process or
machine wrote. It is not a time-to-live: nothing lags.

Conservative where it cannot tell: an amendment (which may move a declaration to another day),
an action it does not know, a gap of more than :data:`CHAIN_READ` entries (a bulk import) and a
position that is no longer on the chain (a transaction that read its own uncommitted entries and
then rolled back) drop every value. The one thing it does not see is a change the reading
transaction itself made and has not appended yet (an amendment being re-assessed sees its
declaration's old lane score in the window only through a fresh read).

Thread-safe: the web app's worker threads share one per economy (it lives in the economy's
:class:`~.scoring.EconomyState`, rebuilt when the active model, rules, budget or trusted traders
change). No database read happens under its lock (but after three tries under heavy traffic);
a value computed from an older position is kept only if no change seen since then concerns its
day, and one computed further along the chain than an assessment has read is not served to it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import date
from typing import Any

from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations import queries
from smartcustoms.declarations.queries import ChainPosition, DeclarationChange, DeclarationChanges

__all__ = ["CHAIN_READ", "HISTORY", "WINDOW", "DayCache", "Ticket", "affects"]

HISTORY = "history"
WINDOW = "window"
_KINDS = (HISTORY, WINDOW)

CHAIN_READ = 1000
"""At most this many chain entries are read per assessment; more (a bulk import committed in
between): every value is dropped instead."""

_DOCUMENTS = {"attach_document", "remove_document"}
"""Supporting documents come and go without touching the declaration's lane, score or labels."""
_KEEP_LABELS = frozenset(
    {"submit", "assess", "route", "arrival_notice", "refer_physical", "release", "cancel", "seize"}
    | _DOCUMENTS
)
"""Declaration actions that never store an inspection result (the history's labels)."""
_KEEP_SCORES = frozenset(
    {"submit", "assess", "record_inspection", "refer_physical", "release", "cancel", "seize"}
    | _DOCUMENTS
)
"""Declaration actions that never store a lane score (the window's scores). ``route`` does;
``arrival_notice`` is followed by a ``route`` but counted itself too, to be safe."""
_MOVE_DAYS = frozenset({"amend"})
"""May change a declaration's date: the old day is not on the chain, so every day is touched."""


def affects(change: DeclarationChange, kind: str) -> tuple[bool, date | None]:
    """(whether ``change`` may change values of ``kind``, the day after which it does: None
    for every day)."""
    keep = _KEEP_LABELS if kind == HISTORY else _KEEP_SCORES
    if change.action in keep:
        return False, None
    if change.action in _MOVE_DAYS:
        return True, None
    return True, change.declaration_date


@dataclass(frozen=True, slots=True)
class Ticket:
    """Where the chain was when an assessment synchronised: values it computes are stored
    against it."""

    epoch: int
    seq: int


_SYNC_TRIES = 3


class DayCache:
    """Values of :data:`HISTORY` and :data:`WINDOW` per day of declarations (the last
    ``days`` days of each)."""

    def __init__(self, days: int = 8, log: int = 4096) -> None:
        self._lock = threading.Lock()
        self._position: ChainPosition | None = None
        self._epoch = 0
        self._days = days
        # (chain position it was computed at, value) by kind and day
        self._values: dict[str, OrderedDict[date, tuple[int, Any]]] = {
            k: OrderedDict() for k in _KINDS
        }
        # The changes seen that concern some day (seq, kind, after which day; None: all), for
        # values computed from an older position; complete for every seq above _floor.
        self._log: deque[tuple[int, str, date | None]] = deque()
        self._log_size = log
        self._floor = 0

    def sync(self, uow: UnitOfWork, economy: str, limit: int = CHAIN_READ) -> Ticket:
        """Read the chain since the last position; drop the values its entries may change.
        ``limit``: at most this many entries read, else every value dropped (a bulk import
        reads the chunk it stored itself, the web at most :data:`CHAIN_READ`)."""
        for _ in range(_SYNC_TRIES):
            with self._lock:
                since = self._position
            # Read outside the lock (a thread waiting for a database connection must not hold
            # up the others, which may hold the connections it waits for), then apply it if
            # no other assessment moved the position meanwhile, else read on from there.
            found = queries.declaration_changes(uow, economy, since, limit=limit)
            with self._lock:
                if self._position == since:
                    return self._advance(found)
        with self._lock:  # still moving under heavy traffic: read under the lock, once
            found = queries.declaration_changes(uow, economy, self._position, limit=limit)
            return self._advance(found)

    def _advance(self, found: DeclarationChanges) -> Ticket:
        if found.changes is None:
            self._epoch += 1
            for values in self._values.values():
                values.clear()
            self._log.clear()
            self._floor = found.position.seq
        else:
            for change in found.changes:
                self._apply(change)
        self._position = found.position
        return Ticket(self._epoch, found.position.seq)

    def _apply(self, change: DeclarationChange) -> None:
        for kind in _KINDS:
            touched, after = affects(change, kind)
            if not touched:
                continue
            values = self._values[kind]
            for day in [d for d in values if after is None or d > after]:
                del values[day]
            self._log.append((change.seq, kind, after))
            if len(self._log) > self._log_size:
                self._floor = self._log.popleft()[0]

    def get(self, kind: str, day: date, ticket: Ticket) -> Any | None:
        with self._lock:
            if ticket.epoch != self._epoch:
                return None
            found = self._values[kind].get(day)
            # A value computed from further along the chain than this assessment has read
            # may rest on another transaction's uncommitted entries: not for this one.
            if found is None or found[0] > ticket.seq:
                return None
            self._values[kind].move_to_end(day)
            return found[1]

    def latest_before(self, kind: str, day: date, ticket: Ticket) -> tuple[date, Any] | None:
        """The value of the latest day before ``day`` that :meth:`get` would serve, with its
        day: a history can be carried forward from it instead of read from the start."""
        with self._lock:
            if ticket.epoch != self._epoch:
                return None
            usable = [
                (d, v)
                for d, (seq, v) in self._values[kind].items()
                if d < day and seq <= ticket.seq
            ]
        return max(usable, key=lambda dv: dv[0]) if usable else None

    def put(self, kind: str, day: date, value: Any, ticket: Ticket) -> None:
        """Keep ``value``, computed after ``ticket``'s sync, unless a change seen since then
        concerns ``day`` (or the chain was re-read from scratch)."""
        with self._lock:
            if ticket.epoch != self._epoch or ticket.seq < self._floor:
                return
            for seq, k, after in reversed(self._log):
                if seq <= ticket.seq:
                    break
                if k == kind and (after is None or day > after):
                    return
            values = self._values[kind]
            values[day] = (ticket.seq, value)
            values.move_to_end(day)
            while len(values) > self._days:
                values.popitem(last=False)
