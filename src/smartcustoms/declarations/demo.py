"""Demo traffic: the KCS test split when the data is present, else a generated sample.

Both paths go through the same mapping profile and importer as real files, so the demo shows
exactly what an import produces. The generated sample uses only HS codes and months that the
built-in reference sample knows, and a fixed seed, so every demo looks the same.
"""

from __future__ import annotations

import csv
import random
import tempfile
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from smartcustoms.accounts import service as accounts
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations.intake import importing
from smartcustoms.declarations.service import system_principal
from smartcustoms.tariff import service as tariff
from smartcustoms.tariff.derive import Observation, derive_lines, kr_demo_settings

KCS_DIR = "customs-declarations"
TEST_SPLIT = "df_syn_test_eng.csv"
SPLITS = ("df_syn_train_eng.csv", "df_syn_valid_eng.csv", TEST_SPLIT)
SAMPLE_SIZE = 400
SEED = 20210401
HEADER = [
    "Declaration ID",
    "Date",
    "Office ID",
    "Process Type",
    "Import Type",
    "Import Use",
    "Payment Type",
    "Mode of Transport",
    "Declarant ID",
    "Importer ID",
    "Seller ID",
    "Courier ID",
    "HS6 Code",
    "Country of Departure",
    "Country of Origin",
    "Tax Rate",
    "Tax Type",
    "Country of Origin Indicator",
    "Net Mass",
    "Item Price",
    "Fraud",
    "Critical Fraud",
]
# Subheadings the built-in HS sample holds (batteries, transformers, solar cells, analysers).
SAMPLE_HS = [
    "850410",
    "850440",
    "850450",
    "850490",
    "850710",
    "850760",
    "850780",
    "854141",
    "854142",
    "854143",
    "854190",
    "902710",
    "902750",
    "902781",
    "902789",
]
# (origin, rate type claimed, share): the mix of preferences the KCS data shows.
ORIGINS = [
    ("CN", "FCN1", 0.35),
    ("CN", "A", 0.15),
    ("JP", "C", 0.12),
    ("US", "FUS1", 0.1),
    ("DE", "FEU1", 0.08),
    ("VN", "FAS1", 0.06),
    ("TW", "A", 0.05),
    ("KR", "A", 0.04),
    ("TH", "FAS1", 0.03),
    ("MY", "A", 0.02),
]
BASE_RATE = {"A": Decimal(8), "C": Decimal("6.5")}

DemoProgress = Callable[[str, int, int], None]


def observations(path: Path) -> Iterable[Observation]:
    """(HS6, rate type, rate, origin) of every row of a KCS file: read as plain CSV columns,
    not mapped into whole declarations (ten times quicker on the 54,000 rows of the demo)."""
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            try:
                rate = Decimal((row.get("Tax Rate") or "").strip())
            except ArithmeticError:
                continue
            yield Observation(
                (row.get("HS6 Code") or "").strip().zfill(6),
                (row.get("Tax Type") or "").strip(),
                rate,
                (row.get("Country of Origin") or "").strip(),
            )


def load_kr_demo_schedule(uow: UnitOfWork, files: list[Path]) -> int:
    """Derive the demonstration KR schedule from KCS files and store it; returns its lines."""
    obs = [o for f in files for o in observations(f)]
    names = ", ".join(f.name for f in files)
    summary = tariff.set_schedule(
        uow,
        system_principal("KR"),
        kr_demo_settings(f"the KCS declaration datasets ({names})"),
        derive_lines(obs),
    )
    return summary.lines


def load_demo(uow: UnitOfWork, data_dir: Path | None, progress: DemoProgress | None = None) -> int:
    """Load demo declarations for KR; returns how many are stored (0 if already there)."""
    accounts.ensure_apec_economies(uow)
    if data_dir is not None and (data_dir / KCS_DIR / TEST_SPLIT).is_file():
        test = data_dir / KCS_DIR / TEST_SPLIT
        splits = [data_dir / KCS_DIR / s for s in SPLITS if (data_dir / KCS_DIR / s).is_file()]
        load_kr_demo_schedule(uow, splits)
        report = importing.import_file(
            uow, system_principal("KR"), test, "kcs-cdd", progress=progress
        )
        return report.stored
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kcs-cdd-sample.csv"
        write_sample(path)
        load_kr_demo_schedule(uow, [path])
        report = importing.import_file(
            uow, system_principal("KR"), path, "kcs-cdd", progress=progress
        )
        return report.stored


def write_sample(
    path: Path,
    n: int = SAMPLE_SIZE,
    seed: int = SEED,
    *,
    start: date = date(2021, 4, 1),
    days: int = 90,
) -> None:
    """A kcs-cdd-shaped file of ``n`` plausible declarations dated over ``days`` days from
    ``start`` (about 20 % labelled fraud).

    Fraud is not drawn blindly: a few importers cheat often, undervalued goods and goods whose
    origin differs from their departure more often than the rest. So a risk model trained on
    the sample has something real to learn, and its explanations say something."""
    rng = random.Random(seed)
    declarants = [_code(rng, 7) for _ in range(25)]
    importers = [_code(rng, 7) for _ in range(120)]
    cheats = set(importers[:8])
    sellers = [_code(rng, 7) for _ in range(80)]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for i in range(n):
            origin, rate_type, _ = rng.choices(ORIGINS, weights=[o[2] for o in ORIGINS])[0]
            hs = rng.choice(SAMPLE_HS)
            rate = BASE_RATE.get(rate_type, Decimal(0))
            mass = Decimal(rng.randint(1, 20000)) / 10
            per_kg = rng.randint(2000, 90000)
            undervalued = rng.random() < 0.1
            if undervalued:
                per_kg = rng.randint(50, 600)
            price = (mass * Decimal(per_kg)).quantize(Decimal(1))
            importer = rng.choice(importers)
            departure = origin if rng.random() < 0.8 else rng.choice(["HK", "SG", "US", "CN"])
            risk = 0.08 + 0.55 * (importer in cheats) + 0.3 * undervalued
            risk += 0.12 * (departure != origin)
            fraud = rng.random() < risk
            critical = "2" if fraud and rng.random() < 0.1 else ("1" if fraud else "0")
            writer.writerow(
                [
                    str(90000000 + seed % 1000 * 100000 + i),
                    (start + timedelta(days=rng.randint(0, days - 1))).isoformat(),
                    rng.choice(["20", "30", "40", "16"]),
                    "B",
                    "11",
                    "21",
                    rng.choice(["11", "43", "18"]),
                    rng.choice(["10", "40"]),
                    rng.choice(declarants),
                    importer,
                    rng.choice(sellers) if rng.random() < 0.9 else "",
                    "",
                    hs,
                    departure,
                    origin,
                    str(rate),
                    rate_type,
                    rng.choice(["E", "G", "Y", "B", "S"]),
                    str(mass),
                    str(price),
                    "1" if fraud else "0",
                    critical,
                ]
            )


def _code(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(n))
