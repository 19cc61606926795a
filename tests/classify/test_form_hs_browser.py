"""Real Chromium: the declaration form's item description searches for the item's HS code."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.declarations.conftest import KR

pytestmark = pytest.mark.e2e


def test_typing_a_description_suggests_and_fills_that_items_hs_code(
    live_server: str, page: Page, kr: KR
) -> None:
    page.goto(f"{live_server}/login?next=/declarations/form")
    page.fill("input[name=email]", kr.users["declarant"]["email"])
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/declarations/form")

    page.get_by_role("button", name="Add item").click()
    second = page.locator(".item-row").nth(1)
    second.locator(".hs-description").fill("women's leather handbag")
    first = page.get_by_test_id("hs-finder").locator(".hs-finder-pick").first
    expect(first).to_contain_text("4202")
    code = first.get_attribute("data-code")
    assert code is not None
    first.click()
    expect(second.locator(".hs-code")).to_have_value(code)
    expect(page.get_by_label("HS code (item 1)")).to_have_value("")
