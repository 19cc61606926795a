"""Bulk import/export: round trip, all-or-nothing with every problem reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from smartcustoms.cases import io, search, service
from smartcustoms.errors import InvalidInput, PermissionDenied
from tests.cases.helpers import principal
from tests.factories import case_data


def write_cases(folder: Path) -> None:
    folder.mkdir()
    (folder / "one.yaml").write_text(yaml.safe_dump(case_data(economy="KR")), encoding="utf-8")
    many = {
        "cases": [
            case_data(economy="SG", title="Single window for permits", themes=["single-window"]),
            case_data(economy="CN", title="Image review <b>bold</b>"),
        ]
    }
    (folder / "many.json").write_text(json.dumps(many), encoding="utf-8")


@pytest.mark.parametrize(("fmt", "single"), [("yaml", False), ("json", True)])
def test_round_trip(db, tmp_path: Path, fmt, single) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in"
    write_cases(src)
    files = tmp_path / "files"
    report = io.import_path(db.uow(), src, principal=None, publish=True, files_dir=files)
    assert len(report.created) == 3 and report.skipped == []
    assert search.search(db.uow(), "").total == 3

    out = tmp_path / "out"
    written = io.export_path(
        db.uow(), out, principal=None, fmt=fmt, single_file=single, files_dir=files
    )
    assert len(written) == (1 if single else 3)
    first = io.export_records(db.uow(), None)

    # Importing the export again changes nothing (ids and slugs are kept)...
    again = io.import_path(db.uow(), out, principal=None, publish=True, files_dir=files)
    assert again.created == [] and len(again.skipped) == 3
    # ...and into an emptied database it reproduces the same records.
    from tests.conftest import clean

    clean(db)
    io.import_path(db.uow(), out, principal=None, publish=True, files_dir=files)
    assert io.export_records(db.uow(), None) == first


def test_import_is_all_or_nothing(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "a.yaml").write_text(yaml.safe_dump(case_data(economy="KR")), encoding="utf-8")
    (folder / "b.yaml").write_text(
        yaml.safe_dump(
            {"cases": [case_data(economy="KR"), case_data(economy="KR", title="", year=1800)]}
        ),
        encoding="utf-8",
    )
    (folder / "c.json").write_text("{not json", encoding="utf-8")
    (folder / "d.yaml").write_text(
        yaml.safe_dump(case_data(economy="ZZ", themes=["x"])), encoding="utf-8"
    )
    with pytest.raises(InvalidInput) as exc:
        io.import_path(db.uow(), folder, principal=None, publish=True, files_dir=tmp_path)
    paths = {e.path: e.code for e in exc.value.errors}
    assert paths["b.yaml:cases[1].title"] == "required"
    assert paths["b.yaml:cases[1].year"] == "out_of_range"
    assert paths["c.json:"] == "invalid_json"
    assert paths["d.yaml:economy"] == "unknown_economy"
    assert paths["d.yaml:themes[0]"] == "unknown_theme"
    assert search.search(db.uow(), "").total == 0  # nothing half-stored


def test_import_as_a_user(db, actors, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in"
    write_cases(src)
    officer = principal(db, actors.user("KR", "officer"))
    with pytest.raises(PermissionDenied):
        io.import_path(db.uow(), src, principal=officer, publish=True, files_dir=tmp_path)
    with pytest.raises(InvalidInput) as exc:  # SG and CN cases are not the officer's to import
        io.import_path(db.uow(), src, principal=officer, publish=False, files_dir=tmp_path)
    assert {e.code for e in exc.value.errors} == {"other_economy"}

    only_kr = tmp_path / "kr"
    only_kr.mkdir()
    (only_kr / "one.yaml").write_text(yaml.safe_dump(case_data(economy="KR")), encoding="utf-8")
    report = io.import_path(db.uow(), only_kr, principal=officer, publish=False, files_dir=tmp_path)
    assert len(report.created) == 1
    drafts = service.list_working(db.uow(), officer)
    assert [d.status.value for d in drafts] == ["draft"]
    assert search.search(db.uow(), "").total == 0
