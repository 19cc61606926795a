"""The bulk writer (db/bulk.py): rows it stores read back exactly as rows the ORM stored, on
both databases, and NUL anywhere in a batch is refused before anything is written."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from smartcustoms.db.bulk import JSONText
from smartcustoms.db.engine import Database
from smartcustoms.declarations.repository import DeclarationRepository
from smartcustoms.declarations.tables import (
    DeclarationItemRow,
    DeclarationRow,
    InspectionResultRow,
)
from smartcustoms.errors import InvalidInput
from tests.conftest import clean

TABLES = (DeclarationRow, DeclarationItemRow, InspectionResultRow)
# Text the COPY text format must escape: tab, newline, carriage return, backslash, its NULL
# marker \N and its end-of-data marker \. on a line of its own.
TRICKY = "tab\there \"quoted\" 'single' back\\slash \\N \\.\nnew\r\nline 서울 😀 \u2028 ü"
AT = datetime(2026, 11, 30, 18, 30, 15, 123456, tzinfo=timezone(timedelta(hours=9)))


def declaration(n: int, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": f"d{n:031d}",
        "economy": "KR",
        "lodged_by": "u-declarant",
        "reference": f"REF-{n}",
        "submission_hash": f"{n:064x}",
        "kind": "import",
        "status": "released",
        "lane": "green",
        "lane_score": 0.123456789,
        "lane_reasons": ["model score 0.12", TRICKY],
        "lane_model_version": "m-1",
        "lane_rules_fired": ["R1"],
        "lane_explanations": [{"feature": "f", "contribution": -0.5, "text": TRICKY}],
        "version": 1,
        "declaration_date": date(2021, 5, 14),
        "office": "020",
        "declarant_id": "BRK-001",
        "trader_id": "IMP-778",
        "partner_id": "SEL-12",
        "invoice_currency": "USD",
        "currency": "KRW",
        "customs_value": Decimal("3939265"),
        "duty_total": Decimal("341573.5"),
        "tax_total": Decimal("0.0001"),
        "total_due": Decimal("99999999999999.9999"),
        "document": {
            "reference": TRICKY,
            "items": [{"hs_code": "850760", "net_mass_kg": "180.5", "description": TRICKY}],
            "national": {"A": None, "B": True, "C": 0, "D": 2**62, "E": [], "F": {}},
            "floats": [0.1, 1e-7, 1e16, -0.0, 123456.789],
        },
        "assessment": {"currency": "KRW", "lines": [{"amount": "393927", "rate": "10"}]},
        "source": "bench\\file.csv",
        "batch_id": None,
        "created_at": AT,
        "updated_at": AT.astimezone(UTC),
    }
    row.update(changes)
    return row


def batch() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    declarations = [
        declaration(1),
        declaration(
            2,
            reference=TRICKY[:60],
            office="서울",
            declarant_id="😀" * 10,
            lane=None,
            lane_score=None,
            lane_reasons=[],
            lane_model_version=None,
            lane_rules_fired=None,  # JSON null, as the ORM stores it
            lane_explanations=[],
            trader_id=None,
            partner_id=None,
            currency=None,
            customs_value=None,
            duty_total=Decimal("-1.23456"),  # rounded half-even to 4 places by both paths
            tax_total=Decimal("0.00005"),
            total_due=Decimal("1E+3"),
            assessment=None,
            batch_id="b" * 32,
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        ),
        declaration(3, lane_score=1e-7, customs_value=5, duty_total="7.25", tax_total=0),
    ]
    items = [
        {
            "declaration_id": d["id"],
            "line_no": k,
            "hs_code": "850760",
            "origin_country": "CN",
            "preference": None if k == 2 else "FCN1",
            "net_mass_kg": Decimal("180.5") * k,
            "invoice_value": Decimal("3000"),
            "customs_value": None if k == 3 else Decimal("3939265.1234"),
            "duty": Decimal("0"),
        }
        for d in declarations
        for k in (1, 2, 3)
    ]
    inspections = [
        {
            "id": "i" * 32,
            "declaration_id": declarations[0]["id"],
            "economy": "KR",
            "outcome": "discrepancy",
            "fraud": True,
            "critical": False,
            "revenue_adjustment": Decimal("-10.5"),
            "notes": TRICKY + "x" * 10_000,
            "recorded_by": "u-officer",
            "recorded_at": AT,
            "source": "file",
        },
        {  # without revenue_adjustment: stored as NULL by both paths
            "id": "j" * 32,
            "declaration_id": declarations[1]["id"],
            "economy": "KR",
            "outcome": "no_discrepancy",
            "fraud": False,
            "critical": True,
            "notes": "",
            "recorded_by": "u-officer",
            "recorded_at": AT,
            "source": "file",
        },
    ]
    return declarations, items, inspections


def orm_insert(session: Session, *tables_rows: list[dict[str, Any]]) -> None:
    """The ORM bulk insert that bulk_insert used before (the reference)."""
    for table, rows in zip(TABLES, tables_rows, strict=True):
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in rows:
            groups.setdefault(tuple(row), []).append(row)
        for group in groups.values():
            session.execute(insert(table), group)


def stored(db: Database) -> dict[str, Any]:
    """Every row of the three tables, read through the ORM (each value with its type) and raw
    (SQLite: the value and its storage class; PostgreSQL: each column as text)."""
    out: dict[str, Any] = {}
    with db.uow() as uow:
        s = uow.session
        for model in TABLES:
            table: Table = model.__table__  # type: ignore[assignment]
            keys = [c.name for c in table.primary_key.columns]
            objects = s.scalars(select(model).order_by(*table.primary_key.columns)).all()
            out[f"{table.name}/orm"] = [_typed(o, table) for o in objects]
            quote = s.get_bind().dialect.identifier_preparer.quote
            if db.dialect == "postgresql":
                cols = ", ".join(f"{quote(c.name)}::text" for c in table.columns)
            else:
                cols = ", ".join(f"{quote(c.name)}, typeof({quote(c.name)})" for c in table.columns)
            order = ", ".join(quote(k) for k in keys)
            sql = f"SELECT {cols} FROM {table.name} ORDER BY {order}"
            out[f"{table.name}/raw"] = [tuple(r) for r in s.connection().exec_driver_sql(sql)]
    return out


def _typed(row: Any, table: Table) -> dict[str, tuple[str, str]]:
    values = {c.name: getattr(row, c.name) for c in table.columns}
    return {name: (type(v).__name__, repr(v)) for name, v in values.items()}


def test_bulk_rows_read_back_as_the_orm_stored_them(db: Database) -> None:
    rows = batch()
    with db.uow() as uow:
        orm_insert(uow.session, *rows)
        uow.commit()
    by_orm = stored(db)
    clean(db)
    with db.uow() as uow:
        uow.repo(DeclarationRepository).bulk_insert(*rows)
        uow.commit()
    by_bulk = stored(db)
    assert by_bulk == by_orm
    assert [len(by_bulk[f"{t.__tablename__}/raw"]) for t in TABLES] == [3, 9, 2]
    # And what was stored is what was given (amounts at 4 places, times in UTC).
    with db.uow() as uow:
        first = uow.session.get(DeclarationRow, rows[0][0]["id"])
        assert first is not None
        assert first.document == rows[0][0]["document"]
        assert first.reference == "REF-1" and first.source == "bench\\file.csv"
        assert first.created_at == AT and first.created_at.tzinfo is UTC
        second = uow.session.get(DeclarationRow, rows[0][1]["id"])
        assert second is not None
        assert second.reference == TRICKY[:60] and second.declarant_id == "😀" * 10
        assert (second.duty_total, second.tax_total, second.total_due) == (
            Decimal("-1.2346"),
            Decimal("0"),
            Decimal("1000"),
        )
        assert second.assessment is None and second.lane_rules_fired is None
        notes = uow.session.scalars(select(InspectionResultRow.notes)).all()
        assert TRICKY + "x" * 10_000 in notes


@pytest.mark.parametrize(
    ("table", "field", "value"),
    [
        (0, "reference", "REF\x00"),
        (0, "document", {"items": [{"description": "bad\x00text"}]}),
        (0, "lane_reasons", ["fine", "\\\x00"]),
        (1, "hs_code", "8507\x00"),
        (2, "notes", "a note\x00"),
    ],
)
def test_nul_anywhere_refuses_the_batch_before_anything_is_stored(
    db: Database, table: int, field: str, value: Any
) -> None:
    rows = batch()
    rows[table][-1][field] = value
    with db.uow() as uow:
        with pytest.raises(InvalidInput) as info:
            uow.repo(DeclarationRepository).bulk_insert(*rows)
        # Refused before the first table was written, in this very transaction.
        assert uow.session.scalar(select(func.count()).select_from(DeclarationRow)) == 0
        uow.commit()
    assert info.value.errors[0].code == "nul_character"
    with db.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(DeclarationRow)) == 0


def test_json_given_as_its_text_is_stored_as_the_value_was(db: Database) -> None:
    """A JSON column's value given as ``JSONText(json.dumps(value))`` stores what the value
    stored (raw and through the ORM); NUL in it is refused like NUL in the value."""
    rows = batch()
    with db.uow() as uow:
        uow.repo(DeclarationRepository).bulk_insert(*rows)
        uow.commit()
    as_values = stored(db)
    clean(db)
    texts = batch()
    for row in texts[0]:
        for name in ("document", "assessment", "lane_reasons", "lane_explanations"):
            if row[name] is not None:
                row[name] = JSONText(json.dumps(row[name]))
    with db.uow() as uow:
        uow.repo(DeclarationRepository).bulk_insert(*texts)
        uow.commit()
    assert stored(db) == as_values
    clean(db)
    bad = batch()
    bad[0][1]["document"] = JSONText(json.dumps({"note": "bad\x00text"}))
    with db.uow() as uow, pytest.raises(InvalidInput):
        uow.repo(DeclarationRepository).bulk_insert(*bad)
    with db.uow() as uow:
        assert _count(uow) == 0


def test_escaped_backslash_before_u0000_is_not_nul(db: Database) -> None:
    # JSON text holding a backslash followed by "u0000" is not a NUL (the engine hook agrees).
    rows = batch()
    rows[0][0]["document"] = {"note": "C:\\u0000"}
    with db.uow() as uow:
        uow.repo(DeclarationRepository).bulk_insert(*rows)
        uow.commit()
    with db.uow() as uow:
        row = uow.session.get(DeclarationRow, rows[0][0]["id"])
        assert row is not None and row.document == {"note": "C:\\u0000"}


def _count(uow: Any) -> int:
    return int(uow.session.scalar(select(func.count()).select_from(DeclarationRow)) or 0)


def test_bulk_rows_are_in_the_unit_of_works_transaction(db: Database) -> None:
    rows = batch()
    with db.uow() as uow:
        uow.repo(DeclarationRepository).bulk_insert(*rows)
        assert _count(uow) == 3  # seen by the session's own queries
    with db.uow() as uow:  # left without commit: rolled back
        assert _count(uow) == 0
        with pytest.raises(RuntimeError), uow.savepoint():
            uow.repo(DeclarationRepository).bulk_insert(*rows)
            raise RuntimeError("this part fails alone")
        assert _count(uow) == 0
        uow.repo(DeclarationRepository).bulk_insert(*rows)
        uow.commit()
    with db.uow() as uow:
        assert _count(uow) == 3
