"""Online targeting on the KCS declarations: learning only from what was inspected.

Replays train + valid + test (18 months) week by week at a 10% inspection budget for each
selection strategy, with and without the exact-value history features, beside the
full-information bound (a model that sees every label); then the cross-economy experiment
(three economies split by office; local-only vs shared model updates). Prints the figures, the
machine and the date, and writes a JSON result.

    SMARTCUSTOMS_DATA_DIR=../shared/data python bench/risk_online.py \
        --out bench-results/risk_online.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from smartcustoms.risk.ml.frame import read_frame
from smartcustoms.risk.ml.online.federated import run_experiment
from smartcustoms.risk.ml.online.simulator import (
    OnlineConfig,
    compare_to_full_information,
    full_information_config,
    simulate,
)

STRATEGIES = ("exploit", "random", "diverse", "adaptive")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=0.10)
    parser.add_argument("--trees", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument("--out", type=Path, default=Path("bench-results/risk_online.json"))
    args = parser.parse_args()
    base = Path(os.environ.get("SMARTCUSTOMS_DATA_DIR", "../shared/data")) / "customs-declarations"
    splits = {s: read_frame(base / f"df_syn_{s}_eng.csv") for s in ("train", "valid", "test")}
    frame = pd.concat(splits.values(), ignore_index=True)
    started = time.perf_counter()
    results: dict[str, dict[str, object]] = {}
    for exact in (True, False):
        variant = "with exact values" if exact else "without exact values"
        config = OnlineConfig(
            rate=args.rate, n_estimators=args.trees, exact_values=exact, seed=args.seed
        )
        t0 = time.perf_counter()
        full = simulate(frame, full_information_config(config))
        rows: dict[str, object] = {"full-information": full.summary()}
        took = time.perf_counter() - t0
        print(f"[{variant}] full-information  {_fmt(full.summary())}  ({took:.0f} s)")
        for strategy in args.strategies.split(","):
            for ipw in (False, True) if strategy == "random" else (False,):
                t0 = time.perf_counter()
                run = simulate(
                    frame, OnlineConfig(**(asdict(config) | {"strategy": strategy, "ipw": ipw}))
                )
                name = strategy + (" + ipw" if ipw else "")
                rows[name] = run.summary() | compare_to_full_information(run, full)
                ratio = rows[name]["precision_ratio_to_full_information"]  # type: ignore[index]
                print(
                    f"[{variant}] {name:16s}  {_fmt(run.summary())}  ratio {ratio:.3f}"
                    f"  ({time.perf_counter() - t0:.0f} s)"
                )
        results[variant] = rows
    federated = {}
    train = pd.concat([splits["train"], splits["valid"]], ignore_index=True)
    for exact in (True, False):
        fed = run_experiment(train, splits["test"], rate=args.rate, exact_values=exact)
        federated["with exact values" if exact else "without exact values"] = fed
        for name, r in fed["economies"].items():
            print(
                f"[federated, exact={exact}] {name}: local {r['local_precision']:.3f}"
                f" shared {r['shared_precision']:.3f} (gain {r['gain']:+.3f})"
            )
    doc = {
        "benchmark": "risk_online",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "rows": len(frame),
        "rate": args.rate,
        "trees": args.trees,
        "seconds": round(time.perf_counter() - started, 1),
        "simulation": results,
        "federated": federated,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=2, default=str))
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, {doc['date']}, {doc['seconds']} s")
    print(f"written to {args.out}")


def _fmt(s: dict[str, float]) -> str:
    return (
        f"precision {s['precision']:.3f}  recall {s['recall']:.3f}"
        f"  critical recall {s['critical_recall']:.3f}"
    )


if __name__ == "__main__":
    main()
