"""The fast path: a chunk of parcels in, validated, assessed, scored and decided, as columns.

No database and no per-parcel objects: the service hands in a :class:`Context` (regime,
settings, exchange rates, known HS codes, duty rates, unit-value norms, watch list) and a
:class:`RunState` carrying what earlier parcels (stored ones in the window, and earlier chunks
of this manifest) add up to per buyer, address and seller. Parcels are decided in manifest
order and each one sees only the parcels before it, so a parcel decided alone (the per-parcel
API, after its predecessors were stored) gets exactly the decision it gets in a bulk manifest.

Decision rules, in order: **refuse** prohibited goods; **inspect** when the risk score reaches
the economy's threshold, a party is watch-listed, or the parcel is drawn for random
exploration; **hold** for information when the description is too vague, the vendor tax
registration is malformed or its tax is not declared, or (three orders) records are missing,
disagree, fail their signature or exceed a limit; otherwise **release**.
"""

from __future__ import annotations

import hmac
import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from smartcustoms.ecommerce.catalogue import VAGUE_TERMS, keyword_chapters, words
from smartcustoms.ecommerce.model import (
    DECISION_ORDER,
    SIGNALS,
    BadParcel,
    EcomSettings,
    Regime,
)
from smartcustoms.ecommerce.validation import P_NUM, as_object, columns, member_of, validate

if TYPE_CHECKING:
    from smartcustoms.classify.queries import ParcelClassification

__all__ = [
    "ChunkResult",
    "Context",
    "RunState",
    "buyer_key",
    "decide_chunk",
    "keyed_hash",
    "running_totals",
]

log = logging.getLogger(__name__)
ZERO_DECIMAL = frozenset({"JPY", "KRW", "VND", "CLP", "IDR", "PYG", "ISK", "UGX"})
BIT = {s.name: np.int64(1 << s.bit) for s in SIGNALS}
WEIGHTS = {s.name: s.weight for s in SIGNALS if s.weight}
REFUSE, INSPECT, HOLD, RELEASE = 3, 2, 1, 0
SPLIT_SAME_SELLER = 1.0  # added to the split weight when one seller sent all the parts
HOLD_SIGNALS = (
    "vague",
    "vendor_tax",
    "three_order",
    "three_order_wait",
    "over_limit",
    "signature",
    "unclassified",
)
CLASSIFY_CONFIDENCE = 0.5
"""An item without an HS code takes the classifier's subheading at this calibrated confidence
or above (about one in two such suggestions right or better); below it, a dutiable parcel is
held for information, one under the duty de minimis is released with the uncertainty noted."""


def buyer_key(secret_key: str) -> bytes:
    """The key buyer ids are hashed with (derived, so the secret itself never hashes data)."""
    return hmac.new(secret_key.encode(), b"smartcustoms/ecommerce/buyer-id", "sha256").digest()


def keyed_hash(key: bytes, value: str) -> str:
    return hmac.digest(key, value.encode(), "sha256").hex()[:32]


@dataclass
class Context:
    economy: str
    on: date
    regime: Regime
    settings: EcomSettings
    fx: Mapping[str, float]
    """units per USD for the month of ``on``, for every currency with a rate"""
    hs_known: Callable[[set[str]], set[str]]
    """which of the given 6-digit codes are HS 2022 subheadings"""
    countries: frozenset[str]
    duty_rate: Callable[[str], float]
    """HS6 -> ad valorem duty in percent (tariff schedule, else the regime's default)"""
    norms: Mapping[str, float]
    """HS6 -> median log unit price in the local currency"""
    watch: frozenset[str]
    key: bytes
    inspect_threshold: float
    existing: Callable[[list[str]], set[str]]
    """waybills among those given that earlier manifests already stored"""
    three_orders: Callable[[pd.DataFrame, RunState], pd.DataFrame] | None = None
    """adds three-order signal columns (bits and reason text) for the given parcels"""
    rules: Sequence[Any] = ()
    """the risk feature's active selectivity rules (``RuleDefinition``)"""
    rule_context: Any = None
    """their ``RuleContext`` (watch lists)"""
    classify: Callable[[Sequence[str]], Sequence[ParcelClassification | None]] | None = None
    """HS classification of descriptions (``classify.queries.ParcelClassifier.classify_many``)
    for items declared without a code; None while no classifier is built"""

    @property
    def local(self) -> str:
        return self.regime.currency

    def to_local(self, ccy: str) -> float:
        return self.fx[self.local] / self.fx[ccy]


