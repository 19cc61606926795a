"""Bulk import of the KCS test split (all or nothing) and the audit chain over it."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text, update

from smartcustoms.accounts import service as accounts
from smartcustoms.audit import service as audit_service
from smartcustoms.audit.tables import AuditEntryRow
from smartcustoms.cli.main import run
from smartcustoms.db.engine import Database
from smartcustoms.declarations import service
from smartcustoms.declarations.intake import importing
from smartcustoms.declarations.model import ListFilters, Status
from smartcustoms.declarations.tables import (
    DeclarationRow,
    InspectionResultRow,
)

TEST_SPLIT = Path("customs-declarations") / "df_syn_test_eng.csv"


def count(db: Database, table: Any, *where: Any) -> int:
    with db.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table).where(*where)) or 0)


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv("SMARTCUSTOMS_DATABASE_URL", db.url)
    accounts.ensure_apec_economies(db.uow())
    return db


@pytest.mark.slow
def test_cli_imports_the_whole_test_split(
    cli: Database, shared_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = shared_data_dir / TEST_SPLIT
    assert run(["declarations", "import", str(path), "--profile", "kcs-cdd", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["stored"] == report["rows"] == 8481 and report["errors"] == []
    assert report["fraud"] == 1835 and report["critical"] == 73
    assert count(cli, DeclarationRow) == 8481
    assert count(cli, InspectionResultRow) == 8481
    assert count(cli, InspectionResultRow, InspectionResultRow.fraud.is_(True)) == 1835
    assert count(cli, InspectionResultRow, InspectionResultRow.critical.is_(True)) == 73
    p = service.system_principal("KR")
    assert (
        service.list_declarations(cli.uow(), p, ListFilters(status=Status.RELEASED)).total == 8481
    )
    # Importing the same file again changes nothing (idempotent).
    assert run(["declarations", "import", str(path), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["stored"] == 0 and again["already_present"] == 8481
    # The audit chain holds one entry per declaration plus the batch, and verifies.
    assert run(["audit", "verify", "--json"]) == 0
    verified = json.loads(capsys.readouterr().out)
    assert verified["ok"] and verified["entries"] == 8482


def _corrupt(source: Path, target: Path) -> dict[int, tuple[str, str]]:
    """Copy ``source`` with three rows broken; returns line -> (column, new value)."""
    changes = {
        3: ("HS6 Code", "999999"),
        10: ("Net Mass", "-4.0"),
        500: ("Country of Origin", "QQ"),
    }
    with source.open(newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    for line, (column, value) in changes.items():
        rows[line - 1][header.index(column)] = value
    with target.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    return changes


@pytest.mark.slow
def test_corrupted_rows_reject_the_whole_batch(
    cli: Database, shared_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "corrupt.csv"
    changes = _corrupt(shared_data_dir / TEST_SPLIT, bad)
    assert run(["declarations", "import", str(bad), "--profile", "kcs-cdd", "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["stored"] == 0 and report["invalid"] == 3
    got = {(e["row"], e["column"]) for e in report["errors"]}
    assert got == {(line, column) for line, (column, _) in changes.items()}
    assert {e["code"] for e in report["errors"]} == {
        "unknown_hs_code",
        "negative",
        "unknown_country",
    }
    assert count(cli, DeclarationRow) == 0 and count(cli, AuditEntryRow) == 0
    # Without --json the same report is a table, and the exit code is still 2.
    assert run(["declarations", "import", str(bad)]) == 2
    assert "999999" in capsys.readouterr().err


def test_dry_run_and_sample_import(cli: Database, tmp_path: Path) -> None:
    from smartcustoms.declarations.demo import load_demo, write_sample

    path = tmp_path / "sample.csv"
    write_sample(path, n=60)
    p = service.system_principal("KR")
    dry = importing.import_file(cli.uow(), p, path, "kcs-cdd", dry_run=True)
    assert dry.valid == 60 and dry.stored == 0 and count(cli, DeclarationRow) == 0
    assert load_demo(cli.uow(), None) == 400  # the built-in sample (no data directory)
    assert count(cli, DeclarationRow) == 400


def test_audit_verify_names_the_edited_row(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    from smartcustoms.declarations import control
    from smartcustoms.declarations.model import Outcome
    from tests.integration.declarations.conftest import DOC

    p = service.system_principal("KR")
    service.set_assessor_config(cli.uow(), p, {"random_red_rate": 1, "random_yellow_rate": 0})
    rec = service.submit(cli.uow(), p, DOC).record
    control.record_inspection(cli.uow(), p, rec.id, Outcome.NO_DISCREPANCY)
    assert audit_service.verify(cli.uow()).ok
    with cli.engine.begin() as conn:
        target = conn.execute(
            select(AuditEntryRow.id, AuditEntryRow.body).where(AuditEntryRow.action == "route")
        ).one()
        conn.execute(
            update(AuditEntryRow)
            .where(AuditEntryRow.id == target.id)
            .values(body=target.body.replace('"physical_inspection"', '"released"'))
        )
    report = audit_service.verify(cli.uow())
    assert not report.ok and report.broken is not None
    assert report.broken.entry_id == target.id and "changed" in report.broken.problem
    assert run(["audit", "verify"]) == 1
    assert f"audit entry {target.id}" in capsys.readouterr().err
    assert run(["audit", "verify", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["broken"]["entry_id"] == target.id


def test_audit_verify_sees_a_removed_last_entry(cli: Database) -> None:
    from tests.integration.declarations.conftest import DOC

    service.submit(cli.uow(), service.system_principal("KR"), DOC)
    with cli.engine.begin() as conn:
        last = conn.scalar(select(func.max(AuditEntryRow.id)))
        conn.execute(text("DELETE FROM audit_entries WHERE id = :i"), {"i": last})
    report = audit_service.verify(cli.uow())
    assert not report.ok and report.broken is not None
    assert "chain head" in report.broken.problem
