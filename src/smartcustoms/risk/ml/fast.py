"""Fast single-declaration features: plain dict in, feature row out, no pandas per call.

:meth:`FeatureBuilder.transform` is vectorised for batches; for one declaration its cost is
pandas column access and one hashing call per column (~2 ms). Here the declaration is a dict
of canonical columns: all its text values are hashed in one call and its numbers in another
(the same hash function, so keys match the builder's history), then each history is one
``searchsorted``. The result equals ``builder.transform(frame, batch_history=False)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from smartcustoms.risk.ml.features import CODED_COLUMNS, FeatureBuilder
from smartcustoms.risk.ml.frame import NUMERIC_COLUMNS, NUMERIC_DECIMALS

_MIX = np.uint64(0x100000001B3)  # as in features: key = key * MIX ^ next column's hash
_N, _S, _K, _C, _UVS, _UVN = range(6)
_NORM_MIN_COUNT = 3


def _number(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return round(out, NUMERIC_DECIMALS) if math.isfinite(out) else out


class FastFeatures:
    """Feature rows for single declarations from a fitted :class:`FeatureBuilder`.

    Reads the builder's history live, so ``update_history`` on the model is seen at once.
    """

    def __init__(self, builder: FeatureBuilder) -> None:
        self.builder = builder
        self.groups = builder.groups
        self.stat_groups = builder._stat_groups()
        columns = sorted({c for g in self.stat_groups for c in g.columns})
        self.numeric = [c for c in columns if c in NUMERIC_COLUMNS]
        self.text = [c for c in columns if c not in NUMERIC_COLUMNS]
        self.codes = builder.code_maps()

    def _hashes(self, row: Mapping[str, Any]) -> dict[str, np.uint64]:
        values = {c: str(row.get(c, "") or "") for c in self.text if c != "hs4"}
        values["hs4"] = str(row.get("hs_code", "") or "")[:4]
        text = np.array([values[c] for c in self.text], dtype=object)
        # Same calls as the builder: object arrays of str, float64 arrays, categorize=False.
        hashed = pd.util.hash_array(text, categorize=False)
        out = dict(zip(self.text, hashed, strict=True))
        if self.numeric:
            nums = np.array([_number(row.get(c)) for c in self.numeric], dtype=np.float64)
            out.update(zip(self.numeric, pd.util.hash_array(nums, categorize=False), strict=True))
        return out

    def row(self, record: Mapping[str, Any]) -> np.ndarray:
        """The (1, n_features) float32 matrix for one declaration (canonical column dict)."""
        b = self.builder
        hashes = self._hashes(record)
        stats: dict[str, np.ndarray] = {}
        with np.errstate(over="ignore"):
            for g in self.stat_groups:
                key = np.array([hashes[g.columns[0]]], dtype=np.uint64)
                for column in g.columns[1:]:
                    key = (key * _MIX) ^ hashes[column]
                keys, table = b.history_[g.name]
                pos = int(np.searchsorted(keys, key[0]))
                if pos < len(keys) and keys[pos] == key[0]:
                    stats[g.name] = table[pos]
                else:
                    stats[g.name] = np.zeros(table.shape[1] if table.ndim == 2 else 6)
        a, prior, cprior = b.smoothing, b.prior_, b.critical_prior_
        out: list[float] = []
        for g in self.groups:
            st = stats[g.name]
            out += [
                (st[_S] + prior * a) / (st[_N] + a),
                (st[_K] + cprior * a) / (st[_N] + a),
                st[_N],
                st[_C],
            ]
        for c in CODED_COLUMNS:
            out.append(self.codes[c].get(str(record.get(c, "") or ""), math.nan))
        hs = str(record.get("hs_code", "") or "")
        hs_num = float(hs) if hs.isdigit() else math.nan
        value, mass = _number(record.get("item_value")), _number(record.get("net_mass_kg"))
        log_value = math.log1p(max(value, 0.0)) if math.isfinite(value) else math.nan
        log_mass = math.log1p(max(mass, 0.0)) if math.isfinite(mass) else math.nan
        luv = log_value - log_mass
        s6, s4 = stats["hs6"], stats["hs4"]
        norm6 = s6[_UVS] / s6[_UVN] if s6[_UVN] else math.nan
        norm4 = s4[_UVS] / s4[_UVN] if s4[_UVN] else math.nan
        norm = norm6 if s6[_UVN] >= _NORM_MIN_COUNT else norm4
        origin = record.get("origin_country", "") or ""
        departure = record.get("departure_country", "") or ""
        out += [
            hs_num,
            math.floor(hs_num / 10_000) if math.isfinite(hs_num) else math.nan,
            _number(record.get("tax_rate")),
            log_mass,
            log_value,
            luv,
            luv - norm,
            float(origin != departure),
        ]
        return np.asarray(out, dtype=np.float32).reshape(1, -1)
