"""Use cases of e-commerce clearance. Each owns its transaction (``with uow: ... commit()``).

Submitting a manifest: the manifest row (the job) is committed first as ``processing``; the
parcels are then validated, decided and stored chunk by chunk inside one transaction, which
commits only if the manifest is accepted (all-or-nothing economies reject a manifest with any
bad parcel and store none of it; store-good-parcels economies store the good ones and return
the bad ones). Resubmitting the same bytes returns the first outcome (idempotent).
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core.clock import Clock, SystemClock
from smartcustoms.core.codes import country_codes
from smartcustoms.core.ids import new_id
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.ecommerce import engine
from smartcustoms.ecommerce.model import (
    DECISION_ORDER,
    BadParcel,
    EcomSettings,
    ManifestOutcome,
    ParcelView,
    Prohibition,
    Regime,
)
from smartcustoms.ecommerce.reader import Source, detect_format, digest, iter_chunks, read_manifest
from smartcustoms.ecommerce.regimes import built_in_for, regime_on
from smartcustoms.ecommerce.repository import EcommerceRepository
from smartcustoms.ecommerce.tables import (
    EcomManifestRow,
    EcomNormRow,
    EcomParcelRow,
    EcomRegimeRow,
    EcomSettingsRow,
)
from smartcustoms.errors import (
    Conflict,
    DataUnavailable,
    FieldError,
    InvalidInput,
    NotFound,
    SmartCustomsError,
)

__all__ = [
    "LODGERS",
    "OFFICERS",
    "Progress",
    "add_regime",
    "build_context",
    "decisions",
    "get_settings",
    "manifest",
    "queue",
    "record_result",
    "refresh_norms",
    "regime_for",
    "regimes",
    "save_settings",
    "submit_manifest",
    "submit_parcel",
]

LODGERS = (Role.PLATFORM, Role.CARRIER)
OFFICERS = (Role.OFFICER, Role.ANALYST)
RESULTS = ("no_finding", "finding", "seized", "released_after_info", "refused")
CHUNK = 50_000
MAX_ERRORS_KEPT = 10_000
Progress = Callable[[int, int], None]
WATCHLIST = "ecommerce"


class _Rates(Mapping[str, float]):
    """Units per USD for one month, looked up on first use (missing: not in the mapping)."""

    def __init__(self, uow: UnitOfWork, on: date) -> None:
        self.uow, self.on, self._cache = uow, on, {"USD": 1.0}
        self._missing: set[str] = set()

    def _load(self, code: str) -> float | None:
        from smartcustoms.reference import service as reference

        if code in self._cache:
            return self._cache[code]
        if code in self._missing or len(code) != 3 or not code.isalpha():
            return None
        # The month's average, else the latest of the 12 months before (rates are published
        # after the month ends, so recent arrivals use the last published one).
        month = self.on.replace(day=1)
        months = [month]
        for _ in range(12):
            month = (month - timedelta(days=1)).replace(day=1)
            months.append(month)
        try:
            found = reference.rates_per_usd(self.uow, code, months)
        except SmartCustomsError:
            found = {}
        if not found:
            self._missing.add(code)
            return None
        rate = float(found[max(found)])
        self._cache[code] = rate
        return rate

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._load(key) is not None

    def __getitem__(self, key: str) -> float:
        rate = self._load(key)
        if rate is None:
            raise KeyError(key)
        return rate

    def __iter__(self) -> Iterator[str]:
        return iter(self._cache)

    def __len__(self) -> int:
        return len(self._cache)


def _hs_known(uow: UnitOfWork) -> Callable[[set[str]], set[str]]:
    from smartcustoms.reference import service as reference

    memo: dict[str, bool] = {}

    def known(codes: set[str]) -> set[str]:
        ask = {c for c in codes if c not in memo}
        if ask:
            found = reference.hs_known(uow, ask)
            memo.update({c: c in found for c in ask})
        return {c for c in codes if memo[c]}

    return known


# --- regimes and settings -----------------------------------------------------------------


def _regime_from(d: Mapping[str, Any]) -> Regime:
    def dec(k: str) -> Decimal | None:
        v = d.get(k)
        return None if v in (None, "") else Decimal(str(v))

    pros = tuple(
        Prohibition(
            str(p.get("hs_prefix", "")), str(p.get("keyword", "")).lower(), str(p.get("reason", ""))
        )
        for p in d.get("prohibitions") or []
    )
    return Regime(
        economy=str(d["economy"]).upper(),
        effective_from=date.fromisoformat(str(d["effective_from"])),
        currency=str(d["currency"]).upper(),
        threshold_currency=str(d.get("threshold_currency") or d["currency"]).upper(),
        duty_threshold=dec("duty_threshold"),
        tax_threshold=dec("tax_threshold"),
        vat_rate=dec("vat_rate") or Decimal(0),
        default_duty_rate=dec("default_duty_rate") or Decimal(0),
        threshold_basis=str(d.get("threshold_basis") or "goods"),
        flat_duty_per_item=dec("flat_duty_per_item"),
        duty_factor=dec("duty_factor") if dec("duty_factor") is not None else Decimal(1),  # type: ignore[arg-type]
        tax_factor=dec("tax_factor") if dec("tax_factor") is not None else Decimal(1),  # type: ignore[arg-type]
        vendor_scheme=str(d.get("vendor_scheme") or ""),
        vendor_pattern=str(d.get("vendor_pattern") or ""),
        vendor_ceiling=dec("vendor_ceiling"),
        per_transaction_limit=dec("per_transaction_limit"),
        annual_limit=dec("annual_limit"),
        prohibitions=pros,
        source=str(d.get("source") or ""),
        note=str(d.get("note") or ""),
        verified=bool(d.get("verified", True)),
    )


def regimes(uow: UnitOfWork, economy: str) -> list[Regime]:
    """Built-in and stored regime rows of ``economy``, oldest first (stored win on a tie)."""
    economy = economy.upper()
    with uow:
        stored = [
            _regime_from(r.definition) for r in EcommerceRepository(uow.session).regimes(economy)
        ]
    return sorted(built_in_for(economy) + stored, key=lambda r: r.effective_from)


def regime_for(uow: UnitOfWork, economy: str, on: date) -> Regime:
    found = regime_on(regimes(uow, economy), on)
    if found is None:
        raise NotFound(f"no e-commerce regime for {economy} on {on.isoformat()}")
    return found


def add_regime(
    uow: UnitOfWork,
    principal: Principal,
    definition: Mapping[str, Any],
    clock: Clock | None = None,
) -> Regime:
    """A new regime row (a change in law) for the caller's economy, from its effective date."""
    principal.require(Role.ADMIN, Role.ANALYST)
    base = regime_on(regimes(uow, principal.economy), date.max)
    merged: dict[str, Any] = (base.to_dict() if base else {}) | dict(definition)
    merged["economy"] = principal.economy
    errors: list[FieldError] = []
    if not merged.get("effective_from"):
        errors.append(FieldError("effective_from", "required", "effective_from is required"))
    if not merged.get("source"):
        errors.append(FieldError("source", "required", "say where the rule comes from (source)"))
    if not merged.get("currency"):
        errors.append(FieldError("currency", "required", "currency is required"))
    try:
        regime = _regime_from(merged) if not errors else None
    except (ValueError, InvalidOperation, KeyError) as exc:
        errors.append(FieldError("definition", "invalid", f"not a valid regime: {exc}"))
        regime = None
    if errors or regime is None:
        raise InvalidInput(errors)
    for k in ("duty_threshold", "tax_threshold", "vat_rate", "default_duty_rate"):
        v = getattr(regime, k)
        if v is not None and v < 0:
            errors.append(FieldError(k, "negative", f"{k} must not be negative"))
    if errors:
        raise InvalidInput(errors)
    now = (clock or SystemClock()).now()
    with uow:
        repo = EcommerceRepository(uow.session)
        if repo.regime_at(principal.economy, regime.effective_from) is not None:
            raise Conflict(f"a regime row from {regime.effective_from} exists already")
        repo.add(
            EcomRegimeRow(
                id=new_id(),
                economy=principal.economy,
                effective_from=regime.effective_from,
                definition=regime.to_dict(),
                created_by=principal.user_id,
                created_at=now,
            )
        )
        uow.commit()
    return regime


