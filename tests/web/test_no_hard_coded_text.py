"""No page text bypasses the message catalogue.

Three scans, each checked against a planted example so that a scan that finds nothing is not
a scan that cannot find anything:

- templates (the web package's and the statistics report's): the HTML text and the attributes
  a reader sees or hears (``title``, ``placeholder``, ``aria-label``, ``alt``, the label of a
  submit input) outside ``{{ ... }}``, and every string constant inside Jinja code that reads
  like a sentence or a label and is not the argument of ``_()`` / ``_n()``;
- the Python that builds page text (page routes, the error pages, form problems, the charts
  of the statistics report and of the e-commerce page): string constants that read like text
  and are not inside ``_()``, ``N_()``, ``gettext()`` or ``ngettext()``;
- scripts (``static/*.js`` and the templates' inline scripts): string literals that read like
  a sentence (words with a space or sentence punctuation). Their text comes from the catalogue
  through the page: a JSON block of messages or a ``data-message`` attribute.

A word is a token between spaces with two letters or more, except codes and identifiers (a
token with a digit, a ``/``, ``_``, ``@``, ``=`` or an inner dot; CamelCase) and the few names
in :data:`ALLOWED`.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment, nodes

from smartcustoms.web import i18n_extract

PACKAGE = i18n_extract.PACKAGE
WEB = i18n_extract.WEB
TEMPLATE_ROOTS = i18n_extract.TEMPLATE_ROOTS
PAGE_PYTHON = [
    *sorted((WEB / "pages").glob("*.py")),
    WEB / "errors.py",
    WEB / "forms.py",
    WEB / "csrf.py",
    PACKAGE / "stats" / "report.py",
    PACKAGE / "ecommerce" / "services" / "figures.py",
]
SCRIPTS = sorted((WEB / "static").glob("*.js"))

#: Names, units, formats and protocol words that read the same in every language.
ALLOWED = {
    "SmartCustoms",
    # formats and standards
    "API",
    "CSV",
    "HTML",
    "JSON",
    "PDF",
    "SDMX",
    "XLSX",
    "HS",
    "CIF",
    "UTC",
    "USD",
    "PSI",
    "ROC",
    "AUC",
    "POST",
    # HTTP header and cookie words
    "Bearer",
    "Secure",
}
#: (file, text) pairs that are not page text though they read like it.
NOT_PAGE_TEXT = {
    # the JSON API's answer to a request its schema refused (never a page)
    ("web/errors.py", "invalid value"),
    # the JSON API's name of an HTTP error (an identifier)
    ("web/errors.py", "Conflict"),
}
TRANSLATING = {"_", "_n", "N_", "gettext", "ngettext"}
VISIBLE_ATTRIBUTES = {
    "alt",
    "aria-description",
    "aria-label",
    "aria-placeholder",
    "aria-roledescription",
    "aria-valuetext",
    "label",
    "placeholder",
    "title",
}
CODE_TOKEN = re.compile(r"[\d/_@=]|\w\.\w")
CAMEL_CASE = re.compile(r"[A-Z].*[A-Z]")  # with a lower-case letter: PermissionDenied, HTTPError
ATTRIBUTE_LIKE = re.compile(r"""[\w-]+="[^"]*"?""")  # a macro writing attributes: id="x"


def words(text: str) -> list[str]:
    """The words of ``text`` a translator would have to translate."""
    out = []
    for token in ATTRIBUTE_LIKE.sub(" ", text).split():
        if CODE_TOKEN.search(token) or token.startswith("http"):
            continue
        parts = re.findall(r"[A-Za-z]{2,}", token)
        word = token.strip("()[]{}.,;:!?…“”\"'«»·–—-")
        if not parts or all(p in ALLOWED for p in parts):
            continue
        if CAMEL_CASE.search(word) and re.search("[a-z]", word):
            continue
        out.append(word)
    return out


def reads_like_text(text: str) -> bool:
    """Two words or more, or one capitalised word (a label, a heading); one lower-case word
    is taken for a code (a CSS class, a key, an event name)."""
    found = words(text)
    return len(found) >= 2 or any(w[:1].isupper() and not w.isupper() for w in found)


# --- templates -----------------------------------------------------------------------------

ENV = Environment(extensions=["jinja2.ext.do"])
PLACEHOLDER = " _X_ "  # what a {{ expression }} becomes: a code token, never a word


