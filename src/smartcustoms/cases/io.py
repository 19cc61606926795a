"""Bulk import and export of cases as JSON or YAML files, for economies working offline.

A file holds one case (a mapping with the case fields), several (a list, or ``{"cases": [...]}``).
Attachments travel beside the files as ``attachments/<sha256>``. Import is all-or-nothing:
every file is read and every case checked first, each problem reported as
``file:json.path`` with a message, and only then is anything stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from smartcustoms.accounts.model import Principal
from smartcustoms.cases import importing, service
from smartcustoms.cases.attachments import FileStore
from smartcustoms.cases.identifiers import is_slug
from smartcustoms.cases.model import Case
from smartcustoms.cases.repository import CasesRepository
from smartcustoms.cases.validation import content_to_dict, parse_content
from smartcustoms.core.clock import Clock
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import FieldError, InvalidInput, PermissionDenied

Format = Literal["json", "yaml"]
ENVELOPE_KEYS = frozenset({"id", "slug", "status", "version", "published_at"})
SUFFIXES = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}
ATTACHMENTS = "attachments"


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    files: int = 0


def _load(path: Path, errors: list[FieldError]) -> Any:
    label = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(FieldError(f"{label}:", "unreadable", f"cannot read the file: {exc}"))
        return None
    try:
        if SUFFIXES[path.suffix.lower()] == "json":
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        errors.append(
            FieldError(
                f"{label}:", "invalid_json", f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
            )
        )
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        errors.append(
            FieldError(
                f"{label}:", "invalid_yaml", f"{where}{getattr(exc, 'problem', None) or exc}"
            )
        )
    return None


def case_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)


def read_directory(
    path: Path, *, known_economies: Collection[str]
) -> list[tuple[str, dict[str, Any]]]:
    """Parse every case file under ``path`` (or the one file); raise with every problem."""
    if not path.exists():
        raise InvalidInput.single(str(path), "not_found", f"{path} does not exist")
    files = case_files(path)
    if not files:
        raise InvalidInput.single(str(path), "no_files", f"no .json, .yaml or .yml files in {path}")
    errors: list[FieldError] = []
    items: list[tuple[str, dict[str, Any]]] = []
    for file in files:
        doc = _load(file, errors)
        if doc is None:
            continue
        if isinstance(doc, dict) and "cases" in doc and "title" not in doc:
            entries, base = doc["cases"], "cases"
        elif isinstance(doc, list):
            entries, base = doc, ""
        else:
            entries, base = [doc], None
        if not isinstance(entries, list):
            errors.append(FieldError(f"{file.name}:cases", "not_a_list", "cases must be a list"))
            continue
        for i, entry in enumerate(entries):
            prefix = f"{file.name}:" + ("" if base is None else f"{base}[{i}].")
            try:
                content = parse_content(
                    entry, known_economies=known_economies, prefix=prefix, extra_keys=ENVELOPE_KEYS
                )
            except InvalidInput as exc:
                errors.extend(exc.errors)
                continue
            envelope = {k: entry.get(k) for k in ("id", "slug") if entry.get(k)}
            for key in envelope:
                if not isinstance(envelope[key], str) or len(envelope[key]) > 120:
                    errors.append(FieldError(prefix + key, "invalid", f"{key} must be short text"))
            items.append((prefix, {**envelope, "content": content_to_dict(content)}))
    if errors:
        raise InvalidInput(
            errors, f"{len(errors)} problem(s) in {len(files)} file(s); nothing was imported"
        )
    return items


def _stage_attachments(
    source: Path, items: list[tuple[str, dict[str, Any]]], store: FileStore
) -> None:
    """Copy the attachments the cases list into the store; every missing one is an error."""
    folder = (source if source.is_dir() else source.parent) / ATTACHMENTS
    errors: list[FieldError] = []
    pending: list[bytes] = []
    for prefix, data in items:
        for i, att in enumerate(data["content"]["attachments"]):
            sha = att["sha256"]
            candidate = folder / sha
            if candidate.is_file():
                blob = candidate.read_bytes()
                if hashlib.sha256(blob).hexdigest() != sha:
                    errors.append(
                        FieldError(
                            f"{prefix}attachments[{i}]",
                            "hash_mismatch",
                            f"{ATTACHMENTS}/{sha} does not match its hash",
                        )
                    )
                else:
                    pending.append(blob)
            elif not store.exists(sha):
                errors.append(
                    FieldError(
                        f"{prefix}attachments[{i}]",
                        "missing_file",
                        f"the file {ATTACHMENTS}/{sha} is missing",
                    )
                )
    if errors:
        raise InvalidInput(errors)
    for blob in pending:
        store.put(blob)


def import_path(
    uow: UnitOfWork,
    path: Path,
    *,
    principal: Principal | None,
    publish: bool,
    files_dir: Path,
    clock: Clock | None = None,
) -> ImportReport:
    """Import every case under ``path``; all-or-nothing."""
    items = read_directory(path, known_economies=service.known_economies(uow))
    _stage_attachments(path, items, FileStore(files_dir / "cases"))
    created, skipped = importing.import_contents(
        uow, items, principal=principal, publish=publish, clock=clock
    )
    return ImportReport(created, skipped, len(case_files(path)))


def import_documents(
    uow: UnitOfWork,
    documents: list[Any],
    *,
    principal: Principal,
    publish: bool,
    clock: Clock | None = None,
) -> ImportReport:
    """The API's bulk import: a list of case mappings (attachments must already be stored)."""
    known = service.known_economies(uow)
    errors: list[FieldError] = []
    items = []
    for i, doc in enumerate(documents):
        prefix = f"cases[{i}]."
        try:
            content = parse_content(
                doc, known_economies=known, prefix=prefix, extra_keys=ENVELOPE_KEYS
            )
        except InvalidInput as exc:
            errors.extend(exc.errors)
            continue
        envelope = {k: doc[k] for k in ("id", "slug") if isinstance(doc.get(k), str)}
        items.append((prefix, {**envelope, "content": content_to_dict(content)}))
    if errors:
        raise InvalidInput(errors)
    created, skipped = importing.import_contents(
        uow, items, principal=principal, publish=publish, clock=clock
    )
    return ImportReport(created, skipped, 1)


