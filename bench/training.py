"""Risk model training time and peak memory: the KCS train split, and the split replicated 10x.

Each run is its own child process (so its peak resident memory is its own): read the files,
``RiskModel(n_estimators=T).fit(train, valid=valid)`` (features, both boosters with early
stopping on the validation split, refit on train + validation), and report seconds per phase and
the child's max RSS. The replicated split repeats every row with a fresh id at its own date, so
the history statistics see ten times the declarations (and ten times the inspections).

    SMARTCUSTOMS_DATA_DIR=../shared/data .venv/bin/python bench/training.py --replicate 1 10
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _benchkit import load_average, machine_line, now, quick, write_result

KCS = Path("customs-declarations")


def child(data: Path, replicate: int, trees: int) -> dict[str, Any]:
    import pandas as pd

    from smartcustoms.risk.ml.estimator import RiskModel
    from smartcustoms.risk.ml.features import FeatureBuilder
    from smartcustoms.risk.ml.frame import read_frame

    started = time.perf_counter()
    train = read_frame(data / KCS / "df_syn_train_eng.csv")
    valid = read_frame(data / KCS / "df_syn_valid_eng.csv")
    if replicate > 1:
        copies = []
        for k in range(replicate):
            part = train.copy()
            part["declaration_id"] = part["declaration_id"].astype(str) + f"-{k}"
            copies.append(part)
        train = pd.concat(copies, ignore_index=True).sort_values("date", kind="stable")
        train = train.reset_index(drop=True)
    read_s = time.perf_counter() - started
    # The feature pass alone (the part that stays on the client under --dask), timed apart.
    started = time.perf_counter()
    FeatureBuilder().fit_transform(train)
    features_s = time.perf_counter() - started
    started = time.perf_counter()
    model = RiskModel(n_estimators=trees, random_state=0).fit(train, valid=valid)
    fit_s = time.perf_counter() - started
    return {
        "replicate": replicate,
        "rows": len(train),
        "valid_rows": len(valid),
        "max_trees": trees,
        "best_iterations": model.best_iterations_,
        "read_s": round(read_s, 2),
        "features_s": round(features_s, 2),
        "fit_s": round(fit_s, 2),
        "rows_per_s": round(len(train) / fit_s),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "valid_precision_at_5": model.metrics_["valid"]["precision@5%"],
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        data, replicate, trees = Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        print(json.dumps(child(data, replicate, trees)))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replicate", type=int, nargs="+", default=[1, 2] if quick() else [1, 10])
    parser.add_argument("--trees", type=int, default=50 if quick() else 300)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    data = Path(os.environ.get("SMARTCUSTOMS_DATA_DIR", "../shared/data"))
    print(f"measured {now()} on {machine_line()}; load average {load_average()}")
    runs = []
    for replicate in args.replicate:
        load_before = load_average()
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(data), str(replicate), str(args.trees)],
            check=True,
            capture_output=True,
            text=True,
        )
        r: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
        r["load_average_before"], r["load_average_after"] = load_before, load_average()
        runs.append(r)
        print(
            f"train x{replicate:<3} {r['rows']:>9,} rows: fit {r['fit_s']:.1f} s "
            f"(features alone {r['features_s']:.1f} s) "
            f"({r['rows_per_s']:,} rows/s; trees {r['best_iterations']}), read {r['read_s']:.1f}"
            f" s, peak memory {r['peak_rss_mb']:,} MB, valid p@5% "
            f"{r['valid_precision_at_5']:.3f} (load {load_before[0]:.1f})"
        )
    write_result("training", {"runs": runs}, args.json)


if __name__ == "__main__":
    main()
