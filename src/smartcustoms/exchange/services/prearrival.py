"""Pre-arrival data (ACDD / WCO Globally Networked Customs style).

Export side: once an export declaration to a partner economy is released, its export data set
is signed into the outbox for that partner. This is a sweep over released exports (read through
:mod:`smartcustoms.declarations.queries`), run by the exchange cycle: every way a declaration
reaches *released* (green lane at lodging, after an inspection, after a hold) is covered without
a hook in each, and a crash between release and sending loses nothing (the sweep finds it
again; the outbox row's ``subject`` marks what was sent).

Import side: the data set is stored on arrival; when an import declaration from that economy
arrives, it is matched (the export reference it cites, else the consignee and HS headings) and
compared. Value, quantity (net mass) and HS discrepancies beyond a tolerance become risk signals
with a plain-word explanation and a ready selectivity-rule definition; a clean match from the
trusted partner is a signal too (it may lower the score).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from smartcustoms.core.clock import Clock
from smartcustoms.core.ids import new_id
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations import queries as declarations
from smartcustoms.declarations.model import Declaration, Kind, Party, Status
from smartcustoms.declarations.service import system_principal
from smartcustoms.errors import FieldError, InvalidInput, NotFound, SmartCustomsError
from smartcustoms.exchange.model import Envelope, MessageType, PartnerStatus
from smartcustoms.exchange.repository import ExchangeRepository
from smartcustoms.exchange.services import messages
from smartcustoms.exchange.tables import PreArrivalRow

__all__ = [
    "Finding",
    "Tolerance",
    "compare",
    "enqueue_released_exports",
    "export_data_set",
    "findings_for_document",
    "list_pre_arrivals",
    "match_imports",
    "signals_for",
    "store_pre_arrival",
]

LOOKBACK = timedelta(days=90)
"""Exports released (and imports lodged) longer ago than this are not swept any more."""
_HS = re.compile(r"^\d{6,10}$")
_CCY = re.compile(r"^[A-Z]{3}$")
EXPORT_REFERENCE_KEYS = ("export_reference", "export_declaration")
"""Keys of an import declaration's national data that cite the export declaration."""


