"""``smartcustoms exchange``: keys, partners, outbox, sending and verifying signed messages
between administrations. The CLI acts as the system actor (an admin) of ``--economy``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from smartcustoms.cli._common import JsonOption, console, emit, state
from smartcustoms.declarations.service import system_principal
from smartcustoms.errors import InvalidInput
from smartcustoms.exchange.model import MessageType, PartnerStatus
from smartcustoms.exchange.services import (
    aeo,
    alerts,
    certificates,
    cycle,
    delivery,
    messages,
    trust,
)
from smartcustoms.exchange.services.handlers import default_handlers

app = typer.Typer(help="Signed exchange with partner administrations.", no_args_is_help=True)
keys_app = typer.Typer(help="This installation's signing keys.", no_args_is_help=True)
partners_app = typer.Typer(help="Partner administrations and their keys.", no_args_is_help=True)
outbox_app = typer.Typer(help="Messages waiting for delivery.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(partners_app, name="partners")
app.add_typer(outbox_app, name="outbox")

EconomyOption = typer.Option("KR", "--economy", help="Home economy (ISO alpha-2).")


def _who(economy: str) -> Any:
    return system_principal(economy.upper(), "cli")


def _show(rows: list[Any], title: str, columns: list[str]) -> None:
    table = Table(title=title)
    for c in columns:
        table.add_column(c)
    for r in rows:
        table.add_row(
            *[str(getattr(r, c, "") if not isinstance(r, dict) else r.get(c, "")) for c in columns]
        )
    console.print(table)


# --- keys ----------------------------------------------------------------------------------


@keys_app.command("list")
def keys_list(ctx: typer.Context, economy: str = EconomyOption, as_json: bool = JsonOption) -> None:
    rows = trust.list_keys(state(ctx).db.uow(), _who(economy))
    emit(
        rows,
        as_json,
        lambda r: _show(r, "Signing keys", ["kid", "status", "not_before", "expires_at"]),
    )


@keys_app.command("create")
def keys_create(
    ctx: typer.Context, economy: str = EconomyOption, as_json: bool = JsonOption
) -> None:
    s = state(ctx)
    key = trust.create_key(s.db.uow(), _who(economy), s.settings.secret_key)
    emit(key, as_json, lambda k: console.print(f"key {k.kid} ({k.status.value})"))


@keys_app.command("rotate")
def keys_rotate(
    ctx: typer.Context, economy: str = EconomyOption, as_json: bool = JsonOption
) -> None:
    s = state(ctx)
    key = trust.rotate_key(s.db.uow(), _who(economy), s.settings.secret_key)
    emit(key, as_json, lambda k: console.print(f"new active key {k.kid}; the old one is retired"))


@keys_app.command("revoke")
def keys_revoke(
    ctx: typer.Context,
    kid: str,
    reason: str = typer.Option("", "--reason"),
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    key = trust.revoke_key(state(ctx).db.uow(), _who(economy), kid, reason)
    emit(key, as_json, lambda k: console.print(f"key {k.kid} revoked"))


@keys_app.command("export")
def keys_export(ctx: typer.Context, economy: str = EconomyOption) -> None:
    """Print the public key set (JWKS) partners import."""
    typer.echo(json.dumps(trust.jwks(state(ctx).db.uow(), economy), indent=2))


# --- partners ------------------------------------------------------------------------------


@partners_app.command("list")
def partners_list(
    ctx: typer.Context, economy: str = EconomyOption, as_json: bool = JsonOption
) -> None:
    rows = trust.list_partners(state(ctx).db.uow(), _who(economy))

    def render(items: list[Any]) -> None:
        table = Table(title="Partner administrations")
        for c in ("partner", "name", "endpoint", "status", "keys"):
            table.add_column(c)
        for p in items:
            keys = ", ".join(f"{k.kid[:10]}…({k.status.value})" for k in p.keys) or "none"
            table.add_row(p.partner, p.name, p.endpoint, p.status.value, keys)
        console.print(table)

    emit(rows, as_json, render)


@partners_app.command("add")
def partners_add(
    ctx: typer.Context,
    partner: str,
    endpoint: str,
    name: str = typer.Option("", "--name"),
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    p = trust.add_partner(state(ctx).db.uow(), _who(economy), partner, endpoint, name)
    emit(p, as_json, lambda x: console.print(f"partner {x.partner} at {x.endpoint}"))


@partners_app.command("status")
def partners_status(
    ctx: typer.Context,
    partner: str,
    status: PartnerStatus,
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    p = trust.set_partner_status(state(ctx).db.uow(), _who(economy), partner, status)
    emit(p, as_json, lambda x: console.print(f"partner {x.partner}: {x.status.value}"))


@partners_app.command("import-keys")
def partners_import_keys(
    ctx: typer.Context,
    partner: str,
    source: str = typer.Argument(
        ..., help="a JWKS file, '-' for stdin, or 'fetch' (from the endpoint)"
    ),
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    uow, who = state(ctx).db.uow(), _who(economy)
    if source == "fetch":
        p = trust.fetch_partner_keys(uow, who, partner)
    else:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        try:
            key_set = json.loads(text)
        except ValueError as exc:
            raise InvalidInput.single("source", "not_json", f"not a JSON document: {exc}") from exc
        p = trust.import_partner_keys(uow, who, partner, key_set)
    emit(p, as_json, lambda x: console.print(f"{x.partner}: {len(x.keys)} key(s) known"))


# --- outbox, send, verify ------------------------------------------------------------------


@outbox_app.command("list")
def outbox_list(
    ctx: typer.Context,
    status: str = typer.Option(None, "--status"),
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    uow, who = state(ctx).db.uow(), _who(economy)
    data = {
        "counts": messages.outbox_counts(uow, who),
        "messages": messages.list_outbox(uow, who, status),
    }

    def render(d: dict[str, Any]) -> None:
        console.print(
            "counts: " + (", ".join(f"{k} {v}" for k, v in d["counts"].items()) or "empty")
        )
        _show(
            d["messages"], "Outbox", ["id", "recipient", "type", "status", "attempts", "last_error"]
        )

    emit(data, as_json, render)


@outbox_app.command("deliver")
def outbox_deliver(
    ctx: typer.Context,
    loop: float = typer.Option(0, "--loop", help="keep delivering every so many seconds"),
    as_json: bool = JsonOption,
) -> None:
    """One exchange round: queue pre-arrival data of released exports, match imports, send
    what is due (with --loop: a worker that runs a round every so many seconds until Ctrl-C)."""
    s = state(ctx)
    while True:
        report = cycle.run_cycle(s.db.uow, s.settings.secret_key)
        emit(
            report.to_dict(),
            as_json,
            lambda r: console.print(", ".join(f"{k}: {len(v)}" for k, v in r.items())),  # type: ignore[arg-type]
        )
        if loop <= 0:
            return
        time.sleep(loop)


@outbox_app.command("requeue")
def outbox_requeue(ctx: typer.Context, message_id: str, economy: str = EconomyOption) -> None:
    delivery.requeue(state(ctx).db.uow(), economy.upper(), message_id)
    console.print(f"message {message_id} is pending again")


@app.command("send")
def send(
    ctx: typer.Context,
    recipient: str,
    type_: MessageType = typer.Option(MessageType.PING, "--type"),
    body: str = typer.Option("{}", "--body", help="JSON object, or @file.json"),
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Sign a message into the outbox (delivered by 'outbox deliver' or the web app)."""
    s = state(ctx)
    text = Path(body[1:]).read_text(encoding="utf-8") if body.startswith("@") else body
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise InvalidInput.single("body", "not_json", f"not a JSON document: {exc}") from exc
    if not isinstance(doc, dict):
        raise InvalidInput.single("body", "not_object", "the body is a JSON object")
    out = messages.send(s.db.uow(), _who(economy), s.settings.secret_key, recipient, type_, doc)
    emit(out, as_json, lambda m: console.print(f"message {m.id} queued for {m.recipient}"))


