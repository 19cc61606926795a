"""Helpers for e-commerce integration tests: a carrier, an officer, small manifests."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import text

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.db.engine import Database
from smartcustoms.declarations.service import system_principal
from smartcustoms.ecommerce import generator, services

DAY = date(2026, 3, 10)
SECRET = "test-secret-key"


def carrier(economy: str = "SG") -> Principal:
    return replace(system_principal(economy, "carrier-1"), roles=frozenset({Role.CARRIER}))


def officer(economy: str = "SG") -> Principal:
    return replace(system_principal(economy, "officer-1"), roles=frozenset({Role.OFFICER}))


def parcel(waybill: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "waybill": waybill,
        "order_no": f"ORD-{waybill}",
        "platform": "PLAT-A",
        "carrier": "CARR-A",
        "seller": "SELLER-1",
        "buyer": {"id": "S1234567D", "name": "Tan Ah Kow", "region": "Central"},
        "consignee_address": "1 Harbour Road",
        "currency": "USD",
        "items": [
            {
                "description": "wireless headphones",
                "hs_code": "851830",
                "quantity": 1,
                "unit_price": 30.0,
                "currency": "USD",
                "origin": "CN",
            }
        ],
        "freight": 3.0,
        "insurance": 0.0,
        "gross_weight": 0.3,
    }
    out = copy.deepcopy(base)
    for k, v in changes.items():
        out[k] = v
    return out


def ndjson(parcels: list[Any]) -> bytes:
    return b"".join((p if isinstance(p, bytes) else orjson.dumps(p)) + b"\n" for p in parcels)


def generated(n: int, seed: int, economy: str = "SG") -> list[dict[str, Any]]:
    return [p for p, _ in generator.generate(n, seed, economy, DAY)]


def submit(db: Database, tmp: Path, data: bytes, economy: str = "SG", on: date = DAY, **kw: Any):  # type: ignore[no-untyped-def]
    return services.submit_manifest(
        db.uow(), carrier(economy), data, secret_key=SECRET, files_dir=tmp, on=on, **kw
    )


def stored(db: Database, table: str = "ecom_parcels") -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


@pytest.fixture
def files(tmp_path: Path) -> Path:
    return tmp_path / "files"
