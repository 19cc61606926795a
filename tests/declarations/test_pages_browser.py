"""Real Chromium on the declaration pages: an officer works the queue, a declarant lodges."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from smartcustoms.declarations import service
from smartcustoms.declarations.model import Outcome, Status
from tests.declarations.conftest import KR, doc

pytestmark = pytest.mark.e2e


def log_in(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login?next=/declarations")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/declarations")


def test_officer_records_a_discrepancy_on_a_red_lane_declaration(
    live_server: str, page: Page, kr: KR
) -> None:
    kr.quiet_lanes("yellow")
    service.submit(kr.db.uow(), kr.declarant, doc(reference="DOC-CHECK-1"))
    kr.quiet_lanes("red")
    red = service.submit(kr.db.uow(), kr.declarant, doc(reference="RED-LANE-1")).record
    kr.quiet_lanes()
    service.submit(kr.db.uow(), kr.declarant, doc(reference="GREEN-1"))

    log_in(page, live_server, kr.users["officer"]["email"])
    queue = page.get_by_test_id("declarations")
    expect(page.get_by_role("link", name="My queue")).to_have_attribute("aria-current", "page")
    expect(queue.locator("tbody tr")).to_have_count(2)  # the green one is not in the queue
    expect(queue.locator("tbody tr").first).to_contain_text("RED-LANE-1")
    expect(page.get_by_test_id("status-chart")).to_contain_text("physical inspection")

    queue.get_by_role("link", name="RED-LANE-1").click()
    page.wait_for_url(f"**/declarations/{red.id}")
    expect(page.get_by_test_id("status").first).to_have_text("physical inspection")
    expect(page.get_by_test_id("lane-decision")).to_contain_text("rule force")

    form = page.get_by_test_id("form-record_inspection")
    form.get_by_label("Discrepancy", exact=True).check()
    form.get_by_label("Revenue adjustment").fill("75000")
    form.get_by_label("Notes").fill("invoice undervalued by a third")
    form.get_by_role("button", name="Record result").click()

    page.wait_for_url(f"**/declarations/{red.id}?done=record_inspection")
    expect(page.get_by_test_id("flash")).to_have_text("Inspection result recorded.")
    expect(page.get_by_test_id("status").first).to_have_text("released")
    expect(page.get_by_test_id("inspections")).to_contain_text("75,000")
    expect(page.get_by_test_id("form-record_inspection")).to_have_count(0)
    stored = service.get(kr.db.uow(), kr.officer, red.id)
    assert stored.status is Status.RELEASED
    assert stored.inspections[0].outcome is Outcome.DISCREPANCY


def test_declarant_sees_the_path_of_an_error_in_the_new_declaration_form(
    live_server: str, page: Page, kr: KR
) -> None:
    log_in(page, live_server, kr.users["declarant"]["email"])
    page.get_by_role("link", name="New declaration").first.click()
    page.get_by_role("link", name="Write JSON instead").click()  # the form's JSON variant
    page.wait_for_url("**/declarations/new")
    text = json.loads(page.get_by_label("Declaration (JSON)").input_value())
    assert text["reference"].startswith("WEB-")
    text["items"][0]["net_mass_kg"] = "-5"
    page.get_by_label("Declaration (JSON)").fill(json.dumps(text, indent=2))
    page.get_by_role("button", name="Submit").click()

    errors = page.get_by_test_id("validation-errors")
    expect(errors).to_contain_text("nothing was stored")
    expect(errors.locator("code.decl-path")).to_have_text(["items[0].net_mass_kg"])
    # jumping to the line selects it in the text
    errors.locator("a.decl-goto").first.click()
    selected = page.evaluate(
        "() => { const a = document.getElementById('document');"
        " return a.value.substring(a.selectionStart, a.selectionEnd); }"
    )
    assert '"net_mass_kg": "-5"' in selected
    assert service.list_declarations(kr.db.uow(), kr.declarant).total == 0
