"""``make bench``: run every benchmark in ``bench/`` one after the other, full size or quick.

Full size is what BENCHMARKS.md records (hours on a 2-core machine: the million-item runs, the
online replay). ``SMARTCUSTOMS_BENCH_QUICK=1`` (``make bench BENCH_QUICK=1``) runs each one at a
CI-sized scale (a few minutes in all) to show that the set still runs; its figures are not the
ones to record. Each script prints its figures and writes its JSON into ``bench-results/``; this
runner prints a summary and exits non-zero if any script failed. PostgreSQL runs are included
when ``SMARTCUSTOMS_BENCH_POSTGRES_URL`` (or ``SMARTCUSTOMS_TEST_POSTGRES_URL``) is set.

    make bench                      # everything, full size
    make bench BENCH_QUICK=1        # everything, CI-sized
    .venv/bin/python bench/_run_all.py intake api_load   # only these
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _benchkit import RESULTS, machine_line, now, quick

HERE = Path(__file__).parent
R = str(RESULTS)

# script -> (full-size arguments, quick arguments). Every script in bench/ not starting with
# "_" must be listed (checked below), so a new benchmark cannot silently drop out of the set.
PLAN: dict[str, tuple[list[str], list[str]]] = {
    "reference_load": (["--repeat", "3"], ["--repeat", "1"]),
    "declarations_import": (
        ["--repeat", "3", "--json", f"{R}/declarations_import.json"],
        ["--repeat", "1", "--json", f"{R}/declarations_import.json"],
    ),
    "intake": (["--items", "1000000"], ["--items", "20000"]),
    "store_bulk": (["--repeat", "2"], ["--repeat", "1"]),
    "api_submit": (
        ["--seconds", "20", "--json", f"{R}/api_submit.json"],
        ["--seconds", "3", "--json", f"{R}/api_submit.json"],
    ),
    "api_load": (["--seconds", "20"], ["--seconds", "3", "--rates", "100", "250"]),
    "import_under_load": (
        ["--rows", "150000", "--json", f"{R}/import_under_load.json"],
        ["--rows", "15000", "--json", f"{R}/import_under_load.json"],
    ),
    "training": (["--replicate", "1", "10"], ["--replicate", "1", "2", "--trees", "50"]),
    "risk_scoring_speed": ([], []),
    "risk_quality": (["--seeds", "5"], ["--seeds", "1", "--no-ablation"]),
    "risk_online": (
        ["--out", f"{R}/risk_online.json"],
        ["--out", f"{R}/risk_online.json", "--trees", "20", "--strategies", "exploit"],
    ),
    "ecommerce_manifest": (
        ["--parcels", "1000000", "--json", f"{R}/ecommerce_manifest.json"],
        ["--parcels", "20000", "--history", "5000", "--json", f"{R}/ecommerce_manifest.json"],
    ),
    "stats_trade": (
        ["--items", "1000000", "--json", f"{R}/stats_trade.json"],
        ["--items", "20000", "--repeat", "1", "--json", f"{R}/stats_trade.json"],
    ),
    "classify_speed": (
        ["--out", f"{R}/classify_speed.json"],
        ["--singles", "30", "--batch", "200", "--out", f"{R}/classify_speed.json"],
    ),
}


# Benchmarks that need something built first, with a check whether it already exists: on a
# fresh clone `make bench` builds it (the HS classifier: a few minutes, ~170 MB in the data home).
HAS_CLASSIFIER = (
    "from smartcustoms.classify.store import ModelStore; from smartcustoms.config import Settings; "
    "ModelStore.under(Settings().home).load()"
)
PREPARE: dict[str, tuple[list[str], list[str]]] = {
    "classify_speed": (
        [sys.executable, "-c", HAS_CLASSIFIER],
        [sys.executable, "-m", "smartcustoms", "classify", "build"],
    ),
}


def prepare(name: str, env: dict[str, str]) -> int:
    if name not in PREPARE:
        return 0
    check, build = PREPARE[name]
    if subprocess.call(check, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0:
        return 0
    print(f"--- {name} needs: {' '.join(build[1:])}", flush=True)
    return subprocess.call(build, env=env)


def main() -> int:
    scripts = sorted(p.stem for p in HERE.glob("*.py") if not p.name.startswith("_"))
    unplanned = sorted(set(scripts) - set(PLAN))
    if unplanned:
        print(f"bench/_run_all.py: no plan for {', '.join(unplanned)}; add them to PLAN")
        return 2
    chosen = sys.argv[1:] or list(PLAN)
    small = quick()
    RESULTS.mkdir(exist_ok=True)
    env = os.environ.copy()
    if not env.get("SMARTCUSTOMS_BENCH_POSTGRES_URL") and env.get("SMARTCUSTOMS_TEST_POSTGRES_URL"):
        env["SMARTCUSTOMS_BENCH_POSTGRES_URL"] = env["SMARTCUSTOMS_TEST_POSTGRES_URL"]
    print(f"{now()} on {machine_line()}: {'quick' if small else 'full-size'} run of {chosen}")
    outcome: list[tuple[str, int, float]] = []
    for name in chosen:
        full, fast = PLAN[name]
        args = fast if small else full
        print(f"\n=== {name} {' '.join(args)}", flush=True)
        started = time.perf_counter()
        code = prepare(name, env) or subprocess.call(
            [sys.executable, str(HERE / f"{name}.py"), *args], env=env
        )
        outcome.append((name, code, time.perf_counter() - started))
    print("\nbenchmark            exit   seconds")
    for name, code, seconds in outcome:
        print(f"{name:<20} {code:>4} {seconds:>9.1f}")
    return 0 if all(code == 0 for _, code, _ in outcome) else 1


if __name__ == "__main__":
    sys.exit(main())