def get_settings(uow: UnitOfWork, economy: str) -> EcomSettings:
    with uow:
        row = EcommerceRepository(uow.session).settings(economy.upper())
        if row is None:
            return EcomSettings(economy.upper())
        known = set(EcomSettings.__dataclass_fields__)
        return EcomSettings(
            **({k: v for k, v in row.settings.items() if k in known} | {"economy": economy.upper()})
        )


def save_settings(
    uow: UnitOfWork,
    principal: Principal,
    changes: Mapping[str, Any],
    clock: Clock | None = None,
) -> EcomSettings:
    principal.require(Role.ADMIN, Role.ANALYST)
    current = get_settings(uow, principal.economy)
    fields = EcomSettings.__dataclass_fields__
    errors = [
        FieldError(k, "unknown", f"unknown setting {k}")
        for k in changes
        if k not in fields or k == "economy"
    ]
    if errors:
        raise InvalidInput(errors)
    try:
        new = replace(current, **{k: type(getattr(current, k))(v) for k, v in changes.items()})
    except (TypeError, ValueError) as exc:
        raise InvalidInput.single("settings", "invalid", str(exc)) from exc
    for k in ("inspection_rate", "exploration_rate", "tolerance"):
        if not 0 <= getattr(new, k) <= 1:
            errors.append(FieldError(k, "range", f"{k} must lie between 0 and 1"))
    if errors:
        raise InvalidInput(errors)
    now = (clock or SystemClock()).now()
    with uow:
        repo = EcommerceRepository(uow.session)
        row = repo.settings(principal.economy)
        data = {k: v for k, v in asdict(new).items() if k != "economy"}
        if row is None:
            repo.add(
                EcomSettingsRow(
                    economy=principal.economy,
                    settings=data,
                    updated_by=principal.user_id,
                    updated_at=now,
                )
            )
        else:
            row.settings, row.updated_by, row.updated_at = data, principal.user_id, now
        uow.commit()
    return new


