"""Turn a raw mapping (API body, YAML or JSON file) into a :class:`CaseContent`.

Every problem is collected with the JSON path of the field it concerns, then raised once as
:class:`InvalidInput`. Text is accepted as plain text, HTML included: it is stored verbatim
and escaped wherever it is shown, so ``<script>`` in a title is harmless and not an error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterator, Mapping
from typing import Any

import pycountry

from smartcustoms.cases.model import (
    PRIORITY_AREAS,
    TECHNOLOGIES,
    THEMES,
    Attachment,
    CaseContent,
    Contact,
    Implementation,
    Link,
    Outcome,
)
from smartcustoms.errors import FieldError, InvalidInput

MAX_TITLE = 200
MAX_SHORT = 300
MAX_SUMMARY = 2_000
MAX_TEXT = 20_000
MIN_YEAR, MAX_YEAR = 1990, 2100
MAX_LIST = 50

CONTENT_KEYS = frozenset(
    {
        "title",
        "economy",
        "year",
        "summary",
        "problem",
        "solution",
        "priority_areas",
        "themes",
        "technologies",
        "implementation",
        "outcomes",
        "lessons",
        "contacts",
        "links",
        "attachments",
        "language",
        "example",
    }
)
ALLOWED_CONTENT_TYPES = frozenset(
    {"application/pdf", "image/png", "image/jpeg", "text/plain", "text/csv"}
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class _Collector:
    def __init__(self, prefix: str = "") -> None:
        self.errors: list[FieldError] = []
        self.prefix = prefix

    def add(self, path: str, code: str, message: str) -> None:
        self.errors.append(FieldError(self.prefix + path, code, message))

    # -- scalar readers ----------------------------------------------------------------------

    def text(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = False,
        limit: int = MAX_TEXT,
        single_line: bool = False,
        label: str | None = None,
    ) -> str:
        value = data.get(key)
        name = label or key.replace("_", " ")
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(path, "required", f"the {name} is required")
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.add(path, "not_text", f"the {name} must be text")
            return ""
        value = value.strip()
        if _CONTROL.search(value):
            self.add(path, "control_character", f"the {name} contains control characters")
            return ""
        if single_line and ("\n" in value or "\r" in value):
            self.add(path, "multiple_lines", f"the {name} must fit on one line")
        if len(value) > limit:
            self.add(
                path,
                "too_long",
                f"the {name} has {len(value)} characters; at most {limit} are allowed",
            )
        return value

    def number(self, data: Mapping[str, Any], key: str, path: str) -> float | None:
        value = data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = float(value.replace(",", "").strip())
            except ValueError:
                self.add(path, "not_a_number", f"'{value}' is not a number")
                return None
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            self.add(path, "not_a_number", f"{key} must be a number")
            return None
        return float(value)

    def items(self, data: Mapping[str, Any], key: str, path: str) -> list[Any]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(path, "not_a_list", f"{key.replace('_', ' ')} must be a list")
            return []
        if len(value) > MAX_LIST:
            self.add(path, "too_many", f"at most {MAX_LIST} {key.replace('_', ' ')} are allowed")
            return value[:MAX_LIST]
        return value

    def vocabulary(
        self,
        data: Mapping[str, Any],
        key: str,
        vocab: Mapping[str, str],
        *,
        required: bool,
        name: str,
    ) -> tuple[str, ...]:
        chosen: list[str] = []
        by_label = {label.lower(): slug for slug, label in vocab.items()}
        values = self.items(data, key, key)
        for i, raw in enumerate(values):
            value = raw.strip().lower() if isinstance(raw, str) else None
            slug = None if value is None else (value if value in vocab else by_label.get(value))
            if slug is None:
                allowed = ", ".join(vocab)
                self.add(
                    f"{key}[{i}]",
                    f"unknown_{name.replace(' ', '_')}",
                    f"'{raw}' is not a known {name}; use one of: {allowed}",
                )
            elif slug not in chosen:
                chosen.append(slug)
        if required and not values and self.prefix + key not in {e.path for e in self.errors}:
            self.add(key, "required", f"choose at least one {name}")
        return tuple(chosen)


def _mapping(c: _Collector, value: Any, path: str, what: str) -> Mapping[str, Any] | None:
    if not isinstance(value, Mapping):
        c.add(path, "not_an_object", f"each {what} must be an object with named fields")
        return None
    return value


def _objects(
    c: _Collector, data: Mapping[str, Any], key: str, what: str
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The objects of the list ``data[key]`` with their JSON paths; anything else is reported."""
    for i, raw in enumerate(c.items(data, key, key)):
        path = f"{key}[{i}]"
        value = _mapping(c, raw, path, what)
        if value is not None:
            yield path, value


