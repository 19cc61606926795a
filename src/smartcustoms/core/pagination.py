"""Pagination shared by every list query and endpoint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from smartcustoms.errors import FieldError, InvalidInput

T = TypeVar("T")

MAX_PAGE_SIZE = 500
# Far beyond any real list, and small enough that the offset fits every database's integer.
MAX_PAGE = 1_000_000


@dataclass(frozen=True, slots=True)
class PageRequest:
    page: int = 1
    size: int = 50

    def __post_init__(self) -> None:
        errors = []
        if not 1 <= self.page <= MAX_PAGE:
            errors.append(
                FieldError("page", "out_of_range", f"page must be between 1 and {MAX_PAGE}")
            )
        if not 1 <= self.size <= MAX_PAGE_SIZE:
            errors.append(
                FieldError("size", "out_of_range", f"size must be between 1 and {MAX_PAGE_SIZE}")
            )
        if errors:
            raise InvalidInput(errors)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))
