"""Supporting documents of a declaration: attach, list, fetch and remove (use cases).

Who and when
    - **Seeing** a declaration's documents (list, download) follows the declaration: its
      declarant (the user who lodged it) and the officers and analysts of its economy. Anyone
      else -- another declarant of the same economy, any user of another economy -- gets
      NotFound, exactly as for an id that does not exist.
    - **Attaching**: the declarant who lodged it, until the goods are released (also while a
      documentary check is waiting for papers); officers of its economy at any time except on a
      cancelled declaration (an inspection report after release or seizure, say). Inspection
      reports are attached by officers only. Analysts read. At most :data:`MAX_DOCUMENTS` per
      declaration.
    - **Removing**: only the user who attached the document, and only while the declaration
      has not been routed yet (pre-lodged, submitted, assessed). Once routed, an officer may
      have relied on it: a wrong document is corrected by attaching the right one.

Every attach and removal is an entry in the economy's audit chain (entity: the declaration),
carrying the document's SHA-256, so the chain proves which bytes were supplied; a document's
bytes are checked against it on every download. Attaching does not change the declaration's
state, version or ``updated_at`` (which release-time statistics read as the release time).

Nothing half-stored: the file is written (to a temporary name, then renamed) before the row,
and deleted again if anything fails before the commit, so a row never points to no file. A
crash between the rename and the commit leaves an unreferenced file, which is harmless. A
removed document's file is deleted after its removal is committed. (Joined to a caller's
transaction, the commit is the caller's: if the caller then rolls back, the attached file is
left unreferenced, again harmless, and a removal keeps its file.)
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.audit.log import AuditEvent, AuditLog
from smartcustoms.core.clock import Clock
from smartcustoms.core.ids import new_id
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations.document_files import (
    MAX_DOCUMENT_BYTES,
    DocumentStore,
    check_file,
)
from smartcustoms.declarations.lifecycle import BEFORE_RELEASE
from smartcustoms.declarations.model import DeclarationDocument, DocumentKind, Status
from smartcustoms.declarations.repository import DeclarationRepository, DocumentRepository
from smartcustoms.declarations.tables import DeclarationDocumentRow
from smartcustoms.declarations.transitions import ENTITY, load_row
from smartcustoms.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    OperationFailed,
    PermissionDenied,
)

__all__ = [
    "ATTACHED",
    "MAX_DOCUMENTS",
    "MAX_DOCUMENT_BYTES",
    "MAX_NOTE",
    "OFFICERS_ONLY",
    "REMOVABLE",
    "REMOVED",
    "attach",
    "documents_root",
    "fetch",
    "list_documents",
    "may_attach",
    "remove",
]

MAX_DOCUMENTS = 50
"""Documents per declaration: more than any consignment needs, a bound on one account's use."""
MAX_NOTE = 500
ATTACHED = "attach_document"
REMOVED = "remove_document"
REMOVABLE = frozenset({Status.PRE_LODGED, Status.SUBMITTED, Status.ASSESSED})
"""Before routing: no officer can have relied on the document yet."""
OFFICERS_ONLY = frozenset({DocumentKind.INSPECTION_REPORT})


def documents_root(files_dir: Path) -> Path:
    return Path(files_dir) / "declaration-documents"


def _store(uow: UnitOfWork, files_dir: Path | None) -> DocumentStore:
    folder = files_dir
    if folder is None and uow.ports is not None:
        folder = uow.ports.files_dir
    if folder is None:
        raise OperationFailed("documents need a files directory (SMARTCUSTOMS_HOME)")
    return DocumentStore(documents_root(folder))


def _document(row: DeclarationDocumentRow) -> DeclarationDocument:
    return DeclarationDocument(
        id=row.id,
        declaration_id=row.declaration_id,
        kind=DocumentKind(row.kind),
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        note=row.note,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
    )


def _refusal(
    status: Status, lodged_by: str, principal: Principal
) -> PermissionDenied | Conflict | None:
    """Why ``principal`` (who can see the declaration) may not attach to it now, or None."""
    if principal.has(Role.OFFICER):
        if status is Status.CANCELLED:
            return Conflict("documents cannot be attached to a cancelled declaration")
        return None
    if not principal.has(Role.DECLARANT) or lodged_by != principal.user_id:
        return PermissionDenied("only its declarant and customs officers attach documents")
    if status not in BEFORE_RELEASE:
        return Conflict(
            f"the declaration is {status.value.replace('_', ' ')}: its declarant may attach "
            "documents only until the goods are released"
        )
    return None


def may_attach(status: Status, lodged_by: str, principal: Principal) -> bool:
    """Whether a page should offer the upload form (the use case decides again)."""
    return _refusal(status, lodged_by, principal) is None


def _kind(value: str, principal: Principal) -> tuple[DocumentKind | None, list[FieldError]]:
    text = (value or "").strip()
    if not text:
        return None, [FieldError("kind", "required", "choose what kind of document this is")]
    try:
        kind = DocumentKind(text)
    except ValueError:
        known = ", ".join(k.value for k in DocumentKind)
        problem = FieldError("kind", "unknown_kind", f"not a document kind; use one of {known}")
        return None, [problem]
    if kind in OFFICERS_ONLY and not principal.has(Role.OFFICER):
        return None, [
            FieldError("kind", "officers_only", "inspection reports are attached by officers")
        ]
    return kind, []


def _note(value: str) -> tuple[str, list[FieldError]]:
    note = (value or "").strip()
    if "\x00" in note:
        return "", [FieldError("note", "nul_character", "the note may not contain NUL")]
    if len(note) > MAX_NOTE:
        return "", [
            FieldError("note", "too_long", f"at most {MAX_NOTE} characters ({len(note)} given)")
        ]
    return note, []


