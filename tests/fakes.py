"""A fake unit of work that hands out in-memory repositories, for service tests without a
database (the real-database tests stay in tests/integration).

It keeps the real unit of work's contract: only the outermost block commits, leaving it
without a commit restores what was committed, and a non-domain exception surfaces as
:class:`~smartcustoms.errors.OperationFailed`. Each in-memory repository implements the
queries the service tests need, with the same names and results as the SQL one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import inspect as sa_inspect

from smartcustoms.audit.log import AuditEvent, AuditLog, body_of
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations.repository import DeclarationRepository
from smartcustoms.declarations.tables import (
    DeclarationRow,
    DeclarationVersionRow,
    InspectionResultRow,
)
from smartcustoms.risk.repository import RiskRepository
from smartcustoms.risk.tables import AeoTraderRow, BudgetRow, ModelRow

Repo = TypeVar("Repo")


class _Item:
    """An item row kept as a plain record (the SQL repository bulk-inserts dicts)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = dict(values)
        self.declaration_id = values["declaration_id"]


class _Entry:
    def __init__(self, chain: str, seq: int, entity_id: str, body: str) -> None:
        self.chain, self.seq, self.entity_id, self.body = chain, seq, entity_id, body


def copy_row(row: Any) -> Any:
    """A detached copy of a row (an ORM row: its column values)."""
    if isinstance(row, _Entry):
        return _Entry(row.chain, row.seq, row.entity_id, row.body)
    if isinstance(row, _Item):
        return _Item(row.values)
    mapper = sa_inspect(type(row))
    return type(row)(**{c.key: _copy(getattr(row, c.key)) for c in mapper.column_attrs})