def template_markup(source: str) -> str:
    """The template's own text with each ``{{ ... }}`` replaced by a placeholder and each
    ``{% ... %}`` and comment by a space, line breaks kept (read with Jinja's own lexer)."""
    out: list[str] = []
    for _line, kind, value in ENV.lex(source):
        if kind == "data":
            out.append(value)
        elif kind == "variable_begin":
            out.append(PLACEHOLDER)
        elif kind in ("block_begin", "comment_begin"):
            out.append(" ")
        elif kind == "whitespace" and "\n" in value:
            out.append("\n" * value.count("\n"))
    return "".join(out)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.found: list[tuple[int, str]] = []
        self.scripts: list[tuple[int, str]] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "style":
            self.skipping += 1
        if tag == "script":
            self.skipping += 1
            kind = named.get("type") or "text/javascript"
            self._script = [] if "javascript" in kind or kind == "module" else None
        for name, value in attrs:
            shown = name in VISIBLE_ATTRIBUTES or (
                name == "value"
                and tag == "input"
                and named.get("type") in ("submit", "button", "reset")
            )
            if shown and value and words(value):
                self.found.append((self.getpos()[0], f"{name}={value!r}"))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self.skipping -= 1
        if tag == "script" and self._script is not None:
            self.scripts.append((self.getpos()[0], "".join(self._script)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
        if not self.skipping and words(data):
            shown = data.replace(PLACEHOLDER.strip(), "{{…}}")
            self.found.append((self.getpos()[0], " ".join(shown.split())))


def _parse(source: str) -> _Text:
    parser = _Text()
    parser.feed(template_markup(source))
    parser.close()
    return parser


def _skipped_constants(tree: nodes.Node) -> set[int]:
    """Constants that are never shown: translated ones, comparisons, subscripts, dict keys,
    filter and test arguments (formats like "%.3f", ``replace("_", " ")``)."""
    skip: set[int] = set()

    def all_in(node: nodes.Node) -> None:
        skip.add(id(node))
        skip.update(id(n) for n in node.find_all(nodes.Const))

    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in TRANSLATING:
            for arg in call.args:
                all_in(arg)
    for compare in tree.find_all(nodes.Compare):
        all_in(compare)
    for item in tree.find_all(nodes.Getitem):
        all_in(item.arg)
    for pair in tree.find_all(nodes.Pair):
        all_in(pair.key)
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        for arg in node.args:
            all_in(arg)
    return skip


def template_text(source: str, name: str = "page.html") -> list[tuple[int, str]]:
    """(line, text) of every piece of user-visible text outside the catalogue."""
    found = list(_parse(source).found)
    tree = ENV.parse(source, name)
    skip = _skipped_constants(tree)
    for const in tree.find_all(nodes.Const):
        if id(const) in skip or not isinstance(const.value, str):
            continue
        if reads_like_text(const.value):
            found.append((const.lineno, f"{{{{ {const.value!r} }}}}"))
    return sorted(found)


def templates() -> Iterator[tuple[str, Path]]:
    for root in TEMPLATE_ROOTS:
        for path in sorted(root.rglob("*.html")):
            yield str(path.relative_to(PACKAGE)), path


@pytest.mark.parametrize(("name", "path"), list(templates()), ids=lambda v: str(v))
def test_template_text_goes_through_the_catalogue(name: str, path: Path) -> None:
    found = template_text(path.read_text(encoding="utf-8"), name)
    assert not found, f"{name}: text outside _() / _n(): " + "; ".join(
        f"line {line}: {text}" for line, text in found
    )


def test_the_template_scan_finds_planted_text() -> None:
    planted = """{% extends "base.html" %}
{% block title %}Orders{% endblock %}
{% block content %}
<h1>{{ _("Fine") }} · {{ count }}</h1>
<p>{{ total }} declaration{{ '' if total == 1 else 's' }}</p>
<input placeholder="type here" aria-label="{{ _('Fine') }}"><input type="submit" value="Send it">
<p>{{ "Nothing yet." if empty else _("Fine") }}</p>
{% if a == "Literal" %}<code>SMARTCUSTOMS_{{ x }}</code> CSV · PDF · 2021-Q2{% endif %}
<script nonce="{{ n }}">const m = "not scanned as HTML";</script>
{% endblock %}"""
    found = [text for _line, text in template_text(planted)]
    assert found == [
        "Orders",
        "{{…}} declaration {{…}}",
        "placeholder='type here'",
        "value='Send it'",
        "{{ 'Nothing yet.' }}",
    ]


# --- Python --------------------------------------------------------------------------------


def _docstrings(tree: ast.AST) -> set[int]:
    """Docstrings, and the strings standing alone after a field (its documentation)."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }


def python_text(source: str, name: str = "page.py") -> list[tuple[int, str]]:
    tree = ast.parse(source, name)
    skip = _docstrings(tree)

    def all_in(node: ast.AST) -> None:
        skip.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in TRANSLATING:
                all_in(node)
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id in ("log", "logger", "logging")
            ):
                all_in(node)  # log lines are for operators
        elif isinstance(node, ast.Dict):
            for key in node.keys:
                if key is not None:
                    all_in(key)
        elif isinstance(node, ast.Subscript):
            all_in(node.slice)
        elif isinstance(node, ast.Compare) or (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
        ):
            all_in(node)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skip
            and (name, node.value) not in NOT_PAGE_TEXT
            and reads_like_text(node.value)
        ):
            found.append((node.lineno, node.value))
    return sorted(found)


@pytest.mark.parametrize("path", PAGE_PYTHON, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_page_python_text_goes_through_the_catalogue(path: Path) -> None:
    name = str(path.relative_to(PACKAGE))
    found = python_text(path.read_text(encoding="utf-8"), name)
    assert not found, f"{name}: text outside _() / N_(): " + "; ".join(
        f"line {line}: {text!r}" for line, text in found
    )


def test_the_python_scan_finds_planted_text() -> None:
    planted = '''"""A docstring is not page text."""
TABS = [("home", "/x", "Workbench"), ("rules", "/r", N_("Rules"))]
headers = {"Content-Disposition": f'inline; filename="{name}.pdf"'}
log.info("started in %s seconds", 3)
problem = FieldError("x", "required", f"at most {n} declarations per file")
fine = _("a share between 0 and 1")
if status == "Not Shown":
    pass
'''
    assert {text for _line, text in python_text(planted)} == {
        "Workbench",
        "at most ",
        " declarations per file",
    }


# --- scripts -------------------------------------------------------------------------------


def js_strings(code: str) -> Iterator[str]:
    """The string literals of a script (comments skipped; template literals taken whole)."""
    i = 0
    while i < len(code):
        if code.startswith("//", i):
            end = code.find("\n", i)
            i = len(code) if end < 0 else end
        elif code.startswith("/*", i):
            end = code.find("*/", i + 2)
            i = len(code) if end < 0 else end + 2
        elif code[i] in "\"'`":
            quote, j, text = code[i], i + 1, []
            while j < len(code) and code[j] != quote:
                if code[j] == "\\":
                    j += 1
                text.append(code[j] if j < len(code) else "")
                j += 1
            yield "".join(text)
            i = j + 1
        else:
            i += 1


def js_text(code: str) -> list[str]:
    return [
        s
        for s in js_strings(code)
        if s != "use strict"
        and words(s)
        and (re.search(r"\s", s.strip()) or re.search(r"[.:…!?]\s*$", s) or s != s.strip())
    ]


def scripts() -> Iterator[tuple[str, str]]:
    for path in SCRIPTS:
        yield str(path.relative_to(PACKAGE)), path.read_text(encoding="utf-8")
    for name, path in templates():
        for line, code in _parse(path.read_text(encoding="utf-8")).scripts:
            yield f"{name}:{line}", code


@pytest.mark.parametrize(("name", "code"), list(scripts()), ids=lambda v: str(v)[:60])
def test_script_text_comes_from_the_catalogue(name: str, code: str) -> None:
    found = js_text(code)
    assert not found, f"{name}: text in the script itself: {found}"


def test_the_script_scan_finds_planted_text() -> None:
    planted = """
    "use strict";
    // it's a comment with "quoted words"
    status.textContent = "Inserted " + code + ".";
    status.textContent = 'Searching…';
    const el = document.querySelector("[data-testid=job-lines]");
    el.classList.add("decl-muted", "hs-finder-why");
    fetch("/api/v1/ecommerce/jobs/ _X_ ", {credentials: "same-origin"});
    lines.textContent = d.done + " of " + d.total;
    """
    assert js_text(planted) == ["Inserted ", "Searching…", " of "]


def test_the_hs_finder_says_only_what_its_page_gives_it() -> None:
    script = (WEB / "static" / "classify.js").read_text(encoding="utf-8")
    keys = set(re.findall(r'say\("(\w+)"', script))
    template = (WEB / "templates" / "classify" / "_hs_search.html").read_text(encoding="utf-8")
    block = re.search(r'id="hs-finder-messages">\{\{(.*?)\|tojson \}\}', template, re.S)
    assert block and keys
    given = set(re.findall(r'"(\w+)": _\("', block.group(1)))
    assert keys == given


def test_the_hs_finder_messages_render_as_json() -> None:
    from jinja2 import FileSystemLoader

    from smartcustoms.web import i18n

    env = Environment(loader=FileSystemLoader(WEB / "templates"), autoescape=True)
    i18n.install_template_globals(env)
    html = env.get_template("classify/_hs_search.html").render()
    raw = re.search(r'id="hs-finder-messages">(.*?)</script>', html, re.S)
    assert raw
    messages = json.loads(raw.group(1))
    assert messages["searching"] == i18n.gettext("Searching…")
    assert messages["inserted"] == "Inserted {code}."
