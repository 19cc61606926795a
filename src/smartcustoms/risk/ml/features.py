"""Leak-free features for the risk model.

A declaration's history features use only declarations dated strictly *before* its date (same-day
rows excluded, because same-day inspection results are not known when it is lodged):

* for every *history group* (importer, HS6, HS6 x origin, same declared value, ...): how many
  earlier declarations were inspected (``n_``), their smoothed fraud and critical-fraud rates
  (``te_``, ``tc_``) and how many earlier declarations were lodged at all (``c_``, labels not
  needed, so it may count earlier unlabelled rows of the batch being scored);
* the declared unit value and its log ratio to the running HS6 (else HS4) norm;
* categorical codes (unseen values -> NaN) and a few raw quantities.

:meth:`FeatureBuilder.fit_transform` gives training rows their out-of-time features (each row
sees only earlier rows) and keeps the full history; :meth:`FeatureBuilder.transform` scores later
declarations against that history. Everything is numpy on hashed keys: no per-row pandas.

Declarations come as a data frame or as plain numpy columns by canonical name (:data:`Columns`,
e.g. :func:`~smartcustoms.risk.ml.frame.normalize_records`): a lodgement of one declaration
builds no pandas object at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from smartcustoms.risk.ml.frame import CRITICAL_CODE, CRITICAL_FRAUD, DATE, FRAUD

# Columns of the per-key statistics matrix.
_N, _S, _K, _C, _UVS, _UVN = range(6)
_STATS = 6
_MIX = np.uint64(0x100000001B3)  # FNV prime: cheap, well-spread combination of column hashes

Columns: TypeAlias = pd.DataFrame | Mapping[str, np.ndarray]
"""Declarations by canonical column: a frame, or numpy arrays of equal length by name."""


def column(source: Columns, name: str, dtype: Any = None) -> np.ndarray:
    """One column of ``source`` as a numpy array (``Series.to_numpy(dtype)`` for a frame)."""
    values = source[name]
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype=dtype)
    return np.asarray(values, dtype=dtype)


def row_count(source: Columns) -> int:
    if isinstance(source, pd.DataFrame):
        return len(source)
    return len(next(iter(source.values()))) if source else 0


@dataclass(frozen=True, slots=True)
class HistoryGroup:
    """Declarations sharing the values of ``columns`` form one history."""

    name: str
    columns: tuple[str, ...]
    label: str  # plain words, may use {column} placeholders filled from the declaration
    exact_value: bool = False  # keyed on an exact declared quantity


GROUPS: tuple[HistoryGroup, ...] = (
    HistoryGroup("importer", ("importer_id",), "importer's"),
    HistoryGroup("declarant", ("declarant_id",), "declarant's"),
    HistoryGroup("seller", ("seller_id",), "seller's"),
    HistoryGroup("courier", ("courier_id",), "courier's"),
    HistoryGroup("office", ("office",), "office {office}'s"),
    HistoryGroup("origin", ("origin_country",), "origin {origin_country}'s"),
    HistoryGroup("departure", ("departure_country",), "departure country {departure_country}'s"),
    HistoryGroup("hs6", ("hs_code",), "HS {hs_code}'s"),
    HistoryGroup("hs4", ("hs4",), "HS heading {hs4}'s"),
    HistoryGroup("hs6_origin", ("hs_code", "origin_country"), "HS {hs_code} from {origin_country}"),
    HistoryGroup(
        "hs6_departure",
        ("hs_code", "departure_country"),
        "HS {hs_code} shipped from {departure_country}",
    ),
    HistoryGroup("hs6_tax_type", ("hs_code", "tax_type"), "HS {hs_code} under tax type {tax_type}"),
    HistoryGroup("hs6_tax_rate", ("hs_code", "tax_rate"), "HS {hs_code} at tax rate {tax_rate}%"),
    HistoryGroup("importer_hs6", ("importer_id", "hs_code"), "importer's HS {hs_code}"),
    HistoryGroup(
        "declarant_importer", ("declarant_id", "importer_id"), "declarant-importer pair's"
    ),
    HistoryGroup("importer_seller", ("importer_id", "seller_id"), "importer-seller pair's"),
    HistoryGroup("seller_origin", ("seller_id", "origin_country"), "seller's {origin_country}"),
    HistoryGroup("value", ("item_value",), "same declared value ({item_value})", True),
    HistoryGroup("mass", ("net_mass_kg",), "same net mass ({net_mass_kg} kg)", True),
    HistoryGroup(
        "hs6_value", ("hs_code", "item_value"), "HS {hs_code} at value {item_value}", True
    ),
    HistoryGroup("hs6_mass", ("hs_code", "net_mass_kg"), "HS {hs_code} at {net_mass_kg} kg", True),
    HistoryGroup(
        "value_mass",
        ("item_value", "net_mass_kg"),
        "same value and mass ({item_value}, {net_mass_kg} kg)",
        True,
    ),
)

#: Categorical columns given as integer codes (frequency order; unseen -> NaN).
CODED_COLUMNS: tuple[str, ...] = (
    "office",
    "process_type",
    "import_type",
    "import_use",
    "payment_type",
    "transport_mode",
    "tax_type",
    "origin_indicator",
    "departure_country",
    "origin_country",
    "courier_id",
)
RAW_FEATURES: tuple[str, ...] = (
    "hs_numeric",
    "hs_chapter",
    "tax_rate",
    "log_net_mass",
    "log_item_value",
    "log_unit_value",
    "unit_value_dev",
    "origin_mismatch",
)
_TAIL_MIN = 4096
_TAIL_SHARE = 16
"""A group's recent additions (its *tail*) join its sorted table once they outnumber
``max(_TAIL_MIN, table rows / _TAIL_SHARE)``: a day's update then moves the tail's rows, not the
whole history's (inserting into the sorted table copied every group's table every day, a cost
that grew with the history), and each merge's copy is paid for by that many earlier additions."""
_NORM_MIN_COUNT = 3  # fewer earlier HS6 declarations than this: compare with the HS4 norm


