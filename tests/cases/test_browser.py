"""A real browser: search the public repository, see the highlighted result, open the case."""

from __future__ import annotations

import pytest

from smartcustoms.cases import examples

pytestmark = pytest.mark.e2e


def test_search_and_open_a_case(live_server, page, db) -> None:  # type: ignore[no-untyped-def]
    assert examples.load_examples(db.uow()) >= 5
    page.goto(f"{live_server}/cases")
    assert page.get_by_test_id("results").locator("li").count() >= 5

    page.get_by_role("searchbox", name="Search cases").fill("image")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/cases?q=image*")
    first = page.get_by_test_id("results").locator("li").first
    assert "Intelligent image review of container scans" in first.inner_text()
    assert first.locator("mark").first.inner_text().lower().startswith("image")
    assert "2 cases" in page.get_by_test_id("total").inner_text()
    facets = page.get_by_test_id("facets")
    assert facets.locator("[data-facet=economy] label").count() == 2
    # Filtering works with scripts on (the page's CSP forbids inline handlers): tick, apply.
    facets.locator("[data-facet=economy] input").first.check()
    facets.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/cases?*economy=*")
    assert "1 case" in page.get_by_test_id("total").inner_text()
    page.go_back()
    page.wait_for_url("**/cases?q=image")
    first = page.get_by_test_id("results").locator("li").first

    first.get_by_role("link").click()
    page.wait_for_url("**/cases/example-cn-intelligent-image-review")
    assert page.get_by_test_id("case-title").inner_text() == (
        "Intelligent image review of container scans"
    )
    assert page.get_by_test_id("example-banner").is_visible()
    assert page.get_by_test_id("similar").is_visible()
