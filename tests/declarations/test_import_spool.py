"""The spool between the check and store passes: chunks after the first are pickled with the
document's stored text instead of the document; what is stored is the same byte for byte as
an import held in one chunk (documents, assessments, hashes, audit bodies)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import text

from smartcustoms.accounts import service as accounts
from smartcustoms.db.engine import Database
from smartcustoms.declarations.intake import importing
from smartcustoms.declarations.service import system_principal
from tests.conftest import clean

TEST_SPLIT = Path("customs-declarations") / "df_syn_test_eng.csv"
ROWS = 400


def head(source: Path, target: Path, rows: int) -> Path:
    with source.open() as f, target.open("w") as g:
        for _ in range(rows + 1):
            g.write(f.readline())
    return target


def stored_text(db: Database) -> dict[str, Any]:
    """Each declaration's JSON columns and hash as the database holds them (text), and the
    audit bodies of the import, by reference."""
    cast = "::text" if db.dialect == "postgresql" else ""
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                f"SELECT reference, document{cast}, assessment{cast}, submission_hash, status, "
                "lane FROM declarations"
            )
        ).all()
        bodies = conn.execute(
            text(
                "SELECT d.reference, a.action, a.body FROM audit_entries a "
                "JOIN declarations d ON d.id = a.entity_id"
            )
        ).all()
    audit = {(r[0], r[1]): _without_ids(r[2]) for r in bodies}
    return {"rows": {r[0]: tuple(r[1:]) for r in rows}, "audit": audit}


def _without_ids(body: str) -> str:
    """The body less what differs between two imports (ids, times, sequence, batch)."""
    out = json.loads(body)
    for key in ("seq", "entity_id", "at"):
        out.pop(key, None)
    out.get("after", {}).pop("batch", None)
    return json.dumps(out, sort_keys=True)


def test_spooled_chunks_store_what_one_chunk_stores(
    db: Database, shared_data_dir: Path, tmp_path: Path
) -> None:
    accounts.ensure_apec_economies(db.uow())
    file = head(shared_data_dir / TEST_SPLIT, tmp_path / "slice.csv", ROWS)
    p = system_principal("KR")
    one = importing.import_file(db.uow(), p, file, "kcs-cdd", chunk_size=10 * ROWS)
    in_one_chunk = stored_text(db)
    clean(db)
    accounts.ensure_apec_economies(db.uow())
    many = importing.import_file(db.uow(), p, file, "kcs-cdd", chunk_size=37)
    assert (many.stored, many.lanes) == (one.stored, one.lanes)
    assert one.stored > ROWS // 2
    assert stored_text(db) == in_one_chunk