# --- context -------------------------------------------------------------------------------


def _watch(uow: UnitOfWork, economy: str) -> frozenset[str]:
    from smartcustoms.risk import service as risk

    reader = Principal(
        "system:ecommerce",
        "system@localhost",
        "SmartCustoms system",
        economy,
        frozenset({Role.OFFICER}),
    )
    return frozenset(e.party_id for e in risk.list_watchlist(uow, reader))


def _duty_rates(uow: UnitOfWork, economy: str, regime: Regime) -> Callable[[str], float]:
    from smartcustoms.tariff import service as tariff

    schedule = tariff.get_schedule(uow, economy)
    default = float(regime.default_duty_rate)

    def rate(hs6: str) -> float:
        if schedule is None or not hs6:
            return default
        match, _ = schedule.select(hs6, "", None)
        return float(match.line.ad_valorem) if match is not None else default

    return rate


def inspect_threshold(uow: UnitOfWork, economy: str, on: date, st: EcomSettings) -> float:
    """Threshold from the previous 7 days' scores, so that about ``inspection_rate`` of parcels
    score at or above it; never below ``min_inspect_score``. The day's own parcels do not move
    it, so a parcel gets the same decision in a bulk manifest as alone."""
    with uow:
        scores = EcommerceRepository(uow.session).recent_scores(
            economy, on - timedelta(days=7), on - timedelta(days=1)
        )
    if len(scores) < 1000:
        return st.min_inspect_score
    s = np.sort(scores)[::-1]
    k = math.floor(st.inspection_rate * len(s))
    if k <= 0:
        return float("inf")
    cut = float(s[k - 1])
    if k < len(s) and s[k] >= cut:
        cut = float(np.nextafter(cut, np.inf))
    return max(st.min_inspect_score, cut)


def build_context(uow: UnitOfWork, economy: str, on: date, secret_key: str) -> engine.Context:
    economy = economy.upper()
    regime = regime_for(uow, economy, on)
    st = get_settings(uow, economy)
    rates = _Rates(uow, on)
    with uow:
        norms = EcommerceRepository(uow.session).norms(economy)

    def existing(waybills: list[str]) -> set[str]:
        with uow:
            return EcommerceRepository(uow.session).existing_waybills(economy, waybills)

    if regime.currency not in rates:
        raise DataUnavailable(
            f"no exchange rate for {regime.currency} up to {on:%Y-%m}: load exchange rates "
            "(smartcustoms reference load)"
        )
    ctx = engine.Context(
        economy=economy,
        on=on,
        regime=regime,
        settings=st,
        fx=rates,
        hs_known=_hs_known(uow),
        countries=country_codes(),
        duty_rate=_duty_rates(uow, economy, regime),
        norms=norms,
        watch=_watch(uow, economy),
        key=engine.buyer_key(secret_key),
        inspect_threshold=inspect_threshold(uow, economy, on, st),
        existing=existing,
    )
    from smartcustoms.ecommerce import threeorders

    ctx.three_orders = threeorders.checker(uow, ctx)
    return ctx


def prior_state(uow: UnitOfWork, ctx: engine.Context) -> engine.RunState:
    reg, st = ctx.regime, ctx.settings
    thr = None
    if reg.duty_threshold is not None and reg.threshold_currency in ctx.fx:
        thr = Decimal(
            str(round(float(reg.duty_threshold) * ctx.to_local(reg.threshold_currency), 4))
        )
    first = ctx.on - timedelta(days=st.split_window_days - 1)
    with uow:
        repo = EcommerceRepository(uow.session)
        buyers, addresses, sellers, pairs = repo.window_totals(
            ctx.economy, first, ctx.on, thr, reg.threshold_basis == "cif"
        )
        year = repo.year_totals(ctx.economy, ctx.on.replace(month=1, day=1), ctx.on)
    return engine.RunState(buyer=buyers, address=addresses, seller=sellers, pair=pairs, year=year)


# --- manifests ------------------------------------------------------------------------------


