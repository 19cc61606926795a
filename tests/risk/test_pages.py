"""The analyst's workbench pages through the app (TestClient, cookie login, CSRF tokens) on a
real database with a real trained model: every page renders for the analyst with its charts,
every form reports each problem beside its field (422, what was typed kept), refused roles
get the 403 page, another economy's ids the 404 page, and nothing answers 500."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from smartcustoms.declarations import service as declarations
from smartcustoms.declarations.intake import importing
from smartcustoms.declarations.service import system_principal
from smartcustoms.risk import service as risk
from smartcustoms.risk import training, workbench
from tests import factories
from tests.pages import browser_login

PASSWORD = "correct horse battery"
HTML = {"accept": "text/html"}
SVG = re.compile(r"<svg.*?</svg>", re.S)


@pytest.fixture
def bench(db, actors, settings, shared_data_dir: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    raw = pd.read_csv(
        shared_data_dir / "customs-declarations" / "df_syn_train_eng.csv", nrows=1500, dtype=str
    )
    path = tmp_path / "slice.csv"
    raw.to_csv(path, index=False)
    actors.economy("KR")
    importing.import_file(db.uow(), system_principal("KR"), path, "kcs-cdd")
    model = training.train_from_database(
        db.uow(), system_principal("KR"), settings.files_dir, params={"n_estimators": 15}
    )
    users = {
        "analyst": actors.user("KR", "analyst"),
        "officer": actors.user("KR", "officer"),
        "declarant": actors.user("KR", "declarant"),
        "jp": actors.user("JP", "analyst"),
    }
    listed = declarations.list_declarations(db.uow(), system_principal("KR"))
    return {"users": users, "model": model.version, "declaration": listed.items[0].id}


def login(client: Any, user: dict[str, str]) -> None:
    client.headers.update(HTML)
    browser_login(client, user["email"], PASSWORD)


def svgs_are_valid(html: str) -> int:
    found = SVG.findall(html)
    for svg in found:
        ET.fromstring(svg)
        assert "NaN" not in svg and "<title>" in svg and "aria-label" in svg
    return len(found)


def post(client: Any, url: str, data: dict[str, str]) -> Any:
    return client.post(url, data=data, follow_redirects=False)


def test_roles_are_refused_with_the_403_page_and_other_economies_get_404(
    client: Any, bench: dict[str, Any]
) -> None:
    users = bench["users"]
    anonymous = client.get("/risk", headers=HTML, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    login(client, users["officer"])
    for url in ("/risk", "/risk/rules", "/risk/rules/new", "/risk/models", "/risk/budget"):
        page = client.get(url)
        assert page.status_code == 403, url
        assert page.headers["content-type"].startswith("text/html") and "error-status" in page.text
    assert client.get("/risk/drift").status_code == 200  # officers read drift
    lane = client.get(f"/risk/declarations/{bench['declaration']}/lane")
    assert lane.status_code == 200 and svgs_are_valid(lane.text) == 1
    refused = post(client, "/risk/budget", {"red": "0.5", "yellow": "0.1", "action": "save"})
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]

    login(client, users["declarant"])
    for url in ("/risk", "/risk/drift", f"/risk/declarations/{bench['declaration']}/lane"):
        assert client.get(url).status_code == 403, url

    rule = risk.create_rule(
        client.app.state.db.uow(),
        system_principal("KR"),
        {"name": "kr rule", "conditions": {"hs_prefix": ["85"]}, "action": {"lane": "red"}},
    )
    login(client, users["jp"])
    for url in (
        f"/risk/rules/{rule.id}",
        f"/risk/rules/{rule.id}/edit",
        f"/risk/models/{bench['model']}",
        f"/risk/declarations/{bench['declaration']}/lane",
        "/risk/jobs/nope",
        "/risk/rules/nope",
    ):
        page = client.get(url)
        assert page.status_code == 404, url
        assert "text/html" in page.headers["content-type"]
    for url, data in (
        (f"/risk/rules/{rule.id}/status", {"status": "active"}),
        (f"/risk/rules/{rule.id}/test", {}),
        (f"/risk/rules/{rule.id}/edit", {"name": "x", "hs_prefix": "1", "lane": "red"}),
        (f"/risk/models/{bench['model']}/activate", {}),
    ):
        assert post(client, url, data).status_code == 404, url
    assert client.get("/risk/models").status_code == 200  # JP sees its own (empty) registry
    assert "kr rule" not in client.get("/risk/rules").text


def test_rule_form_errors_test_save_activate_edit_retire(
    client: Any, bench: dict[str, Any]
) -> None:
    login(client, bench["users"]["analyst"])
    home = client.get("/risk")
    assert home.status_code == 200 and bench["model"] in home.text
    assert client.get("/risk/rules/new").status_code == 200

    bad = post(
        client,
        "/risk/rules/new",
        {"name": "", "hs_prefix": "85a7", "min_value": "lots", "lane": "purple", "action": "save"},
    )
    assert bad.status_code == 422
    for name in ("name", "hs_prefix", "min_value", "lane"):
        assert f'data-testid="error-{name}"' in bad.text, name
    assert 'value="85a7"' in bad.text and 'value="lots"' in bad.text  # what was typed is kept
    empty = post(client, "/risk/rules/new", {"name": "nothing", "action": "save"})
    assert empty.status_code == 422
    assert 'data-testid="error-conditions"' in empty.text
    assert 'data-testid="error-action"' in empty.text
    bad_day = post(
        client, "/risk/rules/new", {"name": "n", "hs_prefix": "85", "lane": "red", "since": "x"}
    )
    assert bad_day.status_code == 422 and 'data-testid="error-since"' in bad_day.text

    fields = {"name": "Electrical machines", "hs_prefix": "85", "lane": "yellow"}
    tested = post(client, "/risk/rules/new", fields | {"action": "test"})
    assert tested.status_code == 200 and 'data-testid="test-result"' in tested.text
    hits = re.search(r'data-testid="test-hits">([\d,]+)<', tested.text)
    assert hits and int(hits.group(1).replace(",", "")) > 0
    assert 'href="/declarations/' in tested.text  # examples link to the declarations

    saved = post(client, "/risk/rules/new", fields | {"action": "save"})
    assert saved.status_code == 303
    url = saved.headers["location"].split("?")[0]
    page = client.get(saved.headers["location"])
    assert "Rule saved as a draft." in page.text and ">draft<" in page.text
    assert post(client, f"{url}/test", {"since": "2020-13-01"}).status_code == 422
    assert post(client, f"{url}/test", {}).status_code == 200
    assert post(client, f"{url}/status", {"status": "flying"}).status_code == 422
    activated = post(client, f"{url}/status", {"status": "active"})
    assert activated.status_code == 303 and activated.headers["location"].endswith("done=active")

    edit = client.get(f"{url}/edit")
    assert edit.status_code == 200 and 'value="85"' in edit.text
    bad_edit = post(client, f"{url}/edit", fields | {"score_add": "2", "action": "save"})
    assert bad_edit.status_code == 422 and 'data-testid="error-score_add"' in bad_edit.text
    edited = post(
        client, f"{url}/edit", fields | {"hs_prefix": "8507", "note": "narrower", "action": "save"}
    )
    assert edited.status_code == 303
    retired = post(client, f"{url}/status", {"status": "retired"})
    assert retired.status_code == 303
    shown = client.get(url).text
    assert "narrower" in shown and shown.count("<tr><td>v") == 4  # created, active, edit, retired
    assert client.get(f"{url}/edit").status_code == 200
    assert post(client, f"{url}/edit", fields | {"action": "save"}).status_code == 422
    listed = client.get("/risk/rules?status=retired")
    assert "Electrical machines" in listed.text
    assert client.get("/risk/rules?status=nonsense").status_code == 200


def test_models_budget_drift_and_retraining(client: Any, bench: dict[str, Any]) -> None:
    login(client, bench["users"]["analyst"])
    models = client.get("/risk/models")
    assert models.status_code == 200
    assert svgs_are_valid(models.text) >= 3  # precision/recall, critical caught, importance
    assert "chart-importance" in models.text and "share of declarations inspected" in models.text
    one = client.get(f"/risk/models/{bench['model']}")
    assert one.status_code == 200 and svgs_are_valid(one.text) >= 2
    refused = post(client, "/risk/models/rollback", {})
    assert refused.status_code == 409 and "no earlier active model" in refused.text
    assert post(client, "/risk/models/retrain", {"holdout": "2"}).status_code == 422

    budget = client.get("/risk/budget")
    assert budget.status_code == 200
    now = re.search(r'data-testid="now-regular-red">([^<]+)<', budget.text)
    assert now
    bad = post(client, "/risk/budget", {"red": "1.5", "yellow": "x", "exploration": "0.01",
                                        "aeo_factor": "0.5", "action": "preview"})  # fmt: skip
    assert bad.status_code == 422
    assert 'data-testid="error-red"' in bad.text and 'data-testid="error-yellow"' in bad.text
    assert 'value="1.5"' in bad.text
    form = {"red": "0.2", "yellow": "0.2", "exploration": "0.01", "aeo_factor": "0.5"}
    preview = post(client, "/risk/budget", form | {"action": "preview"})
    assert preview.status_code == 200 and 'data-testid="budget-preview"' in preview.text
    new = re.search(r'data-testid="new-regular-red">([^<]+)<', preview.text)
    assert new and float(new.group(1)) < float(now.group(1))  # more red: a lower threshold
    assert svgs_are_valid(preview.text) == 1
    red = re.search(r'data-testid="share-red">([\d.]+)%', preview.text)
    assert red and 15 <= float(red.group(1)) <= 25
    exploit = post(client, "/risk/budget", form | {"strategy": "exploit", "action": "preview"})
    red_only = re.search(r'data-testid="share-red">([\d.]+)%', exploit.text)
    assert red_only and float(red_only.group(1)) < float(red.group(1))  # exploit draws no one
    saved = post(client, "/risk/budget", form | {"action": "save"})
    assert saved.status_code == 303
    after = client.get(saved.headers["location"]).text
    moved = re.search(r'data-testid="now-regular-red">([^<]+)<', after)
    assert moved and moved.group(1) == new.group(1)

    drift = client.get("/risk/drift")
    assert drift.status_code == 200
    assert client.get("/risk/drift?since=yesterday").status_code == 422

    started = post(client, "/risk/models/retrain", {"holdout": "0.2", "force": "yes"})
    assert started.status_code == 303
    job_url = started.headers["location"]
    deadline = time.monotonic() + 240
    while "Running" in (page := client.get(job_url)).text and time.monotonic() < deadline:
        time.sleep(0.5)
    assert 'data-testid="comparison"' in page.text, page.text[-2000:]
    assert 'data-testid="job-activated"' in page.text  # forced
    listed = client.get("/risk/models").text
    assert listed.count("risk-status risk-status-active") == 1
    assert listed.count("risk-status risk-status-retired") == 1
    back = post(client, "/risk/models/rollback", {})
    assert back.status_code == 303
    assert bench["model"] in client.get("/risk").text


def test_the_waterfall_adds_the_fired_rules_score_add_as_steps(
    client: Any, bench: dict[str, Any]
) -> None:
    """A rule's ``score_add`` moves the score the thresholds compared: the waterfall shows it as
    its own step after the model's contributions and ends where routing stored the score."""
    kr = system_principal("KR")
    uow = client.app.state.container.uow  # the app's ports: the learned lane selector
    rule = risk.create_rule(
        uow(),
        kr,
        {"name": "beef uplift", "conditions": {"hs_prefix": ["02"]}, "action": {"score_add": 0.2}},
    )
    risk.set_rule_status(uow(), kr, rule.id, "active")
    lodged = declarations.submit(
        uow(), factories.principal("declarant"), factories.declaration(reference="WF-1")
    )
    fall = workbench.lane_waterfall(uow(), kr, lodged.record.id)
    assert fall.base is not None and fall.score is not None
    name, step = fall.steps[-1]
    assert name == "rule beef uplift@v2: fraud score +0.2" and step > 0
    model_only = workbench.sigmoid(fall.base + sum(c for _, c in fall.steps[:-1]))
    assert fall.score == pytest.approx(min(model_only + 0.2, 1.0))
    assert fall.stored_score == pytest.approx(fall.score, abs=1e-6)


