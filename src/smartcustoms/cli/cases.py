"""``smartcustoms cases``: the Smart Customs Case Repository at the console.

Commands that act for a person take ``--as EMAIL`` (the console operator holds the database,
so naming the user is enough). ``import`` without ``--as`` is a system import: each case keeps
the economy written in its file, and ``--publish`` publishes at once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
import yaml
from rich.progress import Progress
from rich.table import Table

from smartcustoms.accounts import service as accounts
from smartcustoms.accounts.model import Principal
from smartcustoms.cases import attaching, examples, importing, io, search, service
from smartcustoms.cases import compile as compiler
from smartcustoms.cases.model import Case, CaseSummary, SearchPage, SimilarCase
from smartcustoms.cases.schemas import case_out, search_out, similar_out, summary_out
from smartcustoms.cli._common import JsonOption, console, emit, state
from smartcustoms.core.pagination import PageRequest
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import InvalidInput

app = typer.Typer(help="The Smart Customs Case Repository.", no_args_is_help=True)

AsOption = typer.Option(None, "--as", help="Act as this user (email).")
CommentOption = typer.Option("", "--comment", "-m", help="A comment for the case's history.")


def _principal(uow: UnitOfWork, email: str | None) -> Principal | None:
    if not email:
        return None
    return accounts.principal_of(accounts.user_by_email(uow, email))


def _required(uow: UnitOfWork, email: str | None) -> Principal:
    principal = _principal(uow, email)
    if principal is None:
        raise InvalidInput.single("--as", "required", "say who acts: --as EMAIL")
    return principal


def _read_case_file(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)


def _show_case(case: Case) -> None:
    c = case.current.content
    console.print(f"[bold]{c.title}[/bold]  ({case.economy}, {c.year}) [{case.status.value}]")
    console.print(f"id {case.id} · slug {case.slug} · versions {list(case.versions)}")
    console.print(c.summary, markup=False)
    for e in case.events:
        console.print(
            f"  {e.at:%Y-%m-%d %H:%M} v{e.version} {e.action.value} by {e.actor}"
            + (f": {e.comment}" if e.comment else ""),
            markup=False,
        )


def _show_summaries(rows: list[CaseSummary]) -> None:
    table = Table("slug", "economy", "year", "status", "title")
    for s in rows:
        table.add_row(s.slug, s.economy, str(s.year), s.status.value, s.title)
    console.print(table)


@app.command("import")
def import_cases(
    ctx: typer.Context,
    path: Path = typer.Argument(None, help="A folder of .json/.yaml files, or one file."),
    examples: bool = typer.Option(False, "--examples", help="Import the shipped examples."),
    as_user: str | None = AsOption,
    publish: bool = typer.Option(
        False, "--publish", help="Publish at once (knowledge manager, admin, or a system import)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Import cases from JSON/YAML files; all or nothing, every problem reported."""
    st = state(ctx)
    uow = st.db.uow()
    source = importing.EXAMPLES_DIR if examples else path
    if source is None:
        raise InvalidInput.single("path", "required", "give a folder or file, or --examples")
    report = io.import_path(
        uow,
        source,
        principal=_principal(uow, as_user),
        publish=publish or examples,
        files_dir=st.settings.files_dir,
    )
    emit(
        report,
        as_json,
        lambda r: console.print(
            f"imported {len(r.created)} case(s), skipped {len(r.skipped)} already present"
        ),
    )


@app.command("export")
def export_cases(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="Folder to write to (created if missing)."),
    fmt: str = typer.Option("yaml", "--format", help="yaml or json"),
    single_file: bool = typer.Option(False, "--single-file", help="All cases in one file."),
    drafts: bool = typer.Option(False, "--drafts", help="Your economy's drafts too (--as)."),
    as_user: str | None = AsOption,
    as_json: bool = JsonOption,
) -> None:
    """Export published cases (and, with --drafts, your economy's working versions)."""
    if fmt not in ("yaml", "json"):
        raise InvalidInput.single("--format", "unknown_format", "use yaml or json")
    st = state(ctx)
    uow = st.db.uow()
    written = io.export_path(
        uow,
        path,
        principal=_principal(uow, as_user),
        fmt=fmt,  # type: ignore[arg-type]
        single_file=single_file,
        drafts=drafts,
        files_dir=st.settings.files_dir,
    )
    emit(
        {"files": [str(p) for p in written]},
        as_json,
        lambda d: console.print(f"wrote {len(d['files'])} file(s) to {path}"),
    )


