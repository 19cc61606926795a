"""Intake throughput: the KCS test split replicated to N declarations through the real import path.

Per backend (SQLite, and PostgreSQL when ``SMARTCUSTOMS_BENCH_POSTGRES_URL`` or
``SMARTCUSTOMS_TEST_POSTGRES_URL`` is set): migrate a fresh database, load the reference data
(HS, countries, FX), the KR demonstration tariff schedule derived from the KCS files, an
inspection budget (3% red, 7% yellow, 1% exploration) and a risk model trained on the train split
(validation split for early stopping, activated). Then time ``declarations import FILE --profile
kcs-cdd --assess`` end to end: read, map, validate every row, duties and taxes, risk features,
scores, lane decisions (rolling thresholds, history updated day by day), store, audit chain. In
the same run and on the same rows, the bare model: both boosters on the prepared feature matrix
(numpy in, scores out), and features + boosters from the frame; the ratio says what everything
around the model costs.

The file: the test split (8,481 rows, 2021-04..06) replicated with fresh declaration ids and
sorted by date, so the intake arrives in date order at the split's own dates, N/91 declarations
a day (about 11,000 a day at a million: a large administration's peak).

    SMARTCUSTOMS_DATA_DIR=../shared/data .venv/bin/python bench/intake.py --items 1000000
    SMARTCUSTOMS_BENCH_QUICK=1 ...   # 20,000 items
    ... --profile-out bench-results/intake.prof.txt   # cProfile of the SQLite import
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _benchkit import (
    drop_postgres,
    fresh_database,
    load_average,
    machine_line,
    now,
    peak_rss_mb,
    postgres_url,
    quick,
    write_result,
)

from smartcustoms.accounts import service as accounts
from smartcustoms.bootstrap import bootstrap
from smartcustoms.db import migrate
from smartcustoms.db.engine import Database
from smartcustoms.declarations.demo import KCS_DIR, SPLITS, load_kr_demo_schedule
from smartcustoms.declarations.intake import importing
from smartcustoms.declarations.service import system_principal
from smartcustoms.reference import service as reference
from smartcustoms.reference.sources import ReferenceSource
from smartcustoms.risk import operations, training
from smartcustoms.risk.ml.estimator import RiskModel
from smartcustoms.risk.ml.frame import read_frame

TEST, TRAIN, VALID = "df_syn_test_eng.csv", "df_syn_train_eng.csv", "df_syn_valid_eng.csv"
PARAMS = {"n_estimators": 60, "random_state": 0}
BUDGET = {"red": 0.03, "yellow": 0.07, "exploration": 0.01, "aeo_factor": 0.5}


def write_file(data: Path, items: int, out: Path) -> int:
    """The test split replicated to ``items`` rows, fresh ids, in date order."""
    base = pd.read_csv(data / KCS_DIR / TEST, dtype=str)
    repeats = -(-items // len(base))
    big = pd.concat([base] * repeats, ignore_index=True).iloc[:items].copy()
    big["Declaration ID"] = [f"N{i:09d}" for i in range(len(big))]
    big = big.sort_values("Date", kind="stable")
    big.to_csv(out, index=False)
    return len(big)


def prepare(url: str, data: Path, files_dir: Path) -> None:
    migrate.upgrade(url, "heads")
    db = Database(url)
    reference.load(
        db.uow(), ReferenceSource.from_directory(data), datasets=["hs", "countries", "fx"]
    )
    accounts.ensure_apec_economies(db.uow())
    load_kr_demo_schedule(db.uow(), [data / KCS_DIR / s for s in SPLITS])
    p = system_principal("KR")
    operations.set_budget(db.uow(), p, BUDGET)
    train = read_frame(data / KCS_DIR / TRAIN)
    valid = read_frame(data / KCS_DIR / VALID)
    training.train_from_frames(db.uow(), p, files_dir, train, valid, params=PARAMS, activate=True)
    db.dispose()


def bare_model(data: Path, file: Path) -> dict[str, Any]:
    """The model alone on the same rows: the same parameters and data as the registered one
    (training is deterministic), so the same trees."""
    model = RiskModel(**PARAMS, refit_full=False).fit(
        read_frame(data / KCS_DIR / TRAIN), valid=read_frame(data / KCS_DIR / VALID)
    )
    frame = read_frame(file)
    started = time.perf_counter()
    matrix = model.features(frame, batch_history=False)
    features_s = time.perf_counter() - started
    started = time.perf_counter()
    fraud = model.fraud_booster_.predict(matrix, num_threads=1)
    critical = model.critical_booster_.predict(matrix, num_threads=1)
    boosters_s = time.perf_counter() - started
    assert len(fraud) == len(critical) == len(frame)
    n = len(frame)
    return {
        "rows": n,
        "features_s": round(features_s, 3),
        "boosters_s": round(boosters_s, 3),
        "boosters_per_s": round(n / boosters_s),
        "features_and_boosters_per_s": round(n / (features_s + boosters_s)),
        "mean_fraud_score": float(np.mean(fraud)),
    }


class ChunkLog:
    """CPU per item of each chunk of the check pass and of the store pass, the cyclic
    collector's part of it, and resident memory after it: says whether the cost per item grows
    with the volume. A ``progress`` callback of :func:`importing.import_file`: a check chunk
    runs from its ``read`` tick to the next one (or to the store pass's first tick); a store
    chunk ends at the importing pass's ``store`` tick, the one that counts against all the
    file's rows (lodging's own ticks count within the chunk). A store chunk's CPU is split at
    lodging's ticks: ``prepare`` (until the assessor starts), ``assess`` (lanes), ``rows``
    (building the rows and audit events), ``insert`` (declarations, items, inspections),
    ``audit`` (the chain) and ``commit``."""

    def __init__(self) -> None:
        self.chunks: list[dict[str, Any]] = []
        self.gc_cpu = 0.0
        self.gc_full = 0
        self._gc_started = 0.0
        self._rows = 0
        self._stored = 0
        self._stage = ""
        self._mark = (0.0, 0.0)
        self._phases: dict[str, float] = {}
        self._phase_mark = 0.0
        gc.callbacks.append(self._on_gc)

    def close(self) -> None:
        gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.process_time()
            return
        self.gc_cpu += time.process_time() - self._gc_started
        self.gc_full += info["generation"] == 2

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == "read":
            self._end_chunk()
            self._stage, self._rows = "check", done
        elif stage in ("assess", "store") and self._stage == "check":
            self._end_chunk()
            self._stage = "store"
        if self._stage != "store":
            return
        if stage == "store" and total == self._rows and done > self._stored:
            self._phase("commit")
            self._end_chunk(done - self._stored)
            self._stored = done
        elif stage == "assess":
            self._phase("assess" if done else "prepare")
        elif stage == "store":
            self._phase("rows" if done == 0 else "insert" if done < total else "audit")

    def _phase(self, name: str) -> None:
        cpu = time.process_time()
        self._phases[name] = self._phases.get(name, 0.0) + cpu - self._phase_mark
        self._phase_mark = cpu

    def _end_chunk(self, rows: int | None = None) -> None:
        cpu = time.process_time()
        if self._stage:
            if rows is None:
                rows = self._rows - sum(c["rows"] for c in self.chunks if c["stage"] == "check")
            self.chunks.append(
                {
                    "stage": self._stage,
                    "rows": rows,
                    "cpu_ms_per_item": round((cpu - self._mark[0]) * 1000 / max(rows, 1), 3),
                    "gc_ms_per_item": round((self.gc_cpu - self._mark[1]) * 1000 / max(rows, 1), 3),
                    "rss_mb": round(_rss_mb()),
                    "full_collections": self.gc_full,
                    **{
                        f"{k}_ms_per_item": round(v * 1000 / max(rows, 1), 3)
                        for k, v in self._phases.items()
                    },
                }
            )
            c = self.chunks[-1]
            upto = self._rows if c["stage"] == "check" else self._stored + rows
            print(
                f"  {c['stage']:<5} chunk to row {upto:>9,}:"
                f" {c['cpu_ms_per_item']:.3f} ms CPU/item (collector {c['gc_ms_per_item']:.3f}),"
                f" RSS {c['rss_mb']:,} MB, full collections so far {c['full_collections']}"
                + "".join(f"; {k} {v * 1000 / max(rows, 1):.3f}" for k, v in self._phases.items()),
                flush=True,
            )
        self._mark = (cpu, self.gc_cpu)
        self._phases, self._phase_mark = {}, cpu


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_import(
    url: str, file: Path, chunk: int, profile_out: Path | None, chunk_log: bool = False
) -> dict[str, Any]:
    db = Database(url)
    container = bootstrap(db=db)
    p = system_principal("KR")
    profiler = cProfile.Profile() if profile_out else None
    log = ChunkLog() if chunk_log else None
    load_before = load_average()
    cpu0 = time.process_time()
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    report = importing.import_file(
        container.uow(), p, file, "kcs-cdd", assess=True, chunk_size=chunk, progress=log
    )
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu0
    if profiler and profile_out:
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(40)
        profile_out.parent.mkdir(parents=True, exist_ok=True)
        profile_out.write_text(text.getvalue())
        print(f"profile written to {profile_out}")
    container.close()
    db.dispose()
    if log is not None:
        log.close()
    return {
        "rows": report.rows,
        "stored": report.stored,
        "assessed": report.assessed,
        "lanes": report.lanes,
        "seconds": round(seconds, 2),
        "items_per_s": round(report.stored / seconds),
        "cpu_s": round(cpu, 2),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        **({"chunks": log.chunks} if log is not None else {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=20_000 if quick() else 1_000_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--chunk-size", type=int, default=importing.CHUNK_ROWS)
    parser.add_argument("--profile-out", type=Path, default=None, help="cProfile (SQLite)")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--chunk-log",
        action="store_true",
        help="CPU per item, collector time and memory per chunk of each pass (SQLite)",
    )
    args = parser.parse_args()
    data = Path(os.environ.get("SMARTCUSTOMS_DATA_DIR", "../shared/data"))
    pg = postgres_url()
    backends = [b for b in args.backends.split(",") if b == "sqlite" or (b == "postgres" and pg)]
    print(f"measured {now()} on {machine_line()}; load average {load_average()}")
    results: dict[str, Any] = {"items": args.items, "chunk_size": args.chunk_size}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        file = tmp / "intake.csv"
        started = time.perf_counter()
        rows = write_file(data, args.items, file)
        print(f"wrote {rows:,} declarations in {time.perf_counter() - started:.1f} s")
        bare = bare_model(data, file)
        results["bare_model"] = bare
        print(
            f"bare model on the same {bare['rows']:,} rows: boosters {bare['boosters_per_s']:,}/s,"
            f" features + boosters {bare['features_and_boosters_per_s']:,}/s"
        )
        for backend in backends:
            url, name = fresh_database(backend, tmp, pg)
            try:
                started = time.perf_counter()
                prepare(url, data, tmp / f"files-{backend}")
                prep = time.perf_counter() - started
                profile = args.profile_out if backend == "sqlite" else None
                r = run_import(
                    url, file, args.chunk_size, profile, args.chunk_log and backend == "sqlite"
                )
            finally:
                if name and pg:
                    drop_postgres(pg, name)
            r["prepare_s"] = round(prep, 1)
            r["ratio_bare_boosters_to_intake"] = round(bare["boosters_per_s"] / r["items_per_s"], 1)
            results[backend] = r
            print(
                f"{backend:<9} {r['stored']:,} items in {r['seconds']:.1f} s = "
                f"{r['items_per_s']:,}/s (CPU {r['cpu_s']:.1f} s; bare boosters "
                f"{r['ratio_bare_boosters_to_intake']}x faster); lanes {r['lanes']}; "
                f"load {r['load_average_before'][0]:.1f} -> {r['load_average_after'][0]:.1f}"
            )
    results["peak_rss_mb"] = round(peak_rss_mb())
    write_result("intake", results, args.json)


if __name__ == "__main__":
    main()
