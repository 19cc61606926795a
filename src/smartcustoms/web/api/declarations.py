"""/api/v1/declarations: lodge, validate, read, list and act on declarations; /api/v1/tariff."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Body,
    File,
    Form,
    Header,
    Query,
    Request,
    Response,
    UploadFile,
    status,
)

from smartcustoms.core.pagination import MAX_PAGE, MAX_PAGE_SIZE, PageRequest
from smartcustoms.declarations import attachments, control, lifecycle, service
from smartcustoms.declarations.document import to_document
from smartcustoms.declarations.document_files import MAX_DOCUMENT_BYTES
from smartcustoms.declarations.model import (
    DeclarationDocument,
    DeclarationRecord,
    Lane,
    ListFilters,
    Outcome,
    Status,
)
from smartcustoms.declarations.schemas import (
    ArrivalIn,
    AssessmentOut,
    CancelIn,
    DeclarationIn,
    DeclarationOut,
    DocumentOut,
    HistoryOut,
    InspectionIn,
    InspectionOut,
    LaneExplanationOut,
    NoteIn,
    PageOut,
    ProblemOut,
    SummaryOut,
    ValidationOut,
)
from smartcustoms.errors import FieldError, InvalidInput
from smartcustoms.tariff import service as tariff
from smartcustoms.web.api.classify import description_check
from smartcustoms.web.deps import CurrentPrincipal, UoW
from smartcustoms.web.downloads import file_response

router = APIRouter(prefix="/api/v1", tags=["declarations"])

EXAMPLE: dict[str, Any] = {
    "reference": "INV-2021-0042",
    "kind": "import",
    "date": "2021-05-14",
    "office": "020",
    "transport_mode": "sea",
    "invoice_currency": "USD",
    "incoterm": "FOB",
    "freight": "120.00",
    "insurance": "15.00",
    "declarant": {"id": "BRK-001", "name": "Han Customs Brokers", "country": "KR"},
    "importer": {"id": "IMP-778", "name": "Seoul Trading Co.", "country": "KR"},
    "seller": {"id": "SEL-12", "name": "Shenzhen Cells Ltd", "country": "CN"},
    "departure_country": "CN",
    "items": [
        {
            "hs_code": "850760",
            "description": "Lithium-ion battery packs",
            "origin_country": "CN",
            "quantity": "40",
            "unit": "PCE",
            "net_mass_kg": "180",
            "gross_mass_kg": "200",
            "invoice_value": "5400.00",
            "preference": "FCN1",
        }
    ],
}
DocumentBody = Annotated[
    dict[str, Any],
    Body(
        description="A declaration in the JSON format of GET /api/v1/declarations/schema",
        examples=[EXAMPLE],
    ),
]


def record_out(
    r: DeclarationRecord, principal: Any, warnings: list[FieldError] | None = None
) -> DeclarationOut:
    return DeclarationOut(
        id=r.id,
        economy=r.economy,
        lodged_by=r.lodged_by,
        status=r.status.value,
        lane=r.lane.value if r.lane else None,
        lane_score=r.lane_score,
        lane_reasons=r.lane_reasons,
        lane_model_version=r.lane_model_version,
        lane_rules_fired=r.lane_rules_fired,
        lane_explanations=[LaneExplanationOut.model_validate(e) for e in r.lane_explanations],
        version=r.version,
        declaration_date=r.declaration_date,
        document=to_document(r.declaration),
        assessment=AssessmentOut.model_validate(r.assessment) if r.assessment else None,
        inspections=[InspectionOut.model_validate(i) for i in r.inspections],
        history=[HistoryOut.model_validate(h) for h in r.history],
        source=r.source,
        created_at=r.created_at,
        updated_at=r.updated_at,
        allowed_actions=lifecycle.allowed_actions(
            r.status, principal, r.lodged_by == principal.user_id
        ),
        warnings=[ProblemOut.model_validate(w) for w in warnings or []],
    )


@router.get("/declarations/schema")
def declaration_schema() -> dict[str, Any]:
    """The JSON schema of a declaration document."""
    return DeclarationIn.model_json_schema()


@router.post("/declarations/validate", response_model=ValidationOut)
def validate(
    body: DocumentBody, uow: UoW, principal: CurrentPrincipal, request: Request
) -> ValidationOut:
    """Every problem at once (JSON paths) and the duties it would owe; stores nothing."""
    rep = service.validate(uow, principal, body, signals=description_check(request))
    return ValidationOut(
        valid=rep.valid,
        errors=[ProblemOut.model_validate(e) for e in rep.errors],
        warnings=[ProblemOut.model_validate(w) for w in rep.warnings],
        assessment=AssessmentOut.model_validate(rep.assessment) if rep.assessment else None,
    )


@router.post(
    "/declarations",
    response_model=DeclarationOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"description": "the same payload was lodged before"},
        409: {"description": "the reference is used by another payload"},
        422: {"description": "every problem, with its JSON path"},
    },
)
def submit(
    body: DocumentBody,
    uow: UoW,
    principal: CurrentPrincipal,
    response: Response,
    request: Request,
) -> DeclarationOut:
    """Lodge a declaration. Idempotent on (declarant, reference)."""
    result = service.submit(uow, principal, body, signals=description_check(request))
    if not result.created:
        response.status_code = status.HTTP_200_OK
    return record_out(result.record, principal, result.warnings)


@router.get("/declarations", response_model=PageOut)
def list_declarations(
    uow: UoW,
    principal: CurrentPrincipal,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    lane: Lane | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    hs_prefix: Annotated[str | None, Query(pattern=r"^\d{1,10}$")] = None,
    party: str | None = None,
    reference: str | None = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> PageOut:
    """Your economy's declarations (declarants: their own), newest first."""
    result = service.list_declarations(
        uow,
        principal,
        ListFilters(
            status=status_,
            lane=lane,
            date_from=date_from,
            date_to=date_to,
            hs_prefix=hs_prefix,
            party=party,
            reference=reference,
        ),
        PageRequest(page, size),
    )
    return PageOut(
        items=[SummaryOut.model_validate(s) for s in result.items],
        total=result.total,
        page=result.page,
        size=result.size,
        pages=result.pages,
    )