# --- export --------------------------------------------------------------------------------------


def case_record(case: Case, *, prefer_working: bool = False) -> dict[str, Any]:
    version = (case.working or case.current) if prefer_working else case.current
    return {
        "id": case.id,
        "slug": case.slug,
        "status": version.status.value,
        "version": version.number,
        **content_to_dict(version.content),
    }


def export_records(
    uow: UnitOfWork, principal: Principal | None, *, drafts: bool = False
) -> list[dict[str, Any]]:
    """Published cases (anyone) plus, with ``drafts``, the caller's economy's working versions."""
    if drafts and principal is None:
        raise PermissionDenied("exporting drafts needs a user of the economy (--as EMAIL)")
    with uow:
        repo = CasesRepository(uow.session)
        rows = repo.all_cases(principal.economy if drafts and principal else None)
        records = []
        for row in rows:
            if row.published_version is None and not drafts:
                continue
            case = service.get_case(uow, row.id, principal)
            records.append(case_record(case, prefer_working=drafts))
        return records


def dump(data: Any, fmt: Format) -> str:
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def inside(root: Path, *parts: str, slug: str | None = None) -> Path:
    """``root / parts`` if that stays inside ``root`` and names a plain file; else refuse.
    Slugs are checked on the way in too (see :mod:`.identifiers`); this is the last guard
    against a record stored before that (``../../x``, an absolute path, a symlink out)."""
    base = root.resolve()
    target = base.joinpath(*parts).resolve()
    name_ok = slug is None or is_slug(slug)
    if not name_ok or not target.is_relative_to(base) or target == base:
        shown = slug if slug is not None else "/".join(parts)
        raise InvalidInput.single(
            "slug" if slug is not None else "path",
            "unsafe_path",
            f"'{shown}' would be written outside {root}; nothing was written for it",
        )
    return target


def export_path(
    uow: UnitOfWork,
    out: Path,
    *,
    principal: Principal | None,
    fmt: Format = "yaml",
    single_file: bool = False,
    drafts: bool = False,
    files_dir: Path,
) -> list[Path]:
    """Write the cases (and their attachments) under ``out``; returns the files written."""
    records = export_records(uow, principal, drafts=drafts)
    out.mkdir(parents=True, exist_ok=True)
    # Every target is checked before anything is written.
    if single_file:
        files = [(inside(out, f"cases.{fmt}"), {"cases": records})]
    else:
        files = [(inside(out, f"{r['slug']}.{fmt}", slug=r["slug"]), r) for r in records]
    store = FileStore(files_dir / "cases")
    blobs = [
        (inside(out, ATTACHMENTS, att["sha256"]), att["sha256"])
        for r in records
        for att in r["attachments"]
        if store.exists(att["sha256"])
    ]
    written: list[Path] = []
    for target, data in files:
        target.write_text(dump(data, fmt), encoding="utf-8")
        written.append(target)
    for target, sha in blobs:
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(store.read(sha))
    return written
