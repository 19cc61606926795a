"""The exchange feature's read API for other features (declarations' duty engine, risk).

- :func:`certificate_required_for_preference` / :func:`check_certificate`: the duty engine
  grants a claimed preference only with a certificate of origin verified here.
- :func:`mutually_recognised_aeo`: risk's lane selection gives a partner's AEO the AEO rate
  under an active mutual recognition arrangement, with the reason.
- :func:`pre_arrival_signals`: findings of the comparison with a partner's export data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from smartcustoms.db.uow import UnitOfWork
from smartcustoms.exchange.services.certificates import check_credential
from smartcustoms.exchange.tables import AeoRow, CertificateRow, MraRow, PolicyRow, PreArrivalRow

__all__ = [
    "CERTIFICATE_KEY",
    "CertificateVerdict",
    "MraBenefit",
    "certificate_required_for_preference",
    "check_certificate",
    "mutually_recognised_aeo",
    "pre_arrival_findings",
    "pre_arrival_signals",
]

CERTIFICATE_KEY = "certificate_of_origin"
"""The national data element of an import declaration that cites the certificate number."""


def certificate_required_for_preference(uow: UnitOfWork, economy: str) -> bool:
    with uow:
        row = uow.session.get(PolicyRow, economy)
        return bool(row and row.certificate_required_for_preference)


@dataclass(frozen=True, slots=True)
class CertificateVerdict:
    verified: bool
    reason: str
    lines: frozenset[int] = field(default_factory=frozenset)
    """1-based declaration lines the certificate covers (HS and origin match)."""


def check_certificate(
    uow: UnitOfWork,
    economy: str,
    certificate_id: str,
    *,
    importer_id: str | None,
    items: Sequence[tuple[str, str]],
    on: date,
) -> CertificateVerdict:
    """Verify a received certificate for an import declaration of ``economy``: signature,
    issuer trust, validity on ``on``, not revoked, the importer, and which items it covers
    (``items``: (HS code, origin country) per declaration line)."""
    with uow:
        row = uow.session.get(CertificateRow, (economy, certificate_id))
        credential = row.credential if row is not None else None
        role = row.role if row is not None else None
    if credential is None or role != "received":
        return CertificateVerdict(False, f"no certificate of origin {certificate_id} received")
    check = check_credential(uow, economy, credential)
    if not check.valid:
        return CertificateVerdict(False, f"certificate {certificate_id}: {check.reason}")
    subject = check.subject
    valid_until = str(credential.get("validUntil", ""))[:10]
    if valid_until and on.isoformat() > valid_until:
        return CertificateVerdict(False, f"certificate {certificate_id} expired {valid_until}")
    if subject.get("importing_economy") != economy:
        return CertificateVerdict(False, f"certificate {certificate_id} is for another economy")
    if importer_id and (subject.get("importer") or {}).get("id") != importer_id:
        return CertificateVerdict(
            False, f"certificate {certificate_id} names another importer, not {importer_id}"
        )
    origin = subject.get("exporting_economy")
    covered = {str(g.get("hs_code", ""))[:6] for g in subject.get("goods", [])}
    lines = frozenset(
        i + 1 for i, (hs, country) in enumerate(items) if hs[:6] in covered and country == origin
    )
    if not lines:
        return CertificateVerdict(
            False, f"certificate {certificate_id} covers none of the goods declared"
        )
    return CertificateVerdict(True, f"certificate {certificate_id} verified", lines)


@dataclass(frozen=True, slots=True)
class MraBenefit:
    authority: str
    trader_id: str
    arrangement: str
    reason: str


def mutually_recognised_aeo(
    uow: UnitOfWork, economy: str, trader_id: str, on: date
) -> MraBenefit | None:
    """The MRA benefit for ``trader_id`` importing into ``economy`` on ``on``, if any."""
    with uow:
        rows = uow.session.scalars(
            select(AeoRow).where(
                AeoRow.economy == economy,
                AeoRow.trader_id == trader_id,
                AeoRow.authority != economy,
                AeoRow.status == "active",
            )
        ).all()
        for aeo in rows:
            if aeo.valid_until is not None and aeo.valid_until < on:
                continue
            mra = uow.session.get(MraRow, (economy, aeo.authority))
            if mra is None or mra.status != "active" or mra.scope == "exports":
                continue
            if mra.valid_from > on or (mra.valid_until is not None and mra.valid_until < on):
                continue
            return MraBenefit(
                aeo.authority,
                trader_id,
                mra.name,
                f"AEO of {aeo.authority} ({trader_id}), recognised under {mra.name}: "
                "reduced inspection rate",
            )
    return None


def pre_arrival_signals(uow: UnitOfWork, economy: str, declaration_id: str) -> list[dict[str, Any]]:
    """What the partner's pre-arrival data says about an import declaration: findings with
    ``kind`` (value, quantity, hs, match), ``severity`` (discrepancy, consistent), a
    plain-word ``explanation`` and a ready ``rule`` definition; empty when none matched."""
    with uow:
        row = uow.session.scalars(
            select(PreArrivalRow).where(
                PreArrivalRow.economy == economy,
                PreArrivalRow.matched_declaration_id == declaration_id,
            )
        ).first()
        if row is None or not row.comparison:
            return []
        return [dict(f) for f in row.comparison.get("findings", [])]


def pre_arrival_findings(
    uow: UnitOfWork, economy: str, declaration: Any, on: date
) -> list[dict[str, Any]]:
    """The comparison of an import declaration being lodged (a declarations ``Declaration``)
    with a partner's pre-arrival data, read-only, as :func:`pre_arrival_signals` describes."""
    # Imported here: pre-arrival matching reads declarations, which use this module.
    from smartcustoms.exchange.services import prearrival

    return [f.to_dict() for f in prearrival.findings_for_document(uow, economy, declaration, on)]
