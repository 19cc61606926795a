"""What every benchmark records with its figures: the machine, the date, the load it ran under,
and a JSON result file. Imported by the bench scripts (``bench/`` is on ``sys.path`` when a script
runs as ``python bench/NAME.py``); the leading underscore keeps ``bench/_run_all.py`` from
running it as a benchmark.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

__all__ = [
    "RESULTS",
    "drop_postgres",
    "fresh_database",
    "load_average",
    "machine",
    "now",
    "peak_rss_mb",
    "postgres_url",
    "quick",
    "write_result",
]

RESULTS = Path("bench-results")


def quick() -> bool:
    """CI-sized runs: ``SMARTCUSTOMS_BENCH_QUICK=1`` (``make bench BENCH_QUICK=1``)."""
    return os.environ.get("SMARTCUSTOMS_BENCH_QUICK", "") not in ("", "0", "false", "no")


def machine() -> dict[str, Any]:
    return {
        "node": platform.node(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def machine_line() -> str:
    m = machine()
    return f"{m['node']} ({m['machine']}, {m['cpus']} CPUs, {m['system']}, Python {m['python']})"


def load_average() -> tuple[float, float, float]:
    """The 1, 5 and 15 minute load averages: on a shared machine, read figures against them."""
    return os.getloadavg()


def now() -> str:
    return f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory of this process (or of its waited-for children), MB."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def postgres_url() -> str | None:
    return os.environ.get("SMARTCUSTOMS_BENCH_POSTGRES_URL") or os.environ.get(
        "SMARTCUSTOMS_TEST_POSTGRES_URL"
    )


def fresh_database(backend: str, tmp: Path, pg_url: str | None) -> tuple[str, str | None]:
    """A new empty database: (SQLAlchemy URL, PostgreSQL database name to drop afterwards)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp / f'bench-{uuid.uuid4().hex[:6]}.db'}", None
    assert pg_url, "PostgreSQL benchmarks need SMARTCUSTOMS_BENCH_POSTGRES_URL"
    name = f"sc_bench_{uuid.uuid4().hex[:8]}"
    admin = make_url(pg_url).set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    url = (
        make_url(pg_url)
        .set(database=name, drivername="postgresql+psycopg")
        .render_as_string(hide_password=False)
    )
    return url, name


def drop_postgres(pg_url: str, name: str) -> None:
    admin = make_url(pg_url).set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def write_result(name: str, doc: dict[str, Any], path: Path | None = None) -> Path:
    """Write ``doc`` (with machine, date and load average) as JSON; returns the path."""
    out = path or RESULTS / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    full = {
        "benchmark": name,
        "measured": now(),
        "machine": machine(),
        "load_average_at_end": load_average(),
        **doc,
    }
    out.write_text(json.dumps(full, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return out
