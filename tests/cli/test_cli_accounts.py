"""The CLI as a user runs it: real process, real SQLite file, JSON output, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTCUSTOMS_")}
    env["SMARTCUSTOMS_HOME"] = str(tmp_path / "home")
    return env


def sc(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smartcustoms", *args],
        env=env,
        text=True,
        capture_output=True,
        input=stdin,
        timeout=300,
    )


def test_economies_and_users_round_trip(cli_env: dict[str, str]) -> None:
    assert sc(cli_env, "db", "upgrade").returncode == 0
    created = sc(
        cli_env, "economies", "create", "KR", "Korea Customs Service", "--currency", "KRW", "--json"
    )
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["code"] == "KR"

    user = sc(
        cli_env,
        "users",
        "create",
        "--economy",
        "KR",
        "--role",
        "officer",
        "--email",
        "o@kr.test",
        "--password-stdin",
        "--json",
        stdin="long enough pw\n",
    )
    assert user.returncode == 0, user.stderr
    assert json.loads(user.stdout)["roles"] == ["officer"]

    listed = json.loads(sc(cli_env, "economies", "list", "--json").stdout)
    assert [e["code"] for e in listed] == ["KR"]


def test_invalid_input_exits_2_with_every_error(cli_env: dict[str, str]) -> None:
    sc(cli_env, "db", "upgrade")
    result = sc(
        cli_env,
        "users",
        "create",
        "--economy",
        "ZZ",
        "--role",
        "wizard",
        "--email",
        "bad",
        "--password-stdin",
        "--json",
        stdin="x\n",
    )
    assert result.returncode == 2
    doc = json.loads(result.stdout)
    assert {e["path"] for e in doc["errors"]} == {"email", "password", "roles[0]", "economy"}


def test_other_failures_exit_1(cli_env: dict[str, str]) -> None:
    sc(cli_env, "db", "upgrade")
    result = sc(cli_env, "tokens", "create", "--email", "nobody@x.test")
    assert result.returncode == 1 and "no user" in result.stderr


def test_usage_errors_exit_2(cli_env: dict[str, str]) -> None:
    assert sc(cli_env, "economies", "create").returncode == 2


def test_passwords_never_on_the_command_line_and_disable_revokes_tokens(
    cli_env: dict[str, str],
) -> None:
    sc(cli_env, "db", "upgrade")
    sc(cli_env, "economies", "create", "KR", "Korea Customs Service", "--currency", "KRW")
    old_way = sc(
        cli_env, "users", "create", "--economy", "KR", "--role", "officer",
        "--email", "x@kr.test", "--password", "long enough pw",
    )  # fmt: skip
    assert old_way.returncode == 2 and "--password" in old_way.stderr
    created = sc(
        cli_env, "users", "create", "--economy", "KR", "--role", "officer",
        "--email", "d@kr.test", "--password-stdin", "--json", stdin="long enough pw\n",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    token = json.loads(sc(cli_env, "tokens", "create", "--email", "d@kr.test", "--json").stdout)
    assert token["expires_at"]
    disabled = sc(cli_env, "users", "disable", "d@kr.test", "--json")
    assert disabled.returncode == 0, disabled.stderr
    assert json.loads(disabled.stdout) == {
        "email": "d@kr.test",
        "active": False,
        "tokens_revoked": 1,
    }
    listed = json.loads(sc(cli_env, "users", "list", "--json").stdout)
    assert [u["is_active"] for u in listed] == [False]


def test_set_roles_and_reset_password_use_the_admin_pages_services(
    cli_env: dict[str, str],
) -> None:
    sc(cli_env, "db", "upgrade")
    sc(cli_env, "economies", "create", "KR", "Korea Customs Service", "--currency", "KRW")
    sc(
        cli_env, "users", "create", "--economy", "KR", "--role", "officer",
        "--email", "r@kr.test", "--password-stdin", stdin="long enough pw\n",
    )  # fmt: skip
    roles = sc(
        cli_env, "users", "set-roles", "r@kr.test", "--role", "analyst", "--role", "officer",
        "--json",
    )  # fmt: skip
    assert roles.returncode == 0, roles.stderr
    assert json.loads(roles.stdout)["roles"] == ["analyst", "officer"]
    bad = sc(cli_env, "users", "set-roles", "r@kr.test", "--role", "wizard")
    assert bad.returncode == 2
    sc(cli_env, "tokens", "create", "--email", "r@kr.test")
    reset = sc(
        cli_env, "users", "reset-password", "r@kr.test", "--password-stdin", "--json",
        stdin="a brand new passphrase\n",
    )  # fmt: skip
    assert reset.returncode == 0, reset.stderr
    assert json.loads(reset.stdout) == {"email": "r@kr.test", "tokens_revoked": 1}
    weak = sc(cli_env, "users", "reset-password", "r@kr.test", "--password-stdin", stdin="x\n")
    assert weak.returncode == 2