def _column_values(frame: Columns, name: str) -> np.ndarray:
    if name == "hs4":
        hs = column(frame, "hs_code", object)
        return np.fromiter((str(h)[:4] for h in hs), dtype=object, count=len(hs))
    values = column(frame, name)
    if values.dtype.kind == "f":
        return values.astype(np.float64)
    return values.astype(object)


def _hash_columns(frame: Columns, columns: set[str]) -> dict[str, np.ndarray]:
    # categorize=False: no factorisation pass, which dominates the cost for a single row.
    # Each value hashes on its own, so the text columns go in one call and the numeric ones
    # in another (a call per column dominated the cost of a small batch).
    names = sorted(columns)
    values = {c: _column_values(frame, c) for c in names}
    out: dict[str, np.ndarray] = {}
    for kind in ("O", "f"):
        same = [c for c in names if values[c].dtype.kind == kind]
        if same:
            hashed = pd.util.hash_array(np.concatenate([values[c] for c in same]), categorize=False)
            n = len(values[same[0]])
            out.update((c, hashed[i * n : (i + 1) * n]) for i, c in enumerate(same))
    return out


def _group_keys(hashes: dict[str, np.ndarray], group: HistoryGroup) -> np.ndarray:
    key = hashes[group.columns[0]].copy()
    for column in group.columns[1:]:
        key = (key * _MIX) ^ hashes[column]
    return key


