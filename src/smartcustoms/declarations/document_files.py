"""Supporting documents' files: checked from their content, stored under an id-based key.

**Checking** (:func:`check_file`, no I/O). A file is never trusted by its name or by the type
its uploader declares: the first bytes decide (PDF, PNG, JPEG, TIFF) or, failing those, the
whole file must be UTF-8 text without NUL or other control bytes, then XML (named ``.xml``,
starting with ``<``), CSV (named ``.csv``) or plain text. The name's extension and the declared
type must then agree with what the content is (a generic declared type such as
``application/octet-stream`` agrees with anything). Every problem is reported at once, each on
the field ``file``. At most :data:`MAX_DOCUMENT_BYTES` (10 MiB) per file.

**Storing** (:class:`DocumentStore`). Bytes live under ``files_dir/declaration-documents/
<economy>/<id[:2]>/<id>``, the id being the document row's own (random hex): nothing of the
uploader's choosing ever reaches a path, and since no two rows share a file, deleting one (a
failed attach, a removed document) can never take another's bytes. A file is written to a
temporary name in its folder, flushed to disk, then renamed into place, so a crash never leaves
half a file under a valid key. Reads check the bytes against the recorded SHA-256.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from smartcustoms.errors import FieldError, NotFound, OperationFailed

__all__ = [
    "ACCEPTED_TYPES",
    "MAX_DOCUMENT_BYTES",
    "CheckedFile",
    "DocumentStore",
    "check_file",
    "clean_filename",
]

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
"""10 MiB: a scanned multi-page invoice or certificate fits; a bound on what one upload costs."""
MAX_FILENAME = 120

PDF, PNG, JPEG, TIFF = "application/pdf", "image/png", "image/jpeg", "image/tiff"
XML, CSV, TEXT = "application/xml", "text/csv", "text/plain"
ACCEPTED_TYPES = (PDF, PNG, JPEG, TIFF, XML, CSV, TEXT)

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"II*\x00", TIFF),  # little-endian TIFF
    (b"MM\x00*", TIFF),  # big-endian TIFF
)
# The extensions a file of each type may carry ("" : a name without one).
_SUFFIXES: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg", ".jpe"),
    TIFF: (".tif", ".tiff"),
    XML: (".xml",),
    CSV: (".csv",),
    TEXT: (".txt", ".text", ""),
}
# What uploaders (browsers, HTTP clients) declare for each type; a declared type outside the
# family of the sniffed one is a mismatch.
_DECLARED: dict[str, frozenset[str]] = {
    PDF: frozenset({PDF, "application/x-pdf"}),
    PNG: frozenset({PNG}),
    JPEG: frozenset({JPEG, "image/jpg", "image/pjpeg"}),
    TIFF: frozenset({TIFF, "image/tif", "image/x-tiff"}),
    XML: frozenset({XML, "text/xml", TEXT}),
    # Windows browsers send application/vnd.ms-excel for a .csv file.
    CSV: frozenset(
        {CSV, "application/csv", "text/comma-separated-values", "application/vnd.ms-excel", TEXT}
    ),
    TEXT: frozenset({TEXT}),
}
_GENERIC = frozenset({"", "application/octet-stream", "binary/octet-stream"})
_KNOWN_DECLARED = frozenset().union(*_DECLARED.values())
# Control characters a text document has no business holding (tab, line feed, form feed and
# carriage return are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_UNSAFE_NAME = re.compile(r"[^\w.\- ()]+", re.UNICODE)
_KEY = re.compile(r"[A-Za-z0-9]{2}/[0-9a-f]{2}/[0-9a-f]{32}")
_ID = re.compile(r"[0-9a-f]{32}")
_DESCRIBED = {
    PDF: "a PDF document",
    PNG: "a PNG image",
    JPEG: "a JPEG image",
    TIFF: "a TIFF image",
    XML: "an XML document",
    CSV: "a CSV table",
    TEXT: "a plain-text file",
}
ACCEPTED = "PDF, PNG, JPEG, TIFF, XML, CSV or plain text (UTF-8)"


@dataclass(frozen=True, slots=True)
class CheckedFile:
    filename: str
    content_type: str
    size: int
    sha256: str


def clean_filename(name: str, content_type: str | None = None) -> str:
    """The last path component, NFC-normalised, without characters that could confuse a shell
    or a header; at most :data:`MAX_FILENAME` characters, the extension kept."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = _UNSAFE_NAME.sub("_", base).strip(" ._")
    if not base:
        suffixes = _SUFFIXES.get(content_type or "", ("",))
        base = "document" + suffixes[0]
    if len(base) > MAX_FILENAME:
        suffix = PurePosixPath(base).suffix[:10]
        base = base[: MAX_FILENAME - len(suffix)] + suffix
    return base