@app.command("search")
def search_cases(
    ctx: typer.Context,
    query: str = typer.Argument("", help="Words to look for (any of them, ranked)."),
    economy: list[str] = typer.Option([], help="Filter: economy code (repeatable)."),
    priority_area: list[str] = typer.Option([], help="Filter: openness, innovation, cooperation."),
    theme: list[str] = typer.Option([], help="Filter: theme slug (repeatable)."),
    technology: list[str] = typer.Option([], help="Filter: technology slug (repeatable)."),
    year: list[str] = typer.Option([], help="Filter: year (repeatable)."),
    page: int = typer.Option(1, min=1),
    size: int = typer.Option(20, min=1, max=100),
    as_json: bool = JsonOption,
) -> None:
    """Search published cases: ranked results with highlighted snippets and facet counts."""
    filters = {
        "economy": economy,
        "priority_area": priority_area,
        "theme": theme,
        "technology": technology,
        "year": year,
    }
    result = search.search(state(ctx).db.uow(), query, filters, PageRequest(page, size))

    def render(p: SearchPage) -> None:
        console.print(f"{p.total} case(s)")
        for r in p.results:
            console.print(
                f"[bold]{r.case.title}[/bold] ({r.case.economy}, {r.case.year}) · {r.case.slug}",
                highlight=False,
            )
            snippet = r.snippet_html.replace("<mark>", "«").replace("</mark>", "»")
            console.print(f"  {snippet}", markup=False, highlight=False)
        for facet, values in p.facets.items():
            console.print(
                f"{facet}: " + ", ".join(f"{v.value} ({v.count})" for v in values), markup=False
            )

    if as_json:
        emit(search_out(result), True, lambda _: None)
    else:
        render(result)


@app.command("show")
def show(
    ctx: typer.Context, ref: str, as_user: str | None = AsOption, as_json: bool = JsonOption
) -> None:
    """Show a case (id or slug)."""
    uow = state(ctx).db.uow()
    case = service.get_case(uow, ref, _principal(uow, as_user))
    emit(case_out(case), as_json, lambda _: _show_case(case))


@app.command("similar")
def similar(
    ctx: typer.Context,
    ref: str,
    limit: int = typer.Option(5, min=1, max=20),
    as_json: bool = JsonOption,
) -> None:
    """Published cases most similar to this one."""
    items = search.similar_cases(state(ctx).db.uow(), ref, None, limit)

    def render(rows: list[SimilarCase]) -> None:
        for s in rows:
            console.print(f"{s.score:.3f}  {s.case.slug}  {s.case.title}", markup=False)

    if as_json:
        emit(similar_out(items), True, lambda _: None)
    else:
        render(items)


@app.command("create")
def create(
    ctx: typer.Context,
    file: Path,
    as_user: str = typer.Option(..., "--as"),
    as_json: bool = JsonOption,
) -> None:
    """Start a draft from a JSON/YAML file of one case."""
    uow = state(ctx).db.uow()
    case = service.create_case(uow, _required(uow, as_user), _read_case_file(file))
    emit(case_out(case), as_json, lambda _: console.print(f"drafted {case.slug} ({case.id})"))


@app.command("update")
def update(
    ctx: typer.Context,
    ref: str,
    file: Path,
    as_user: str = typer.Option(..., "--as"),
    as_json: bool = JsonOption,
) -> None:
    """Replace a case's working version with the content of a file."""
    uow = state(ctx).db.uow()
    case = service.update_case(uow, _required(uow, as_user), ref, _read_case_file(file))
    emit(
        case_out(case),
        as_json,
        lambda _: console.print(
            f"updated {case.slug}: version {case.working.number if case.working else '?'}"
        ),
    )


@app.command("attach")
def attach(
    ctx: typer.Context,
    ref: str,
    file: Path,
    as_user: str = typer.Option(..., "--as"),
    as_json: bool = JsonOption,
) -> None:
    """Attach a file (PDF, PNG, JPEG, text, CSV; 10 MB at most)."""
    st = state(ctx)
    uow = st.db.uow()
    case = attaching.add_attachment(
        uow,
        _required(uow, as_user),
        ref,
        file.name,
        file.read_bytes(),
        files_dir=st.settings.files_dir,
    )
    emit(case_out(case), as_json, lambda _: console.print(f"attached {file.name}"))