def exclusive_prefix(keys: np.ndarray, days: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per row, the sum of ``weights`` over rows with the same key and a strictly earlier day."""
    n = len(keys)
    if n == 0:
        return np.zeros_like(weights)
    order = np.lexsort((days, keys))
    k, d = keys[order], days[order]
    cum = np.cumsum(weights[order], axis=0)
    idx = np.arange(n)
    new_key = np.r_[True, k[1:] != k[:-1]]
    new_day = new_key | np.r_[True, d[1:] != d[:-1]]
    key_start = np.maximum.accumulate(np.where(new_key, idx, 0))
    day_start = np.maximum.accumulate(np.where(new_day, idx, 0))
    padded = np.vstack([np.zeros((1, weights.shape[1])), cum])
    out = np.empty_like(weights)
    out[order] = padded[day_start] - padded[key_start]
    return out


def _days(frame: Columns) -> np.ndarray:
    return column(frame, DATE, "datetime64[D]").astype(np.int64)


def _log_unit_value(frame: Columns) -> np.ndarray:
    value = column(frame, "item_value", np.float64)
    mass = column(frame, "net_mass_kg", np.float64)
    out: np.ndarray = np.log1p(np.clip(value, 0, None)) - np.log1p(np.clip(mass, 0, None))
    return out


class FeatureBuilder:
    """Fitted feature builder holding the declaration history (labels and lodgements).

    ``smoothing`` is the weight of the global prior in the smoothed fraud rates; ``exact_values``
    enables the histories keyed on exact declared value/mass (see :data:`GROUPS`).
    """

    def __init__(self, smoothing: float = 3.0, exact_values: bool = True) -> None:
        self.smoothing = smoothing
        self.exact_values = exact_values
        self._code_maps: dict[str, dict[str, float]] | None = None  # built on first use
        # (sorted tables, tails) by history group: one attribute, so a thread reading the
        # shared builder of a cached model sees a table and its tail from the same moment.
        self._tables: tuple[_Tables, _Tables] | None = None

    @property
    def history_(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per history group: its sorted unique keys and their summed weights (rows of
        ``_N, _S, _K, _C, _UVS, _UVN``), the recent additions merged in. Never mutated in
        place: a copy of the builder may share the arrays."""
        if self._tables is None:
            raise AttributeError("history_")  # not fitted (``hasattr`` says so)
        tables, tails = self._tables
        if tails:
            tables = {name: _overlay(table, tails.get(name)) for name, table in tables.items()}
            self._tables = (tables, {})
        return tables

    @history_.setter
    def history_(self, value: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
        self._tables = (value, {})

    def __setstate__(self, state: dict[str, Any]) -> None:
        # A builder pickled before the tails kept its tables as ``history_``.
        state = dict(state)
        if "history_" in state:
            state["_tables"] = (state.pop("history_"), {})
        state.setdefault("_tables", None)
        self.__dict__.update(state)

    def _history(self) -> tuple[_Tables, _Tables]:
        if self._tables is None:
            raise AttributeError("history_")
        return self._tables

    # -- configuration -------------------------------------------------------------------
    @property
    def groups(self) -> tuple[HistoryGroup, ...]:
        return tuple(g for g in GROUPS if self.exact_values or not g.exact_value)

    @property
    def feature_names(self) -> list[str]:
        names: list[str] = []
        for g in self.groups:
            names += [f"te_{g.name}", f"tc_{g.name}", f"n_{g.name}", f"c_{g.name}"]
        return names + [f"code_{c}" for c in CODED_COLUMNS] + list(RAW_FEATURES)

    def _key_columns(self) -> set[str]:
        return {c for g in self.groups for c in g.columns} | {"hs_code", "hs4"}

    # -- fitting -------------------------------------------------------------------------
    def fit(self, frame: pd.DataFrame) -> FeatureBuilder:
        self.fit_transform(frame)
        return self

    def fit_transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Out-of-time features for ``frame``; keeps its history for later rows.

        Rows whose ``fraud`` label is missing (NaN: lodged but never inspected) count as
        lodgements (``c_`` features, unit-value norms) but never in the inspected counts or fraud
        rates, so a history of partial inspection results is used as an administration has it.
        """
        fraud, critical, labelled = _labels(frame)
        count = np.array([labelled.sum()])
        self.prior_ = _running_prior(np.array([fraud.sum()]), count)[0]
        self.critical_prior_ = _running_prior(np.array([critical.sum()]), count)[0]
        self.vocabularies_ = {
            c: pd.Index(frame[c].astype(str).value_counts().index) for c in CODED_COLUMNS
        }
        self._code_maps = None
        self.date_range_ = (str(frame[DATE].min().date()), str(frame[DATE].max().date()))
        weights = self._weights(frame, labelled=labelled)
        weights[:, _S], weights[:, _K] = fraud, critical
        hashes = _hash_columns(frame, self._key_columns())
        days = _days(frame)
        # The smoothing prior is itself a running mean of earlier labels: even the global fraud
        # rate of the training period would leak later labels into earlier rows.
        everything = exclusive_prefix(np.zeros(len(frame), np.uint64), days, weights)
        priors = _running_prior(everything[:, _S], everything[:, _N])
        critical_priors = _running_prior(everything[:, _K], everything[:, _N])
        history: _Tables = {}
        stats: dict[str, np.ndarray] = {}
        for g in self._stat_groups():
            keys = _group_keys(hashes, g)
            stats[g.name] = exclusive_prefix(keys, days, weights)
            history[g.name] = _totals(keys, weights)
        self.history_ = history
        return self._assemble(frame, stats, priors, critical_priors)

    def update(self, frame: Columns) -> FeatureBuilder:
        """Add declarations (e.g. fresh inspection results) to the history.

        Unlabelled rows (``fraud`` NaN) add lodgement counts and unit values only.
        """
        fraud, critical, labelled = _labels(frame)
        weights = self._weights(frame, labelled=labelled)
        weights[:, _S], weights[:, _K] = fraud, critical
        hashes = _hash_columns(frame, self._key_columns())
        tables, tails = (dict(t) for t in self._history())
        # The whole HS6 table (a few thousand codes at most), summed in its own order.
        hs6_stats = _overlay(tables["hs6"], tails.get("hs6"))[1]
        inspected = hs6_stats[:, _N].sum() + labelled.sum()
        frauds = hs6_stats[:, _S].sum() + weights[:, _S].sum()
        criticals = hs6_stats[:, _K].sum() + weights[:, _K].sum()
        self.prior_ = _running_prior(np.array([frauds]), np.array([inspected]))[0]
        self.critical_prior_ = _running_prior(np.array([criticals]), np.array([inspected]))[0]
        for g in self._stat_groups():
            table, tail = tables[g.name], tails.pop(g.name, None)
            tail = _add_to_tail(table, tail, _group_keys(hashes, g), weights)
            if len(tail[0]) > max(_TAIL_MIN, len(table[0]) // _TAIL_SHARE):
                tables[g.name] = _overlay(table, tail)
            else:
                tails[g.name] = tail
        self._tables = (tables, tails)
        end = str(column(frame, DATE, "datetime64[D]").max())
        self.date_range_ = (self.date_range_[0], max(self.date_range_[1], end))
        return self

    # -- scoring -------------------------------------------------------------------------
    def transform(self, frame: Columns, batch_history: bool = True) -> np.ndarray:
        """Features for declarations dated after the history.

        With ``batch_history`` the unlabelled lodgement counts and unit-value norms also include
        earlier-dated rows of ``frame`` itself (their labels are never used).
        """
        hashes = _hash_columns(frame, self._key_columns())
        days = _days(frame)
        n = row_count(frame)
        batch = None
        if batch_history and n > 1:
            batch = self._weights(frame, labelled=np.zeros(n, dtype=bool))
        stats: dict[str, np.ndarray] = {}
        tables, tails = self._history()
        for g in self._stat_groups():
            keys = _group_keys(hashes, g)
            values = _look_up(tables[g.name], tails.get(g.name), keys)
            if batch is not None:
                values = values + exclusive_prefix(keys, days, batch)
            stats[g.name] = values
        return self._assemble(
            frame, stats, np.full(n, self.prior_), np.full(n, self.critical_prior_)
        )

    # -- internals -----------------------------------------------------------------------
    def _stat_groups(self) -> tuple[HistoryGroup, ...]:
        extra = tuple(g for g in GROUPS if g.name in ("hs6", "hs4") and g not in self.groups)
        return self.groups + extra

    def _weights(self, frame: Columns, labelled: np.ndarray) -> np.ndarray:
        weights = np.zeros((len(labelled), _STATS))
        weights[:, _N] = labelled
        weights[:, _C] = 1.0
        luv = _log_unit_value(frame)
        ok = np.isfinite(luv)
        weights[:, _UVS] = np.where(ok, luv, 0.0)
        weights[:, _UVN] = ok
        return weights

    def _assemble(
        self,
        frame: Columns,
        stats: dict[str, np.ndarray],
        prior: np.ndarray,
        critical_prior: np.ndarray,
    ) -> np.ndarray:
        a = self.smoothing
        columns: list[np.ndarray] = []
        for g in self.groups:
            st = stats[g.name]
            columns.append((st[:, _S] + prior * a) / (st[:, _N] + a))
            columns.append((st[:, _K] + critical_prior * a) / (st[:, _N] + a))
            columns.append(st[:, _N])
            columns.append(st[:, _C])
        for c in CODED_COLUMNS:
            columns.append(self._codes(c, column(frame, c, object)))
        hs = _hs_numeric(column(frame, "hs_code", object))
        value = column(frame, "item_value", np.float64)
        mass = column(frame, "net_mass_kg", np.float64)
        luv = _log_unit_value(frame)
        columns += [
            hs,
            np.floor(hs / 10_000),
            column(frame, "tax_rate", np.float64),
            np.log1p(np.clip(mass, 0, None)),
            np.log1p(np.clip(value, 0, None)),
            luv,
            luv - _unit_value_norm(stats["hs6"], stats["hs4"]),
            (column(frame, "origin_country") != column(frame, "departure_country")).astype(
                np.float64
            ),
        ]
        return np.column_stack(columns).astype(np.float32)

    def code_maps(self) -> dict[str, dict[str, float]]:
        """The categorical codes as dicts (built once; copies of the builder made after share
        them, so build them before copying a builder per use)."""
        if self._code_maps is None:
            self._code_maps = {
                c: {v: float(i) for i, v in enumerate(idx)} for c, idx in self.vocabularies_.items()
            }
        return self._code_maps

    def _codes(self, column: str, values: np.ndarray) -> np.ndarray:
        # A dict lookup per value: the same codes as the vocabulary's ``get_indexer`` (its
        # values are unique strings), and half its cost even at ten thousand rows (building a
        # pandas Index of the values cost more than looking them up).
        lookup = self.code_maps()[column]
        return np.array([lookup.get(str(v), np.nan) for v in values], dtype=np.float64)

    # -- persistence ---------------------------------------------------------------------
    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """(JSON-able metadata, named arrays) describing the fitted builder."""
        meta: dict[str, Any] = {
            "smoothing": self.smoothing,
            "exact_values": self.exact_values,
            "prior": self.prior_,
            "critical_prior": self.critical_prior_,
            "date_range": list(self.date_range_),
            "vocabularies": {c: [str(v) for v in idx] for c, idx in self.vocabularies_.items()},
        }
        arrays: dict[str, np.ndarray] = {}
        for name, (keys, st) in self.history_.items():
            arrays[f"{name}__keys"], arrays[f"{name}__stats"] = keys, st
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> FeatureBuilder:
        builder = cls(smoothing=float(meta["smoothing"]), exact_values=bool(meta["exact_values"]))
        builder.prior_ = float(meta["prior"])
        builder.critical_prior_ = float(meta["critical_prior"])
        builder.date_range_ = (meta["date_range"][0], meta["date_range"][1])
        builder.vocabularies_ = {c: pd.Index(v) for c, v in meta["vocabularies"].items()}
        builder.history_ = {
            g.name: (arrays[f"{g.name}__keys"], arrays[f"{g.name}__stats"])
            for g in builder._stat_groups()
        }
        return builder


def _labels(frame: Columns) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fraud 0/1, critical 0/1, labelled mask); unlabelled rows get 0 in both label columns."""
    fraud = np.asarray(pd.to_numeric(column(frame, FRAUD), errors="coerce"), dtype=np.float64)
    labelled = np.isfinite(fraud)
    critical = (
        np.asarray(pd.to_numeric(column(frame, CRITICAL_FRAUD), errors="coerce"), np.float64)
        == CRITICAL_CODE
    )
    return (
        np.where(labelled, fraud, 0.0),
        np.where(labelled, critical, False).astype(np.float64),
        labelled,
    )


def _totals(keys: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique keys and the summed weights of each (the lookup table for scoring)."""
    unique, inverse = np.unique(keys, return_inverse=True)
    totals = np.column_stack(
        [
            np.bincount(inverse, weights[:, j], minlength=len(unique))
            for j in range(weights.shape[1])
        ]
    )
    return unique, totals.reshape(len(unique), weights.shape[1])


_Table: TypeAlias = tuple[np.ndarray, np.ndarray]
_Tables: TypeAlias = dict[str, _Table]


def _find(table: _Table, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(where each of ``keys`` is in the sorted ``table`` (clipped), whether it is there)."""
    table_keys = table[0]
    if len(table_keys) == 0:
        return np.zeros(len(keys), np.intp), np.zeros(len(keys), bool)
    at = np.minimum(np.searchsorted(table_keys, keys), len(table_keys) - 1)
    return at, table_keys[at] == keys


def _look_up(table: _Table, tail: _Table | None, keys: np.ndarray) -> np.ndarray:
    """The summed weights of each of ``keys`` (zeros when unseen): from ``tail`` when it has
    the key (its sums are the newer ones), else from ``table``."""
    at, found = _find(table, keys)
    if len(table[0]):
        values = np.where(found[:, None], table[1][at], 0.0)
    else:
        values = np.zeros((len(keys), _STATS))
    if tail is not None:
        at, found = _find(tail, keys)
        values[found] = tail[1][at[found]]
    return values


def _overlay(table: _Table, newer: _Table | None) -> _Table:
    """``table`` with the rows of ``newer`` (sorted unique keys too) replacing or joining
    its own: new arrays, the old ones untouched. (``numpy.insert`` for both arrays, placing
    the rows once for both: it was most of a small day's update.)"""
    if newer is None or len(newer[0]) == 0:
        return table
    keys, stats = table
    if len(keys) == 0:
        return newer
    new_keys, new_stats = newer
    at = np.searchsorted(keys, new_keys)  # the key's row, or the row it goes before
    found = keys[np.minimum(at, len(keys) - 1)] == new_keys
    fresh = ~found
    n_fresh = int(fresh.sum())
    if n_fresh == 0:
        stats = stats.copy()
        stats[at] = new_stats
        return keys, stats
    # Where the new keys land: before the row they were searched to, after the earlier ones.
    placed = at[fresh] + np.arange(n_fresh)
    kept = np.ones(len(keys) + n_fresh, bool)
    kept[placed] = False
    out_keys = np.empty(len(kept), keys.dtype)
    out_keys[kept], out_keys[placed] = keys, new_keys[fresh]
    out_stats = np.empty((len(kept), stats.shape[1]), stats.dtype)
    out_stats[kept], out_stats[placed] = stats, new_stats[fresh]
    if n_fresh < len(new_keys):  # replace the rows of keys already there, where they moved
        moved = at[found] + np.searchsorted(at[fresh], at[found], side="right")
        out_stats[moved] = new_stats[found]
    return out_keys, out_stats


def _add_to_tail(
    table: _Table, tail: _Table | None, new_keys: np.ndarray, weights: np.ndarray
) -> _Table:
    """``tail`` with the rows ``weights`` added: each key's sum starts from its current one
    (in ``tail``, else in ``table``, else 0) and adds its rows one by one in their order, so
    every sum is the same float as a recount over all rows in order gives (:func:`_totals`
    sums in row order too). New arrays; ``table`` is never copied."""
    distinct, inverse = np.unique(new_keys, return_inverse=True)
    sums = _look_up(table, tail, distinct)
    np.add.at(sums, inverse.reshape(-1), weights.reshape(len(new_keys), -1))
    return _overlay(tail, (distinct, sums)) if tail is not None else (distinct, sums)


def _hs_numeric(codes: np.ndarray) -> np.ndarray:
    """HS code as a number (its order follows the nomenclature); NaN when not all digits."""
    text = codes.astype(str)
    digits = np.char.isdigit(text) & (np.char.str_len(text) > 0)
    out = np.full(len(codes), np.nan)
    if digits.any():
        out[digits] = text[digits].astype(np.float64)
    return out


def _running_prior(frauds: np.ndarray, labelled: np.ndarray) -> np.ndarray:
    """Fraud rate of earlier labelled rows, with one pseudo-row at 50% so day one is defined."""
    return (frauds + 0.5) / (labelled + 1.0)


def _unit_value_norm(hs6: np.ndarray, hs4: np.ndarray) -> np.ndarray:
    """Mean log unit value of earlier declarations of the HS6 (HS4 when HS6 is too rare)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        norm6 = hs6[:, _UVS] / hs6[:, _UVN]
        norm4 = hs4[:, _UVS] / hs4[:, _UVN]
    norm: np.ndarray = np.where(hs6[:, _UVN] >= _NORM_MIN_COUNT, norm6, norm4)
    return norm