def _language(c: _Collector, data: Mapping[str, Any]) -> str:
    value = c.text(data, "language", "language", single_line=True, limit=3) or "en"
    code = value.lower()
    if pycountry.languages.get(alpha_2=code) is None:
        c.add(
            "language",
            "unknown_language",
            f"'{value}' is not an ISO 639-1 language code such as en, zh, ko or es",
        )
    return code


def _implementation(c: _Collector, data: Mapping[str, Any]) -> Implementation:
    raw = data.get("implementation")
    if raw is None:
        return Implementation()
    impl = _mapping(c, raw, "implementation", "implementation")
    if impl is None:
        return Implementation()
    for key in impl:
        if key not in ("timeline", "partners", "cost"):
            c.add(
                f"implementation.{key}",
                "unknown_field",
                f"'{key}' is not a field of implementation (timeline, partners, cost)",
            )
    partners = []
    for i, p in enumerate(c.items(impl, "partners", "implementation.partners")):
        if not isinstance(p, str) or not p.strip():
            c.add(f"implementation.partners[{i}]", "not_text", "each partner must be a name")
        else:
            partners.append(p.strip()[:MAX_SHORT])
    return Implementation(
        timeline=c.text(impl, "timeline", "implementation.timeline", limit=MAX_SUMMARY),
        partners=tuple(partners),
        cost=c.text(impl, "cost", "implementation.cost", limit=MAX_SHORT),
    )


def _outcomes(c: _Collector, data: Mapping[str, Any]) -> tuple[Outcome, ...]:
    out = []
    for p, o in _objects(c, data, "outcomes", "outcome"):
        for key in o:
            if key not in ("metric", "before", "after", "unit", "source", "note"):
                c.add(f"{p}.{key}", "unknown_field", f"'{key}' is not a field of an outcome")
        before = c.number(o, "before", f"{p}.before")
        after = c.number(o, "after", f"{p}.after")
        if o.get("before") in (None, "") and o.get("after") in (None, ""):
            c.add(p, "no_figure", "an outcome needs a figure: give 'before', 'after' or both")
        out.append(
            Outcome(
                metric=c.text(
                    o, "metric", f"{p}.metric", required=True, limit=MAX_SHORT, single_line=True
                ),
                unit=c.text(o, "unit", f"{p}.unit", required=True, limit=60, single_line=True),
                source=c.text(
                    o,
                    "source",
                    f"{p}.source",
                    required=True,
                    limit=MAX_SHORT * 2,
                    label="source of the figure",
                ),
                before=before,
                after=after,
                note=c.text(o, "note", f"{p}.note", limit=MAX_SUMMARY),
            )
        )
    return tuple(out)


def _contacts(c: _Collector, data: Mapping[str, Any]) -> tuple[Contact, ...]:
    out = []
    for p, m in _objects(c, data, "contacts", "contact"):
        email = c.text(m, "email", f"{p}.email", limit=254, single_line=True)
        if email and not _EMAIL.match(email):
            c.add(f"{p}.email", "invalid_email", f"'{email}' is not an email address")
        out.append(
            Contact(
                name=c.text(
                    m, "name", f"{p}.name", required=True, limit=MAX_SHORT, single_line=True
                ),
                organisation=c.text(m, "organisation", f"{p}.organisation", limit=MAX_SHORT),
                email=email,
                role=c.text(m, "role", f"{p}.role", limit=MAX_SHORT),
            )
        )
    return tuple(out)


