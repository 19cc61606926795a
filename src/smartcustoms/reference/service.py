"""Reference data use cases: load, status, HS, exchange rates, environmental goods, locations.

Every function takes the unit of work first. Only :func:`load` writes (and commits); the
rest are reads that other features call freely, also inside their own ``with uow:`` block.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Collection, Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy.exc import SQLAlchemyError

from smartcustoms.core.clock import Clock
from smartcustoms.core.codes import is_currency
from smartcustoms.db.fulltext import FullTextIndex
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import DataUnavailable, FieldError, InvalidInput, NotFound
from smartcustoms.reference import repository as repo
from smartcustoms.reference.editions import earlier_edition as hs_earlier_edition
from smartcustoms.reference.loaders.unlocode import function_names
from smartcustoms.reference.loading import HS_FTS_KIND, LOADERS
from smartcustoms.reference.model import (
    DATASETS,
    Conversion,
    Country,
    Currency,
    DatasetStatus,
    EglAnswer,
    EglMapping,
    HsBrief,
    HsEntry,
    HsHit,
    LoadReport,
    Location,
    RateUsed,
    Section,
    format_hs,
)
from smartcustoms.reference.sources import ReferenceSource
from smartcustoms.reference.tables import RefDataset, RefFxRate, RefHsCode, RefLocation

Progress = Callable[[str, int, int], None]
_HS_INPUT = re.compile(r"\d{2}(\d{2}(\d{2})?)?")
_CURRENCY = re.compile(r"[A-Z]{3}")
_LOCODE = re.compile(r"([A-Z]{2})\s*([A-Z0-9]{3})")
RESULT_PLACES = Decimal("0.0001")

# --- loading --------------------------------------------------------------------------------


def load(
    uow: UnitOfWork,
    source: ReferenceSource,
    *,
    datasets: Collection[str] | None = None,
    progress: Progress | None = None,
    clock: Clock | None = None,
) -> LoadReport:
    """Load ``datasets`` (default: every one the source has) in ONE transaction.

    A dataset the source lacks is skipped (and reported) when loading everything, and an
    error when asked for by name. Any failure rolls back the whole load, so the reference
    data that was there before stays intact.
    """
    wanted = _wanted(datasets)
    clock = clock or uow.clock
    skipped: dict[str, str] = {}
    plan: list[str] = []
    for name in wanted:
        if source.has(name):
            plan.append(name)
        elif datasets is not None:
            raise DataUnavailable(source.missing[name])
        else:
            skipped[name] = source.missing[name]
    started = time.perf_counter()
    statuses: list[DatasetStatus] = []
    timings: dict[str, float] = {}
    notes: dict[str, list[str]] = {}
    with uow:
        for name in plan:
            t0 = time.perf_counter()

            def report(done: int, total: int, name: str = name) -> None:
                if progress is not None:
                    progress(name, done, total)

            loaded = LOADERS[name](uow.session, source, report)
            is_sample = source.is_sample and name != "countries"
            kind = "package" if name == "countries" else source.kind
            record = repo.save_dataset(
                uow.session,
                name=name,
                source=kind,
                location=loaded.location,
                files=loaded.files,
                rows=loaded.rows,
                loaded_at=clock.now(),
                is_sample=is_sample,
            )
            statuses.append(_status(record))
            timings[name] = time.perf_counter() - t0
            if loaded.notes:
                notes[name] = loaded.notes
        uow.commit()
    return LoadReport(statuses, skipped, time.perf_counter() - started, timings, notes)


def _wanted(datasets: Collection[str] | None) -> list[str]:
    if datasets is None:
        return list(DATASETS)
    names = [d.strip().lower() for d in datasets if d.strip()]
    unknown = [d for d in names if d not in DATASETS]
    if unknown or not names:
        raise InvalidInput.single(
            "datasets",
            "unknown_dataset",
            f"unknown dataset(s) {', '.join(unknown) or '(none given)'}; "
            f"expected some of: {', '.join(DATASETS)}",
        )
    return [d for d in DATASETS if d in names]


def _status(record: RefDataset) -> DatasetStatus:
    return DatasetStatus(
        name=record.name,
        source=record.source,  # type: ignore[arg-type]
        location=record.location,
        sha256=record.sha256,
        rows=record.rows,
        loaded_at=record.loaded_at,
        is_sample=record.is_sample,
        files=json.loads(record.files),
    )


def status(uow: UnitOfWork) -> list[DatasetStatus]:
    with uow:
        return [_status(r) for r in repo.datasets(uow.session)]


def data_notice(uow: UnitOfWork) -> str | None:
    """A sentence for every page and CLI run when the reference data is the sample or absent."""
    try:
        with uow:
            loaded, sample = repo.sample_or_empty(uow.session)
    except SQLAlchemyError:
        return (
            "The reference data tables do not exist yet: run 'smartcustoms db upgrade', "
            "then 'smartcustoms reference load'."
        )
    if loaded == 0:
        return (
            "No reference data is loaded (HS codes, exchange rates, locations): run "
            "'smartcustoms reference load' with SMARTCUSTOMS_DATA_DIR set to a local copy."
        )
    if sample:
        return (
            "Running on the small built-in SAMPLE of reference data (HS sections and "
            "chapters with a few headings, APEC economies, a few 2020–2021 exchange rates), "
            "not the full datasets: load them with "
            "'smartcustoms reference load --data-dir PATH'."
        )
    return None


# --- HS nomenclature ------------------------------------------------------------------------


def normalise_hs(code: str, path: str = "code") -> str:
    """``"8507.60"`` / ``" 850760 "`` -> ``"850760"``; InvalidInput unless 2, 4 or 6 digits."""
    compact = re.sub(r"[\s.\-]", "", str(code))
    if not _HS_INPUT.fullmatch(compact):
        raise InvalidInput.single(
            path,
            "malformed_hs_code",
            f"{code!r} is not an HS code: expected 2, 4 or 6 digits, e.g. 85, 8507 or 8507.60",
        )
    return compact


def _brief(row: RefHsCode) -> HsBrief:
    return HsBrief(row.code, row.description, row.level)


def hs_lookup(uow: UnitOfWork, code: str) -> HsEntry:
    wanted = normalise_hs(code)
    with uow:
        s = uow.session
        row = repo.hs_get(s, wanted)
        if row is None:
            near = _nearest(repo.hs_codes_of_level(s, len(wanted)), wanted, 3)
            hint = f"; nearest valid: {', '.join(format_hs(c) for c in near)}" if near else ""
            edition = hs_earlier_edition(wanted) if len(wanted) == 6 else None
            was = (
                f" (it is an {edition} subheading: accepted on declarations dated before 2022 only)"
                if edition
                else ""
            )
            raise NotFound(f"HS code {format_hs(wanted)} does not exist in HS 2022{was}{hint}")
        chain = [wanted[:n] for n in range(2, len(wanted), 2)]
        found = repo.hs_many(s, chain)
        ancestors = [_brief(found[c]) for c in chain if c in found]
        children = [_brief(c) for c in repo.hs_children(s, wanted)]
        section_row = repo.hs_section(s, row.section) if row.section else None
        section = Section(section_row.roman, section_row.name) if section_row else None
        return HsEntry(
            row.code, row.description, row.level, section, row.parent, ancestors, children
        )


def hs_search(uow: UnitOfWork, text: str, limit: int = 10) -> list[HsHit]:
    if not 1 <= limit <= 100:
        raise InvalidInput.single("limit", "out_of_range", f"limit {limit} must be 1 to 100")
    with uow:
        hits = FullTextIndex(uow.session, HS_FTS_KIND).search(text, limit=limit)
        rows = repo.hs_many(uow.session, [h.doc_id for h in hits])
        return [
            HsHit(
                h.doc_id, rows[h.doc_id].description, rows[h.doc_id].level, h.score, h.snippet_html
            )
            for h in hits
            if h.doc_id in rows
        ]


def hs_known(uow: UnitOfWork, codes: Iterable[str]) -> set[str]:
    """Which of ``codes`` are HS 2022 subheadings (6 digits, dots allowed); one query."""
    wanted = {re.sub(r"[\s.]", "", str(c)) for c in codes}
    if not wanted:
        return set()
    with uow:
        return set(repo.hs_codes_known(uow.session, wanted, 6))


def hs_suggest(uow: UnitOfWork, code: str, n: int = 3) -> list[str]:
    """The ``n`` valid subheadings nearest to ``code`` (longest shared prefix, then closest)."""
    compact = re.sub(r"[\s.\-]", "", str(code))
    with uow:
        return _nearest(repo.hs_codes_of_level(uow.session, 6), compact, n)


def _nearest(candidates: Iterable[str], code: str, n: int) -> list[str]:
    digits = "".join(ch for ch in code if ch.isdigit())
    if not digits:
        return []

    def shared(c: str) -> int:
        k = 0
        while k < min(len(c), len(digits)) and c[k] == digits[k]:
            k += 1
        return k

    target = int(digits.ljust(6, "0")[:6])
    ranked = sorted(candidates, key=lambda c: (-shared(c), abs(int(c.ljust(6, "0")) - target), c))
    return ranked[:n]


# --- exchange rates -------------------------------------------------------------------------


def parse_amount(value: str | Decimal | int, path: str = "amount") -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise InvalidInput.single(
            path,
            "malformed_amount",
            f"{value!r} is not an amount: expected a number like 1000000.50",
        )
    return amount


def _currency(uow: UnitOfWork, code: str, path: str) -> str:
    value = str(code).strip().upper()
    if not _CURRENCY.fullmatch(value) or not (
        is_currency(value) or repo.fx_range(uow.session, value)[0] is not None
    ):
        raise InvalidInput.single(
            path,
            "unknown_currency",
            f"{code!r} is not a known currency: expected an ISO 4217 code such as KRW, USD, EUR",
        )
    return value


def _rate_used(row: RefFxRate) -> RateUsed:
    return RateUsed(row.currency, row.month, Decimal(row.per_usd), row.source_quote)  # type: ignore[arg-type]


def rate_per_usd(uow: UnitOfWork, currency: str, on: date) -> RateUsed:
    """The monthly average rate of ``currency`` for the month of ``on`` (units per 1 USD)."""
    with uow:
        code = _currency(uow, currency, "currency")
        month = on.replace(day=1)
        if code == "USD":
            return RateUsed("USD", month, Decimal(1), "per USD")
        row = repo.fx_rate(uow.session, code, month)
        if row is None:
            first, last = repo.fx_range(uow.session, code)
            span = (
                f"rates for {code} cover {first:%Y-%m} to {last:%Y-%m}"
                if first and last
                else f"no rates for {code} are loaded"
            )
            raise NotFound(f"no exchange rate for {code} in {month:%Y-%m} ({span})")
        return _rate_used(row)


def rate_months(uow: UnitOfWork, currency: str) -> tuple[date | None, date | None]:
    """The first and the last month with a loaded rate for ``currency`` (None, None: none)."""
    with uow:
        return repo.fx_range(uow.session, currency.upper())


def rates_per_usd(uow: UnitOfWork, currency: str, months: Iterable[date]) -> dict[date, Decimal]:
    """Units of ``currency`` per USD for each month that has a rate (months without are absent).

    ``months`` may be any dates; each is taken as its month and keyed by the first of it.
    """
    wanted = sorted({m.replace(day=1) for m in months})
    with uow:
        code = _currency(uow, currency, "currency")
        if code == "USD":
            return dict.fromkeys(wanted, Decimal(1))
        rows = repo.fx_rates(uow.session, code, wanted)
        return {m: Decimal(r.per_usd) for m, r in rows.items()}


def convert(uow: UnitOfWork, amount: Decimal, from_ccy: str, to_ccy: str, on: date) -> Conversion:
    """Convert through USD with the monthly average rates of the month of ``on``.

    ``result`` is rounded half-even to 4 decimal places; round to the currency's minor unit
    where money is booked.
    """
    value = parse_amount(amount)
    with uow:
        problems: list[FieldError] = []
        codes: list[str] = []
        for path, code in (("from_currency", from_ccy), ("to_currency", to_ccy)):
            try:
                codes.append(_currency(uow, code, path))
            except InvalidInput as exc:
                problems.extend(exc.errors)
        if problems:
            raise InvalidInput(problems)
        source, target = codes
        used = [rate_per_usd(uow, c, on) for c in dict.fromkeys((source, target)) if c != "USD"]
        per = {r.currency: r.per_usd for r in used} | {"USD": Decimal(1)}
        result = (value / per[source] * per[target]).quantize(RESULT_PLACES)
        return Conversion(value, source, target, result, on, used)


# --- environmental goods --------------------------------------------------------------------


def egl(uow: UnitOfWork, code: str) -> EglAnswer:
    wanted = normalise_hs(code)
    if len(wanted) != 6:
        raise InvalidInput.single(
            "code",
            "not_a_subheading",
            f"{code!r} is a {'chapter' if len(wanted) == 2 else 'heading'}: the environmental "
            "goods list works on 6-digit subheadings, e.g. 8541.41",
        )
    with uow:
        s = uow.session
        if repo.hs_get(s, wanted) is None:
            near = _nearest(repo.hs_codes_of_level(s, 6), wanted, 3)
            hint = f"; nearest valid: {', '.join(format_hs(c) for c in near)}" if near else ""
            edition = hs_earlier_edition(wanted) if len(wanted) == 6 else None
            was = (
                f" (it is an {edition} subheading: accepted on declarations dated before 2022 only)"
                if edition
                else ""
            )
            raise NotFound(f"HS code {format_hs(wanted)} does not exist in HS 2022{was}{hint}")
        rows = repo.egl_for(s, wanted)
        if not rows:
            return EglAnswer(wanted, False, None, None)
        first = min(rows, key=lambda r: (r.derivation != "listed", r.listed_code))
        return EglAnswer(wanted, True, first.listed_code, first.derivation)  # type: ignore[arg-type]


def egl_list(uow: UnitOfWork) -> list[EglMapping]:
    with uow:
        rows = repo.egl_all(uow.session)
        descriptions = repo.hs_many(uow.session, [r.code for r in rows])
        return [
            EglMapping(
                r.code,
                r.listed_code,
                r.derivation,  # type: ignore[arg-type]
                descriptions[r.code].description if r.code in descriptions else "",
            )
            for r in rows
        ]


# --- locations ------------------------------------------------------------------------------


def _location(row: RefLocation) -> Location:
    return Location(
        row.code,
        row.country,
        row.name,
        row.name_ascii,
        row.subdivision,
        function_names(row.functions),
        row.coordinates,
        row.status,
        row.iata,
    )


def locations_search(
    uow: UnitOfWork, text: str, country: str | None = None, limit: int = 20
) -> list[Location]:
    """Exact code first (``KRPUS``, ``KR PUS``), then names starting with, then containing."""
    from smartcustoms.reference.loaders.common import fold

    query = str(text).strip()
    problems: list[FieldError] = []
    if not query:
        problems.append(FieldError("q", "empty", "give a UN/LOCODE or part of a place name"))
    wanted_country = country.strip().upper() if country else None
    if wanted_country is not None and not re.fullmatch(r"[A-Z]{2}", wanted_country):
        problems.append(
            FieldError(
                "country",
                "malformed_country",
                f"{country!r} is not a country code: expected 2 letters, e.g. KR",
            )
        )
    if not 1 <= limit <= 200:
        problems.append(FieldError("limit", "out_of_range", f"limit {limit} must be 1 to 200"))
    if problems:
        raise InvalidInput(problems)
    out: list[RefLocation] = []
    with uow:
        s = uow.session
        code = _LOCODE.fullmatch(query.upper())
        if code:
            out.extend(
                r
                for r in repo.locations_by_code(s, code[1] + code[2])
                if wanted_country in (None, r.country)
            )
        key = fold(query)
        for contains in (False, True):
            if len(out) >= limit:
                break
            out.extend(
                repo.locations_by_name(
                    s,
                    key,
                    wanted_country,
                    limit - len(out),
                    contains=contains,
                    exclude=[r.id for r in out],
                )
            )
        return [_location(r) for r in out[:limit]]


def location(uow: UnitOfWork, code: str) -> Location:
    match = _LOCODE.fullmatch(str(code).strip().upper())
    if not match:
        raise InvalidInput.single(
            "code",
            "malformed_locode",
            f"{code!r} is not a UN/LOCODE: expected 5 characters, e.g. KRPUS",
        )
    with uow:
        rows = repo.locations_by_code(uow.session, match[1] + match[2])
        if not rows:
            raise NotFound(f"UN/LOCODE {match[1]}{match[2]} is not in the loaded code list")
        return _location(rows[0])


# --- countries and currencies ---------------------------------------------------------------


def countries(uow: UnitOfWork) -> list[Country]:
    with uow:
        apec = repo.group_members(uow.session, "APEC")
        return [
            Country(
                c.code,
                c.alpha3,
                c.numeric,
                c.name,
                c.official_name,
                c.code in apec,
                apec[c.code].member_name if c.code in apec else None,
            )
            for c in repo.countries(uow.session)
        ]


def apec_economies(uow: UnitOfWork) -> list[Country]:
    return [c for c in countries(uow) if c.is_apec]


def currencies(uow: UnitOfWork) -> list[Currency]:
    with uow:
        return [Currency(c.code, c.name, c.numeric) for c in repo.currencies(uow.session)]
