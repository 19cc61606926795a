"""Selectivity rules: definition, validation and evaluation — the one rule engine (pure).

The risk feature stores analysts' rules and applies them with the learned model
(``risk.rules`` re-exports this module); the declarations feature's rule-based assessor
evaluates its configured rules with it too. No database, no feature imports.

A rule fires when *every* condition it gives holds; a list condition holds when any of its
values matches. Item conditions (HS prefix, origin, value, mass, unit value) must hold on the
same item, any item of the declaration. Definition (JSON)::

    {"name": "Batteries from XX under value",
     "description": "why the analyst wrote it",
     "conditions": {"hs_prefix": ["8507"], "origin": ["XX"], "departure": ["YY"],
                    "office": ["020"], "parties": ["IMP-1"], "watchlist": "sanctions",
                    "min_value": 1000, "max_value": null, "min_mass": null, "max_mass": 50,
                    "unit_value_below_norm": 0.5, "unit_value_above_norm": null,
                    "signals": ["hs_description_mismatch"]},
     "action": {"lane": "red", "score_add": 0.0, "random_check": 0.0}}

``unit_value_below_norm: 0.5`` fires when the item's value per kg is under half the HS-level
reference (the mean log unit value of earlier declarations of the HS6, or HS4 when the HS6 has
fewer than 3). Actions: force at least a lane (``yellow``/``red``), add to the fraud score, or
send to red with probability ``random_check`` (a draw fixed by the declaration id).

``signals`` matches an item for which lodging raised a risk signal of that name (HS
classification raises ``hs_description_mismatch`` when the description does not fit the
declared code). Signals exist at lodging only: tested on past declarations such a condition
matches nothing (the items frame then has no ``signals`` column).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from smartcustoms.errors import FieldError, InvalidInput

LANES = ("yellow", "red")
PARTY_COLUMNS = ("declarant_id", "importer_id", "seller_id", "courier_id", "exporter_id",
                 "buyer_id")  # fmt: skip
_LIST_CONDITIONS = {"hs_prefix": "hs_code", "origin": "origin_country",
                    "departure": "departure_country", "office": "office"}  # fmt: skip
_BOUNDS = {"min_value": "item_value", "max_value": "item_value", "min_mass": "net_mass_kg",
           "max_mass": "net_mass_kg"}  # fmt: skip
_RATIOS = ("unit_value_below_norm", "unit_value_above_norm")
_NORM_MIN_COUNT = 3
_SIGNAL_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


@dataclass(frozen=True, slots=True)
class Conditions:
    hs_prefix: tuple[str, ...] = ()
    origin: tuple[str, ...] = ()
    departure: tuple[str, ...] = ()
    office: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    watchlist: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    min_mass: float | None = None
    max_mass: float | None = None
    unit_value_below_norm: float | None = None
    unit_value_above_norm: float | None = None
    signals: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Action:
    lane: str | None = None
    score_add: float = 0.0
    random_check: float = 0.0


@dataclass(frozen=True, slots=True)
class RuleDefinition:
    name: str
    conditions: Conditions
    action: Action
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        cond = {
            k: (list(v) if isinstance(v, tuple) else v)
            for k, v in asdict(self.conditions).items()
            if v not in (None, ())
        }
        return {
            "name": self.name,
            "description": self.description,
            "conditions": cond,
            "action": asdict(self.action),
        }

    def describe(self) -> str:
        c = self.conditions
        parts = [
            f"HS {'/'.join(p + '*' for p in c.hs_prefix)}" if c.hs_prefix else "",
            f"origin {'/'.join(c.origin)}" if c.origin else "",
            f"departure {'/'.join(c.departure)}" if c.departure else "",
            f"office {'/'.join(c.office)}" if c.office else "",
            f"party {'/'.join(c.parties)}" if c.parties else "",
            f"watch list {c.watchlist}" if c.watchlist else "",
            f"value >= {c.min_value:g}" if c.min_value is not None else "",
            f"value <= {c.max_value:g}" if c.max_value is not None else "",
            f"mass >= {c.min_mass:g} kg" if c.min_mass is not None else "",
            f"mass <= {c.max_mass:g} kg" if c.max_mass is not None else "",
            f"unit value under {c.unit_value_below_norm:.0%} of the HS norm"
            if c.unit_value_below_norm is not None
            else "",
            f"unit value over {c.unit_value_above_norm:g} times the HS norm"
            if c.unit_value_above_norm is not None
            else "",
            f"signal {'/'.join(c.signals)}" if c.signals else "",
        ]
        return f"rule '{self.name}' ({', '.join(p for p in parts if p)})"


@dataclass(frozen=True, slots=True)
class ActiveRule:
    """A stored rule as the assessor sees it: id, version and definition."""

    id: str
    version: int
    definition: RuleDefinition

    @property
    def tag(self) -> str:
        return f"{self.definition.name}@v{self.version}"


# --- parsing -------------------------------------------------------------------------------


def _strings(
    raw: Any, path: str, errors: list[FieldError], upper: bool = False, digits: bool = False
) -> tuple[str, ...]:
    if raw is None:
        return ()
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not all(isinstance(v, str | int) for v in values):
        errors.append(FieldError(path, "invalid", "a text or a list of texts"))
        return ()
    out = tuple(str(v).strip().upper() if upper else str(v).strip() for v in values)
    for i, v in enumerate(out):
        if not v or (digits and not v.isdigit()):
            errors.append(
                FieldError(
                    f"{path}[{i}]",
                    "invalid",
                    "an HS prefix is digits only" if digits else "empty value",
                )
            )
    return out


def _number(
    raw: Any, path: str, errors: list[FieldError], low: float = 0.0, high: float = math.inf
) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not low <= raw <= high:
        bound = f"between {low:g} and {high:g}" if math.isfinite(high) else f">= {low:g}"
        errors.append(FieldError(path, "out_of_range", f"a number {bound}"))
        return None
    return float(raw)


def _signal_names(raw: Any, path: str, errors: list[FieldError]) -> tuple[str, ...]:
    names = _strings(raw, path, errors)
    for i, name in enumerate(names):
        if name and not _SIGNAL_NAME.fullmatch(name):
            errors.append(
                FieldError(f"{path}[{i}]", "invalid", "a signal name: lower-case letters and _")
            )
    return names


def parse_definition(raw: Any) -> RuleDefinition:
    """Validate a rule definition, reporting every problem at once (paths as in the JSON)."""
    if not isinstance(raw, Mapping):
        raise InvalidInput.single("", "not_an_object", "a rule is a JSON object")
    errors: list[FieldError] = []
    name = str(raw.get("name") or "").strip()
    if not name or len(name) > 120:
        errors.append(FieldError("name", "required", "give the rule a name (120 characters)"))
    cond_raw = raw.get("conditions") or {}
    act_raw = raw.get("action") or {}
    if not isinstance(cond_raw, Mapping):
        errors.append(FieldError("conditions", "not_an_object", "conditions is an object"))
        cond_raw = {}
    if not isinstance(act_raw, Mapping):
        errors.append(FieldError("action", "not_an_object", "action is an object"))
        act_raw = {}
    known = {*_LIST_CONDITIONS, "parties", "watchlist", "signals", *_BOUNDS, *_RATIOS}
    for key in cond_raw:
        if key not in known:
            errors.append(
                FieldError(
                    f"conditions.{key}",
                    "unknown",
                    f"unknown condition (known: {', '.join(sorted(known))})",
                )
            )
    p = "conditions."
    watch = cond_raw.get("watchlist")
    if watch is not None and (not isinstance(watch, str) or not watch.strip()):
        errors.append(FieldError(f"{p}watchlist", "invalid", "the name of a watch list"))
        watch = None
    conditions = Conditions(
        hs_prefix=_strings(cond_raw.get("hs_prefix"), f"{p}hs_prefix", errors, digits=True),
        origin=_strings(cond_raw.get("origin"), f"{p}origin", errors, upper=True),
        departure=_strings(cond_raw.get("departure"), f"{p}departure", errors, upper=True),
        office=_strings(cond_raw.get("office"), f"{p}office", errors),
        parties=_strings(cond_raw.get("parties"), f"{p}parties", errors),
        watchlist=watch.strip() if isinstance(watch, str) else None,
        **{k: _number(cond_raw.get(k), f"{p}{k}", errors) for k in _BOUNDS},
        unit_value_below_norm=_number(
            cond_raw.get("unit_value_below_norm"), f"{p}unit_value_below_norm", errors, 0.0, 1.0
        ),
        unit_value_above_norm=_number(
            cond_raw.get("unit_value_above_norm"), f"{p}unit_value_above_norm", errors, 1.0
        ),
        signals=_signal_names(cond_raw.get("signals"), f"{p}signals", errors),
    )
    if conditions == Conditions():
        errors.append(
            FieldError(
                "conditions",
                "no_criteria",
                "give at least one condition (a rule on everything is a budget)",
            )
        )
    lane = act_raw.get("lane")
    if lane is not None and str(lane).lower() not in LANES:
        errors.append(FieldError("action.lane", "invalid_choice", "lane is yellow or red"))
        lane = None
    action = Action(
        lane=str(lane).lower() if lane else None,
        score_add=_number(act_raw.get("score_add", 0.0), "action.score_add", errors, -1.0, 1.0)
        or 0.0,
        random_check=_number(
            act_raw.get("random_check", 0.0), "action.random_check", errors, 0.0, 1.0
        )
        or 0.0,
    )
    if action == Action():
        errors.append(
            FieldError("action", "no_action", "give a lane, a score_add or a random_check share")
        )
    if errors:
        raise InvalidInput(errors)
    return RuleDefinition(name, conditions, action, str(raw.get("description") or ""))


# --- unit value norms ----------------------------------------------------------------------


def _hash(values: Sequence[str] | np.ndarray) -> np.ndarray:
    # The same hashing as the feature builder's histories, so its HS norms can be looked up.
    return pd.util.hash_array(np.asarray(values, dtype=object), categorize=False)


def log_unit_value(value: np.ndarray, mass: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.log1p(np.clip(value, 0, None)) - np.log1p(np.clip(mass, 0, None))
    return out


@dataclass(frozen=True, slots=True)
class UnitValueNorms:
    """Mean log unit value (and count) per HS6 and HS4 key hash, sorted for lookup."""

    hs6: tuple[np.ndarray, np.ndarray, np.ndarray]  # keys, sum, count
    hs4: tuple[np.ndarray, np.ndarray, np.ndarray]

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> UnitValueNorms:
        hs = frame["hs_code"].to_numpy(dtype=object).astype(str)
        luv = log_unit_value(
            frame["item_value"].to_numpy(np.float64), frame["net_mass_kg"].to_numpy(np.float64)
        )
        ok = np.isfinite(luv)

        def table(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            unique, inverse = np.unique(keys[ok], return_inverse=True)
            return (
                unique,
                np.bincount(inverse, luv[ok], len(unique)),
                np.bincount(inverse, minlength=len(unique)).astype(np.float64),
            )

        return cls(table(_hash(hs)), table(_hash(np.array([h[:4] for h in hs], dtype=object))))

    @classmethod
    def from_history(cls, history: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> UnitValueNorms:
        """From a fitted FeatureBuilder's ``history_`` (columns 4 and 5: sum and count)."""
        out = []
        for name in ("hs6", "hs4"):
            keys, stats = history[name]
            out.append((keys, stats[:, 4], stats[:, 5]))
        return cls(out[0], out[1])

    def norm(self, hs_codes: Sequence[str] | np.ndarray) -> np.ndarray:
        """Mean log unit value per HS code (NaN when neither HS6 nor HS4 has history)."""
        codes = [str(h) for h in hs_codes]
        s6, n6 = _lookup(self.hs6, _hash(codes))
        s4, n4 = _lookup(self.hs4, _hash([c[:4] for c in codes]))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n6 >= _NORM_MIN_COUNT, s6 / n6, np.where(n4 > 0, s4 / n4, np.nan))


