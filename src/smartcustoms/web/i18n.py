"""Every user-facing text of the pages goes through one catalogue, English first.

Templates write ``{{ _("Declarations") }}`` (gettext style: the English text is the message id,
so a page without a translation reads exactly as written). A catalogue is a JSON object
``{"English text": "translated text"}`` in ``web/locale/<language>.json``; ``en.json`` lists
every message id the pages use (a test keeps it complete), so a translator starts from it.

A text that depends on a count has plural forms: ``{{ _n("{n} declaration", "{n} declarations",
total) }}`` (``ngettext`` in Python). Its catalogue entry is the list of forms, keyed by the
English singular: ``"{n} declaration": ["{n} declaration", "{n} declarations"]``; a language
gives as many forms as its rule in :data:`PLURAL_RULES` picks from (one for Chinese or Japanese,
three for Russian). ``{n}`` is the count in every form.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_LANGUAGE",
    "N_",
    "PLURAL_RULES",
    "catalogue",
    "gettext",
    "install_template_globals",
    "ngettext",
    "plural_index",
]

DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"

Entry = str | list[str]


def _one_form(n: int) -> int:
    return 0


def _russian(n: int) -> int:
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


#: Which plural form a count takes, by language (the CLDR rules for integers). A language
#: missing here counts like English: one form for 1, another for every other count.
PLURAL_RULES: dict[str, Callable[[int], int]] = {
    "en": lambda n: 0 if n == 1 else 1,
    "es": lambda n: 0 if n == 1 else 1,
    "fr": lambda n: 0 if n in (0, 1) else 1,
    "ru": _russian,
    **{lang: _one_form for lang in ("id", "ja", "ko", "ms", "th", "vi", "zh")},
}


@cache
def catalogue(language: str = DEFAULT_LANGUAGE) -> dict[str, Entry]:
    """The messages of one language (empty for a language without a file)."""
    path = LOCALE_DIR / f"{language}.json"
    if not path.is_file():
        return {}
    data: dict[str, Entry] = json.loads(path.read_text(encoding="utf-8"))
    return data


def gettext(message: str, language: str = DEFAULT_LANGUAGE, **values: Any) -> str:
    """The translation of ``message`` (itself when untranslated), ``{name}`` fields filled."""
    entry = catalogue(language).get(message)
    text = entry if isinstance(entry, str) and entry else message
    return text.format(**values) if values else text


def plural_index(n: int, language: str = DEFAULT_LANGUAGE) -> int:
    """The index of the plural form ``n`` takes in ``language``."""
    rule = PLURAL_RULES.get(language.split("-")[0].lower(), PLURAL_RULES["en"])
    return rule(abs(int(n)))


def ngettext(
    singular: str, plural: str, n: int, language: str = DEFAULT_LANGUAGE, **values: Any
) -> str:
    """The form of a counted message that ``n`` takes, ``{n}`` and the other fields filled.

    A language whose catalogue lacks the message (or gives it as a plain text) falls back to
    the English forms and the English rule."""
    entry = catalogue(language).get(singular)
    if isinstance(entry, list) and entry:
        forms, index = entry, plural_index(n, language)
    else:
        forms, index = [singular, plural], plural_index(n)
    return forms[min(index, len(forms) - 1)].format(n=n, **values)


def N_(message: str) -> str:
    """Mark ``message`` as a message id where it is written in Python (a navigation label, a
    page title) and translated where a template shows it (``{{ _(item.label) }}``), so that
    the extractor (:mod:`smartcustoms.web.i18n_extract`) finds it."""
    return message


def install_template_globals(env: Any) -> None:
    """``_()`` and ``_n()`` for every template, and ``language``: the language they write (the
    layout's ``<html lang>``)."""
    env.globals["_"] = gettext
    env.globals["_n"] = ngettext
    env.globals["language"] = DEFAULT_LANGUAGE
