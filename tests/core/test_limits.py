"""Size limits of decoded JSON: the problems and their paths, in order, are those of the
implementation that stacked every value (kept here as the reference)."""

from __future__ import annotations

import random
from typing import Any

from smartcustoms.core.limits import MAX_REPORTED, Limits, shape_problems
from smartcustoms.errors import FieldError


def reference(value: Any, limits: Limits, path: str = "$") -> list[FieldError]:
    def child(path: str, key: str) -> str:
        return key if path == "$" else f"{path}.{key}"

    problems: list[FieldError] = []
    stack: list[tuple[str, Any, int]] = [(path, value, 1)]
    while stack and len(problems) < MAX_REPORTED:
        where, item, depth = stack.pop()
        if not isinstance(item, (dict, list)):
            continue
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
            stack.extend((child(where, str(k)), v, depth + 1) for k, v in item.items())
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
            stack.extend((f"{where}[{i}]", v, depth + 1) for i, v in enumerate(item))
    return problems


def tree(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth <= 0 or roll < 0.3:
        return rng.choice(["x", 1, None, 2.5, True, ""])
    n = rng.choice([0, 1, 2, 3, 5, 8])
    if roll < 0.65:
        return {f"k{i}": tree(rng, depth - rng.choice([1, 1, 2])) for i in range(n)}
    return [tree(rng, depth - rng.choice([1, 1, 2])) for _ in range(n)]


def test_problems_and_paths_equal_the_reference() -> None:
    rng = random.Random(1)
    limits = [Limits(max_keys=4, max_items=3, max_depth=4), Limits(), Limits(6, 6, 7)]
    found = 0
    for n in range(1500):
        value = tree(rng, rng.choice([2, 4, 6]))
        for lim in limits:
            got = shape_problems(value, lim)
            assert got == reference(value, lim), n
            assert shape_problems(value, lim, "doc") == reference(value, lim, "doc")
            found += len(got)
    assert found > 1000  # the limits were passed often, and reported the same way
    deep: Any = "leaf"
    for _ in range(5000):
        deep = {"a": [deep]}
    assert shape_problems(deep) == reference(deep, Limits())
    assert shape_problems("scalar") == [] == shape_problems(None)
