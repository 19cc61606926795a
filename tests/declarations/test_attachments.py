"""Supporting documents on both databases: stored whole and read back byte for byte, every
problem reported at once, seen only by those who see the declaration, audited with their
hash, and never half-stored."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from smartcustoms.audit import service as audit
from smartcustoms.core.clock import FixedClock
from smartcustoms.declarations import attachments, control, service
from smartcustoms.declarations.model import DocumentKind, Outcome, Status
from smartcustoms.declarations.repository import DocumentRepository
from smartcustoms.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    OperationFailed,
    PermissionDenied,
)
from tests.conftest import Actors
from tests.declarations.conftest import KR, doc, principal

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


def lodge(kr: KR, reference: str = "INV-DOCS", lane: str | None = "yellow", **extra: Any) -> str:
    """A declaration of KR's declarant; yellow: waiting for a documentary check."""
    kr.quiet_lanes(lane)
    return service.submit(kr.db.uow(), kr.declarant, doc(reference=reference, **extra)).record.id


def attach(kr: KR, who: Any, did: str, files: Path, **changes: Any) -> Any:
    args: dict[str, Any] = {
        "kind": "commercial_invoice",
        "filename": "invoice.pdf",
        "data": PDF,
        "content_type": "application/pdf",
        "note": "",
    }
    args.update(changes)
    return attachments.attach(kr.db.uow(), who, did, files_dir=files, **args)


def stored_files(files: Path) -> list[Path]:
    return sorted(p for p in files.rglob("*") if p.is_file())


def test_a_document_is_stored_audited_listed_and_read_back_byte_for_byte(
    kr: KR, tmp_path: Path
) -> None:
    did = lodge(kr)
    added = attach(kr, kr.declarant, did, tmp_path, note="  signed original  ")
    # The audit chain records who attached which bytes.
    (entry,) = [e for e in audit.history(kr.db.uow(), did) if e["action"] == "attach_document"]
    assert entry["actor"] == kr.declarant.user_id and entry["note"] == "signed original"
    assert entry["after"] == {
        "document_id": added.id,
        "kind": "commercial_invoice",
        "filename": "invoice.pdf",
        "content_type": "application/pdf",
        "size": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
    }
    assert audit.verify(kr.db.uow()).ok
    assert service.get(kr.db.uow(), kr.declarant, did).history[-1].action == "attach_document"
    assert added.kind is DocumentKind.COMMERCIAL_INVOICE
    assert added.content_type == "application/pdf" and added.size == len(PDF)
    assert added.sha256 == hashlib.sha256(PDF).hexdigest()
    assert added.note == "signed original" and added.uploaded_by == kr.declarant.user_id
    # The officer of the same economy sees it too, and reads the same bytes.
    for who in (kr.declarant, kr.officer, kr.analyst):
        listed = attachments.list_documents(kr.db.uow(), who, did)
        assert [d.id for d in listed] == [added.id]
        got, data = attachments.fetch(kr.db.uow(), who, did, added.id, files_dir=tmp_path)
        assert got == added
        assert hashlib.sha256(data).hexdigest() == added.sha256 and data == PDF
    # Stored under a key of the economy and the row's id, never the uploader's file name.
    (path,) = stored_files(tmp_path)
    assert path.relative_to(tmp_path).parts == (
        "declaration-documents",
        "KR",
        added.id[:2],
        added.id,
    )
    # Attaching changes nothing of the declaration itself (updated_at is the release time).
    before = service.get(kr.db.uow(), kr.officer, did)
    png = {"filename": "p.png", "data": PNG, "content_type": "image/png"}
    attach(kr, kr.officer, did, tmp_path, kind="packing_list", **png)
    after = service.get(kr.db.uow(), kr.officer, did)
    assert (after.status, after.version, after.updated_at) == (
        before.status,
        before.version,
        before.updated_at,
    )


