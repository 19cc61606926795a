"""The administrator pages through a logged-in browser session: users, tokens, economies,
tariff, settings; every other role refused with the HTML 403 page."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from smartcustoms.accounts import service as accounts
from tests.conftest import Actors
from tests.pages import browser_login

PASSWORD = "correct horse battery"
ADMIN_PAGES = [
    "/admin",
    "/admin/users",
    "/admin/tokens",
    "/admin/economies",
    "/admin/tariff",
    "/admin/settings",
]


def login(client: TestClient, email: str, password: str = PASSWORD, expect: int = 303) -> None:
    client.headers["accept"] = "text/html"
    browser_login(client, email, password, expect=expect)


@pytest.fixture
def admin(actors: Actors) -> dict[str, str]:
    return actors.user("KR", "admin")


def user_id_from(response_location: str) -> str:
    found = re.search(r"/admin/users/([0-9a-f]+)", response_location)
    assert found, response_location
    return found.group(1)


@pytest.mark.parametrize("role", ["declarant", "officer", "analyst", "knowledge_manager"])
def test_every_admin_page_refuses_other_roles_with_an_html_403(
    client: TestClient, actors: Actors, role: str
) -> None:
    login(client, actors.user("KR", role)["email"])
    for path in ADMIN_PAGES:
        page = client.get(path)
        assert page.status_code == 403, path
        assert page.headers["content-type"].startswith("text/html")
        assert 'data-testid="error-status">403' in page.text
        assert 'href="/admin"' not in page.text  # the navigation does not offer it either
    refused = client.post("/admin/users", data={"email": "x@kr.test", "password": "p"})
    assert refused.status_code == 403


def test_admin_pages_render_for_an_admin(client: TestClient, admin: dict[str, str]) -> None:
    login(client, admin["email"])
    for path in ADMIN_PAGES:
        page = client.get(path)
        assert page.status_code == 200, path
        assert 'href="/admin"' in page.text
    assert 'data-testid="figure-users">1<' in client.get("/admin").text


def test_create_user_shows_every_problem_beside_its_field_then_the_user_logs_in(
    client: TestClient, admin: dict[str, str]
) -> None:
    login(client, admin["email"])
    bad = client.post(
        "/admin/users",
        data={"email": "not-an-email", "name": "Kim", "password": "short", "roles": ["wizard"]},
    )
    assert bad.status_code == 422
    for field in ("email", "password", "roles"):
        assert f'data-testid="error-{field}"' in bad.text, field
    assert 'value="not-an-email"' in bad.text and 'value="Kim"' in bad.text  # kept as typed
    assert 'aria-invalid="true"' in bad.text

    huge = client.post(
        "/admin/users",
        data={"email": "a" * 300 + "@kr.test", "name": "n" * 300, "password": PASSWORD},
    )
    assert huge.status_code == 422
    assert 'data-testid="error-email"' in huge.text and 'data-testid="error-name"' in huge.text
    long_name = client.post(
        "/admin/economies", data={"code": "CL", "name": "x" * 500}, follow_redirects=False
    )
    assert long_name.status_code == 303

    none = client.post("/admin/users", data={"email": "kim@kr.test", "password": PASSWORD})
    assert none.status_code == 422 and 'data-testid="error-roles"' in none.text

    made = client.post(
        "/admin/users",
        data={"email": "Kim@KR.test", "name": "Kim", "password": PASSWORD, "roles": ["officer"]},
        follow_redirects=False,
    )
    assert made.status_code == 303
    uid = user_id_from(made.headers["location"])
    assert "kim@kr.test" in client.get(f"/admin/users/{uid}").text

    again = client.post(
        "/admin/users",
        data={"email": "kim@kr.test", "password": PASSWORD, "roles": ["officer"]},
    )
    assert again.status_code == 409 and 'data-testid="error-email"' in again.text

    other = TestClient(client.app)
    with other:
        login(other, "kim@kr.test")
        assert "officer" in other.get("/").text


def test_roles_deactivate_and_reset_password(
    client: TestClient, admin: dict[str, str], actors: Actors
) -> None:
    target = actors.user("KR", "declarant")
    login(client, admin["email"])
    uid = target["id"]
    assert client.post(f"/admin/users/{uid}/roles", data={}).status_code == 422
    saved = client.post(
        f"/admin/users/{uid}/roles",
        data={"roles": ["declarant", "analyst"]},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    roles = accounts.get_user(actors.db.uow(), uid, "KR").roles
    assert {str(r) for r in roles} == {"declarant", "analyst"}

    # An admin cannot lock themselves out.
    me = admin["id"]
    assert client.post(f"/admin/users/{me}/roles", data={"roles": ["officer"]}).status_code == 422
    assert client.post(f"/admin/users/{me}/active", data={"active": "0"}).status_code == 422

    client.post(f"/admin/users/{uid}/active", data={"active": "0"})
    with TestClient(client.app) as other:
        login(other, target["email"], expect=401)
    client.post(f"/admin/users/{uid}/active", data={"active": "1"})

    weak = client.post(f"/admin/users/{uid}/password", data={"password": "123"})
    assert weak.status_code == 422 and 'data-testid="error-password"' in weak.text
    new = "a completely new passphrase"
    done = client.post(
        f"/admin/users/{uid}/password", data={"password": new}, follow_redirects=False
    )
    assert done.status_code == 303
    with TestClient(client.app) as other:
        login(other, target["email"], expect=401)
        login(other, target["email"], new)


def test_token_secret_is_shown_once_and_works_until_revoked(
    client: TestClient, admin: dict[str, str], actors: Actors
) -> None:
    target = actors.user("KR", "officer")
    login(client, admin["email"])
    bad = client.post(f"/admin/users/{target['id']}/tokens", data={"name": "", "days": "0"})
    assert bad.status_code == 422
    assert 'data-testid="error-name"' in bad.text and 'data-testid="error-days"' in bad.text
    made = client.post(
        f"/admin/users/{target['id']}/tokens", data={"name": "broker system", "days": "30"}
    )
    assert made.status_code == 201
    assert made.headers["cache-control"] == "no-store"
    secret = re.search(r'data-testid="token-secret">([^<]+)<', made.text)
    assert secret
    bearer = {"Authorization": f"Bearer {secret.group(1)}"}
    assert client.get("/api/v1/me", headers=bearer).json()["email"] == target["email"]

    listed = client.get("/admin/tokens").text
    assert "broker system" in listed and secret.group(1) not in listed
    token_id = next(
        t.id
        for t in accounts.list_tokens(actors.db.uow(), target["id"])
        if t.name == "broker system"
    )
    revoked = client.post(f"/admin/tokens/{token_id}/revoke", follow_redirects=False)
    assert revoked.status_code == 303
    assert client.get("/api/v1/me", headers=bearer).status_code == 401


def test_another_economys_users_and_tokens_are_not_found(
    client: TestClient, admin: dict[str, str], actors: Actors
) -> None:
    sg = actors.user("SG", "officer")
    login(client, admin["email"])
    assert client.get(f"/admin/users/{sg['id']}").status_code == 404
    for action, data in (
        ("roles", {"roles": ["admin"]}),
        ("active", {"active": "0"}),
        ("password", {"password": "a completely new passphrase"}),
        ("tokens", {"name": "x"}),
    ):
        answer = client.post(f"/admin/users/{sg['id']}/{action}", data=data)
        assert answer.status_code == 404, action
    token = accounts.list_tokens(actors.db.uow(), sg["id"])[0]
    assert client.post(f"/admin/tokens/{token.id}/revoke").status_code == 404
    assert sg["email"] not in client.get("/admin/users").text


def test_economies_page_creates_and_reports_problems(
    client: TestClient, admin: dict[str, str]
) -> None:
    login(client, admin["email"])
    bad = client.post("/admin/economies", data={"code": "QQ", "currency": "XXQ"})
    assert bad.status_code == 422 and 'data-testid="error-code"' in bad.text
    made = client.post("/admin/economies", data={"code": "pe"}, follow_redirects=False)
    assert made.status_code == 303
    assert "Peru" in client.get("/admin/economies").text
    assert client.post("/admin/economies", data={"code": "PE"}).status_code == 409


TARIFF_BAD = "hs_prefix,rate_type,ad_valorem\n85x,A,8\n8507,A,-1\n"
TARIFF_GOOD = "hs_prefix,rate_type,ad_valorem,description\n85,A,8,machines\n850760,A,3,batteries\n"


def test_tariff_upload_reports_every_bad_row_then_imports_and_browses(
    client: TestClient, admin: dict[str, str]
) -> None:
    login(client, admin["email"])
    missing = client.post("/admin/tariff/import", data={"vat_rate": "ten"})
    assert missing.status_code == 422
    assert 'data-testid="error-file"' in missing.text
    assert 'data-testid="error-vat_rate"' in missing.text
    bad = client.post(
        "/admin/tariff/import", files={"file": ("t.csv", TARIFF_BAD.encode(), "text/csv")}
    )
    assert bad.status_code == 422
    assert bad.text.count('data-testid="row-error"') == 2
    good = client.post(
        "/admin/tariff/import",
        files={"file": ("t.csv", TARIFF_GOOD.encode(), "text/csv")},
        data={"vat_rate": "10"},
    )
    assert good.status_code == 200 and 'data-testid="tariff-imported"' in good.text
    browse = client.get("/admin/tariff?hs=8507.60").text
    assert browse.count('data-testid="tariff-line"') == 2  # 85 and 850760 both apply
    assert client.get("/admin/tariff?hs=abc").status_code == 200
    binary = client.post(
        "/admin/tariff/import", files={"file": ("t.csv", b"\xff\xfe\x00", "text/csv")}
    )
    assert binary.status_code == 422


def test_settings_page_shows_no_secret(client: TestClient, admin: dict[str, str]) -> None:
    login(client, admin["email"])
    page = client.get("/admin/settings").text
    assert "SMARTCUSTOMS_SECRET_KEY" in page and "change-me-in-production" not in page
    assert "SMARTCUSTOMS_SESSION_HOURS" in page
