"""The trader's declaration form, drafts, amend form and bulk upload, through a browser session."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from smartcustoms.declarations import service
from smartcustoms.declarations.model import ListFilters
from smartcustoms.web.pages.lodge import document_from_form, form_from_document, form_values
from tests.declarations.conftest import KR, doc
from tests.pages import browser_login

PASSWORD = "correct horse battery"


def login(client: TestClient, email: str) -> None:
    client.headers["accept"] = "text/html"
    browser_login(client, email, PASSWORD)


def good(**changes: str) -> dict[str, str]:
    form = {
        "reference": "FORM-1",
        "kind": "import",
        "date": "2021-05-14",
        "office": "020",
        "transport_mode": "sea",
        "invoice_currency": "USD",
        "incoterm": "FOB",
        "freight": "100",
        "insurance": "20",
        "declarant.id": "BRK-001",
        "declarant.country": "KR",
        "importer.id": "IMP-778",
        "importer.country": "KR",
        "seller.id": "SEL-12",
        "seller.country": "CN",
        "departure_country": "CN",
        "items[0].hs_code": "850760",
        "items[0].description": "Li-ion packs",
        "items[0].origin_country": "CN",
        "items[0].net_mass_kg": "180",
        "items[0].invoice_value": "3000",
    }
    form.update(changes)
    return form


def own(kr: KR) -> list[Any]:
    return list(service.list_declarations(kr.db.uow(), kr.declarant, ListFilters()).items)


def test_form_round_trips_a_document() -> None:
    document = doc()
    form = form_from_document(document)
    back = document_from_form(form)
    assert back["items"][1]["hs_code"] == "850440" and len(back["items"]) == 3
    assert back["declarant"] == {"id": "BRK-001", "country": "KR"}
    # Gaps left by removed rows are closed; an empty extra row is dropped.
    rows = form_values(
        {"items[3].hs_code": "8507", "items[7].hs_code": "8504", "items[9].unit": ""}
    )
    assert [r["hs_code"] for r in rows["items"]] == ["8507", "8504"]


def test_two_mistakes_are_shown_beside_their_fields_and_the_typing_is_kept(
    client: TestClient, kr: KR
) -> None:
    login(client, kr.users["declarant"]["email"])
    assert client.get("/declarations/form").status_code == 200
    bad = client.post(
        "/declarations/form",
        data=good(**{"invoice_currency": "USX", "items[0].hs_code": "999999", "intent": "submit"}),
    )
    assert bad.status_code == 422
    assert 'data-testid="error-invoice_currency"' in bad.text
    assert 'data-testid="error-items[0].hs_code"' in bad.text
    assert 'value="USX"' in bad.text and 'value="Li-ion packs"' in bad.text
    assert own(kr) == []  # nothing stored

    preview = client.post("/declarations/form", data=good(intent="preview"))
    assert preview.status_code == 200
    assert 'data-testid="preview-assessment"' in preview.text
    assert own(kr) == []

    done = client.post("/declarations/form", data=good(intent="submit"), follow_redirects=False)
    assert done.status_code == 303
    shown = client.get(done.headers["location"])
    assert 'data-testid="assessment"' in shown.text and "FORM-1" in shown.text

    # The same reference with other content: the reference field says so.
    clash = client.post(
        "/declarations/form", data=good(**{"items[0].invoice_value": "1", "intent": "submit"})
    )
    assert clash.status_code == 409 and 'data-testid="error-reference"' in clash.text


def test_missing_party_and_items_land_on_fields(client: TestClient, kr: KR) -> None:
    login(client, kr.users["declarant"]["email"])
    empty = client.post("/declarations/form", data={"intent": "preview"})
    assert empty.status_code == 422
    assert 'data-testid="error-declarant.id"' in empty.text
    assert 'data-testid="error-reference"' in empty.text


def test_add_and_remove_items_without_script(client: TestClient, kr: KR) -> None:
    login(client, kr.users["declarant"]["email"])
    added = client.post("/declarations/form", data=good(intent="add_item"))
    assert 'name="items[1].hs_code"' in added.text and 'value="850760"' in added.text
    two = good(**{"items[1].hs_code": "850440", "items[1].description": "Inverters"})
    removed = client.post("/declarations/form", data={**two, "intent": "remove:0"})
    assert 'name="items[1].hs_code"' not in removed.text
    assert 'value="850440"' in removed.text and 'value="850760"' not in removed.text
    nonsense = client.post("/declarations/form", data={**two, "intent": "remove:x"})
    assert nonsense.status_code in (200, 422)


def test_drafts_are_kept_private_and_reopened(client: TestClient, kr: KR) -> None:
    login(client, kr.users["declarant"]["email"])
    saved = client.post(
        "/declarations/form", data=good(reference="DRAFT-1", intent="save_draft", office="")
    )
    assert saved.status_code == 200 and "Draft saved" in saved.text
    draft_id = re.search(r'name="draft_id" value="([0-9a-f]+)"', saved.text)
    assert draft_id
    listed = client.get("/declarations/drafts").text
    assert "DRAFT-1" in listed
    reopened = client.get(f"/declarations/form?draft={draft_id.group(1)}").text
    assert 'value="DRAFT-1"' in reopened
    assert own(kr) == []
    assert client.get("/declarations/form?draft=../../etc").status_code == 404

    # Another declarant sees none of it.
    with TestClient(client.app) as other:
        login(other, kr.users["declarant2"]["email"])
        assert "DRAFT-1" not in other.get("/declarations/drafts").text
        assert other.get(f"/declarations/form?draft={draft_id.group(1)}").status_code == 404

    # Lodging the draft removes it.
    client.post(
        "/declarations/form",
        data=good(reference="DRAFT-1", draft_id=draft_id.group(1), intent="submit"),
    )
    assert "DRAFT-1" not in client.get("/declarations/drafts").text
    assert [r.reference for r in own(kr)] == ["DRAFT-1"]


def test_amend_form(client: TestClient, kr: KR) -> None:
    released = service.submit(kr.db.uow(), kr.declarant, doc(reference="AM-0")).record
    kr.quiet_lanes("yellow")
    record = service.submit(kr.db.uow(), kr.declarant, doc(reference="AM-1")).record
    login(client, kr.users["declarant"]["email"])
    page = client.get(f"/declarations/{record.id}/amend")
    assert page.status_code == 200 and 'value="850440"' in page.text
    form = form_from_document(doc(reference="AM-1"))
    data = {k: v for k, v in form.items() if k != "items"}
    for n, item in enumerate(form["items"]):
        data.update({f"items[{n}].{f}": v for f, v in item.items()})
    bad = client.post(
        f"/declarations/{record.id}/amend",
        data={**data, "items[2].origin_country": "QQ", "intent": "submit"},
    )
    assert bad.status_code == 422 and 'data-testid="error-items[2].origin_country"' in bad.text
    done = client.post(
        f"/declarations/{record.id}/amend",
        data={**data, "items[2].invoice_value": "1200", "intent": "submit", "version": "1"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert service.get(kr.db.uow(), kr.declarant, record.id).version == 2
    stale = client.post(
        f"/declarations/{record.id}/amend", data={**data, "intent": "submit", "version": "1"}
    )
    assert stale.status_code == 409
    # Released goods are not amended: the page says why, in the layout.
    refused = client.post(f"/declarations/{released.id}/amend", data={**data, "intent": "submit"})
    assert refused.status_code == 409 and 'data-testid="error-status">409' in refused.text
    # Another declarant cannot see it.
    with TestClient(client.app) as other:
        login(other, kr.users["declarant2"]["email"])
        assert other.get(f"/declarations/{record.id}/amend").status_code == 404


def test_declarant_bulk_upload_reports_rows_then_lodges_all(client: TestClient, kr: KR) -> None:
    login(client, kr.users["declarant"]["email"])
    rows = [doc(reference="B-1"), doc(reference="B-2", invoice_currency="USX")]
    bad = client.post(
        "/declarations/import",
        files={"file": ("d.json", json.dumps(rows).encode(), "application/json")},
    )
    assert bad.status_code == 422 and bad.text.count('data-testid="row-error"') == 1
    assert own(kr) == []
    lines = "\n".join(json.dumps(doc(reference=f"B-{n}")) for n in (1, 2))
    done = client.post(
        "/declarations/import", files={"file": ("d.jsonl", lines.encode(), "application/json")}
    )
    assert done.status_code == 200 and "2 stored" in done.text
    assert sorted(r.reference for r in own(kr)) == ["B-1", "B-2"]
    for junk in (b"", b"\xff\xfe", b"[1, 2", b"{}"):
        answer = client.post(
            "/declarations/import", files={"file": ("d.json", junk, "application/json")}
        )
        assert answer.status_code == 422, junk
    assert client.post("/declarations/import", data={}).status_code == 422


def test_officer_bulk_import_reports_rows(client: TestClient, kr: KR) -> None:
    login(client, kr.users["officer"]["email"])
    assert client.get("/declarations/upload").status_code == 200
    answer = client.post(
        "/declarations/import",
        files={"file": ("f.csv", b"not,a,profile\n1,2,3\n", "text/csv")},
    )
    assert answer.status_code == 422


@pytest.mark.parametrize("role", ["officer", "analyst", "knowledge_manager"])
def test_trader_pages_refuse_other_roles(client: TestClient, kr: KR, role: str) -> None:
    who = kr.actors.user("KR", role)
    login(client, who["email"])
    for path in ("/declarations/form", "/declarations/drafts"):
        page = client.get(path)
        assert page.status_code == 403, path
        assert 'data-testid="error-status">403' in page.text
    assert client.post("/declarations/form", data=good(intent="submit")).status_code == 403


def test_hostile_form_input_never_gives_a_500(client: TestClient, kr: KR) -> None:
    login(client, kr.users["declarant"]["email"])
    hostile: list[dict[str, str]] = [
        {"intent": "submit", "items[999].hs_code": "1", "freight": "1e999999"},
        {"intent": "preview", "date": "2021-02-30", "items[0].net_mass_kg": "NaN"},
        {"intent": "whatever", "reference": "x" * 5000, "items[0].invoice_value": "-Infinity"},
        {"intent": "submit", "kind": "teleport", "transport_mode": "🚀", "declarant.id": "é" * 70},
        {"intent": "save_draft", "draft_id": "../../x"},
        {"intent": "save_draft", "draft_id": "0123456789abcdef"},
        {"intent": "remove:99999"},
    ]
    for data in hostile:
        answer = client.post("/declarations/form", data=data)
        assert answer.status_code < 500, (data, answer.text[-800:])
    for path in ("/declarations/nope/amend", "/declarations/drafts/zz/delete"):
        assert client.post(path, data={}).status_code == 404