def test_every_problem_is_reported_at_once_and_nothing_is_stored(kr: KR, tmp_path: Path) -> None:
    did = lodge(kr)
    with pytest.raises(InvalidInput) as exc:
        attach(
            kr,
            kr.declarant,
            did,
            tmp_path,
            kind="bribe",
            filename="invoice.pdf",
            data=PNG,  # a PNG named and sent as a PDF
            note="x" * 501,
        )
    problems = sorted((e.path, e.code) for e in exc.value.errors)
    assert problems == [
        ("file", "type_mismatch"),
        ("file", "type_mismatch"),
        ("kind", "unknown_kind"),
        ("note", "too_long"),
    ]
    with pytest.raises(InvalidInput) as exc:
        attach(kr, kr.declarant, did, tmp_path, kind="", data=None)
    assert sorted((e.path, e.code) for e in exc.value.errors) == [
        ("file", "required"),
        ("kind", "required"),
    ]
    with pytest.raises(InvalidInput) as exc:
        attach(kr, kr.declarant, did, tmp_path, data=b"")
    assert [(e.path, e.code) for e in exc.value.errors] == [("file", "empty")]
    big = b"%PDF-" + b"0" * attachments.MAX_DOCUMENT_BYTES
    with pytest.raises(InvalidInput) as exc:
        attach(kr, kr.declarant, did, tmp_path, data=big)
    assert [(e.path, e.code) for e in exc.value.errors] == [("file", "too_large")]
    exe = b"MZ\x90\x00" + b"\x00" * 60  # wrong magic, whatever the declared type says
    with pytest.raises(InvalidInput) as exc:
        attach(kr, kr.declarant, did, tmp_path, data=exe, content_type="application/pdf")
    assert [(e.path, e.code) for e in exc.value.errors] == [("file", "disallowed_type")]
    assert stored_files(tmp_path) == []
    assert attachments.list_documents(kr.db.uow(), kr.declarant, did) == []


def test_another_economy_gets_not_found_whatever_it_sends(
    kr: KR, actors: Actors, tmp_path: Path
) -> None:
    did = lodge(kr)
    added = attach(kr, kr.declarant, did, tmp_path)
    for role in ("declarant", "officer", "admin"):
        sg = principal(kr.db, actors.user("SG", role)["email"])
        with pytest.raises(NotFound):
            attach(kr, sg, did, tmp_path)
        with pytest.raises(NotFound):
            attach(kr, sg, did, tmp_path, kind="bogus", data=b"")  # no validation leak either
        with pytest.raises(NotFound):
            attachments.list_documents(kr.db.uow(), sg, did)
        with pytest.raises(NotFound):
            attachments.fetch(kr.db.uow(), sg, did, added.id, files_dir=tmp_path)
        with pytest.raises(NotFound):
            attachments.remove(kr.db.uow(), sg, did, added.id, files_dir=tmp_path)
    assert len(stored_files(tmp_path)) == 1


def test_another_declarant_of_the_same_economy_gets_not_found(kr: KR, tmp_path: Path) -> None:
    """A declarant sees only the declarations they lodged, documents included."""
    did = lodge(kr)
    added = attach(kr, kr.declarant, did, tmp_path)
    with pytest.raises(NotFound):
        attach(kr, kr.declarant2, did, tmp_path)
    with pytest.raises(NotFound):
        attachments.list_documents(kr.db.uow(), kr.declarant2, did)
    with pytest.raises(NotFound):
        attachments.fetch(kr.db.uow(), kr.declarant2, did, added.id, files_dir=tmp_path)
    # A document id of another declaration is not found through this one.
    other = service.submit(kr.db.uow(), kr.declarant2, doc(reference="OTHER")).record.id
    with pytest.raises(NotFound):
        attachments.fetch(kr.db.uow(), kr.officer, other, added.id, files_dir=tmp_path)


def test_who_may_attach_when(kr: KR, tmp_path: Path) -> None:
    did = lodge(kr)
    with pytest.raises(PermissionDenied):
        attach(kr, kr.analyst, did, tmp_path)  # analysts read
    with pytest.raises(InvalidInput) as exc:
        attach(kr, kr.declarant, did, tmp_path, kind="inspection_report")
    assert [e.code for e in exc.value.errors] == ["officers_only"]
    control.record_inspection(kr.db.uow(), kr.officer, did, Outcome.NO_DISCREPANCY)
    assert service.get(kr.db.uow(), kr.officer, did).status is Status.RELEASED
    # Released: the declarant's papers are closed; an officer may still add a report.
    with pytest.raises(Conflict):
        attach(kr, kr.declarant, did, tmp_path)
    report = attach(
        kr,
        kr.officer,
        did,
        tmp_path,
        kind="inspection_report",
        filename="report.txt",
        data=b"Seals intact.\n",
        content_type="text/plain",
    )
    assert report.kind is DocumentKind.INSPECTION_REPORT
    cancelled = lodge(kr, "TO-CANCEL")
    service.cancel(kr.db.uow(), kr.declarant, cancelled, "wrong office")
    with pytest.raises(Conflict):
        attach(kr, kr.officer, cancelled, tmp_path)


