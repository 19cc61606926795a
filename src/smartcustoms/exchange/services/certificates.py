"""Electronic certificates of origin: issued by the exporting economy's authority as a
W3C-Verifiable-Credential-shaped JSON document with a JWS proof, sent signed to the importing
economy, verified there (signature, issuer trust, validity, revocation, goods), printable as a
PDF whose QR code leads to the public verification page; revocation propagates by message.

The proof's JWS (Ed25519) carries the canonical JSON (RFC 8785) of the credential without its
``proof`` member, so anyone holding the issuer's public key (JWKS) can check it offline.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core import signing
from smartcustoms.core.clock import Clock, as_utc
from smartcustoms.core.codes import is_country
from smartcustoms.core.ids import new_id
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import Conflict, FieldError, InvalidInput, NotFound
from smartcustoms.exchange.model import (
    CLOCK_SKEW,
    Envelope,
    KeyStatus,
    MessageType,
    PartnerStatus,
)
from smartcustoms.exchange.repository import ExchangeRepository
from smartcustoms.exchange.services import messages
from smartcustoms.exchange.services.trust import active_signer
from smartcustoms.exchange.tables import CertificateRow, PartnerKeyRow, PolicyRow, SigningKeyRow

__all__ = [
    "ORIGIN_CRITERIA",
    "CertificateCheck",
    "certificate_pdf",
    "check_credential",
    "get_certificate",
    "issue",
    "list_certificates",
    "public_status",
    "receive_certificate",
    "receive_revocation",
    "revoke",
    "set_policy",
    "verify_url",
]

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
ORIGIN_CRITERIA = {
    "WO": "wholly obtained or produced",
    "PE": "produced exclusively from originating materials",
    "CTC": "change in tariff classification",
    "CTH": "change in tariff heading",
    "CTSH": "change in tariff subheading",
    "RVC": "regional value content",
    "PSR": "product-specific rule",
}
_HS = re.compile(r"^\d{6,10}$")
DEFAULT_VALIDITY = timedelta(days=365)
READERS = (Role.OFFICER, Role.ANALYST)


def verify_url(base_url: str, economy: str, certificate_id: str) -> str:
    return f"{base_url.rstrip('/')}/verify/certificates/{economy}/{certificate_id}"


# --- issuing ---------------------------------------------------------------------------------


def _party(raw: Any, path: str, errors: list[FieldError]) -> dict[str, Any]:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"].strip():
        errors.append(FieldError(path, "required", f"the {path} with at least an 'id'"))
        return {}
    return {
        "id": raw["id"].strip(),
        "name": str(raw.get("name") or ""),
        "address": str(raw.get("address") or ""),
        "country": str(raw.get("country") or ""),
    }


def _goods(raw: Any, errors: list[FieldError]) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        errors.append(FieldError("goods", "required", "at least one goods item"))
        return []
    out = []
    for i, g in enumerate(raw):
        path = f"goods[{i}]"
        if not isinstance(g, dict):
            errors.append(FieldError(path, "invalid", "a goods item is an object"))
            continue
        hs = str(g.get("hs_code", ""))
        if not _HS.match(hs):
            errors.append(FieldError(f"{path}.hs_code", "invalid", "an HS code of 6 to 10 digits"))
        crit = str(g.get("origin_criterion", "")).upper()
        if crit not in ORIGIN_CRITERIA:
            errors.append(
                FieldError(
                    f"{path}.origin_criterion",
                    "invalid",
                    "one of " + ", ".join(sorted(ORIGIN_CRITERIA)),
                )
            )
        if not str(g.get("description", "")).strip():
            errors.append(FieldError(f"{path}.description", "required", "describe the goods"))
        out.append(
            {
                "line": i + 1,
                "hs_code": hs,
                "description": str(g.get("description", "")).strip(),
                "origin_criterion": crit,
                "quantity": None if g.get("quantity") is None else str(g["quantity"]),
                "unit": g.get("unit"),
                "net_mass_kg": None if g.get("net_mass_kg") is None else str(g["net_mass_kg"]),
                "invoice_value": None
                if g.get("invoice_value") is None
                else str(g["invoice_value"]),
                "currency": g.get("currency"),
            }
        )
    return out


def issue(
    uow: UnitOfWork,
    principal: Principal,
    secret: str,
    data: Mapping[str, Any],
    *,
    base_url: str,
    clock: Clock | None = None,
) -> dict[str, Any]:
    """Issue, sign and store a certificate; queue it for the importing economy when it is a
    partner. Returns the signed credential."""
    principal.require(Role.OFFICER)
    errors: list[FieldError] = []
    importing = str(data.get("importing_economy", "")).upper()
    if not is_country(importing) or importing == principal.economy:
        errors.append(
            FieldError("importing_economy", "invalid", "the importing economy (ISO alpha-2)")
        )
    agreement = str(data.get("trade_agreement", "")).strip()
    if not agreement:
        errors.append(FieldError("trade_agreement", "required", "the trade agreement claimed"))
    exporter = _party(data.get("exporter"), "exporter", errors)
    importer = _party(data.get("importer"), "importer", errors)
    goods = _goods(data.get("goods"), errors)
    days = data.get("valid_days", DEFAULT_VALIDITY.days)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 730:
        errors.append(FieldError("valid_days", "invalid", "whole days between 1 and 730"))
        days = DEFAULT_VALIDITY.days
    if errors:
        raise InvalidInput(errors)
    now = (clock or uow.clock).now()
    number = f"{principal.economy}-{now:%Y}-{new_id()[:12].upper()}"
    with uow:
        signer = active_signer(uow, principal.economy, secret)
        credential: dict[str, Any] = {
            "@context": [VC_CONTEXT],
            "id": f"urn:smartcustoms:certificate-of-origin:{number}",
            "type": ["VerifiableCredential", "CertificateOfOrigin"],
            "issuer": {
                "id": f"urn:smartcustoms:customs:{principal.economy}",
                "economy": principal.economy,
                "name": str(data.get("issuing_authority") or f"Customs of {principal.economy}"),
            },
            "validFrom": now.isoformat(timespec="seconds"),
            "validUntil": (now + timedelta(days=days)).isoformat(timespec="seconds"),
            "credentialSubject": {
                "certificate_number": number,
                "trade_agreement": agreement,
                "exporting_economy": principal.economy,
                "importing_economy": importing,
                "export_reference": data.get("export_reference"),
                "exporter": exporter,
                "importer": importer,
                "goods": goods,
            },
            "credentialStatus": {
                "type": "SmartCustomsCertificateStatus",
                "id": verify_url(base_url, principal.economy, number),
            },
        }
        jws = signing.sign(credential, signer.key, header={"typ": "vc+jws"})
        credential["proof"] = {
            "type": "JsonWebSignature",
            "cryptosuite": "jcs-ed25519-jws",
            "created": now.isoformat(timespec="seconds"),
            "proofPurpose": "assertionMethod",
            "verificationMethod": f"{base_url.rstrip('/')}/api/v1/exchange/jwks/"
            f"{principal.economy}#{signer.kid}",
            "jws": jws,
        }
        repo = ExchangeRepository(uow.session)
        repo.add(_row(principal.economy, "issued", credential, now))
        partner = repo.partner(principal.economy, importing)
        if partner is not None and partner.status == PartnerStatus.ACTIVE.value:
            messages.send(
                uow,
                principal,
                secret,
                importing,
                MessageType.CERTIFICATE_OF_ORIGIN,
                {"credential": credential},
                subject=number[:64],
                clock=clock,
            )
        uow.commit()
    return credential


def _row(economy: str, role: str, credential: dict[str, Any], now: datetime) -> CertificateRow:
    subject = credential["credentialSubject"]
    return CertificateRow(
        economy=economy,
        id=subject["certificate_number"],
        role=role,
        issuer=credential["issuer"]["economy"],
        importing_economy=subject["importing_economy"],
        export_reference=subject.get("export_reference"),
        exporter_id=subject["exporter"]["id"],
        importer_id=subject["importer"]["id"],
        status="valid",
        credential=credential,
        issued_at=_dt(credential["validFrom"]),
        valid_until=_dt(credential["validUntil"]),
        revoked_at=None,
        revocation_reason=None,
        received_at=now if role == "received" else None,
    )


def _dt(value: str) -> datetime:
    return as_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))


# --- checking --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CertificateCheck:
    valid: bool
    certificate_id: str | None
    problems: list[str] = field(default_factory=list)
    issuer: str | None = None
    status: str | None = None
    kid: str | None = None
    subject: dict[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return "; ".join(self.problems) if self.problems else "verified"


def _resolver(
    repo: ExchangeRepository, verifier: str, issuer: str, issued: datetime, now: datetime
) -> Callable[[Mapping[str, Any]], Ed25519PublicKey]:
    def resolve(header: Mapping[str, Any]) -> Ed25519PublicKey:
        kid = str(header.get("kid", ""))
        key: SigningKeyRow | PartnerKeyRow | None
        if issuer == verifier:
            key = repo.own_key(verifier, kid)
        else:
            key = repo.partner_key(verifier, issuer, kid)
        if key is None:
            raise signing.SignatureInvalid(f"key {kid} is not a known key of {issuer}")
        if key.status == KeyStatus.REVOKED.value:
            raise signing.SignatureInvalid(f"{issuer}'s key {kid} has been revoked")
        # validFrom is written to the second; the key's start is not: allow the clock skew.
        if issued < as_utc(key.not_before) - CLOCK_SKEW or (
            key.expires_at is not None and issued > as_utc(key.expires_at)
        ):
            raise signing.SignatureInvalid(f"{issuer}'s key {kid} was not valid at issuance")
        return signing.public_key_from_jwk(key.public_jwk)

    return resolve


def check_credential(
    uow: UnitOfWork, verifier: str, credential: Any, *, clock: Clock | None = None
) -> CertificateCheck:
    """Signature, issuer trust (own economy or a partner's known key), validity period and
    revocation as known to ``verifier``."""
    now = (clock or uow.clock).now()
    if not isinstance(credential, dict):
        return CertificateCheck(False, None, ["not a credential (a JSON object)"])
    try:
        subject = credential["credentialSubject"]
        number = str(subject["certificate_number"])
        issuer = str(credential["issuer"]["economy"]).upper()
        jws = str(credential["proof"]["jws"])
        valid_from, valid_until = _dt(credential["validFrom"]), _dt(credential["validUntil"])
    except (KeyError, TypeError, ValueError) as exc:
        return CertificateCheck(False, None, [f"not a certificate of origin: missing {exc}"])
    problems: list[str] = []
    kid = None
    status = None
    with uow:
        repo = ExchangeRepository(uow.session)
        if issuer != verifier:
            partner = repo.partner(verifier, issuer)
            if partner is None:
                problems.append(f"{issuer} is not a trusted issuer for {verifier}")
            elif partner.status != PartnerStatus.ACTIVE.value:
                problems.append(f"{verifier} has suspended exchange with {issuer}")
        if not problems:
            try:
                signed = signing.verify(jws, _resolver(repo, verifier, issuer, valid_from, now))
                kid = str(signed.header.get("kid"))
                unsigned = {k: v for k, v in credential.items() if k != "proof"}
                if signing.canonical_json(signed.payload) != signing.canonical_json(unsigned):
                    problems.append("the certificate was altered after it was signed")
            except (signing.SignatureInvalid, ValueError) as exc:
                message = exc.message if isinstance(exc, signing.SignatureInvalid) else str(exc)
                problems.append(f"signature: {message}")
        if now < valid_from - timedelta(minutes=5):
            problems.append(f"not valid before {valid_from.isoformat()}")
        if now > valid_until:
            problems.append(f"expired {valid_until.isoformat()}")
        stored = uow.session.get(CertificateRow, (verifier, number))
        if stored is not None:
            status = stored.status
            if stored.status == "revoked":
                when = as_utc(stored.revoked_at).date() if stored.revoked_at else "earlier"
                why = f": {stored.revocation_reason}" if stored.revocation_reason else ""
                problems.append(f"revoked by {issuer} on {when}{why}")
    return CertificateCheck(not problems, number, problems, issuer, status, kid, subject)


# --- receiving (handlers) --------------------------------------------------------------------


def receive_certificate(uow: UnitOfWork, envelope: Envelope) -> None:
    credential = envelope.body.get("credential")
    check = check_credential(uow, envelope.recipient, credential)
    if not isinstance(credential, dict) or check.certificate_id is None:
        raise InvalidInput.single("credential", "invalid", check.reason)
    if check.issuer != envelope.sender:
        raise InvalidInput.single(
            "credential.issuer", "mismatch", "a partner sends only certificates it issued"
        )
    if check.subject.get("importing_economy") != envelope.recipient:
        raise InvalidInput.single(
            "credential.credentialSubject.importing_economy",
            "mismatch",
            f"the certificate is for {check.subject.get('importing_economy')}",
        )
    signature_problems = [p for p in check.problems if p.startswith("signature") or "altered" in p]
    if signature_problems:
        raise InvalidInput.single("credential.proof", "bad_proof", "; ".join(signature_problems))
    repo = ExchangeRepository(uow.session)
    if uow.session.get(CertificateRow, (envelope.recipient, check.certificate_id)) is None:
        try:
            row = _row(envelope.recipient, "received", credential, envelope.created)
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput.single(
                "credential.credentialSubject", "incomplete", f"missing or invalid {exc}"
            ) from exc
        repo.add(row)


def receive_revocation(uow: UnitOfWork, envelope: Envelope) -> None:
    number = str(envelope.body.get("certificate_id", ""))
    row = uow.session.get(CertificateRow, (envelope.recipient, number))
    if row is None:
        raise InvalidInput.single("certificate_id", "unknown", f"no certificate {number} here")
    if row.issuer != envelope.sender:
        raise InvalidInput.single(
            "certificate_id", "not_issuer", "only the issuer may revoke a certificate"
        )
    row.status = "revoked"
    row.revoked_at = envelope.created
    row.revocation_reason = str(envelope.body.get("reason") or "") or None


# --- revoking, reading -----------------------------------------------------------------------


def revoke(
    uow: UnitOfWork,
    principal: Principal,
    secret: str,
    certificate_id: str,
    reason: str = "",
    *,
    clock: Clock | None = None,
) -> dict[str, Any]:
    principal.require(Role.OFFICER)
    now = (clock or uow.clock).now()
    with uow:
        row = uow.session.get(CertificateRow, (principal.economy, certificate_id))
        if row is None or row.role != "issued":
            raise NotFound(f"no certificate {certificate_id} issued by {principal.economy}")
        if row.status == "revoked":
            raise Conflict(f"certificate {certificate_id} is already revoked")
        row.status = "revoked"
        row.revoked_at = now
        row.revocation_reason = reason or None
        partner = ExchangeRepository(uow.session).partner(principal.economy, row.importing_economy)
        if partner is not None and partner.status == PartnerStatus.ACTIVE.value:
            messages.send(
                uow,
                principal,
                secret,
                row.importing_economy,
                MessageType.CERTIFICATE_REVOCATION,
                {"certificate_id": certificate_id, "reason": reason, "revoked_at": now.isoformat()},
                subject=certificate_id[:64],
                clock=clock,
            )
        uow.commit()
        return _summary(row)


def _summary(row: CertificateRow) -> dict[str, Any]:
    subject = row.credential.get("credentialSubject", {})
    return {
        "id": row.id,
        "role": row.role,
        "issuer": row.issuer,
        "importing_economy": row.importing_economy,
        "trade_agreement": subject.get("trade_agreement"),
        "exporter": subject.get("exporter"),
        "importer": subject.get("importer"),
        "goods": subject.get("goods"),
        "status": row.status,
        "issued_at": row.issued_at,
        "valid_until": row.valid_until,
        "revoked_at": row.revoked_at,
        "revocation_reason": row.revocation_reason,
    }


def list_certificates(uow: UnitOfWork, principal: Principal) -> list[dict[str, Any]]:
    principal.require(*READERS)
    from sqlalchemy import select

    with uow:
        rows = uow.session.scalars(
            select(CertificateRow)
            .where(CertificateRow.economy == principal.economy)
            .order_by(CertificateRow.issued_at.desc())
        ).all()
        return [_summary(r) for r in rows]


def get_certificate(uow: UnitOfWork, principal: Principal, certificate_id: str) -> dict[str, Any]:
    principal.require(*READERS)
    with uow:
        row = uow.session.get(CertificateRow, (principal.economy, certificate_id))
        if row is None:
            raise NotFound(f"no certificate {certificate_id}")
        return {**_summary(row), "credential": row.credential}


def public_status(
    uow: UnitOfWork, economy: str, certificate_id: str, *, clock: Clock | None = None
) -> dict[str, Any]:
    """What the public verification page shows: only certificates this economy issued."""
    with uow:
        row = uow.session.get(CertificateRow, (economy.upper(), certificate_id))
        if row is None or row.role != "issued":
            raise NotFound(f"no certificate {certificate_id} issued by {economy.upper()}")
        credential, summary = row.credential, _summary(row)
    check = check_credential(uow, economy.upper(), credential, clock=clock)
    return {**summary, "valid": check.valid, "problems": check.problems, "kid": check.kid}


def set_policy(
    uow: UnitOfWork,
    principal: Principal,
    *,
    certificate_required_for_preference: bool,
    clock: Clock | None = None,
) -> dict[str, Any]:
    """Whether a claimed tariff preference needs a verified certificate of origin here."""
    principal.require(Role.ADMIN)
    now = (clock or uow.clock).now()
    with uow:
        row = uow.session.get(PolicyRow, principal.economy)
        if row is None:
            row = PolicyRow(economy=principal.economy)
            uow.session.add(row)
        row.certificate_required_for_preference = certificate_required_for_preference
        row.updated_at = now
        uow.commit()
        return {
            "economy": row.economy,
            "certificate_required_for_preference": row.certificate_required_for_preference,
        }


# --- printable PDF ---------------------------------------------------------------------------


def certificate_pdf(credential: dict[str, Any], verify_link: str) -> bytes:
    """A printable certificate with a QR code that opens the public verification page."""
    import segno
    from weasyprint import HTML

    qr = segno.make(verify_link, error="m").svg_data_uri(scale=4)
    s = credential["credentialSubject"]
    e = html.escape

    def party(p: dict[str, Any]) -> str:
        return "<br>".join(e(str(p.get(k) or "")) for k in ("name", "id", "address", "country"))

    def line(g: dict[str, Any]) -> str:
        amount = str(g.get("quantity") or g.get("net_mass_kg") or "")
        value = f"{g.get('invoice_value') or ''} {g.get('currency') or ''}"
        return (
            f"<tr><td>{g['line']}</td><td>{e(g['hs_code'])}</td><td>{e(g['description'])}</td>"
            f"<td>{e(g['origin_criterion'])}</td><td>{e(amount)}</td><td>{e(value)}</td></tr>"
        )

    rows = "".join(line(g) for g in s["goods"])
    doc = f"""<html lang="en"><head><meta charset="utf-8"><style>
      body {{ font-family: sans-serif; font-size: 10pt; }}
      h1 {{ font-size: 16pt; }} table {{ border-collapse: collapse; width: 100%; }}
      td, th {{ border: 1px solid #555; padding: 4px; vertical-align: top; }}
      .qr {{ float: right; text-align: center; font-size: 8pt; }}
    </style></head><body>
    <div class="qr"><img src="{qr}" width="140"><br>Scan to verify</div>
    <h1>Certificate of Origin</h1>
    <p>No. <b>{e(s["certificate_number"])}</b> — {e(s["trade_agreement"])}</p>
    <p>Issued by {e(credential["issuer"]["name"])} ({e(s["exporting_economy"])}) on
       {e(credential["validFrom"][:10])}; valid until {e(credential["validUntil"][:10])}.</p>
    <table><tr><th>Exporter</th><th>Importer</th></tr>
      <tr><td>{party(s["exporter"])}</td><td>{party(s["importer"])}</td></tr></table>
    <p>Importing economy: {e(s["importing_economy"])}; export declaration:
       {e(str(s.get("export_reference") or "-"))}</p>
    <table><tr><th>#</th><th>HS</th><th>Description</th><th>Origin criterion</th>
      <th>Quantity</th><th>Value</th></tr>{rows}</table>
    <p>This certificate is an electronic document signed by the issuing authority (Ed25519,
       JWS). Its authenticity and status: {e(verify_link)}</p>
    </body></html>"""
    pdf: bytes = HTML(string=doc).write_pdf()
    return pdf
