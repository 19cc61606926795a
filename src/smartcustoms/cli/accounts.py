"""``smartcustoms economies|users|tokens``."""

from __future__ import annotations

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
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    name: str = typer.Option("", help="Display name."),
    as_json: bool = JsonOption,
) -> None:
    """Create a user of an economy with one or more roles."""
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
    as_json: bool = JsonOption,
) -> None:
    """Issue an API token for a user (shown once)."""
    uow = state(ctx).db.uow()
    user = service.user_by_email(uow, email)
    token = service.issue_token(uow, user.id, name=name)
    emit(
        {"id": token.id, "token": token.secret},
        as_json,
        lambda d: console.print(f"token {d['id']}: [bold]{d['token']}[/bold] (shown once)"),
    )


@tokens_app.command("revoke")
def tokens_revoke(ctx: typer.Context, token_id: str) -> None:
    """Revoke an API token by id."""
    service.revoke_token(state(ctx).db.uow(), token_id)
    console.print(f"revoked {token_id}")
