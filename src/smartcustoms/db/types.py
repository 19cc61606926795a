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
        return value.quantize(Decimal(1).scaleb(-SCALE))

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