def _transition(
    name: str, ctx: typer.Context, ref: str, as_user: str, comment: str, as_json: bool
) -> None:
    uow = state(ctx).db.uow()
    principal = _required(uow, as_user)
    actions = {
        "submit": lambda: service.submit_case(uow, principal, ref, comment=comment),
        "approve": lambda: service.approve_case(uow, principal, ref, comment=comment),
        "return": lambda: service.return_case(uow, principal, ref, comment),
        "comment": lambda: service.comment_case(uow, principal, ref, comment),
    }
    case = actions[name]()
    emit(case_out(case), as_json, lambda _: console.print(f"{case.slug}: {case.status.value}"))


@app.command("submit")
def submit(
    ctx: typer.Context,
    ref: str,
    as_user: str = typer.Option(..., "--as"),
    comment: str = CommentOption,
    as_json: bool = JsonOption,
) -> None:
    """Submit a draft for review."""
    _transition("submit", ctx, ref, as_user, comment, as_json)


@app.command("approve")
def approve(
    ctx: typer.Context,
    ref: str,
    as_user: str = typer.Option(..., "--as"),
    comment: str = CommentOption,
    as_json: bool = JsonOption,
) -> None:
    """Approve and publish a submitted case (knowledge manager)."""
    _transition("approve", ctx, ref, as_user, comment, as_json)


@app.command("return")
def return_case(
    ctx: typer.Context,
    ref: str,
    as_user: str = typer.Option(..., "--as"),
    comment: str = CommentOption,
    as_json: bool = JsonOption,
) -> None:
    """Return a submitted case for changes, saying what to change (knowledge manager)."""
    _transition("return", ctx, ref, as_user, comment, as_json)


@app.command("comment")
def comment_case(
    ctx: typer.Context,
    ref: str,
    as_user: str = typer.Option(..., "--as"),
    comment: str = CommentOption,
    as_json: bool = JsonOption,
) -> None:
    """Add a comment to a case's history."""
    _transition("comment", ctx, ref, as_user, comment, as_json)


@app.command("drafts")
def drafts(
    ctx: typer.Context,
    as_user: str = typer.Option(..., "--as"),
    mine: bool = typer.Option(False, "--mine"),
    as_json: bool = JsonOption,
) -> None:
    """Your economy's cases under edit or review."""
    uow = state(ctx).db.uow()
    rows = service.list_working(uow, _required(uow, as_user), mine=mine)
    emit([summary_out(s) for s in rows], as_json, lambda _: _show_summaries(rows))


@app.command("queue")
def queue(
    ctx: typer.Context, as_user: str = typer.Option(..., "--as"), as_json: bool = JsonOption
) -> None:
    """Submitted cases waiting for review (knowledge manager)."""
    uow = state(ctx).db.uow()
    rows = service.review_queue(uow, _required(uow, as_user))
    emit([summary_out(s) for s in rows], as_json, lambda _: _show_summaries(rows))


@app.command("compile")
def compile_cases(
    ctx: typer.Context,
    year: int = typer.Option(None, help="Only cases of this year (default: all years)."),
    fmt: str = typer.Option("pdf", "--format", help="pdf, html or json"),
    out: Path = typer.Option(..., "--out", help="File to write."),
    foreword: Path = typer.Option(None, help="A plain-text file with the foreword."),
    as_json: bool = JsonOption,
) -> None:
    """Compile the yearly repository document (cover, contents, cases, indexes, outcomes)."""
    text = foreword.read_text(encoding="utf-8") if foreword else None
    uow = state(ctx).db.uow()
    if not compiler.build(uow, year).cases:
        # An empty document with exit 0 reads as success; say there is nothing to compile.
        which = f"in {year}" if year is not None else "at all"
        raise InvalidInput.single(
            "year", "no_cases", f"no published cases {which}: nothing to compile, nothing written"
        )
    if as_json:
        data = compiler.compile_document(uow, year, fmt, foreword=text)
    else:
        with Progress(transient=True, console=console) as progress:
            progress.add_task(f"compiling {fmt.upper()}", total=None)
            data = compiler.compile_document(uow, year, fmt, foreword=text)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    emit(
        {"file": str(out), "format": fmt, "bytes": len(data), "year": year},
        as_json,
        lambda d: console.print(f"wrote {d['file']} ({d['bytes']:,} bytes)"),
    )


@app.command("load-examples")
def load_examples(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Publish the shipped example cases (skips those already present)."""
    added = examples.load_examples(state(ctx).db.uow())
    emit({"added": added}, as_json, lambda d: console.print(f"added {d['added']} example(s)"))
