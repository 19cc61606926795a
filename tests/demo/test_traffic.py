"""The demo traffic is cut into history, recent period and arriving declarations (issue 8)."""

from __future__ import annotations

import csv
from pathlib import Path

from smartcustoms.demo.traffic import (
    cleanest_importer,
    prepare_traffic,
    riskiest_heading,
    riskiest_importer,
)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_the_sample_is_cut_by_date_and_the_last_days_have_no_labels(tmp_path: Path) -> None:
    traffic = prepare_traffic("KR", None, tmp_path)
    assert traffic.is_sample
    history = rows(traffic.history[0])
    recent, arriving = rows(traffic.recent), rows(traffic.arriving)
    assert history and recent and arriving
    assert max(r["Date"] for r in history) < min(r["Date"] for r in recent)
    assert max(r["Date"] for r in recent) < min(r["Date"] for r in arriving)
    assert all(r["Fraud"] in ("0", "1") for r in history + recent)
    assert all(r["Fraud"] == "" and r["Critical Fraud"] == "" for r in arriving)
    assert traffic.recent_from.isoformat() == min(r["Date"] for r in recent)


def test_economies_get_traffic_of_their_own(tmp_path: Path) -> None:
    kr = prepare_traffic("KR", None, tmp_path / "kr")
    sg = prepare_traffic("SG", None, tmp_path / "sg")
    kr_refs = {r["Declaration ID"] for r in rows(kr.history[0])}
    sg_refs = {r["Declaration ID"] for r in rows(sg.history[0])}
    assert kr_refs and sg_refs and not kr_refs & sg_refs


def test_rules_are_built_from_what_the_history_shows(tmp_path: Path) -> None:
    traffic = prepare_traffic("KR", None, tmp_path)
    history = rows(traffic.history[0])
    watched = riskiest_importer(traffic.history)
    assert watched is not None
    mine = [r for r in history if r["Importer ID"] == watched]
    assert sum(r["Fraud"] == "1" for r in mine) * 2 >= len(mine)
    heading = riskiest_heading(traffic.history, 15)
    assert heading is not None and len(heading[0]) == 4
    trusted = cleanest_importer(traffic.history, exclude=watched)
    assert trusted and trusted != watched
    assert not any(r["Fraud"] == "1" for r in history if r["Importer ID"] == trusted)
