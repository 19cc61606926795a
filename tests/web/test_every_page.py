"""What every page shares: a home page per role with today's figures, navigation offering only
what the role may open, HTML error pages in the layout (the API keeps JSON), labelled fields."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

from smartcustoms.declarations import control, service
from smartcustoms.declarations.model import Outcome
from tests.conftest import Actors
from tests.declarations.conftest import KR, doc
from tests.pages import browser_login

PASSWORD = "correct horse battery"


def login(client: TestClient, email: str) -> None:
    client.headers["accept"] = "text/html"
    browser_login(client, email, PASSWORD)


def nav_links(html: str) -> set[str]:
    nav = re.search(r'<nav aria-label="Main" data-testid="main-nav">(.*?)</nav>', html, re.S)
    assert nav, "no main navigation"
    return set(re.findall(r'href="([^"]+)"', nav.group(1)))


def figure(html: str, name: str) -> str:
    found = re.search(rf'data-testid="figure-{name}">(?:<a [^>]*>)?([^<]+)<', html)
    assert found, name
    return found.group(1)


PUBLIC = {"/cases", "/reference/hs"}
NAV = {
    "declarant": PUBLIC | {"/declarations"},
    "officer": PUBLIC | {"/declarations", "/ecommerce", "/exchange", "/stats"},
    "analyst": PUBLIC | {"/declarations", "/ecommerce", "/exchange", "/stats"},
    "knowledge_manager": PUBLIC,
    "platform": PUBLIC | {"/ecommerce"},
    "admin": PUBLIC | {"/declarations", "/ecommerce", "/exchange", "/stats", "/admin"},
}


@pytest.mark.parametrize("role", sorted(NAV))
def test_navigation_offers_only_pages_the_role_may_open(
    client: TestClient, actors: Actors, role: str
) -> None:
    login(client, actors.user("KR", role)["email"])
    home = client.get("/")
    links = nav_links(home.text)
    expected = set(NAV[role])
    if role in ("analyst", "admin") and "/risk" in links:
        expected.add("/risk")  # the risk workbench, when this installation has it
    assert links == expected
    for href in links:
        assert client.get(href).status_code == 200, href


def test_anonymous_navigation_and_lang(client: TestClient) -> None:
    page = client.get("/", headers={"accept": "text/html"})
    assert '<html lang="en">' in page.text
    assert nav_links(page.text) == PUBLIC


def test_home_figures_per_role(client: TestClient, kr: KR, actors: Actors) -> None:
    kr.quiet_lanes("red")
    red = service.submit(kr.db.uow(), kr.declarant, doc(reference="H-1")).record.id
    kr.quiet_lanes("yellow")
    service.submit(kr.db.uow(), kr.declarant, doc(reference="H-2"))
    kr.quiet_lanes()
    service.submit(kr.db.uow(), kr.declarant, doc(reference="H-3"))
    control.record_inspection(kr.db.uow(), kr.officer, red, Outcome.DISCREPANCY, hold=True)

    login(client, kr.users["officer"]["email"])
    home = client.get("/").text
    assert figure(home, "in-the-control-queue") == "1"  # the yellow one; the red is held
    assert figure(home, "red-lane-today") == "1"
    assert figure(home, "yellow-lane-today") == "1"
    assert figure(home, "green-lane-today") == "1"

    login(client, kr.users["analyst"]["email"])
    home = client.get("/").text
    assert figure(home, "hit-rate-of-inspections") == "100.0 %"
    assert figure(home, "inspections-recorded") == "1"

    login(client, kr.users["declarant"]["email"])
    client.post("/declarations/form", data={"reference": "D-1", "intent": "save_draft"})
    home = client.get("/").text
    assert figure(home, "drafts") == "1"
    assert figure(home, "declarations") == "3"

    login(client, actors.user("KR", "knowledge_manager")["email"])
    assert figure(client.get("/").text, "cases-awaiting-review") == "0"

    login(client, actors.user("KR", "admin")["email"])
    home = client.get("/").text
    assert int(figure(home, "users")) >= 5
    assert int(figure(home, "API-tokens-not-revoked")) >= 5


def test_error_pages_are_html_in_the_layout_and_the_api_keeps_json(
    client: TestClient, actors: Actors
) -> None:
    html = {"accept": "text/html"}
    missing = client.get("/no/such/page", headers=html)
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert (
        'data-testid="error-status">404' in missing.text
        and 'data-testid="main-nav"' in missing.text
    )
    api = client.get("/api/v1/no/such", headers=html)
    assert api.status_code == 404 and api.json()["error"] == "NotFound"

    login(client, actors.user("KR", "declarant")["email"])
    refused = client.get("/admin/users")
    assert refused.status_code == 403 and 'data-testid="error-status">403' in refused.text
    assert client.get("/declarations/nope").status_code == 404


def test_an_unexpected_fault_is_an_html_500_page(settings: Any, db: Any) -> None:
    from smartcustoms.web.app import create_app

    app = create_app(settings, db=db)

    def boom() -> None:
        raise RuntimeError("an unexpected fault")

    app.add_api_route("/boom", boom, include_in_schema=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        page = c.get("/boom", headers={"accept": "text/html"})
        assert page.status_code == 500 and 'data-testid="error-status">500' in page.text
        assert "an unexpected fault" not in page.text  # logged, never shown


class Fields(HTMLParser):
    """Form controls and the ids that a <label for> names."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()
        self.ids: set[str] = set()
        self.in_label = 0
        self.in_template = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "template":
            self.in_template += 1
        elif tag == "label":
            self.in_label += 1
            if a.get("for"):
                self.labelled.add(str(a["for"]))
        elif tag in ("input", "select", "textarea") and a.get("type") not in (
            "hidden",
            "submit",
            "button",
        ):
            a["_wrapped"] = "1" if self.in_label else None
            if not self.in_template:
                self.controls.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.in_label -= 1
        elif tag == "template":
            self.in_template -= 1


