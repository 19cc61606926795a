"""Demo traffic as files in the kcs-cdd layout, cut into the three periods the demo needs.

- ``history``: past traffic, every declaration inspected (its labels recorded): what the risk
  model learns from;
- ``recent``: the latest period, replayed through the learned assessor in date order; a
  declaration's label is recorded only when its lane sent it to control (as in production);
- ``arriving``: the last few days with the labels removed: declarations sent to control wait
  in the officer's queue for an inspection result.

With the KCS datasets in the data directory, the history is the train and valid splits and the
test split is cut into recent and arriving; otherwise a generated sample (fixed seeds) plays
all three, at small scale. Also reads the history for the figures the demo's selectivity rules
are built from (the importer that cheats most, the riskiest HS heading and origin).
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from smartcustoms.declarations.demo import HEADER, KCS_DIR, SPLITS, TEST_SPLIT, write_sample

ARRIVING_DAYS = 5
"""The last days of the recent period whose declarations are still waiting for control (the
sample, with fewer declarations a day, keeps more days waiting)."""
SAMPLE_ARRIVING_DAYS = 12
SAMPLE_ROWS = {"KR": 1500, "SG": 500}
SAMPLE_SEEDS = {"KR": 20210401, "SG": 65}
SAMPLE_START = date(2021, 1, 4)
SAMPLE_DAYS = 150
SAMPLE_HISTORY_DAYS = 110


@dataclass(frozen=True, slots=True)
class Traffic:
    economy: str
    history: list[Path]
    recent: Path
    arriving: Path
    is_sample: bool

    @property
    def recent_from(self) -> date:
        return _first_date(self.recent)

    @property
    def arriving_from(self) -> date:
        return _first_date(self.arriving)


def kcs_available(data_dir: Path | None) -> bool:
    return data_dir is not None and all((data_dir / KCS_DIR / s).is_file() for s in SPLITS)


def prepare_traffic(economy: str, data_dir: Path | None, workdir: Path) -> Traffic:
    """Write the economy's demo files into ``workdir`` (KR uses the KCS data when present)."""
    workdir.mkdir(parents=True, exist_ok=True)
    if economy == "KR" and kcs_available(data_dir):
        assert data_dir is not None
        history = [data_dir / KCS_DIR / s for s in SPLITS if s != TEST_SPLIT]
        rows = _read(data_dir / KCS_DIR / TEST_SPLIT)
        recent, arriving = _cut(rows, _last_days(rows, ARRIVING_DAYS))
        return Traffic(
            economy,
            history,
            _write(workdir / f"{economy}-recent.csv", recent),
            _write(workdir / f"{economy}-arriving.csv", _unlabelled(arriving)),
            is_sample=False,
        )
    generated = workdir / f"{economy}-sample.csv"
    write_sample(
        generated,
        n=SAMPLE_ROWS.get(economy, 500),
        seed=SAMPLE_SEEDS.get(economy, 7),
        start=SAMPLE_START,
        days=SAMPLE_DAYS,
    )
    rows = _read(generated)
    past, latest = _cut(rows, (SAMPLE_START + timedelta(days=SAMPLE_HISTORY_DAYS)).isoformat())
    recent, arriving = _cut(latest, _last_days(latest, SAMPLE_ARRIVING_DAYS))
    return Traffic(
        economy,
        [_write(workdir / f"{economy}-history.csv", past)],
        _write(workdir / f"{economy}-recent.csv", recent),
        _write(workdir / f"{economy}-arriving.csv", _unlabelled(arriving)),
        is_sample=True,
    )


def riskiest_importer(files: list[Path], min_declarations: int = 5) -> str | None:
    """The importer with the most frauds in ``files`` (among those caught at least half the
    time): the demo puts it on a watch list."""
    seen: Counter[str] = Counter()
    frauds: Counter[str] = Counter()
    for row in (r for f in files for r in _read(f)):
        importer = row.get("Importer ID", "")
        if importer:
            seen[importer] += 1
            frauds[importer] += row.get("Fraud") == "1"
    ranked = [
        (frauds[i], i)
        for i in seen
        if seen[i] >= min_declarations and frauds[i] * 2 >= seen[i] and frauds[i]
    ]
    return max(ranked)[1] if ranked else None


def riskiest_heading(files: list[Path], min_declarations: int = 40) -> tuple[str, str] | None:
    """The (HS heading, origin) pair with the highest fraud rate in ``files``."""
    seen: Counter[tuple[str, str]] = Counter()
    frauds: Counter[tuple[str, str]] = Counter()
    for row in (r for f in files for r in _read(f)):
        key = (row.get("HS6 Code", "").zfill(6)[:4], row.get("Country of Origin", ""))
        if key[0].isdigit() and key[1]:
            seen[key] += 1
            frauds[key] += row.get("Fraud") == "1"
    ranked = [(frauds[k] / n, n, k) for k, n in seen.items() if n >= min_declarations]
    return max(ranked)[2] if ranked else None


def cleanest_importer(files: list[Path], exclude: str | None = None) -> str | None:
    """A frequent importer never caught: the demo's trusted trader (AEO)."""
    seen: Counter[str] = Counter()
    frauds: Counter[str] = Counter()
    for row in (r for f in files for r in _read(f)):
        importer = row.get("Importer ID", "")
        if importer and importer != exclude:
            seen[importer] += 1
            frauds[importer] += row.get("Fraud") == "1"
    clean = [(n, i) for i, n in seen.items() if n >= 3 and not frauds[i]]
    return max(clean)[1] if clean else None


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: (r["Date"], r["Declaration ID"])))
    return path


def _cut(rows: list[dict[str, str]], day: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Rows dated before ``day`` (ISO), and the rest."""
    return [r for r in rows if r["Date"] < day], [r for r in rows if r["Date"] >= day]


def _last_days(rows: list[dict[str, str]], n: int) -> str:
    days = sorted({r["Date"] for r in rows})
    return days[-n] if len(days) >= n else days[0]


def _unlabelled(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    # Not inspected yet: empty label cells record no inspection result.
    return [r | {"Fraud": "", "Critical Fraud": ""} for r in rows]


def _first_date(path: Path) -> date:
    with path.open(newline="", encoding="utf-8") as f:
        first = next(csv.DictReader(f))
    return date.fromisoformat(first["Date"])


def date_range(path: Path) -> tuple[date, date]:
    """The first and last declaration date of a kcs-cdd file."""
    days = [r["Date"] for r in _read(path)]
    return date.fromisoformat(min(days)), date.fromisoformat(max(days))
