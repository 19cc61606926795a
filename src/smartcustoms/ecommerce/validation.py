"""Validation of a chunk of parcels: every problem of every parcel, with its line, field path
and a sentence, computed column-wise (one pass per field over the chunk, not per parcel).

A parcel with any problem is bad as a whole (never half a parcel is stored).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from smartcustoms.ecommerce.model import BadParcel

if TYPE_CHECKING:
    from smartcustoms.ecommerce.engine import Context, RunState

__all__ = ["P_NUM", "Errors", "as_object", "columns", "member_of", "validate"]


P_TEXT = ("waybill", "order_no", "platform", "carrier", "seller", "currency", "vendor_tax_id")
P_NUM = ("freight", "insurance", "gross_weight", "tax_collected")


def as_object(values: Any) -> pd.Series:
    # Plain object columns: pandas' default string dtype is several times slower here.
    return pd.Series(np.asarray(values, dtype=object), dtype=object)


def _text(values: list[Any]) -> np.ndarray:
    return np.array(
        [v.strip() if type(v) is str else ("" if v is None else str(v)) for v in values],
        dtype=object,
    )


def _float(v: Any) -> float:
    if type(v) is bool:
        return math.nan
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _num(values: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """(float array, missing mask); non-numbers (and booleans) are NaN but not 'missing'."""
    missing = np.fromiter((v is None or v == "" for v in values), dtype=bool, count=len(values))
    try:
        out = np.array(values, dtype=np.float64)
        if any(type(v) is bool for v in values):
            raise TypeError
    except (TypeError, ValueError):
        out = np.array([_float(v) for v in values], dtype=np.float64)
    return out, missing


def columns(
    records: list[tuple[int, Any]],
) -> tuple[dict[str, Any], dict[str, Any], list[BadParcel]]:
    bad = [r for _, r in records if isinstance(r, BadParcel)]
    good = [(ln, r) for ln, r in records if not isinstance(r, BadParcel)]
    recs = [r for _, r in good]
    p: dict[str, Any] = {"line": np.array([ln for ln, _ in good], dtype=np.int64)}
    for k in P_TEXT:
        p[k] = _text([r.get(k) for r in recs])
    for k in P_NUM:
        p[k] = [r.get(k) for r in recs]
    buyers = [b if type(b) is dict else {} for b in (r.get("buyer") for r in recs)]
    p["buyer_id"] = _text([b.get("id") for b in buyers])
    p["buyer_region"] = _text([b.get("region") for b in buyers])
    p["address"] = _text([r.get("consignee_address") for r in recs])
    items = [r.get("items") for r in recs]
    p["items_ok"] = np.array([type(x) is list and len(x) > 0 for x in items], dtype=bool)
    flat = [
        (i, no, d if type(d) is dict else {})
        for i, x in enumerate(items)
        if type(x) is list
        for no, d in enumerate(x, start=1)
    ]
    dicts = [f[2] for f in flat]
    it: dict[str, Any] = {
        "pidx": np.array([f[0] for f in flat], dtype=np.int64),
        "line_no": np.array([f[1] for f in flat], dtype=np.int64),
        "description": _text([d.get("description") for d in dicts]),
        "hs_code": np.array(
            [h.replace(".", "") for h in _text([d.get("hs_code") for d in dicts])], dtype=object
        ),
        "quantity": [d.get("quantity") for d in dicts],
        "unit_price": [d.get("unit_price") for d in dicts],
        "currency": np.array(
            [c.upper() for c in _text([d.get("currency") for d in dicts])], dtype=object
        ),
        "origin": np.array(
            [c.upper() for c in _text([d.get("origin") for d in dicts])], dtype=object
        ),
    }
    return p, it, bad


class Errors:
    def __init__(self, line: np.ndarray, waybill: np.ndarray) -> None:
        self.line, self.waybill = line, waybill
        self.out: list[tuple[int, int, str, str]] = []  # (parcel idx, order, field, reason)
        self.bad = np.zeros(len(line), dtype=bool)

    def add(
        self,
        mask: np.ndarray,
        fieldname: str | Callable[[int], str],
        reason: str | Callable[[int], str],
        pidx: np.ndarray | None = None,
    ) -> None:
        for h in np.flatnonzero(mask):
            p = int(pidx[h]) if pidx is not None else int(h)
            f = fieldname(int(h)) if callable(fieldname) else fieldname
            r = reason(int(h)) if callable(reason) else reason
            self.out.append((p, len(self.out), f, r))
            self.bad[p] = True

    def report(self) -> list[BadParcel]:
        return [
            BadParcel(int(self.line[p]), str(self.waybill[p]), f, r)
            for p, _, f, r in sorted(self.out)
        ]


def member_of(values: np.ndarray, member: Callable[[str], bool]) -> np.ndarray:
    """Membership per element, asking ``member`` once per distinct value."""
    uniq, inv = np.unique(values.astype(str), return_inverse=True)
    return (
        np.array([member(u) for u in uniq], dtype=bool)[inv.reshape(-1)]
        if len(uniq)
        else (np.zeros(len(values), dtype=bool))
    )


def _lens(values: np.ndarray, limit: int) -> np.ndarray:
    return np.fromiter((len(v) > limit for v in values), dtype=bool, count=len(values))


def validate(
    p: dict[str, Any], it: dict[str, Any], ctx: Context, state: RunState
) -> tuple[Errors, dict[str, Any]]:
    line = p["line"]
    wb = p["waybill"]
    err = Errors(line, wb)
    num: dict[str, Any] = {}
    empty = wb == ""
    err.add(empty, "waybill", "waybill is required")
    err.add(_lens(wb, 40), "waybill", "waybill is longer than 40 characters")
    dup = pd.Series(wb, dtype=object).duplicated(keep="first").to_numpy() & ~empty
    first_line = dict(zip(wb[~dup], line[~dup], strict=True))
    err.add(
        dup,
        "waybill",
        lambda i: f"waybill {wb[i]} is also on line {first_line[wb[i]]} of this manifest",
    )
    seen = state.seen
    earlier = np.fromiter((w in seen for w in wb), dtype=bool, count=len(wb)) & ~dup
    err.add(
        earlier,
        "waybill",
        lambda i: f"waybill {wb[i]} is also on line {seen[wb[i]]} of this manifest",
    )
    stored = ctx.existing([w for w in wb if w])
    if stored:
        err.add(
            np.fromiter((w in stored for w in wb), dtype=bool, count=len(wb)),
            "waybill",
            lambda i: f"waybill {wb[i]} was already lodged in an earlier manifest",
        )
    for k in ("order_no", "platform", "carrier", "seller"):
        err.add(p[k] == "", k, f"{k} is required")
        err.add(_lens(p[k], 64), k, f"{k} is longer than 64 characters")
    err.add(p["buyer_id"] == "", "buyer.id", "buyer.id is required")
    ccy = np.array([c.upper() for c in p["currency"]], dtype=object)
    p["currency"] = ccy
    err.add(ccy == "", "currency", "currency is required")
    err.add(
        ~member_of(ccy, ctx.fx.__contains__) & (ccy != ""),
        "currency",
        lambda i: f"unknown currency {ccy[i]!r} (or no exchange rate for it in {ctx.on:%Y-%m})",
    )
    for k, required, positive in (
        ("freight", False, False),
        ("insurance", False, False),
        ("gross_weight", True, True),
        ("tax_collected", False, False),
    ):
        v, missing = _num(p[k])
        if required:
            err.add(missing, k, f"{k} is required")
        err.add(np.isnan(v) & ~missing, k, f"{k} must be a number")
        with np.errstate(invalid="ignore"):
            err.add(
                ~missing & ((v <= 0) if positive else (v < 0)),
                k,
                f"{k} must be greater than 0" if positive else f"{k} must not be negative",
            )
        num[k] = np.where(missing | np.isnan(v), 0.0, v)
    err.add(~p["items_ok"], "items", "a parcel needs at least one item")
    pidx, ino = it["pidx"], it["line_no"]

    def ipath(name: str) -> Callable[[int], str]:
        return lambda i: f"items[{ino[i] - 1}].{name}"

    err.add(it["description"] == "", ipath("description"), "description is required", pidx)
    err.add(
        _lens(it["description"], 500),
        ipath("description"),
        "description is longer than 500 characters",
        pidx,
    )
    hs = it["hs_code"]
    has_hs = hs != ""
    well = np.fromiter((h.isdigit() and 6 <= len(h) <= 10 for h in hs), dtype=bool, count=len(hs))
    err.add(
        has_hs & ~well,
        ipath("hs_code"),
        lambda i: f"HS code {hs[i]!r} must be 6 to 10 digits",
        pidx,
    )
    known_codes = ctx.hs_known({h[:6] for h in hs[well]})
    known = np.fromiter((h[:6] in known_codes for h in hs), dtype=bool, count=len(hs))
    err.add(
        has_hs & well & ~known,
        ipath("hs_code"),
        lambda i: f"unknown HS code {hs[i]} (not an HS 2022 subheading)",
        pidx,
    )
    qty, qmiss = _num(it["quantity"])
    err.add(qmiss, ipath("quantity"), "quantity is required", pidx)
    with np.errstate(invalid="ignore"):
        err.add(~qmiss & ~(qty > 0), ipath("quantity"), "quantity must be a number above 0", pidx)
    price, pmiss = _num(it["unit_price"])
    err.add(pmiss, ipath("unit_price"), "unit_price is required", pidx)
    err.add(~pmiss & np.isnan(price), ipath("unit_price"), "unit_price must be a number", pidx)
    with np.errstate(invalid="ignore"):
        err.add(~pmiss & (price < 0), ipath("unit_price"), "unit_price must not be negative", pidx)
    icc = it["currency"]
    if len(icc):
        icc = np.where(icc == "", ccy[pidx] if len(ccy) else "", icc).astype(object)
    err.add(
        ~member_of(icc, ctx.fx.__contains__),
        ipath("currency"),
        lambda i: f"unknown currency {icc[i]!r} (or no exchange rate for it in {ctx.on:%Y-%m})",
        pidx,
    )
    org = it["origin"]
    err.add(org == "", ipath("origin"), "origin is required", pidx)
    err.add(
        ~member_of(org, ctx.countries.__contains__) & (org != ""),
        ipath("origin"),
        lambda i: f"unknown country {org[i]!r}",
        pidx,
    )
    num.update(qty=qty, price=price, icc=icc)
    return err, num