def dangling_labels(html: str) -> set[str]:
    """The ``for`` of labels that name no element of the page (a label tied to nothing)."""
    parser = Fields()
    parser.feed(html)
    return parser.labelled - parser.ids


def unlabelled(html: str) -> list[dict[str, str | None]]:
    parser = Fields()
    parser.feed(html)
    return [
        c
        for c in parser.controls
        if not c.get("_wrapped")
        and c.get("id") not in parser.labelled
        and not c.get("aria-label")
        and not c.get("aria-labelledby")
    ]


def test_every_field_of_the_new_pages_has_a_label(
    client: TestClient, kr: KR, actors: Actors
) -> None:
    admin = actors.user("KR", "admin")
    pages = {
        kr.users["declarant"]["email"]: ["/declarations/form", "/declarations/upload"],
        admin["email"]: [
            "/admin/users",
            f"/admin/users/{kr.users['officer']['id']}",
            "/admin/economies",
            "/admin/tariff",
            "/login",
        ],
    }
    for email, paths in pages.items():
        login(client, email)
        for path in paths:
            page = client.get(path)
            assert page.status_code == 200, path
            assert unlabelled(page.text) == [], path
            assert dangling_labels(page.text) == set(), path


def test_every_field_of_the_listing_statistics_and_workbench_pages_has_a_label(
    client: TestClient, kr: KR, actors: Actors
) -> None:
    analyst = actors.user("KR", "analyst")
    pages = {
        kr.users["declarant"]["email"]: [
            "/declarations",
            "/declarations/new",
            "/declarations/drafts",
            "/cases",
            "/reference/hs",
        ],
        kr.users["officer"]["email"]: ["/declarations?tab=all", "/ecommerce", "/exchange"],
        analyst["email"]: ["/stats", "/risk/budget", "/risk/rules/new", "/risk/drift"],
    }
    for email, paths in pages.items():
        login(client, email)
        for path in paths:
            page = client.get(path)
            assert page.status_code == 200, path
            assert '<html lang="en">' in page.text, path
            assert unlabelled(page.text) == [], path
            assert dangling_labels(page.text) == set(), path


def test_an_earlier_edition_subheading_shows_its_heading_not_a_dead_end(
    client: TestClient,
) -> None:
    """Declarations dated before 2022 may carry HS 2017 codes and link them: the link opens the
    code's HS 2022 heading with a note, while a code of no edition is still not found."""
    page = client.get("/reference/hs/9405.40")
    assert page.status_code == 200, page.text
    assert "9405.40 is an HS 2017 subheading" in page.text
    assert 'data-testid="hs-title">Heading 9405<' in page.text
    assert "9405.41" in page.text  # today's subheadings listed
    assert client.get("/reference/hs/940598").status_code == 404
