"""Ed25519 keys and JWS over canonical JSON: the signing primitives every feature reuses.

- **Canonical JSON** is RFC 8785 (JCS), through the ``rfc8785`` package: the same data gives the
  same bytes on every installation, so a signature survives re-serialisation.
- **Signatures** are compact JWS (RFC 7515) with EdDSA over Ed25519 (RFC 8037), through
  ``joserfc``. The ``alg`` header is ``Ed25519``, the fully specified name RFC 9864 gives to
  EdDSA on that curve (``EdDSA`` alone is deprecated there); only that algorithm is accepted, so
  an attacker cannot choose ``none`` or an HMAC.
- **Keys** are ``cryptography`` Ed25519 keys. A key's id (``kid``) is its RFC 7638 JWK
  thumbprint. Private keys at rest are sealed with AES-256-GCM under a key derived by HKDF-SHA256
  from the installation's secret key; the key id is bound as associated data, so a sealed key
  cannot be swapped onto another id.

Nothing here touches a database or the network.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from smartcustoms.errors import SmartCustomsError

__all__ = [
    "ALGORITHM",
    "KeyUnsealable",
    "SignatureInvalid",
    "SignedContent",
    "canonical_json",
    "digest",
    "generate_private_key",
    "key_id",
    "parse_json",
    "public_jwk",
    "public_key_from_jwk",
    "read_unverified",
    "seal_private_key",
    "sign",
    "unseal_private_key",
    "verify",
]

ALGORITHM = "Ed25519"
_ALGORITHMS = [ALGORITHM]
_SEAL_INFO = b"smartcustoms signing-key seal v1"
_SEAL_PREFIX = "v1."


class SignatureInvalid(SmartCustomsError):
    """The signature does not verify, or the signed document is not what it claims to be."""


class KeyUnsealable(SmartCustomsError):
    """A stored private key cannot be opened with this installation's secret key."""


# --- canonical JSON --------------------------------------------------------------------------


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical form of a JSON value (dicts, lists, str, int, float, bool, None)."""
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise ValueError(f"not canonicalisable JSON: {exc}") from exc


_SAFE_INT = 2**53


def _int_or_float(text: str) -> int | float:
    # RFC 8785 writes every number as an IEEE double; a whole number beyond 2^53 only comes
    # from a float, so read it back as one (and its canonical form stays the same).
    value = int(text)
    return value if -_SAFE_INT < value < _SAFE_INT else float(value)


def parse_json(raw: bytes | str) -> Any:
    """Parse JSON so that canonical bytes parse back to a value with the same canonical form."""
    return json.loads(raw, parse_int=_int_or_float)


def digest(value: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of ``value``."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


# --- keys ------------------------------------------------------------------------------------


def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _okp(key: Ed25519PrivateKey | Ed25519PublicKey) -> OKPKey:
    return OKPKey.import_key(key)


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The RFC 7638 thumbprint of the public key: the same on every installation."""
    return str(_okp(key).thumbprint())


def public_jwk(key: Ed25519PrivateKey | Ed25519PublicKey) -> dict[str, str]:
    """The public JWK (OKP, Ed25519) with ``kid``, ``use`` and ``alg`` set; never private parts."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    jwk = _okp(public).as_dict(private=False)
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": str(jwk["x"]),
        "kid": key_id(public),
        "use": "sig",
        "alg": ALGORITHM,
    }


def public_key_from_jwk(jwk: Mapping[str, Any]) -> Ed25519PublicKey:
    """Read an Ed25519 public JWK; refuses private keys and other key types."""
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise ValueError("only OKP Ed25519 keys are accepted")
    if "d" in jwk:
        raise ValueError("a public key set must not contain private key material")
    x = jwk.get("x")
    if not isinstance(x, str):
        raise ValueError("the key has no 'x' member")
    raw = base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def _seal_key(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SEAL_INFO).derive(
        secret.encode("utf-8")
    )


def seal_private_key(key: Ed25519PrivateKey, secret: str, kid: str) -> str:
    """The private key encrypted (AES-256-GCM) under a key derived from ``secret``."""
    raw = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    nonce = os.urandom(12)
    sealed = AESGCM(_seal_key(secret)).encrypt(nonce, raw, kid.encode("utf-8"))
    return _SEAL_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal_private_key(sealed: str, secret: str, kid: str) -> Ed25519PrivateKey:
    if not sealed.startswith(_SEAL_PREFIX):
        raise KeyUnsealable(f"key {kid}: unknown sealing format")
    blob = base64.urlsafe_b64decode(sealed[len(_SEAL_PREFIX) :])
    try:
        raw = AESGCM(_seal_key(secret)).decrypt(blob[:12], blob[12:], kid.encode("utf-8"))
    except InvalidTag as exc:
        raise KeyUnsealable(
            f"key {kid} cannot be opened: the secret key differs from the one it was sealed with"
        ) from exc
    return Ed25519PrivateKey.from_private_bytes(raw)


# --- JWS -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignedContent:
    header: dict[str, Any]
    payload: Any
    """The JSON value that was signed (parsed back from its canonical bytes)."""


def sign(payload: Any, key: Ed25519PrivateKey, *, header: Mapping[str, Any] | None = None) -> str:
    """A compact JWS whose payload is the canonical JSON of ``payload``."""
    protected = {**(header or {}), "alg": ALGORITHM, "kid": key_id(key)}
    return jws.serialize_compact(protected, canonical_json(payload), _okp(key), _ALGORITHMS)


def read_unverified(token: str) -> SignedContent:
    """Header and payload without checking the signature: only to find the key to check with."""
    try:
        obj = jws.extract_compact(token.encode("ascii"))
        payload = parse_json(obj.payload.decode("utf-8"))
    except (JoseError, ValueError, UnicodeError) as exc:
        raise SignatureInvalid(f"not a compact JWS with a JSON payload: {exc}") from exc
    return SignedContent(dict(obj.headers()), payload)


def verify(
    token: str,
    resolve: Callable[[Mapping[str, Any]], Ed25519PublicKey],
    *,
    require_canonical: bool = True,
) -> SignedContent:
    """Check ``token``'s signature with the key ``resolve(header)`` returns.

    ``resolve`` may raise to refuse (unknown or revoked key). With ``require_canonical`` the
    signed bytes must be the canonical JSON of the payload, so two different byte strings can
    never carry the same signed meaning.
    """
    unverified = read_unverified(token)
    if unverified.header.get("alg") != ALGORITHM:
        raise SignatureInvalid(
            f"algorithm {unverified.header.get('alg')!r} is not accepted; use {ALGORITHM}"
        )
    public = resolve(unverified.header)
    try:
        obj = jws.deserialize_compact(token.encode("ascii"), _okp(public), _ALGORITHMS)
    except (JoseError, ValueError) as exc:
        raise SignatureInvalid("the signature does not match the signed content") from exc
    payload = parse_json(obj.payload.decode("utf-8"))
    if require_canonical:
        try:
            canonical = canonical_json(payload)
        except ValueError:
            canonical = b""
        if canonical != obj.payload:
            raise SignatureInvalid("the signed content is not in RFC 8785 canonical form")
    return SignedContent(dict(obj.headers()), payload)