def _outcome(row: EcomManifestRow, resubmitted: bool = False) -> ManifestOutcome:
    return ManifestOutcome(
        id=row.id,
        economy=row.economy,
        status=row.status,
        parcels=row.parcels,
        decided=row.decided,
        decisions=dict(row.decisions),
        bad=row.bad,
        errors=list(row.errors),
        duty_total=str(row.duty_total),
        tax_total=str(row.tax_total),
        currency=row.currency,
        created_at=row.created_at,
        finished_at=row.finished_at,
        progress=row.progress,
        resubmitted=resubmitted,
        decisions_file=row.decisions_file,
        timings=dict(row.timings),
    )


def open_manifest(
    uow: UnitOfWork,
    principal: Principal,
    data: Source,
    *,
    filename: str = "manifest.ndjson",
    fmt: str | None = None,
    on: date | None = None,
    clock: Clock | None = None,
) -> tuple[ManifestOutcome, bool]:
    """Register a manifest job (committed); returns (outcome, is_new). Same bytes: same job."""
    principal.require(*LODGERS)
    clock = clock or SystemClock()
    sha, _, head = digest(data)
    fmt = fmt or detect_format(filename, head)
    now = clock.now()
    with uow:
        repo = EcommerceRepository(uow.session)
        existing = repo.manifest_by_hash(principal.economy, sha)
        if existing is not None and existing.status != "failed":
            return _outcome(existing, resubmitted=True), False
        if existing is not None:  # an earlier attempt broke off: try again under the same id
            existing.status, existing.progress, existing.created_at = "processing", 0.0, now
            uow.commit()
            return _outcome(existing), True
        regime = regime_for(uow, principal.economy, on or now.date())
        row = EcomManifestRow(
            id=new_id(),
            economy=principal.economy,
            lodged_by=principal.user_id,
            content_sha256=sha,
            filename=filename[:200],
            fmt=fmt,
            arrival_date=on or now.date(),
            status="processing",
            parcels=0,
            decided=0,
            bad=0,
            progress=0.0,
            decisions={},
            errors=[],
            timings={},
            currency=regime.currency,
            duty_total=Decimal(0),
            tax_total=Decimal(0),
            decisions_file=None,
            created_at=now,
            finished_at=None,
        )
        repo.add(row)
        uow.commit()
        return _outcome(row), True


def process_manifest(
    uow: UnitOfWork,
    manifest_id: str,
    data: Source,
    *,
    secret_key: str,
    files_dir: Path,
    profile: str = "flat",
    progress: Progress | None = None,
    clock: Clock | None = None,
    chunk_size: int = CHUNK,
) -> ManifestOutcome:
    """Validate, decide and store the parcels of an opened manifest job."""
    clock = clock or SystemClock()
    t0 = time.perf_counter()
    timings: dict[str, float] = {}

    def tick(name: str, since: float) -> float:
        now_t = time.perf_counter()
        timings[name] = round(timings.get(name, 0.0) + now_t - since, 3)
        return now_t

    with uow:
        row = EcommerceRepository(uow.session).manifest(manifest_id)
        if row is None:
            raise NotFound(f"no manifest {manifest_id}")
        economy, on, fmt = row.economy, row.arrival_date, row.fmt
    ctx = build_context(uow, economy, on, secret_key)
    state = prior_state(uow, ctx)
    t = tick("context", t0)
    _, total, _ = digest(data) if progress else ("", 0, b"")
    bad: list[BadParcel] = []
    bad_lines: set[int] = set()
    counts = dict.fromkeys((d.value for d in DECISION_ORDER), 0)
    duty_total = tax_total = 0.0
    stored = 0
    done = 0
    store_good = ctx.settings.store_good_parcels
    out_dir = files_dir / "ecommerce" / economy
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / f"{manifest_id}-decisions.csv"
    partial = out_dir / f"{manifest_id}-decisions.csv.part"
    try:
        with uow, partial.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["waybill", "decision", "duty", "tax", "currency", "score", "reasons"])
            repo = EcommerceRepository(uow.session)
            for chunk in iter_chunks(read_manifest(data, fmt, profile), chunk_size):
                t = tick("parse", t)
                res = engine.decide_chunk(chunk, ctx, state)
                t = tick("decide", t)
                bad.extend(res.bad)
                bad_lines.update(b.line for b in res.bad)
                done += len(chunk)
                if progress:
                    progress(min(done, total), total)
                if res.parcels.empty or (bad and not store_good):
                    continue
                P = res.parcels
                P["economy"], P["manifest_id"], P["arrival_date"] = economy, manifest_id, on
                items = res.items.assign(
                    economy=economy,
                    waybill=P["waybill"].to_numpy()[res.items["p"].to_numpy()],
                )
                items["currency"] = items["currency"].astype(str)
                repo.bulk_insert(P, items)
                t = tick("store", t)
                for d, c in P["decision"].value_counts().items():
                    counts[str(d)] += int(c)
                duty_total += float(P["duty"].sum())
                tax_total += float(P["tax"].sum())
                stored += len(P)
                pd.DataFrame(
                    {
                        "w": P["waybill"],
                        "d": P["decision"],
                        "duty": P["duty"].map("{:.2f}".format),
                        "tax": P["tax"].map("{:.2f}".format),
                        "c": P["currency"],
                        "s": P["score"].map("{:.2f}".format),
                        "r": P["reasons"],
                    }
                ).to_csv(fh, header=False, index=False)
                t = tick("decisions_file", t)
            rejected = bool(bad) and not store_good
            if rejected:
                uow.rollback()
            else:
                row = EcommerceRepository(uow.session).manifest(manifest_id)
                assert row is not None
                row.status = "done"
                row.parcels = stored + len(bad_lines)
                row.decided, row.bad, row.decisions = stored, len(bad_lines), counts
                row.errors = [b.to_dict() for b in bad[:MAX_ERRORS_KEPT]]
                row.duty_total = Decimal(f"{duty_total:.4f}")
                row.tax_total = Decimal(f"{tax_total:.4f}")
                row.progress, row.finished_at = 1.0, clock.now()
                row.decisions_file = str(final)
                timings["total"] = round(time.perf_counter() - t0, 3)
                row.timings = timings
                uow.commit()
                partial.replace(final)
                return _outcome(row)
    except Exception:
        _finish(uow, manifest_id, "failed", 0, bad, clock, timings)
        partial.unlink(missing_ok=True)
        raise
    partial.unlink(missing_ok=True)
    parcels_seen = done - sum(1 for b in bad if b.line == 0)
    return _finish(uow, manifest_id, "rejected", parcels_seen, bad, clock, timings, len(bad_lines))


