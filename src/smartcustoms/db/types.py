"""Shared column types: an exact decimal column type on both databases.

PostgreSQL has NUMERIC. SQLite has no exact decimal type (SQLAlchemy's Numeric goes through
float there), so amounts are stored as scaled integers: exact, sortable and summable in SQL.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Numeric, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine

SCALE = 4
_FACTOR = Decimal(10) ** SCALE
_QUANTUM = Decimal(1).scaleb(-SCALE)


class Amount(TypeDecorator[Decimal]):
    """A Decimal with 4 decimal places (money, rates in percent, masses in kg)."""

    impl = Numeric(24, SCALE)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(24, SCALE))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = Decimal(value)
        if dialect.name == "sqlite":
            return int((value * _FACTOR).to_integral_value())
        return value.quantize(_QUANTUM)

    def bind_many(self, values: list[Any], dialect: Dialect) -> list[Any]:
        """:meth:`process_bind_param` over a whole column (the bulk writer,
        :mod:`smartcustoms.db.bulk`): the same values, without two calls per value."""
        if dialect.name == "sqlite":
            return [
                None
                if v is None
                else int(((v if type(v) is Decimal else Decimal(v)) * _FACTOR).to_integral_value())
                for v in values
            ]
        return [
            None if v is None else (v if type(v) is Decimal else Decimal(v)).quantize(_QUANTUM)
            for v in values
        ]

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return plain(Decimal(int(value)) / _FACTOR)
        return plain(Decimal(value))


def plain(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (``100``, not ``1E+2``)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()
