"""Public aggregates: an economy publishes chosen figures for anyone to read without logging in.

A publication is a frozen snapshot taken when it is published, never a live query, and never
item-level: one row per partner, chapter, heading, mode, office or flow. Statistical
confidentiality: a row with fewer distinct declarants than the threshold is suppressed, and
when exactly one row is suppressed the next smallest is too (otherwise the total minus the
others would give it away). The total is suppressed when it is itself below the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from smartcustoms.accounts import service as accounts
from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core.clock import Clock
from smartcustoms.core.ids import new_id
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations import queries as declarations
from smartcustoms.errors import FieldError, InvalidInput, NotFound
from smartcustoms.stats import service
from smartcustoms.stats.model import By
from smartcustoms.stats.repository import StatsRepository
from smartcustoms.stats.schemas import jsonable
from smartcustoms.stats.tables import StatsPublicationRow

__all__ = [
    "PUBLISHABLE",
    "Publication",
    "get_published",
    "list_published",
    "publish",
    "unpublish",
]

PUBLISHABLE: dict[By, str] = {
    By.PARTNER: "partner",
    By.CHAPTER: "hs2",
    By.HEADING: "hs4",
    By.MODE: "mode",
    By.OFFICE: "office",
    By.FLOW: "kind",
    By.TOTAL: "total",
}
DEFAULT_THRESHOLD = 3
PUBLISHERS = (Role.ANALYST,)


@dataclass(frozen=True, slots=True)
class Publication:
    id: str
    economy: str
    title: str
    kind: str
    params: dict[str, Any]
    threshold: int
    payload: dict[str, Any]
    published_by: str
    published_at: datetime


def _out(row: StatsPublicationRow) -> Publication:
    return Publication(
        row.id,
        row.economy,
        row.title,
        row.kind,
        dict(row.params),
        row.threshold,
        dict(row.payload),
        row.published_by,
        row.published_at,
    )


def publish(
    uow: UnitOfWork,
    principal: Principal,
    *,
    title: str,
    period: str,
    by: str = "partner",
    flow: str = "total",
    threshold: int = DEFAULT_THRESHOLD,
    clock: Clock | None = None,
) -> Publication:
    principal.require(*PUBLISHERS)
    problems: list[FieldError] = []
    if not title.strip() or len(title) > 300:
        problems.append(FieldError("title", "required", "give a title of 1 to 300 characters"))
    if not 1 <= threshold <= 1000:
        problems.append(FieldError("threshold", "out_of_range", "threshold is 1 to 1000"))
    q: service.Query | None = None
    try:
        q = service.parse_query(by=by, flow=flow)
        if q.by not in PUBLISHABLE:
            problems.append(
                FieldError(
                    "by",
                    "not_publishable",
                    f"publish by one of {', '.join(b.value for b in PUBLISHABLE)}",
                )
            )
    except InvalidInput as exc:
        problems.extend(exc.errors)
    if problems:
        raise InvalidInput(problems)
    assert q is not None
    now = (clock or uow.clock).now()
    with uow:
        p = service.period_of(uow, principal.economy, period)
        result = service.trade_in(uow, principal, p, q, clock)
        counts = declarations.declarant_counts(
            uow, principal.economy, PUBLISHABLE[q.by], p.first, p.end_date, q.flow.kinds()
        )
        rows = [
            {
                "key": r.key,
                "label": r.label,
                "value": r.value,
                "value_usd": r.value_usd,
                "share_pct": r.share_pct,
                "suppressed": counts.get(r.key, 0) < threshold,
            }
            for r in result.rows
        ]
        hidden = [r for r in rows if r["suppressed"]]
        if len(hidden) == 1:
            shown = [r for r in rows if not r["suppressed"]]
            if shown:
                min(shown, key=lambda r: Decimal(str(r["value"])))["suppressed"] = True
        for r in rows:
            if r["suppressed"]:
                r["value"] = r["value_usd"] = r["share_pct"] = None
        total_hidden = sum(counts.values()) < threshold if q.by is By.TOTAL else (
            declarations.declarant_counts(
                uow, principal.economy, "total", p.first, p.end_date, q.flow.kinds()
            ).get("total", 0)
            < threshold
        )  # fmt: skip
        payload = jsonable(
            {
                "economy": result.economy,
                "currency": result.currency,
                "flow": q.flow,
                "by": q.by,
                "period": p,
                "total": None if total_hidden else result.total,
                "apec_share_pct": None if total_hidden else result.apec_share_pct,
                "rows": rows,
                "suppressed": sum(1 for r in rows if r["suppressed"]),
                "threshold": threshold,
            }
        )
        row = StatsPublicationRow(
            id=new_id(),
            economy=principal.economy,
            title=title.strip(),
            kind="trade",
            params={"period": p.code, "by": q.by.value, "flow": q.flow.value},
            threshold=threshold,
            payload=payload,
            published_by=principal.user_id,
            published_at=now,
        )
        StatsRepository(uow.session).add(row)
        uow.commit()
        return _out(row)


def _economy(uow: UnitOfWork, economy: str) -> str:
    code = (economy or "").strip().upper()
    try:
        accounts.get_economy(uow, code)
    except NotFound as exc:
        raise NotFound(f"no economy {code} publishes statistics here") from exc
    return code


def list_published(uow: UnitOfWork, economy: str) -> list[Publication]:
    """No login needed: only what the economy chose to publish."""
    with uow:
        code = _economy(uow, economy)
        return [_out(r) for r in StatsRepository(uow.session).publications(code)]


def get_published(uow: UnitOfWork, economy: str, publication_id: str) -> Publication:
    with uow:
        code = _economy(uow, economy)
        row = StatsRepository(uow.session).publication(code, publication_id)
        if row is None:
            raise NotFound(f"{code} has no publication {publication_id}")
        return _out(row)


def unpublish(uow: UnitOfWork, principal: Principal, publication_id: str) -> None:
    principal.require(*PUBLISHERS)
    with uow:
        repo = StatsRepository(uow.session)
        row = repo.publication(principal.economy, publication_id)
        if row is None:
            raise NotFound(f"no publication {publication_id}")
        repo.delete_publication(row)
        uow.commit()
