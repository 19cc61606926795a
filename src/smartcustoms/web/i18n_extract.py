"""Extract every message id the pages use and keep ``web/locale/en.json`` complete.

Message ids are the constant first arguments of ``_("...")`` in the templates (read with
Jinja's own parser, so a string in a comment or in script text is never taken), and of
``N_("...")`` in the web package's Python modules (texts a template translates through a
variable: navigation labels, page titles, flash messages).

    python -m smartcustoms.web.i18n_extract           # list ids missing from en.json, exit 1
    python -m smartcustoms.web.i18n_extract --write   # add them (and drop unused ones)

``en.json`` maps each id to itself (English first); another language's file maps the same ids
to its translations, and an id it lacks falls back to English.
"""

from __future__ import annotations

import ast
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from jinja2 import Environment, nodes

__all__ = ["CATALOGUE", "WEB", "missing", "python_ids", "template_ids", "write"]

WEB = Path(__file__).parent
CATALOGUE = WEB / "locale" / "en.json"


def _template_calls(source: str, name: str) -> Iterator[str]:
    tree = Environment(extensions=["jinja2.ext.do"]).parse(source, name)
    for call in tree.find_all(nodes.Call):
        if (
            isinstance(call.node, nodes.Name)
            and call.node.name == "_"
            and call.args
            and isinstance(call.args[0], nodes.Const)
            and isinstance(call.args[0].value, str)
        ):
            yield call.args[0].value


def template_ids(root: Path = WEB / "templates") -> dict[str, set[str]]:
    """Message id -> the templates (relative paths) that use it."""
    out: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.html")):
        rel = str(path.relative_to(root))
        for message in _template_calls(path.read_text(encoding="utf-8"), rel):
            out.setdefault(message, set()).add(rel)
    return out


def python_ids(root: Path = WEB) -> dict[str, set[str]]:
    """Message id -> the web modules that mark it with ``N_("...")``."""
    out: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "N_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                out.setdefault(node.args[0].value, set()).add(str(path.relative_to(root)))
    return out


def used_ids() -> dict[str, set[str]]:
    ids = template_ids()
    for message, where in python_ids().items():
        ids.setdefault(message, set()).update(where)
    return ids


def missing(catalogue: Path = CATALOGUE) -> dict[str, set[str]]:
    """Used message ids the catalogue lacks, with where they are used."""
    known = json.loads(catalogue.read_text(encoding="utf-8"))
    return {m: w for m, w in used_ids().items() if m not in known}


def write(catalogue: Path = CATALOGUE) -> int:
    """Rewrite ``en.json`` with exactly the used ids (sorted); returns how many."""
    ids = sorted(used_ids())
    catalogue.write_text(
        json.dumps({m: m for m in ids}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return len(ids)


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
