"""Size limits for decoded JSON input: keys per object, items per array, nesting depth.

A caller-supplied document is checked before anything walks it, so an attacker cannot make the
platform store or validate 250,000 keys, or recurse until the stack runs out. Every problem is
reported with the JSON path where the limit was passed (at most :data:`MAX_REPORTED`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smartcustoms.errors import FieldError

__all__ = ["DEFAULT", "MAX_REPORTED", "Limits", "shape_problems"]

MAX_REPORTED = 20


@dataclass(frozen=True, slots=True)
class Limits:
    max_keys: int = 1_000
    """keys in one object"""
    max_items: int = 10_000
    """items in one array"""
    max_depth: int = 32
    """nested objects/arrays"""


DEFAULT = Limits()


def _child(path: str, key: str) -> str:
    return key if path == "$" else f"{path}.{key}"


def shape_problems(value: Any, limits: Limits = DEFAULT, path: str = "$") -> list[FieldError]:
    """Where ``value`` passes ``limits`` (iteratively: no recursion on hostile depth)."""
    problems: list[FieldError] = []
    if not isinstance(value, (dict, list)):
        return problems
    # Only objects and arrays go on the stack (a scalar cannot pass a limit), each with its
    # path: the leaves of a document, most of its values, cost one isinstance each. The
    # containers are visited in the same order as if every value were stacked.
    stack: list[tuple[str, Any, int]] = [(path, value, 1)]
    while stack and len(problems) < MAX_REPORTED:
        where, item, depth = stack.pop()
        if depth > limits.max_depth:
            problems.append(
                FieldError(
                    where, "too_deep", f"input may nest at most {limits.max_depth} levels deep"
                )
            )
            continue
        if isinstance(item, dict):
            if len(item) > limits.max_keys:
                problems.append(
                    FieldError(
                        where,
                        "too_many_keys",
                        f"an object here may have at most {limits.max_keys} keys "
                        f"({len(item)} given)",
                    )
                )
                continue
            for k, v in item.items():
                if isinstance(v, (dict, list)):
                    stack.append((_child(where, str(k)), v, depth + 1))
        else:
            if len(item) > limits.max_items:
                problems.append(
                    FieldError(
                        where,
                        "too_many_items",
                        f"a list here may have at most {limits.max_items} items "
                        f"({len(item)} given)",
                    )
                )
                continue
            for i, v in enumerate(item):
                if isinstance(v, (dict, list)):
                    stack.append((f"{where}[{i}]", v, depth + 1))
    return problems
