"""A person logs in through the real page in Chromium."""

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Actors

pytestmark = pytest.mark.e2e


def test_login_shows_who_and_logout(live_server: str, page: Page, actors: Actors) -> None:
    actors.user("KR", "officer", email="officer@kr.test")
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "officer@kr.test")
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("wrong email or password")

    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    expect(page.get_by_test_id("who")).to_contain_text("officer@kr.test · KR · officer")
    page.click("text=Log out")
    expect(page.get_by_role("banner").get_by_role("link", name="Log in")).to_be_visible()
