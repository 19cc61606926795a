"""Search ranking, snippets, facets and filters, similar cases (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from smartcustoms.cases import examples, search, service
from smartcustoms.errors import InvalidInput
from tests.cases.helpers import principal
from tests.factories import case_data


def publish(db, who, km, **over):  # type: ignore[no-untyped-def]
    uow = db.uow()
    case = service.create_case(uow, who, case_data(**over))
    service.submit_case(uow, who, case.id)
    return service.approve_case(uow, km, case.id)


@pytest.fixture
def corpus(db, actors):  # type: ignore[no-untyped-def]
    kr, kr_km = (principal(db, actors.user("KR", r)) for r in ("officer", "knowledge_manager"))
    sg, sg_km = (principal(db, actors.user("SG", r)) for r in ("officer", "knowledge_manager"))
    cases = {
        "scan": publish(
            db,
            kr,
            kr_km,
            title="Container scan image analysis",
            summary="Scanner images are read by software.",
            problem="Too many scan images to read by eye.",
            solution="Computer vision flags anomalies in each scan image.",
            themes=["non-intrusive-inspection"],
            technologies=["xray-ct-image-analysis", "computer-vision"],
            year=2025,
        ),
        "parcels": publish(
            db, kr, kr_km, solution="Risk scoring, with an image check of parcels at the hub."
        ),
        "window": publish(
            db,
            sg,
            sg_km,
            title="Single window for permits",
            summary="One submission for every agency.",
            problem="Paper forms.",
            solution="An electronic single window.",
            themes=["single-window"],
            technologies=["single-window-platform"],
            priority_areas=["openness", "cooperation"],
            outcomes=[],
        ),
    }
    # A draft that mentions "image" everywhere must never show up.
    service.create_case(db.uow(), kr, case_data(title="Draft image image image"))
    return cases


def test_ranking_snippets_and_facets(db, corpus) -> None:  # type: ignore[no-untyped-def]
    page = search.search(db.uow(), "image")
    slugs = [r.case.slug for r in page.results]
    assert slugs == [corpus["scan"].slug, corpus["parcels"].slug]  # title match ranks first
    assert "<mark>" in page.results[0].snippet_html
    assert page.results[0].score > page.results[1].score
    facets = {k: {v.value: v.count for v in vs} for k, vs in page.facets.items()}
    assert facets["economy"] == {"KR": 2}
    assert facets["year"] == {"2025": 1, "2026": 1}
    assert facets["technology"]["machine-learning"] == 1
    assert facets["theme"]["non-intrusive-inspection"] == 1


def test_filters_and_facets_without_query(db, corpus) -> None:  # type: ignore[no-untyped-def]
    page = search.search(db.uow(), "", {"economy": ["kr"]})
    assert page.total == 2 and page.filters == {"economy": ("KR",)}
    facets = {k: {v.value: (v.count, v.selected) for v in vs} for k, vs in page.facets.items()}
    assert facets["economy"] == {"KR": (2, True)}
    assert facets["priority_area"] == {"innovation": (2, False)}

    page = search.search(db.uow(), "", {"priority_area": ["cooperation"], "year": ["2026"]})
    assert [r.case.slug for r in page.results] == [corpus["window"].slug]
    assert page.results[0].snippet_html == "One submission for every agency."

    page = search.search(db.uow(), "image", {"theme": ["single-window"]})
    assert page.total == 0
    assert search.search(db.uow(), "").total == 3


def test_unknown_filters_are_errors(db, corpus) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as exc:
        search.search(db.uow(), "", {"theme": ["time-travel"], "colour": ["red"], "year": ["soon"]})
    assert {e.code for e in exc.value.errors} == {"unknown_theme", "unknown_facet", "not_a_year"}


def test_similar_cases(db, corpus) -> None:  # type: ignore[no-untyped-def]
    similar = search.similar_cases(db.uow(), corpus["parcels"].id)
    assert similar[0].case.id == corpus["scan"].id or similar[0].shared_themes
    ids = [s.case.id for s in similar]
    assert corpus["parcels"].id not in ids
    # The window case shares neither theme nor technology with the parcels case: ranked last.
    if corpus["window"].id in ids:
        assert ids[-1] == corpus["window"].id
    scan = search.similar_cases(db.uow(), corpus["scan"].id)
    assert scan[0].case.id == corpus["parcels"].id


def test_examples_answer_the_image_question(db) -> None:  # type: ignore[no-untyped-def]
    examples.load_examples(db.uow())
    page = search.search(db.uow(), "image")
    assert page.results[0].case.slug == "example-cn-intelligent-image-review"
    assert "<mark>" in page.results[0].snippet_html
    assert page.facets["economy"]
