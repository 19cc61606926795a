"""Search the published cases: full text, facets with counts, filters, similar cases.

Only published versions are indexed (kind ``cases`` in the shared full-text table) and only
they have facet rows, so nothing here can leak a draft. Facet counts are one GROUP BY over
the filtered (and, with a query, matching) cases.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from smartcustoms.accounts.model import Principal
from smartcustoms.cases import service
from smartcustoms.cases.model import (
    FACETS,
    PRIORITY_AREAS,
    TECHNOLOGIES,
    THEMES,
    FacetValue,
    SearchPage,
    SearchResult,
    SimilarCase,
    facet_label,
)
from smartcustoms.cases.repository import CasesRepository
from smartcustoms.core import codes
from smartcustoms.core.pagination import PageRequest
from smartcustoms.db.fulltext import FullTextIndex, terms
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import FieldError, InvalidInput

SNIPPET_CHARS = 240
_VOCABS = {"priority_area": PRIORITY_AREAS, "theme": THEMES, "technology": TECHNOLOGIES}


def clean_filters(filters: Mapping[str, Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    """Check filter names and values; unknown ones are errors, not silently empty results."""
    out: dict[str, tuple[str, ...]] = {}
    errors: list[FieldError] = []
    for facet, raw_values in (filters or {}).items():
        if facet not in FACETS:
            errors.append(
                FieldError(
                    facet, "unknown_facet", f"'{facet}' is not a filter; use {', '.join(FACETS)}"
                )
            )
            continue
        values: list[str] = []
        for i, raw in enumerate(raw_values):
            value = str(raw).strip()
            if not value:
                continue
            if facet == "economy":
                value = value.upper()
                if len(value) != 2 or not value.isalpha():
                    errors.append(
                        FieldError(
                            f"{facet}[{i}]",
                            "unknown_economy",
                            f"'{raw}' is not an economy code such as KR",
                        )
                    )
                    continue
            elif facet == "year":
                if not value.isdigit():
                    errors.append(
                        FieldError(f"{facet}[{i}]", "not_a_year", f"'{raw}' is not a year")
                    )
                    continue
            else:
                value = value.lower()
                if value not in _VOCABS[facet]:
                    errors.append(
                        FieldError(
                            f"{facet}[{i}]",
                            f"unknown_{facet}",
                            f"'{raw}' is not a known {facet.replace('_', ' ')}; use one of: "
                            + ", ".join(_VOCABS[facet]),
                        )
                    )
                    continue
            if value not in values:
                values.append(value)
        if values:
            out[facet] = tuple(values)
    if errors:
        raise InvalidInput(errors)
    return out


def _label(facet: str, value: str) -> str:
    if facet == "economy":
        economy = codes.apec_economy(value)
        return economy.name if economy else (codes.country_name(value) or value)
    return facet_label(facet, value)


def _facets(
    counts: Mapping[str, list[tuple[str, int]]], filters: Mapping[str, Sequence[str]]
) -> dict[str, tuple[FacetValue, ...]]:
    out: dict[str, tuple[FacetValue, ...]] = {}
    for facet in FACETS:
        pairs = list(counts.get(facet, []))
        chosen = set(filters.get(facet, ()))
        # A selected value stays visible (with 0) so the user can unselect it.
        pairs += [(v, 0) for v in chosen if v not in {p[0] for p in pairs}]
        if facet == "year":
            pairs.sort(key=lambda p: p[0], reverse=True)
        out[facet] = tuple(FacetValue(v, _label(facet, v), n, v in chosen) for v, n in pairs)
    return out


def _plain_snippet(summary: str) -> str:
    text = (
        summary
        if len(summary) <= SNIPPET_CHARS
        else summary[:SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"
    )
    return html.escape(text, quote=False)


def search(
    uow: UnitOfWork,
    query: str = "",
    filters: Mapping[str, Sequence[str]] | None = None,
    page: PageRequest | None = None,
) -> SearchPage:
    """Published cases matching ``query`` (any of its words, ranked) and every filter."""
    page = page or PageRequest(1, 20)
    chosen = clean_filters(filters)
    with uow:
        repo = CasesRepository(uow.session)
        scores: dict[str, float] = {}
        snippets: dict[str, str] = {}
        if terms(query):
            # The index holds published cases only, so without filters no restriction is needed.
            within = repo.published_ids(chosen) if chosen else None
            limit = len(within) if within is not None else max(1, repo.count_published())
            hits = FullTextIndex(uow.session, service.FTS_KIND).search(query, limit, within)
            ids = [h.doc_id for h in hits]
            scores = {h.doc_id: h.score for h in hits}
            snippets = {h.doc_id: h.snippet_html for h in hits}
            counts = repo.facet_counts(ids)
        else:
            ids = repo.published_ids(chosen)
            counts = repo.facet_counts(repo.published_ids_query(chosen))
        window = ids[page.offset : page.offset + page.size]
        results = []
        for case, version in repo.with_versions(window):
            summary = service.summary_from_rows(case, version)
            results.append(
                SearchResult(
                    summary,
                    scores.get(case.id, 0.0),
                    snippets.get(case.id) or _plain_snippet(summary.summary),
                )
            )
        return SearchPage(
            query=query,
            results=tuple(results),
            total=len(ids),
            page=page.page,
            size=page.size,
            facets=_facets(counts, chosen),
            filters=chosen,
        )


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def similar_cases(
    uow: UnitOfWork, ref: str, principal: Principal | None = None, limit: int = 5
) -> list[SimilarCase]:
    """Published cases most like this one: shared themes and technologies, plus shared words."""
    case = service.get_case(uow, ref, principal)
    content = case.content if case.published else case.current.content
    themes, techs, areas = (
        set(content.themes),
        set(content.technologies),
        set(content.priority_areas),
    )
    with uow:
        repo = CasesRepository(uow.session)
        others = [i for i in repo.published_ids({}) if i != case.id]
        if not others:
            return []
        facets = repo.facets_of(others)
        hits = FullTextIndex(uow.session, service.FTS_KIND).search(
            f"{content.title} {content.summary}", len(others), others
        )
        top = max((h.score for h in hits), default=0.0)
        text_score = {h.doc_id: (h.score / top if top > 0 else 0.0) for h in hits}
        scored: list[tuple[float, str]] = []
        for other in others:
            f = facets.get(other, {})
            # Weights: a shared theme says most about reuse, technology next, wording last.
            score = (
                0.35 * _jaccard(themes, f.get("theme", set()))
                + 0.25 * _jaccard(techs, f.get("technology", set()))
                + 0.10 * _jaccard(areas, f.get("priority_area", set()))
                + 0.30 * text_score.get(other, 0.0)
            )
            if score > 0:
                scored.append((score, other))
        scored.sort(key=lambda p: (-p[0], p[1]))
        chosen = scored[:limit]
        rows = {c.id: (c, v) for c, v in repo.with_versions([i for _, i in chosen])}
        out = []
        for score, other in chosen:
            c, v = rows[other]
            summary = service.summary_from_rows(c, v)
            out.append(
                SimilarCase(
                    summary,
                    round(score, 4),
                    tuple(sorted(themes & set(summary.themes))),
                    tuple(sorted(techs & set(summary.technologies))),
                )
            )
        return out
