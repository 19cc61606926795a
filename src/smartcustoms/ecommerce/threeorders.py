"""The "three orders" cross-check: the platform's order, the payment provider's payment record
and the carrier's waybill, each signed by the party that sends it, matched on order number.

Intake (:func:`intake`): every record's signature is verified with the Ed25519 key registered
for its party and kind; a record that is unsigned, signed by an unknown party or tampered with
is refused with the reason (and kept as refused, so its parcel can say why it is held). Buyer
and payer identity numbers and addresses are replaced by keyed hashes before anything is stored.

Reconciliation (:func:`reconcile`, vectorised over a chunk of parcels):

- all three records present, else the parcel **waits** (held) until the deadline;
- order arithmetic: goods + freight + tax - discount = amount paid, within the tolerance;
- the payment record's amount and currency equal the order's; the payer is the buyer;
- the manifest's buyer is the order's buyer, the waybill record names the parcel's waybill,
  the waybill's consignee address is the order's, the declared goods value is the order's;
- per-transaction and per-buyer annual limits of the regime (China: CNY 5,000 / 26,000).

Any disagreement holds the parcel with the exact mismatch in words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from smartcustoms.db.uow import UnitOfWork
from smartcustoms.ecommerce import engine, signing
from smartcustoms.ecommerce.model import SIGNAL_BY_NAME

__all__ = ["KINDS", "PARTY_KIND", "Intake", "checker", "intake", "reconcile"]

KINDS = ("order", "payment", "waybill")
PARTY_KIND = {"order": "platform", "payment": "payment", "waybill": "carrier"}
REQUIRED: dict[str, tuple[str, ...]] = {
    "order": (
        "order_no",
        "goods_value",
        "freight",
        "tax",
        "discount",
        "amount_paid",
        "currency",
        "buyer_id",
        "consignee_address",
    ),
    "payment": ("order_no", "amount_paid", "currency", "payer_id", "transaction_id"),
    "waybill": ("order_no", "waybill", "freight", "consignee_address"),
}
_NUMBERS = ("goods_value", "freight", "tax", "discount", "amount_paid")
BITS = {
    n: 1 << SIGNAL_BY_NAME[n].bit
    for n in ("three_order", "three_order_wait", "over_limit", "signature")
}


@dataclass
class Intake:
    kind: str
    order_no: str
    party_id: str
    payload: dict[str, Any]
    signature: str
    status: str
    reason: str


@dataclass
class Keys:
    by_party: Mapping[str, tuple[str, str]]
    """party id -> (kind, public key)"""
    hash_key: bytes
    extra: dict[str, Any] = field(default_factory=dict)


def _address(text: str) -> str:
    return " ".join(str(text).lower().split())


def intake(records: Sequence[Any], keys: Keys) -> list[Intake]:
    """Verify and minimise each record; refused ones keep their reason."""
    out: list[Intake] = []
    for raw in records:
        rec = raw if isinstance(raw, dict) else {}
        kind = str(rec.get("kind", ""))
        party = str(rec.get("party_id", ""))
        payload = rec.get("payload")
        payload = payload if isinstance(payload, dict) else {}
        signature = str(rec.get("signature") or "")
        order_no = str(payload.get("order_no", ""))
        reason = ""
        if kind not in KINDS:
            reason = f"kind must be one of {', '.join(KINDS)}"
        elif not order_no:
            reason = "payload.order_no is required"
        elif not signature:
            reason = f"{kind} record is not signed"
        elif party not in keys.by_party:
            reason = f"no public key is registered for party {party!r}"
        elif keys.by_party[party][0] != PARTY_KIND[kind]:
            reason = (
                f"party {party} is registered as {keys.by_party[party][0]}, not as the "
                f"{PARTY_KIND[kind]} that signs {kind} records"
            )
        elif not signing.verify(keys.by_party[party][1], payload, signature):
            reason = (
                f"{kind} record signature does not verify with the key registered for "
                f"{party} (tampered or signed with another key)"
            )
        else:
            missing = [k for k in REQUIRED[kind] if payload.get(k) in (None, "")]
            bad = [k for k in _NUMBERS if k in payload and not _is_number(payload[k])]
            if missing:
                reason = f"{kind} record lacks {', '.join(missing)}"
            elif bad:
                reason = f"{kind} record: {', '.join(bad)} must be numbers"
        out.append(
            Intake(
                kind,
                order_no[:64],
                party[:64],
                _minimise(payload, keys.hash_key),
                signature[:100],
                "refused" if reason else "accepted",
                reason,
            )
        )
    return out


def _is_number(v: Any) -> bool:
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return type(v) is not bool


def _minimise(payload: Mapping[str, Any], key: bytes) -> dict[str, Any]:
    out = dict(payload)
    for clear, hashed in (("buyer_id", "buyer_hash"), ("payer_id", "payer_hash")):
        if clear in out:
            out[hashed] = engine.keyed_hash(key, str(out.pop(clear)).strip())
    for name in ("buyer_name", "payer_name", "consignee", "telephone", "buyer_telephone"):
        out.pop(name, None)
    if "consignee_address" in out:
        out["consignee_hash"] = engine.keyed_hash(key, _address(out.pop("consignee_address")))
    return out


def _frame(rows: Sequence[Any], kind: str) -> pd.DataFrame:
    data = [
        {
            "order_no": r.order_no,
            "status": r.status,
            "reason": r.reason,
            "party": r.party_id,
            **{f"{kind}_{k}": v for k, v in r.payload.items()},
        }
        for r in rows
        if r.kind == kind
    ]
    frame = (
        pd.DataFrame(data)
        if data
        else pd.DataFrame(columns=["order_no", "status", "reason", "party"])
    )
    return (
        frame.drop_duplicates("order_no", keep="last").set_index("order_no").add_prefix(f"{kind}:")
    )


def reconcile(
    parcels: pd.DataFrame,
    records: Sequence[Any],
    ctx: engine.Context,
    state: engine.RunState | None,
) -> pd.DataFrame:
    """Bits and reasons per parcel (aligned with ``parcels``)."""
    n = len(parcels)
    st, reg, local = ctx.settings, ctx.regime, ctx.local
    bits = np.zeros(n, dtype=np.int64)
    reasons: list[list[str]] = [[] for _ in range(n)]
    orders = parcels["order_no"].astype(object).to_numpy()
    merged = pd.DataFrame({"order_no": orders})
    for kind in KINDS:
        merged = merged.join(_frame(records, kind), on="order_no")

    def status_is(kind: str, value: str) -> np.ndarray:
        col = f"{kind}:status"
        if col not in merged:
            return np.zeros(n, dtype=bool)
        return (merged[col] == value).to_numpy(dtype=bool)

    present = {k: status_is(k, "accepted") for k in KINDS}
    refused = {k: status_is(k, "refused") for k in KINDS}
    any_record = np.zeros(n, dtype=bool)
    for k in KINDS:
        any_record |= present[k] | refused[k]
    check = any_record | np.full(n, st.three_orders_required)
    deadline = datetime.combine(ctx.on, datetime.min.time()) + timedelta(
        hours=st.three_order_deadline_hours
    )
    tol = st.tolerance

    def num(col: str) -> np.ndarray:
        if col not in merged:
            return np.full(n, np.nan)
        return pd.to_numeric(merged[col], errors="coerce").to_numpy(dtype=np.float64)

    def text(col: str) -> np.ndarray:
        if col not in merged:
            return np.full(n, "", dtype=object)
        return merged[col].fillna("").astype(str).to_numpy(dtype=object)

    for k in KINDS:
        for i in np.flatnonzero(check & refused[k]):
            bits[i] |= BITS["signature"]
            reasons[i].append(f"{k} record refused: {text(f'{k}:reason')[i]}")
    missing = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(check):
        lacking = [k for k in KINDS if not present[k][i] and not refused[k][i]]
        if lacking:
            missing[i] = True
            bits[i] |= BITS["three_order_wait"]
            reasons[i].append(
                f"waiting for the {' and '.join(lacking)} record{'s' if len(lacking) > 1 else ''}"
                f" of order {orders[i]} (deadline {deadline:%Y-%m-%d %H:%M} UTC)"
            )
    goods, freight, tax = (
        num("order:order_goods_value"),
        num("order:order_freight"),
        num("order:order_tax"),
    )
    discount, paid = num("order:order_discount"), num("order:order_amount_paid")
    pay = num("payment:payment_amount_paid")
    occy, pccy = text("order:order_currency"), text("payment:payment_currency")
    with np.errstate(invalid="ignore"):
        expect = goods + freight + tax - discount
        arith = present["order"] & (np.abs(expect - paid) > tol * np.maximum(np.abs(paid), 1.0))
        amount = (
            present["order"]
            & present["payment"]
            & (np.abs(pay - paid) > tol * np.maximum(np.abs(paid), 1.0))
        )
    ccy = present["order"] & present["payment"] & (occy != pccy)
    buyer = text("order:order_buyer_hash")
    payer = present["order"] & present["payment"] & (text("payment:payment_payer_hash") != buyer)
    manifest_buyer = present["order"] & (parcels["buyer_hash"].to_numpy(dtype=object) != buyer)
    wb = present["waybill"] & (
        text("waybill:waybill_waybill") != parcels["waybill"].to_numpy(dtype=object)
    )
    consignee = (
        present["order"]
        & present["waybill"]
        & (text("waybill:waybill_consignee_hash") != text("order:order_consignee_hash"))
    )
    # declared goods value against what the order says was paid for the goods
    to_order = np.array([ctx.to_local(c) if c in ctx.fx else np.nan for c in occy])
    declared = parcels["value"].to_numpy(dtype=np.float64) / np.where(
        to_order > 0, to_order, np.nan
    )
    with np.errstate(invalid="ignore"):
        value = present["order"] & (np.abs(declared - goods) > tol * np.maximum(goods, 1.0))
    checks: list[tuple[np.ndarray, Callable[[int], str]]] = [
        (
            arith,
            lambda i: (
                f"order arithmetic: goods {goods[i]:.2f} + freight {freight[i]:.2f}"
                f" + tax {tax[i]:.2f} - discount {discount[i]:.2f} = {expect[i]:.2f} "
                f"{occy[i]}, but the amount paid is {paid[i]:.2f}"
            ),
        ),
        (
            amount,
            lambda i: (
                f"payment record says {pay[i]:.2f} {pccy[i]} paid, the order "
                f"{paid[i]:.2f} {occy[i]}"
            ),
        ),
        (ccy & ~amount, lambda i: f"payment currency {pccy[i]} is not the order's {occy[i]}"),
        (payer, lambda i: "the payer of the payment record is not the buyer of the order"),
        (manifest_buyer, lambda i: "the manifest's buyer is not the order's buyer"),
        (
            wb,
            lambda i: (
                f"waybill record names waybill {text('waybill:waybill_waybill')[i]}, "
                f"the manifest {parcels['waybill'].iat[i]}"
            ),
        ),
        (consignee, lambda i: "the consignee address of the waybill record is not the order's"),
        (
            value,
            lambda i: (
                f"declared goods value {declared[i]:.2f} {occy[i]} but the order says"
                f" {goods[i]:.2f} {occy[i]}"
            ),
        ),
    ]
    for mask, words in checks:
        for i in np.flatnonzero(mask & check):
            bits[i] |= BITS["three_order"]
            reasons[i].append(words(int(i)))
    # limits of the regime, in the local currency
    if state is not None and (reg.per_transaction_limit or reg.annual_limit):
        basis = parcels["basis"].to_numpy(dtype=np.float64)
        amount_local = np.where(present["order"] & np.isfinite(paid), paid * to_order, basis)
        if reg.per_transaction_limit:
            lim = float(reg.per_transaction_limit)
            for i in np.flatnonzero(amount_local > lim):
                bits[i] |= BITS["over_limit"]
                reasons[i].append(
                    f"amount {amount_local[i]:,.2f} {local} is over the "
                    f"per-transaction limit {lim:,.2f} {local}"
                )
        if reg.annual_limit:
            lim = float(reg.annual_limit)
            keys = parcels["buyer_hash"].to_numpy(dtype=object)
            kc, kuniq = pd.factorize(keys)
            prior = np.array([state.year.get(k, 0.0) for k in kuniq] or [0.0])[kc]
            # the year's total counts goods values (the same measure stored parcels add up to)
            goods_local = parcels["value"].to_numpy(dtype=np.float64)
            _, run = engine.running_totals(kc, goods_local)
            total = prior + run
            for i in np.flatnonzero(total > lim):
                bits[i] |= BITS["over_limit"]
                reasons[i].append(
                    f"the buyer's purchases this year come to {total[i]:,.2f} "
                    f"{local}, over the annual limit {lim:,.2f} {local}"
                )
            add = np.bincount(kc, weights=goods_local, minlength=len(kuniq))
            for k, a in zip(kuniq, add, strict=True):
                state.year[k] = state.year.get(k, 0.0) + float(a)
    return pd.DataFrame({"bits": bits, "reason": ["; ".join(r) for r in reasons]})


def checker(
    uow: UnitOfWork, ctx: engine.Context
) -> Callable[[pd.DataFrame, engine.RunState], pd.DataFrame] | None:
    """The engine's hook: fetch the records of a chunk's orders and reconcile them."""
    from smartcustoms.ecommerce.repository import EcommerceRepository

    reg = ctx.regime

    def run(parcels: pd.DataFrame, state: engine.RunState) -> pd.DataFrame:
        with uow:
            rows = EcommerceRepository(uow.session).records_for(
                ctx.economy, list(dict.fromkeys(parcels["order_no"].tolist()))
            )
            records = [
                Intake(
                    r.kind, r.order_no, r.party_id, dict(r.payload), r.signature, r.status, r.reason
                )
                for r in rows
            ]
        if (
            not records
            and not ctx.settings.three_orders_required
            and not (reg.per_transaction_limit or reg.annual_limit)
        ):
            return pd.DataFrame(
                {"bits": np.zeros(len(parcels), dtype=np.int64), "reason": [""] * len(parcels)}
            )
        return reconcile(parcels, records, ctx, state)

    return run
