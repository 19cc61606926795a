"""Supporting documents' files: the content decides the type; names and declared types must
agree with it; the store writes whole files under keys of its own and checks them on read."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from smartcustoms.declarations import document_files as files
from smartcustoms.errors import NotFound, OperationFailed

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16
TIFF = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 16
XML = b'<?xml version="1.0"?>\n<Invoice><Total>5400.00</Total></Invoice>\n'


def codes(data: bytes, name: str, declared: str = "") -> list[str]:
    checked, problems = files.check_file(data, name, declared)
    assert (checked is None) == bool(problems)
    return [p.code for p in problems]


@pytest.mark.parametrize(
    ("data", "name", "declared", "expected"),
    [
        (PDF, "invoice.pdf", "application/pdf", "application/pdf"),
        (PNG, "scan.PNG", "image/png", "image/png"),
        (JPEG, "photo.jpeg", "image/jpg", "image/jpeg"),
        (TIFF, "fax.tif", "application/octet-stream", "image/tiff"),
        (b"MM\x00*" + b"\x00" * 8, "fax.tiff", "", "image/tiff"),
        (XML, "invoice.xml", "text/xml", "application/xml"),
        (b"\xef\xbb\xbf<Packing/>", "packing.xml", "", "application/xml"),
        (b"line,hs,qty\n1,850760,40\n", "packing.csv", "application/vnd.ms-excel", "text/csv"),
        ("Permit nº 42 — 한국어".encode(), "permit.txt", "text/plain", "text/plain"),
        (b"no extension at all\n", "README", "", "text/plain"),
    ],
)
def test_accepted_types_are_decided_by_the_content(
    data: bytes, name: str, declared: str, expected: str
) -> None:
    checked, problems = files.check_file(data, name, declared)
    assert problems == []
    assert checked is not None
    assert checked.content_type == expected
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("data", "name", "declared", "expected"),
    [
        (b"", "invoice.pdf", "application/pdf", ["empty"]),
        (b"MZ\x90\x00\x03\x00\x00\x00", "tool.exe", "", ["disallowed_type"]),
        (b"PK\x03\x04" + b"\x00" * 20, "invoice.pdf", "application/pdf", ["disallowed_type"]),
        (b"\x00\x01binary", "data.txt", "", ["disallowed_type"]),
        (b"\x1b[31mterminal escape", "note.txt", "", ["disallowed_type"]),
        # The magic bytes decide: a PNG named and declared as a PDF is refused, twice over.
        (PNG, "invoice.pdf", "application/pdf", ["type_mismatch", "type_mismatch"]),
        (PDF, "invoice.pdf", "image/png", ["type_mismatch"]),
        # Text that is not one of the accepted kinds, whatever it claims.
        (b"<html><script>alert(1)</script></html>", "page.html", "", ["disallowed_type"]),
        (b"<svg onload=alert(1)/>", "logo.svg", "image/svg+xml", ["disallowed_type"] * 2),
        (b"plain words", "invoice.xml", "", ["type_mismatch"]),
        (b"a,b\n", "table.csv", "text/html", ["disallowed_type"]),
    ],
)
def test_refused_files_say_why(data: bytes, name: str, declared: str, expected: list[str]) -> None:
    assert codes(data, name, declared) == expected


def test_the_size_limit_is_ten_mebibytes() -> None:
    assert files.MAX_DOCUMENT_BYTES == 10 * 1024 * 1024
    at_limit = b"%PDF-" + b"a" * (files.MAX_DOCUMENT_BYTES - 5)
    assert codes(at_limit, "big.pdf") == []
    assert codes(at_limit + b"a", "big.pdf") == ["too_large"]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\invoice 2021.pdf", "invoice 2021.pdf"),
        ('inv"oice;\r\nX-Evil: 1.pdf', "inv_oice_X-Evil_ 1.pdf"),
        ("...", "document.pdf"),
        ("", "document.pdf"),
        ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
    ],
)
def test_filenames_are_cleaned(raw: str, clean: str) -> None:
    assert files.clean_filename(raw, "application/pdf") == clean


def test_store_writes_whole_files_under_its_own_keys(tmp_path: Path) -> None:
    store = files.DocumentStore(tmp_path)
    key = store.key_for("KR", "ab" + "0" * 30)
    assert key == "KR/ab/ab" + "0" * 30
    store.put(key, PDF)
    assert store.read(key, hashlib.sha256(PDF).hexdigest()) == PDF
    assert [p.name for p in (tmp_path / "KR" / "ab").iterdir()] == ["ab" + "0" * 30]
    with pytest.raises(ValueError):
        store.key_for("KR", "../../x")
    with pytest.raises(NotFound):
        store.path("KR/../../etc/passwd")
    # Bytes changed on disk are noticed; a missing file too.
    store.path(key).write_bytes(PDF + b"tampered")
    with pytest.raises(OperationFailed, match="does not match"):
        store.read(key, hashlib.sha256(PDF).hexdigest())
    store.delete(key)
    store.delete(key)  # twice: no error
    with pytest.raises(OperationFailed, match="missing"):
        store.read(key, hashlib.sha256(PDF).hexdigest())