def _finish(
    uow: UnitOfWork,
    manifest_id: str,
    status: str,
    parcels: int,
    bad: list[BadParcel],
    clock: Clock,
    timings: dict[str, float],
    bad_count: int | None = None,
) -> ManifestOutcome:
    with uow:
        row = EcommerceRepository(uow.session).manifest(manifest_id)
        assert row is not None
        row.status, row.parcels, row.decided = status, parcels, 0
        row.bad = bad_count if bad_count is not None else len({b.line for b in bad})
        row.errors = [b.to_dict() for b in bad[:MAX_ERRORS_KEPT]]
        row.decisions = dict.fromkeys((d.value for d in DECISION_ORDER), 0)
        row.progress, row.finished_at, row.timings = 1.0, clock.now(), timings
        uow.commit()
        return _outcome(row)


def submit_manifest(
    uow: UnitOfWork,
    principal: Principal,
    data: Source,
    *,
    secret_key: str,
    files_dir: Path,
    filename: str = "manifest.ndjson",
    fmt: str | None = None,
    profile: str = "flat",
    on: date | None = None,
    progress: Progress | None = None,
    clock: Clock | None = None,
    chunk_size: int = CHUNK,
) -> ManifestOutcome:
    """Open and process a manifest in one go (the CLI; the API runs the two steps as a job)."""
    outcome, new = open_manifest(
        uow, principal, data, filename=filename, fmt=fmt, on=on, clock=clock
    )
    if not new:
        return outcome
    return process_manifest(
        uow,
        outcome.id,
        data,
        secret_key=secret_key,
        files_dir=files_dir,
        profile=profile,
        progress=progress,
        clock=clock,
        chunk_size=chunk_size,
    )


def submit_parcel(
    uow: UnitOfWork,
    principal: Principal,
    parcel: Mapping[str, Any],
    *,
    secret_key: str,
    files_dir: Path,
    on: date | None = None,
    clock: Clock | None = None,
) -> ParcelView:
    """One parcel, decided at once: the same engine and rules as a manifest of many."""
    data = orjson.dumps(dict(parcel), option=orjson.OPT_SORT_KEYS)
    outcome = submit_manifest(
        uow,
        principal,
        data,
        secret_key=secret_key,
        files_dir=files_dir,
        filename="parcel.ndjson",
        fmt="ndjson",
        on=on,
        clock=clock,
    )
    if outcome.status != "done" or outcome.bad:
        raise InvalidInput(
            [FieldError(e["field"], "invalid", e["reason"]) for e in outcome.errors],
            "the parcel was refused: " + "; ".join(e["reason"] for e in outcome.errors[:3]),
        )
    return parcel_view(uow, principal, str(parcel.get("waybill", "")))


