"""Statistics pages: the economy's dashboard (charts, tables, exports, the printable report,
publishing) and the public pages of published aggregates (no login)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from smartcustoms import charts
from smartcustoms.accounts.model import Role
from smartcustoms.errors import InvalidInput
from smartcustoms.stats import export, publish, report, service
from smartcustoms.web.deps import CurrentPrincipal, OptionalPrincipal, UoW
from smartcustoms.web.i18n import DEFAULT_LANGUAGE
from smartcustoms.web.i18n import gettext as _
from smartcustoms.web.pages.home import render

router = APIRouter(include_in_schema=False)


@router.get("/stats", response_class=HTMLResponse)
def dashboard(
    request: Request,
    uow: UoW,
    principal: CurrentPrincipal,
    period: str = "",
    done: str = "",
) -> Response:
    principal.require(*service.READERS)
    chosen = period.strip() or report.default_period(uow, principal.economy)
    try:
        built = report.build(uow, principal, chosen, translate=_)
    except InvalidInput as exc:
        return render(
            request,
            "stats/dashboard.html",
            status_code=422,
            principal=principal,
            period=chosen,
            body="",
            error=exc.errors[0].message,
            can_publish=False,
            publications=[],
        )
    return render(
        request,
        "stats/dashboard.html",
        principal=principal,
        period=built.period.code,
        body=report.render_html(built, standalone=False, translate=_),
        error=None,
        done=done,
        can_publish=principal.has(Role.ANALYST),
        publications=publish.list_published(uow, principal.economy),
    )


@router.get("/stats/report")
def report_page(
    uow: UoW, principal: CurrentPrincipal, period: str = "", format: str = "html"
) -> Response:
    principal.require(*service.READERS)
    chosen = period or report.default_period(uow, principal.economy)
    built = report.build(uow, principal, chosen, translate=_)
    name = f"trade-{principal.economy}-{built.period.code}".replace("..", "_")
    if format == "pdf":
        return Response(
            report.render_pdf(built, translate=_, language=DEFAULT_LANGUAGE),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
        )
    if format != "html":
        raise InvalidInput.single("format", "unknown_value", _("format is html or pdf"))
    return HTMLResponse(report.render_html(built, translate=_, language=DEFAULT_LANGUAGE))


@router.get("/stats/export")
def export_file(
    uow: UoW,
    principal: CurrentPrincipal,
    period: str,
    by: str = "partner",
    flow: str = "total",
    format: str = "csv",
) -> Response:
    if format not in export.FORMATS:
        raise InvalidInput.single(
            "format",
            "unknown_value",
            _("format is one of {formats}", formats=", ".join(export.FORMATS)),
        )
    result = service.trade(uow, principal, period, service.parse_query(by=by, flow=flow))
    name = f"trade-{result.economy}-{result.period.code}-{result.by.value}".replace("..", "_")
    content: str | bytes
    if format == "xlsx":
        content, ext = export.to_xlsx(result), "xlsx"
    elif format == "sdmx":
        content, ext = export.to_sdmx_csv(result), "sdmx.csv"
    else:
        content, ext = export.to_csv(result), "csv"
    return Response(
        content,
        media_type=export.FORMATS[format],
        headers={"Content-Disposition": f'attachment; filename="{name}.{ext}"'},
    )


@router.post("/stats/publish")
def publish_form(
    uow: UoW,
    principal: CurrentPrincipal,
    title: Annotated[str, Form()],
    period: Annotated[str, Form()],
    by: Annotated[str, Form()] = "partner",
    flow: Annotated[str, Form()] = "total",
    threshold: Annotated[int, Form()] = publish.DEFAULT_THRESHOLD,
) -> Response:
    pub = publish.publish(
        uow, principal, title=title, period=period, by=by, flow=flow, threshold=threshold
    )
    return RedirectResponse(f"/public/stats/{pub.economy}/{pub.id}", status_code=303)


@router.get("/public/stats/{economy}", response_class=HTMLResponse)
def public_list(request: Request, uow: UoW, principal: OptionalPrincipal, economy: str) -> Response:
    pubs = publish.list_published(uow, economy)
    return render(
        request,
        "stats/public_list.html",
        principal=principal,
        economy=economy.upper(),
        publications=pubs,
    )


@router.get("/public/stats/{economy}/{publication_id}", response_class=HTMLResponse)
def public_show(
    request: Request, uow: UoW, principal: OptionalPrincipal, economy: str, publication_id: str
) -> Response:
    pub = publish.get_published(uow, economy, publication_id)
    rows = pub.payload.get("rows", [])
    chart = charts.bars(
        [(f"{r['key']} {r['label']}", float(r["value"])) for r in rows if r["value"] is not None][
            :15
        ],
        f"{pub.title} ({pub.payload.get('currency', '')})",
        unit=str(pub.payload.get("currency", "")),
    )
    return render(
        request, "stats/public_show.html", principal=principal, pub=pub, rows=rows, chart=chart
    )
