"""Why a declaration scored as it did: LightGBM contributions turned into plain sentences.

Contributions (SHAP values from ``pred_contrib``) of the features describing one thing (say, the
four importer-history features) are added up, so the officer reads one reason per subject, with
the real numbers behind it: "importer's past fraud rate 34% (12 of 35 inspected)".
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from smartcustoms.risk.ml.features import GROUPS, Columns, HistoryGroup, column

if TYPE_CHECKING:
    from smartcustoms.risk.ml.estimator import RiskModel

_PRETTY: dict[str, str] = {
    "office": "customs office",
    "process_type": "process type",
    "import_type": "import type",
    "import_use": "import use",
    "payment_type": "payment type",
    "transport_mode": "mode of transport",
    "tax_type": "tax type",
    "origin_indicator": "origin indicator",
    "departure_country": "country of departure",
    "origin_country": "country of origin",
    "courier_id": "courier",
}
_UNIT_VALUE = ("log_unit_value", "unit_value_dev")
_GROUP_BY_NAME: dict[str, HistoryGroup] = {g.name: g for g in GROUPS}


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason: the subject's main feature, its summed contribution (log-odds), a sentence."""

    feature: str
    contribution: float
    text: str


def _subject(feature: str) -> str:
    """Features explained together share a subject (a history group, the unit value, ...)."""
    prefix, _, rest = feature.partition("_")
    if prefix in ("te", "tc", "n", "c") and rest in _GROUP_BY_NAME:
        return rest
    if feature in _UNIT_VALUE:
        return "unit_value"
    return feature


def _fmt_value(column: str, value: object, currency: str = "") -> str:
    if column == "item_value" and isinstance(value, int | float) and math.isfinite(value):
        # The item value is in the invoice's currency: say which, never assume one.
        amount = f"{value:,.0f}" if value >= 1000 or value == int(value) else f"{value:,.2f}"
        return f"{currency} {amount}".strip()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class _Features(Mapping[str, float]):
    """One row of the feature matrix by feature name (what the sentences quote)."""

    __slots__ = ("_index", "_row")

    def __init__(self, row: np.ndarray, index: dict[str, int]) -> None:
        self._row, self._index = row, index

    def __getitem__(self, name: str) -> float:
        return float(self._row[self._index[name]])

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def _history_sentence(
    group: HistoryGroup, feats: Mapping[str, float], row: dict[str, object], model: RiskModel
) -> str:
    label = group.label.format(**{c: _fmt_value(c, row.get(c, "")) for c in (*group.columns,)})
    n = round(feats[f"n_{group.name}"])
    earlier = round(feats[f"c_{group.name}"])
    head = label if label.endswith("'s") else f"{label}:"
    if n == 0:
        return f"{head} no inspection history ({earlier} earlier declarations)"
    a, prior = model.builder_.smoothing, model.builder_.prior_
    frauds = round(feats[f"te_{group.name}"] * (n + a) - prior * a)
    return f"{head} past fraud rate {frauds / n:.0%} ({frauds} of {n} inspected)"


def _sentence(
    subject: str, feats: Mapping[str, float], row: dict[str, object], model: RiskModel
) -> str:
    if subject in _GROUP_BY_NAME:
        return _history_sentence(_GROUP_BY_NAME[subject], feats, row, model)
    hs = str(row.get("hs_code", ""))
    if subject == "unit_value":
        dev = feats["unit_value_dev"]
        if not math.isfinite(dev):
            return f"unit value not comparable (no earlier HS {hs} declarations)"
        change = math.exp(dev) - 1.0
        if abs(change) < 0.05:
            return f"unit value in line with the HS {hs} norm"
        side = "below" if change < 0 else "above"
        amount = f"{-change:.0%}" if change < 0 else f"{change:.0%}"
        if change >= 1.0:
            amount = f"{math.exp(dev):.1f} times"
            return f"unit value {amount} the HS {hs} norm"
        return f"unit value {amount} {side} the HS {hs} norm"
    if subject == "origin_mismatch":
        origin, departure = row.get("origin_country", ""), row.get("departure_country", "")
        if feats[subject] > 0.5:
            return f"country of origin {origin} differs from country of departure {departure}"
        return f"origin and departure both {origin}"
    if subject == "tax_rate":
        rate = feats[subject]
        return f"tax rate {rate:g}%" if math.isfinite(rate) else "no tax rate declared"
    if subject == "log_net_mass":
        return f"net mass {_fmt_value('net_mass_kg', row.get('net_mass_kg'))} kg"
    if subject == "log_item_value":
        currency = str(row.get("invoice_currency") or "")
        return f"declared value {_fmt_value('item_value', row.get('item_value'), currency)}"
    if subject == "hs_numeric":
        return f"HS code {hs}"
    if subject == "hs_chapter":
        return f"HS chapter {hs[:2]}"
    if subject.startswith("code_"):
        column = subject[len("code_") :]
        seen = "" if math.isfinite(feats[subject]) else "new "
        return f"{seen}{_PRETTY.get(column, column)} {row.get(column, '') or '(none)'}"
    return f"{subject} = {feats[subject]:g}"


@dataclass(frozen=True, slots=True)
class _Layout:
    """How a model's features group into subjects."""

    index: dict[str, int]  # feature name -> column of the feature matrix
    subjects: list[str]
    members: tuple[tuple[int, ...], ...]  # per subject: its features' columns, in order
    main_feature: list[str]  # per subject: the feature it is reported under


