"""Real Chromium on the statistics pages: an analyst reads the dashboard, opens the report
and publishes an aggregate that a visitor then reads without logging in."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.stats.conftest import StatsKR

pytestmark = pytest.mark.e2e


def test_analyst_dashboard_report_and_public_aggregate(
    live_server: str, page: Page, stats_kr: StatsKR
) -> None:
    k = stats_kr.kr
    page.goto(f"{live_server}/login?next=/stats")
    page.fill("input[name=email]", k.users["analyst"]["email"])
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/stats")
    report = page.get_by_test_id("stats-report")
    expect(report).to_be_visible()
    expect(page.get_by_test_id("period")).to_have_value("2021-Q2")
    expect(page.get_by_test_id("total-value")).to_have_text("2,000,000.00 KRW")
    expect(page.get_by_test_id("partners").locator("tr")).to_have_count(5)  # header + 4
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(7)
    box = charts.first.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100
    expect(page.get_by_test_id("green-value")).to_contain_text("800,000.00")

    page.get_by_test_id("period").fill("2021-Q1")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("total-value")).to_have_text("400,000.00 KRW")

    page.get_by_test_id("period").fill("2021-Q2")
    page.get_by_role("button", name="Show").click()
    form = page.get_by_test_id("publish-form")
    form.locator("input[name=title]").fill("KR imports and exports by partner, 2021-Q2")
    form.locator("input[name=threshold]").fill("1")
    form.get_by_role("button", name="Publish").click()
    page.wait_for_url("**/public/stats/KR/*")
    public_url = page.url

    visitor = page.context.browser.new_context()  # type: ignore[union-attr]
    tab = visitor.new_page()
    tab.goto(public_url)
    expect(tab.get_by_test_id("public-total")).to_contain_text("2000000.00 KRW")
    expect(tab.get_by_test_id("public-rows").locator("tbody tr")).to_have_count(4)
    expect(tab.locator("svg.chart")).to_have_count(1)
    tab.goto(f"{live_server}/stats")
    expect(tab).to_have_url(f"{live_server}/login?next=/stats")
    visitor.close()
