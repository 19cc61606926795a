"""Preferences need proof of origin: when the economy requires it (exchange policy), a claimed
tariff preference is granted only for the lines a verified electronic certificate of origin
covers. The declaration cites the certificate in its national data
(``national.certificate_of_origin``); the exchange feature verifies it (signature, issuer
trust, validity, revocation, importer, goods). Lines without proof are assessed at the general
rate, with a note saying why; the lodged document itself keeps what was claimed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations.model import Declaration, Kind
from smartcustoms.exchange import queries as exchange
from smartcustoms.tariff.model import TariffSchedule

__all__ = ["proven_preferences", "required"]


def required(uow: UnitOfWork, economy: str) -> bool:
    """Whether ``economy`` grants preferences only with a verified certificate of origin."""
    return exchange.certificate_required_for_preference(uow, economy)


def proven_preferences(
    uow: UnitOfWork, economy: str, decl: Declaration, schedule: TariffSchedule | None
) -> tuple[Declaration, list[str]]:
    """``decl`` with unproven preference claims withdrawn, and a note for each (call it when
    :func:`required` says so)."""
    general = schedule.settings.default_rate_type if schedule else None
    claimed = [i for i, it in enumerate(decl.items) if it.preference and it.preference != general]
    if decl.kind is not Kind.IMPORT or not claimed:
        return decl, []
    cited = decl.national.get(exchange.CERTIFICATE_KEY)
    if cited:
        verdict = exchange.check_certificate(
            uow,
            economy,
            cited,
            importer_id=decl.importer.id if decl.importer else None,
            items=[(it.hs_code, it.origin_country) for it in decl.items],
            on=decl.date or date.today(),
        )
        covered, why = (
            (verdict.lines, verdict.reason) if verdict.verified else (frozenset(), verdict.reason)
        )
    else:
        covered, why = (
            frozenset(),
            "no certificate of origin cited (national.certificate_of_origin)",
        )
    notes: list[str] = []
    items = list(decl.items)
    for i in claimed:
        if i + 1 in covered:
            notes.append(f"item {i + 1}: preference {items[i].preference} proven by {cited}")
            continue
        reason = why if cited is None or not covered else f"{cited} does not cover this item"
        notes.append(f"item {i + 1}: preference {items[i].preference} not granted: {reason}")
        items[i] = replace(items[i], preference=None)
    return replace(decl, items=tuple(items)), notes
