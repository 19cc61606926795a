"""Tenancy, generated from the route table (issue 9, "keep it fixed").

KR owns one thing of every kind a route can name by id: a declaration with a supporting
document, a draft case (by id and by slug) with an attachment, a risk rule, a risk model, a
watch-list entry, a trusted trader, an API token. For every route of the app (API and pages)
with a path parameter, every SG role (and an anonymous caller) asks for KR's ids: the answer
must be the same as for an id that does not exist (404 wherever that is 404; never a
success), must not show KR's content, and nothing in the database may change. A new route
with an id parameter is covered as soon as it exists; one whose parameter this test does not
know fails it until it is added to ``ids``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from smartcustoms.accounts import service as accounts
from smartcustoms.db.engine import Database
from smartcustoms.db.registry import load_all_tables
from smartcustoms.declarations.intake import importing
from smartcustoms.declarations.service import system_principal
from smartcustoms.risk import training
from smartcustoms.web.api.declarations import EXAMPLE
from smartcustoms.web.openapi import api_routes
from tests.conftest import REFERENCE_PREFIX, Actors, data_dir
from tests.factories import case_data

pytestmark = pytest.mark.slow

SG_ROLES = ("declarant", "officer", "analyst", "knowledge_manager", "admin")
# Path parameters that name public, economy-less things (reference data, an economy's code).
PUBLIC_PARAMS = {"code", "economy"}
# Routes whose path parameter names something in the caller's own economy that the caller
# creates (SG may have a watch list called like KR's: it is SG's own list).
CALLERS_OWN = {("post", "/api/v1/risk/watchlists/{name}")}
# Routes that serve what an economy published for anyone (no login): reaching them is the point.
PUBLISHED = (
    "/api/v1/public/",
    "/public/stats/",
    "/api/v1/exchange/public/",
    "/verify/certificates/",
)
# Parameters that are not identifiers: kept as they are in the made-up baseline request.
NOT_IDS = {"action", "number"}
ACTIONS = (
    "record_inspection",
    "refer_physical",
    "release",
    "seize",
    "arrival_notice",
    "cancel",
    "submit",
    "approve",
    "return",
    "comment",
    "attachments",
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MARKER_TITLE = "Tenancy marker: KR draft on bonded warehouses"


def _minimal(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """The smallest instance a request body schema accepts (enough to get past parsing)."""
    if "$ref" in schema:
        return _minimal(components[schema["$ref"].split("/")[-1]], components)
    if schema.get("examples"):
        return schema["examples"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return _minimal(schema[key][0], components)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: _minimal(props[k], components) for k in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return max(0, int(schema.get("minimum", 0)))
    if kind == "number":
        return float(schema.get("minimum", 0.01) or 0.01)
    if kind == "boolean":
        return False
    return "tenancy probe"


def _snapshot(db: Database) -> dict[str, list[tuple[str, ...]]]:
    """Every row outside the reference data (login bookkeeping aside)."""
    out = {}
    with db.engine.connect() as conn:
        for table in load_all_tables().metadata.sorted_tables:
            if table.name.startswith(REFERENCE_PREFIX) or table.name == "login_attempts":
                continue
            columns = [c for c in table.columns if c.name != "last_used_at"]
            rows = conn.execute(select(*columns)).all()
            out[table.name] = sorted(tuple(map(str, r)) for r in rows)
    return out


@pytest.fixture
def settings(tmp_path: Path, db: Database) -> Any:
    """The test settings without the web app's background exchange delivery: its rounds send
    KR's outbox on a timer (a change to KR's rows no request made), which the snapshot below
    would otherwise catch whenever the suite runs slowly enough for a round to start."""
    from smartcustoms.config import Settings

    return Settings(
        environment="test",
        home=tmp_path / "home",
        database_url=db.url,
        data_dir=data_dir(),
        exchange_deliver_every=0,
    )


@pytest.fixture
def kr_owns_everything(
    db: Database,
    actors: Actors,
    client: TestClient,
    settings: Any,
    shared_data_dir: Path,
    tmp_path: Path,
) -> dict[str, list[str]]:
    from decimal import Decimal

    from smartcustoms.tariff import service as tariff
    from smartcustoms.tariff.model import ScheduleSettings, TariffLine

    raw = pd.read_csv(
        shared_data_dir / "customs-declarations" / "df_syn_train_eng.csv", nrows=600, dtype=str
    )
    path = tmp_path / "slice.csv"
    raw.to_csv(path, index=False)
    actors.economy("KR")
    importing.import_file(db.uow(), system_principal("KR"), path, "kcs-cdd")
    model = training.train_from_database(
        db.uow(), system_principal("KR"), settings.files_dir, params={"n_estimators": 5}
    )
    tariff.set_schedule(
        db.uow(),
        system_principal("KR"),
        ScheduleSettings(
            economy="KR",
            vat_rate=Decimal(10),
            de_minimis_amount=None,
            de_minimis_currency=None,
            default_rate_type="A",
            source="test",
        ),
        [TariffLine("85", "A", Decimal(8))],
    )
    kr = {role: actors.user("KR", role) for role in ("declarant", "officer", "analyst")}
    h = {role: Actors.headers(a) for role, a in kr.items()}

    declaration = client.post("/api/v1/declarations", json=EXAMPLE, headers=h["declarant"])
    assert declaration.status_code == 201, declaration.text
    # A supporting document on it (an officer's: the declaration may be released already).
    document = client.post(
        f"/api/v1/declarations/{declaration.json()['id']}/documents",
        files={"file": ("invoice.pdf", PDF, "application/pdf")},
        data={"kind": "commercial_invoice"},
        headers=h["officer"],
    )
    assert document.status_code == 201, document.text
    case = client.post(
        "/api/v1/cases", json=case_data(title=MARKER_TITLE), headers=h["officer"]
    ).json()
    attached = client.post(
        f"/api/v1/cases/{case['id']}/attachments",
        files={"file": ("evidence.pdf", PDF, "application/pdf")},
        headers=h["officer"],
    )
    assert attached.status_code == 201, attached.text
    rule = client.post(
        "/api/v1/risk/rules",
        json={
            "name": "kr watch",
            "conditions": {"hs_prefix": ["8507"]},
            "action": {"score_add": 0.1},
        },
        headers=h["analyst"],
    )
    assert rule.status_code == 201, rule.text
    watch = client.post(
        "/api/v1/risk/watchlists/kr-list", json={"party_id": "KR-PARTY-1"}, headers=h["analyst"]
    )
    assert watch.status_code == 201, watch.text
    aeo = client.post("/api/v1/risk/aeo", json={"trader_id": "KR-AEO-1"}, headers=h["analyst"])
    assert aeo.status_code == 204, aeo.text
    token = accounts.list_tokens(db.uow(), kr["declarant"]["id"])[0]
    # A declaration draft of KR's declarant (kept as a file, not a row).
    saved = client.post(
        "/declarations/form",
        data={"reference": "KR-DRAFT-1", "intent": "save_draft"},
        headers=h["declarant"],
    )
    found = re.search(r'name="draft_id" value="([0-9a-f]+)"', saved.text)
    assert saved.status_code == 200 and found, saved.text[-500:]
    publication = client.post(
        "/api/v1/stats/publications",
        json={"title": "KR trade, 2021", "period": "2021", "threshold": 1},
        headers=h["analyst"],
    )
    assert publication.status_code == 201, publication.text
    # E-commerce: a manifest of KR parcels; exchange: KR's signing key, its partner SG, an
    # issued certificate of origin and the outbox messages carrying it (SG's side is set up
    # too, so SG's own lists are not empty).
    from smartcustoms.ecommerce import services as ecommerce
    from smartcustoms.ecommerce.demo import load_demo_parcels
    from smartcustoms.exchange.demo import connect_demo
    from smartcustoms.exchange.services import certificates, messages, trust

    load_demo_parcels(
        db.uow, secret_key=settings.secret_key, files_dir=settings.files_dir,
        economies=("KR",), parcels=40,
    )  # fmt: skip
    kr_admin = system_principal("KR", "tenancy-test")
    manifest = ecommerce.manifests(db.uow(), kr_admin, 1)[0]
    parcels = ecommerce.decisions(db.uow(), kr_admin, manifest.id, limit=1)
    connect_demo(db.uow, settings.secret_key, "http://127.0.0.1:9", ("KR", "SG"))
    kids = [k.kid for k in trust.list_keys(db.uow(), kr_admin)]
    issued = [c["id"] for c in certificates.list_certificates(db.uow(), kr_admin)]
    outbox = [m.id for m in messages.list_outbox(db.uow(), kr_admin)]
    assert kids and issued and outbox and parcels
    # The positive control: KR itself reaches what SG must not.
    did, rid = declaration.json()["id"], rule.json()["id"]
    for url, who in [
        (f"/api/v1/declarations/{did}", "declarant"),
        (document.json()["href"], "declarant"),
        (f"/api/v1/cases/{case['id']}", "officer"),
        (f"/api/v1/cases/{case['slug']}", "officer"),
        (f"/api/v1/risk/rules/{rid}", "analyst"),
        (f"/api/v1/risk/models/{model.version}", "analyst"),
    ]:
        assert client.get(url, headers=h[who]).status_code == 200, url
    # A finished retraining job of KR's in the app's job table (jobs live in the process).
    from smartcustoms.risk.jobs import RetrainJob

    job = RetrainJob("0" * 31 + "1", "KR", "kr-analyst", status="done")
    client.app.state.container.retrain_jobs.add(job)
    return {
        "declaration_id": [declaration.json()["id"]],
        "document_id": [document.json()["id"]],
        "ref": [case["id"], case["slug"]],
        "sha256": [attached.json()["working"]["content"]["attachments"][0]["sha256"]],
        "rule_id": [rule.json()["id"]],
        "version": [model.version],
        "name": ["kr-list"],
        "party_id": ["KR-PARTY-1"],
        "trader_id": ["KR-AEO-1"],
        "token_id": [token.id],
        "user_id": [kr["declarant"]["id"]],
        "draft_id": [found.group(1)],
        "number": ["1"],
        "publication_id": [publication.json()["id"]],
        "manifest_id": [manifest.id],
        "waybill": [parcels[0].waybill],
        "kid": kids,
        "partner": ["SG"],
        "certificate_id": issued,
        "message_id": outbox,
        # KR has received nothing in this fixture: an id of the right shape stands in (an SG
        # caller must still get the unknown-id answer).
        "inbox_id": ["0" * 32],
        "alert_id": ["0" * 32],
        "action": list(ACTIONS),
        "job_id": [job.id],
    }


def _fill(path: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


def test_no_route_lets_another_economy_reach_kr_by_id(
    client: TestClient, actors: Actors, db: Database, kr_owns_everything: dict[str, list[str]]
) -> None:
    ids = kr_owns_everything
    app = client.app
    components = app.openapi()["components"]["schemas"]
    doc_paths = app.openapi()["paths"]
    callers = {"anonymous": {}} | {
        role: Actors.headers(actors.user("SG", role)) for role in SG_ROLES
    }
    routes = sorted({(m, p) for m, p, _ in api_routes(app, hidden=True)})
    before = _snapshot(db)
    tried, problems = 0, []
    for method, path in routes:
        params = re.findall(r"\{(\w+)\}", path)
        if not params or set(params) <= PUBLIC_PARAMS or (method, path) in CALLERS_OWN:
            continue
        if path.startswith(PUBLISHED):
            continue
        unknown = set(params) - set(ids) - PUBLIC_PARAMS
        assert not unknown, f"{method.upper()} {path}: add KR ids for {sorted(unknown)}"
        body = None
        op = doc_paths.get(path, {}).get(method, {})
        content = op.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            body = _minimal(content["application/json"]["schema"], components)
        for values in _combinations(params, ids):
            url = _fill(path, values)
            fake = _fill(
                path, {k: v if k in NOT_IDS else "nonexistent0" for k, v in values.items()}
            )
            files = (
                {"file": ("x.pdf", PDF, "application/pdf")}
                if path.endswith(("/attachments", "/documents")) and method == "post"
                else None
            )
            for role, headers in callers.items():
                kwargs: dict[str, Any] = {"headers": headers}
                if body is not None:
                    kwargs["json"] = body
                elif files is not None:
                    kwargs["files"] = files
                elif method == "post" and not path.startswith("/api/"):
                    kwargs["data"] = {}
                got = client.request(method, url, follow_redirects=False, **kwargs)
                baseline = client.request(method, fake, follow_redirects=False, **kwargs)
                tried += 1
                leak = MARKER_TITLE in got.text or EXAMPLE["reference"] in got.text
                if (
                    got.status_code < 400
                    or got.status_code != baseline.status_code
                    or (baseline.status_code == 404 and got.status_code != 404)
                    or leak
                ):
                    problems.append(
                        f"{role}: {method.upper()} {url} -> {got.status_code} "
                        f"(unknown id: {baseline.status_code}){' LEAK' if leak else ''}"
                    )
    assert tried > 200
    assert not problems, "\n".join(problems)
    assert _snapshot(db) == before, "a request of another economy changed KR's data"


def _combinations(params: list[str], ids: dict[str, list[str]]) -> list[dict[str, str]]:
    combos: list[dict[str, str]] = [{}]
    for name in params:
        choices = ids.get(name, ["KR"] if name == "economy" else ["850760"])
        combos = [{**c, name: v} for c in combos for v in choices]
    return combos
