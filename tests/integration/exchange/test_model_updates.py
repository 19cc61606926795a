"""Federated learning over the exchange: two running installations (real HTTP) swap risk model
updates as signed messages; the receiving economy's shared scores change with a valid update
only, never with a tampered one, one from an untrusted party or one carrying anything but trees."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import lightgbm as lgb
import numpy as np
import pytest

from smartcustoms.core import signing
from smartcustoms.core.ids import new_id
from smartcustoms.errors import InvalidInput
from smartcustoms.exchange.model import ENVELOPE_TYP, Envelope, MessageType
from smartcustoms.exchange.services import delivery, messages, model_updates, trust
from smartcustoms.exchange.services.delivery import INBOX_PATH
from smartcustoms.risk import federation
from smartcustoms.risk.ml.online.federated import ModelUpdate

from .conftest import Installation, Pair

FEATURES = ["te_importer", "te_hs6", "unit_value_ratio", "c_importer"]


def _booster(seed: int) -> lgb.Booster:
    """A small fraud booster trained on an economy's own (synthetic) declarations."""
    rng = np.random.default_rng(seed)
    x = rng.random((400, len(FEATURES)))
    y = (x[:, 0] + 0.5 * x[:, 2] + rng.normal(0, 0.2, 400) > 0.9).astype(int)
    params = {
        "objective": "binary",
        "num_threads": 1,
        "deterministic": True,
        "verbose": -1,
        "seed": seed,
        "min_data_in_leaf": 10,
    }
    data = lgb.Dataset(x, y, feature_name=FEATURES)
    return lgb.train(params, data, num_boost_round=10)


def _scores(inst: Installation, local: lgb.Booster, matrix: np.ndarray) -> np.ndarray:
    return np.asarray(
        federation.shared_scores(inst.db.uow(), inst.economy, local, FEATURES, matrix)
    )


def _post(inst: Installation, token: str) -> httpx.Response:
    return httpx.post(
        inst.url + INBOX_PATH, content=token, headers={"content-type": "application/jose"}
    )


def _outbox_token(inst: Installation, message_id: str) -> str:
    from smartcustoms.exchange.tables import OutboxRow

    with inst.db.uow() as uow:
        row = uow.session.get(OutboxRow, message_id)
        assert row is not None
        return str(row.token)


def _tamper(token: str) -> str:
    """Change one leaf value of the model in the signed payload (still canonical JSON)."""
    header, payload, sig = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["id"] = new_id()  # a fresh id too, so it cannot pass for a replay
    model = data["body"]["model"]
    start = model.index("leaf_value=") + len("leaf_value=")
    data["body"]["model"] = model[:start] + "9" + model[start:]
    raw = signing.canonical_json(data)
    return ".".join([header, base64.urlsafe_b64encode(raw).rstrip(b"=").decode(), sig])


def _signed_by(inst: Installation, body: dict[str, Any], **overrides: Any) -> str:
    now = datetime.now(UTC)
    env = Envelope(
        id=new_id(),
        type=MessageType.RISK_MODEL_UPDATE.value,
        sender=inst.economy,
        recipient="SG",
        created=now,
        expires=now + timedelta(hours=1),
        body=body,
    ).to_payload()
    env.update(overrides)
    signer = trust.active_signer(inst.db.uow(), inst.economy, inst.secret)
    return str(signing.sign(env, signer.key, header={"typ": ENVELOPE_TYP}))


