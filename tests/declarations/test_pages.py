"""The server-rendered declaration pages, through a logged-in browser session (cookie)."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from smartcustoms.declarations import service
from smartcustoms.declarations.model import Outcome, Status
from smartcustoms.web.pages import declarations as pages
from smartcustoms.web.pages.declarations import json_lines, line_of
from tests.conftest import Actors
from tests.declarations.conftest import KR, doc
from tests.pages import browser_login

PASSWORD = "correct horse battery"


def login(client: TestClient, email: str) -> None:
    client.headers["accept"] = "text/html"
    browser_login(client, email, PASSWORD)


def lodge(kr: KR, reference: str, lane: str | None = None, declarant: str = "declarant") -> str:
    kr.quiet_lanes(lane)
    who = kr.declarant if declarant == "declarant" else kr.declarant2
    return service.submit(kr.db.uow(), who, doc(reference=reference)).record.id


def test_pages_need_a_login(client: TestClient) -> None:
    response = client.get("/declarations", headers={"accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/declarations"


def test_list_shows_only_the_callers_economy_and_own_declarations(
    client: TestClient, kr: KR, actors: Actors
) -> None:
    lodge(kr, "MINE-1")
    lodge(kr, "THEIRS-1", declarant="declarant2")
    sg_officer = actors.user("SG", "officer")

    login(client, kr.users["officer"]["email"])
    page = client.get("/declarations?tab=all")
    assert page.status_code == 200
    assert "MINE-1" in page.text and "THEIRS-1" in page.text
    assert "2 declarations" in page.text

    login(client, kr.users["declarant"]["email"])
    page = client.get("/declarations")
    assert "MINE-1" in page.text and "THEIRS-1" not in page.text
    assert "My queue" not in page.text  # declarants have no control queue

    login(client, sg_officer["email"])
    page = client.get("/declarations?tab=all")
    assert page.status_code == 200
    assert "MINE-1" not in page.text and "THEIRS-1" not in page.text
    assert "0 declarations" in page.text


def test_officer_queue_puts_red_before_yellow_and_leaves_green_out(
    client: TestClient, kr: KR
) -> None:
    lodge(kr, "GREEN-1")
    lodge(kr, "YELLOW-1", "yellow")
    lodge(kr, "RED-1", "red")
    login(client, kr.users["officer"]["email"])
    page = client.get("/declarations").text  # the queue is the officer's default
    assert "2 declarations waiting for control" in page
    assert "GREEN-1" not in page
    assert page.index("RED-1") < page.index("YELLOW-1")
    # the status chart counts every status of the economy
    assert 'data-status="released">1<' in page
    assert 'data-status="physical_inspection">1<' in page
    filtered = client.get("/declarations?tab=all&lane=green&hs_prefix=8507").text
    assert "GREEN-1" in filtered and "RED-1" not in filtered
    bad = client.get("/declarations?tab=all&date_from=yesterday&status=lost")
    assert bad.status_code == 200
    assert "date_from" in bad.text and "Some filters were ignored" in bad.text


def test_queue_pages_across_the_red_yellow_boundary(
    client: TestClient, kr: KR, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    reds = {lodge(kr, f"RED-{i}", "red") for i in range(3)}
    yellows = {lodge(kr, f"YEL-{i}", "yellow") for i in range(2)}
    login(client, kr.users["officer"]["email"])
    seen = []
    for n in (1, 2, 3):
        page = client.get(f"/declarations?tab=queue&page={n}").text
        assert f"page {n} of 3" in page
        seen.append(re.findall(r'<tr data-id="([0-9a-f]{32})">', page))
    assert [len(ids) for ids in seen] == [2, 2, 1]
    flat = [i for ids in seen for i in ids]
    assert set(flat[:3]) == reds and set(flat[3:]) == yellows


def test_detail_of_another_economy_is_a_404_page(
    client: TestClient, kr: KR, actors: Actors
) -> None:
    red = lodge(kr, "R-1", "red")
    login(client, actors.user("SG", "officer")["email"])
    page = client.get(f"/declarations/{red}")
    assert page.status_code == 404
    assert "text/html" in page.headers["content-type"]
    assert "R-1" not in page.text
    # another declarant of the same economy does not see it either
    login(client, kr.users["declarant2"]["email"])
    assert client.get(f"/declarations/{red}").status_code == 404


def test_detail_shows_assessment_lane_and_history(client: TestClient, kr: KR) -> None:
    red = lodge(kr, "R-2", "red")
    login(client, kr.users["officer"]["email"])
    page = client.get(f"/declarations/{red}")
    assert page.status_code == 200
    record = service.get(kr.db.uow(), kr.officer, red)
    assert record.assessment is not None
    text = page.text
    assert text.count('data-testid="assessment-line"') == len(record.assessment.lines)
    assert f"{record.assessment.total:,} {record.assessment.currency}" in text
    assert "rule force (party BRK-001)" in text and "<code>force</code>" in text
    assert "physical inspection" in text and "Exchange rates used" in text
    assert 'data-testid="form-record_inspection"' in text
    assert 'data-testid="form-cancel"' not in text  # officers do not cancel


def test_officer_records_a_discrepancy_through_the_form(client: TestClient, kr: KR) -> None:
    red = lodge(kr, "R-3", "red")
    login(client, kr.users["officer"]["email"])
    response = client.post(
        f"/declarations/{red}/record_inspection",
        data={
            "outcome": "discrepancy",
            "revenue_adjustment": "50000",
            "notes": "undervalued <script>alert(1)</script>",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/declarations/{red}?done=record_inspection"
    page = client.get(response.headers["location"]).text
    assert "Inspection result recorded." in page
    assert 'data-testid="status">released<' in page
    assert "<script>alert(1)</script>" not in page  # escaped
    assert "&lt;script&gt;" in page
    record = service.get(kr.db.uow(), kr.officer, red)
    assert record.status is Status.RELEASED
    assert record.inspections[0].outcome is Outcome.DISCREPANCY
    assert record.inspections[0].revenue_adjustment == Decimal(50000)
    assert 'data-testid="form-record_inspection"' not in page  # nothing left to record

    again = client.post(f"/declarations/{red}/record_inspection", data={"outcome": "seizure"})
    assert again.status_code == 409
    assert "Not possible now" in again.text and "Nothing was changed" in again.text


def test_bad_form_input_is_a_page_with_the_field_not_a_500(client: TestClient, kr: KR) -> None:
    red = lodge(kr, "R-4", "red")
    login(client, kr.users["officer"]["email"])
    page = client.post(
        f"/declarations/{red}/record_inspection",
        data={"outcome": "discrepancy", "revenue_adjustment": "a lot"},
    )
    assert page.status_code == 422 and "revenue_adjustment" in page.text
    page = client.post(
        f"/declarations/{red}/record_inspection",
        data={"outcome": "no_discrepancy", "revenue_adjustment": "10"},
    )
    assert page.status_code == 422 and "no discrepancy means no adjustment" in page.text
    assert service.get(kr.db.uow(), kr.officer, red).status is Status.PHYSICAL_INSPECTION


def test_declarant_sees_no_officer_forms_and_cannot_use_them(client: TestClient, kr: KR) -> None:
    yellow = lodge(kr, "Y-1", "yellow")
    login(client, kr.users["declarant"]["email"])
    page = client.get(f"/declarations/{yellow}").text
    for officer_form in ("record_inspection", "refer_physical", "release", "arrival_notice"):
        assert f'data-testid="form-{officer_form}"' not in page
    assert 'data-testid="form-cancel"' in page

    refused = client.post(
        f"/declarations/{yellow}/record_inspection", data={"outcome": "no_discrepancy"}
    )
    assert refused.status_code == 403 and "Not allowed" in refused.text
    assert service.get(kr.db.uow(), kr.officer, yellow).status is Status.DOCUMENTARY_CHECK

    cancelled = client.post(f"/declarations/{yellow}/cancel", data={"notes": "wrong invoice"})
    assert cancelled.status_code == 200 and "Declaration cancelled." in cancelled.text
    assert service.get(kr.db.uow(), kr.officer, yellow).status is Status.CANCELLED


def test_officer_refers_a_documentary_check_to_physical_inspection(
    client: TestClient, kr: KR
) -> None:
    yellow = lodge(kr, "Y-2", "yellow")
    login(client, kr.users["officer"]["email"])
    page = client.post(f"/declarations/{yellow}/refer_physical", data={"notes": "seal broken"})
    assert page.status_code == 200 and "Referred to physical inspection." in page.text
    assert "seal broken" in page.text
    assert service.get(kr.db.uow(), kr.officer, yellow).status is Status.PHYSICAL_INSPECTION


def test_new_declaration_form_lists_every_error_with_its_path(client: TestClient, kr: KR) -> None:
    login(client, kr.users["declarant"]["email"])
    form = client.get("/declarations/new")
    assert form.status_code == 200 and "WEB-" in form.text  # a prefilled example

    bad = doc(reference="BAD-1")
    bad["items"][0]["hs_code"] = "999999"
    bad["items"][1]["net_mass_kg"] = "-4"
    del bad["items"][2]["origin_country"]
    text = json.dumps(bad, indent=2)
    page = client.post("/declarations/new", data={"document": text, "intent": "submit"})
    assert page.status_code == 422
    for path in ("items[0].hs_code", "items[1].net_mass_kg", "items[2].origin_country"):
        assert f'<code class="decl-path">{path}</code>' in page.text
    assert "nothing was stored" in page.text
    assert service.list_declarations(kr.db.uow(), kr.declarant).total == 0
    # the line next to each path points into the submitted text
    lines = text.splitlines()
    hs_line = next(i for i, ln in enumerate(lines, 1) if '"999999"' in ln)
    assert f'data-line="{hs_line}"' in page.text

    broken = client.post("/declarations/new", data={"document": "{", "intent": "validate"})
    assert broken.status_code == 422 and "not valid JSON" in broken.text


def test_new_declaration_validates_then_submits(client: TestClient, kr: KR) -> None:
    login(client, kr.users["declarant"]["email"])
    text = json.dumps(doc(reference="WEB-OK-1"), indent=2)
    checked = client.post("/declarations/new", data={"document": text, "intent": "validate"})
    assert checked.status_code == 200
    assert 'data-testid="valid"' in checked.text and 'data-testid="assessment"' in checked.text
    assert service.list_declarations(kr.db.uow(), kr.declarant).total == 0

    lodged = client.post(
        "/declarations/new", data={"document": text, "intent": "submit"}, follow_redirects=False
    )
    assert lodged.status_code == 303
    page = client.get(lodged.headers["location"])
    assert "Declaration lodged." in page.text and "WEB-OK-1" in page.text
    assert service.list_declarations(kr.db.uow(), kr.declarant).total == 1


def test_officers_cannot_open_the_lodging_form(client: TestClient, kr: KR) -> None:
    login(client, kr.users["officer"]["email"])
    assert client.get("/declarations/new").status_code == 403


def test_json_lines_maps_paths_to_lines() -> None:
    text = '{\n  "a": 1,\n  "items": [\n    {"x": "y"},\n    {\n      "hs_code": "1"\n    }\n  ]\n}'
    lines = json_lines(text)
    assert lines["$"] == 1 and lines["a"] == 2 and lines["items"] == 3
    assert lines["items[0].x"] == 4 and lines["items[1].hs_code"] == 6
    # a missing field points at its object; an unknown path at the document
    assert line_of(lines, "items[1].origin_country") == 5
    assert line_of(lines, "nothing.here") == 1


def test_an_action_without_a_handler_never_cancels(
    client: TestClient, kr: KR, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An action listed in the titles but not dispatched is a 404, not a cancellation."""
    yellow = lodge(kr, "UNHANDLED-1", "yellow")
    monkeypatch.setitem(pages.ACTION_TITLES, "suspend", "Suspend")
    login(client, kr.users["declarant"]["email"])
    response = client.post(f"/declarations/{yellow}/suspend", data={"notes": "x"})
    assert response.status_code == 404
    assert service.get(kr.db.uow(), kr.declarant, yellow).status is Status.DOCUMENTARY_CHECK