def _copy(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.loads(json.dumps(value, default=str)) if value else type(value)()
    return value


class InMemoryStore:
    """Base of the in-memory repositories: named lists of rows, snapshotted per transaction."""

    tables: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.data: dict[str, list[Any]] = {name: [] for name in self.tables}
        self._committed = self._snapshot()

    def _snapshot(self) -> dict[str, list[Any]]:
        return {name: [copy_row(r) for r in rows] for name, rows in self.data.items()}

    def begin(self) -> None:
        self.data = {name: [copy_row(r) for r in rows] for name, rows in self._committed.items()}

    def commit(self) -> None:
        self._committed = self._snapshot()

    def committed(self, name: str) -> list[Any]:
        """What another transaction would see now."""
        return [copy_row(r) for r in self._committed[name]]


class FakeSession:
    """Just enough of a session for the services (flush is a no-op in memory)."""

    def flush(self) -> None:
        pass

    @contextmanager
    def begin_nested(self) -> Iterator[None]:
        yield


class InMemoryDeclarations(InMemoryStore):
    tables = ("declarations", "versions", "inspections", "items")

    def get(self, declaration_id: str, *, lock: bool = False) -> DeclarationRow | None:
        return next((r for r in self.data["declarations"] if r.id == declaration_id), None)

    def by_reference(self, economy: str, lodged_by: str, reference: str) -> DeclarationRow | None:
        return next(
            (
                r
                for r in self.data["declarations"]
                if (r.economy, r.lodged_by, r.reference) == (economy, lodged_by, reference)
            ),
            None,
        )

    def add(self, row: DeclarationRow) -> None:
        self.data["declarations"].append(row)

    def claim(self, row: DeclarationRow, at: Any) -> bool:
        """Compare-and-set; one transaction at a time in memory, so nothing else changed it
        (the race itself is tested against the real databases in tests/integration)."""
        row.updated_at = at
        return True

    def set_items(self, declaration_id: str, items: list[dict[str, Any]]) -> None:
        self.data["items"] = [
            i for i in self.data["items"] if i.declaration_id != declaration_id
        ] + [_Item(i) for i in items]

    def add_version(self, row: DeclarationVersionRow) -> None:
        self.data["versions"].append(row)

    def versions(self, declaration_id: str) -> list[DeclarationVersionRow]:
        rows = [v for v in self.data["versions"] if v.declaration_id == declaration_id]
        return sorted(rows, key=lambda v: v.version)

    def add_inspection(self, row: InspectionResultRow) -> None:
        self.data["inspections"].append(row)

    def inspections(self, declaration_id: str) -> list[InspectionResultRow]:
        rows = [i for i in self.data["inspections"] if i.declaration_id == declaration_id]
        return sorted(rows, key=lambda i: i.recorded_at)

    def status_counts(self, economy: str, lodged_by: str | None) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.data["declarations"]:
            if r.economy == economy and lodged_by in (None, r.lodged_by):
                out[r.status] = out.get(r.status, 0) + 1
        return out


class InMemoryAudit(InMemoryStore):
    """The audit chains as lists of entry bodies (the same bodies the SQL log hashes)."""

    tables = ("entries",)

    def append(self, chain: str, events: list[AuditEvent]) -> int:
        seq = sum(1 for e in self.data["entries"] if e.chain == chain)
        for e in events:
            seq += 1
            self.data["entries"].append(_Entry(chain, seq, e.entity_id, body_of(chain, seq, e)))
        return len(events)

    def entries_for(self, entity_id: str) -> list[dict[str, Any]]:
        rows = sorted(
            (e for e in self.data["entries"] if e.entity_id == entity_id),
            key=lambda e: (e.chain, e.seq),
        )
        return [json.loads(e.body) for e in rows]


class InMemoryRisk(InMemoryStore):
    tables = ("budgets", "aeo", "models")

    def add(self, row: object) -> None:
        name = {BudgetRow: "budgets", AeoTraderRow: "aeo", ModelRow: "models"}[type(row)]
        self.data[name].append(row)

    def budget(self, economy: str) -> BudgetRow | None:
        return next((b for b in self.data["budgets"] if b.economy == economy), None)

    def models(self, economy: str) -> list[ModelRow]:
        return [m for m in self.data["models"] if m.economy == economy]

    def model(self, version: str) -> ModelRow | None:
        return next((m for m in self.data["models"] if m.version == version), None)

    def active_model(self, economy: str) -> ModelRow | None:
        return next((m for m in self.models(economy) if m.status == "active"), None)

    def aeo_ids(self, economy: str) -> set[str]:
        return {a.trader_id for a in self.data["aeo"] if a.economy == economy}

    def aeo_traders(self, economy: str) -> list[AeoTraderRow]:
        return sorted(
            (a for a in self.data["aeo"] if a.economy == economy), key=lambda a: a.trader_id
        )

    def aeo_trader(self, economy: str, trader_id: str) -> AeoTraderRow | None:
        return next(
            (a for a in self.data["aeo"] if (a.economy, a.trader_id) == (economy, trader_id)),
            None,
        )

    def remove_aeo(self, economy: str, trader_id: str) -> int:
        before = len(self.data["aeo"])
        self.data["aeo"] = [
            a for a in self.data["aeo"] if (a.economy, a.trader_id) != (economy, trader_id)
        ]
        return before - len(self.data["aeo"])


class FakeUnitOfWork(UnitOfWork):
    """Hands out the in-memory repositories in place of the SQL ones (by the SQL class)."""

    def __init__(
        self,
        declarations: InMemoryDeclarations | None = None,
        audit: InMemoryAudit | None = None,
        risk: InMemoryRisk | None = None,
        ports: Any = None,
    ) -> None:
        super().__init__(None, ports=ports)  # type: ignore[arg-type]
        self.declarations = declarations or InMemoryDeclarations()
        self.audit = audit or InMemoryAudit()
        self.risk = risk or InMemoryRisk()
        self.stores: dict[type[Any], InMemoryStore] = {
            DeclarationRepository: self.declarations,
            AuditLog: self.audit,
            RiskRepository: self.risk,
        }
        self.commits = 0
        self._fake_session = FakeSession()

    @property
    def session(self) -> Any:
        if self.depth == 0:
            raise RuntimeError("use the unit of work inside a 'with uow:' block")
        return self._fake_session

    @property
    def dialect(self) -> str:
        return "memory"

    def repo(self, kind: type[Repo]) -> Repo:
        if self.depth == 0:
            raise RuntimeError("use the unit of work inside a 'with uow:' block")
        return self.stores[kind]  # type: ignore[return-value]

    def _begin(self) -> None:
        for store in self.stores.values():
            store.begin()

    def _end(self) -> None:
        # Whatever was not committed is dropped: the next block starts from the committed state.
        for store in self.stores.values():
            store.begin()

    def commit(self) -> None:
        if self.depth <= 1:
            for store in self.stores.values():
                store.commit()
            self.commits += 1

    def rollback(self) -> None:
        for store in self.stores.values():
            store.begin()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        saved = {kind: store._snapshot() for kind, store in self.stores.items()}
        try:
            yield
        except BaseException:
            for kind, store in self.stores.items():
                store.data = saved[kind]
            raise
