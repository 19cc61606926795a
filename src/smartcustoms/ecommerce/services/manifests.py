"""Manifests as jobs: open (idempotent on the content), process chunk by chunk in one
transaction (all-or-nothing, or store the good parcels), finish, and read back."""

from __future__ import annotations

import csv
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd

from smartcustoms.accounts.model import Principal
from smartcustoms.core.clock import Clock
from smartcustoms.core.ids import new_id
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.ecommerce import engine
from smartcustoms.ecommerce.model import (
    DECISION_ORDER,
    BadParcel,
    ManifestOutcome,
)
from smartcustoms.ecommerce.reader import Source, detect_format, digest, iter_chunks, read_manifest
from smartcustoms.ecommerce.repository import EcommerceRepository
from smartcustoms.ecommerce.services.access import (
    CHUNK,
    LODGERS,
    MAX_ERRORS_KEPT,
    OFFICERS,
    Progress,
)
from smartcustoms.ecommerce.services.context import build_context, prior_state
from smartcustoms.ecommerce.services.regimes import regime_for
from smartcustoms.ecommerce.tables import (
    EcomManifestRow,
)
from smartcustoms.errors import (
    NotFound,
)

__all__ = ["manifest", "manifests", "open_manifest", "process_manifest", "submit_manifest"]


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
    clock = clock or uow.clock
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
    clock = clock or uow.clock
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
