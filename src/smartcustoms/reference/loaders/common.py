"""Helpers shared by the parsers."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from smartcustoms.errors import DataUnavailable


class BadFile(DataUnavailable):
    """A reference file that cannot be read as expected."""

    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        where = f"{path.name} line {line}" if line is not None else path.name
        super().__init__(f"{where}: {message} (file: {path})")
        self.path = path
        self.line = line


def read_text(path: Path, encodings: tuple[str, ...] = ("utf-8-sig",)) -> str:
    """The file's text, trying each encoding in turn (UN/LOCODE is nominally Latin-1)."""
    data = path.read_bytes()
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadFile(path, f"is not text in any of {', '.join(encodings)}")


def fold(text: str) -> str:
    """Lower-case ASCII form for case- and accent-insensitive matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()