def _layout(model: RiskModel) -> _Layout:
    return _layout_of(tuple(str(n) for n in model.feature_names_in_))


@functools.lru_cache(maxsize=16)
def _layout_of(names: tuple[str, ...]) -> _Layout:
    """Built once per feature list (a bulk import explains every day's controlled rows); the
    layout is never modified."""
    by_subject: dict[str, list[str]] = {}
    for name in names:
        by_subject.setdefault(_subject(name), []).append(name)
    subjects = sorted(by_subject)
    position = {s: i for i, s in enumerate(subjects)}
    members: list[list[int]] = [[] for _ in subjects]
    for j, name in enumerate(names):
        members[position[_subject(name)]].append(j)
    main = [max(by_subject[s], key=len) for s in subjects]
    return _Layout({n: j for j, n in enumerate(names)}, subjects, tuple(map(tuple, members)), main)


def _by_subject(contrib: np.ndarray, layout: _Layout) -> np.ndarray:
    """Each row's contributions summed per subject, feature after feature: a row's sums are
    the same numbers whatever other rows come with it (a matrix product's were not: BLAS
    adds in another order for one row than for many, so a declaration lodged alone and the
    same one in a bulk file got explanations a last bit apart)."""
    out = np.empty((len(contrib), len(layout.subjects)))
    for k, columns in enumerate(layout.members):
        total = contrib[:, columns[0]].copy()
        for j in columns[1:]:
            total += contrib[:, j]
        out[:, k] = total
    return out


def _contributions(model: RiskModel, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(contributions per row and subject, base values): one ``pred_contrib`` call."""
    raw = np.asarray(model.fraud_booster_.predict(matrix, pred_contrib=True))
    return raw[:, :-1], raw[:, -1]


def _row_lists(rows: Columns) -> dict[str, list[Any]]:
    """Every column of ``rows`` as a plain list (one conversion, then plain indexing)."""
    names = list(rows.columns) if isinstance(rows, pd.DataFrame) else list(rows)
    return {str(c): column(rows, c).tolist() for c in names}


def _row(lists: dict[str, list[Any]], i: int, currency: str | None) -> dict[str, object]:
    row: dict[str, object] = {c: values[i] for c, values in lists.items()}
    row["hs4"] = str(row.get("hs_code", ""))[:4]
    if currency is not None:
        row["invoice_currency"] = currency
    return row


def contributions(
    model: RiskModel, frame: pd.DataFrame, currency: str = ""
) -> tuple[float, list[Reason]]:
    """Every subject's contribution to the first row's fraud score, largest effect first, and
    the model's base value: base + the contributions = the score's log-odds (a waterfall)."""
    first = frame.iloc[:1]
    matrix = model.features(first, batch_history=False)
    contrib, base = _contributions(model, matrix)
    layout = _layout(model)
    scores = _by_subject(contrib, layout)[0]
    feats = _Features(matrix[0], layout.index)
    row = _row(_row_lists(first), 0, currency or None)
    order = np.argsort(-np.abs(scores), kind="stable")
    reasons = [
        Reason(
            layout.main_feature[k],
            float(scores[k]),
            _sentence(layout.subjects[k], feats, row, model),
        )
        for k in (int(k) for k in order)
    ]
    return float(base[0]), reasons


def explain(
    model: RiskModel,
    frame: Columns,
    top: int = 3,
    batch_history: bool = True,
    currencies: Sequence[str] | None = None,
) -> list[list[Reason]]:
    """The ``top`` reasons for each declaration's fraud score (see :func:`explain_rows`),
    its features built from ``frame``."""
    matrix = model.features(frame, batch_history=batch_history)
    return explain_rows(model, matrix, frame, top, currencies)


def explain_rows(
    model: RiskModel,
    matrix: np.ndarray,
    rows: Columns,
    top: int = 3,
    currencies: Sequence[str] | None = None,
) -> list[list[Reason]]:
    """The ``top`` reasons for each declaration's fraud score, strongest risk-raising first,
    given the feature matrix the boosters saw (``matrix``) and the declarations' values
    (``rows``, quoted in the sentences): one contributions call for all rows, then plain lists.

    ``currencies``: the invoice currency of each row (values are said in it); else the rows'
    ``invoice_currency`` column if they have one, else values are given without a currency.

    When fewer than ``top`` subjects raise the risk, the strongest risk-lowering ones follow,
    their sentence ending in "(lowers risk)".
    """
    if len(matrix) == 0:
        return []
    layout = _layout(model)
    contrib, _ = _contributions(model, matrix)
    by_subject = _by_subject(contrib, layout)
    descending = np.argsort(-by_subject, axis=1, kind="stable")
    ascending = np.argsort(by_subject, axis=1, kind="stable")
    lists = _row_lists(rows)
    out: list[list[Reason]] = []
    for i in range(len(matrix)):
        scores = by_subject[i]
        down = descending[i]
        chosen: list[int] = down[scores[down] > 0][:top].tolist()
        if len(chosen) < top:
            up = ascending[i]
            chosen += up[scores[up] < 0][: top - len(chosen)].tolist()
        feats = _Features(matrix[i], layout.index)
        row = _row(lists, i, None if currencies is None else currencies[i])
        reasons = []
        for k in chosen:
            text = _sentence(layout.subjects[k], feats, row, model)
            if scores[k] < 0:
                text += " (lowers risk)"
            reasons.append(Reason(layout.main_feature[k], float(scores[k]), text))
        out.append(reasons)
    return out
