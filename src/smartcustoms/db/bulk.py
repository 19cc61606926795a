"""Bulk inserts of plain rows without the ORM's per-statement work.

``session.execute(insert(Table), rows)`` compiles the statement, processes every parameter
through its type one by one and runs the engine's NUL guard on every value: for a batch of
thousands of declarations that is most of the cost of storing them. :func:`insert_rows` stores
the same rows in the session's own transaction (the unit of work's connection, so a rollback or
a savepoint covers them) with the database's fastest way in:

- **SQLite**: one ``executemany`` of plain tuples on the DBAPI cursor;
- **PostgreSQL**: ``COPY ... FROM STDIN`` through psycopg 3 (``write_row`` escapes tabs,
  newlines and backslashes);
- any other database: the ORM's bulk insert.

Each column is converted once, as a column: the type's own bind processor (``UTCDateTime``,
dates, booleans: exactly what the ORM would send; each distinct date or time once), a type's
column-wide ``bind_many`` where it has one (``Amount``), or, for JSON columns, the engine's JSON
serializer (what SQLAlchemy's JSON type and psycopg's ``Json`` adapter call; a
:class:`JSONText` is the text ``json.dumps`` writes, given by a caller that writes it faster for
a shape it knows), so rows read back
through the ORM are identical to rows the ORM wrote (tests/db/test_bulk.py compares them raw
and through the ORM). A column left out gets its database default; one with a Python-side
default must be given. This path bypasses the
engine's ``before_cursor_execute`` hook, so NUL is refused here, once per text or JSON column,
with the same error (:func:`smartcustoms.db.engine.refuse_nul`); every column of every table
of a call is converted and checked before anything is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Column, Date, DateTime, String, Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import Null
from sqlalchemy.types import TypeDecorator

from smartcustoms.db.base import Base
from smartcustoms.db.engine import has_nul_text, refuse_nul

__all__ = ["JSONText", "insert_many", "insert_rows"]

Rows = Sequence[Mapping[str, Any]]
TableLike = Table | type[Base]


@dataclass(frozen=True, slots=True)
class JSONText:
    """A JSON column's value given as its text: exactly what ``json.dumps(value)`` writes (the
    caller vouches for that: e.g. :func:`smartcustoms.declarations.document.assessment_json`,
    tested against ``json.dumps``). Stored as is when the engine serialises with ``json.dumps``
    (its default); read back and serialised again by an engine given another serializer."""

    text: str


def insert_rows(session: Session, table: TableLike, rows: Rows) -> None:
    """Insert ``rows`` (dicts keyed by column name) into ``table`` in ``session``'s
    transaction; :class:`~smartcustoms.errors.InvalidInput` if any text holds NUL."""
    insert_many(session, [(table, rows)])


def insert_many(session: Session, batches: Iterable[tuple[TableLike, Rows]]) -> None:
    """:func:`insert_rows` for several tables, in the order given (parents first): every batch
    is converted and checked before the first row is written."""
    todo = [(_table(t), rows) for t, rows in batches if rows]
    if not todo:
        return
    session.flush()  # pending ORM objects (a parent row, an audit head) go first
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name not in ("sqlite", "postgresql"):
        for table, rows in todo:
            session.execute(insert(table), list(rows))
        return
    prepared = [p for table, rows in todo for p in _prepare(table, rows, dialect)]
    driver = connection.connection.driver_connection
    write = _copy if dialect.name == "postgresql" else _executemany
    for p in prepared:
        write(driver, dialect, p)


@dataclass(frozen=True, slots=True)
class _Prepared:
    table: Table
    columns: tuple[str, ...]
    values: list[list[Any]]
    """One converted list per column."""


def _table(t: TableLike) -> Table:
    return t if isinstance(t, Table) else t.__table__  # type: ignore[return-value]


def _prepare(table: Table, rows: Rows, dialect: Dialect) -> list[_Prepared]:
    """Rows with the keys of the first as one batch; if some differ (rare), grouped by their
    keys, as the ORM's bulk insert does."""
    names = tuple(rows[0])
    if set(map(len, rows)) == {len(names)}:
        try:
            return [_convert(table, names, rows, dialect)]
        except KeyError:
            pass
    groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    return [_convert(table, keys, group, dialect) for keys, group in groups.items()]


