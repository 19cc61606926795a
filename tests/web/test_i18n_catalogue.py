"""en.json is the complete catalogue of the message ids the pages use."""

from __future__ import annotations

import json
from pathlib import Path

from smartcustoms.web import i18n, i18n_extract


def test_every_message_id_used_by_a_template_or_marked_in_python_is_in_en_json() -> None:
    lacking = i18n_extract.missing()
    assert not lacking, (
        "message ids missing from web/locale/en.json (run "
        "`python -m smartcustoms.web.i18n_extract --write`): "
        + "; ".join(f"{m!r} in {', '.join(sorted(w))}" for m, w in sorted(lacking.items()))
    )


def test_english_catalogue_maps_each_id_to_itself() -> None:
    catalogue = json.loads(i18n_extract.CATALOGUE.read_text(encoding="utf-8"))
    assert catalogue and all(k == v for k, v in catalogue.items())


def test_the_extractor_finds_a_missing_id(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(
        '{{ _("Known") }} {{ _("Not in the catalogue {n}", n=1) }} {{ _(variable) }}'
        '{# {{ _("in a comment") }} #}',
        encoding="utf-8",
    )
    found = i18n_extract.template_ids(tmp_path)
    assert set(found) == {"Known", "Not in the catalogue {n}"}


def test_python_marked_ids_are_found() -> None:
    ids = i18n_extract.python_ids()
    assert "Administration" in ids and "Not found" in ids  # main_nav and the error titles


def test_gettext_falls_back_to_english_and_fills_fields() -> None:
    assert i18n.gettext("Item {n}", n=2) == "Item 2"
    assert i18n.gettext("no such id", language="xx") == "no such id"