def _media_type(declared: str) -> str:
    return declared.split(";", 1)[0].strip().lower()


def _sniff(data: bytes, suffix: str, declared: str) -> str | None:
    """The type ``data`` is, or None when it is none of the accepted ones."""
    for magic, content_type in _SIGNATURES:
        if data.startswith(magic):
            return content_type
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if _CONTROL.search(text):
        return None
    wants_xml = suffix == ".xml" or declared in _DECLARED[XML] - {TEXT}
    if wants_xml and text.lstrip().startswith("<"):
        return XML
    if suffix == ".csv":
        return CSV
    return TEXT


def check_file(
    data: bytes, filename: str, declared_type: str = "", path: str = "file"
) -> tuple[CheckedFile | None, list[FieldError]]:
    """Describe an upload (type from its content, cleaned name, size, SHA-256), or say every
    problem with it; nothing is written."""
    if not data:
        return None, [FieldError(path, "empty", "the file is empty")]
    if len(data) > MAX_DOCUMENT_BYTES:
        return None, [
            FieldError(
                path,
                "too_large",
                f"the file has more than {MAX_DOCUMENT_BYTES:,} bytes; "
                f"at most {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB are accepted",
            )
        ]
    declared = _media_type(declared_type)
    suffix = PurePosixPath(re.split(r"[\\/]", filename or "")[-1]).suffix.lower()
    content_type = _sniff(data, suffix, declared)
    if content_type is None:
        return None, [
            FieldError(
                path,
                "disallowed_type",
                f"this file's content is not an accepted type; attach {ACCEPTED}",
            )
        ]
    problems: list[FieldError] = []
    what = _DESCRIBED[content_type]
    if content_type == TEXT and suffix in _SUFFIXES[XML]:
        problems.append(
            FieldError(path, "type_mismatch", "the file is named '.xml' but it is not XML")
        )
    elif content_type == TEXT and suffix not in _SUFFIXES[TEXT]:
        # Text named .html, .svg, .js ...: not something a declaration is supported by.
        problems.append(
            FieldError(
                path,
                "disallowed_type",
                f"files named '*{suffix}' are not accepted; attach {ACCEPTED}",
            )
        )
    elif suffix not in _SUFFIXES[content_type]:
        expected = ", ".join(s for s in _SUFFIXES[content_type] if s)
        problems.append(
            FieldError(
                path,
                "type_mismatch",
                f"the file is {what} but its name ends in '{suffix or '(nothing)'}' "
                f"(expected {expected})",
            )
        )
    if declared not in _GENERIC and declared not in _DECLARED[content_type]:
        if declared in _KNOWN_DECLARED:
            problems.append(
                FieldError(
                    path,
                    "type_mismatch",
                    f"the file was sent as {declared[:60]} but its content is {what}",
                )
            )
        else:
            problems.append(
                FieldError(
                    path,
                    "disallowed_type",
                    f"files of type {declared[:60]} are not accepted; attach {ACCEPTED}",
                )
            )
    if problems:
        return None, problems
    return (
        CheckedFile(
            filename=clean_filename(filename, content_type),
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        ),
        [],
    )


class DocumentStore:
    """Documents' bytes under ``root`` (``files_dir / "declaration-documents"``), by key."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @staticmethod
    def key_for(economy: str, document_id: str) -> str:
        key = f"{economy}/{document_id[:2]}/{document_id}"
        if not _KEY.fullmatch(key) or not _ID.fullmatch(document_id):
            raise ValueError(f"not a document key: {key!r}")
        return key

    def path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise NotFound("no such document file")
        return self.root.joinpath(*key.split("/"))

    def put(self, key: str, data: bytes) -> None:
        """Write ``data`` under ``key`` (a new key: an id nobody used), durably and whole."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read(self, key: str, sha256: str) -> bytes:
        """The bytes under ``key``, checked against the hash recorded when they were stored."""
        try:
            data = self.path(key).read_bytes()
        except FileNotFoundError:
            raise OperationFailed(
                "the document's file is missing from the file store; an operator must "
                "restore it from a backup"
            ) from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise OperationFailed(
                "the document's stored file does not match the SHA-256 recorded when it was "
                "attached; an operator must restore it from a backup"
            )
        return data

    def delete(self, key: str) -> None:
        """Remove the file if it is there (a rolled-back attach, a removed document)."""
        self.path(key).unlink(missing_ok=True)