def _convert(table: Table, names: tuple[str, ...], rows: Rows, dialect: Dialect) -> _Prepared:
    unknown = [n for n in names if n not in table.c]
    if unknown:
        raise ValueError(f"{table.name} has no column {', '.join(unknown)}")
    # A column left out gets its database default here; a Python-side default the ORM would
    # have applied must be given instead.
    defaulted = [c.name for c in table.columns if c.name not in names and c.default is not None]
    if defaulted:
        raise ValueError(f"bulk rows for {table.name} must give {', '.join(defaulted)}")
    values = []
    for name in names:
        column = list(map(itemgetter(name), rows))  # KeyError: a row without this key
        col = table.c[name]
        converted = _converted(col, column, dialect)
        if _is_text(col) and _any_nul(converted):
            raise refuse_nul()
        values.append(converted)
    return _Prepared(table, names, values)


def _converted(column: Column[Any], values: list[Any], dialect: Dialect) -> list[Any]:
    """``values`` as the column's type binds them (what the ORM would send)."""
    type_ = column.type
    if isinstance(type_, JSON):
        return list(map(_json_converter(type_, dialect), values))
    bind_many = getattr(type_, "bind_many", None)  # a type that converts a column at once
    if bind_many is not None:
        return bind_many(values, dialect)  # type: ignore[no-any-return]
    convert = type_.dialect_impl(dialect).bind_processor(dialect)
    if convert is None:
        return values
    if _few_distinct(column):
        # Dates and times repeat (a batch is lodged at one moment): convert each once.
        once = {v: convert(v) for v in set(values)}
        return list(map(once.__getitem__, values))
    return list(map(convert, values))


def _json_converter(type_: JSON, dialect: Dialect) -> Callable[[Any], Any]:
    # As JSON._make_bind_processor: SQL NULL for null() (and None when none_as_null), the
    # serialised JSON otherwise (Python None is the JSON 'null'). psycopg's Json adapter, which
    # the ORM path uses on PostgreSQL, calls the same serializer (json.dumps unless the engine
    # was given another).
    serialise: Callable[[Any], str] = getattr(dialect, "_json_serializer", None) or json.dumps
    none_as_null = type_.none_as_null
    json_null = JSON.NULL

    default = serialise is json.dumps

    def convert(value: Any) -> str | None:
        if type(value) is JSONText:
            return value.text if default else serialise(json.loads(value.text))
        if value is None:
            return None if none_as_null else serialise(None)
        if value is json_null:
            return serialise(None)
        if isinstance(value, Null):
            return None
        return serialise(value)

    return convert


def _few_distinct(column: Column[Any]) -> bool:
    type_ = column.type
    impl = type_.impl_instance if isinstance(type_, TypeDecorator) else type_
    return isinstance(impl, (Date, DateTime))


def _is_text(column: Column[Any]) -> bool:
    return isinstance(column.type, (String, JSON))


def _any_nul(values: list[Any]) -> bool:
    try:
        # One scan of the whole column; the separator ends any backslash run, so an escape
        # cannot span two values.
        return has_nul_text("\n".join(filter(None, values)))
    except TypeError:  # not all text: look at each
        return any(isinstance(v, str) and has_nul_text(v) for v in values)


def _statement(dialect: Dialect, p: _Prepared) -> tuple[str, str]:
    quote = dialect.identifier_preparer.quote
    table = dialect.identifier_preparer.format_table(p.table)
    return table, ", ".join(quote(c) for c in p.columns)


def _executemany(driver: Any, dialect: Dialect, p: _Prepared) -> None:
    table, columns = _statement(dialect, p)
    marks = ", ".join("?" * len(p.columns))
    statement = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
    cursor = driver.cursor()
    try:
        cursor.executemany(statement, zip(*p.values, strict=True))
    finally:
        cursor.close()


def _copy(driver: Any, dialect: Dialect, p: _Prepared) -> None:
    table, columns = _statement(dialect, p)
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        write = copy.write_row
        for row in zip(*p.values, strict=True):
            write(row)