def _links(c: _Collector, data: Mapping[str, Any]) -> tuple[Link, ...]:
    out = []
    for p, m in _objects(c, data, "links", "link"):
        url = c.text(m, "url", f"{p}.url", required=True, limit=2000, single_line=True)
        if url and not _URL.match(url):
            # Only web addresses: a javascript: or data: URL in a link is an injection vector.
            c.add(f"{p}.url", "invalid_url", f"'{url}' is not an http(s) address")
        out.append(
            Link(title=c.text(m, "title", f"{p}.title", required=True, limit=MAX_SHORT), url=url)
        )
    return tuple(out)


def _attachments(c: _Collector, data: Mapping[str, Any]) -> tuple[Attachment, ...]:
    out = []
    for p, m in _objects(c, data, "attachments", "attachment"):
        sha = c.text(m, "sha256", f"{p}.sha256", required=True, limit=64).lower()
        if sha and not _SHA256.match(sha):
            c.add(f"{p}.sha256", "invalid_hash", "sha256 must be 64 hexadecimal characters")
        ctype = c.text(m, "content_type", f"{p}.content_type", required=True, limit=60)
        if ctype and ctype not in ALLOWED_CONTENT_TYPES:
            c.add(
                f"{p}.content_type",
                "disallowed_type",
                f"'{ctype}' files are not accepted; use PDF, PNG, JPEG, plain text or CSV",
            )
        size = m.get("size")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            c.add(f"{p}.size", "invalid_size", "size must be a whole number of bytes")
            size = 0
        out.append(
            Attachment(
                sha256=sha,
                filename=c.text(
                    m, "filename", f"{p}.filename", required=True, limit=200, single_line=True
                ),
                content_type=ctype,
                size=size,
            )
        )
    return tuple(out)


def parse_content(
    data: Any,
    *,
    known_economies: Collection[str] | None = None,
    prefix: str = "",
    extra_keys: Collection[str] = (),
) -> CaseContent:
    """Validate ``data`` and return the content; raise :class:`InvalidInput` with every problem.

    ``known_economies`` (upper-case codes) is checked when given; ``prefix`` is put in front of
    every path (``cases[3].`` in a bulk file); ``extra_keys`` are tolerated envelope fields.
    """
    c = _Collector(prefix)
    if not isinstance(data, Mapping):
        c.add("", "not_an_object", "a case must be an object with named fields")
        raise InvalidInput(c.errors)
    for key in data:
        if key not in CONTENT_KEYS and key not in extra_keys:
            c.add(str(key), "unknown_field", f"'{key}' is not a field of a case")

    economy = c.text(data, "economy", "economy", required=True, limit=2, single_line=True)
    economy = economy.upper()
    if economy and known_economies is not None and economy not in known_economies:
        c.add("economy", "unknown_economy", f"'{economy}' is not an economy on this platform")

    year_raw = data.get("year")
    year = 0
    if year_raw is None or year_raw == "":
        c.add("year", "required", "the year of the case is required")
    elif (
        isinstance(year_raw, bool)
        or not isinstance(year_raw, (int, str))
        or not str(year_raw).strip().isdigit()
    ):
        c.add("year", "not_a_year", f"'{year_raw}' is not a year such as 2026")
    else:
        year = int(str(year_raw).strip())
        if not MIN_YEAR <= year <= MAX_YEAR:
            c.add("year", "out_of_range", f"the year must be between {MIN_YEAR} and {MAX_YEAR}")

    example = data.get("example", False)
    if not isinstance(example, bool):
        c.add("example", "not_a_boolean", "example must be true or false")
        example = False

    content = CaseContent(
        title=c.text(data, "title", "title", required=True, limit=MAX_TITLE, single_line=True),
        economy=economy,
        year=year,
        summary=c.text(data, "summary", "summary", required=True, limit=MAX_SUMMARY),
        problem=c.text(data, "problem", "problem", required=True),
        solution=c.text(data, "solution", "solution", required=True),
        priority_areas=c.vocabulary(
            data, "priority_areas", PRIORITY_AREAS, required=True, name="priority area"
        ),
        themes=c.vocabulary(data, "themes", THEMES, required=True, name="theme"),
        technologies=c.vocabulary(
            data, "technologies", TECHNOLOGIES, required=False, name="technology"
        ),
        implementation=_implementation(c, data),
        outcomes=_outcomes(c, data),
        lessons=c.text(data, "lessons", "lessons"),
        contacts=_contacts(c, data),
        links=_links(c, data),
        attachments=_attachments(c, data),
        language=_language(c, data),
        example=example,
    )
    if c.errors:
        raise InvalidInput(c.errors)
    return content


