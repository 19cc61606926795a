"""Queries on declarations. Never commits; the service owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from smartcustoms.core.pagination import PageRequest
from smartcustoms.db.bulk import insert_many
from smartcustoms.declarations.model import ListFilters
from smartcustoms.declarations.tables import (
    BATCH_LOADING,
    AssessorConfigRow,
    DeclarationDocumentRow,
    DeclarationItemRow,
    DeclarationRow,
    DeclarationVersionRow,
    ImportBatchRow,
    InspectionResultRow,
)


class DeclarationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, declaration_id: str, *, lock: bool = False) -> DeclarationRow | None:
        stmt = select(DeclarationRow).where(DeclarationRow.id == declaration_id)
        if lock:
            stmt = stmt.with_for_update()
        return self.session.scalars(stmt).one_or_none()

    def claim(self, row: DeclarationRow, at: Any) -> bool:
        """Compare-and-set: take ``row`` for a state change only if its status and version are
        still those read. The UPDATE waits for any concurrent writer of the row (a row lock on
        PostgreSQL, the write lock on SQLite) and then sees its committed state, so of two
        concurrent changes exactly one claims the row; False for the loser."""
        D = DeclarationRow
        result = self.session.execute(
            update(D)
            .where(D.id == row.id, D.status == row.status, D.version == row.version)
            .values(updated_at=at)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def by_reference(self, economy: str, lodged_by: str, reference: str) -> DeclarationRow | None:
        return self.session.scalars(
            select(DeclarationRow).where(
                DeclarationRow.economy == economy,
                DeclarationRow.lodged_by == lodged_by,
                DeclarationRow.reference == reference,
            )
        ).one_or_none()

    def existing_references(
        self, economy: str, lodged_by: str, references: Iterable[str]
    ) -> dict[str, tuple[str, str]]:
        """reference -> (id, submission hash) for those already lodged."""
        refs = list(references)
        out: dict[str, tuple[str, str]] = {}
        for start in range(0, len(refs), 900):
            chunk = refs[start : start + 900]
            rows = self.session.execute(
                select(
                    DeclarationRow.reference, DeclarationRow.id, DeclarationRow.submission_hash
                ).where(
                    DeclarationRow.economy == economy,
                    DeclarationRow.lodged_by == lodged_by,
                    DeclarationRow.reference.in_(chunk),
                )
            )
            out.update({r.reference: (r.id, r.submission_hash) for r in rows})
        return out

    def add(self, row: DeclarationRow) -> None:
        self.session.add(row)

    def set_items(self, declaration_id: str, items: Sequence[dict[str, Any]]) -> None:
        self.session.query(DeclarationItemRow).filter(
            DeclarationItemRow.declaration_id == declaration_id
        ).delete()
        if items:
            self.session.execute(insert(DeclarationItemRow), list(items))

    def add_version(self, row: DeclarationVersionRow) -> None:
        self.session.add(row)

    def versions(self, declaration_id: str) -> list[DeclarationVersionRow]:
        return list(
            self.session.scalars(
                select(DeclarationVersionRow)
                .where(DeclarationVersionRow.declaration_id == declaration_id)
                .order_by(DeclarationVersionRow.version)
            )
        )

    def add_inspection(self, row: InspectionResultRow) -> None:
        self.session.add(row)

    def inspections(self, declaration_id: str) -> list[InspectionResultRow]:
        return list(
            self.session.scalars(
                select(InspectionResultRow)
                .where(InspectionResultRow.declaration_id == declaration_id)
                .order_by(InspectionResultRow.recorded_at)
            )
        )

    def bulk_insert(
        self,
        declarations: list[dict[str, Any]],
        items: list[dict[str, Any]],
        inspections: list[dict[str, Any]],
    ) -> None:
        """Store a lodged batch (plain dicts keyed by column, JSON columns as Python objects)
        with the bulk writer: ``executemany`` on SQLite, ``COPY`` on PostgreSQL, in this
        transaction; NUL anywhere refuses the whole batch before a row is written."""
        insert_many(
            self.session,
            [
                (DeclarationRow, declarations),
                (DeclarationItemRow, items),
                (InspectionResultRow, inspections),
            ],
        )

    def add_batch(self, row: ImportBatchRow) -> None:
        self.session.add(row)

    def batch(self, batch_id: str, *, lock: bool = False) -> ImportBatchRow | None:
        stmt = select(ImportBatchRow).where(ImportBatchRow.id == batch_id)
        if lock:
            stmt = stmt.with_for_update()
        return self.session.scalars(stmt).one_or_none()

    def unfinished_batch(
        self, economy: str, created_by: str, profile: str, file_sha256: str
    ) -> ImportBatchRow | None:
        """The latest import of this file by this account that did not complete."""
        return self.session.scalars(
            select(ImportBatchRow)
            .where(
                ImportBatchRow.economy == economy,
                ImportBatchRow.created_by == created_by,
                ImportBatchRow.profile == profile,
                ImportBatchRow.file_sha256 == file_sha256,
                ImportBatchRow.status == BATCH_LOADING,
            )
            .order_by(ImportBatchRow.created_at.desc())
            .limit(1)
        ).one_or_none()

    def search(
        self, economy: str, lodged_by: str | None, f: ListFilters, page: PageRequest
    ) -> tuple[list[DeclarationRow], int]:
        D = DeclarationRow
        conditions: list[Any] = [D.economy == economy, _not_loading()]
        if lodged_by is not None:
            conditions.append(D.lodged_by == lodged_by)
        if f.status is not None:
            conditions.append(D.status == f.status.value)
        if f.lane is not None:
            conditions.append(D.lane == f.lane.value)
        if f.date_from is not None:
            conditions.append(D.declaration_date >= f.date_from)
        if f.date_to is not None:
            conditions.append(D.declaration_date <= f.date_to)
        if f.reference:
            conditions.append(D.reference == f.reference)
        if f.party:
            conditions.append(
                or_(D.declarant_id == f.party, D.trader_id == f.party, D.partner_id == f.party)
            )
        if f.hs_prefix:
            conditions.append(
                exists().where(
                    DeclarationItemRow.declaration_id == D.id,
                    DeclarationItemRow.hs_code.startswith(f.hs_prefix, autoescape=True),
                )
            )
        total = int(
            self.session.scalar(select(func.count()).select_from(D).where(*conditions)) or 0
        )
        rows = self.session.scalars(
            select(D)
            .where(*conditions)
            .order_by(D.declaration_date.desc(), D.created_at.desc(), D.id)
            .offset(page.offset)
            .limit(page.size)
        ).all()
        return list(rows), total

    def hs_codes(self, declaration_ids: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {i: [] for i in declaration_ids}
        if not declaration_ids:
            return out
        rows = self.session.execute(
            select(DeclarationItemRow.declaration_id, DeclarationItemRow.hs_code)
            .where(DeclarationItemRow.declaration_id.in_(list(declaration_ids)))
            .order_by(DeclarationItemRow.declaration_id, DeclarationItemRow.line_no)
        )
        for r in rows:
            out[r.declaration_id].append(r.hs_code)
        return out

    def status_counts(self, economy: str, lodged_by: str | None) -> dict[str, int]:
        stmt = select(DeclarationRow.status, func.count()).where(
            DeclarationRow.economy == economy, _not_loading()
        )
        if lodged_by is not None:
            stmt = stmt.where(DeclarationRow.lodged_by == lodged_by)
        rows = self.session.execute(stmt.group_by(DeclarationRow.status)).all()
        return {str(status): int(n) for status, n in rows}

    def assessor_config(self, economy: str) -> AssessorConfigRow | None:
        return self.session.get(AssessorConfigRow, economy)

    def save_assessor_config(self, row: AssessorConfigRow) -> None:
        self.session.merge(row)


def _not_loading() -> Any:
    """Leave out the rows of an import batch still being stored (killed half-way, or running):
    lists and counts show an import once it is complete. Reads by id and the risk frames (which
    an assessed import reads chunk after chunk, like live lodgements) still see them."""
    loading = select(ImportBatchRow.id).where(ImportBatchRow.status == BATCH_LOADING)
    return or_(DeclarationRow.batch_id.is_(None), DeclarationRow.batch_id.not_in(loading))


class DocumentRepository:
    """The supporting documents of declarations (rows only; the bytes are in the file store)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: DeclarationDocumentRow) -> None:
        self.session.add(row)
        self.session.flush()

    def get(self, declaration_id: str, document_id: str) -> DeclarationDocumentRow | None:
        D = DeclarationDocumentRow
        return self.session.scalars(
            select(D).where(D.id == document_id, D.declaration_id == declaration_id)
        ).one_or_none()

    def of_declaration(self, declaration_id: str) -> list[DeclarationDocumentRow]:
        D = DeclarationDocumentRow
        return list(
            self.session.scalars(
                select(D).where(D.declaration_id == declaration_id).order_by(D.uploaded_at, D.id)
            )
        )

    def count(self, declaration_id: str) -> int:
        D = DeclarationDocumentRow
        return int(
            self.session.scalar(
                select(func.count()).select_from(D).where(D.declaration_id == declaration_id)
            )
            or 0
        )

    def delete(self, row: DeclarationDocumentRow) -> None:
        self.session.delete(row)
        self.session.flush()
