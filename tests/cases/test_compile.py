"""The compiled yearly document: the PDF's table of contents lists every published case."""

from __future__ import annotations

import io
import json
import re

from pypdf import PdfReader

from smartcustoms.cases import compile as compiler
from smartcustoms.cases import examples


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_pdf_table_of_contents_lists_every_published_case(db) -> None:  # type: ignore[no-untyped-def]
    examples.load_examples(db.uow())
    doc = compiler.build(db.uow(), 2026)
    titles = [c.content.title for c in doc.cases]
    assert len(titles) >= 5
    pdf = compiler.compile_document(db.uow(), 2026, "pdf")
    reader = PdfReader(io.BytesIO(pdf))
    pages = [_words(p.extract_text() or "") for p in reader.pages]
    toc = next(p for p in pages if "Table of contents" in p)
    for title in titles:
        assert _words(title) in toc, title
    text = " ".join(pages)
    assert "Index by economy" in text and "Summary of quantified outcomes" in text


def test_html_and_json(db) -> None:  # type: ignore[no-untyped-def]
    examples.load_examples(db.uow())
    html = compiler.compile_document(db.uow(), 2026, "html").decode()
    assert html.startswith("<!doctype html>") and "<style>" in html
    assert 'src="http' not in html and "<link" not in html  # standalone
    data = json.loads(compiler.compile_document(db.uow(), 2026, "json"))
    listed = [c["slug"] for s in data["table_of_contents"] for c in s["cases"]]
    assert "example-cn-intelligent-image-review" in listed
    assert data["index_by_economy"]["China"]
    empty = json.loads(compiler.compile_document(db.uow(), 1999, "json"))
    assert empty["table_of_contents"] == []
