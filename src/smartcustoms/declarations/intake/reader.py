"""The field reader behind validation: typed getters that record problems instead of raising."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from smartcustoms.core.codes import is_country
from smartcustoms.declarations.model import UNKNOWN_COUNTRY
from smartcustoms.errors import FieldError

E = TypeVar("E")
MAX_DECIMAL = Decimal("1e15")


@dataclass(frozen=True, slots=True)
class Policy:
    """What a source may relax. Live lodgings use the defaults; a mapping profile for recorded
    history may accept what its source is known to contain (see profiles/kcs-cdd.yaml)."""

    allow_zero_mass: bool = False
    allow_zero_value: bool = False
    allow_unknown_country: bool = False


STRICT = Policy()


@dataclass
class Reader:
    policy: Policy
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)

    def err(self, path: str, code: str, message: str) -> None:
        self.errors.append(FieldError(path, code, message))

    def warn(self, path: str, code: str, message: str) -> None:
        self.warnings.append(FieldError(path, code, message))

    def text(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = True,
        max_len: int = 200,
    ) -> str | None:
        value = obj.get(key)
        if type(value) is str:  # the usual case, decided in one step (same outcome as below)
            text = value.strip()
            if not text:
                if required:
                    self.err(path, "required", f"{key.replace('_', ' ')} is required")
                return None
            if len(text) > max_len:
                self.err(path, "too_long", f"at most {max_len} characters ({len(text)} given)")
                return None
            return text
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.err(path, "required", f"{key.replace('_', ' ')} is required")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.err(path, "not_text", f"{key.replace('_', ' ')} must be text")
            return None
        text = str(value).strip()
        if len(text) > max_len:
            self.err(path, "too_long", f"at most {max_len} characters ({len(text)} given)")
            return None
        return text

    def number(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = True,
        positive: bool = False,
        allow_zero: bool = False,
    ) -> Decimal | None:
        value = obj.get(key)
        if value is None or value == "":
            if required:
                self.err(path, "required", f"{key.replace('_', ' ')} is required")
            return None
        if type(value) is not str and (
            isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal))
        ):
            self.err(path, "not_a_number", f"'{value}' is not a number")
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.err(
                path,
                "not_a_number",
                f"'{value}' is not a number (write digits with a dot, e.g. 1234.50)",
            )
            return None
        if not number.is_finite() or abs(number) >= MAX_DECIMAL:
            self.err(path, "out_of_range", f"'{value}' is not a usable amount")
            return None
        if number < 0:
            self.err(path, "negative", f"{key.replace('_', ' ')} cannot be negative ({value})")
            return None
        if positive and number == 0 and not allow_zero:
            self.err(path, "not_positive", f"{key.replace('_', ' ')} must be more than zero")
            return None
        return number

    def day(self, obj: Mapping[str, Any], key: str, path: str) -> date | None:
        value = obj.get(key)
        if value is None or value == "":
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.err(path, "invalid_date", f"'{value}' is not a date; write YYYY-MM-DD")
            return None

    def country(
        self, obj: Mapping[str, Any], key: str, path: str, *, required: bool = False
    ) -> str | None:
        text = self.text(obj, key, path, required=required, max_len=3)
        if text is None:
            return None
        code = text.upper()
        if code == UNKNOWN_COUNTRY and self.policy.allow_unknown_country:
            return code
        if not is_country(code):
            self.err(
                path,
                "unknown_country",
                f"'{text}' is not an ISO 3166 country code (two letters, e.g. KR, CN, US)",
            )
            return None
        return code

    def choice(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: str,
        parse: Callable[[str], E],
        allowed: Iterable[str],
    ) -> E | None:
        text = self.text(obj, key, path)
        if text is None:
            return None
        try:
            return parse(text)
        except ValueError:
            self.err(
                path,
                "invalid_choice",
                f"'{text}' is not allowed; use one of {', '.join(sorted(allowed))}",
            )
            return None
