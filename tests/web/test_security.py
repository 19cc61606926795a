"""Issue 9: CSRF, cookie auth on the API, security headers, body and shape limits, NUL bytes,
and the inputs that used to answer 500."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from smartcustoms.accounts import service as accounts
from smartcustoms.cases import service as cases
from smartcustoms.db.engine import Database
from smartcustoms.errors import InvalidInput
from tests.cases.helpers import principal
from tests.conftest import Actors
from tests.declarations.conftest import doc
from tests.factories import case_data
from tests.pages import browser_login

PASSWORD = "correct horse battery"


def _json(client: TestClient, url: str, body: bytes, headers: dict[str, str]) -> object:
    return client.post(url, content=body, headers={**headers, "content-type": "application/json"})


# --- CSRF -------------------------------------------------------------------------------------


def test_page_forms_without_a_valid_token_are_refused(client: TestClient, actors: Actors) -> None:
    user = actors.user("KR", "declarant", email="d@kr.test")
    client.headers["accept"] = "text/html"
    no_token = client.post("/login", data={"email": user["email"], "password": PASSWORD})
    assert no_token.status_code == 403 and "reload the page" in no_token.text
    forged = client.post(
        "/login", data={"email": user["email"], "password": PASSWORD, "csrf_token": "0" * 64}
    )
    assert forged.status_code == 403

    browser_login(client, user["email"], PASSWORD)
    token = client.headers.pop("x-csrf-token")
    # A state change of a page without the token: refused, and nothing happened.
    refused = client.post("/logout")
    assert refused.status_code == 403
    assert "d@kr.test" in client.get("/").text

    # A token is bound to the session: another session's token does not work here.
    with TestClient(client.app) as other:
        other.headers["accept"] = "text/html"
        browser_login(other, user["email"], PASSWORD)
        other.headers.pop("x-csrf-token")
        assert other.post("/logout", data={"csrf_token": token}).status_code == 403

    ok = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert ok.status_code == 303
    assert "d@kr.test" not in client.get("/").text


def test_every_post_form_of_the_templates_carries_the_token() -> None:
    from pathlib import Path

    import smartcustoms.web

    templates = Path(smartcustoms.web.__file__).parent / "templates"
    for path in templates.rglob("*.html"):
        text = path.read_text()
        for form in re.finditer(r"<form[^>]*method=\"post\"[^>]*>", text, re.IGNORECASE):
            after = text[form.end() : form.end() + 40]
            assert "csrf_field()" in after, f"{path.name}: a POST form without csrf_field()"


def test_the_session_cookie_does_not_authorise_api_changes(
    client: TestClient, actors: Actors
) -> None:
    officer = actors.user("KR", "officer", email="o@kr.test")
    browser_login(client, officer["email"], PASSWORD)
    client.headers.pop("x-csrf-token")
    assert client.get("/api/v1/me").status_code == 200  # reads: fine
    # A cookie-only multipart upload from a foreign origin, and a JSON create: refused.
    created = cases.create_case(
        client.app.state.db.uow(), principal(client.app.state.db, officer), case_data()
    )
    upload = client.post(
        f"/api/v1/cases/{created.id}/attachments",
        files={"file": ("a.txt", b"hello", "text/plain")},
        headers={"origin": "https://evil.example"},
    )
    assert upload.status_code == 401
    assert "Bearer" in upload.json()["detail"]
    assert client.post("/api/v1/cases", json=case_data()).status_code == 401
    # The same with the bearer header works.
    ok = client.post("/api/v1/cases", json=case_data(), headers=actors.headers(officer))
    assert ok.status_code == 201


# --- headers ----------------------------------------------------------------------------------


def test_pages_send_security_headers_and_a_script_nonce(client: TestClient, actors: Actors) -> None:
    page = client.get("/login")
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "http:" not in csp and "https:" not in csp and "*" not in csp  # no CDN, no wildcards
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["x-frame-options"] == "DENY"
    assert "smartcustoms_csrf=" in page.headers["set-cookie"]
    assert "HttpOnly" in page.headers["set-cookie"]

    user = actors.user("KR", "declarant", email="n@kr.test")
    browser_login(client, user["email"], PASSWORD)
    new = client.get("/declarations/new", headers={"accept": "text/html"})
    nonce = re.search(r"'nonce-([^']+)'", new.headers["content-security-policy"])
    assert nonce and f'<script nonce="{nonce.group(1)}">' in new.text
    api = client.get("/api/v1/economies")
    assert api.headers["x-content-type-options"] == "nosniff"


# --- body size, nesting, shape ----------------------------------------------------------------


def test_bodies_over_the_limit_are_413_before_parsing(client: TestClient, actors: Actors) -> None:
    declarant = actors.user("KR", "declarant")
    limit = client.app.state.settings.max_body_bytes
    big = b'{"a": "' + b"x" * (limit + 10) + b'"}'
    r = _json(client, "/api/v1/declarations/validate", big, actors.headers(declarant))
    assert r.status_code == 413 and r.json()["error"] == "PayloadTooLarge"

    def chunks() -> Iterator[bytes]:  # no Content-Length: a chunked body
        yield b'{"a": "'
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    r = client.post(
        "/api/v1/declarations/validate",
        content=chunks(),
        headers={**actors.headers(declarant), "content-type": "application/json"},
    )
    assert r.status_code == 413
    # Anonymous too: the limit comes before authentication.
    assert _json(client, "/api/v1/auth/tokens", big, {}).status_code == 413


def test_deep_nesting_is_422_in_the_api_and_the_lodgement_form(
    client: TestClient, actors: Actors
) -> None:
    declarant = actors.user("KR", "declarant", email="deep@kr.test")
    deep = "[" * 100_000 + "]" * 100_000
    r = _json(client, "/api/v1/declarations", deep.encode(), actors.headers(declarant))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "too_deep"

    browser_login(client, declarant["email"], PASSWORD)
    page = client.post(
        "/declarations/new",
        data={"document": '{"a": ' + deep + "}", "intent": "submit"},
        headers={"accept": "text/html"},
    )
    assert page.status_code == 422 and "levels deep" in page.text


def test_declarations_limit_keys_and_items_with_the_field(
    client: TestClient, actors: Actors
) -> None:
    declarant = actors.user("KR", "declarant")
    national = {f"N{i}": "x" for i in range(150)}
    r = client.post(
        "/api/v1/declarations", json=doc(national=national), headers=actors.headers(declarant)
    )
    assert r.status_code == 422
    assert {(e["path"], e["code"]) for e in r.json()["errors"]} == {("national", "too_many_keys")}
    # Any JSON body: an object with too many keys is refused before the route sees it.
    huge = {f"k{i}": 1 for i in range(1_001)}
    r = client.post("/api/v1/risk/score", json=huge, headers=actors.headers(declarant))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "too_many_keys"


# --- NUL --------------------------------------------------------------------------------------


def test_nul_bytes_are_refused_with_the_field(client: TestClient, actors: Actors) -> None:
    declarant = actors.user("KR", "declarant")
    r = client.get("/api/v1/cases?q=a%00b")
    assert r.status_code == 422 and r.json()["errors"][0]["path"] == "q"
    r = client.post(
        "/api/v1/declarations",
        json=doc(reference="NUL\u0000REF"),
        headers=actors.headers(declarant),
    )
    assert r.status_code == 422
    assert r.json()["errors"][0] == {
        "path": "reference",
        "code": "nul_character",
        "message": "text may not contain the NUL character (\\u0000)",
    }


def test_nul_text_is_refused_by_both_databases(db: Database, actors: Actors) -> None:
    # Economy names are not checked for control characters: the database layer refuses NUL.
    with pytest.raises(InvalidInput) as info:
        accounts.create_economy(db.uow(), "KR", "Korea\x00Customs", "KRW")
    assert info.value.errors[0].code == "nul_character"
    assert accounts.list_economies(db.uow()) == []


# --- inputs that used to answer 500 -----------------------------------------------------------


def test_the_reported_500s_are_now_422(client: TestClient, actors: Actors) -> None:
    officer = actors.user("KR", "officer")
    analyst = actors.user("KR", "analyst")
    huge = "9" * 30
    created = client.post("/api/v1/cases", json=case_data(), headers=actors.headers(officer))
    ref = created.json()["id"]
    cases_ = [
        ("get", f"/api/v1/cases/compiled?year={huge}", {}),
        ("get", "/api/v1/cases/compiled?year=99999", {}),
        ("get", "/api/v1/cases/drafts?status=null", actors.headers(officer)),
        ("get", f"/api/v1/declarations?page={huge}", actors.headers(officer)),
        ("get", "/api/v1/declarations?page=9223372036854775807", actors.headers(officer)),
        ("get", f"/api/v1/cases/{ref}/versions/{huge}", {}),
        ("get", f"/api/v1/cases/{ref}/versions/2147483648", actors.headers(officer)),
        ("post", "/api/v1/risk/calibrate?weeks=-213", actors.headers(analyst)),
    ]
    for method, url, headers in cases_:
        r = client.request(method, url, headers=headers)
        assert r.status_code == 422, (url, r.status_code, r.text[:300])
        body = r.json()
        assert body["error"] == "InvalidInput" and body["errors"], url
    r = client.put(
        "/api/v1/risk/budget",
        content=json.dumps({"red": float("nan"), "yellow": 0.1}),
        headers={**actors.headers(analyst), "content-type": "application/json"},
    )
    assert r.status_code == 422


def test_a_huge_page_number_on_the_declarations_page_is_not_a_500(
    client: TestClient, actors: Actors
) -> None:
    officer = actors.user("KR", "officer", email="pages@kr.test")
    browser_login(client, officer["email"], PASSWORD)
    for page in ("9" * 30, "-5", "abc", "9223372036854775807"):
        r = client.get(f"/declarations?tab=all&page={page}", headers={"accept": "text/html"})
        assert r.status_code == 200, page
    assert client.get(f"/cases?page={'9' * 30}").status_code in (200, 422)


# --- rate limit -------------------------------------------------------------------------------


def test_the_compiled_document_is_rate_limited_for_anonymous_callers(
    client: TestClient, actors: Actors
) -> None:
    per_minute = client.app.state.settings.anonymous_expensive_per_minute
    for _ in range(per_minute):
        assert client.get("/api/v1/cases/compiled?format=json").status_code == 200
    limited = client.get("/api/v1/cases/compiled?format=json")
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert limited.json()["error"] == "RateLimited"
    # A logged-in caller is not limited.
    officer = actors.user("KR", "officer")
    ok = client.get("/api/v1/cases/compiled?format=json", headers=actors.headers(officer))
    assert ok.status_code == 200


def test_the_limiter_window_slides() -> None:
    from smartcustoms.errors import RateLimited
    from smartcustoms.web.ratelimit import RateLimiter

    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    limiter.hit("b", "c")
    limiter.hit("b", "c")
    with pytest.raises(RateLimited):
        limiter.hit("b", "c")
    limiter.hit("b", "other client")
    now[0] = 61.0
    limiter.hit("b", "c")
