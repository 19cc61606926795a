"""The domain error tree. No HTTP here: the web layer maps these in one place.

::

    SmartCustomsError
    ├── InvalidInput            every problem at once, each with the field it concerns
    ├── NotFound                (also used for records of another economy: no existence leak)
    ├── Conflict                state or uniqueness clash (idempotency, wrong lifecycle state)
    │   └── ConcurrentChange    lost a race: someone changed the record since it was read
    ├── AuthenticationRequired  no or bad credentials
    ├── PermissionDenied        authenticated, but the role does not allow it
    ├── DataUnavailable         reference data could not be found or fetched
    ├── RateLimited             too many attempts or requests; ``retry_after`` seconds to wait
    └── OperationFailed         a use case failed for a reason outside the domain (a missing
                                file, the database); its transaction was rolled back
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """One validation problem: ``path`` is a JSON path such as ``items[3].hs_code``."""

    path: str
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


class SmartCustomsError(Exception):
    """Base of every error the platform raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(SmartCustomsError):
    def __init__(
        self,
        errors: Iterable[FieldError],
        message: str | None = None,
        warnings: Iterable[FieldError] = (),
    ) -> None:
        self.errors: Sequence[FieldError] = tuple(errors)
        # Warnings found alongside the errors: reported together, so the next attempt does
        # not meet them one at a time.
        self.warnings: Sequence[FieldError] = tuple(warnings)
        super().__init__(message or f"{len(self.errors)} problem(s) in the input")

    @classmethod
    def single(cls, path: str, code: str, message: str) -> InvalidInput:
        return cls([FieldError(path, code, message)], message)


class NotFound(SmartCustomsError):
    pass


class Conflict(SmartCustomsError):
    pass


class ConcurrentChange(Conflict):
    """A compare-and-set lost: the record changed between reading and writing it."""


class AuthenticationRequired(SmartCustomsError):
    pass


class PermissionDenied(SmartCustomsError):
    pass


class DataUnavailable(SmartCustomsError):
    pass


class RateLimited(SmartCustomsError):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class OperationFailed(SmartCustomsError):
    """A use case failed on something outside the domain (a missing file, the database).

    The unit of work raises it in place of the original exception (chained as ``__cause__``)
    once the transaction is rolled back, so callers only ever see the domain error tree."""

    @classmethod
    def of(cls, exc: BaseException) -> OperationFailed:
        what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return cls(f"the operation failed and nothing was stored ({what})")