def attach(
    uow: UnitOfWork,
    principal: Principal,
    declaration_id: str,
    *,
    kind: str,
    filename: str,
    data: bytes | None,
    content_type: str = "",
    note: str = "",
    files_dir: Path | None = None,
    clock: Clock | None = None,
) -> DeclarationDocument:
    """Check a file and attach it to a declaration the caller may see (every problem with the
    kind, the file and the note at once). ``data`` None: no file was sent; ``content_type`` is
    what the uploader declared (checked against the content, never believed)."""
    store = _store(uow, files_dir)
    now = (clock or uow.clock).now()
    written: str | None = None
    try:
        with uow:
            # The declaration is read under the write lock: its state cannot change (a release,
            # a cancellation) between the checks below and the commit.
            uow.lock_for_write()
            row = load_row(uow.repo(DeclarationRepository), principal, declaration_id, lock=True)
            refused = _refusal(Status(row.status), row.lodged_by, principal)
            if refused is not None:
                raise refused
            chosen, problems = _kind(kind, principal)
            text, note_problems = _note(note)
            if data is None:
                checked = None
                file_problems = [FieldError("file", "required", "choose a file to attach")]
            else:
                checked, file_problems = check_file(data, filename, content_type)
            problems += file_problems + note_problems
            documents = uow.repo(DocumentRepository)
            if documents.count(row.id) >= MAX_DOCUMENTS:
                problems.append(
                    FieldError(
                        "file",
                        "too_many",
                        f"a declaration carries at most {MAX_DOCUMENTS} documents",
                    )
                )
            if problems or checked is None or chosen is None or data is None:
                raise InvalidInput(problems)
            document_id = new_id()
            key = DocumentStore.key_for(row.economy, document_id)
            store.put(key, data)
            written = key
            added = DeclarationDocumentRow(
                id=document_id,
                economy=row.economy,
                declaration_id=row.id,
                kind=chosen.value,
                filename=checked.filename,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                storage_key=key,
                note=text,
                uploaded_by=principal.user_id,
                uploaded_at=now,
            )
            documents.add(added)
            uow.repo(AuditLog).append(
                row.economy,
                [
                    AuditEvent(
                        ENTITY,
                        row.id,
                        ATTACHED,
                        principal.user_id,
                        now,
                        None,
                        {
                            "document_id": document_id,
                            "kind": chosen.value,
                            "filename": checked.filename,
                            "content_type": checked.content_type,
                            "size": checked.size,
                            "sha256": checked.sha256,
                        },
                        text,
                    )
                ],
            )
            result = _document(added)
            uow.commit()
    except BaseException:
        if written is not None:
            # No row points to it. Should this fail too, the file stays unreferenced
            # (harmless), and the caller sees the error that stopped the attach.
            with contextlib.suppress(OSError):
                store.delete(written)
        raise
    return result


def list_documents(
    uow: UnitOfWork, principal: Principal, declaration_id: str
) -> list[DeclarationDocument]:
    """The documents of a declaration the caller may see, oldest first."""
    with uow:
        row = load_row(uow.repo(DeclarationRepository), principal, declaration_id)
        return [_document(d) for d in uow.repo(DocumentRepository).of_declaration(row.id)]


def fetch(
    uow: UnitOfWork,
    principal: Principal,
    declaration_id: str,
    document_id: str,
    *,
    files_dir: Path | None = None,
) -> tuple[DeclarationDocument, bytes]:
    """A document and its bytes (checked against the SHA-256 recorded when it was attached)."""
    store = _store(uow, files_dir)
    with uow:
        row = load_row(uow.repo(DeclarationRepository), principal, declaration_id)
        found = uow.repo(DocumentRepository).get(row.id, document_id)
        if found is None:
            raise NotFound(f"no document {document_id[:40]} on this declaration")
        return _document(found), store.read(found.storage_key, found.sha256)


def remove(
    uow: UnitOfWork,
    principal: Principal,
    declaration_id: str,
    document_id: str,
    *,
    files_dir: Path | None = None,
    clock: Clock | None = None,
) -> None:
    """Remove a document its remover attached, while the declaration is not routed yet."""
    store = _store(uow, files_dir)
    now = (clock or uow.clock).now()
    outermost = uow.depth == 0
    with uow:
        uow.lock_for_write()
        row = load_row(uow.repo(DeclarationRepository), principal, declaration_id, lock=True)
        documents = uow.repo(DocumentRepository)
        found = documents.get(row.id, document_id)
        if found is None:
            raise NotFound(f"no document {document_id[:40]} on this declaration")
        if found.uploaded_by != principal.user_id:
            raise PermissionDenied("only the user who attached a document may remove it")
        status = Status(row.status)
        if status not in REMOVABLE:
            raise Conflict(
                f"the declaration is {status.value.replace('_', ' ')}: documents can be removed "
                "only before it is routed; attach a corrected one instead"
            )
        key = found.storage_key
        uow.repo(AuditLog).append(
            row.economy,
            [
                AuditEvent(
                    ENTITY,
                    row.id,
                    REMOVED,
                    principal.user_id,
                    now,
                    {
                        "document_id": found.id,
                        "kind": found.kind,
                        "filename": found.filename,
                        "sha256": found.sha256,
                    },
                    None,
                )
            ],
        )
        documents.delete(found)
        uow.commit()
    if outermost:
        # Committed: no row points to the file any more (ids are never shared). Should the
        # deletion fail, the removal stands and the file is merely left unreferenced.
        with contextlib.suppress(OSError):
            store.delete(key)
