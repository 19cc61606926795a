"""``smartcustoms economies|users|tokens``."""

from __future__ import annotations

import sys
from datetime import timedelta

import typer
from rich.table import Table

from smartcustoms.accounts import service
from smartcustoms.accounts.model import EconomyInfo, User
from smartcustoms.cli._common import JsonOption, console, emit, state

economies_app = typer.Typer(help="Economies (customs administrations).", no_args_is_help=True)
users_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
tokens_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)


@economies_app.command("list")
def economies_list(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """List the economies."""
    data = service.list_economies(state(ctx).db.uow())

    def render(rows: list[EconomyInfo]) -> None:
        table = Table("code", "name", "currency", "APEC")
        for e in rows:
            table.add_row(e.code, e.name, e.currency, "yes" if e.is_apec else "")
        console.print(table)

    emit(data, as_json, render)


@economies_app.command("create")
def economies_create(
    ctx: typer.Context,
    code: str,
    name: str = typer.Argument(None, help="Default: the economy's name from its code."),
    currency: str = typer.Option(
        None, help="ISO 4217 code of its currency (default for APEC economies: theirs)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Create an economy (ISO 3166 code), e.g. `economies create KR`."""
    e = service.create_economy(state(ctx).db.uow(), code, name, currency)
    emit(e, as_json, lambda d: console.print(f"created economy {d.code} ({d.name})"))


@users_app.command("create")
def users_create(
    ctx: typer.Context,
    economy: str = typer.Option(..., help="Economy code, e.g. KR."),
    email: str = typer.Option(...),
    role: list[str] = typer.Option(
        ..., help="declarant, officer, analyst, knowledge_manager, admin"
    ),
    password_stdin: bool = typer.Option(
        False,
        "--password-stdin",
        help="Read the password from the first line of standard input (for scripts).",
    ),
    name: str = typer.Option("", help="Display name."),
    as_json: bool = JsonOption,
) -> None:
    """Create a user of an economy with one or more roles.

    The password is asked for (twice, hidden), or read from standard input with
    --password-stdin; it is never an argument, where other users and shell history would see it.
    """
    password = read_password(password_stdin)
    user = service.create_user(
        state(ctx).db.uow(), economy=economy, email=email, password=password, roles=role, name=name
    )
    emit(
        user,
        as_json,
        lambda u: console.print(
            f"created {u.email} in {u.economy} with roles {', '.join(sorted(u.roles))}"
        ),
    )


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@users_app.command("disable")
def users_disable(ctx: typer.Context, email: str, as_json: bool = JsonOption) -> None:
    """Disable a user and revoke all their tokens and sessions at once."""
    user, revoked = service.set_active(state(ctx).db.uow(), email, False)
    emit(
        {"email": user.email, "active": False, "tokens_revoked": revoked},
        as_json,
        lambda d: console.print(f"disabled {d['email']}; revoked {d['tokens_revoked']} token(s)"),
    )


@users_app.command("enable")
def users_enable(ctx: typer.Context, email: str, as_json: bool = JsonOption) -> None:
    """Enable a disabled user again (their old tokens stay revoked)."""
    user, _ = service.set_active(state(ctx).db.uow(), email, True)
    emit(
        {"email": user.email, "active": True},
        as_json,
        lambda d: console.print(f"enabled {d['email']}"),
    )


@users_app.command("revoke-tokens")
def users_revoke_tokens(ctx: typer.Context, email: str, as_json: bool = JsonOption) -> None:
    """Revoke every token and session of a user (the user stays enabled)."""
    revoked = service.revoke_all_tokens(state(ctx).db.uow(), email)
    emit(
        {"email": email, "tokens_revoked": revoked},
        as_json,
        lambda d: console.print(f"revoked {d['tokens_revoked']} token(s) of {d['email']}"),
    )


@users_app.command("set-roles")
def users_set_roles(
    ctx: typer.Context,
    email: str,
    role: list[str] = typer.Option(
        ..., help="declarant, officer, analyst, knowledge_manager, admin"
    ),
    as_json: bool = JsonOption,
) -> None:
    """Replace a user's roles (the same service the admin pages use)."""
    db = state(ctx).db
    found = service.user_by_email(db.uow(), email)
    user = service.set_roles(db.uow(), found.id, found.economy, role)
    emit(
        user,
        as_json,
        lambda u: console.print(f"{u.email} now has roles {', '.join(sorted(u.roles))}"),
    )


@users_app.command("reset-password")
def users_reset_password(
    ctx: typer.Context,
    email: str,
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the new password from standard input."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Give a user a new password; their tokens and sessions are revoked."""
    db = state(ctx).db
    found = service.user_by_email(db.uow(), email)
    revoked = service.reset_password(
        db.uow(), found.id, found.economy, read_password(password_stdin)
    )
    emit(
        {"email": found.email, "tokens_revoked": revoked},
        as_json,
        lambda d: console.print(
            f"new password for {d['email']}; revoked {d['tokens_revoked']} token(s)"
        ),
    )


@users_app.command("list")
def users_list(
    ctx: typer.Context,
    economy: str | None = typer.Option(None, help="Only this economy."),
    as_json: bool = JsonOption,
) -> None:
    """List users."""
    data = service.list_users(state(ctx).db.uow(), economy.upper() if economy else None)

    def render(rows: list[User]) -> None:
        table = Table("economy", "email", "name", "roles", "active")
        for u in rows:
            table.add_row(
                u.economy,
                u.email,
                u.name,
                ", ".join(sorted(u.roles)),
                "yes" if u.is_active else "no",
            )
        console.print(table)

    emit(data, as_json, render)


@tokens_app.command("create")
def tokens_create(
    ctx: typer.Context,
    email: str = typer.Option(...),
    name: str = typer.Option("api token"),
    days: int | None = typer.Option(
        None, min=1, max=3650, help="Lifetime in days (default: SMARTCUSTOMS_API_TOKEN_DAYS)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Issue an API token for a user (shown once); it expires after its lifetime."""
    st = state(ctx)
    uow = st.db.uow()
    user = service.user_by_email(uow, email)
    lifetime = timedelta(days=days or st.settings.api_token_days)
    token = service.issue_token(uow, user.id, name=name, ttl=lifetime)
    emit(
        {"id": token.id, "token": token.secret, "expires_at": token.expires_at},
        as_json,
        lambda d: console.print(
            f"token {d['id']}: [bold]{d['token']}[/bold] (shown once; expires {d['expires_at']})"
        ),
    )


@tokens_app.command("revoke")
def tokens_revoke(ctx: typer.Context, token_id: str) -> None:
    """Revoke an API token by id."""
    service.revoke_token(state(ctx).db.uow(), token_id)
    console.print(f"revoked {token_id}")
