"""Bulk import in chunks: an import killed (SIGKILL) half-way leaves whole chunks with their
audit entries and an unfinished batch; importing the same file again completes that batch,
and nothing is duplicated."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from smartcustoms.accounts import service as accounts
from smartcustoms.audit import service as audit_service
from smartcustoms.cli.main import run
from smartcustoms.db.engine import Database
from smartcustoms.declarations import service
from smartcustoms.declarations.tables import DeclarationRow, ImportBatchRow

TEST_SPLIT = Path("customs-declarations") / "df_syn_test_eng.csv"
ROWS, CHUNK = 3000, 100


def head(source: Path, target: Path, rows: int) -> Path:
    with source.open() as f, target.open("w") as g:
        for _ in range(rows + 1):
            g.write(f.readline())
    return target


def batches(db: Database) -> list[tuple[str, str, int]]:
    with db.engine.connect() as conn:
        rows = conn.execute(select(ImportBatchRow.id, ImportBatchRow.status, ImportBatchRow.stored))
        return [(r[0], r[1], r[2]) for r in rows]


def declarations(db: Database) -> tuple[int, int]:
    """(rows, distinct references)."""
    with db.engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(DeclarationRow))
        distinct = conn.scalar(select(func.count(func.distinct(DeclarationRow.reference))))
        return int(total or 0), int(distinct or 0)


def test_killed_import_resumes_without_duplicates(
    db: Database,
    shared_data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    accounts.ensure_apec_economies(db.uow())
    file = head(shared_data_dir / TEST_SPLIT, tmp_path / "slice.csv", ROWS)
    env = os.environ | {"SMARTCUSTOMS_DATABASE_URL": db.url}
    command = [sys.executable, "-c", "from smartcustoms.cli.main import main; main()"]
    args = ["declarations", "import", str(file), "--chunk-size", str(CHUNK), "--json"]
    child = subprocess.Popen(
        command + args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and child.poll() is None:
            found = batches(db)
            if found and found[0][1] == "loading" and found[0][2] >= 3 * CHUNK:
                break
            time.sleep(0.05)
        assert child.poll() is None, "the import ended before it could be killed"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    [(batch_id, status, stored)] = batches(db)
    assert status == "loading" and 0 < stored < ROWS and stored % CHUNK == 0
    assert declarations(db) == (stored, stored)  # whole chunks only, with their audit entries
    assert audit_service.verify(db.uow()).ok
    # Lists and counts leave out the rows of an unfinished batch.
    kr = service.system_principal("KR")
    assert service.list_declarations(db.uow(), kr).total == 0
    assert service.status_counts(db.uow(), kr) == {}
    # Again: the stored rows are found (same content), the rest completes the same batch.
    monkeypatch.setenv("SMARTCUSTOMS_DATABASE_URL", db.url)
    assert run(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["batch_id"] == batch_id
    assert report["already_present"] == stored and report["stored"] == ROWS - stored
    assert batches(db) == [(batch_id, "complete", ROWS)]
    assert declarations(db) == (ROWS, ROWS)
    assert service.list_declarations(db.uow(), kr).total == ROWS
    verified = audit_service.verify(db.uow())
    assert verified.ok and verified.entries == ROWS + 1
    # And once more: nothing to do.
    assert run(args) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["stored"] == 0 and again["already_present"] == ROWS
    assert declarations(db) == (ROWS, ROWS)
