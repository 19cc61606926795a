"""en.json is the complete catalogue of the message ids the pages use; counted messages have
their plural forms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smartcustoms.accounts.model import Role
from smartcustoms.cases.model import CaseStatus, ReviewAction
from smartcustoms.declarations.model import Kind, Lane, Status
from smartcustoms.stats.model import By, Flow
from smartcustoms.web import i18n, i18n_extract, vocabulary


def test_every_message_id_used_by_a_template_or_marked_in_python_is_in_en_json() -> None:
    lacking = i18n_extract.missing()
    assert not lacking, (
        "message ids missing from web/locale/en.json (run "
        "`python -m smartcustoms.web.i18n_extract --write`): "
        + "; ".join(f"{m!r} in {', '.join(sorted(w))}" for m, w in sorted(lacking.items()))
    )


def test_english_catalogue_maps_each_id_to_itself_and_counted_ones_to_their_forms() -> None:
    catalogue = json.loads(i18n_extract.CATALOGUE.read_text(encoding="utf-8"))
    plurals = i18n_extract.plurals()
    assert catalogue and plurals
    for key, value in catalogue.items():
        assert value == ([key, plurals[key]] if key in plurals else key)


def test_the_extractor_finds_a_missing_id(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(
        '{{ _("Known") }} {{ _("Not in the catalogue {n}", n=1) }} {{ _(variable) }}'
        '{{ _n("{n} row", "{n} rows", count) }}{# {{ _("in a comment") }} #}',
        encoding="utf-8",
    )
    found = i18n_extract.template_ids(tmp_path)
    assert set(found) == {"Known", "Not in the catalogue {n}", "{n} row"}


def test_python_marked_and_translated_ids_are_found() -> None:
    ids = i18n_extract.python_ids()
    assert "Administration" in ids and "Not found" in ids  # main_nav and the error titles
    assert "Mean fraud score per week" in ids  # a chart title translated where it is built
    assert "Totals" not in ids and "Totals" in i18n_extract.template_ids()  # the stats report


def test_gettext_falls_back_to_english_and_fills_fields() -> None:
    assert i18n.gettext("Item {n}", n=2) == "Item 2"
    assert i18n.gettext("no such id", language="xx") == "no such id"


def test_ngettext_picks_the_english_form_by_count() -> None:
    one, many = "{n} declaration", "{n} declarations"
    assert i18n.ngettext(one, many, 1) == "1 declaration"
    assert [i18n.ngettext(one, many, n) for n in (0, 2, 21)] == [
        "0 declarations",
        "2 declarations",
        "21 declarations",
    ]
    assert i18n.ngettext("{n} case matching “{q}”", "{n} cases matching “{q}”", 3, q="x") == (
        "3 cases matching “x”"
    )


@pytest.mark.parametrize(
    ("language", "counts", "forms"),
    [
        ("en", (0, 1, 2, 11), (1, 0, 1, 1)),
        ("fr", (0, 1, 2), (0, 0, 1)),
        ("zh", (0, 1, 5), (0, 0, 0)),
        ("ru", (1, 2, 5, 11, 21, 22, 25, 112), (0, 1, 2, 2, 0, 1, 2, 2)),
        ("pt-BR", (1, 2), (0, 1)),  # a language without its own rule counts like English
    ],
)
def test_plural_rules(language: str, counts: tuple[int, ...], forms: tuple[int, ...]) -> None:
    assert tuple(i18n.plural_index(n, language) for n in counts) == forms


def test_a_translation_gives_as_many_forms_as_its_language_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ru.json").write_text(
        json.dumps(
            {
                "{n} declaration": ["{n} декларация", "{n} декларации", "{n} деклараций"],
                "Declarations": "Декларации",
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        one, many = "{n} declaration", "{n} declarations"
        assert [i18n.ngettext(one, many, n, "ru") for n in (1, 3, 5)] == [
            "1 декларация",
            "3 декларации",
            "5 деклараций",
        ]
        assert i18n.gettext("Declarations", "ru") == "Декларации"
        # an id the language lacks falls back to the English forms and rule
        assert i18n.ngettext("{n} case", "{n} cases", 5, "ru") == "5 cases"
        # a counted id is not a plain text: gettext gives the id back, never a list
        assert i18n.gettext("{n} declaration", "ru") == "{n} declaration"
    finally:
        i18n.catalogue.cache_clear()


@pytest.mark.parametrize(
    ("words", "values"),
    [
        (vocabulary.STATUSES, list(Status)),
        (vocabulary.STATUSES, list(CaseStatus)),
        (vocabulary.LANES, list(Lane)),
        (vocabulary.KINDS, list(Kind)),
        (vocabulary.ROLES, list(Role)),
        (vocabulary.BREAKDOWNS, list(By)),
        (vocabulary.FLOWS, list(Flow)),
        (vocabulary.CASE_ACTIONS, list(ReviewAction)),
    ],
)
def test_every_stored_value_a_page_shows_has_its_words(
    words: dict[str, str], values: list[str]
) -> None:
    assert set(values) <= set(words)
    catalogue = i18n.catalogue()
    assert all(word in catalogue for word in words.values())