def manifest(uow: UnitOfWork, principal: Principal, manifest_id: str) -> ManifestOutcome:
    with uow:
        row = EcommerceRepository(uow.session).manifest(manifest_id)
        if row is None or row.economy != principal.economy:
            raise NotFound(f"no manifest {manifest_id}")
        if not (
            principal.has(*OFFICERS)
            or row.lodged_by == principal.user_id
            or principal.has(*LODGERS)
        ):
            raise NotFound(f"no manifest {manifest_id}")
        return _outcome(row)


def manifests(uow: UnitOfWork, principal: Principal, limit: int = 50) -> list[ManifestOutcome]:
    principal.require(*LODGERS, *OFFICERS)
    with uow:
        return [
            _outcome(r)
            for r in EcommerceRepository(uow.session).manifests(principal.economy, limit)
        ]


def _view(row: EcomParcelRow, items: list[dict[str, Any]] | None = None) -> ParcelView:
    return ParcelView(
        waybill=row.waybill,
        manifest_id=row.manifest_id,
        arrival_date=row.arrival_date,
        order_no=row.order_no,
        platform=row.platform,
        carrier=row.carrier,
        seller=row.seller,
        hs_main=row.hs_main,
        items=row.items,
        currency=row.currency,
        value=row.value,
        duty=row.duty,
        tax=row.tax,
        decision=row.decision,
        score=row.score,
        reasons=row.reasons,
        status=row.status,
        result=row.result,
        result_note=row.result_note,
        item_lines=items or [],
    )


def parcel_view(uow: UnitOfWork, principal: Principal, waybill: str) -> ParcelView:
    principal.require(*LODGERS, *OFFICERS)
    with uow:
        repo = EcommerceRepository(uow.session)
        row = repo.parcel(principal.economy, waybill)
        if row is None:
            raise NotFound(f"no parcel {waybill}")
        items = [
            {
                "line_no": i.line_no,
                "description": i.description,
                "hs_code": i.hs_code,
                "quantity": i.quantity,
                "unit_price": str(i.unit_price),
                "currency": i.currency,
                "origin": i.origin,
                "value": str(i.value),
                "duty": str(i.duty),
                "tax": str(i.tax),
            }
            for i in repo.items_of(principal.economy, waybill)
        ]
        return _view(row, items)