@dataclass
class RunState:
    """Running totals per buyer/address (count, basis sum) and seller (low-value count)."""

    seen: dict[str, int] = field(default_factory=dict)
    buyer: dict[str, tuple[int, float]] = field(default_factory=dict)
    address: dict[str, tuple[int, float]] = field(default_factory=dict)
    seller: dict[str, int] = field(default_factory=dict)
    pair: dict[str, tuple[int, float]] = field(default_factory=dict)
    """per buyer and seller ("buyer_hash|seller"): (count, basis sum)"""
    year: dict[str, float] = field(default_factory=dict)
    """per buyer: value this calendar year (per-buyer annual limits)"""


@dataclass
class ChunkResult:
    bad: list[BadParcel]
    parcels: pd.DataFrame
    items: pd.DataFrame
    bad_lines: int = 0


def _minor(ccy: str) -> int:
    return 0 if ccy in ZERO_DECIMAL else 2


def running_totals(codes: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per element: how many elements of its group so far (itself included), and their sum."""
    n = len(codes)
    order = np.argsort(codes, kind="stable")
    sc, sv = codes[order], values[order]
    start = np.r_[True, sc[1:] != sc[:-1]] if n else np.zeros(0, dtype=bool)
    pos = np.arange(n)
    first = np.maximum.accumulate(np.where(start, pos, 0)) if n else pos
    csum = np.cumsum(sv)
    before = np.where(first > 0, csum[first - 1], 0.0) if n else csum
    cnt_sorted = pos - first + 1
    sum_sorted = csum - before
    cnt, tot = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.float64)
    cnt[order], tot[order] = cnt_sorted, sum_sorted
    return cnt, tot


def _hashes(key: bytes, values: np.ndarray) -> np.ndarray:
    uniq, inv = np.unique(values.astype(str), return_inverse=True)
    hashed = np.array([keyed_hash(key, u) for u in uniq], dtype=object)
    return hashed[inv.reshape(-1)] if len(uniq) else np.zeros(0, dtype=object)


def decide_chunk(records: list[tuple[int, Any]], ctx: Context, state: RunState) -> ChunkResult:
    p, it, bad = columns(records)
    err, num = validate(p, it, ctx, state)
    bad = bad + err.report()
    good = ~err.bad
    for w, ln in zip(p["waybill"][good], p["line"][good], strict=True):
        if w:
            state.seen[w] = int(ln)
    gi = np.flatnonzero(good)
    n = len(gi)
    if n == 0:
        return ChunkResult(bad, pd.DataFrame(), pd.DataFrame(), len({b.line for b in bad}))
    reg, st, key, local = ctx.regime, ctx.settings, ctx.key, ctx.local
    dec = _minor(local)
    # -- good parcels and their items as columns ----------------------------------------------
    remap = np.full(len(good), -1, dtype=np.int64)
    remap[gi] = np.arange(n)
    P = pd.DataFrame(
        {
            "line_no": p["line"][gi],
            **{
                k: as_object(p[k][gi])
                for k in ("waybill", "order_no", "platform", "carrier", "seller", "vendor_tax_id")
            },
            "pccy": as_object(p["currency"][gi]),
            "region": as_object(p["buyer_region"][gi]),
        }
    )
    for k in P_NUM:
        P[k] = num[k][gi]
    ikeep = good[it["pidx"]] if len(it["pidx"]) else np.zeros(0, dtype=bool)
    ip = remap[it["pidx"][ikeep]]
    hs = it["hs_code"][ikeep]
    hs6 = np.array([h[:6] for h in hs], dtype=object)
    desc = it["description"][ikeep]
    # items declared without a code: the HS classifier's subheading, when it is confident
    guessed = _classify_missing(ctx.classify, desc, hs, hs6)
    icc = num["icc"][ikeep]
    qty, price = num["qty"][ikeep], num["price"][ikeep]
    # personal data only as keyed hashes, from here on
    P["buyer_hash"] = as_object(_hashes(key, p["buyer_id"][gi]))
    addr = np.array(
        [
            " ".join(a.lower().split()) + "|" + r.lower()
            for a, r in zip(p["address"][gi], p["buyer_region"][gi], strict=True)
        ],
        dtype=object,
    )
    P["address_hash"] = as_object(_hashes(key, addr))
    # -- values in the local currency ---------------------------------------------------------
    rate_of = {c: ctx.to_local(c) for c in set(icc) | set(P["pccy"])}
    irate = np.array([rate_of[c] for c in icc], dtype=np.float64)
    unit_local = price * irate
    ivalue = qty * unit_local
    prate = np.array([rate_of[c] for c in P["pccy"]], dtype=np.float64)
    freight = P["freight"].to_numpy() * prate
    insurance = P["insurance"].to_numpy() * prate
    collected = P["tax_collected"].to_numpy() * prate
    P["freight"], P["insurance"], P["tax_collected"] = freight, insurance, collected
    value = np.bincount(ip, weights=ivalue, minlength=n)
    P["value"] = value
    cif = reg.threshold_basis == "cif"
    basis = value + (freight + insurance if cif else 0.0)
    thr_rate = ctx.to_local(reg.threshold_currency) if reg.threshold_currency in ctx.fx else 1.0
    duty_thr = None if reg.duty_threshold is None else float(reg.duty_threshold) * thr_rate
    tax_thr = None if reg.tax_threshold is None else float(reg.tax_threshold) * thr_rate
    duty_relieved = basis <= duty_thr if duty_thr is not None else np.zeros(n, dtype=bool)
    tax_relieved = basis <= tax_thr if tax_thr is not None else np.zeros(n, dtype=bool)
    # vendor-collected tax (AU/NZ/SG/MY-style schemes)
    vid = P["vendor_tax_id"].to_numpy()
    has_vid = vid != ""
    vendor_bad = np.zeros(n, dtype=bool)
    vendor_ok = np.zeros(n, dtype=bool)
    fmt_ok = np.ones(n, dtype=bool)
    if reg.vendor_scheme and has_vid.any():
        pattern = re.compile(reg.vendor_pattern or r".+")
        fmt_ok = np.fromiter((bool(pattern.fullmatch(v)) for v in vid), dtype=bool, count=n)
        declared = collected > 0
        ceiling = (
            np.ones(n, dtype=bool)
            if reg.vendor_ceiling is None
            else basis <= float(reg.vendor_ceiling) * ctx.to_local(reg.currency)
        )
        vendor_bad = has_vid & (~fmt_ok | ~declared)
        vendor_ok = has_vid & fmt_ok & declared & ceiling
    # -- duties and taxes per item --------------------------------------------------------------
    rates = {h: ctx.duty_rate(h) for h in set(hs6)}
    rate = np.array([rates[h] for h in hs6], dtype=np.float64)
    share = np.divide(ivalue, value[ip], out=np.zeros(len(ip)), where=value[ip] > 0)
    extra = (freight + insurance)[ip] * share
    duty = (ivalue + (extra if cif else 0.0)) * rate / 100.0
    if reg.flat_duty_per_item:
        duty = duty + float(reg.flat_duty_per_item) * qty
    duty = np.where(duty_relieved[ip], 0.0, np.round(duty * float(reg.duty_factor), dec))
    tax = (ivalue + extra + duty) * float(reg.vat_rate) / 100.0 * float(reg.tax_factor)
    tax = np.where((tax_relieved | vendor_ok)[ip], 0.0, np.round(tax, dec))
    P["duty"] = np.round(np.bincount(ip, weights=duty, minlength=n), dec)
    P["tax"] = np.round(np.bincount(ip, weights=tax, minlength=n), dec)
    P["items"] = np.bincount(ip, minlength=n)
    # the most valuable item names the parcel's HS code and origin
    order = np.lexsort((-ivalue, ip))
    firsts = order[np.r_[True, ip[order][1:] != ip[order][:-1]]] if len(ip) else order
    P["hs_main"] = as_object(hs6[firsts])
    P["origin"] = as_object(it["origin"][ikeep][firsts])
    # -- risk signals ----------------------------------------------------------------------------
    bits = np.zeros(n, dtype=np.int64)
    score = np.zeros(n, dtype=np.float64)
    detail: dict[str, dict[int, str]] = {}
    # undervaluation against the HS unit-value norm
    norms = ctx.norms
    norm = np.array([norms.get(h, math.nan) for h in hs6], dtype=np.float64)
    luv = np.log(np.maximum(unit_local, 1e-9))
    gap = norm - luv
    with np.errstate(invalid="ignore"):
        under = np.isfinite(norm) & (gap > -math.log(st.undervaluation_ratio))
    if under.any():
        ui = np.flatnonzero(under)
        ui = ui[np.lexsort((-gap[ui], ip[ui]))]
        ui = ui[np.r_[True, ip[ui][1:] != ip[ui][:-1]]]
        pi = ip[ui]
        bits[pi] |= BIT["undervalued"]
        score[pi] += np.minimum(gap[ui], 3.0) - 1.0
        detail["undervalued"] = {
            int(ip[j]): f"unit price {unit_local[j]:.2f} {local} for HS {hs6[j]} is "
            f"{100 * math.exp(-gap[j]):.0f}% of the usual {math.exp(norm[j]):.2f} {local}"
            for j in ui
        }
    # descriptions: prohibited, vague, misfit (judged once per distinct description and code)
    dkey = np.array([d.lower() + "\x1f" + h for d, h in zip(desc, hs, strict=True)], dtype=object)
    codes, uniq = pd.factorize(dkey)
    verdicts = [_judge_description(u, reg) for u in uniq]
    prohib = np.array([v[0] for v in verdicts] or [""], dtype=object)[codes]
    vague = np.array([v[1] for v in verdicts] or [False], dtype=bool)[codes]
    misfit = np.array([v[2] for v in verdicts] or [False], dtype=bool)[codes]
    texts = {
        "prohibited": lambda j: f"{prohib[j]} ('{desc[j]}', HS {hs[j] or 'not given'})",
        "vague": lambda j: (
            f"description '{desc[j]}' is too vague to classify: say what the goods are"
        ),
        "misfit": lambda j: f"description '{desc[j]}' does not fit the declared HS {hs[j]}",
    }
    for name, mask in (("prohibited", prohib != ""), ("vague", vague), ("misfit", misfit)):
        if mask.any():
            js = np.flatnonzero(mask)
            js = js[np.r_[True, ip[js][1:] != ip[js][:-1]]]  # first such item of each parcel
            bits[ip[js]] |= BIT[name]
            detail[name] = {int(ip[j]): texts[name](j) for j in js}
    # items classified here (no code declared), or not classifiable with confidence
    if guessed:
        _classified_signals(guessed, ip, duty_relieved, bits, detail)
    # watch-listed parties
    if ctx.watch:
        hit = np.zeros(n, dtype=bool)
        who: dict[int, str] = {}
        for col, label in (
            ("seller", "seller"),
            ("platform", "platform"),
            ("carrier", "carrier"),
            ("buyer_hash", "buyer"),
        ):
            vals = P[col].to_numpy()
            m = member_of(vals, ctx.watch.__contains__)
            for i in np.flatnonzero(m & ~hit):
                who[int(i)] = f"{label} {vals[i]} is on a watch list"
            hit |= m
        bits[hit] |= BIT["watchlist"]
        detail["watchlist"] = who
    # split shipments and repeated low-value sellers: running totals in manifest order
    low = basis <= duty_thr if duty_thr is not None else np.ones(n, dtype=bool)
    split = np.zeros(n, dtype=bool)
    split_info: dict[int, str] = {}
    zero = (0, 0.0)
    same_seller = np.zeros(n, dtype=bool)
    pair = np.array(
        [b + "|" + s for b, s in zip(P["buyer_hash"], P["seller"], strict=True)], dtype=object
    )
    for col, store, label in (
        ("buyer_hash", state.buyer, "buyer"),
        ("address_hash", state.address, "address"),
        ("pair", state.pair, "buyer from the same seller"),
    ):
        keys = pair if col == "pair" else P[col].to_numpy()
        kc, kuniq = pd.factorize(keys)
        prior = [store.get(k, zero) for k in kuniq]
        prior_n = np.array([c for c, _ in prior] or [0], dtype=np.int64)[kc]
        prior_v = np.array([v for _, v in prior] or [0.0], dtype=np.float64)[kc]
        c_run, v_run = running_totals(kc, basis)
        cnt, tot = c_run + prior_n, v_run + prior_v
        if duty_thr is not None and duty_thr > 0 and col == "pair":
            # an order split by its seller: the strongest form of the pattern
            same_seller = low & (cnt >= 2) & (tot > duty_thr)
            for i in np.flatnonzero(same_seller):
                split_info[int(i)] = (
                    f"parcel {cnt[i]} to the same buyer from the same seller within "
                    f"{st.split_window_days} days; together {tot[i]:.2f} {local}, over the de "
                    f"minimis {duty_thr:.2f} {local}"
                )
            split |= same_seller
        elif duty_thr is not None and duty_thr > 0:
            m = low & (cnt >= 2) & (tot > duty_thr) & ~split
            for i in np.flatnonzero(m):
                split_info[int(i)] = (
                    f"parcel {cnt[i]} to the same {label} within {st.split_window_days} days; "
                    f"together {tot[i]:.2f} {local}, over the de minimis {duty_thr:.2f} {local}"
                )
            split |= m
        add_n = np.bincount(kc, minlength=len(kuniq))
        add_v = np.bincount(kc, weights=basis, minlength=len(kuniq))
        for k, (c0, v0), c1, v1 in zip(kuniq, prior, add_n, add_v, strict=True):
            store[k] = (c0 + int(c1), v0 + float(v1))
    bits[split] |= BIT["split"]
    score[same_seller] += SPLIT_SAME_SELLER
    detail["split"] = split_info
    sellers = P["seller"].to_numpy()
    sc, suniq = pd.factorize(sellers)
    sprior = np.array([state.seller.get(s, 0) for s in suniq] or [0], dtype=np.int64)
    s_low = np.zeros(n, dtype=np.int64)
    low_idx = np.flatnonzero(low)
    if len(low_idx):
        s_low[low_idx] = running_totals(sc[low_idx], np.ones(len(low_idx)))[0]
    scount = s_low + sprior[sc]
    rep = low & (scount >= st.seller_repeat_limit)
    bits[rep] |= BIT["seller_repeat"]
    detail["seller_repeat"] = {
        int(i): f"seller {sellers[i]} sent {scount[i]} low-value parcels within "
        f"{st.split_window_days} days"
        for i in np.flatnonzero(rep)
    }
    add_low = np.bincount(sc, weights=low.astype(np.float64), minlength=len(suniq))
    for s, a in zip(suniq, add_low, strict=True):
        state.seller[s] = state.seller.get(s, 0) + int(a)
    # vendor tax
    bits[vendor_bad] |= BIT["vendor_tax"]
    detail["vendor_tax"] = {
        int(i): (
            f"vendor tax registration '{vid[i]}' does not have the format of {reg.vendor_scheme}"
            if not fmt_ok[i]
            else f"vendor tax registration '{vid[i]}' given but no tax collected declared "
            "(tax_collected)"
        )
        for i in np.flatnonzero(vendor_bad)
    }
    # three orders: signatures, reconciliation, limits (see threeorders.py)
    if ctx.three_orders is not None:
        P["basis"] = basis
        found = ctx.three_orders(P, state)
        fb = found["bits"].to_numpy(np.int64)
        bits |= fb
        for i in np.flatnonzero(fb):
            detail.setdefault("three_order", {})[int(i)] = str(found["reason"].iat[int(i)])
    # the risk feature's selectivity rules, on the items (parties: seller, carrier, platform)
    forced = np.zeros(n, dtype=np.int64)
    if ctx.rules:
        forced = _apply_rules(ctx, P, ip, hs, ivalue, it["origin"][ikeep], score, detail)
        bits[np.array(sorted(detail["rule"]), dtype=np.int64)] |= BIT["rule"]
    # random exploration: a keyed hash of the waybill, the same however the parcel is lodged
    draw = pd.util.hash_array(P["waybill"].to_numpy(), hash_key=key.hex()[:16])
    explore = (draw.astype(np.float64) / 2.0**64) < st.exploration_rate
    bits[explore] |= BIT["explore"]
    for name, w in WEIGHTS.items():
        score += np.where((bits & BIT[name]) != 0, w, 0.0)
    score = np.round(score, 2)
    # -- decisions ------------------------------------------------------------------------------
    has = {name: (bits & BIT[name]) != 0 for name in BIT}
    hold = np.zeros(n, dtype=bool)
    for name in HOLD_SIGNALS:
        hold |= has[name]
    decision = np.full(n, RELEASE, dtype=np.int64)
    decision[hold] = HOLD
    decision[(forced == HOLD) & (decision == RELEASE)] = HOLD
    decision[(score >= ctx.inspect_threshold) | has["watchlist"] | has["explore"]] = INSPECT
    decision[forced == INSPECT] = INSPECT
    decision[has["prohibited"]] = REFUSE
    names = np.array([d.value for d in DECISION_ORDER], dtype=object)
    P["decision"] = as_object(names[decision])
    P["score"], P["signals"] = score, bits
    P["status"] = as_object(np.where((decision == HOLD) | (decision == INSPECT), "open", "closed"))
    P["reasons"] = as_object(
        _reasons(
            decision,
            bits,
            detail,
            duty_relieved,
            tax_relieved,
            vendor_ok,
            P["duty"].to_numpy(),
            P["tax"].to_numpy(),
            local,
            score,
            ctx.inspect_threshold,
        )
    )
    P["currency"] = local
    items = pd.DataFrame(
        {
            "p": ip,
            "line_no": it["line_no"][ikeep],
            "description": as_object(desc),
            "hs_code": as_object(hs),
            "quantity": qty,
            "unit_price": price,
            "currency": as_object(icc),
            "origin": as_object(it["origin"][ikeep]),
            "value": ivalue,
            "duty": duty,
            "tax": tax,
        }
    )
    return ChunkResult(bad, P, items, len({b.line for b in bad}))


def _apply_rules(
    ctx: Context,
    P: pd.DataFrame,
    ip: np.ndarray,
    hs: np.ndarray,
    ivalue: np.ndarray,
    origin: np.ndarray,
    score: np.ndarray,
    detail: dict[str, dict[int, str]],
) -> np.ndarray:
    """Fire the risk feature's active rules on the items; returns a forced decision per parcel
    (red lane: inspect, yellow: hold) and adds each rule's score and words."""
    from smartcustoms.risk import rules as risk_rules

    n = len(P)
    weight = P["gross_weight"].to_numpy(dtype=np.float64)
    value = P["value"].to_numpy(dtype=np.float64)
    share = np.divide(ivalue, value[ip], out=np.zeros(len(ip)), where=value[ip] > 0)
    items = pd.DataFrame(
        {
            "hs_code": as_object(hs),
            "origin_country": as_object(origin),
            "departure_country": as_object(origin),
            "office": as_object(np.full(len(ip), "")),
            "item_value": ivalue,
            "net_mass_kg": weight[ip] * share,
            "seller_id": as_object(P["seller"].to_numpy()[ip]),
            "courier_id": as_object(P["carrier"].to_numpy()[ip]),
            "importer_id": as_object(P["platform"].to_numpy()[ip]),
            "buyer_id": as_object(P["buyer_hash"].to_numpy()[ip]),
        }
    )
    fired = risk_rules.evaluate(list(ctx.rules), items, ctx.rule_context)
    per = np.zeros((n, len(ctx.rules)), dtype=bool)
    np.logical_or.at(per, ip, fired)
    forced = np.zeros(n, dtype=np.int64)
    words: dict[int, list[str]] = {}
    for j, rule in enumerate(ctx.rules):
        hit = per[:, j]
        if not hit.any():
            continue
        score[hit] += rule.action.score_add
        if rule.action.lane == "red":
            forced[hit] = INSPECT
        elif rule.action.lane == "yellow":
            forced[hit & (forced != INSPECT)] = HOLD
        for i in np.flatnonzero(hit):
            words.setdefault(int(i), []).append(rule.describe())
    detail["rule"] = {i: "; ".join(w) for i, w in words.items()}
    return forced


@dataclass(frozen=True, slots=True)
class _Guess:
    """The HS classifier's answer for one item declared without a code."""

    description: str
    answer: ParcelClassification | None

    @property
    def confident(self) -> bool:
        a = self.answer
        return a is not None and not a.vague and a.confidence >= CLASSIFY_CONFIDENCE


def _classify_missing(
    classify: Callable[[Sequence[str]], Sequence[ParcelClassification | None]] | None,
    desc: np.ndarray,
    hs: np.ndarray,
    hs6: np.ndarray,
) -> dict[int, _Guess]:
    """Classify the items without an HS code (each distinct description once); a confident
    subheading replaces the empty code in ``hs6`` (duties, value norms). Item index -> guess."""
    if classify is None:
        return {}
    js = np.flatnonzero(hs == "")
    if not len(js):
        return {}
    texts = sorted({str(desc[j]) for j in js})
    try:
        answers = dict(zip(texts, classify(texts), strict=True))
    except Exception:  # advisory: a damaged model never stops a manifest
        log.exception("HS classifier failed; parcels without a code keep the default rate")
        return {}
    out: dict[int, _Guess] = {}
    for j in js:
        guess = _Guess(str(desc[j]), answers.get(str(desc[j])))
        if guess.confident and guess.answer is not None:
            hs6[j] = guess.answer.hs_code
        out[int(j)] = guess
    return out


def _classified_signals(
    guessed: dict[int, _Guess],
    ip: np.ndarray,
    duty_relieved: np.ndarray,
    bits: np.ndarray,
    detail: dict[str, dict[int, str]],
) -> None:
    """The ``classified`` note, or the ``unclassified`` hold of a dutiable parcel (first such
    item of each parcel)."""
    for j, g in sorted(guessed.items()):
        parcel = int(ip[j])
        a = g.answer
        if g.confident and a is not None:
            name = "classified"
            text = (
                f"no HS code declared for '{g.description}': classified as HS "
                f"{a.hs_code[:4]}.{a.hs_code[4:]} ({a.confidence:.0%} confident)"
            )
        else:
            best = (
                f" (best guess HS {a.hs_code[:4]}.{a.hs_code[4:]} at {a.confidence:.0%})"
                if a is not None and not a.vague
                else ""
            )
            need = f"; say {', '.join(a.missing)}" if a is not None and a.missing else ""
            name = "unclassified" if not duty_relieved[parcel] else "classified"
            text = (
                f"no HS code declared and '{g.description}' cannot be classified with "
                f"confidence{best}: give the HS code{need}"
            )
            if duty_relieved[parcel]:
                text += " (no duty due: under the de minimis threshold)"
        if parcel in detail.get(name, {}):
            continue
        bits[parcel] |= BIT[name]
        detail.setdefault(name, {})[parcel] = text


def _judge_description(key: str, reg: Regime) -> tuple[str, bool, bool]:
    """(prohibition reason or "", vague, misfit) for one distinct description + HS code."""
    desc, hs = key.split("\x1f", 1)
    desc = desc.strip()
    for pro in reg.prohibitions:
        if (
            pro.hs_prefix
            and hs.startswith(pro.hs_prefix)
            and (not pro.keyword or pro.keyword in desc)
        ):
            return pro.reason, False, False
        if not pro.hs_prefix and pro.keyword and pro.keyword in desc:
            return pro.reason, False, False
    cleaned = " ".join(desc.replace(",", " ").split())
    found = words(cleaned)
    if cleaned in VAGUE_TERMS or not found or all(w in VAGUE_TERMS for w in found):
        return "", True, False
    if not hs:
        return "", False, False
    chapters = keyword_chapters()
    known = [chapters[w] for w in found if w in chapters]
    # Misfit: no word points at the declared chapter, or a word that belongs to one chapter
    # only points elsewhere ("cotton t-shirt" declared as towels).
    misfit = bool(known) and (
        not any(hs[:2] in c for c in known) or any(len(c) == 1 and hs[:2] not in c for c in known)
    )
    return "", False, misfit


_ORDER = (
    "rule",
    "prohibited",
    "watchlist",
    "undervalued",
    "split",
    "misfit",
    "vague",
    "unclassified",
    "classified",
    "seller_repeat",
    "vendor_tax",
    "three_order",
    "explore",
)
_EXPLORE = "selected at random for inspection (keeps detection measures honest)"
_HEAD = {REFUSE: "refused", INSPECT: "inspect", HOLD: "held for information", RELEASE: "released"}


def _reasons(
    decision: np.ndarray,
    bits: np.ndarray,
    detail: dict[str, dict[int, str]],
    duty_relieved: np.ndarray,
    tax_relieved: np.ndarray,
    vendor_ok: np.ndarray,
    duty: np.ndarray,
    tax: np.ndarray,
    local: str,
    score: np.ndarray,
    threshold: float,
) -> list[str]:
    def dues(i: int) -> str:
        d = "duty relieved (de minimis)" if duty_relieved[i] else f"duty {duty[i]:.2f} {local}"
        if vendor_ok[i]:
            t = "tax collected by the registered vendor"
        elif tax_relieved[i]:
            t = "tax relieved (de minimis)"
        else:
            t = f"tax {tax[i]:.2f} {local}"
        return f"{d}; {t}"

    out: list[str] = []
    for i in range(len(decision)):
        if not bits[i]:
            out.append("released: no risk signal; " + dues(i))
            continue
        parts = [detail[name][i] for name in _ORDER if name in detail and i in detail[name]]
        if bits[i] & BIT["explore"]:
            parts.append(_EXPLORE)
        d = int(decision[i])
        lead = _HEAD[d]
        if d == INSPECT and score[i] >= threshold:
            lead += f" (risk score {score[i]:.2f} >= {threshold:.2f})"
        elif d == RELEASE:
            lead += f" (risk score {score[i]:.2f} below {threshold:.2f})"
        out.append(f"{lead}: " + "; ".join(parts) + "; " + dues(i))
    return out
