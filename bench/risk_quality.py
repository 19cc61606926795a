"""Risk model quality on the Customs Import Declaration Datasets (KCS, arXiv 2208.02484).

Trains on df_syn_train_eng.csv, tunes (early stopping) on df_syn_valid_eng.csv only, and reports
on df_syn_test_eng.csv, averaged over seeds, beside the paper's baseline re-run in the same
process. Test labels are never used for training, tuning or history.

    SMARTCUSTOMS_DATA_DIR=../shared/data python bench/risk_quality.py --seeds 5 \
        --report risk_quality.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

from smartcustoms.risk.ml.comparison import compare
from smartcustoms.risk.ml.evaluation import write_report
from smartcustoms.risk.ml.frame import read_frame

SHOWN = (
    "precision@1%",
    "precision@2%",
    "precision@5%",
    "precision@10%",
    "recall@5%",
    "recall@10%",
    "roc_auc",
    "critical_caught@5%",
    "critical_caught@10%",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--report", type=Path, default=None)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--no-ablation", action="store_true")
    args = parser.parse_args()
    base = Path(os.environ.get("SMARTCUSTOMS_DATA_DIR", "../shared/data")) / "customs-declarations"
    train = read_frame(base / "df_syn_train_eng.csv")
    valid = read_frame(base / "df_syn_valid_eng.csv")
    test = read_frame(base / "df_syn_test_eng.csv")
    variants = (
        {}
        if args.no_ablation
        else {"risk model, no exact-value histories": {"exact_values": False}}
    )
    started = time.perf_counter()
    results, curves = compare(
        train,
        test,
        valid=valid,
        seeds=args.seeds,
        baseline=True,
        variants=variants,
        on_step=None if args.json else (lambda s: print(f"  done: {s}", flush=True)),
    )
    elapsed = time.perf_counter() - started
    machine = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }
    doc = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "seeds": args.seeds,
        "elapsed_s": round(elapsed, 1),
        "rows": {"train": len(train), "valid": len(valid), "test": len(test)},
        "results": results,
    }
    if args.report:
        notes = [f"{k}: {v}" for k, v in machine.items()] + [f"seeds: {args.seeds}"]
        shown = {n: {k: r[k] for k in SHOWN} for n, r in results.items()}
        write_report(args.report, shown, curves, "Risk model quality (KCS test split)", notes)
    if args.json:
        print(json.dumps(doc, indent=2))
        return
    print(f"date {doc['date']}  machine {machine}  elapsed {elapsed:.0f} s  seeds {args.seeds}")
    print("| model | " + " | ".join(SHOWN) + " |")
    print("|---|" + "---|" * len(SHOWN))
    for name, res in results.items():
        cells = [f"{res[k]['mean']:.3f} ± {res[k]['std']:.3f}" for k in SHOWN]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
