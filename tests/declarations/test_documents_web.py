"""Supporting documents over HTTP: the multipart API, downloads that no browser renders, and
the Documents section of the declaration page (upload form with CSRF, errors beside fields)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from fastapi.testclient import TestClient

from smartcustoms.declarations import service
from tests.declarations.conftest import KR, doc
from tests.pages import browser_login

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PASSWORD = "correct horse battery"


def h(actor: dict[str, str]) -> dict[str, str]:
    return {"Authorization": actor["Authorization"]}


def lodge_yellow(kr: KR, reference: str = "DOC-1") -> str:
    kr.quiet_lanes("yellow")
    return service.submit(kr.db.uow(), kr.declarant, doc(reference=reference)).record.id


def test_attach_list_download_and_remove_through_the_api(client: TestClient, kr: KR) -> None:
    did = lodge_yellow(kr)
    me, officer = h(kr.users["declarant"]), h(kr.users["officer"])
    url = f"/api/v1/declarations/{did}/documents"
    r = client.post(
        url,
        files={"file": ("../../Invoice 2021.pdf", PDF, "application/pdf")},
        data={"kind": "commercial_invoice", "note": "signed"},
        headers=me,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["filename"] == "Invoice 2021.pdf"
    assert body["content_type"] == "application/pdf" and body["size"] == len(PDF)
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["href"] == f"{url}/{body['id']}"
    listed = client.get(url, headers=officer)
    assert listed.status_code == 200 and [d["id"] for d in listed.json()] == [body["id"]]

    got = client.get(body["href"], headers=officer)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"] == ("attachment; filename*=UTF-8''Invoice%202021.pdf")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["cache-control"] == "private, no-store"
    assert "sandbox" in got.headers["content-security-policy"]

    # A text file full of HTML is served as plain text, as a download, never as a page.
    html = b"<html><script>alert(document.cookie)</script></html>\n"
    sneaky = client.post(
        url,
        files={"file": ("notes.txt", html, "text/plain")},
        data={"kind": "other"},
        headers=me,
    )
    assert sneaky.status_code == 201, sneaky.text
    served = client.get(sneaky.json()["href"], headers=me)
    assert served.headers["content-type"].startswith("text/plain")
    assert served.headers["content-disposition"].startswith("attachment")

    # Routed to a documentary check: removal is refused (409); the declaration keeps both.
    assert client.delete(body["href"], headers=me).status_code == 409
    assert len(client.get(url, headers=me).json()) == 2


def test_every_problem_at_once_and_hostile_multipart_never_500(client: TestClient, kr: KR) -> None:
    did = lodge_yellow(kr)
    me = h(kr.users["declarant"])
    url = f"/api/v1/declarations/{did}/documents"
    r = client.post(
        url,
        files={"file": ("invoice.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, "application/pdf")},
        data={"kind": "nonsense", "note": "n" * 600},
        headers=me,
    )
    assert r.status_code == 422
    problems = sorted((e["path"], e["code"]) for e in r.json()["errors"])
    assert problems == [
        ("file", "type_mismatch"),
        ("file", "type_mismatch"),
        ("kind", "unknown_kind"),
        ("note", "too_long"),
    ]
    # No file, a file sent as a plain field, an empty body, a broken multipart body, JSON.
    for kwargs in (
        {"data": {"kind": "other"}},
        {"data": {"kind": "other", "file": "not a file"}},
        {},
        {
            "content": b'--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nbroken',
            "headers": {"content-type": "multipart/form-data; boundary=x"},
        },
        {"json": {"kind": "other"}},
        {"files": {"file": ("", b"", "application/octet-stream")}, "data": {"kind": "other"}},
    ):
        headers = {**me, **kwargs.pop("headers", {})}
        got = client.post(url, headers=headers, **kwargs)
        assert 400 <= got.status_code < 500, (kwargs, got.status_code, got.text[:300])
    oversized = b"%PDF-" + b"0" * (10 * 1024 * 1024)
    big = client.post(
        url, files={"file": ("big.pdf", oversized, "application/pdf")}, data={"kind": "other"},
        headers=me,
    )  # fmt: skip
    assert big.status_code == 422 and big.json()["errors"][0]["code"] == "too_large"
    assert client.get(url, headers=me).json() == []


def login(client: TestClient, email: str) -> None:
    client.headers["accept"] = "text/html"
    browser_login(client, email, PASSWORD)


def test_the_declaration_page_lists_documents_and_takes_uploads(client: TestClient, kr: KR) -> None:
    did = lodge_yellow(kr)
    login(client, kr.users["declarant"]["email"])
    page = client.get(f"/declarations/{did}")
    assert page.status_code == 200
    assert 'data-testid="form-documents"' in page.text and "No documents attached." in page.text
    # Declarants are not offered the officers' kind.
    assert 'value="inspection_report"' not in page.text

    # A wrong file and no kind: the page comes back with each problem beside its field.
    bad = client.post(
        f"/declarations/{did}/documents",
        files={"file": ("invoice.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
        data={"kind": "", "note": "first try"},
    )
    assert bad.status_code == 422
    assert re.search(r'id="f-doc-file-error"[^>]*>[^<]*not an accepted type', bad.text)
    assert re.search(r'id="f-doc-kind-error"[^>]*>[^<]*choose what kind', bad.text)
    assert 'value="first try"' in bad.text  # what was typed is kept

    good = client.post(
        f"/declarations/{did}/documents",
        files={"file": ("invoice.pdf", PDF, "application/pdf")},
        data={"kind": "commercial_invoice", "note": "original"},
        follow_redirects=False,
    )
    assert good.status_code == 303
    assert good.headers["location"] == f"/declarations/{did}?done=document_attached#documents"
    shown = client.get(f"/declarations/{did}?done=document_attached").text
    assert "Document attached." in shown
    (row,) = re.findall(r'<tr data-testid="document">.*?</tr>', shown, re.S)
    assert "Commercial invoice" in row and "invoice.pdf" in row and "original" in row
    assert "by you" in row
    link = re.search(r'href="(/api/v1/declarations/[^"]+)"', row)
    assert link is not None
    download = client.get(link.group(1))  # the session cookie may read through the API
    assert download.status_code == 200 and download.content == PDF

    # Without the CSRF token, nothing is attached.
    token = client.headers.pop("x-csrf-token")
    forged = client.post(
        f"/declarations/{did}/documents",
        files={"file": ("x.pdf", PDF, "application/pdf")},
        data={"kind": "other"},
    )
    client.headers["x-csrf-token"] = token
    assert forged.status_code == 403
    assert client.get(f"/declarations/{did}").text.count('data-testid="document"') == 1

    # Another declarant of the economy does not see it at all.
    login(client, kr.users["declarant2"]["email"])
    other: Any = client.post(
        f"/declarations/{did}/documents",
        files={"file": ("x.pdf", PDF, "application/pdf")},
        data={"kind": "other"},
    )
    assert other.status_code == 404