def content_to_dict(content: CaseContent) -> dict[str, Any]:
    """The inverse of :func:`parse_content`: plain data for JSON, YAML and the database."""
    impl = content.implementation
    return {
        "title": content.title,
        "economy": content.economy,
        "year": content.year,
        "summary": content.summary,
        "problem": content.problem,
        "solution": content.solution,
        "priority_areas": list(content.priority_areas),
        "themes": list(content.themes),
        "technologies": list(content.technologies),
        "implementation": {
            "timeline": impl.timeline,
            "partners": list(impl.partners),
            "cost": impl.cost,
        },
        "outcomes": [
            {
                "metric": o.metric,
                "before": _plain(o.before),
                "after": _plain(o.after),
                "unit": o.unit,
                "source": o.source,
                "note": o.note,
            }
            for o in content.outcomes
        ],
        "lessons": content.lessons,
        "contacts": [
            {"name": x.name, "organisation": x.organisation, "email": x.email, "role": x.role}
            for x in content.contacts
        ],
        "links": [{"title": x.title, "url": x.url} for x in content.links],
        "attachments": [
            {
                "sha256": a.sha256,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
            }
            for a in content.attachments
        ],
        "language": content.language,
        "example": content.example,
    }


def _plain(value: float | None) -> float | int | None:
    # 42.0 is written as 42 so files stay the way people typed them.
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def content_from_stored(data: Mapping[str, Any]) -> CaseContent:
    """Rebuild content from the database without re-checking it (it was checked on the way in)."""
    impl = data.get("implementation") or {}
    return CaseContent(
        title=data["title"],
        economy=data["economy"],
        year=int(data["year"]),
        summary=data.get("summary", ""),
        problem=data.get("problem", ""),
        solution=data.get("solution", ""),
        priority_areas=tuple(data.get("priority_areas", ())),
        themes=tuple(data.get("themes", ())),
        technologies=tuple(data.get("technologies", ())),
        implementation=Implementation(
            impl.get("timeline", ""), tuple(impl.get("partners", ())), impl.get("cost", "")
        ),
        outcomes=tuple(
            Outcome(
                metric=o["metric"],
                unit=o["unit"],
                source=o["source"],
                before=o.get("before"),
                after=o.get("after"),
                note=o.get("note", ""),
            )
            for o in data.get("outcomes", ())
        ),
        lessons=data.get("lessons", ""),
        contacts=tuple(
            Contact(x["name"], x.get("organisation", ""), x.get("email", ""), x.get("role", ""))
            for x in data.get("contacts", ())
        ),
        links=tuple(Link(x["title"], x["url"]) for x in data.get("links", ())),
        attachments=tuple(
            Attachment(a["sha256"], a["filename"], a["content_type"], int(a["size"]))
            for a in data.get("attachments", ())
        ),
        language=data.get("language", "en"),
        example=bool(data.get("example", False)),
    )
