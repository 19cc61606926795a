"""Browser and server fixtures (a pytest plugin, listed in tests/conftest.py ``pytest_plugins``).

``live_server``: the app served over real HTTP on a loopback port; ``browser``/``page``: a real
Chromium driven by Playwright. Formerly tests/e2e/conftest.py. Its SQLite-only ``backend``
override is now the ``e2e`` marker rule in tests/conftest.py (``pytest_generate_tests``).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from smartcustoms.config import Settings
from smartcustoms.db.engine import Database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(settings: Settings, db: Database) -> Iterator[str]:
    """Serve the app over real HTTP on 127.0.0.1 in a background thread."""
    from smartcustoms.web.app import create_app

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, db=db), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    import os

    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium must be installed in CI (.ci/run does it)")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context()
    tab = context.new_page()
    yield tab
    context.close()
