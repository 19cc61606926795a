"""Queries on tariff schedules. Never commits."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from smartcustoms.tariff.model import (
    DeMinimisScope,
    ScheduleSettings,
    SpecificUnit,
    TariffLine,
    TariffSchedule,
)
from smartcustoms.tariff.tables import TariffLineRow, TariffScheduleRow


class TariffRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def settings_row(self, economy: str) -> TariffScheduleRow | None:
        return self.session.get(TariffScheduleRow, economy)

    def schedule(self, economy: str) -> TariffSchedule | None:
        row = self.settings_row(economy)
        if row is None:
            return None
        lines = self.session.scalars(
            select(TariffLineRow).where(TariffLineRow.economy == economy)
        ).all()
        return TariffSchedule(settings_from_row(row), (line_from_row(r) for r in lines))

    def economies(self) -> list[str]:
        return list(
            self.session.scalars(
                select(TariffScheduleRow.economy).order_by(TariffScheduleRow.economy)
            )
        )

    def line_count(self, economy: str) -> int:
        from sqlalchemy import func

        stmt = (
            select(func.count()).select_from(TariffLineRow).where(TariffLineRow.economy == economy)
        )
        return int(self.session.scalar(stmt) or 0)

    def replace_lines(self, economy: str, lines: Iterable[TariffLine]) -> int:
        self.session.execute(delete(TariffLineRow).where(TariffLineRow.economy == economy))
        rows = [
            {
                "economy": economy,
                "hs_prefix": ln.hs_prefix,
                "rate_type": ln.rate_type,
                "ad_valorem": ln.ad_valorem,
                "specific_amount": ln.specific_amount,
                "specific_unit": ln.specific_unit.value if ln.specific_unit else None,
                "origins": " ".join(sorted(ln.origins)),
                "description": ln.description,
            }
            for ln in lines
        ]
        for start in range(0, len(rows), 2000):
            self.session.execute(insert(TariffLineRow), rows[start : start + 2000])
        return len(rows)


def settings_from_row(row: TariffScheduleRow) -> ScheduleSettings:
    return ScheduleSettings(
        economy=row.economy,
        vat_rate=row.vat_rate,
        de_minimis_amount=row.de_minimis_amount,
        de_minimis_currency=row.de_minimis_currency,
        de_minimis_scope=DeMinimisScope(row.de_minimis_scope),
        default_rate_type=row.default_rate_type,
        source=row.source,
    )


def line_from_row(row: TariffLineRow) -> TariffLine:
    return TariffLine(
        hs_prefix=row.hs_prefix,
        rate_type=row.rate_type,
        ad_valorem=row.ad_valorem,
        specific_amount=row.specific_amount,
        specific_unit=SpecificUnit(row.specific_unit) if row.specific_unit else None,
        origins=frozenset(row.origins.split()),
        description=row.description,
    )
