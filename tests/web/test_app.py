"""The web skeleton: health, OpenAPI, authentication, and the one error mapping."""

from fastapi.testclient import TestClient

from tests.conftest import Actors
from tests.pages import csrf_token


def test_health_and_docs(client: TestClient) -> None:
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert client.get("/openapi.json").json()["info"]["title"] == "SmartCustoms"
    assert client.get("/docs").status_code == 200


def test_token_exchange_and_me(client: TestClient, actors: Actors) -> None:
    officer = actors.user("KR", "officer", email="o@kr.test")
    bad = client.post("/api/v1/auth/tokens", json={"email": "o@kr.test", "password": "nope"})
    assert bad.status_code == 401 and bad.headers["www-authenticate"] == "Bearer"
    good = client.post(
        "/api/v1/auth/tokens", json={"email": "o@kr.test", "password": "correct horse battery"}
    )
    assert good.status_code == 201
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {good.json()['token']}"})
    assert me.json()["economy"] == "KR" and me.json()["roles"] == ["officer"]
    assert client.get("/api/v1/me", headers=actors.headers(officer)).status_code == 200


def test_missing_or_revoked_credentials_are_401(client: TestClient, actors: Actors) -> None:
    assert client.get("/api/v1/me").status_code == 401
    user = actors.user("KR", "declarant")
    token_id = client.post(
        "/api/v1/auth/tokens",
        json={"email": user["email"], "password": "correct horse battery"},
    ).json()["id"]
    assert (
        client.delete(f"/api/v1/auth/tokens/{token_id}", headers=actors.headers(user)).status_code
        == 204
    )


def test_revoking_another_economys_token_is_404(client: TestClient, actors: Actors) -> None:
    kr = actors.user("KR", "declarant")
    sg_admin = actors.user("SG", "admin")
    token_id = client.post(
        "/api/v1/auth/tokens", json={"email": kr["email"], "password": "correct horse battery"}
    ).json()["id"]
    response = client.delete(f"/api/v1/auth/tokens/{token_id}", headers=actors.headers(sg_admin))
    assert response.status_code == 404


def test_request_validation_is_422_with_field_paths(client: TestClient) -> None:
    response = client.post("/api/v1/auth/tokens", json={"password": 3})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "InvalidInput"
    paths = {e["path"] for e in body["errors"]}
    assert {"email", "password"} <= paths


def test_cookie_session_login_and_logout(client: TestClient, actors: Actors) -> None:
    user = actors.user("KR", "officer", email="web@kr.test")
    page = client.post(
        "/login",
        data={
            "email": "web@kr.test",
            "password": "wrong",
            "next": "/",
            "csrf_token": csrf_token(client),
        },
    )
    assert page.status_code == 401 and "wrong email or password" in page.text
    response = client.post(
        "/login",
        data={
            "email": user["email"],
            "password": "correct horse battery",
            "next": "//evil.example",
            "csrf_token": csrf_token(client),
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"
    home = client.get("/")
    assert "web@kr.test" in home.text
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert "web@kr.test" not in client.get("/").text


def test_economies_listing_is_public(client: TestClient, actors: Actors) -> None:
    actors.economy("KR")
    codes = [e["code"] for e in client.get("/api/v1/economies").json()]
    assert codes == ["KR"]
