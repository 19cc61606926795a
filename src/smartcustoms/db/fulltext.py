"""One full-text search interface over SQLite FTS5 and PostgreSQL tsvector/GIN.

Every feature that needs search (HS nomenclature, the case repository, ...) stores its
documents in the shared ``fts_documents`` table under its own ``kind``. The table is
created by migration ``0001`` with dialect-specific DDL, which is why it is not part of
the ORM metadata (see :data:`FTS_TABLE_PREFIX`, which Alembic's autogenerate ignores).

Queries are "any of the words" with relevance ranking (BM25 on SQLite, ``ts_rank_cd``
on PostgreSQL, title weighted above body), so a text that shares more and rarer words
with a document ranks it higher; highlighted snippets come back HTML-escaped with
``<mark>`` around the matches.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, bindparam, text
from sqlalchemy.orm import Session

FTS_TABLE = "fts_documents"
FTS_TABLE_PREFIX = "fts_documents"

# Control characters never occur in stored text, so they can mark highlights safely;
# they are swapped for <mark> only after the text around them has been escaped.
_OPEN, _CLOSE = "\x02", "\x03"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "kind UNINDEXED, doc_id UNINDEXED, title, body, tokenize='porter unicode61')"
)
POSTGRES_DDL = (
    f"CREATE TABLE {FTS_TABLE} ("
    "kind varchar(40) NOT NULL, doc_id varchar(64) NOT NULL, title text NOT NULL, "
    "body text NOT NULL, "
    "tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(body, '')), 'B')) STORED, "
    f"CONSTRAINT pk_{FTS_TABLE} PRIMARY KEY (kind, doc_id))",
    f"CREATE INDEX ix_{FTS_TABLE}_tsv ON {FTS_TABLE} USING gin (tsv)",
)


@dataclass(frozen=True, slots=True)
class Hit:
    doc_id: str
    score: float
    snippet_html: str

    @property
    def snippet(self) -> str:
        return html.unescape(re.sub(r"</?mark>", "", self.snippet_html))


def terms(query: str) -> list[str]:
    """The words of a query, lower-cased, without duplicates, in order."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(query.lower()):
        seen.setdefault(word, None)
    return list(seen)


def _render_snippet(raw: str) -> str:
    escaped = html.escape(raw, quote=False)
    return escaped.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")


class FullTextIndex:
    """Search documents of one ``kind``; never commits (the service owns the transaction)."""

    def __init__(self, session: Session, kind: str) -> None:
        self._session = session
        self._kind = kind
        self._dialect = session.get_bind().dialect.name

    def replace(self, doc_id: str, title: str, body: str) -> None:
        self.delete([doc_id])
        self.add_many([(doc_id, title, body)])

    def add_many(self, docs: Iterable[tuple[str, str, str]]) -> None:
        rows = [
            {"kind": self._kind, "doc_id": d, "title": _clean(t), "body": _clean(b)}
            for d, t, b in docs
        ]
        if rows:
            self._session.execute(
                text(
                    f"INSERT INTO {FTS_TABLE} (kind, doc_id, title, body) "
                    "VALUES (:kind, :doc_id, :title, :body)"
                ),
                rows,
            )

    def delete(self, doc_ids: Iterable[str]) -> None:
        ids = list(doc_ids)
        if ids:
            stmt = text(
                f"DELETE FROM {FTS_TABLE} WHERE kind = :kind AND doc_id IN :ids"
            ).bindparams(bindparam("ids", expanding=True))
            self._session.execute(stmt, {"kind": self._kind, "ids": ids})

    def clear(self) -> None:
        self._session.execute(
            text(f"DELETE FROM {FTS_TABLE} WHERE kind = :kind"), {"kind": self._kind}
        )

    def search(self, query: str, limit: int = 20, within: Iterable[str] | None = None) -> list[Hit]:
        words = terms(query)
        if not words:
            return []
        restrict = list(within) if within is not None else None
        if restrict is not None and not restrict:
            return []
        if self._dialect == "sqlite":
            return self._search_sqlite(words, limit, restrict)
        return self._search_postgres(words, limit, restrict)

    def _search_sqlite(self, words: list[str], limit: int, within: list[str] | None) -> list[Hit]:
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        select = (
            f"SELECT doc_id, bm25({FTS_TABLE}, 0.0, 0.0, 4.0, 1.0) AS rank, "
            f"snippet({FTS_TABLE}, -1, :open, :close, '…', 16) AS snip "
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match AND kind = :kind "
        )
        params: dict[str, object] = {"match": match, "open": _OPEN, "close": _CLOSE}
        rows = self._run(select, "ORDER BY rank", params, limit, within)
        # bm25() is "lower is better"; flip it so every backend reports "higher is better".
        return [Hit(r.doc_id, -float(r.rank), _render_snippet(r.snip or "")) for r in rows]

    def _search_postgres(self, words: list[str], limit: int, within: list[str] | None) -> list[Hit]:
        # One plainto_tsquery per word, OR-ed: documents sharing more (and rarer) words rank higher.
        tsquery = " || ".join(f"plainto_tsquery('english', :w{i})" for i in range(len(words)))
        select = (
            f"SELECT doc_id, ts_rank_cd(tsv, q, 32) AS rank, "
            f"ts_headline('english', title || ' — ' || body, q, :options) AS snip "
            f"FROM {FTS_TABLE}, (SELECT ({tsquery}) AS q) AS query "
            "WHERE tsv @@ q AND kind = :kind "
        )
        params: dict[str, object] = {f"w{i}": w for i, w in enumerate(words)}
        params["options"] = (
            f"StartSel={_OPEN}, StopSel={_CLOSE}, MaxWords=30, MinWords=12, MaxFragments=2"
        )
        rows = self._run(select, "ORDER BY rank DESC, doc_id", params, limit, within)
        return [Hit(r.doc_id, float(r.rank), _render_snippet(r.snip or "")) for r in rows]

    def _run(
        self,
        select: str,
        order: str,
        params: dict[str, object],
        limit: int,
        within: list[str] | None,
    ) -> Sequence[Row[Any]]:
        sql = select + ("AND doc_id IN :ids " if within is not None else "")
        stmt = text(f"{sql}{order} LIMIT :limit")
        params = {**params, "kind": self._kind, "limit": limit}
        if within is not None:
            stmt = stmt.bindparams(bindparam("ids", expanding=True))
            params["ids"] = within
        return self._session.execute(stmt, params).all()


def _clean(value: str) -> str:
    return value.replace(_OPEN, "").replace(_CLOSE, "")


def create_fulltext_table(dialect: str) -> list[str]:
    """The DDL statements migration 0001 runs for this dialect."""
    return [SQLITE_DDL] if dialect == "sqlite" else list(POSTGRES_DDL)
