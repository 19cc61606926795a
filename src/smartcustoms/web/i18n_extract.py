"""Extract every message id the pages use and keep ``web/locale/en.json`` complete.

Message ids are the constant first arguments of ``_("...")`` and ``_n("...", "...", n)`` in
the templates (read with Jinja's own parser, so a string in a comment or in script text is
never taken), and of ``N_("...")``, ``_("...")``, ``gettext("...")`` and ``ngettext("...",
"...", n)`` in the Python modules that build page text (texts a template translates through a
variable: navigation labels, page titles, flash messages; and texts translated where they are
built: chart titles, problems a form found).

    python -m smartcustoms.web.i18n_extract           # list ids missing from en.json, exit 1
    python -m smartcustoms.web.i18n_extract --write   # add them (and drop unused ones)

``en.json`` maps each id to itself (English first), and a counted message's singular to its
English forms ``[singular, plural]``; another language's file maps the same ids to its
translations, and an id it lacks falls back to English.
"""

from __future__ import annotations

import ast
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from jinja2 import Environment, nodes

__all__ = [
    "CATALOGUE",
    "PYTHON_SOURCES",
    "TEMPLATE_ROOTS",
    "WEB",
    "missing",
    "plurals",
    "python_ids",
    "template_ids",
    "write",
]

WEB = Path(__file__).parent
PACKAGE = WEB.parent
CATALOGUE = WEB / "locale" / "en.json"
#: Where page templates live: the web package's own, and the statistics report's (the
#: statistics page shows its body).
TEMPLATE_ROOTS = (WEB / "templates", PACKAGE / "stats" / "templates")
#: Python that builds page text: the web package, and the charts of the statistics report and
#: of the e-commerce page (their titles and labels, translated by the function a page passes).
PYTHON_SOURCES = (
    WEB,
    PACKAGE / "stats" / "report.py",
    PACKAGE / "ecommerce" / "services" / "figures.py",
)

SINGLE = {"_", "N_", "gettext"}  # (message, ...)
PLURAL = {"_n", "ngettext"}  # (singular, plural, n, ...)

Found = tuple[str, str | None]  # message id, and the English plural of a counted message


def _constants(args: list[nodes.Expr]) -> list[str]:
    out = []
    for arg in args:
        if not (isinstance(arg, nodes.Const) and isinstance(arg.value, str)):
            break
        out.append(arg.value)
    return out


def _template_calls(source: str, name: str) -> Iterator[Found]:
    tree = Environment(extensions=["jinja2.ext.do"]).parse(source, name)
    for call in tree.find_all(nodes.Call):
        if not isinstance(call.node, nodes.Name):
            continue
        texts = _constants(call.args)
        if call.node.name == "_" and texts:
            yield texts[0], None
        elif call.node.name == "_n" and len(texts) >= 2:
            yield texts[0], texts[1]


def _python_calls(source: str, name: str) -> Iterator[Found]:
    for node in ast.walk(ast.parse(source, name)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        texts = []
        for arg in node.args:
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                break
            texts.append(arg.value)
        if node.func.id in SINGLE and texts:
            yield texts[0], None
        elif node.func.id in PLURAL and len(texts) >= 2:
            yield texts[0], texts[1]


def _files(roots: Iterable[Path], pattern: str) -> Iterator[tuple[Path, str]]:
    """Each file with its name relative to the package (or to its root outside it)."""
    for root in roots:
        paths = sorted(root.rglob(pattern)) if root.is_dir() else [root]
        base = PACKAGE if root.is_relative_to(PACKAGE) else root.parent
        for path in paths:
            yield path, str(path.relative_to(base))


def _collect(
    found: Iterable[tuple[str, Iterable[Found]]],
) -> tuple[dict[str, set[str]], dict[str, str]]:
    ids: dict[str, set[str]] = {}
    forms: dict[str, str] = {}
    for where, calls in found:
        for message, plural in calls:
            ids.setdefault(message, set()).add(where)
            if plural is not None:
                forms[message] = plural
    return ids, forms


def _templates(roots: Iterable[Path]) -> tuple[dict[str, set[str]], dict[str, str]]:
    return _collect(
        (rel, _template_calls(path.read_text(encoding="utf-8"), rel))
        for path, rel in _files(roots, "*.html")
    )


def _python(roots: Iterable[Path]) -> tuple[dict[str, set[str]], dict[str, str]]:
    return _collect(
        (rel, _python_calls(path.read_text(encoding="utf-8"), rel))
        for path, rel in _files(roots, "*.py")
    )


def template_ids(root: Path | None = None) -> dict[str, set[str]]:
    """Message id -> the templates (paths relative to the package) that use it."""
    return _templates([root] if root else TEMPLATE_ROOTS)[0]


def python_ids(root: Path | None = None) -> dict[str, set[str]]:
    """Message id -> the Python modules that mark or translate it."""
    return _python([root] if root else PYTHON_SOURCES)[0]


def plurals() -> dict[str, str]:
    """Counted messages: the English singular (the id) -> the English plural."""
    return _templates(TEMPLATE_ROOTS)[1] | _python(PYTHON_SOURCES)[1]


def used_ids() -> dict[str, set[str]]:
    ids = template_ids()
    for message, where in python_ids().items():
        ids.setdefault(message, set()).update(where)
    return ids


def _entries() -> dict[str, str | list[str]]:
    forms = plurals()
    return {m: [m, forms[m]] if m in forms else m for m in sorted(used_ids())}


def missing(catalogue: Path = CATALOGUE) -> dict[str, set[str]]:
    """Used message ids the catalogue lacks (or holds without the forms a counted message
    needs), with where they are used."""
    known = json.loads(catalogue.read_text(encoding="utf-8"))
    entries = _entries()
    where = used_ids()
    return {m: where[m] for m, entry in entries.items() if known.get(m) != entry}


def write(catalogue: Path = CATALOGUE) -> int:
    """Rewrite ``en.json`` with exactly the used ids (sorted); returns how many."""
    entries = _entries()
    catalogue.write_text(json.dumps(entries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(entries)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if "--write" in args:
        print(f"{write()} message ids written to {CATALOGUE}")
        return 0
    lacking = missing()
    for message, where in sorted(lacking.items()):
        print(f"{', '.join(sorted(where))}: {message!r}")
    return 1 if lacking else 0


if __name__ == "__main__":
    raise SystemExit(main())