def test_the_budget_form_sets_the_exploration_strategy(client: Any, actors: Any) -> None:
    """The strategy the API and the CLI set is on the page too: a select with each strategy's
    help, saved through the same use case (what the API then reads), refused beside the field
    when it is not one of them, and kept when a form does not send it."""
    from smartcustoms.risk.ml.budget import SELECTION_STRATEGIES
    from smartcustoms.web.pages.risk import STRATEGIES

    assert [s for s, _label, _help in STRATEGIES] != [] and {
        s for s, _label, _help in STRATEGIES
    } == set(SELECTION_STRATEGIES)
    actors.economy("KR")
    login(client, actors.user("KR", "analyst"))
    page = client.get("/risk/budget").text
    select = re.search(r'<select id="f-strategy" name="strategy"[^>]*>(.*?)</select>', page, re.S)
    assert select and '<label for="f-strategy">' in page
    assert re.findall(r'<option value="(\w+)"', select.group(1)) == [s for s, *_ in STRATEGIES]
    assert '<option value="random" selected>' in select.group(1)  # the default budget's
    assert 'aria-describedby="h-strategy"' in page
    assert page.count("<li><b>", page.index('id="h-strategy"')) == len(STRATEGIES)

    shares = {"red": "0.05", "yellow": "0.1", "exploration": "0.01", "aeo_factor": "0.5"}
    preview = post(client, "/risk/budget", shares | {"strategy": "diverse", "action": "preview"})
    assert preview.status_code == 200 and 'data-testid="no-model"' in preview.text
    assert '<option value="diverse" selected>' in preview.text  # what was chosen is kept

    saved = post(client, "/risk/budget", shares | {"strategy": "adaptive", "action": "save"})
    assert saved.status_code == 303
    db = client.app.state.db
    assert risk.budget_of(db.uow(), "KR").strategy == "adaptive"
    api = client.get("/api/v1/risk/budget", headers={"accept": "application/json"})
    assert api.json()["strategy"] == "adaptive"  # the API reads what the page saved
    assert '<option value="adaptive" selected>' in client.get("/risk/budget").text

    bad = post(client, "/risk/budget", shares | {"strategy": "greedy", "action": "save"})
    assert bad.status_code == 422
    assert 'data-testid="error-strategy"' in bad.text
    assert 'aria-invalid="true" aria-describedby="e-strategy h-strategy"' in bad.text
    both = post(client, "/risk/budget", shares | {"red": "2", "strategy": "greedy"})
    assert both.status_code == 422  # every problem at once, each beside its field
    assert 'data-testid="error-red"' in both.text and 'data-testid="error-strategy"' in both.text
    assert risk.budget_of(db.uow(), "KR").strategy == "adaptive"

    kept = post(client, "/risk/budget", shares | {"red": "0.06", "action": "save"})
    assert kept.status_code == 303  # a form without the field keeps the strategy in force
    after = risk.budget_of(db.uow(), "KR")
    assert after.red == 0.06 and after.strategy == "adaptive"
