"""The /api/v1/cases API and the pages: public read, 404 for drafts, escaping, attachments."""

from __future__ import annotations

from pathlib import Path

from tests.factories import case_data

XSS = "<script>alert('x')</script>"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def auth(actor):  # type: ignore[no-untyped-def]
    return {"Authorization": actor["Authorization"]}


def published_case(client, actors, **over):  # type: ignore[no-untyped-def]
    officer, km = actors.user("KR", "officer"), actors.user("KR", "knowledge_manager")
    r = client.post("/api/v1/cases", json=case_data(**over), headers=auth(officer))
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    assert client.post(f"/api/v1/cases/{case_id}/submit", headers=auth(officer)).status_code == 200
    r = client.post(f"/api/v1/cases/{case_id}/approve", json={"comment": "ok"}, headers=auth(km))
    assert r.status_code == 200, r.text
    return r.json(), officer, km


def test_workflow_over_http(client, actors) -> None:  # type: ignore[no-untyped-def]
    officer = actors.user("KR", "officer")
    km = actors.user("KR", "knowledge_manager")
    declarant = actors.user("KR", "declarant")
    other = actors.user("CN", "knowledge_manager")
    assert client.post("/api/v1/cases", json=case_data()).status_code == 401
    assert (
        client.post("/api/v1/cases", json=case_data(), headers=auth(declarant)).status_code == 403
    )
    r = client.post("/api/v1/cases", json={"title": ""}, headers=auth(officer))
    assert r.status_code == 422
    assert {"title", "year", "themes", "summary"} <= {e["path"] for e in r.json()["errors"]}

    case = client.post("/api/v1/cases", json=case_data(), headers=auth(officer)).json()
    url = f"/api/v1/cases/{case['id']}"
    assert case["status"] == "draft" and case["economy"] == "KR"
    # Drafts: 404 for the public and for another economy, visible inside the economy.
    assert client.get(url).status_code == 404
    assert client.get(url, headers=auth(other)).status_code == 404
    assert client.get(f"/cases/{case['slug']}", headers={"accept": "text/html"}).status_code == 404
    assert client.get(url, headers=auth(km)).json()["working"]["number"] == 1
    assert client.get("/api/v1/cases/drafts", headers=auth(officer)).json()[0]["id"] == case["id"]

    assert client.post(f"{url}/submit", headers=auth(officer)).json()["status"] == "submitted"
    assert client.post(f"{url}/approve", headers=auth(officer)).status_code == 403
    assert client.post(f"{url}/approve", headers=auth(other)).status_code == 404
    assert [c["id"] for c in client.get("/api/v1/cases/review-queue", headers=auth(km)).json()] == [
        case["id"]
    ]
    r = client.post(f"{url}/return", json={"comment": "cite the source"}, headers=auth(km))
    assert r.json()["status"] == "returned"
    r = client.put(url, json=case_data(title="Better title"), headers=auth(officer))
    assert r.status_code == 200 and r.json()["working"]["content"]["title"] == "Better title"
    client.post(f"{url}/submit", headers=auth(officer))
    assert client.post(f"{url}/approve", headers=auth(km)).json()["status"] == "published"

    public = client.get(url).json()
    assert public["published"]["content"]["title"] == "Better title"
    assert public["working"] is None and public["events"] == []
    listing = client.get("/api/v1/cases", params={"q": "parcels"}).json()
    assert listing["total"] == 1 and "<mark>" in listing["results"][0]["snippet_html"]
    assert client.get("/api/v1/cases", params={"theme": "nonsense"}).status_code == 422
    assert client.get(f"{url}/versions/1").json()["status"] == "published"


def test_html_in_text_is_escaped_everywhere(client, actors) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = published_case(
        client,
        actors,
        title=f"Scanner {XSS}",
        summary=f"Summary {XSS}",
        solution=f"Scanner {XSS} solution",
    )
    assert case["published"]["content"]["title"] == f"Scanner {XSS}"  # stored verbatim
    page = client.get(f"/cases/{case['slug']}")
    assert page.status_code == 200
    assert XSS not in page.text and "&lt;script&gt;" in page.text
    listing = client.get("/cases", params={"q": "scanner"})
    assert XSS not in listing.text and "<mark>" in listing.text
    api = client.get("/api/v1/cases", params={"q": "scanner"}).json()
    assert "<script>" not in api["results"][0]["snippet_html"]
    html = client.get("/api/v1/cases/compiled", params={"format": "html", "year": 2026})
    assert html.status_code == 200 and XSS not in html.text and "&lt;script&gt;" in html.text


def test_attachments(client, actors, settings) -> None:  # type: ignore[no-untyped-def]
    officer = actors.user("KR", "officer")
    case = client.post("/api/v1/cases", json=case_data(), headers=auth(officer)).json()
    url = f"/api/v1/cases/{case['id']}/attachments"
    bad = client.post(
        url,
        files={"file": ("page.html", b"<html><script>x</script>", "text/html")},
        headers=auth(officer),
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "disallowed_type"
    big = client.post(
        url, files={"file": ("big.txt", b"a" * (10 * 1024 * 1024 + 1))}, headers=auth(officer)
    )
    assert big.status_code == 422 and big.json()["errors"][0]["code"] == "too_large"
    ok = client.post(
        url, files={"file": ("report.pdf", PDF, "application/pdf")}, headers=auth(officer)
    )
    assert ok.status_code == 201, ok.text
    att = ok.json()["working"]["content"]["attachments"][0]
    stored = Path(settings.files_dir) / "cases" / att["sha256"][:2] / att["sha256"]
    assert stored.read_bytes() == PDF

    # Not published yet: the public cannot download it.
    assert client.get(f"{url}/{att['sha256']}").status_code == 404
    km = actors.user("KR", "knowledge_manager")
    client.post(f"/api/v1/cases/{case['id']}/submit", headers=auth(officer))
    client.post(f"/api/v1/cases/{case['id']}/approve", headers=auth(km))
    r = client.get(f"{url}/{att['sha256']}")
    assert r.status_code == 200 and r.content == PDF
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-disposition"].startswith("attachment")


def test_pages(client, actors) -> None:  # type: ignore[no-untyped-def]
    _case, officer, km = published_case(client, actors)
    assert "Automated release" in client.get("/cases").text
    assert client.get("/cases/drafts").status_code == 401  # drafts need a login
    r = client.get("/cases/drafts", headers=auth(officer))
    assert r.status_code == 200
    r = client.post("/cases/new", data={"title": "", "year": "2026"}, headers=auth(officer))
    assert r.status_code == 422 and "summary" in r.text
    r = client.post(
        "/cases/new",
        headers=auth(officer),
        follow_redirects=False,
        data={
            "title": "Form case",
            "year": "2026",
            "summary": "s",
            "problem": "p",
            "solution": "x",
            "priority_areas": ["innovation"],
            "themes": ["green-trade"],
            "outcomes": "Time | 10 | 5 | days | Annual report",
            "links": "Report | https://example.org",
        },
    )
    assert r.status_code == 303, r.text
    show = client.get(r.headers["location"], headers=auth(officer))
    assert show.status_code == 200 and "Form case" in show.text and "Annual report" in show.text
    queue = client.get("/cases/review", headers=auth(km))
    assert queue.status_code == 200
