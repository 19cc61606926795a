"""/api/v1/ecommerce: parcel manifests (streamed upload processed as a job with progress and a
status URL), jobs, decisions (JSON and the decisions file), single parcels decided at once,
three-order records and party keys, the officers' parcel queue and results, regimes, charts.

Platforms and carriers (roles ``platform``, ``carrier``) lodge; officers work the queue.
Everything is scoped to the caller's economy (another economy's manifest: 404).
"""

from __future__ import annotations

import tempfile
import threading
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.db.engine import Database
from smartcustoms.ecommerce import services
from smartcustoms.ecommerce.model import ManifestOutcome, ParcelView
from smartcustoms.ecommerce.schemas import outcome_doc
from smartcustoms.errors import InvalidInput, NotFound
from smartcustoms.web.deps import UoW, get_db, get_settings, require_roles

router = APIRouter(prefix="/api/v1/ecommerce", tags=["ecommerce"])
Lodger = Annotated[Principal, Depends(require_roles(Role.PLATFORM, Role.CARRIER))]
Officer = Annotated[Principal, Depends(require_roles(Role.OFFICER, Role.ANALYST))]
Anyone = Annotated[
    Principal, Depends(require_roles(Role.PLATFORM, Role.CARRIER, Role.OFFICER, Role.ANALYST))
]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
MAX_UPLOAD = 2 * 1024**3


class ResultIn(BaseModel):
    result: str = Field(description=", ".join(services.RESULTS))
    note: str = ""


class PartyKeyIn(BaseModel):
    party_id: str
    kind: str = Field(description="platform, payment or carrier")
    public_key: str = Field(description="base64url of the 32-byte Ed25519 public key")


def jobs(request: Request) -> dict[str, tuple[int, int]]:
    """Progress of running jobs in this process: manifest id -> (lines done, lines)."""
    state = request.app.state
    if not hasattr(state, "ecommerce_jobs"):
        state.ecommerce_jobs = {}
    progress: dict[str, tuple[int, int]] = state.ecommerce_jobs
    return progress


def job_doc(outcome: ManifestOutcome, progress: dict[str, tuple[int, int]]) -> dict[str, Any]:
    doc = outcome_doc(outcome, errors=1000)
    doc.pop("decisions_file", None)
    done, total = progress.get(outcome.id, (0, 0))
    doc["progress"] = 1.0 if outcome.status != "processing" else (done / total if total else 0.0)
    doc["lines_done"], doc["lines"] = done, total
    doc["status_url"] = f"/api/v1/ecommerce/jobs/{outcome.id}"
    doc["decisions_url"] = f"/api/v1/ecommerce/manifests/{outcome.id}/decisions"
    doc["decisions_file_url"] = f"/api/v1/ecommerce/manifests/{outcome.id}/decisions.csv"
    return doc


def start_job(
    request: Request,
    principal: Principal,
    path: Path,
    filename: str,
    fmt: str | None,
    profile: str,
    on: date | None,
) -> dict[str, Any]:
    """Open the manifest job (idempotent) and process it in a background thread."""
    db: Database = get_db(request)
    settings = get_settings(request)
    outcome, new = services.open_manifest(
        db.uow(), principal, path, filename=filename, fmt=fmt, on=on
    )
    progress = jobs(request)
    if not new:
        path.unlink(missing_ok=True)
        return job_doc(outcome, progress)
    progress[outcome.id] = (0, 0)

    def work() -> None:
        def report(done: int, total: int) -> None:
            progress[outcome.id] = (done, total)

        try:
            services.process_manifest(
                db.uow(),
                outcome.id,
                path,
                secret_key=settings.secret_key,
                files_dir=settings.files_dir,
                profile=profile,
                progress=report,
            )
        except Exception:  # the job row says "failed"; resubmitting retries
            pass
        finally:
            path.unlink(missing_ok=True)
            progress.pop(outcome.id, None)

    threading.Thread(target=work, name=f"manifest-{outcome.id}", daemon=True).start()
    return job_doc(outcome, progress)


async def spool(request: Request, directory: Path) -> Path:
    """Stream the request body to a file (never the whole manifest in memory)."""
    directory.mkdir(parents=True, exist_ok=True)
    size = 0
    with tempfile.NamedTemporaryFile(dir=directory, delete=False, suffix=".upload") as fh:
        async for block in request.stream():
            size += len(block)
            if size > MAX_UPLOAD:
                fh.close()
                Path(fh.name).unlink(missing_ok=True)
                raise InvalidInput.single("body", "too_large", "a manifest may be at most 2 GB")
            fh.write(block)
    return Path(fh.name)


