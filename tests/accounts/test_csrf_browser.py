"""A real cross-site request forgery in Chromium: a page on another origin (same site, so the
SameSite=Lax cookie alone would not stop it) auto-submits a form to cancel a declaration."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from smartcustoms.declarations import service
from smartcustoms.declarations.model import Status
from tests.declarations.conftest import KR, doc

pytestmark = pytest.mark.e2e


@pytest.fixture
def evil_origin() -> Iterator[tuple[str, dict[str, str]]]:
    pages: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path, "not here").encode()
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", pages
    server.shutdown()
    server.server_close()  # the listening socket (warnings are errors)
    thread.join(timeout=5)


def test_a_forged_form_from_another_origin_changes_nothing(
    live_server: str, page: Page, kr: KR, evil_origin: tuple[str, dict[str, str]]
) -> None:
    kr.quiet_lanes("yellow")
    record = service.submit(kr.db.uow(), kr.declarant, doc(reference="CSRF-1")).record
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", kr.users["declarant"]["email"])
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    expect(page.get_by_test_id("who")).to_be_visible()

    origin, pages = evil_origin
    pages["/win-a-prize"] = (
        f'<form id="f" method="post" action="{live_server}/declarations/{record.id}/cancel">'
        '<input name="notes" value="forged"></form>'
        '<script>document.getElementById("f").submit()</script>'
    )
    with page.expect_response(f"**/declarations/{record.id}/cancel") as answer:
        page.goto(f"{origin}/win-a-prize")
    assert answer.value.status == 403
    assert service.get(kr.db.uow(), kr.declarant, record.id).status is not Status.CANCELLED

    # The same action from the site's own page works.
    page.goto(f"{live_server}/declarations/{record.id}")
    form = page.get_by_test_id("form-cancel")
    form.get_by_label("Reason").fill("wrong invoice")
    form.get_by_role("button").click()
    page.wait_for_url(f"**/declarations/{record.id}?done=cancel")
    assert service.get(kr.db.uow(), kr.declarant, record.id).status is Status.CANCELLED
