"""What a new user meets on the pages (issue 8): offline API docs, HTML error pages in the
layout (the API keeps JSON), navigation limited to what the role may open, a clean footer."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from smartcustoms import __version__
from smartcustoms.accounts import service as accounts
from smartcustoms.cases.examples import load_examples
from smartcustoms.db.engine import Database
from tests.conftest import Actors
from tests.pages import browser_login, csrf_token

PASSWORD = "correct horse battery"
HTML = {"accept": "text/html,application/xhtml+xml"}


def login(client: TestClient, email: str) -> None:
    browser_login(client, email, PASSWORD)


def test_api_docs_reference_only_the_apps_own_assets(client: TestClient) -> None:
    page = client.get("/docs", headers=HTML)
    assert page.status_code == 200
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page.text)
    assert refs, "the docs page loads its script and stylesheet"
    assert all(r.startswith("/") and not r.startswith("//") for r in refs), refs
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    for ref in refs:
        asset = client.get(ref)
        assert asset.status_code == 200, ref
        assert len(asset.content) > 500, ref
    assert client.get("/redoc").status_code == 404  # ReDoc would need a CDN


def test_unknown_pages_answer_an_html_page_and_the_api_json(client: TestClient) -> None:
    page = client.get("/no/such/page", headers=HTML)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "404 · Not found" in page.text and '<a class="brand"' in page.text
    assert '{"detail"' not in page.text
    api = client.get("/api/v1/no-such-thing", headers=HTML)
    # The API answers every error in its one shape (docs/security.md, the OpenAPI error model).
    assert api.status_code == 404 and api.json() == {"error": "NotFound", "detail": "Not Found"}


def test_a_refused_page_keeps_the_user_logged_in_and_nav_fits_the_role(
    client: TestClient, actors: Actors
) -> None:
    km = actors.user("KR", "knowledge_manager")
    login(client, km["email"])
    home = client.get("/", headers=HTML)
    assert 'href="/declarations"' not in home.text  # a knowledge manager cannot open them
    assert 'href="/cases"' in home.text

    refused = client.get("/declarations", headers=HTML)
    assert refused.status_code == 403
    assert "403 · Not allowed" in refused.text
    assert km["email"] in refused.text and "Log out" in refused.text  # not logged-out looking

    officer = actors.user("KR", "officer")
    client.cookies.clear()
    login(client, officer["email"])
    assert 'href="/declarations"' in client.get("/", headers=HTML).text


def test_case_pages_footer_shows_the_version_not_an_object(
    client: TestClient, db: Database
) -> None:
    assert load_examples(db.uow()) > 0
    listing = client.get("/cases", headers=HTML)
    slug = re.findall(r'href="/cases/([a-z0-9-]+)"', listing.text)
    slug = [s for s in slug if s not in ("drafts", "review", "new")]
    assert slug
    page = client.get(f"/cases/{slug[0]}", headers=HTML)
    assert page.status_code == 200
    footer = page.text[page.text.index("<footer") :]
    assert f"SmartCustoms {__version__}" in footer
    assert "CaseVersion(" not in page.text


def test_economies_default_name_and_currency_from_the_code(db: Database) -> None:
    created = accounts.create_economy(db.uow(), "CL")
    assert (created.name, created.currency) == ("Chile", "CLP")


def test_demo_accounts_cannot_log_in_in_production(
    db: Database, actors: Actors, tmp_path: Path
) -> None:
    from smartcustoms.config import Settings
    from smartcustoms.web.app import create_app

    actors.user("KR", "officer", email="officer@kr.demo")
    real = actors.user("KR", "officer")
    settings = Settings(
        environment="production",
        secret_key="a-long-random-production-secret-0123456789",
        home=tmp_path,
        database_url=db.url,
    )
    # Production cookies are Secure: the client speaks HTTPS, as a browser there would.
    with TestClient(create_app(settings, db=db), base_url="https://testserver") as prod:
        refused = prod.post(
            "/login",
            data={
                "email": "officer@kr.demo",
                "password": PASSWORD,
                "next": "/",
                "csrf_token": csrf_token(prod),
            },
            headers=HTML,
            follow_redirects=False,
        )
        assert refused.status_code == 401 and "demo accounts" in refused.text
        allowed = prod.post(
            "/login",
            data={
                "email": real["email"],
                "password": PASSWORD,
                "next": "/",
                "csrf_token": csrf_token(prod),
            },
            headers=HTML,
            follow_redirects=False,
        )
        assert allowed.status_code == 303


def test_an_unexpected_error_is_an_html_page_for_pages_and_json_for_the_api(
    settings: object, db: Database
) -> None:
    from smartcustoms.web.app import create_app

    app = create_app(settings, db=db)  # type: ignore[arg-type]

    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom)
    app.add_api_route("/api/v1/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as c:
        page = c.get("/boom", headers=HTML)
        assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
        assert "500 · Something went wrong" in page.text and "a bug" not in page.text
        api = c.get("/api/v1/boom", headers=HTML)
        assert api.status_code == 500 and api.json()["error"] == "InternalError"
