"""The engine's NUL guard: the cheaper scan answers exactly as the recursive one did."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from smartcustoms.db.engine import _has_nul

_JSON_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def old_has_nul(params: Any) -> bool:
    """The guard as it was before the scan joined the texts of a level (the reference)."""
    if isinstance(params, str):
        return "\x00" in params or ("\\u0000" in params and bool(_JSON_NUL.search(params)))
    if isinstance(params, dict):
        return any(old_has_nul(v) for v in params.values())
    if isinstance(params, (list, tuple)):
        return any(old_has_nul(v) for v in params)
    return False


# Text built from the pieces that matter: backslash runs, the escape, NUL, the separator.
texts = st.lists(
    st.sampled_from(["\\", "\\\\", "u0000", "\\u0000", "\x00", "\n", "a", "ü", "u000"]),
    max_size=6,
).map("".join)
scalars = st.one_of(texts, st.none(), st.integers(), st.floats(allow_nan=False), st.booleans())
params = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=5).map(tuple),
        st.dictionaries(st.text(max_size=3), inner, max_size=5),
    ),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(params)
def test_the_nul_guard_answers_as_before(value: Any) -> None:
    assert _has_nul(value) == old_has_nul(value)


def test_the_nul_guard_on_statement_parameters() -> None:
    assert not _has_nul(("KR", 1, None, "C:\\\\u0000 is an escaped backslash"))
    assert _has_nul([("KR", 1), ("K\x00R", 2)])
    assert _has_nul({"document": '{"a": "\\u0000"}', "n": 1})
    assert _has_nul([{"a": "x\\"}, {"a": "\\\\\\u0000"}])
    assert not _has_nul([{"a": "x\\"}, {"a": "u0000"}])  # an escape never spans two values
