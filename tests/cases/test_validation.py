"""Case validation: every problem at once, with JSON paths; text stays text."""

from __future__ import annotations

from typing import Any

import pytest

from smartcustoms.cases.validation import content_from_stored, content_to_dict, parse_content
from smartcustoms.errors import InvalidInput


def good(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Automated release of low-risk parcels",
        "economy": "KR",
        "year": 2026,
        "summary": "Parcels scored low-risk are released on arrival.",
        "problem": "Millions of parcels.",
        "solution": "A risk model.",
        "priority_areas": ["innovation"],
        "themes": ["cross-border-ecommerce"],
        "technologies": ["Machine learning"],
        "outcomes": [
            {
                "metric": "Release time",
                "before": "26",
                "after": 2,
                "unit": "hours",
                "source": "Annual report 2025",
            }
        ],
        "links": [{"title": "Report", "url": "https://example.org/report"}],
    }
    data.update(over)
    return data


def paths(exc: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    return {e.path: e.code for e in exc.value.errors}


def test_valid_content_is_normalised() -> None:
    content = parse_content(good(), known_economies={"KR"})
    assert content.technologies == ("machine-learning",)  # a label is accepted for its slug
    assert content.outcomes[0].before == 26.0
    assert content.outcomes[0].change == -24.0
    assert content.language == "en"


def test_every_problem_is_reported_with_its_path() -> None:
    bad = good(
        title="",
        year="next year",
        themes=["paperless-trade", "teleportation"],
        priority_areas=[],
        economy="XX",
        outcomes=[{"metric": "", "unit": "h", "source": "x"}],
        links=[{"title": "x", "url": "javascript:alert(1)"}],
        contacts=[{"name": "A", "email": "not-an-email"}],
        colour="blue",
        language="klingon",
    )
    with pytest.raises(InvalidInput) as exc:
        parse_content(bad, known_economies={"KR"})
    got = paths(exc)
    assert got["title"] == "required"
    assert got["year"] == "not_a_year"
    assert got["themes[1]"] == "unknown_theme"
    assert got["priority_areas"] == "required"
    assert got["economy"] == "unknown_economy"
    assert got["outcomes[0].metric"] == "required"
    assert got["outcomes[0]"] == "no_figure"
    assert got["links[0].url"] == "invalid_url"
    assert got["contacts[0].email"] == "invalid_email"
    assert got["colour"] == "unknown_field"
    assert got["language"] == "too_long" or got["language"] == "unknown_language"


def test_prefix_is_put_in_front_of_paths() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_content(good(title=None), prefix="kr.yaml:cases[2].")
    assert "kr.yaml:cases[2].title" in paths(exc)


def test_html_is_kept_as_plain_text() -> None:
    content = parse_content(good(title="<script>alert('x')</script> & co"))
    assert content.title == "<script>alert('x')</script> & co"


def test_control_characters_are_refused() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_content(good(summary="bad \x02 marker"))
    assert paths(exc)["summary"] == "control_character"


def test_round_trip_through_plain_data() -> None:
    content = parse_content(good(), known_economies={"KR"})
    assert content_from_stored(content_to_dict(content)) == content
    assert parse_content(content_to_dict(content)) == content
