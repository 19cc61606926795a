"""One write path: the same declarations lodged through the web API one by one and imported
in bulk (``assess=True``) give the same rows, items, lanes and audit entries."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from smartcustoms.accounts import service as accounts
from smartcustoms.audit.tables import AuditEntryRow
from smartcustoms.bootstrap import bootstrap
from smartcustoms.db.engine import Database
from smartcustoms.declarations import service
from smartcustoms.declarations.intake import importing
from smartcustoms.declarations.intake.mapping import read_records
from smartcustoms.declarations.intake.profiles import load_profile
from smartcustoms.declarations.tables import DeclarationItemRow, DeclarationRow
from smartcustoms.web.app import create_app

TEST_SPLIT = Path("customs-declarations") / "df_syn_test_eng.csv"
IDENTITY = {"id", "lodged_by", "source", "batch_id", "created_at", "updated_at"}


def plain_rows(path: Path, out: Path, n: int) -> list[dict[str, str]]:
    """The first ``n`` rows a live lodgement accepts too (mass and value above zero, known
    countries), written to ``out``."""
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        keep = [
            r
            for r, _ in zip(reader, range(2000), strict=False)
            if float(r["Net Mass"]) > 0
            and float(r["Item Price"]) > 0
            and "ZZ" not in (r["Country of Origin"], r["Country of Departure"])
        ][:n]
        with out.open("w", newline="") as g:
            writer = csv.DictWriter(g, fieldnames=reader.fieldnames or [])
            writer.writeheader()
            writer.writerows(keep)
    return keep


def rows_of(db: Database, lodged_by: str) -> dict[str, dict[str, Any]]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(DeclarationRow).where(DeclarationRow.lodged_by == lodged_by)
        ).mappings()
        return {r["reference"]: {k: v for k, v in r.items() if k not in IDENTITY} for r in rows}


def items_of(db: Database, declaration_id: str) -> list[dict[str, Any]]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(DeclarationItemRow)
            .where(DeclarationItemRow.declaration_id == declaration_id)
            .order_by(DeclarationItemRow.line_no)
        ).mappings()
        return [{k: v for k, v in r.items() if k != "declaration_id"} for r in rows]


def events_of(db: Database, declaration_id: str) -> list[tuple[str, bool, Any, Any]]:
    """(action, by the system, before, after) of each audit entry, in order."""
    with db.engine.connect() as conn:
        bodies = conn.scalars(
            select(AuditEntryRow.body)
            .where(AuditEntryRow.entity_id == declaration_id)
            .order_by(AuditEntryRow.seq)
        ).all()
    out = []
    for body in bodies:
        b = json.loads(body)
        out.append((b["action"], b["actor"] == "system", b["before"], b["after"]))
    return out


def id_of(db: Database, lodged_by: str, reference: str) -> str:
    with db.engine.connect() as conn:
        return str(
            conn.scalar(
                select(DeclarationRow.id).where(
                    DeclarationRow.lodged_by == lodged_by, DeclarationRow.reference == reference
                )
            )
        )


def test_web_lodgement_and_bulk_import_store_the_same(
    db: Database, actors, settings, shared_data_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    actors.economy("KR")
    declarant, officer = actors.user("KR", "declarant"), actors.user("KR", "officer")
    analyst = accounts.principal_of(
        accounts.user_by_email(db.uow(), actors.user("KR", "analyst")["email"])
    )
    file = tmp_path / "slice.csv"
    rows = plain_rows(shared_data_dir / TEST_SPLIT, file, 24)
    # Lanes that follow the content, not the declaration id: no random selection, two rules.
    service.set_assessor_config(
        db.uow(),
        analyst,
        {
            "random_red_rate": 0,
            "random_yellow_rate": 0,
            "rules": [
                {"name": "heading", "lane": "red", "hs_prefix": rows[0]["HS6 Code"][:2]},
                {"name": "origin", "lane": "yellow", "origin": rows[1]["Country of Origin"]},
            ],
        },
    )
    profile = dataclasses.replace(load_profile("kcs-cdd"), fraud=None, critical=None)
    # Bulk: one import through the lodge step, lanes from the assessor.
    importer = accounts.principal_of(accounts.user_by_email(db.uow(), officer["email"]))
    report = importing.import_file(bootstrap(db=db).uow(), importer, file, profile, assess=True)
    assert report.stored == len(rows) and report.assessed
    # Web: the same documents lodged one by one through the API.
    documents = [m.document for m in read_records(file, profile)]
    with TestClient(create_app(settings, db)) as client:
        for document in documents:
            response = client.post(
                "/api/v1/declarations", json=document, headers=actors.headers(declarant)
            )
            assert response.status_code == 201, response.text
    by_web, by_import = rows_of(db, declarant["id"]), rows_of(db, importer.user_id)
    assert set(by_web) == set(by_import) == {d["reference"] for d in documents}
    lanes = {r["lane"] for r in by_web.values()}
    assert {"red", "yellow"} <= lanes, lanes  # the comparison covers more than one lane
    for reference in by_web:
        assert by_web[reference] == by_import[reference], reference
        web_id = id_of(db, declarant["id"], reference)
        import_id = id_of(db, importer.user_id, reference)
        assert items_of(db, web_id) == items_of(db, import_id)
        web_events, import_events = events_of(db, web_id), events_of(db, import_id)
        assert [e[0] for e in web_events] == ["submit", "assess", "route"]
        assert web_events == import_events, reference