@dataclass(frozen=True, slots=True)
class Tolerance:
    value: Decimal = Decimal("0.10")
    """Relative difference of the total value tolerated (10%)."""
    mass: Decimal = Decimal("0.10")
    """Relative difference of the net mass per HS heading tolerated."""


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    """``value``, ``quantity``, ``hs`` or ``match``."""
    severity: str
    """``discrepancy`` (raise the risk) or ``consistent`` (may lower it)."""
    explanation: str
    rule: dict[str, Any] | None = None
    """A selectivity rule definition (risk's format) an analyst can create in one step."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "explanation": self.explanation,
            "rule": self.rule,
        }


# --- export side -----------------------------------------------------------------------------


def _party(p: Party | None) -> dict[str, Any] | None:
    return None if p is None else {"id": p.id, "name": p.name, "country": p.country}


def _num(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def export_data_set(view: declarations.DeclarationView) -> dict[str, Any]:
    """The export data set sent to the importing economy (mapping: docs/exchange.md)."""
    d: Declaration = view.declaration
    consignee = d.buyer or d.importer
    total = sum((it.invoice_value for it in d.items), Decimal(0))
    return {
        "export_reference": view.reference,
        "export_economy": view.economy,
        "declaration_date": view.declaration_date.isoformat(),
        "exporter": _party(d.exporter),
        "consignee": _party(consignee),
        "declarant": _party(d.declarant),
        "office_of_exit": d.office,
        "departure_country": d.departure_country or view.economy,
        "destination_country": d.destination_country,
        "departure_date": (d.departure_date or view.declaration_date).isoformat(),
        "transport_mode": d.transport_mode.value,
        "incoterm": d.incoterm,
        "invoice_currency": d.invoice_currency,
        "total_invoice_value": _num(total),
        "items": [
            {
                "line": i + 1,
                "hs_code": it.hs_code,
                "description": it.description,
                "origin_country": it.origin_country,
                "net_mass_kg": _num(it.net_mass_kg),
                "gross_mass_kg": _num(it.gross_mass_kg),
                "quantity": _num(it.quantity),
                "unit": it.unit,
                "invoice_value": _num(it.invoice_value),
            }
            for i, it in enumerate(d.items)
        ],
    }


def enqueue_released_exports(
    uow: UnitOfWork, economy: str, secret: str, *, clock: Clock | None = None
) -> list[str]:
    """Sign the data set of every released export to an active partner not yet sent."""
    now = (clock or uow.clock).now()
    with uow:
        repo = ExchangeRepository(uow.session)
        partners = {
            p.partner for p in repo.partners(economy) if p.status == PartnerStatus.ACTIVE.value
        }
        sent = repo.sent_subjects(economy, MessageType.PRE_ARRIVAL.value)
    if not partners:
        return []
    views = declarations.released_exports(
        uow, economy, partners, since=now - LOOKBACK, exclude=sent
    )
    principal = system_principal(economy, "exchange")
    queued = []
    for view in views:
        recipient = (view.declaration.destination_country or "").upper()
        out = messages.send(
            uow,
            principal,
            secret,
            recipient,
            MessageType.PRE_ARRIVAL,
            export_data_set(view),
            subject=view.id,
            clock=clock,
        )
        queued.append(out.id)
    return queued


# --- import side: storing --------------------------------------------------------------------


def _dec(value: Any, path: str, errors: list[FieldError], required: bool = True) -> Decimal | None:
    if value is None and not required:
        return None
    try:
        number = Decimal(str(value))
        if not number.is_finite() or number < 0:
            raise InvalidOperation
        return number
    except (InvalidOperation, ValueError):
        errors.append(FieldError(path, "invalid_number", "a non-negative decimal number"))
        return None


def _check(body: dict[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    for key in ("export_reference", "departure_country", "invoice_currency"):
        if not isinstance(body.get(key), str) or not body.get(key):
            errors.append(FieldError(key, "required", f"'{key}' is required"))
    if isinstance(body.get("invoice_currency"), str) and not _CCY.match(body["invoice_currency"]):
        errors.append(FieldError("invoice_currency", "invalid", "an ISO 4217 currency code"))
    _dec(body.get("total_invoice_value"), "total_invoice_value", errors)
    items = body.get("items")
    if not isinstance(items, list) or not items:
        errors.append(FieldError("items", "required", "at least one goods item"))
        return errors
    for i, it in enumerate(items):
        path = f"items[{i}]"
        if not isinstance(it, dict):
            errors.append(FieldError(path, "invalid", "a goods item is an object"))
            continue
        if not isinstance(it.get("hs_code"), str) or not _HS.match(it["hs_code"]):
            errors.append(FieldError(f"{path}.hs_code", "invalid", "an HS code of 6 to 10 digits"))
        _dec(it.get("invoice_value"), f"{path}.invoice_value", errors)
        _dec(it.get("net_mass_kg"), f"{path}.net_mass_kg", errors, required=False)
    for key in ("exporter", "consignee"):
        party = body.get(key)
        if party is not None and not (isinstance(party, dict) and isinstance(party.get("id"), str)):
            errors.append(FieldError(key, "invalid", "a party is an object with an 'id'"))
    return errors


def store_pre_arrival(uow: UnitOfWork, envelope: Envelope) -> None:
    """Handler for ``pre_arrival``: store (or replace, when re-sent) the export data set."""
    body = envelope.body
    errors = _check(body)
    if errors:
        raise InvalidInput(errors)
    repo = ExchangeRepository(uow.session)
    consignee = body.get("consignee") or {}
    exporter = body.get("exporter") or {}
    departure = body.get("departure_date")
    row = repo.pre_arrival_by_reference(
        envelope.recipient, envelope.sender, body["export_reference"]
    )
    if row is None:
        row = PreArrivalRow(
            id=new_id(),
            economy=envelope.recipient,
            sender=envelope.sender,
            export_reference=str(body["export_reference"])[:64],
            matched_declaration_id=None,
            comparison=None,
        )
        repo.add(row)
    row.message_id = envelope.id
    row.exporter_id = exporter.get("id")
    row.consignee_id = consignee.get("id")
    try:
        row.departure_date = date.fromisoformat(departure) if isinstance(departure, str) else None
    except ValueError:
        row.departure_date = None
    row.data = body
    row.received_at = envelope.created


# --- import side: matching and comparing -----------------------------------------------------


def _cited_reference(d: Declaration) -> str | None:
    for key in EXPORT_REFERENCE_KEYS:
        if d.national.get(key):
            return d.national[key]
    return None


def _hs4(codes: Iterable[str]) -> set[str]:
    return {c[:4] for c in codes}


def _pick(
    view: declarations.DeclarationView, candidates: list[PreArrivalRow]
) -> PreArrivalRow | None:
    d = view.declaration
    cited = _cited_reference(d)
    if cited:
        return next((c for c in candidates if c.export_reference == cited), None)
    importer = d.importer
    if importer is None:
        return None
    headings = _hs4(it.hs_code for it in d.items)
    fitting = []
    for c in candidates:
        same_party = c.consignee_id == importer.id or (
            importer.name
            and (c.data.get("consignee") or {}).get("name", "").strip().lower()
            == importer.name.strip().lower()
        )
        theirs = _hs4(str(it.get("hs_code", "")) for it in c.data.get("items", []))
        if same_party and headings & theirs:
            fitting.append(c)
    # Several exports to the same consignee: the one whose mass and value are closest.
    return min(fitting, key=lambda c: _distance(c.data, d), default=None)


def _distance(data: dict[str, Any], d: Declaration) -> float:
    def rel(a: Decimal, b: Decimal) -> float:
        return float(abs(a - b) / max(a, b)) if max(a, b) > 0 else 0.0

    exp_mass = sum(
        _mass_by_heading(
            (str(it.get("hs_code", "")), it.get("net_mass_kg")) for it in data.get("items", [])
        ).values(),
        Decimal(0),
    )
    imp_mass = sum((it.net_mass_kg for it in d.items), Decimal(0))
    try:
        exp_value = Decimal(str(data.get("total_invoice_value", "0")))
    except InvalidOperation:
        exp_value = Decimal(0)
    imp_value = sum((it.invoice_value for it in d.items), Decimal(0))
    return rel(exp_mass, imp_mass) + rel(exp_value, imp_value)


def _usd(uow: UnitOfWork, amount: Decimal, currency: str, on: date) -> Decimal | None:
    from smartcustoms.reference import service as reference

    if currency == "USD":
        return amount
    try:
        return reference.convert(uow, amount, currency, "USD", on).result
    except SmartCustomsError:
        return None


def _money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount.quantize(Decimal(1)):,}"


def compare(
    uow: UnitOfWork,
    sender: str,
    data: dict[str, Any],
    view: declarations.DeclarationView,
    tolerance: Tolerance = Tolerance(),
) -> list[Finding]:
    """What differs between the partner's export data set and the import declaration."""
    d = view.declaration
    importer = d.importer.id if d.importer else None
    findings: list[Finding] = []
    exp_ccy = str(data.get("invoice_currency", ""))
    exp_total = Decimal(str(data.get("total_invoice_value", "0")))
    imp_total = sum((it.invoice_value for it in d.items), Decimal(0))
    exp_day = date.fromisoformat(str(data.get("declaration_date") or view.declaration_date))
    exp_usd = _usd(uow, exp_total, exp_ccy, exp_day)
    imp_usd = _usd(uow, imp_total, d.invoice_currency, view.declaration_date)
    rule_base: dict[str, Any] = {"parties": [importer]} if importer else {}
    a: Decimal | None
    b: Decimal | None
    if exp_usd is not None and imp_usd is not None:
        a, b, unit = exp_usd, imp_usd, "USD"
    elif exp_ccy == d.invoice_currency:
        a, b, unit = exp_total, imp_total, exp_ccy
    else:
        a = b = None
        unit = ""
    if a is not None and b is not None and a > 0 and abs(a - b) / a > tolerance.value:
        findings.append(
            Finding(
                "value",
                "discrepancy",
                f"export declaration in {sender} states {_money(a, unit)}; "
                f"import declares {_money(b, unit)}",
                _rule(f"Value differs from {sender} export data", rule_base, "yellow"),
            )
        )
    exp_mass = _mass_by_heading(
        (str(it.get("hs_code", "")), it.get("net_mass_kg")) for it in data.get("items", [])
    )
    imp_mass = _mass_by_heading((it.hs_code, it.net_mass_kg) for it in d.items)
    for heading in sorted(set(exp_mass) | set(imp_mass)):
        if heading not in imp_mass:
            others = ", ".join(sorted(set(imp_mass) - set(exp_mass))) or "none"
            findings.append(
                Finding(
                    "hs",
                    "discrepancy",
                    f"export declaration in {sender} declares HS heading {heading}; "
                    f"import declares {others} instead",
                    _rule(
                        f"HS differs from {sender} export data",
                        {**rule_base, "hs_prefix": sorted(set(imp_mass) - set(exp_mass))},
                        "yellow",
                    ),
                )
            )
            continue
        if heading not in exp_mass:
            continue  # reported from the export side's heading above
        m_exp, m_imp = exp_mass[heading], imp_mass[heading]
        if m_exp > 0 and abs(m_exp - m_imp) / m_exp > tolerance.mass:
            findings.append(
                Finding(
                    "quantity",
                    "discrepancy",
                    f"export declaration in {sender} states {m_exp.normalize():f} kg of HS "
                    f"{heading}; import declares {m_imp.normalize():f} kg",
                    _rule(
                        f"Quantity differs from {sender} export data",
                        {**rule_base, "hs_prefix": [heading]},
                        "yellow",
                    ),
                )
            )
    if not findings:
        findings.append(
            Finding(
                "match",
                "consistent",
                f"matches the export declaration {data.get('export_reference')} "
                f"received from {sender}",
            )
        )
    return findings