# "amend" is not here: POST /declarations/{id}/amend is the amend form's own page
# (web/pages/lodge.py; tested in tests/integration/web/test_trader_pages.py).
@pytest.mark.parametrize("action", ["frobnicate", "route", "assess", "submit", ""])
def test_an_action_the_lifecycle_table_does_not_offer_here_is_a_404(
    client: TestClient, kr: KR, action: str
) -> None:
    """Unknown names, system transitions and actions with their own pages never act."""
    yellow = lodge(kr, f"UNKNOWN-{action or 'EMPTY'}", "yellow")
    login(client, kr.users["declarant"]["email"])
    response = client.post(f"/declarations/{yellow}/{action}", data={"notes": "x"})
    assert response.status_code in (404, 405)
    assert service.get(kr.db.uow(), kr.declarant, yellow).status is Status.DOCUMENTARY_CHECK


def test_the_page_dispatches_every_action_a_person_may_ask_for() -> None:
    """Every requestable action of the lifecycle table has a page handler and a title, except
    submit and amend (their own pages); nothing else has one."""
    from smartcustoms.declarations.lifecycle import TRANSITIONS, Action

    requestable = {a for a, t in TRANSITIONS.items() if t.requestable} - {
        Action.SUBMIT,
        Action.AMEND,
    }
    assert set(pages.HANDLERS) == requestable
    assert set(pages.ACTION_TITLES) == {a.value for a in requestable}
    assert all(pages.page_action(a.value) is a for a in requestable)
