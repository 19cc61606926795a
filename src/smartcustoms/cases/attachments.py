"""Attachment files: type sniffed from the content, size checked, stored under their hash.

Files are never trusted by name or by the type the uploader claims: the first bytes decide
(PDF, PNG, JPEG) or, failing those, the whole file must be UTF-8 text without NUL bytes
(plain text, or CSV when named ``.csv``). Stored files are named by their SHA-256, so a name
cannot escape the store and identical uploads are kept once. They are served with the sniffed
type, ``nosniff`` and as a download, so a text file full of HTML is never rendered as a page.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from smartcustoms.cases.model import Attachment
from smartcustoms.errors import FieldError, InvalidInput, NotFound

MAX_BYTES = 10 * 1024 * 1024
_SIGNATURES: tuple[tuple[bytes, str, tuple[str, ...]], ...] = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
)
_TEXT_SUFFIXES = {".txt": "text/plain", ".csv": "text/csv", ".text": "text/plain", "": "text/plain"}
_SAFE_NAME = re.compile(r"[^\w.\- ()]+", re.UNICODE)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def clean_filename(name: str) -> str:
    """The last path component, normalised, without characters that could confuse a shell."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = _SAFE_NAME.sub("_", base).strip(" .") or "attachment"
    return base[-120:]


def sniff(data: bytes, filename: str, path: str = "file") -> str:
    """Return the content type of ``data`` or raise :class:`InvalidInput` saying why not."""
    suffix = Path(filename).suffix.lower()
    for magic, content_type, suffixes in _SIGNATURES:
        if data.startswith(magic):
            if suffix not in suffixes:
                raise InvalidInput.single(
                    path,
                    "type_mismatch",
                    f"'{filename}' is a {content_type} file but its name ends in '{suffix}'",
                )
            return content_type
    if suffix in _TEXT_SUFFIXES and b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return _TEXT_SUFFIXES[suffix]
    raise InvalidInput.single(
        path,
        "disallowed_type",
        f"'{filename}' is not an accepted file; attach PDF, PNG, JPEG, plain text (UTF-8) or CSV",
    )


def check(data: bytes, filename: str, path: str = "file") -> Attachment:
    """Validate an upload and describe it (type, size, hash); nothing is written."""
    errors: list[FieldError] = []
    if not data:
        errors.append(FieldError(path, "empty", "the file is empty"))
    elif len(data) > MAX_BYTES:
        errors.append(
            FieldError(
                path,
                "too_large",
                f"the file has {len(data):,} bytes; at most "
                f"{MAX_BYTES // (1024 * 1024)} MB are allowed",
            )
        )
    if errors:
        raise InvalidInput(errors)
    content_type = sniff(data, filename, path)
    return Attachment(
        sha256=hashlib.sha256(data).hexdigest(),
        filename=clean_filename(filename),
        content_type=content_type,
        size=len(data),
    )


class FileStore:
    """Content-addressed files under ``root`` (``settings.files_dir / "cases"``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise NotFound("no such attachment")
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if target.is_file():
            return sha
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a crash never leaves a half-written file under a valid hash.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha

    def read(self, sha256: str) -> bytes:
        target = self.path(sha256)
        if not target.is_file():
            raise NotFound("the attachment's file is missing from the file store")
        return target.read_bytes()
