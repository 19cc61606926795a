"""The password policy: long enough, not among the most common, not the email address.

Pure (no database): the bundled list ``common_passwords.txt`` ships with the package and is never
downloaded.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from smartcustoms.errors import FieldError

__all__ = ["MAX_PASSWORD", "MIN_PASSWORD", "common_passwords", "password_problems"]

MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # hashing cost grows with length; nobody types more


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords (lower-case)."""
    text = resources.files("smartcustoms.accounts").joinpath("common_passwords.txt").read_text()
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def password_problems(password: str, email: str = "") -> list[FieldError]:
    """The password policy: long enough, not common, not the email (every problem at once)."""
    errors: list[FieldError] = []
    if len(password) < MIN_PASSWORD:
        errors.append(
            FieldError(
                "password", "too_short", f"a password needs at least {MIN_PASSWORD} characters"
            )
        )
    if len(password) > MAX_PASSWORD:
        errors.append(
            FieldError("password", "too_long", f"a password has at most {MAX_PASSWORD} characters")
        )
    folded = password.strip().lower()
    stem = folded.rstrip("0123456789!@#$%^&*()-_=+.?,;: ")
    common = common_passwords()
    if folded in common or (len(stem) >= 4 and stem in common) or len(set(folded)) <= 2:
        errors.append(
            FieldError(
                "password",
                "too_common",
                "this password is among the most common ones; choose another",
            )
        )
    email = email.strip().lower()
    if email and folded in (email, email.split("@")[0]):
        errors.append(
            FieldError("password", "same_as_email", "the password may not be the email address")
        )
    return errors
