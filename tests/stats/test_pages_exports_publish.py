"""Pages with charts, exports (CSV, XLSX, SDMX-CSV), the period report (HTML, PDF), public
aggregates with small-cell suppression, and tenancy."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from smartcustoms.declarations import service as declarations
from smartcustoms.errors import NotFound
from smartcustoms.stats import publish
from tests.declarations.conftest import principal
from tests.stats.conftest import StatsKR, document, item


def test_dashboard_report_and_pdf(stats_kr: StatsKR, client: Any) -> None:
    h = {"Authorization": stats_kr.kr.users["analyst"]["Authorization"]}
    page = client.get("/stats", params={"period": "2021-Q2"}, headers=h)
    assert page.status_code == 200
    html = page.text
    assert html.count("<svg") >= 6 and "2,000,000.00 KRW" in html
    assert "China" in html and "+400.00 %" in html and "75.00 %" in html  # growth, APEC
    default = client.get("/stats", headers=h)  # the quarter of the latest month with trade
    assert default.status_code == 200 and 'value="2021-Q2"' in default.text
    bad = client.get("/stats", params={"period": "someday"}, headers=h)
    assert bad.status_code == 422 and "is not a period" in bad.text
    report = client.get("/stats/report", params={"period": "2021-Q2"}, headers=h)
    assert report.status_code == 200 and "<svg" in report.text and "@page" in report.text
    pdf = client.get("/stats/report", params={"period": "2021-Q2", "format": "pdf"}, headers=h)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    anonymous = client.get("/stats", headers={"Accept": "text/html"}, follow_redirects=False)
    assert anonymous.status_code in (303, 401)


def test_exports(stats_kr: StatsKR, client: Any) -> None:
    h = {"Authorization": stats_kr.kr.users["analyst"]["Authorization"]}
    params = {"period": "2021-Q2", "by": "partner"}
    text = client.get("/stats/export", params={**params, "format": "csv"}, headers=h).text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][:3] == ["partner", "label", "value_KRW"]
    assert rows[2][:3] == ["CN", "China", "1000000.00"] and rows[-1][0] == "total"
    xlsx = client.get("/stats/export", params={**params, "format": "xlsx"}, headers=h)
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws is not None
    assert ws["A3"].value == "CN" and ws["C3"].value == 1_000_000
    sdmx = client.get("/stats/export", params={**params, "format": "sdmx"}, headers=h).text
    obs = list(csv.DictReader(io.StringIO(sdmx)))
    cn = [o for o in obs if o["PARTNER"] == "CN" and o["UNIT_MEASURE"] == "KRW"]
    assert cn[0]["TIME_PERIOD"] == "2021-Q2" and Decimal(cn[0]["OBS_VALUE"]) == 1_000_000
    assert {o["REPORTER"] for o in obs} == {"KR"} and len(obs) == 8  # 4 partners x 2 units
    assert (
        client.get("/stats/export", params={**params, "format": "pdf"}, headers=h).status_code
        == 422
    )


def test_publication_suppresses_small_cells_and_needs_no_login(
    stats_kr: StatsKR, client: Any
) -> None:
    k = stats_kr.kr
    # A second declarant trades with CN and DE (imports): CN, DE 2 declarants; US, JP 1.
    doc = document(
        "X1",
        "2021-06-01",
        [item("850760", "CN", 10_000), item("854143", "DE", 10_000)],
        declarant={"id": "BRK-002", "country": "KR"},
    )
    declarations.submit(k.db.uow(), k.declarant2, doc)
    pub = publish.publish(
        k.db.uow(), k.analyst, title="Q2 by partner", period="2021-Q2", threshold=2
    )
    rows = {r["key"]: r for r in pub.payload["rows"]}
    assert rows["CN"]["value"] == "1010000.00" and not rows["CN"]["suppressed"]
    assert rows["US"]["suppressed"] and rows["US"]["value"] is None
    assert rows["JP"]["suppressed"] and not rows["DE"]["suppressed"]
    assert pub.payload["total"]["value"] == "2020000.00"
    # By flow: exports have one declarant -> suppressed, and imports with them (secondary).
    flows = publish.publish(
        k.db.uow(), k.analyst, title="flows", period="2021-Q2", by="flow", threshold=2
    )
    assert all(r["suppressed"] for r in flows.payload["rows"])
    # Anyone may read it, no login; nothing item-level in it.
    listed = client.get("/api/v1/public/stats/KR").json()
    assert {p["title"] for p in listed} == {"Q2 by partner", "flows"}
    page = client.get(f"/public/stats/KR/{pub.id}")
    assert page.status_code == 200 and "suppressed" in page.text and "<svg" in page.text
    assert "BRK-002" not in page.text and "X1" not in page.text
    # Tenancy: another economy neither sees nor removes KR's publication through its own id.
    jp = principal(k.db, k.actors.user("JP", "analyst")["email"])
    try:
        publish.unpublish(k.db.uow(), jp, pub.id)
        raise AssertionError("JP removed KR's publication")
    except NotFound:
        pass
    assert client.get(f"/public/stats/JP/{pub.id}").status_code == 404
    assert client.get("/api/v1/public/stats/XX").status_code == 404
    jp_h = {"Authorization": k.actors.user("JP", "analyst")["Authorization"]}
    jp_page = client.get("/stats", params={"period": "2021-Q2"}, headers=jp_h).text
    assert "China" not in jp_page and "2,000,000" not in jp_page
    h = {"Authorization": k.users["analyst"]["Authorization"]}
    assert client.delete(f"/api/v1/stats/publications/{pub.id}", headers=h).status_code == 204
    assert client.get(f"/api/v1/public/stats/KR/{pub.id}").status_code == 404