@router.post("/manifests", status_code=202)
async def lodge_manifest(
    request: Request,
    principal: Lodger,
    filename: str = Query("manifest.ndjson", description="names the format: .ndjson .json .csv"),
    format: str | None = Query(None, description="ndjson, json or csv"),
    profile: str = Query("flat", description="CSV mapping profile: flat, h7, ceb621"),
    arrival_date: date | None = Query(None),
) -> JSONResponse:
    """Upload a manifest as the request body (streamed). Answers at once with the job and its
    status URL; the decisions follow within seconds."""
    settings = get_settings(request)
    path = await spool(request, settings.files_dir / "ecommerce" / "uploads")
    import anyio.to_thread

    doc = await anyio.to_thread.run_sync(
        lambda: start_job(request, principal, path, filename, format, profile, arrival_date)
    )
    return JSONResponse(doc, status_code=202, headers={"Location": doc["status_url"]})


@router.get("/jobs/{manifest_id}")
def job(request: Request, uow: UoW, principal: Anyone, manifest_id: str) -> dict[str, Any]:
    """A manifest job: status (processing, done, rejected, failed), progress and counts."""
    return job_doc(services.manifest(uow, principal, manifest_id), jobs(request))


@router.get("/manifests")
def list_manifests(
    request: Request, uow: UoW, principal: Anyone, limit: int = Query(50, ge=1, le=500)
) -> list[dict[str, Any]]:
    return [job_doc(o, jobs(request)) for o in services.manifests(uow, principal, limit)]


@router.get("/manifests/{manifest_id}/decisions", response_model=None)
def manifest_decisions(
    uow: UoW,
    principal: Anyone,
    manifest_id: str,
    decision: str | None = Query(None, description="release, hold, inspect or refuse"),
    limit: int = Query(1000, ge=1, le=10000),
    offset: int = Query(0, ge=0),
) -> list[ParcelView]:
    return services.decisions(uow, principal, manifest_id, decision, limit, offset)


@router.get("/manifests/{manifest_id}/decisions.csv")
def decisions_file(uow: UoW, principal: Anyone, manifest_id: str) -> Response:
    """The decisions file: waybill, decision, duty, tax, currency, score, reasons."""
    outcome = services.manifest(uow, principal, manifest_id)
    if not outcome.decisions_file or not Path(outcome.decisions_file).exists():
        raise NotFound(f"manifest {manifest_id} has no decisions file ({outcome.status})")
    return FileResponse(
        outcome.decisions_file, media_type="text/csv", filename=f"decisions-{manifest_id}.csv"
    )


@router.post("/parcels", response_model=None)
def lodge_parcel(
    request: Request,
    uow: UoW,
    principal: Lodger,
    parcel: Annotated[dict[str, Any], Body()],
    arrival_date: date | None = Query(None),
) -> ParcelView:
    """One parcel, decided at once (the same rules as a manifest)."""
    settings = get_settings(request)
    return services.submit_parcel(
        uow,
        principal,
        parcel,
        secret_key=settings.secret_key,
        files_dir=settings.files_dir,
        on=arrival_date,
    )


@router.get("/parcels/{waybill}", response_model=None)
def get_parcel(uow: UoW, principal: Anyone, waybill: str) -> ParcelView:
    return services.parcel_view(uow, principal, waybill)


@router.get("/queue", response_model=None)
def parcel_queue(
    uow: UoW,
    principal: Officer,
    decision: str | None = Query(None, description="inspect or hold"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> list[ParcelView]:
    return services.queue(uow, principal, decision, limit, offset)


@router.post("/parcels/{waybill}/result", response_model=None)
def parcel_result(
    uow: UoW,
    principal: Annotated[Principal, Depends(require_roles(Role.OFFICER))],
    waybill: str,
    body: ResultIn,
) -> ParcelView:
    return services.record_result(uow, principal, waybill, body.result, body.note)


@router.post("/records")
def lodge_records(
    request: Request,
    uow: UoW,
    principal: Lodger,
    records: Annotated[list[Any], Body()],
) -> dict[str, Any]:
    """Signed order, payment and waybill records (a list)."""
    return services.submit_records(
        uow, principal, records, secret_key=get_settings(request).secret_key
    )


@router.post("/party-keys")
def party_key(uow: UoW, principal: Admin, body: PartyKeyIn) -> dict[str, str]:
    return services.register_party_key(uow, principal, body.party_id, body.kind, body.public_key)


@router.get("/regimes")
def list_regimes(uow: UoW, principal: Anyone) -> list[dict[str, Any]]:
    return [r.to_dict() for r in services.regimes(uow, principal.economy)]


@router.post("/regimes", status_code=201)
def add_regime(
    uow: UoW,
    principal: Annotated[Principal, Depends(require_roles(Role.ANALYST))],
    body: Annotated[dict[str, Any], Body()],
) -> dict[str, Any]:
    return services.add_regime(uow, principal, body).to_dict()


@router.get("/charts/{name}.svg")
def chart(uow: UoW, principal: Anyone, name: str) -> Response:
    svgs = services.chart_svgs(services.figures(uow, principal))
    if name not in svgs:
        raise NotFound(f"no chart {name}: {', '.join(svgs)}")
    return Response(svgs[name], media_type="image/svg+xml")
