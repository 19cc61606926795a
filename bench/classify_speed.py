"""Speed of the HS code suggester: start-up, one description at a time on one core (p50/p95),
and batch throughput; with explanations (the API / CLI path) and without (the parcel path).

Uses the current model under the data home (build it first: ``smartcustoms classify build``)
and, as queries, the held-out test descriptions of the data directory (the same split as
``classify evaluate``). Pins itself to one CPU core and one BLAS thread. Prints what it
measured, the machine and the date, and writes JSON.

    SMARTCUSTOMS_DATA_DIR=../shared/data .venv/bin/python bench/classify_speed.py \\
        --out bench/classify_speed.json
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

from smartcustoms.classify import evaluation as ev  # noqa: E402
from smartcustoms.classify.data import read_corpus  # noqa: E402
from smartcustoms.classify.model import GoodsQuery  # noqa: E402
from smartcustoms.classify.store import ModelStore  # noqa: E402
from smartcustoms.config import Settings  # noqa: E402

STARTUP = """
import time, sys
t0 = time.perf_counter()
from smartcustoms.classify.store import ModelStore
from smartcustoms.classify.model import GoodsQuery
s = ModelStore.under(__import__("pathlib").Path(sys.argv[1])).load()
s.classify([GoodsQuery("cotton t-shirt")])
print(time.perf_counter() - t0)
"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--singles", type=int, default=300, help="descriptions timed one by one")
    parser.add_argument("--batch", type=int, default=2000, help="descriptions in the batch run")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    settings = Settings()
    if settings.data_dir is None:
        sys.exit("set SMARTCUSTOMS_DATA_DIR to the shared data directory")
    store = ModelStore.under(settings.home)

    env = os.environ | {"PYTHONPATH": os.pathsep.join(sys.path)}
    startups = []
    for _ in range(3):
        run = subprocess.run(
            ["taskset", "-c", "0", sys.executable, "-c", STARTUP, str(settings.home)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        startups.append(float(run.stdout.strip()))

    t0 = time.perf_counter()
    suggester = store.load()
    load_s = time.perf_counter() - t0
    corpus = read_corpus(settings.data_dir)
    test = ev.split(corpus.examples).test
    texts = [e.text for e in test]
    singles = [GoodsQuery(t) for t in (texts * 3)[: args.singles]]
    suggester.classify(singles[:5])  # warm caches

    timings: dict[str, list[float]] = {"explained": [], "codes_only": []}
    for q in singles:
        t = time.perf_counter()
        suggester.classify([q], top=5)
        timings["explained"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        suggester.classify_many([q.description], top=3)
        timings["codes_only"].append((time.perf_counter() - t) * 1000)

    batch = (texts * (args.batch // max(1, len(texts)) + 1))[: args.batch]
    t = time.perf_counter()
    for start in range(0, len(batch), 256):
        suggester.classify_many(batch[start : start + 256], top=3)
    batch_codes = len(batch) / (time.perf_counter() - t)
    t = time.perf_counter()
    explained = [GoodsQuery(x) for x in batch[:500]]
    for start in range(0, len(explained), 256):
        suggester.classify(explained[start : start + 256], top=5)
    batch_explained = len(explained) / (time.perf_counter() - t)

    result = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.processor() or ''} "
        f"{os.cpu_count()} CPUs (pinned to 1), Python {platform.python_version()}",
        "load_average": os.getloadavg(),
        "model": suggester.version,
        "queries": "held-out test descriptions of the data directory",
        "startup_seconds_median": round(statistics.median(startups), 2),
        "load_seconds_in_process": round(load_s, 2),
        "single_ms": {
            name: {
                "p50": round(pct(v, 0.5), 2),
                "p95": round(pct(v, 0.95), 2),
                "max": round(max(v), 2),
                "n": len(v),
            }
            for name, v in timings.items()
        },
        "batch_per_second": {
            "codes_only": round(batch_codes, 1),
            "explained": round(batch_explained, 1),
            "n": len(batch),
        },
    }
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