def test_model_update_travels_signed_and_changes_only_a_valid_receivers_model(
    pair: Pair,
) -> None:
    a, b = pair.a, pair.b  # KR sends, SG receives
    kr_model, sg_model = _booster(1), _booster(2)
    matrix = np.random.default_rng(9).random((200, len(FEATURES)))
    before = _scores(b, sg_model, matrix)
    assert np.allclose(before, sg_model.predict(matrix))  # no partner update yet
    update = ModelUpdate("KR", kr_model.model_to_string(), tuple(FEATURES), 400)

    # What is sent holds trees and aggregates, nothing row-level.
    body = update.body(1)
    assert set(body) == {"round", "features", "training_rows", "model_sha256", "model"}

    # Tampered in transit (one leaf value changed): refused, the model does not move.
    out = model_updates.send_model_update(a.db.uow(), a.admin, a.secret, "SG", update)
    tampered = _tamper(_outbox_token(a, out.id))
    refused = _post(b, tampered)
    assert refused.status_code == 422 and refused.json()["reason"] == "bad_signature"
    assert np.array_equal(_scores(b, sg_model, matrix), before)

    # From a party SG does not trust (its own key, not a registered partner): refused.
    stranger = signing.generate_private_key()
    now = datetime.now(UTC)
    foreign = Envelope(
        id=new_id(),
        type=MessageType.RISK_MODEL_UPDATE.value,
        sender="JP",
        recipient="SG",
        created=now,
        expires=now + timedelta(hours=1),
        body=update.body(1),
    ).to_payload()
    token = signing.sign(foreign, stranger, header={"typ": ENVELOPE_TYP})
    refused = _post(b, token)
    assert refused.status_code == 422 and refused.json()["reason"] == "unknown_sender"
    # Claiming to come from KR but signed with another key: not a key SG knows for KR.
    impostor = signing.sign(
        _signed_by_payload(a, update.body(1)), stranger, header={"typ": ENVELOPE_TYP}
    )
    refused = _post(b, impostor)
    assert refused.status_code == 422 and refused.json()["reason"] in (
        "unknown_key",
        "bad_signature",
    )
    # Properly signed by the partner but carrying more than an update: refused.
    sneaky = _signed_by(a, update.body(1) | {"declarations": [{"importer_id": "X1"}]})
    refused = _post(b, sneaky)
    assert refused.status_code == 422 and refused.json()["reason"] == "invalid_body"
    assert "declarations" in refused.json()["detail"]
    wrong_digest = _signed_by(a, update.body(1) | {"model_sha256": "0" * 64})
    assert _post(b, wrong_digest).json()["reason"] == "invalid_body"
    assert np.array_equal(_scores(b, sg_model, matrix), before)
    assert federation.latest_partner_updates(b.db.uow(), "SG") == []

    # The genuine message, delivered by the outbox over HTTP: verified, stored, and SG's
    # shared scores become the mean of its booster and KR's.
    report = delivery.deliver_due(a.db.uow)
    assert report.delivered == [out.id]
    received = federation.latest_partner_updates(b.db.uow(), "SG")
    assert [(r.partner, r.round) for r in received] == [("KR", 1)]
    assert received[0].update.model == update.model
    after = _scores(b, sg_model, matrix)
    assert not np.allclose(after, before)
    both = np.asarray(sg_model.predict(matrix)) + np.asarray(kr_model.predict(matrix))
    assert np.allclose(after, both / 2)
    inbox = messages.list_inbox(b.db.uow(), b.admin)
    assert [m.type for m in inbox] == [MessageType.RISK_MODEL_UPDATE.value]


def _signed_by_payload(inst: Installation, body: dict[str, Any]) -> dict[str, Any]:
    now = datetime.now(UTC)
    payload: dict[str, Any] = Envelope(
        id=new_id(),
        type=MessageType.RISK_MODEL_UPDATE.value,
        sender=inst.economy,
        recipient="SG",
        created=now,
        expires=now + timedelta(hours=1),
        body=body,
    ).to_payload()
    return payload


def test_an_invalid_update_is_not_even_sent(pair: Pair) -> None:
    a = pair.a
    broken = ModelUpdate("KR", "not a model", tuple(FEATURES), 10)
    with pytest.raises(InvalidInput) as err:
        model_updates.send_model_update(a.db.uow(), a.admin, a.secret, "SG", broken)
    assert [e.path for e in err.value.errors] == ["model"]


def test_federated_round_shares_the_active_model(
    pair: Pair, shared_data_dir: Path, tmp_path: Path
) -> None:
    """``exchange share-model``: the active risk model's update to every partner, over HTTP."""
    import pandas as pd

    from smartcustoms.risk import training
    from smartcustoms.risk.ml.frame import read_frame

    a, b = pair.a, pair.b
    raw = pd.read_csv(
        shared_data_dir / "customs-declarations" / "df_syn_train_eng.csv", nrows=1500, dtype=str
    )
    path = tmp_path / "kr.csv"
    raw.to_csv(path, index=False)
    frame = read_frame(path)
    info = training.train_from_frames(
        a.db.uow(), a.admin, tmp_path / "files", frame, params={"n_estimators": 10}, activate=True
    )
    sent = model_updates.federated_round(a.db.uow(), a.admin, a.secret, round_=2)
    assert [m.recipient for m in sent] == ["SG"]
    assert delivery.deliver_due(a.db.uow).delivered == [sent[0].id]
    [received] = federation.latest_partner_updates(b.db.uow(), "SG")
    assert received.partner == "KR" and received.round == 2
    assert list(received.update.features) == info.features
    assert received.update.training_rows > 0
