"""A seeded synthetic parcel manifest with injected frauds and their ground truth.

``generate(n, seed, economy)`` yields NDJSON-ready parcels and a ground-truth map
(waybill -> fraud kind). Same arguments, same output, byte for byte.

How parcels are made:

- goods from :data:`~smartcustoms.ecommerce.catalogue.CATALOGUE` (30 HS subheadings that fill
  e-commerce parcels), 1-3 items per parcel, prices log-normal around each product's median
  (USD), priced in USD or the importing economy's currency;
- buyers: a population of ``n``, a fifth of parcels going to ``n / 20`` frequent buyers
  (repeat buyers); sellers ``n / 200`` with the same skew; four platforms, three carriers;
- a share of parcels from vendors registered for the economy's vendor-collected tax scheme
  carry its registration number and the tax collected.

Injected frauds (shares of parcels; the truth file names each kind):

- ``undervaluation`` (2%): declared prices 5-30% of the real price, mostly from a few sellers;
- ``splitting`` (0.4% of orders, about 1.6% of parcels): one buyer's order split into 3-5
  parcels, each under the duty threshold,
  together over it, same day and address;
- ``misdescription`` (1.5%): the declared HS code of another chapter (cheaper duty), or a
  vague description ("gift", "parts");
- ``prohibited`` (0.2%): goods no economy admits in parcels (pepper spray, ivory, ...).

Three-order records (order, payment, waybill, each signed) and their frauds are written by
:mod:`smartcustoms.ecommerce.threeorders` from the same parcels.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import numpy as np

from smartcustoms.core.codes import apec_economy
from smartcustoms.ecommerce.catalogue import CATALOGUE, PROHIBITED_GOODS, VAGUE_TERMS
from smartcustoms.ecommerce.model import FraudKind, Regime
from smartcustoms.ecommerce.regimes import built_in_for, regime_on

__all__ = ["APPROX_PER_USD", "generate", "threshold_usd", "write_manifest"]

# Rough units per USD, only to place generated prices around thresholds (never for duties).
APPROX_PER_USD: dict[str, float] = {
    "USD": 1,
    "AUD": 1.5,
    "BND": 1.3,
    "CAD": 1.37,
    "CLP": 940,
    "CNY": 7.2,
    "HKD": 7.8,
    "IDR": 16000,
    "JPY": 150,
    "KRW": 1380,
    "MYR": 4.5,
    "MXN": 18.5,
    "NZD": 1.65,
    "PGK": 3.9,
    "PEN": 3.7,
    "PHP": 57,
    "RUB": 90,
    "SGD": 1.34,
    "TWD": 32,
    "THB": 35,
    "VND": 25000,
    "EUR": 0.92,
}
RATES = {"undervaluation": 0.02, "splitting": 0.004, "misdescription": 0.015, "prohibited": 0.002}
PLATFORMS = ("PLAT-TMALLGLOBAL", "PLAT-SHOPEE", "PLAT-AMAZON", "PLAT-TEMU")
CARRIERS = ("CARR-SFEXPRESS", "CARR-DHL", "CARR-POST")
REGIONS = ("North", "South", "East", "West", "Central", "Capital", "Coast", "Highlands")
ORIGINS = ("CN", "CN", "CN", "CN", "US", "KR", "JP", "VN", "DE", "GB")
VAGUE = tuple(sorted(VAGUE_TERMS))


def threshold_usd(regime: Regime | None) -> float:
    """The duty threshold in (approximate) USD; 100 when the regime has none."""
    if regime is None or regime.duty_threshold is None or regime.duty_threshold <= 0:
        return 100.0
    return float(regime.duty_threshold) / APPROX_PER_USD.get(regime.threshold_currency, 1.0)


def _vendor_id(economy: str, rng: np.random.Generator) -> str:
    digits = "".join(str(d) for d in rng.integers(0, 10, 12))
    if economy == "AU":
        return digits
    if economy == "NZ":
        return digits[:9]
    if economy == "SG":
        return f"M{digits[:8]}X"
    return f"LVG-{digits[:10]}"


THREE_ORDER_RATES = {"three_order_mismatch": 0.005, "tampered": 0.003, "over_limit": 0.003}


def generate(
    n: int,
    seed: int,
    economy: str,
    on: date | None = None,
    prefix: str | None = None,
    three_orders: bool = False,
) -> Iterator[tuple[dict[str, Any], str | None]]:
    """Yield ``(parcel, fraud kind or None)`` for ``n`` parcels.

    With ``three_orders``, record frauds are drawn too (``three_order_mismatch``, ``tampered``
    and, where the regime has limits, ``over_limit``); :func:`records_for` writes the records.
    """
    economy = economy.upper()
    on = on or date(2026, 1, 15)
    regime = regime_on(built_in_for(economy), on)
    info = apec_economy(economy)
    local = info.currency if info else "USD"
    rate = APPROX_PER_USD.get(local, 1.0)
    thr = threshold_usd(regime)
    rng = np.random.default_rng(seed)
    prefix = prefix or f"{economy}{seed % 10000:04d}"
    n_buyers = max(50, n)
    frequent = max(10, n // 20)
    n_sellers = max(20, n // 200)
    bad_sellers = max(2, n_sellers // 20)
    vendor = bool(regime and regime.vendor_scheme)
    vendor_sellers = {int(s) for s in rng.choice(n_sellers, size=n_sellers // 3, replace=False)}
    vendor_ids = {s: _vendor_id(economy, rng) for s in sorted(vendor_sellers)}
    rates = dict(RATES)
    if three_orders:
        rates |= THREE_ORDER_RATES
        if not (regime and regime.per_transaction_limit):
            rates.pop("over_limit")
    limit_usd = (
        float(regime.per_transaction_limit) / APPROX_PER_USD.get(regime.threshold_currency, 1.0)
        if regime and regime.per_transaction_limit
        else 0.0
    )
    i = 0
    split_buyer = n_buyers  # buyers who split orders come from beyond the regular population
    while i < n:
        u = rng.random()
        kind: str | None = None
        cum = 0.0
        for k, r in rates.items():
            cum += r
            if u < cum:
                kind = k
                break
        if kind == "splitting":
            parts = int(rng.integers(3, 6))
            parts = min(parts, n - i)
            if parts < 2:
                kind = None
            else:
                buyer = split_buyer
                split_buyer += 1
                seller = int(rng.integers(0, n_sellers))
                total = thr * rng.uniform(1.3, 2.5)
                for _ in range(parts):
                    share = min(total / parts * rng.uniform(0.85, 1.1), thr * 0.95)
                    p = _parcel(
                        rng,
                        i,
                        prefix,
                        economy,
                        local,
                        rate,
                        buyer,
                        seller,
                        "splitting",
                        vendor,
                        vendor_ids,
                        target_usd=share,
                    )
                    yield p, FraudKind.SPLITTING.value
                    i += 1
                continue
        # most buyers order now and then; a frequent few order several parcels a day
        buyer = int(rng.integers(0, frequent if rng.random() < 0.2 else n_buyers))
        if kind == "undervaluation" and rng.random() < 0.7:
            seller = int(rng.integers(0, bad_sellers))
        else:
            seller = int(n_sellers * rng.random() ** 2)
        target = limit_usd * rng.uniform(1.1, 1.5) if kind == "over_limit" else None
        cap = 0.85 * limit_usd if limit_usd and kind != "over_limit" else None
        p = _parcel(
            rng,
            i,
            prefix,
            economy,
            local,
            rate,
            buyer,
            seller,
            kind,
            vendor,
            vendor_ids,
            target,
            cap,
        )
        yield p, kind
        i += 1


def _money(x: float) -> float:
    return float(round(x, 2))


def _parcel(
    rng: np.random.Generator,
    i: int,
    prefix: str,
    economy: str,
    local: str,
    rate: float,
    buyer: int,
    seller: int,
    kind: str | None,
    vendor: bool,
    vendor_ids: dict[int, str],
    target_usd: float | None = None,
    cap_usd: float | None = None,
) -> dict[str, Any]:
    n_items = (
        1
        if kind in ("splitting", "prohibited", "over_limit")
        else int(rng.choice([1, 1, 1, 2, 2, 3]))
    )
    in_local = local != "USD" and rng.random() < 0.2
    ccy = local if in_local else "USD"
    factor = rate if in_local else 1.0
    items: list[dict[str, Any]] = []
    total_usd = 0.0
    weight = 0.05
    for k in range(n_items):
        if kind == "prohibited" and k == 0:
            prod = PROHIBITED_GOODS[int(rng.integers(0, len(PROHIBITED_GOODS)))]
        else:
            prod = CATALOGUE[int(rng.integers(0, len(CATALOGUE) - 1))]  # last: e-cigarettes
        qty = 1 if rng.random() < 0.8 else int(rng.integers(2, 4))
        price = prod.median_usd * float(np.exp(rng.normal(0, prod.sigma)))
        if target_usd is not None:
            price = target_usd / qty
        desc = prod.descriptions[int(rng.integers(0, len(prod.descriptions)))]
        hs = prod.hs6
        if kind == "undervaluation" and k == 0:
            price *= rng.uniform(0.05, 0.3)
        if kind == "misdescription" and k == 0:
            if rng.random() < 0.5:
                desc = VAGUE[int(rng.integers(0, len(VAGUE)))]
            else:
                other = [p for p in CATALOGUE if p.hs6[:2] != prod.hs6[:2]]
                hs = other[int(rng.integers(0, len(other)))].hs6
        total_usd += price * qty
        weight += prod.kg * qty * float(rng.uniform(0.9, 1.2))
        items.append(
            {
                "description": desc,
                "hs_code": hs,
                "quantity": qty,
                "unit_price": _money(price * factor),
                "currency": ccy,
                "origin": ORIGINS[int(rng.integers(0, len(ORIGINS)))],
            }
        )
    if cap_usd is not None and total_usd > cap_usd:
        # a legitimate order stays within the per-transaction limit
        scale = cap_usd / total_usd
        for item in items:
            item["unit_price"] = _money(item["unit_price"] * scale)
        total_usd = cap_usd
    parcel: dict[str, Any] = {
        "waybill": f"{prefix}{i:09d}",
        "order_no": f"ORD{prefix}{i:09d}",
        "platform": PLATFORMS[seller % len(PLATFORMS)],
        "carrier": CARRIERS[(seller + i) % len(CARRIERS)],
        "seller": f"SELLER-{seller:06d}",
        "buyer": {
            "id": f"{buyer * 7919 + 100000000:018d}",
            "name": f"Buyer {buyer}",
            "region": REGIONS[buyer % len(REGIONS)],
        },
        "consignee_address": f"Flat {buyer // 997 + 1}, {buyer % 997 + 1} Harbour Road",
        "currency": ccy,
        "items": items,
        "freight": _money(float(rng.uniform(1, 8)) * factor),
        "insurance": 0.0,
        "gross_weight": round(weight, 3),
    }
    if vendor and seller in vendor_ids and kind != "prohibited":
        parcel["vendor_tax_id"] = vendor_ids[seller]
        parcel["tax_collected"] = _money(total_usd * factor * 0.1)
    return parcel


def write_manifest(
    path: Any,
    n: int,
    seed: int,
    economy: str,
    on: date | None = None,
    three_orders: bool = False,
) -> dict[str, int]:
    """Write ``n`` parcels as NDJSON to ``path``, the truth beside it (``.truth.csv``) and,
    with ``three_orders``, the signed records (``.records.ndjson``) and the parties' keys
    (``.keys.json``). Returns the count of each fraud kind injected.
    """
    import contextlib
    import json
    from pathlib import Path

    import orjson

    out = Path(path)
    counts: dict[str, int] = {}
    keys = party_keys(seed) if three_orders else {}
    rng = np.random.default_rng(seed + 104729)
    with contextlib.ExitStack() as stack:
        fh = stack.enter_context(out.open("wb"))
        truth = stack.enter_context(Path(f"{out}.truth.csv").open("w", encoding="utf-8"))
        records = (
            stack.enter_context(Path(f"{out}.records.ndjson").open("wb")) if three_orders else None
        )
        truth.write("waybill,fraud\n")
        for parcel, kind in generate(n, seed, economy, on, three_orders=three_orders):
            fh.write(orjson.dumps(parcel) + b"\n")
            if kind:
                counts[kind] = counts.get(kind, 0) + 1
                truth.write(f"{parcel['waybill']},{kind}\n")
            if records is not None:
                for rec in records_for(parcel, kind, keys, rng):
                    records.write(orjson.dumps(rec) + b"\n")
    if three_orders:
        Path(f"{out}.keys.json").write_text(json.dumps(keys, indent=1), encoding="utf-8")
    return counts


PAYMENT_PROVIDERS = ("PAY-ALIPAY", "PAY-STRIPE")


def party_keys(seed: int) -> dict[str, dict[str, str]]:
    """Deterministic Ed25519 keys for the generated platforms, payment providers, carriers."""
    from smartcustoms.ecommerce import signing

    rng = np.random.default_rng(seed + 7919)
    out: dict[str, dict[str, str]] = {}
    for kind, parties in (
        ("platform", PLATFORMS),
        ("payment", PAYMENT_PROVIDERS),
        ("carrier", CARRIERS),
    ):
        for party in parties:
            private, public = signing.keypair_from_seed(rng.bytes(32))
            out[party] = {"kind": kind, "public_key": public, "private_key": private}
    return out


def records_for(
    parcel: dict[str, Any],
    kind: str | None,
    keys: dict[str, dict[str, str]],
    rng: np.random.Generator,
) -> list[dict[str, Any]]:
    """The platform's order, the payment record and the carrier's waybill for ``parcel``,
    each signed by its party; ``three_order_mismatch`` and ``tampered`` break them."""
    from smartcustoms.ecommerce import signing

    goods = round(sum(it["quantity"] * it["unit_price"] for it in parcel["items"]), 2)
    tax = float(parcel.get("tax_collected") or 0.0)
    paid = round(goods + parcel["freight"] + tax, 2)
    buyer = parcel["buyer"]["id"]
    payer = PAYMENT_PROVIDERS[int(parcel["waybill"][-1]) % len(PAYMENT_PROVIDERS)]
    order = {
        "order_no": parcel["order_no"],
        "platform": parcel["platform"],
        "goods_value": goods,
        "freight": parcel["freight"],
        "tax": tax,
        "discount": 0.0,
        "amount_paid": paid,
        "currency": parcel["currency"],
        "buyer_id": buyer,
        "consignee_address": parcel["consignee_address"],
    }
    payment = {
        "order_no": parcel["order_no"],
        "amount_paid": paid,
        "currency": parcel["currency"],
        "payer_id": buyer,
        "transaction_id": f"TX{parcel['waybill']}",
    }
    waybill = {
        "order_no": parcel["order_no"],
        "waybill": parcel["waybill"],
        "freight": parcel["freight"],
        "consignee_address": parcel["consignee_address"],
    }
    if kind == "three_order_mismatch":
        what = int(rng.integers(0, 3))
        if what == 0:
            payment["amount_paid"] = round(paid * 0.6, 2)
        elif what == 1:
            waybill["consignee_address"] = "99 Other Street"
        else:
            payment["payer_id"] = "OTHER-PAYER-1"
    out: list[dict[str, Any]] = []
    for rec_kind, party, payload in (
        ("order", parcel["platform"], order),
        ("payment", payer, payment),
        ("waybill", parcel["carrier"], waybill),
    ):
        signature = signing.sign(keys[party]["private_key"], payload)
        out.append(
            {"kind": rec_kind, "party_id": party, "payload": payload, "signature": signature}
        )
    if kind == "tampered":
        # the payload changes after it was signed: the signature no longer verifies
        victim = out[int(rng.integers(0, 3))]
        changed: dict[str, Any] = dict(victim["payload"])
        if "amount_paid" in changed:
            changed["amount_paid"] = round(float(changed["amount_paid"]) * 0.5, 2)
        else:
            changed["consignee_address"] = "1 Changed Road"
        victim["payload"] = changed
    return out
