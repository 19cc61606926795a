"""The public certificate verification page (what the PDF's QR code opens) in a real browser,
and the officer's exchange page after logging in."""

from __future__ import annotations

from typing import Any

import pytest

from smartcustoms.config import Settings
from smartcustoms.db.engine import Database
from smartcustoms.declarations.service import system_principal
from smartcustoms.exchange.services import certificates, trust

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

DATA = {
    "importing_economy": "SG",
    "trade_agreement": "Korea-Singapore FTA",
    "exporter": {"id": "KR-EXP-1", "name": "Hanbit Cells"},
    "importer": {"id": "SG-IMP-9", "name": "Lion City Power"},
    "goods": [{"hs_code": "850760", "description": "battery packs", "origin_criterion": "CTH"}],
}


def test_qr_page_shows_valid_then_revoked(
    live_server: str, page: Any, db: Database, settings: Settings, actors: Any
) -> None:
    actors.economy("KR")
    admin = system_principal("KR", "e2e")
    trust.create_key(db.uow(), admin, settings.secret_key)
    credential = certificates.issue(
        db.uow(), admin, settings.secret_key, DATA, base_url=live_server
    )
    number = credential["credentialSubject"]["certificate_number"]
    link = credential["credentialStatus"]["id"]
    assert link == f"{live_server}/verify/certificates/KR/{number}"

    page.goto(link)
    verdict = page.get_by_test_id("verdict")
    assert verdict.inner_text().startswith("Valid.")
    assert "Lion City Power" in page.content()

    certificates.revoke(db.uow(), admin, settings.secret_key, number, "issued in error")
    page.reload()
    text = page.get_by_test_id("verdict").inner_text()
    assert text.startswith("Revoked") and "issued in error" in text


def test_officer_sees_partners_and_outbox(
    live_server: str, page: Any, db: Database, settings: Settings, actors: Any
) -> None:
    officer = actors.user("KR", "officer", "admin")
    admin = system_principal("KR", "e2e")
    trust.create_key(db.uow(), admin, settings.secret_key)
    trust.add_partner(db.uow(), admin, "SG", "http://127.0.0.1:9", "Singapore Customs")
    page.goto(f"{live_server}/login?next=/exchange")
    page.get_by_label("Email").fill(officer["email"])
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/exchange")
    assert "Singapore Customs" in page.get_by_test_id("partners").inner_text()
    assert "active" in page.get_by_test_id("keys").inner_text()
    page.get_by_role("link", name="AEO and mutual recognition").click()
    page.wait_for_url(f"{live_server}/exchange/aeo")
