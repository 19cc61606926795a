"""Smaller faults of the declaration pages (issue 8, defect 7): history shows names, the total
due includes a recorded revenue adjustment, the inspection form keeps what was typed."""

from __future__ import annotations

import re
from decimal import Decimal

from fastapi.testclient import TestClient

from smartcustoms.declarations import control
from smartcustoms.declarations.model import Outcome
from tests.integration.declarations.conftest import KR
from tests.integration.declarations.test_pages import lodge, login


def test_history_names_the_people_not_their_ids(client: TestClient, kr: KR) -> None:
    declaration_id = lodge(kr, "NAMES-1", "red")
    control.record_inspection(kr.db.uow(), kr.officer, declaration_id, Outcome.NO_DISCREPANCY)
    login(client, kr.users["declarant"]["email"])
    page = client.get(f"/declarations/{declaration_id}").text
    history = page[page.index('data-testid="history"') :]
    history = history[: history.index("</ol>")]
    assert kr.officer.user_id not in history  # no hex ids
    assert kr.officer.name in history or kr.users["officer"]["email"] in history
    assert "by you" in history  # the declarant lodged it


def test_total_due_includes_the_revenue_adjustment(client: TestClient, kr: KR) -> None:
    declaration_id = lodge(kr, "ADJUST-1", "red")
    login(client, kr.users["officer"]["email"])
    before = _total_due(client.get(f"/declarations/{declaration_id}").text)
    control.record_inspection(
        kr.db.uow(),
        kr.officer,
        declaration_id,
        Outcome.DISCREPANCY,
        revenue_adjustment=Decimal(50000),
    )
    page = client.get(f"/declarations/{declaration_id}").text
    assert _total_due(page) == before + 50000
    assert 'data-testid="revenue-adjustments"' in page
    listing = client.get("/declarations?tab=all&reference=ADJUST-1").text
    assert f"{before + 50000:,}" in listing  # the list and the page agree


def test_the_inspection_form_keeps_what_was_typed_after_an_error(
    client: TestClient, kr: KR
) -> None:
    declaration_id = lodge(kr, "FORM-1", "red")
    login(client, kr.users["officer"]["email"])
    response = client.post(
        f"/declarations/{declaration_id}/record_inspection",
        data={
            "outcome": "discrepancy",
            "revenue_adjustment": "12,5x",
            "notes": "undervalued: invoice shows 3x less",
            "hold": "1",
        },
    )
    assert response.status_code == 422
    form = response.text[response.text.index('data-testid="form-record_inspection"') :]
    assert 'data-testid="form-errors"' in form and "revenue_adjustment" in form
    assert 'value="12,5x"' in form
    assert "undervalued: invoice shows 3x less</textarea>" in form
    assert re.search(r'value="discrepancy"\s+checked', form)
    assert re.search(r'name="hold" value="1"\s+checked', form)


def _total_due(html: str) -> int:
    cell = re.search(r'data-testid="total-due">([\d,]+)', html)
    assert cell, "the page shows the total due"
    return int(cell.group(1).replace(",", ""))
