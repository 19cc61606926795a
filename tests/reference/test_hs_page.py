"""The HS page in a real browser: search, open a result, see where it sits."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def test_search_then_open_lithium_ion_accumulators(
    live_server: str,
    page,
    shared_data_dir: Path,  # type: ignore[no-untyped-def]
) -> None:
    page.goto(f"{live_server}/reference/hs")
    page.get_by_label("Describe the goods or type a code").fill("lithium ion battery")
    page.get_by_role("button", name="Search").click()
    hit = page.get_by_test_id("hs-hit").filter(has_text="8507.60")
    hit.wait_for()
    hit.click()
    page.wait_for_url(f"{live_server}/reference/hs/850760")
    assert page.get_by_test_id("hs-title").inner_text() == "Subheading 8507.60"
    ancestors = page.get_by_test_id("hs-ancestors").inner_text()
    assert "Chapter 85" in ancestors and "Heading 8507" in ancestors
    assert page.get_by_test_id("data-notice").count() == 0  # full data: no sample banner
    page.get_by_role("link", name="Heading 8507").click()
    page.wait_for_url(f"{live_server}/reference/hs/8507")
    assert "8507.60" in page.get_by_test_id("hs-children").inner_text()
