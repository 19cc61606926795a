"""Ed25519 signatures over canonical JSON, for records each party signs (order, payment,
waybill). Keys and signatures travel as unpadded base64url text.

Canonical JSON: keys sorted, no insignificant whitespace, UTF-8 (orjson with sorted keys), so
the signer and the verifier hash the same bytes whatever order the fields came in.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = ["canonical", "keypair_from_seed", "new_keypair", "public_key_ok", "sign", "verify"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical(payload: Mapping[str, Any]) -> bytes:
    return orjson.dumps(dict(payload), option=orjson.OPT_SORT_KEYS)


def new_keypair() -> tuple[str, str]:
    """(private key, public key) as base64url of their 32 raw bytes."""
    from cryptography.hazmat.primitives import serialization as s

    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(s.Encoding.Raw, s.PrivateFormat.Raw, s.NoEncryption())
    pub = private.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)
    return _b64(raw), _b64(pub)


def keypair_from_seed(seed: bytes) -> tuple[str, str]:
    """A deterministic key pair from 32 seed bytes (synthetic data and tests only)."""
    from cryptography.hazmat.primitives import serialization as s

    private = Ed25519PrivateKey.from_private_bytes(seed)
    pub = private.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)
    return _b64(seed), _b64(pub)


def sign(private_key: str, payload: Mapping[str, Any]) -> str:
    key = Ed25519PrivateKey.from_private_bytes(_unb64(private_key))
    return _b64(key.sign(canonical(payload)))


def public_key_ok(public_key: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(_unb64(public_key))
    except (ValueError, TypeError):
        return False
    return True


def verify(public_key: str, payload: Mapping[str, Any], signature: str) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(_unb64(public_key))
        key.verify(_unb64(signature), canonical(payload))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
