"""Real Chromium: the trader lodges through the form, the administrator creates an officer who
then logs in, and each role's navigation offers only what it may open."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from smartcustoms.declarations import service
from smartcustoms.declarations.model import ListFilters
from tests.conftest import Actors
from tests.declarations.conftest import KR

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"
INVOICE_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def shot(page: Page, name: str) -> None:
    """Save a screenshot when SMARTCUSTOMS_SCREENSHOTS names a folder (docs/screenshots is made
    this way: ``SMARTCUSTOMS_SCREENSHOTS=docs/screenshots pytest -m e2e tests/web``)."""
    folder = os.environ.get("SMARTCUSTOMS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def log_in(page: Page, live_server: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/")


def test_trader_lodges_with_two_mistakes_fixes_them_and_sees_the_assessment(
    live_server: str, page: Page, kr: KR
) -> None:
    kr.quiet_lanes("yellow")  # a documentary check: the officer will want the invoice
    log_in(page, live_server, kr.users["declarant"]["email"])
    page.get_by_test_id("main-nav").get_by_role("link", name="Declarations").click()
    page.get_by_role("link", name="New declaration").first.click()
    page.wait_for_url("**/declarations/form")

    page.get_by_label("Your reference").fill("BROWSER-1")
    page.get_by_label("Declaration date").fill("2021-05-14")
    page.get_by_label("Customs office").fill("020")
    page.get_by_label("Mode of transport").select_option("sea")
    page.get_by_label("Invoice currency").fill("USX")  # mistake 1
    page.get_by_label("Incoterm").select_option("FOB")
    page.get_by_label("Freight").fill("100")
    page.get_by_label("Country of departure").fill("CN")
    page.get_by_label("Declarant · Identifier").fill("BRK-001")
    page.get_by_label("Declarant · Country").fill("KR")
    page.get_by_label("Importer · Identifier").fill("IMP-778")
    page.get_by_label("Importer · Country").fill("KR")
    page.get_by_label("HS code (item 1)").fill("999999")  # mistake 2
    page.get_by_label("Description of the goods (item 1)").fill("Li-ion packs")
    page.get_by_label("Country of origin (item 1)").fill("CN")
    page.get_by_label("Net mass (kg) (item 1)").fill("180")
    page.get_by_label("Invoice value (item 1)").fill("3000")
    # A second row added by the script, then removed again: the form keeps working.
    page.get_by_role("button", name="Add item").click()
    expect(page.locator(".item-row")).to_have_count(2)
    page.locator(".item-row").nth(1).get_by_role("button", name="Remove this item").click()
    expect(page.locator(".item-row")).to_have_count(1)

    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("validation-errors")).to_contain_text("2 problems")
    expect(page.get_by_test_id("error-invoice_currency")).to_be_visible()
    expect(page.get_by_test_id("error-items[0].hs_code")).to_be_visible()
    currency = page.get_by_label("Invoice currency")
    expect(currency).to_have_value("USX")  # what was typed is kept
    expect(currency).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Description of the goods (item 1)")).to_have_value("Li-ion packs")
    shot(page, "trader-form-errors")
    assert service.list_declarations(kr.db.uow(), kr.declarant, ListFilters()).total == 0

    currency.fill("USD")
    page.get_by_label("HS code (item 1)").fill("850760")
    page.get_by_test_id("preview").click()
    expect(page.get_by_test_id("notice")).to_contain_text("Valid")
    expect(page.get_by_test_id("preview-assessment")).to_contain_text("Total due")
    shot(page, "trader-form-preview")

    page.get_by_test_id("submit").click()
    page.wait_for_url("**/declarations/*?done=submitted")
    expect(page.get_by_test_id("assessment")).to_contain_text("Total due")
    expect(page.get_by_role("heading", level=1)).to_contain_text("BROWSER-1")
    assert service.list_declarations(kr.db.uow(), kr.declarant, ListFilters()).total == 1

    # The invoice for the documentary check, attached on the declaration's page.
    upload = page.get_by_test_id("form-documents")
    upload.get_by_label("Kind").select_option("commercial_invoice")
    upload.get_by_label("File").set_input_files(
        {"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": INVOICE_PDF}
    )
    upload.get_by_role("button", name="Attach").click()
    page.wait_for_url("**/declarations/*?done=document_attached*")
    expect(page.get_by_test_id("document")).to_contain_text("Commercial invoice")
    expect(page.get_by_test_id("document-link")).to_have_text("invoice.pdf")
    shot(page, "trader-documents")


def test_admin_creates_an_officer_who_can_then_log_in(
    live_server: str, page: Page, actors: Actors
) -> None:
    admin = actors.user("KR", "admin")
    log_in(page, live_server, admin["email"])
    page.get_by_test_id("main-nav").get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Users").first.click()
    page.get_by_label("Email").fill("new.officer@kr.test")
    page.get_by_label("Name").fill("New Officer")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_test_id("error-password")).to_be_visible()
    expect(page.get_by_test_id("error-roles")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value("new.officer@kr.test")

    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_label("officer", exact=True).check()
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_test_id("user-email")).to_have_text("new.officer@kr.test")
    shot(page, "admin-user")
    page.get_by_role("button", name="Log out").click()

    log_in(page, live_server, "new.officer@kr.test", "a long enough passphrase")
    expect(page.get_by_test_id("who")).to_contain_text("officer")
    nav = page.get_by_test_id("main-nav")
    expect(nav.get_by_role("link", name="Declarations")).to_be_visible()
    expect(nav.get_by_role("link", name="Administration")).to_have_count(0)
    expect(page.get_by_test_id("figures-officer")).to_be_visible()
    shot(page, "officer-home")


def test_navigation_shows_only_permitted_links_per_role(
    live_server: str, page: Page, actors: Actors
) -> None:
    expected = {
        "declarant": ["Declarations", "Case repository", "HS nomenclature"],
        "knowledge_manager": ["Case repository", "HS nomenclature"],
        "officer": [
            "Declarations",
            "E-commerce",
            "Exchange",
            "Statistics",
            "Case repository",
            "HS nomenclature",
        ],
    }
    for role, labels in expected.items():
        log_in(page, live_server, actors.user("KR", role)["email"])
        links = page.get_by_test_id("main-nav").get_by_role("link")
        expect(links).to_have_text(labels)
        # Opening the administration by URL is refused with the HTML page, in the layout.
        page.goto(f"{live_server}/admin/users")
        expect(page.get_by_test_id("error-status")).to_contain_text("403")
        page.get_by_role("button", name="Log out").click()


def test_keyboard_reaches_the_content_first(live_server: str, page: Page) -> None:
    page.goto(f"{live_server}/login")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the content")).to_be_focused()


def test_a_user_of_another_economy_cannot_reach_kr_pages_by_url(
    live_server: str, page: Page, kr: KR, actors: Actors
) -> None:
    """SG's officer and administrator type KR's addresses: every page answers the HTML 404
    page in the layout (never 200, never KR's data), as for an id that does not exist."""
    from tests.declarations.conftest import doc

    lodged = service.submit(kr.db.uow(), kr.declarant, doc(reference="KR-PRIVATE-REF")).record
    kr_admin = actors.user("KR", "admin")
    pages = {
        "officer": [
            f"/declarations/{lodged.id}",
            f"/declarations/{lodged.id}/amend",
            f"/risk/declarations/{lodged.id}/lane",
        ],
        "admin": [f"/admin/users/{kr_admin['id']}", f"/declarations/{lodged.id}"],
    }
    for role, paths in pages.items():
        log_in(page, live_server, actors.user("SG", role)["email"])
        for path in paths:
            response = page.goto(f"{live_server}{path}")
            assert response is not None and response.status in (403, 404), (role, path)
            expect(page.get_by_test_id("error-status")).to_be_visible()
            expect(page.locator("body")).not_to_contain_text("KR-PRIVATE-REF")
            expect(page.locator("body")).not_to_contain_text(kr_admin["email"])
        page.get_by_role("button", name="Log out").click()
