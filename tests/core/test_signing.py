"""Property tests: canonical JSON and JWS round trips (hypothesis)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartcustoms.core import signing

# I-JSON: integers within ±2^53, finite floats, any Unicode text without lone surrogates.
_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    _text,
)
json_values = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(_text, children, max_size=5)
    ),
    max_leaves=25,
)
KEY = signing.generate_private_key()
OTHER = signing.generate_private_key()


def _shuffled(value: Any) -> Any:
    """The same JSON value with every object's keys in reverse insertion order."""
    if isinstance(value, dict):
        return {k: _shuffled(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_shuffled(v) for v in value]
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float | int):
        return a == b or (math.isclose(a, b) and a == float(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@given(json_values)
@settings(max_examples=200, deadline=None)
def test_canonical_form_ignores_key_order_and_is_a_fixed_point(value: Any) -> None:
    canonical = signing.canonical_json(value)
    assert signing.canonical_json(_shuffled(value)) == canonical
    reparsed = signing.parse_json(canonical)
    assert signing.canonical_json(reparsed) == canonical
    assert _same(value, reparsed)


@given(json_values)
@settings(max_examples=100, deadline=None)
def test_sign_then_verify_returns_the_payload(value: Any) -> None:
    token = signing.sign({"v": value}, KEY, header={"typ": "test"})
    content = signing.verify(token, lambda header: KEY.public_key())
    assert content.header["kid"] == signing.key_id(KEY)
    assert content.header["alg"] == "Ed25519"
    assert signing.canonical_json(content.payload) == signing.canonical_json({"v": value})


@given(json_values, st.integers(min_value=0))
@settings(max_examples=100, deadline=None)
def test_any_changed_signed_byte_fails(value: Any, position: int) -> None:
    token = signing.sign({"v": value}, KEY)
    header, _payload, sig = token.split(".")
    raw = bytearray(signing.canonical_json({"v": value}))
    i = position % len(raw)
    raw[i] = (raw[i] + 1) % 128 or 1
    import base64

    tampered = ".".join([header, base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode(), sig])
    with pytest.raises(signing.SignatureInvalid):
        signing.verify(tampered, lambda header: KEY.public_key())


@given(json_values)
@settings(max_examples=50, deadline=None)
def test_another_key_never_verifies(value: Any) -> None:
    token = signing.sign(value, KEY)
    with pytest.raises(signing.SignatureInvalid):
        signing.verify(token, lambda header: OTHER.public_key())


def test_non_canonical_signed_bytes_are_refused() -> None:
    import base64

    from joserfc import jws
    from joserfc.jwk import OKPKey

    loose = b'{"b": 1, "a": 2}'
    token = jws.serialize_compact(
        {"alg": "Ed25519", "kid": signing.key_id(KEY)}, loose, OKPKey.import_key(KEY), ["Ed25519"]
    )
    with pytest.raises(signing.SignatureInvalid, match="canonical"):
        signing.verify(token, lambda header: KEY.public_key())
    assert base64  # the module is used above for clarity only


def test_algorithm_none_and_hmac_are_refused() -> None:
    import base64

    header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(b'{"a":1}').rstrip(b"=").decode()
    with pytest.raises(signing.SignatureInvalid, match="not accepted"):
        signing.verify(f"{header}.{payload}.", lambda h: KEY.public_key())


def test_sealed_key_opens_only_with_the_same_secret_and_id() -> None:
    kid = signing.key_id(KEY)
    sealed = signing.seal_private_key(KEY, "the secret", kid)
    assert signing.key_id(signing.unseal_private_key(sealed, "the secret", kid)) == kid
    with pytest.raises(signing.KeyUnsealable):
        signing.unseal_private_key(sealed, "another secret", kid)
    with pytest.raises(signing.KeyUnsealable):
        signing.unseal_private_key(sealed, "the secret", signing.key_id(OTHER))
    # The raw private key bytes never appear in the sealed text.
    from cryptography.hazmat.primitives import serialization

    raw = KEY.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    assert raw.hex() not in sealed and base64_of(raw) not in sealed


def base64_of(raw: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_public_jwk_round_trip_and_private_keys_refused() -> None:
    jwk = signing.public_jwk(KEY)
    assert set(jwk) == {"kty", "crv", "x", "kid", "use", "alg"}
    assert signing.key_id(signing.public_key_from_jwk(jwk)) == jwk["kid"]
    with pytest.raises(ValueError, match="private"):
        signing.public_key_from_jwk({**jwk, "d": "AAAA"})
    with pytest.raises(ValueError, match="Ed25519"):
        signing.public_key_from_jwk({**jwk, "crv": "X25519"})