def _lookup(
    table: tuple[np.ndarray, np.ndarray, np.ndarray], keys: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    ref, sums, counts = table
    if len(ref) == 0:
        return np.zeros(len(keys)), np.zeros(len(keys))
    pos = np.minimum(np.searchsorted(ref, keys), len(ref) - 1)
    found = ref[pos] == keys
    return np.where(found, sums[pos], 0.0), np.where(found, counts[pos], 0.0)


# --- evaluation ----------------------------------------------------------------------------


@dataclass
class RuleContext:
    """What rules need besides the declaration: watch lists and the unit value norms."""

    watchlists: dict[str, set[str]] = field(default_factory=dict)
    norms: UnitValueNorms | None = None


def _prefix_match(values: np.ndarray, prefixes: tuple[str, ...]) -> np.ndarray:
    text = values.astype(str)
    out = np.zeros(len(text), dtype=bool)
    for p in prefixes:
        out |= np.char.startswith(text, p)
    return out


def evaluate(rules: Sequence[RuleDefinition], items: pd.DataFrame, ctx: RuleContext) -> np.ndarray:
    """Item-level matches: a boolean matrix (items x rules), vectorised per rule."""
    n = len(items)
    out = np.zeros((n, len(rules)), dtype=bool)
    if n == 0:
        return out
    value = items["item_value"].to_numpy(np.float64)
    mass = items["net_mass_kg"].to_numpy(np.float64)
    ratio: np.ndarray | None = None
    parties = {
        c: items[c].to_numpy(object).astype(str) for c in PARTY_COLUMNS if c in items.columns
    }
    for j, rule in enumerate(rules):
        c = rule.conditions
        hit = np.ones(n, dtype=bool)
        if c.hs_prefix:
            hit &= _prefix_match(items["hs_code"].to_numpy(object), c.hs_prefix)
        for key, column in (
            ("origin", "origin_country"),
            ("departure", "departure_country"),
            ("office", "office"),
        ):
            wanted = getattr(c, key)
            if wanted:
                hit &= np.isin(items[column].to_numpy(object).astype(str), list(wanted))
        wanted_sets = [set(c.parties)] if c.parties else []
        if c.watchlist:  # an unknown or empty watch list matches nobody
            wanted_sets.append(ctx.watchlists.get(c.watchlist, set()))
        for wanted in wanted_sets:
            any_party = np.zeros(n, dtype=bool)
            for ids in parties.values():
                any_party |= np.isin(ids, list(wanted))
            hit &= any_party
        with np.errstate(invalid="ignore"):
            if c.min_value is not None:
                hit &= value >= c.min_value
            if c.max_value is not None:
                hit &= value <= c.max_value
            if c.min_mass is not None:
                hit &= mass >= c.min_mass
            if c.max_mass is not None:
                hit &= mass <= c.max_mass
            if c.unit_value_below_norm is not None or c.unit_value_above_norm is not None:
                if ratio is None:
                    ratio = _ratio(items, ctx)
                if c.unit_value_below_norm is not None:
                    hit &= ratio < c.unit_value_below_norm
                if c.unit_value_above_norm is not None:
                    hit &= ratio > c.unit_value_above_norm
        if c.signals:
            hit &= _raised(items, c.signals)
        out[:, j] = hit
    return out


def _raised(items: pd.DataFrame, names: tuple[str, ...]) -> np.ndarray:
    """Items for which lodging raised one of the named signals (a ``signals`` column of name
    collections; without the column, as on past declarations, none)."""
    if "signals" not in items.columns:
        return np.zeros(len(items), dtype=bool)
    wanted = set(names)
    return np.fromiter(
        (
            isinstance(s, tuple | list | frozenset | set) and bool(wanted.intersection(s))
            for s in items["signals"]
        ),
        dtype=bool,
        count=len(items),
    )


def _ratio(items: pd.DataFrame, ctx: RuleContext) -> np.ndarray:
    """Unit value over the HS norm (NaN when not comparable: the condition does not fire)."""
    if ctx.norms is None:
        return np.full(len(items), np.nan)
    luv = log_unit_value(
        items["item_value"].to_numpy(np.float64), items["net_mass_kg"].to_numpy(np.float64)
    )
    ratio: np.ndarray = np.exp(luv - ctx.norms.norm(items["hs_code"].to_numpy(object)))
    return ratio


def fired_by_declaration(
    rules: Sequence[RuleDefinition], items: pd.DataFrame, ctx: RuleContext
) -> tuple[np.ndarray, np.ndarray]:
    """(declaration ids in first-seen order, boolean matrix declarations x rules)."""
    matches = evaluate(rules, items, ctx)
    ids = items["declaration_id"].to_numpy(object)
    unique, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    per = np.zeros((len(unique), len(rules)), dtype=bool)
    np.logical_or.at(per, inverse.reshape(-1), matches)
    return unique[order], per[order]
