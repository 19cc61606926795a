"""Real Chromium on the e-commerce pages: a carrier uploads a manifest and downloads the
decisions; an officer works the parcel queue and records a result."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from smartcustoms.config import Settings
from smartcustoms.db.engine import Database
from smartcustoms.ecommerce import services
from tests.conftest import Actors
from tests.ecommerce.conftest import generated, ndjson, parcel

pytestmark = pytest.mark.e2e


def log_in(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login?next=/ecommerce")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/ecommerce")


def test_carrier_uploads_a_manifest_and_downloads_the_decisions(
    live_server: str, page: Page, actors: Actors, tmp_path: Path
) -> None:
    user = actors.user("SG", "carrier")
    manifest = tmp_path / "today.ndjson"
    manifest.write_bytes(ndjson(generated(150, 12)))
    log_in(page, live_server, user["email"])
    expect(page.get_by_test_id("charts")).to_be_visible()
    page.set_input_files("input[name=file]", str(manifest))
    page.get_by_role("button", name="Upload and decide").click()
    page.wait_for_url("**/ecommerce/manifests/*")
    expect(page.get_by_test_id("job-status")).to_have_text("done", timeout=60_000)
    expect(page.get_by_test_id("n-parcels")).to_have_text("150")
    expect(page.get_by_test_id("n-decided")).to_have_text("150")
    counts = [
        int(page.get_by_test_id(f"n-{k}").inner_text())
        for k in ("release", "hold", "inspect", "refuse")
    ]
    assert sum(counts) == 150
    with page.expect_download() as info:
        page.get_by_test_id("download").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert text.startswith("waybill,decision") and len(text.strip().splitlines()) == 151
    if counts[3]:
        expect(page.get_by_test_id("flagged")).to_contain_text("prohibited")
    page.goto(f"{live_server}/ecommerce")
    expect(page.get_by_test_id("manifests").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("chart-decisions")).to_be_visible()


def test_officer_works_the_parcel_queue(
    live_server: str, page: Page, actors: Actors, db: Database, settings: Settings
) -> None:
    carrier = actors.user("SG", "carrier")
    officer = actors.user("SG", "officer")
    from dataclasses import replace

    from smartcustoms.accounts.model import Role
    from smartcustoms.declarations.service import system_principal

    who = replace(system_principal("SG", carrier["id"]), roles=frozenset({Role.CARRIER}))
    item = parcel("x")["items"][0]
    services.submit_manifest(
        db.uow(),
        who,
        ndjson(
            [
                parcel("W-VAGUE", items=[dict(item, description="parts")]),
                parcel("W-FINE", buyer={"id": "B2", "region": "East"}),
            ]
        ),
        secret_key=settings.secret_key,
        files_dir=settings.files_dir,
    )
    log_in(page, live_server, officer["email"])
    page.get_by_test_id("queue-link").click()
    queue = page.get_by_test_id("queue")
    expect(queue.locator("tbody tr")).to_have_count(1)
    expect(queue).to_contain_text("too vague to classify")
    queue.get_by_role("link", name="W-VAGUE").click()
    page.wait_for_url("**/ecommerce/parcels/W-VAGUE")
    expect(page.get_by_test_id("decision")).to_have_text("hold")
    expect(page.get_by_test_id("items")).to_contain_text("parts")
    form = page.get_by_test_id("result-form")
    form.get_by_label("finding", exact=True).check()
    form.get_by_label("Note").fill("phone batteries, undeclared")
    form.get_by_role("button", name="Record result").click()
    page.wait_for_url("**/ecommerce/queue?done=W-VAGUE")
    expect(page.get_by_test_id("flash")).to_contain_text("W-VAGUE")
    expect(page.get_by_test_id("queue-empty")).to_be_visible()
    page.goto(f"{live_server}/ecommerce/parcels/W-VAGUE")
    expect(page.get_by_test_id("result")).to_have_text("finding")