def test_removal_by_the_uploader_before_routing_only(kr: KR, tmp_path: Path) -> None:
    kr.quiet_lanes()
    clock = FixedClock(datetime(2021, 5, 14, 9, tzinfo=UTC))
    pre = service.submit(
        kr.db.uow(), kr.declarant, doc(reference="PRE", arrival_date="2021-05-30"), clock=clock
    )
    did = pre.record.id
    assert pre.record.status is Status.PRE_LODGED
    mine = attach(kr, kr.declarant, did, tmp_path)
    note = {"filename": "n.txt", "data": b"ok", "content_type": "text/plain"}
    theirs = attach(kr, kr.officer, did, tmp_path, kind="other", **note)
    with pytest.raises(PermissionDenied):
        attachments.remove(kr.db.uow(), kr.declarant, did, theirs.id, files_dir=tmp_path)
    with pytest.raises(NotFound):
        attachments.remove(kr.db.uow(), kr.declarant, did, "0" * 32, files_dir=tmp_path)
    attachments.remove(kr.db.uow(), kr.declarant, did, mine.id, files_dir=tmp_path)
    assert [d.id for d in attachments.list_documents(kr.db.uow(), kr.officer, did)] == [theirs.id]
    assert len(stored_files(tmp_path)) == 1  # the removed one's bytes are gone
    removed = [e for e in audit.history(kr.db.uow(), did) if e["action"] == "remove_document"]
    assert removed[0]["before"]["sha256"] == mine.sha256
    # Routed (documentary check): nothing is removed any more.
    routed = lodge(kr, "ROUTED")
    kept = attach(kr, kr.declarant, routed, tmp_path)
    with pytest.raises(Conflict):
        attachments.remove(kr.db.uow(), kr.declarant, routed, kept.id, files_dir=tmp_path)


def test_a_failed_commit_or_file_write_leaves_neither_row_nor_file(
    kr: KR, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    did = lodge(kr)
    original = DocumentRepository.add

    def add_then_fail_later(self: DocumentRepository, row: Any) -> None:
        original(self, row)
        # The file is in place and the row flushed; the commit then fails.
        assert len(stored_files(tmp_path)) == 1
        self.session.info["fail"] = True

    from sqlalchemy import event
    from sqlalchemy.orm import Session

    def before_commit(session: Session) -> None:
        if session.info.pop("fail", False):
            raise RuntimeError("disk full")

    event.listen(Session, "before_commit", before_commit)
    monkeypatch.setattr(DocumentRepository, "add", add_then_fail_later)
    try:
        with pytest.raises(OperationFailed):
            attach(kr, kr.declarant, did, tmp_path)
    finally:
        event.remove(Session, "before_commit", before_commit)
    monkeypatch.undo()
    assert stored_files(tmp_path) == []
    assert attachments.list_documents(kr.db.uow(), kr.declarant, did) == []
    assert not [e for e in audit.history(kr.db.uow(), did) if e["action"] == "attach_document"]

    # A failed file write stores no row.
    def full_disk(self: Any, key: str, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(attachments.DocumentStore, "put", full_disk)
    with pytest.raises(OperationFailed):
        attach(kr, kr.declarant, did, tmp_path)
    monkeypatch.undo()
    assert attachments.list_documents(kr.db.uow(), kr.declarant, did) == []


def test_a_declaration_carries_a_bounded_number_of_documents(
    kr: KR, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(attachments, "MAX_DOCUMENTS", 2)
    did = lodge(kr)
    attach(kr, kr.declarant, did, tmp_path)
    attach(kr, kr.declarant, did, tmp_path)
    with pytest.raises(InvalidInput) as exc:
        attach(kr, kr.declarant, did, tmp_path)
    assert [(e.path, e.code) for e in exc.value.errors] == [("file", "too_many")]
