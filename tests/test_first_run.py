"""A new user's first run (issue 8): a fresh clone, the demo prepared, served, every page opened.

The repository is cloned into a temporary folder with no data folder beside it (as on a new
user's machine), the demo is prepared exactly as ``make demo`` does it (an empty
``SMARTCUSTOMS_DATA_DIR`` when ``../shared/data`` is absent), served on a free port, and every
demo account logs in and opens every page its navigation offers plus one detail page of each
kind (declaration, case, HS code): no 5xx, and no raw JSON where a page is expected. The same
again with the shared data directory. The clone's code runs with this interpreter and
``PYTHONPATH=<clone>/src`` (no virtual environment is built: that would take minutes).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.pages import browser_login

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[1]
ROLES = ("declarant", "officer", "analyst", "knowledge-manager", "admin")
ECONOMIES = ("KR", "SG")
PASSWORD = "smartcustoms-demo"
HTML = {"accept": "text/html,application/xhtml+xml"}
NAV = re.compile(r"<nav\b[^>]*>(.*?)</nav>", re.S)
HREF = re.compile(r'href="(/[^"#?]*)"')
# Pages under /declarations/ that are not one declaration.
NOT_DECLARATIONS = ("new", "form", "drafts", "upload", "amend")


@dataclass
class Served:
    url: str
    home: Path
    demo_output: str
    clone: Path
    env: dict[str, str]

    def cli(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "smartcustoms", *argv],
            cwd=self.clone,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _clone(tmp: Path) -> Path:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs git and a git checkout")
    # A folder of its own, so nothing like ../shared/data sits beside the clone.
    target = tmp / "fresh" / "smartcustoms"
    target.parent.mkdir(parents=True)
    subprocess.run(
        ["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(target)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert not (target.parent.parent / "shared").exists()
    return target


def _env(clone: Path, home: Path, data_dir: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTCUSTOMS_")}
    env |= {
        "PYTHONPATH": str(clone / "src"),
        "SMARTCUSTOMS_HOME": str(home),
        # What the Makefile exports: the data folder beside the checkout, or an empty value.
        "SMARTCUSTOMS_DATA_DIR": data_dir,
        "SMARTCUSTOMS_PORT": str(port),
        # No download attempts from the test machine: the air-gapped route.
        "SMARTCUSTOMS_OFFLINE": "1",
    }
    return env


@pytest.fixture(scope="module", params=["without-data", "with-data"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    data_dir = ""
    if request.param == "with-data":
        shared = os.environ.get("SMARTCUSTOMS_DATA_DIR", "")
        if not shared or not Path(shared).is_dir():
            pytest.skip("SMARTCUSTOMS_DATA_DIR is not set to the shared data directory")
        data_dir = str(Path(shared).resolve())
    tmp = tmp_path_factory.mktemp(f"first-run-{request.param}")
    clone = _clone(tmp)
    home = tmp / "home"
    port = _free_port()
    env = _env(clone, home, data_dir, port)
    prepared = subprocess.run(
        [sys.executable, "-m", "smartcustoms", "demo", "--no-serve"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert prepared.returncode == 0, prepared.stdout[-3000:] + prepared.stderr[-3000:]
    server = subprocess.Popen(
        [sys.executable, "-m", "smartcustoms", "serve"],
        cwd=clone,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the server did not start: {server.stderr}")
            time.sleep(0.2)
        yield Served(url, home, prepared.stdout + prepared.stderr, clone, env)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
        if server.stderr is not None:
            server.stderr.close()


_CLIENTS: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    """Close the logged-in clients a test opened (their sockets; warnings are errors)."""
    yield
    while _CLIENTS:
        _CLIENTS.pop().close()


def _login(url: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=url, headers=HTML, timeout=60)
    _CLIENTS.append(client)
    browser_login(client, email, PASSWORD)  # with the page's CSRF token, as a browser does
    return client


def _check_page(client: httpx.Client, path: str, offered: bool = False) -> httpx.Response:
    response = client.get(path)
    assert response.status_code < 500, (path, response.status_code, response.text[:500])
    if offered:  # the navigation offers only what the role may open
        assert response.status_code == 200, (path, response.status_code)
    assert response.headers["content-type"].startswith("text/html"), (path, response.headers)
    body = response.text.lstrip()
    assert not body.startswith(("{", "[")), (path, body[:200])
    assert '{"detail"' not in body and '{"error"' not in body, path
    return response


def _detail_links(html: str, prefix: str, exclude: tuple[str, ...] = ()) -> list[str]:
    links = [h for h in HREF.findall(html) if h.startswith(prefix) and h != prefix.rstrip("/")]
    return [h for h in links if h.rsplit("/", 1)[-1] not in exclude]


def test_the_first_run_banner_and_logins(served: Served) -> None:
    out = served.demo_output
    assert "officer@kr.demo" in out and PASSWORD in out
    if "with-data" in str(served.home):
        assert "risk model" in out and "arriving now" in out
    else:
        assert "built-in SAMPLE" in out.replace("\n", " ")
        banner = httpx.get(served.url + "/", headers=HTML).text
        assert 'data-testid="data-notice"' in banner


@pytest.mark.parametrize("economy", ECONOMIES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_demo_role_can_reach_opens(served: Served, economy: str, role: str) -> None:
    client = _login(served.url, f"{role}@{economy.lower()}.demo")
    seen: set[str] = set()
    queue = ["/"]
    details: dict[str, str] = {}
    while queue:  # every link of the navigation, on every page the navigation leads to
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        page = _check_page(client, path, offered=True)
        for nav in NAV.findall(page.text):
            queue += [h for h in HREF.findall(nav) if h not in seen and h != "/logout"]
        for kind, prefix, exclude in (
            ("declaration", "/declarations/", NOT_DECLARATIONS),
            ("case", "/cases/", ("drafts", "review", "new")),
            ("hs", "/reference/hs/", ()),
        ):
            found = _detail_links(page.text, prefix, exclude)
            if found and kind not in details:
                details[kind] = found[0]
    details.setdefault("hs", "/reference/hs/85")
    for path in details.values():
        _check_page(client, path)
    assert "case" in details, "every role sees the case repository"
    may_read_declarations = role in ("declarant", "officer", "analyst", "admin")
    assert ("/declarations" in seen) is may_read_declarations
    if role in ("officer", "analyst", "admin"):
        assert "declaration" in details, f"{role}@{economy} sees declarations"


@pytest.mark.parametrize("economy", ECONOMIES)
def test_the_officer_queue_holds_real_work_with_scores_and_explanations(
    served: Served, economy: str
) -> None:
    client = _login(served.url, f"officer@{economy.lower()}.demo")
    queue = _check_page(client, "/declarations").text
    waiting = re.search(r"(\d+) declarations? waiting for control", queue)
    assert waiting and int(waiting.group(1)) > 0, "the officer has red or yellow work"
    first = _detail_links(queue, "/declarations/", NOT_DECLARATIONS)[0]
    page = _check_page(client, first).text
    assert 'data-testid="lane-decision"' in page
    if economy == "KR":  # the learned assessor: a score, the model, reasons in plain words
        assert 'data-testid="score"' in page and "model" in page
        assert 'data-testid="explanations"' in page or "Rules fired" in page
    other = "SG" if economy == "KR" else "KR"
    ids = set(_detail_links(queue, "/declarations/", NOT_DECLARATIONS))
    foreign = _login(served.url, f"officer@{other.lower()}.demo")
    for path in list(ids)[:3]:  # tenancy: another economy's officer cannot open them
        assert foreign.get(path).status_code == 404


def test_the_analyst_sees_model_rules_and_budget_through_the_api(served: Served) -> None:
    client = _login(served.url, "analyst@kr.demo")
    api = {"accept": "application/json"}
    models = client.get("/api/v1/risk/models", headers=api).json()
    assert any(m["status"] == "active" for m in models)
    rules = client.get("/api/v1/risk/rules", headers=api).json()
    assert len([r for r in rules if r["status"] == "active"]) >= 3
    budget = client.get("/api/v1/risk/budget", headers=api).json()
    assert budget["red"] > 0 and budget["yellow"] > 0
    drift = client.get("/api/v1/risk/drift", headers=api)
    assert drift.status_code == 200 and drift.json()["weeks"], "drift has weeks to show"
    # ... and through the CLI
    for argv, check in (
        (["risk", "models"], lambda d: any(m["status"] == "active" for m in d)),
        (["risk", "rules"], lambda d: len(d) >= 3),
        (["risk", "budget"], lambda d: d["red"] > 0),
    ):
        done = served.cli(*argv, "--economy", "KR", "--json")
        assert done.returncode == 0, done.stderr[-1000:]
        assert check(json.loads(done.stdout)), argv


def test_running_the_demo_again_changes_nothing(served: Served) -> None:
    def total() -> int:
        done = served.cli("declarations", "list", "--economy", "KR", "--size", "1", "--json")
        assert done.returncode == 0, done.stderr[-1000:]
        return int(json.loads(done.stdout)["total"])

    before = total()
    again = served.cli("demo", "--no-serve")
    assert again.returncode == 0, again.stderr[-2000:]
    out = again.stdout
    assert "reference data: already loaded" in out
    assert "KR history: already loaded" in out and "KR arriving now: already replayed" in out
    assert "KR risk model: KR-" in out and " active" in out
    assert total() == before