def _mass_by_heading(pairs: Iterable[tuple[str, Any]]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for code, mass in pairs:
        try:
            value = Decimal(str(mass)) if mass is not None else Decimal(0)
        except InvalidOperation:
            value = Decimal(0)
        out[code[:4]] = out.get(code[:4], Decimal(0)) + value
    return out


def _rule(name: str, conditions: dict[str, Any], lane: str) -> dict[str, Any]:
    return {
        "name": name,
        "description": "from pre-arrival data of a partner administration",
        "conditions": conditions,
        "action": {"lane": lane, "score_add": 0.0, "random_check": 0.0},
    }


@dataclass
class MatchReport:
    matched: dict[str, str] = field(default_factory=dict)
    """import declaration id -> pre-arrival id"""


def match_imports(
    uow: UnitOfWork,
    economy: str,
    *,
    clock: Clock | None = None,
    tolerance: Tolerance = Tolerance(),
) -> MatchReport:
    """Match import declarations to stored pre-arrival data and record the comparison."""
    now = (clock or uow.clock).now()
    report = MatchReport()
    with uow:
        repo = ExchangeRepository(uow.session)
        senders = {p.sender for p in repo.unmatched_pre_arrivals(economy, None, None)}
        matched_ids = {
            r.matched_declaration_id
            for r in repo.pre_arrivals(economy, 10_000)
            if r.matched_declaration_id
        }
    if not senders:
        return report
    views = declarations.imports_from(
        uow, economy, senders, since=now - LOOKBACK, exclude=matched_ids
    )
    with uow:
        repo = ExchangeRepository(uow.session)
        for view in views:
            candidates = [
                p
                for p in repo.unmatched_pre_arrivals(economy, None, None)
                if p.sender == (view.declaration.departure_country or "").upper()
            ]
            chosen = _pick(view, candidates)
            if chosen is None:
                continue
            findings = compare(uow, chosen.sender, chosen.data, view, tolerance)
            chosen.matched_declaration_id = view.id
            chosen.comparison = {
                "declaration_reference": view.reference,
                "compared_at": now.isoformat(),
                "findings": [f.to_dict() for f in findings],
            }
            uow.session.flush()
            report.matched[view.id] = chosen.id
        uow.commit()
    return report


def findings_for_document(
    uow: UnitOfWork,
    economy: str,
    declaration: Declaration,
    on: date,
    tolerance: Tolerance = Tolerance(),
) -> list[Finding]:
    """Compare an import declaration being lodged with the partner's pre-arrival data, before
    it is stored (read-only): what lane selection consults. Empty when nothing matches."""
    departure = (declaration.departure_country or "").upper()
    if declaration.kind is not Kind.IMPORT or not departure:
        return []
    with uow:
        candidates = list(
            ExchangeRepository(uow.session).unmatched_pre_arrivals(economy, departure, None)
        )
        if not candidates:
            return []
        view = declarations.DeclarationView(
            id="",
            economy=economy,
            reference=declaration.reference,
            kind=Kind.IMPORT,
            status=Status.SUBMITTED,
            declaration_date=declaration.date or on,
            updated_at=datetime.combine(on, datetime.min.time()),
            declaration=declaration,
            customs_value=None,
            currency=None,
        )
        chosen = _pick(view, candidates)
        if chosen is None:
            return []
        return compare(uow, chosen.sender, chosen.data, view, tolerance)


# --- reading ---------------------------------------------------------------------------------


def list_pre_arrivals(uow: UnitOfWork, economy: str, limit: int = 200) -> list[dict[str, Any]]:
    with uow:
        return [
            {
                "id": r.id,
                "sender": r.sender,
                "export_reference": r.export_reference,
                "exporter_id": r.exporter_id,
                "consignee_id": r.consignee_id,
                "departure_date": r.departure_date,
                "received_at": r.received_at,
                "matched_declaration_id": r.matched_declaration_id,
                "comparison": r.comparison,
                "data": r.data,
            }
            for r in ExchangeRepository(uow.session).pre_arrivals(economy, limit)
        ]


def signals_for(uow: UnitOfWork, economy: str, declaration_id: str) -> list[Finding]:
    """The pre-arrival findings recorded for one import declaration of ``economy`` (empty:
    none matched); a declaration that is not the economy's is not found, like any other."""
    with uow:
        if declarations.find(uow, economy, declaration_id) is None:
            raise NotFound(f"no declaration {declaration_id}")
        row = ExchangeRepository(uow.session).pre_arrival_for_declaration(economy, declaration_id)
        if row is None or not row.comparison:
            return []
        return [
            Finding(f["kind"], f["severity"], f["explanation"], f.get("rule"))
            for f in row.comparison.get("findings", [])
        ]