def decisions(
    uow: UnitOfWork,
    principal: Principal,
    manifest_id: str,
    decision: str | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[ParcelView]:
    manifest(uow, principal, manifest_id)  # tenancy and existence
    with uow:
        rows = EcommerceRepository(uow.session).parcels_of(
            principal.economy, manifest_id, decision, limit, offset
        )
        return [_view(r) for r in rows]


def queue(
    uow: UnitOfWork,
    principal: Principal,
    decision: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[ParcelView]:
    """Parcels waiting for an officer: inspections first, then holds; riskiest first."""
    principal.require(*OFFICERS)
    if decision not in (None, "", "inspect", "hold"):
        raise InvalidInput.single("decision", "invalid", "decision must be inspect or hold")
    with uow:
        rows = EcommerceRepository(uow.session).queue(
            principal.economy, decision or None, limit, offset
        )
        return [_view(r) for r in rows]


def record_result(
    uow: UnitOfWork,
    principal: Principal,
    waybill: str,
    result: str,
    note: str = "",
    clock: Clock | None = None,
) -> ParcelView:
    """An officer's result for a held or inspected parcel. A finding puts the seller on the
    risk feature's ``ecommerce`` watch list, so its next parcels are inspected."""
    principal.require(Role.OFFICER)
    if result not in RESULTS:
        raise InvalidInput.single(
            "result", "invalid", "result must be one of " + ", ".join(RESULTS)
        )
    now = (clock or SystemClock()).now()
    with uow:
        repo = EcommerceRepository(uow.session)
        row = repo.parcel(principal.economy, waybill)
        if row is None:
            raise NotFound(f"no parcel {waybill}")
        if not repo.set_result(principal.economy, waybill, result, note, principal.user_id, now):
            raise Conflict(f"parcel {waybill} is not waiting for a result (status {row.status})")
        seller = row.seller
        uow.commit()
    if result in ("finding", "seized"):
        from smartcustoms.declarations.service import system_principal
        from smartcustoms.risk import service as risk

        admin = system_principal(principal.economy, "system:ecommerce")
        risk.add_to_watchlist(
            uow,
            replace(admin, roles=frozenset({Role.ANALYST})),
            WATCHLIST,
            seller,
            f"finding on parcel {waybill}: {note}"[:500],
        )
    return parcel_view(uow, principal, waybill)


def refresh_norms(
    uow: UnitOfWork,
    economy: str,
    on: date,
    days: int = 30,
    min_count: int = 20,
    clock: Clock | None = None,
) -> int:
    """Learn each HS subheading's typical unit price (median, local currency) from the parcels
    of the last ``days`` days; used from the next manifest on. Returns the number of norms."""
    now = (clock or SystemClock()).now()
    economy = economy.upper()
    with uow:
        repo = EcommerceRepository(uow.session)
        frame = repo.unit_prices(economy, on - timedelta(days=days), on)
        rows = []
        if not frame.empty:
            frame = frame[(frame["qty"] > 0) & (frame["value"] > 0)]
            frame = frame.assign(luv=np.log(frame["value"] / frame["qty"]))
            stats = frame.groupby("hs6")["luv"].agg(["count", "median"])
            stats = stats[stats["count"] >= min_count]
            rows = [
                EcomNormRow(economy=economy, hs6=str(h), n=int(c), log_usd=float(m), updated_at=now)
                for h, c, m in zip(stats.index, stats["count"], stats["median"], strict=True)
            ]
        repo.replace_norms(economy, rows)
        uow.commit()
        return len(rows)


# --- three orders: party keys and signed records ------------------------------------------------


PARTY_KINDS = ("platform", "payment", "carrier")


def register_party_key(
    uow: UnitOfWork,
    principal: Principal,
    party_id: str,
    kind: str,
    public_key: str,
    clock: Clock | None = None,
) -> dict[str, str]:
    """Register (or replace) the Ed25519 public key a party signs its records with."""
    from smartcustoms.ecommerce import signing
    from smartcustoms.ecommerce.tables import EcomPartyKeyRow

    principal.require(Role.ADMIN)
    errors = []
    if not party_id.strip():
        errors.append(FieldError("party_id", "required", "party_id is required"))
    if kind not in PARTY_KINDS:
        errors.append(FieldError("kind", "invalid", "kind must be " + ", ".join(PARTY_KINDS)))
    if not signing.public_key_ok(public_key):
        errors.append(
            FieldError(
                "public_key",
                "invalid",
                "public_key must be a base64url Ed25519 public key (32 bytes)",
            )
        )
    if errors:
        raise InvalidInput(errors)
    now = (clock or SystemClock()).now()
    with uow:
        repo = EcommerceRepository(uow.session)
        row = repo.party_key(principal.economy, party_id.strip())
        if row is None:
            repo.add(
                EcomPartyKeyRow(
                    economy=principal.economy,
                    party_id=party_id.strip(),
                    kind=kind,
                    public_key=public_key,
                    registered_by=principal.user_id,
                    registered_at=now,
                )
            )
        else:
            row.kind, row.public_key, row.registered_at = kind, public_key, now
        uow.commit()
    return {"party_id": party_id.strip(), "kind": kind, "public_key": public_key}


def submit_records(
    uow: UnitOfWork,
    principal: Principal,
    records: list[Any],
    *,
    secret_key: str,
    clock: Clock | None = None,
) -> dict[str, Any]:
    """Take signed order, payment and waybill records. Each is verified; refused ones are kept
    with their reason. Parcels waiting for these records are decided again at once."""
    from smartcustoms.ecommerce import threeorders
    from smartcustoms.ecommerce.tables import EcomRecordRow

    principal.require(*LODGERS)
    now = (clock or SystemClock()).now()
    hash_key = engine.buyer_key(secret_key)
    with uow:
        repo = EcommerceRepository(uow.session)
        keys = {k.party_id: (k.kind, k.public_key) for k in repo.party_keys(principal.economy)}
        taken = threeorders.intake(records, threeorders.Keys(keys, hash_key))
        accepted = refused = unchanged = 0
        problems = []
        for i, rec in enumerate(taken):
            if not rec.order_no or rec.kind not in threeorders.KINDS:
                refused += 1
                problems.append(
                    {"index": i, "kind": rec.kind, "order_no": rec.order_no, "reason": rec.reason}
                )
                continue
            row = repo.record(principal.economy, rec.kind, rec.order_no)
            if row is not None and row.status == "accepted":
                if row.signature == rec.signature:
                    unchanged += 1
                    continue
                refused += 1
                problems.append(
                    {
                        "index": i,
                        "kind": rec.kind,
                        "order_no": rec.order_no,
                        "reason": f"a different {rec.kind} record for order "
                        f"{rec.order_no} was accepted earlier",
                    }
                )
                continue
            if row is None:
                repo.add(
                    EcomRecordRow(
                        economy=principal.economy,
                        kind=rec.kind,
                        order_no=rec.order_no,
                        party_id=rec.party_id,
                        payload=rec.payload,
                        signature=rec.signature,
                        status=rec.status,
                        reason=rec.reason,
                        received_at=now,
                    )
                )
            else:  # a refused record is replaced by the next attempt
                row.party_id, row.payload, row.signature = rec.party_id, rec.payload, rec.signature
                row.status, row.reason, row.received_at = rec.status, rec.reason, now
            if rec.status == "accepted":
                accepted += 1
            else:
                refused += 1
                problems.append(
                    {"index": i, "kind": rec.kind, "order_no": rec.order_no, "reason": rec.reason}
                )
        uow.session.flush()
        orders = sorted({r.order_no for r in taken if r.order_no})
        redecided = _redecide_waiting(uow, principal.economy, orders, secret_key)
        uow.commit()
    return {
        "accepted": accepted,
        "refused": refused,
        "unchanged": unchanged,
        "problems": problems,
        "redecided": redecided,
    }


def _redecide_waiting(uow: UnitOfWork, economy: str, orders: list[str], secret_key: str) -> int:
    """Parcels held while waiting for records: reconcile again now that records came in."""
    from smartcustoms.ecommerce import threeorders
    from smartcustoms.ecommerce.model import SIGNAL_BY_NAME

    if not orders:
        return 0
    repo = EcommerceRepository(uow.session)
    three = sum(
        1 << SIGNAL_BY_NAME[n].bit for n in ("three_order", "three_order_wait", "signature")
    )
    rows = [
        r
        for r in repo.open_parcels_for_orders(economy, orders)
        if r.status == "open" and r.decision == "hold" and r.signals & three
    ]
    if not rows:
        return 0
    hold_mask = sum(1 << SIGNAL_BY_NAME[n].bit for n in engine.HOLD_SIGNALS)
    changed = 0
    for row in rows:
        ctx = build_context(uow, economy, row.arrival_date, secret_key)
        frame = pd.DataFrame(
            {
                "order_no": [row.order_no],
                "waybill": [row.waybill],
                "buyer_hash": [row.buyer_hash],
                "value": [float(row.value)],
                "basis": [float(row.value)],
            }
        )
        records = [
            threeorders.Intake(
                r.kind, r.order_no, r.party_id, dict(r.payload), r.signature, r.status, r.reason
            )
            for r in repo.records_for(economy, [row.order_no])
        ]
        found = threeorders.reconcile(frame, records, ctx, None)
        bits = (row.signals & ~three) | int(found["bits"].to_numpy()[0])
        dues = "; ".join(row.reasons.rsplit("; ", 2)[-2:])
        if bits & hold_mask:
            decision, status = "hold", "open"
            reasons = f"held for information: {found['reason'].iat[0]}; {dues}"
        else:
            decision, status = "release", "closed"
            reasons = (
                f"released: order, payment and waybill records complete and consistent; {dues}"
            )
        row.signals, row.decision, row.status, row.reasons = bits, decision, status, reasons
        changed += 1
    uow.session.flush()
    return changed


# --- figures for charts ------------------------------------------------------------------------


def figures(
    uow: UnitOfWork, principal: Principal, last: date | None = None, days: int = 14
) -> dict[str, Any]:
    """Parcels per day, decisions by kind, duty and tax collected, top HS chapters."""
    principal.require(*LODGERS, *OFFICERS)
    last = last or SystemClock().now().date()
    first = last - timedelta(days=days - 1)
    with uow:
        repo = EcommerceRepository(uow.session)
        per_day = repo.per_day(principal.economy, first, last)
        if not per_day:  # show the latest activity when nothing arrived in the window
            with uow:
                latest = repo.manifests(principal.economy, 1)
            if latest:
                last = latest[0].arrival_date
                first = last - timedelta(days=days - 1)
                per_day = repo.per_day(principal.economy, first, last)
        return {
            "first": first,
            "last": last,
            "per_day": [(d, n, float(duty or 0), float(tax or 0)) for d, n, duty, tax in per_day],
            "decisions": repo.by_decision(principal.economy, first, last),
            "chapters": repo.top_chapters(principal.economy, first, last, 8),
            "currency": regime_for(uow, principal.economy, last).currency,
        }


def chart_svgs(data: Mapping[str, Any]) -> dict[str, str]:
    from smartcustoms.ecommerce import charts

    days = [d.strftime("%m-%d") for d, *_ in data["per_day"]]
    ccy = data["currency"]
    return {
        "parcels": charts.columns(
            "Parcels per day",
            days,
            [("parcels", [n for _, n, _, _ in data["per_day"]], "#1565c0")],
            "chart-parcels",
        ),
        "decisions": charts.bars(
            "Decisions by kind",
            [(d.value, float(data["decisions"].get(d.value, 0))) for d in DECISION_ORDER],
            "chart-decisions",
            charts.COLOURS,
        ),
        "revenue": charts.columns(
            f"Duty and tax collected ({ccy})",
            days,
            [
                ("duty", [x for *_, x, _ in data["per_day"]], "#6d4c41"),
                ("tax", [x for *_, x in data["per_day"]], "#00838f"),
            ],
            "chart-revenue",
        ),
        "chapters": charts.bars(
            "Top HS chapters",
            [(f"chapter {c}", float(n)) for c, n in data["chapters"]],
            "chart-chapters",
        ),
    }
