"""Every user-facing text of the pages goes through one catalogue, English first.

Templates write ``{{ _("Declarations") }}`` (gettext style: the English text is the message id,
so a page without a translation reads exactly as written). A catalogue is a JSON object
``{"English text": "translated text"}`` in ``web/locale/<language>.json``; ``en.json`` lists
every message id the pages use (a test keeps it complete), so a translator starts from it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_LANGUAGE", "N_", "catalogue", "gettext", "install_template_globals"]

DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def catalogue(language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """The messages of one language (empty for a language without a file)."""
    path = LOCALE_DIR / f"{language}.json"
    if not path.is_file():
        return {}
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


def gettext(message: str, language: str = DEFAULT_LANGUAGE, **values: Any) -> str:
    """The translation of ``message`` (itself when untranslated), ``{name}`` fields filled."""
    text = catalogue(language).get(message) or message
    return text.format(**values) if values else text


def N_(message: str) -> str:
    """Mark ``message`` as a message id where it is written in Python (a navigation label, a
    page title) and translated where a template shows it (``{{ _(item.label) }}``), so that
    the extractor (:mod:`smartcustoms.web.i18n_extract`) finds it."""
    return message


def install_template_globals(env: Any) -> None:
    """``_()`` for every template."""
    env.globals["_"] = gettext