@app.command("share-model")
def share_model(
    ctx: typer.Context,
    round_: int = typer.Option(1, "--round", min=1, help="Federated round number."),
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """One federated round: the active risk model's update (its trees, never a declaration)
    signed into the outbox for every active partner."""
    from smartcustoms.exchange.services import model_updates  # loads LightGBM

    s = state(ctx)
    sent = model_updates.federated_round(
        s.db.uow(), _who(economy), s.settings.secret_key, round_=round_
    )
    emit(
        sent,
        as_json,
        lambda ms: console.print(
            f"model update round {round_} queued for "
            + (", ".join(m.recipient for m in ms) or "no partner")
        ),
    )


@app.command("verify")
def verify(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="a file with a compact JWS, or '-' for stdin"),
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Check a signed message against the partner keys known here (stores nothing)."""
    from smartcustoms.exchange.model import Refused

    token = (
        sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    ).strip()
    try:
        v = messages.verify_token(
            state(ctx).db.uow(), token, expected_recipient=economy.upper(), check_replay=False
        )
        result: dict[str, Any] = {"valid": True, "kid": v.kid, **v.envelope.to_payload()}
    except Refused as exc:
        result = {"valid": False, "reason": exc.reason.value, "detail": exc.message}
    emit(result, as_json, lambda r: console.print(r))
    if not result["valid"]:
        raise typer.Exit(1)


@app.command("receive")
def receive(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="a file with a compact JWS, or '-' for stdin"),
    as_json: bool = JsonOption,
) -> None:
    """Accept a message delivered out of band (e.g. on a USB stick) as the inbox would."""
    s = state(ctx)
    token = (
        sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    ).strip()
    verdict = messages.receive(s.db.uow(), s.settings.secret_key, token, default_handlers())
    emit(verdict.to_dict(), as_json, lambda r: console.print(r))
    if not verdict.accepted:
        raise typer.Exit(1)


@app.command("inbox")
def inbox(
    ctx: typer.Context,
    type_: str = typer.Option(None, "--type"),
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    rows = messages.list_inbox(state(ctx).db.uow(), _who(economy), type_)
    emit(
        rows,
        as_json,
        lambda r: _show(r, "Inbox", ["id", "sender", "type", "created", "received_at"]),
    )


@app.command("refusals")
def refusals(ctx: typer.Context, economy: str = EconomyOption, as_json: bool = JsonOption) -> None:
    rows = messages.list_refusals(state(ctx).db.uow(), _who(economy))
    emit(
        rows,
        as_json,
        lambda r: _show(
            r, "Refused messages", ["received_at", "sender", "message_id", "reason", "detail"]
        ),
    )


__all__ = ["app"]


# --- certificates, AEO/MRA, alerts, policy -------------------------------------------------

certificates_app = typer.Typer(help="Electronic certificates of origin.", no_args_is_help=True)
aeo_app = typer.Typer(help="AEO register and mutual recognition.", no_args_is_help=True)
alerts_app = typer.Typer(help="Risk alerts between administrations.", no_args_is_help=True)
app.add_typer(certificates_app, name="certificates")
app.add_typer(aeo_app, name="aeo")
app.add_typer(alerts_app, name="alerts")


def _json_file(source: str) -> Any:
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InvalidInput.single("source", "not_json", f"not a JSON document: {exc}") from exc


def _base_url(ctx: typer.Context) -> str:
    settings = state(ctx).settings
    return f"http://{settings.host}:{settings.port}"


@certificates_app.command("issue")
def certificates_issue(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="certificate data (JSON file, '-' for stdin)"),
    base_url: str = typer.Option(None, "--base-url", help="public URL of this installation"),
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    s = state(ctx)
    cred = certificates.issue(
        s.db.uow(),
        _who(economy),
        s.settings.secret_key,
        _json_file(source),
        base_url=base_url or _base_url(ctx),
    )
    emit(
        cred,
        as_json,
        lambda c: console.print(f"certificate {c['credentialSubject']['certificate_number']}"),
    )


@certificates_app.command("list")
def certificates_list(
    ctx: typer.Context, economy: str = EconomyOption, as_json: bool = JsonOption
) -> None:
    rows = certificates.list_certificates(state(ctx).db.uow(), _who(economy))
    emit(
        rows,
        as_json,
        lambda r: _show(r, "Certificates", ["id", "role", "issuer", "status", "valid_until"]),
    )


@certificates_app.command("revoke")
def certificates_revoke(
    ctx: typer.Context,
    certificate_id: str,
    reason: str = typer.Option("", "--reason"),
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    s = state(ctx)
    row = certificates.revoke(
        s.db.uow(), _who(economy), s.settings.secret_key, certificate_id, reason
    )
    emit(row, as_json, lambda r: console.print(f"certificate {r['id']} revoked"))


@certificates_app.command("verify")
def certificates_verify(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="the credential JSON file, '-' for stdin"),
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    check = certificates.check_credential(state(ctx).db.uow(), economy.upper(), _json_file(source))
    result = {
        "valid": check.valid,
        "certificate_id": check.certificate_id,
        "issuer": check.issuer,
        "problems": check.problems,
    }
    emit(result, as_json, lambda r: console.print(r))
    if not check.valid:
        raise typer.Exit(1)


@certificates_app.command("pdf")
def certificates_pdf(
    ctx: typer.Context,
    certificate_id: str,
    out: Path = typer.Option(..., "--out"),
    base_url: str = typer.Option(None, "--base-url"),
    economy: str = EconomyOption,
) -> None:
    found = certificates.get_certificate(state(ctx).db.uow(), _who(economy), certificate_id)
    link = certificates.verify_url(base_url or _base_url(ctx), found["issuer"], certificate_id)
    out.write_bytes(certificates.certificate_pdf(found["credential"], link))
    console.print(f"wrote {out}")


@certificates_app.command("policy")
def certificates_policy(
    ctx: typer.Context,
    required: bool = typer.Option(..., "--required/--not-required"),
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Whether claimed tariff preferences need a verified certificate of origin."""
    row = certificates.set_policy(
        state(ctx).db.uow(), _who(economy), certificate_required_for_preference=required
    )
    emit(row, as_json, lambda r: console.print(r))


@aeo_app.command("set")
def aeo_set(
    ctx: typer.Context,
    trader_id: str,
    name: str = typer.Option("", "--name"),
    status: str = typer.Option("active", "--status"),
    valid_until: str = typer.Option(None, "--valid-until"),
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    s = state(ctx)
    row = aeo.set_aeo(
        s.db.uow(),
        _who(economy),
        s.settings.secret_key,
        trader_id,
        name=name,
        status=status,
        valid_until=valid_until,
    )
    emit(row, as_json, lambda r: console.print(f"{r['trader_id']}: {r['status']}"))


@aeo_app.command("list")
def aeo_list(
    ctx: typer.Context,
    authority: str = typer.Option(None, "--authority"),
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    rows = aeo.list_aeo(state(ctx).db.uow(), _who(economy), authority)
    emit(rows, as_json, lambda r: _show(r, "AEO", ["authority", "trader_id", "name", "status"]))


@aeo_app.command("mra")
def aeo_mra(
    ctx: typer.Context,
    partner: str,
    name: str = typer.Option(..., "--name"),
    valid_from: str = typer.Option(..., "--from"),
    valid_until: str = typer.Option(None, "--until"),
    scope: str = typer.Option("both", "--scope"),
    status: str = typer.Option("active", "--status"),
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    """Record the mutual recognition arrangement with a partner."""
    row = aeo.record_mra(
        state(ctx).db.uow(),
        _who(economy),
        partner,
        name=name,
        valid_from=valid_from,
        valid_until=valid_until,
        scope=scope,
        status=status,
    )
    emit(row, as_json, lambda r: console.print(r))


@alerts_app.command("send")
def alerts_send(
    ctx: typer.Context,
    partner: str,
    source: str = typer.Argument(..., help="the alert (JSON file, '-' for stdin)"),
    economy: str = EconomyOption,
    as_json: bool = JsonOption,
) -> None:
    s = state(ctx)
    row = alerts.send_alert(
        s.db.uow(), _who(economy), s.settings.secret_key, partner, _json_file(source)
    )
    emit(row, as_json, lambda r: console.print(f"alert {r['id']} queued for {partner.upper()}"))


@alerts_app.command("list")
def alerts_list(
    ctx: typer.Context, economy: str = EconomyOption, as_json: bool = JsonOption
) -> None:
    rows = alerts.list_alerts(state(ctx).db.uow(), _who(economy))
    emit(
        rows,
        as_json,
        lambda r: _show(r, "Alerts", ["id", "direction", "partner", "title", "rule_id"]),
    )


@alerts_app.command("rule")
def alerts_rule(
    ctx: typer.Context, alert_id: str, economy: str = EconomyOption, as_json: bool = JsonOption
) -> None:
    """Turn a received alert into an active selectivity rule (one step)."""
    made = alerts.alert_to_rule(state(ctx).db.uow(), _who(economy), alert_id)
    emit(made, as_json, lambda r: console.print(f"rule {r['rule_id']} is active"))
