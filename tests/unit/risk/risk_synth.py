"""Synthetic declaration frames for fast, pure risk tests (no files, real LightGBM)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from smartcustoms.risk.ml.frame import normalize_frame


def make_frame(n: int = 400, days: int = 30, seed: int = 0) -> pd.DataFrame:
    """Declarations where importer ``BAD`` always commits fraud and HS 940350 often does."""
    rng = np.random.default_rng(seed)
    importers = np.array(["BAD", "IMP1", "IMP2", "IMP3", "IMP4", "IMP5"])
    hs = np.array(["940350", "620822", "070320", "851712"])
    importer = importers[rng.integers(0, len(importers), n)]
    hs_code = hs[rng.integers(0, len(hs), n)]
    fraud = ((importer == "BAD") | ((hs_code == "940350") & (rng.random(n) < 0.5))).astype(int)
    critical = np.where(fraud == 1, np.where(rng.random(n) < 0.2, 2, 1), 0)
    raw = pd.DataFrame(
        {
            "declaration_id": [f"D{i}" for i in range(n)],
            "date": np.datetime64("2021-01-01") + rng.integers(0, days, n).astype("timedelta64[D]"),
            "office": rng.choice(["10", "20", "30"], n),
            "process_type": "B",
            "import_type": rng.choice(["11", "21"], n),
            "import_use": "21",
            "payment_type": rng.choice(["11", "43"], n),
            "transport_mode": rng.choice(["10", "40"], n),
            "declarant_id": rng.choice(["DC1", "DC2", "DC3"], n),
            "importer_id": importer,
            "seller_id": rng.choice(["S1", "S2", "S3", "S4"], n),
            "courier_id": rng.choice(["", "C1"], n),
            "hs_code": hs_code,
            "departure_country": rng.choice(["CN", "VN", "US"], n),
            "origin_country": rng.choice(["CN", "VN"], n),
            "tax_rate": rng.choice([0.0, 8.0, 5.2], n),
            "tax_type": rng.choice(["A", "C"], n),
            "origin_indicator": rng.choice(["B", "G", "Y"], n),
            "net_mass_kg": rng.choice([1.0, 10.0, 20.7, 108.0], n),
            "item_value": np.round(rng.lognormal(9, 1.5, n), 1),
            "fraud": fraud,
            "critical_fraud": critical,
        }
    )
    return normalize_frame(raw)
