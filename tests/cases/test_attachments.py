"""Attachments: the content decides the type; size and name are checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartcustoms.cases import attachments
from smartcustoms.errors import InvalidInput, NotFound

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def codes(exc: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [e.code for e in exc.value.errors]


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (PDF, "report.pdf", "application/pdf"),
        (PNG, "scan.PNG", "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 16, "photo.jpeg", "image/jpeg"),
        (b"metric,value\nrelease,2\n", "figures.csv", "text/csv"),
        ("Notes in 한국어".encode(), "notes.txt", "text/plain"),
    ],
)
def test_accepted_types(data: bytes, name: str, expected: str) -> None:
    info = attachments.check(data, name)
    assert info.content_type == expected
    assert info.size == len(data)
    assert len(info.sha256) == 64


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00", "tool.exe", "disallowed_type"),
        (b"<html><script>alert(1)</script></html>", "page.html", "disallowed_type"),
        (PNG, "report.pdf", "type_mismatch"),
        (b"\x00\x01binary", "data.txt", "disallowed_type"),
        (b"", "empty.txt", "empty"),
    ],
)
def test_refused_files(data: bytes, name: str, code: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        attachments.check(data, name)
    assert codes(exc) == [code]


def test_oversized_file_is_refused() -> None:
    with pytest.raises(InvalidInput) as exc:
        attachments.check(b"a" * (attachments.MAX_BYTES + 1), "big.txt")
    assert codes(exc) == ["too_large"]


def test_filenames_cannot_escape() -> None:
    assert attachments.clean_filename("../../etc/passwd") == "passwd"
    assert attachments.clean_filename("C:\\temp\\<evil>.pdf") == "_evil_.pdf"


def test_store_is_content_addressed(tmp_path: Path) -> None:
    store = attachments.FileStore(tmp_path)
    sha = store.put(PDF)
    assert store.put(PDF) == sha
    assert store.read(sha) == PDF
    assert store.path(sha).parent.name == sha[:2]
    with pytest.raises(NotFound):
        store.path("../../secret")
