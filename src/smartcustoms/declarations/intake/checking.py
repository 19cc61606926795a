"""Validation against the stored reference data: HS nomenclature, exchange rates, tariff.

Joins the pure checks of :mod:`.validation` with what needs the database, and produces the
assessment preview. Used by the service inside its unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from smartcustoms.accounts import service as accounts
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations import origin_proof
from smartcustoms.declarations.intake.reader import STRICT, Policy
from smartcustoms.declarations.intake.validation import (
    check_hs_codes,
    check_hs_list,
    normalise_hs,
    read_document,
)
from smartcustoms.declarations.model import Declaration
from smartcustoms.errors import FieldError, InvalidInput, NotFound, SmartCustomsError
from smartcustoms.reference import service as reference
from smartcustoms.reference.editions import earlier_edition
from smartcustoms.tariff import duties
from smartcustoms.tariff import service as tariff
from smartcustoms.tariff.duties import DutyAssessment, DutyBatch, FxRate, Selections
from smartcustoms.tariff.model import TariffSchedule

FALLBACK_MONTHS = 6


def _months_before(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


class RateBook:
    """Monthly reference rates, fetched once per (currency, month) for a whole batch."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self._cache: dict[tuple[str, date], FxRate] = {}

    def __call__(self, currency: str, on: date) -> FxRate:
        key = (currency, on.replace(day=1))
        if key not in self._cache:
            self._cache[key] = self._fetch(currency, key[1])
        return self._cache[key]

    def _fetch(self, currency: str, month: date) -> FxRate:
        # Monthly averages are published after the month ends: a declaration of the current
        # month takes the latest month loaded, at most FALLBACK_MONTHS back (the assessment
        # shows which month was used).
        first_error: NotFound | None = None
        for back in range(FALLBACK_MONTHS + 1):
            wanted = _months_before(month, back)
            try:
                used = reference.rate_per_usd(self.uow, currency, wanted)
            except NotFound as exc:
                first_error = first_error or exc
                continue
            return FxRate(used.currency, used.month, used.per_usd, str(used.source_quote))
        assert first_error is not None
        raise first_error


@dataclass
class Checker:
    """Everything needed to check and assess declarations of one economy."""

    uow: UnitOfWork
    economy: str
    today: date
    policy: Policy = STRICT
    currency: str = ""
    schedule: TariffSchedule | None = None
    rates: RateBook = field(init=False)
    proof_required: bool | None = None
    """Whether preferences need a verified certificate of origin (exchange policy)."""
    selections: Selections | None = field(init=False, default=None)
    """The schedule's lines looked up once for the checker's whole batch."""
    _duties: DutyBatch | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.rates = RateBook(self.uow)
        if not self.currency:
            self.currency = accounts.get_economy(self.uow, self.economy).currency
        if self.schedule is None:
            self.schedule = tariff.get_schedule(self.uow, self.economy)
        if self.schedule is not None:
            self.selections = Selections(self.schedule)

    def known_hs(self, codes: Iterable[str]) -> set[str]:
        return set(reference.hs_known(self.uow, sorted(set(codes))))

    def suggest(self, code: str) -> list[str]:
        try:
            return list(reference.hs_suggest(self.uow, code, n=3))
        except SmartCustomsError:
            return []

    def check_raw_hs(
        self, raw: Any, errors: list[FieldError]
    ) -> tuple[list[FieldError], list[FieldError]]:
        """The HS checks of a document that did not read (other fields are wrong), so the
        trader meets every problem at once: errors and warnings of the codes it gives."""
        items = raw.get("items") if isinstance(raw, dict) else None
        if not isinstance(items, list):
            return [], []
        reported = {e.path for e in errors}
        pairs = []
        for i, item in enumerate(items):
            path = f"items[{i}].hs_code"
            if path in reported or not isinstance(item, dict):
                continue
            code = normalise_hs(str(item.get("hs_code") or ""))
            if code.isdigit() and 6 <= len(code) <= 10:
                pairs.append((path, code))
        if not pairs:
            return [], []
        try:
            on = date.fromisoformat(str(raw.get("date")))
        except ValueError:
            on = self.today
        known = self.known_hs(c[:6] for _, c in pairs)
        return check_hs_list(pairs, known, self.suggest, on, earlier_edition)

    def read(self, raw: Any) -> tuple[Declaration | None, list[FieldError], list[FieldError]]:
        return read_document(raw, economy=self.economy, today=self.today, policy=self.policy)

    def check(
        self, decl: Declaration, known: set[str] | None = None
    ) -> tuple[DutyAssessment | None, list[FieldError], list[FieldError]]:
        """Reference checks and the assessment; ``known`` lets a batch look HS codes up once."""
        on = decl.date or self.today
        if known is None:
            known = self.known_hs(it.hs_code[:6] for it in decl.items)
        errors, warnings = check_hs_codes(decl, known, self.suggest, on, earlier_edition)
        errors += duties.specific_duty_problems(decl, self.schedule, self.selections)
        if errors:
            return None, errors, warnings
        try:
            result = self.assess_duties(decl)
        except SmartCustomsError as exc:
            return None, [_no_rate(on, exc)], warnings
        return result, [], warnings

    def assess_duties(self, decl: Declaration) -> DutyAssessment:
        if self.proof_required is None:  # asked once per checker (a batch shares one)
            self.proof_required = origin_proof.required(self.uow, self.economy)
        notes: list[str] = []
        if self.proof_required:
            decl, notes = origin_proof.proven_preferences(
                self.uow, self.economy, decl, self.schedule
            )
        if self._duties is None:  # one per checker: a batch's rates and tariff lines once
            self._duties = DutyBatch(
                economy=self.economy,
                currency=self.currency,
                schedule=self.schedule,
                fx=self.rates,
                selections=self.selections,
            )
        result = self._duties.assess(decl, decl.date or self.today)
        return replace(result, notes=[*result.notes, *notes]) if notes else result

    def full(self, raw: Any) -> tuple[Declaration, DutyAssessment, list[FieldError]]:
        """Read, check and assess; raise InvalidInput with every problem found."""
        decl, errors, warnings = self.read(raw)
        if decl is None:
            raise InvalidInput(errors)
        assessment, errors, more = self.check(decl)
        if errors or assessment is None:
            raise InvalidInput(errors)
        return decl, assessment, warnings + more


def _no_rate(on: date, exc: SmartCustomsError) -> FieldError:
    """The error of :meth:`Checker.check` when a reference rate is missing."""
    return FieldError(
        "invoice_currency",
        "no_exchange_rate",
        f"no reference exchange rate for {on:%Y-%m}: {exc.message}",
    )
