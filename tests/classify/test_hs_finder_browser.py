"""Real Chromium: HS code search-as-you-type in the new-declaration form."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.declarations.conftest import KR

pytestmark = pytest.mark.e2e


def test_declarant_finds_and_inserts_an_hs_code(live_server: str, page: Page, kr: KR) -> None:
    page.goto(f"{live_server}/login?next=/declarations/new")
    page.fill("input[name=email]", kr.users["declarant"]["email"])
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/declarations/new")

    area = page.locator("#document")
    area.fill('{"hs_code": ""}')
    area.click()
    area.press("End")
    area.press("ArrowLeft")
    area.press("ArrowLeft")  # the cursor between the two quotes

    finder = page.get_by_test_id("hs-finder")
    finder.get_by_label("Goods description").fill("women's leather handbag")
    first = finder.locator(".hs-finder-pick").first
    expect(first).to_contain_text("4202")
    code = first.get_attribute("data-code")
    assert code is not None and code.startswith("4202")
    first.click()
    expect(area).to_have_value('{"hs_code": "' + code + '"}')
    expect(page.locator("#hs-finder-status")).to_contain_text("Inserted")

    finder.get_by_label("Goods description").fill("gift")
    expect(page.locator("#hs-finder-status")).to_contain_text("vague")
