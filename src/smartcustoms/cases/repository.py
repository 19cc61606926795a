"""Queries over the case tables. Never commits: the service owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Select, and_, delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from smartcustoms.cases.tables import CaseEventRow, CaseFacetRow, CaseRow, CaseVersionRow


class CasesRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: Any) -> None:
        self.session.add(row)

    def flush(self) -> None:
        self.session.flush()

    # --- single cases --------------------------------------------------------------------------

    def get(self, case_id: str) -> CaseRow | None:
        return self.session.get(CaseRow, case_id)

    def claim(self, row: CaseRow) -> bool:
        """Compare-and-set on the revision read: False when someone changed the case since.
        The UPDATE waits for a concurrent writer of the row and then sees its commit."""
        result = self.session.execute(
            update(CaseRow)
            .where(CaseRow.id == row.id, CaseRow.revision == row.revision)
            .values(revision=row.revision + 1)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            return False
        set_committed_value(row, "revision", row.revision + 1)
        return True

    def by_slug(self, slug: str) -> CaseRow | None:
        return self.session.scalars(select(CaseRow).where(CaseRow.slug == slug)).first()

    def slugs_like(self, stem: str) -> set[str]:
        rows = self.session.scalars(select(CaseRow.slug).where(CaseRow.slug.like(f"{stem}%")))
        return set(rows)

    def version(self, case_id: str, number: int | None) -> CaseVersionRow | None:
        if number is None:
            return None
        stmt = select(CaseVersionRow).where(
            CaseVersionRow.case_id == case_id, CaseVersionRow.number == number
        )
        return self.session.scalars(stmt).first()

    def version_numbers(self, case_id: str) -> list[int]:
        stmt = (
            select(CaseVersionRow.number)
            .where(CaseVersionRow.case_id == case_id)
            .order_by(CaseVersionRow.number)
        )
        return list(self.session.scalars(stmt))

    def last_version_number(self, case_id: str) -> int:
        stmt = select(func.max(CaseVersionRow.number)).where(CaseVersionRow.case_id == case_id)
        return int(self.session.scalar(stmt) or 0)

    def events(self, case_id: str) -> list[CaseEventRow]:
        stmt = (
            select(CaseEventRow)
            .where(CaseEventRow.case_id == case_id)
            .order_by(CaseEventRow.at, CaseEventRow.id)
        )
        return list(self.session.scalars(stmt))

    # --- facets of published cases -----------------------------------------------------------

    def set_facets(self, case_id: str, values: Iterable[tuple[str, str]]) -> None:
        self.clear_facets(case_id)
        for facet, value in dict.fromkeys(values):
            self.session.add(CaseFacetRow(case_id=case_id, facet=facet, value=value))

    def clear_facets(self, case_id: str) -> None:
        self.session.execute(delete(CaseFacetRow).where(CaseFacetRow.case_id == case_id))

    def published_ids_query(self, filters: Mapping[str, Sequence[str]]) -> Select[Any]:
        """Ids of published cases matching every facet filter (any value within a facet)."""
        stmt = select(CaseRow.id).where(CaseRow.published_version.is_not(None))
        for facet, values in filters.items():
            if values:
                stmt = stmt.where(
                    CaseRow.id.in_(
                        select(CaseFacetRow.case_id).where(
                            and_(CaseFacetRow.facet == facet, CaseFacetRow.value.in_(list(values)))
                        )
                    )
                )
        return stmt

    def published_ids(self, filters: Mapping[str, Sequence[str]]) -> list[str]:
        stmt = self.published_ids_query(filters).order_by(
            CaseRow.published_year.desc(), CaseRow.published_title, CaseRow.id
        )
        return list(self.session.scalars(stmt))

    def facet_counts(self, ids: Sequence[str] | Select[Any]) -> dict[str, list[tuple[str, int]]]:
        """Counts per facet value over the given cases, most frequent first."""
        within = ids if isinstance(ids, Select) else list(ids)
        stmt = (
            select(
                CaseFacetRow.facet,
                CaseFacetRow.value,
                func.count(func.distinct(CaseFacetRow.case_id)).label("n"),
            )
            .where(CaseFacetRow.case_id.in_(within))
            .group_by(CaseFacetRow.facet, CaseFacetRow.value)
        )
        out: dict[str, list[tuple[str, int]]] = {}
        for facet, value, n in self.session.execute(stmt):
            out.setdefault(facet, []).append((value, int(n)))
        for values in out.values():
            values.sort(key=lambda pair: (-pair[1], pair[0]))
        return out

    def facets_of(self, ids: Sequence[str]) -> dict[str, dict[str, set[str]]]:
        """Facet values per case (for similarity)."""
        out: dict[str, dict[str, set[str]]] = {}
        if not ids:
            return out
        stmt = select(CaseFacetRow.case_id, CaseFacetRow.facet, CaseFacetRow.value).where(
            CaseFacetRow.case_id.in_(list(ids))
        )
        for case_id, facet, value in self.session.execute(stmt):
            out.setdefault(case_id, {}).setdefault(facet, set()).add(value)
        return out

    # --- lists ---------------------------------------------------------------------------------

    def with_versions(
        self, ids: Sequence[str], which: str = "published"
    ) -> list[tuple[CaseRow, CaseVersionRow]]:
        """Cases joined to their published (or working) version, in the order of ``ids``."""
        if not ids:
            return []
        number = CaseRow.published_version if which == "published" else CaseRow.working_version
        stmt = (
            select(CaseRow, CaseVersionRow)
            .join(
                CaseVersionRow,
                and_(CaseVersionRow.case_id == CaseRow.id, CaseVersionRow.number == number),
            )
            .where(CaseRow.id.in_(list(ids)))
        )
        rows = {c.id: (c, v) for c, v in self.session.execute(stmt)}
        return [rows[i] for i in ids if i in rows]

    def working(
        self, economy: str, statuses: Sequence[str] | None = None, author: str | None = None
    ) -> list[tuple[CaseRow, CaseVersionRow]]:
        """An economy's cases with a version under edit or review, newest change first."""
        stmt = (
            select(CaseRow, CaseVersionRow)
            .join(
                CaseVersionRow,
                and_(
                    CaseVersionRow.case_id == CaseRow.id,
                    CaseVersionRow.number == CaseRow.working_version,
                ),
            )
            .where(CaseRow.economy_code == economy)
            .order_by(CaseRow.updated_at.desc(), CaseRow.id)
        )
        if statuses:
            stmt = stmt.where(CaseVersionRow.status.in_(list(statuses)))
        if author:
            stmt = stmt.where(CaseVersionRow.created_by == author)
        return [(c, v) for c, v in self.session.execute(stmt)]

    def published_for_year(self, year: int | None) -> list[tuple[CaseRow, CaseVersionRow]]:
        stmt = (
            select(CaseRow, CaseVersionRow)
            .join(
                CaseVersionRow,
                and_(
                    CaseVersionRow.case_id == CaseRow.id,
                    CaseVersionRow.number == CaseRow.published_version,
                ),
            )
            .order_by(CaseRow.economy_code, CaseRow.published_title, CaseRow.id)
        )
        if year is not None:
            stmt = stmt.where(CaseRow.published_year == year)
        return [(c, v) for c, v in self.session.execute(stmt)]

    def all_cases(self, economy: str | None = None) -> list[CaseRow]:
        stmt = select(CaseRow).order_by(CaseRow.economy_code, CaseRow.slug)
        if economy:
            stmt = stmt.where(CaseRow.economy_code == economy)
        return list(self.session.scalars(stmt))

    def count_published(self) -> int:
        stmt = (
            select(func.count()).select_from(CaseRow).where(CaseRow.published_version.is_not(None))
        )
        return int(self.session.scalar(stmt) or 0)