@router.get("/declarations/{declaration_id}", response_model=DeclarationOut)
def get(declaration_id: str, uow: UoW, principal: CurrentPrincipal) -> DeclarationOut:
    """A declaration with its assessment, lane, inspection results and status history."""
    return record_out(service.get(uow, principal, declaration_id), principal)


@router.get("/declarations/{declaration_id}/versions")
def versions(declaration_id: str, uow: UoW, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    """Superseded versions of an amended declaration."""
    return service.versions(uow, principal, declaration_id)


@router.post("/declarations/{declaration_id}/amend", response_model=DeclarationOut)
def amend(
    declaration_id: str,
    body: DocumentBody,
    uow: UoW,
    principal: CurrentPrincipal,
    if_match: Annotated[
        str | None,
        Header(
            max_length=20,
            description='The version being amended (e.g. 2 or "2"): if the declaration '
            "has moved on since, the answer is 409 instead of overwriting that change.",
        ),
    ] = None,
) -> DeclarationOut:
    """Replace the document (same reference) and re-assess; before release only."""
    expected = _expected_version(if_match)
    return record_out(
        service.amend(uow, principal, declaration_id, body, expected_version=expected), principal
    )


def _expected_version(if_match: str | None) -> int | None:
    if if_match is None or if_match.strip() in ("", "*"):
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit() or not 0 < int(value) < 2**31:
        raise InvalidInput.single(
            "If-Match", "invalid", "If-Match must be the version number being amended"
        )
    return int(value)


@router.post("/declarations/{declaration_id}/cancel", response_model=DeclarationOut)
def cancel(
    declaration_id: str, body: CancelIn, uow: UoW, principal: CurrentPrincipal
) -> DeclarationOut:
    return record_out(service.cancel(uow, principal, declaration_id, body.reason), principal)


@router.post("/declarations/{declaration_id}/arrival", response_model=DeclarationOut)
def arrival(
    declaration_id: str, body: ArrivalIn, uow: UoW, principal: CurrentPrincipal
) -> DeclarationOut:
    """Arrival notice for a pre-lodged declaration (officers)."""
    return record_out(
        control.arrival_notice(uow, principal, declaration_id, body.arrived_on), principal
    )


@router.post("/declarations/{declaration_id}/refer", response_model=DeclarationOut)
def refer(
    declaration_id: str, body: NoteIn, uow: UoW, principal: CurrentPrincipal
) -> DeclarationOut:
    """Send a declaration under documentary check to physical inspection (officers)."""
    return record_out(control.refer_physical(uow, principal, declaration_id, body.note), principal)


@router.post("/declarations/{declaration_id}/inspection", response_model=DeclarationOut)
def inspection(
    declaration_id: str, body: InspectionIn, uow: UoW, principal: CurrentPrincipal
) -> DeclarationOut:
    """Record an inspection result (officers)."""
    return record_out(
        control.record_inspection(
            uow,
            principal,
            declaration_id,
            Outcome(body.outcome),
            notes=body.notes,
            revenue_adjustment=body.revenue_adjustment,
            hold=body.hold,
            critical=body.critical,
        ),
        principal,
    )


@router.post("/declarations/{declaration_id}/release", response_model=DeclarationOut)
def release(
    declaration_id: str, body: NoteIn, uow: UoW, principal: CurrentPrincipal
) -> DeclarationOut:
    return record_out(control.release(uow, principal, declaration_id, body.note), principal)


@router.post("/declarations/{declaration_id}/seize", response_model=DeclarationOut)
def seize(
    declaration_id: str, body: NoteIn, uow: UoW, principal: CurrentPrincipal
) -> DeclarationOut:
    return record_out(control.seize(uow, principal, declaration_id, body.note), principal)


def document_out(d: DeclarationDocument) -> DocumentOut:
    return DocumentOut(
        id=d.id,
        declaration_id=d.declaration_id,
        kind=d.kind.value,
        filename=d.filename,
        content_type=d.content_type,
        size=d.size,
        sha256=d.sha256,
        note=d.note,
        uploaded_by=d.uploaded_by,
        uploaded_at=d.uploaded_at,
        href=f"/api/v1/declarations/{d.declaration_id}/documents/{d.id}",
    )


@router.post(
    "/declarations/{declaration_id}/documents",
    response_model=DocumentOut,
    status_code=status.HTTP_201_CREATED,
)
def attach_document(
    declaration_id: str,
    uow: UoW,
    principal: CurrentPrincipal,
    file: Annotated[
        UploadFile | None,
        File(description="PDF, PNG, JPEG, TIFF, XML, CSV or plain text; 10 MiB at most"),
    ] = None,
    kind: Annotated[
        str,
        Form(
            description="commercial_invoice, packing_list, certificate_of_origin, licence, "
            "transport_document, inspection_report (officers) or other"
        ),
    ] = "",
    note: Annotated[str, Form(description="at most 500 characters")] = "",
) -> DocumentOut:
    """Attach a supporting document (multipart/form-data). Its declarant until release,
    officers of its economy at any time; every problem with the kind, file and note at once."""
    data, name, declared = None, "", ""
    if file is not None:
        # One byte past the limit is enough to refuse an oversized file without holding it all.
        data = file.file.read(MAX_DOCUMENT_BYTES + 1)
        name, declared = file.filename or "", file.content_type or ""
    document = attachments.attach(
        uow,
        principal,
        declaration_id,
        kind=kind,
        filename=name,
        data=data,
        content_type=declared,
        note=note,
    )
    return document_out(document)


@router.get("/declarations/{declaration_id}/documents", response_model=list[DocumentOut])
def list_documents(declaration_id: str, uow: UoW, principal: CurrentPrincipal) -> list[DocumentOut]:
    """The supporting documents of a declaration, oldest first."""
    return [document_out(d) for d in attachments.list_documents(uow, principal, declaration_id)]


@router.get(
    "/declarations/{declaration_id}/documents/{document_id}",
    response_class=Response,
    responses={200: {"description": "the document's bytes, as a download"}},
)
def download_document(
    declaration_id: str, document_id: str, uow: UoW, principal: CurrentPrincipal
) -> Response:
    """The document's bytes, checked against its recorded SHA-256, served as a download
    with the type decided from its content."""
    doc, data = attachments.fetch(uow, principal, declaration_id, document_id)
    return file_response(data, doc.content_type, doc.filename, private=True)


@router.delete(
    "/declarations/{declaration_id}/documents/{document_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
)
def remove_document(
    declaration_id: str, document_id: str, uow: UoW, principal: CurrentPrincipal
) -> Response:
    """Remove a document you attached, while the declaration is not routed yet."""
    attachments.remove(uow, principal, declaration_id, document_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/tariff/{economy}", tags=["tariff"])
def tariff_summary(economy: str, uow: UoW) -> dict[str, Any]:
    """An economy's tariff schedule settings and size (public)."""
    s = tariff.summary(uow, economy)
    st = s.settings
    return {
        "economy": s.economy,
        "lines": s.lines,
        "rate_types": s.rate_types,
        "vat_rate": str(st.vat_rate),
        "default_rate_type": st.default_rate_type,
        "de_minimis": None
        if st.de_minimis_amount is None
        else {
            "amount": str(st.de_minimis_amount),
            "currency": st.de_minimis_currency,
            "scope": st.de_minimis_scope.value,
        },
        "source": st.source,
    }


@router.get("/tariff/{economy}/lookup", tags=["tariff"])
def tariff_lookup(
    economy: str, uow: UoW, hs_code: str, origin: str, claim: str | None = None
) -> dict[str, Any]:
    """The tariff line that applies (longest HS prefix; preference if the origin qualifies)."""
    m = tariff.lookup(uow, economy, hs_code, origin, claim)
    ln = m.line
    return {
        "hs_prefix": ln.hs_prefix,
        "rate_type": ln.rate_type,
        "ad_valorem": str(ln.ad_valorem),
        "specific_amount": None if ln.specific_amount is None else str(ln.specific_amount),
        "specific_unit": ln.specific_unit.value if ln.specific_unit else None,
        "origins": sorted(ln.origins),
        "why": m.why,
    }
