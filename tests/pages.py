"""Helpers for tests that use the pages as a browser does: CSRF tokens and a cookie login."""

from __future__ import annotations

import re
from typing import Any

TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_token(client: Any) -> str:
    """The token the pages give this client now (it changes when the session does)."""
    page = client.get("/login", headers={"accept": "text/html"})
    found = TOKEN.search(page.text)
    assert found, "the login page carries no CSRF token"
    return found.group(1)


def browser_login(client: Any, email: str, password: str, *, expect: int = 303) -> Any:
    """Log in through the form; afterwards every request of ``client`` carries the token."""
    client.headers.pop("x-csrf-token", None)
    response = client.post(
        "/login",
        data={"email": email, "password": password, "next": "/", "csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == expect, response.text[:500]
    client.headers["x-csrf-token"] = csrf_token(client)
    return response
