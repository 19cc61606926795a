"""The exchange API and pages in one installation (in-process client): roles, tenancy, input
errors, the public endpoints, and no 500 on rubbish."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def people(actors: Any) -> dict[str, dict[str, str]]:
    return {
        "admin": actors.user("KR", "admin"),
        "officer": actors.user("KR", "officer"),
        "declarant": actors.user("KR", "declarant"),
        "sg_admin": actors.user("SG", "admin"),
    }


def _h(actor: dict[str, str]) -> dict[str, str]:
    return {"Authorization": actor["Authorization"]}


def test_keys_partners_and_pages(client: Any, people: dict[str, dict[str, str]]) -> None:
    admin, officer = _h(people["admin"]), _h(people["officer"])
    assert client.post("/api/v1/exchange/keys", headers=officer).status_code == 403
    created = client.post("/api/v1/exchange/keys", headers=admin)
    assert created.status_code == 201 and created.json()["status"] == "active"
    jwks = client.get("/api/v1/exchange/jwks/KR").json()
    assert [k["kid"] for k in jwks["keys"]] == [created.json()["kid"]]

    bad = client.post(
        "/api/v1/exchange/partners",
        headers=admin,
        json={"partner": "KR", "endpoint": "ftp://x"},
    )
    assert bad.status_code == 422
    assert {e["path"] for e in bad.json()["errors"]} == {"partner", "endpoint"}
    ok = client.post(
        "/api/v1/exchange/partners",
        headers=admin,
        json={"partner": "SG", "endpoint": "http://127.0.0.1:9/", "name": "Singapore Customs"},
    )
    assert ok.status_code == 201 and ok.json()["endpoint"] == "http://127.0.0.1:9"
    imported = client.post(
        "/api/v1/exchange/partners/SG/keys", headers=admin, json={"keys": [{"kty": "RSA"}]}
    )
    assert imported.status_code == 422 and imported.json()["errors"][0]["path"] == "keys[0]"

    sent = client.post(
        "/api/v1/exchange/messages", headers=officer, json={"recipient": "SG", "body": {"x": 1}}
    )
    assert sent.status_code == 201
    message_id = sent.json()["id"]
    outbox = client.get("/api/v1/exchange/outbox", headers=officer).json()
    assert outbox["counts"] == {"pending": 1}
    # Another economy never sees it.
    other = client.get(f"/api/v1/exchange/outbox/{message_id}", headers=_h(people["sg_admin"]))
    assert other.status_code == 404
    assert client.get("/api/v1/exchange/outbox", headers=_h(people["declarant"])).status_code == 403

    page = client.get("/exchange", headers={**officer, "accept": "text/html"})
    assert page.status_code == 200
    assert "Singapore Customs" in page.text and created.json()["kid"] in page.text
    assert "pending: 1" in page.text
    assert client.get("/exchange/aeo", headers=officer).status_code == 200
    assert client.get("/exchange/certificates", headers=officer).status_code == 200


@pytest.mark.parametrize(
    "body",
    [b"", b"not a token", b'{"token": 5}', b"a.b.c", b"\xff\xfe", b"{" * 50, b"e30.e30.e30"],
)
def test_inbox_refuses_rubbish_without_a_500(client: Any, body: bytes) -> None:
    response = client.post(
        "/api/v1/exchange/inbox", content=body, headers={"content-type": "application/jose"}
    )
    assert response.status_code == 422
    assert response.json()["status"] == "refused" and response.json()["reason"]


def test_unknown_certificate_page_is_404(client: Any) -> None:
    response = client.get("/verify/certificates/KR/NOPE", headers={"accept": "text/html"})
    assert response.status_code == 404
