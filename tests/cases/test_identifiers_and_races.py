"""Case identifiers cannot be used across economies, slugs cannot leave an export directory,
concurrent workflow steps have one winner, and the compiled document is cached until a case is
published (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from smartcustoms.cases import compile as compiler
from smartcustoms.cases import examples, io, service
from smartcustoms.cases.identifiers import is_case_id, is_slug, slug_problem
from smartcustoms.cases.model import CaseStatus
from smartcustoms.errors import Conflict, InvalidInput, NotFound
from tests.cases.helpers import principal
from tests.factories import case_data

TRIALS = 15


def auth(actor: dict[str, str]) -> dict[str, str]:
    return {"Authorization": actor["Authorization"]}


@pytest.fixture
def sg_published(client: Any, actors: Any) -> dict[str, Any]:
    """SG's published example cases, plus an SG draft, an SG officer and a KR knowledge manager."""
    examples.load_examples(client.app.state.db.uow())
    sg_officer = actors.user("SG", "officer")
    draft = client.post(
        "/api/v1/cases", json=case_data(economy="SG", title="SG draft"), headers=auth(sg_officer)
    ).json()
    return {
        "public_slug": "example-sg-tradenet-single-window",
        "draft": draft,
        "sg_officer": sg_officer,
        "kr_km": actors.user("KR", "knowledge_manager"),
    }


def test_identifier_shapes() -> None:
    assert is_case_id("0" * 32) and not is_slug("0" * 32)
    assert is_slug("kr-single-window") and not is_case_id("kr-single-window")
    assert slug_problem("kr-single-window", "KR") is None
    assert slug_problem("example-kr-x", "KR") is None
    assert slug_problem("sg-single-window", "KR") is not None
    for bad in (
        "../../../../tmp/x",
        "kr-a/b",
        "kr-..",
        "KR-X",
        "kr-",
        "kr-a--b",
        "kr-" + "a" * 120,
    ):
        assert slug_problem(bad, "KR") is not None, bad


def test_import_cannot_take_another_economys_slug_as_id(client: Any, sg_published: Any) -> None:
    """The reported takeover: KR imports a case whose id is SG's public slug and publishes it."""
    slug = sg_published["public_slug"]
    before = client.get(f"/api/v1/cases/{slug}").json()
    body = {"cases": [{**case_data(economy="KR", title="Hijack"), "id": slug}], "publish": True}
    r = client.post("/api/v1/cases/import", json=body, headers=auth(sg_published["kr_km"]))
    assert r.status_code == 200, r.text
    [created] = r.json()["created"]
    assert created.startswith("kr-")
    after = client.get(f"/api/v1/cases/{slug}").json()
    assert after["economy"] == "SG" and after["id"] == before["id"]
    assert after["published"]["content"]["title"] == before["published"]["content"]["title"]


def test_import_cannot_take_another_economys_slug(client: Any, sg_published: Any) -> None:
    slug = sg_published["public_slug"]
    body = {"cases": [{**case_data(economy="KR"), "slug": slug}], "publish": True}
    r = client.post("/api/v1/cases/import", json=body, headers=auth(sg_published["kr_km"]))
    assert r.status_code == 422
    assert r.json()["errors"][0]["path"] == "cases[0].slug"
    assert client.get(f"/api/v1/cases/{slug}").json()["economy"] == "SG"


def test_import_of_another_economys_draft_id(client: Any, sg_published: Any) -> None:
    """Neither shadows SG's draft for SG's officer nor says whether the draft exists."""
    draft = sg_published["draft"]
    body = {"cases": [{**case_data(economy="KR", title="Probe"), "id": draft["id"]}]}
    r = client.post("/api/v1/cases/import", json=body, headers=auth(sg_published["kr_km"]))
    assert r.status_code == 200, r.text
    assert r.json()["skipped"] == [] and len(r.json()["created"]) == 1
    # The same answer as for an id that exists nowhere:
    body = {"cases": [{**case_data(economy="KR", title="Probe 2"), "id": "f" * 32}]}
    r2 = client.post("/api/v1/cases/import", json=body, headers=auth(sg_published["kr_km"]))
    assert r2.json()["skipped"] == [] and len(r2.json()["created"]) == 1
    own = client.get(f"/api/v1/cases/{draft['id']}", headers=auth(sg_published["sg_officer"]))
    assert own.status_code == 200 and own.json()["economy"] == "SG"
    assert own.json()["working"]["content"]["title"] == "SG draft"
    # Ids are the platform's: the created case did not get the requested id.
    got = client.get(
        f"/api/v1/cases/{r2.json()['created'][0]}", headers=auth(sg_published["kr_km"])
    )
    assert got.json()["id"] != "f" * 32


def test_reimporting_own_cases_is_skipped(client: Any, sg_published: Any) -> None:
    km = sg_published["kr_km"]
    body = {"cases": [{**case_data(economy="KR"), "slug": "kr-own-case"}]}
    first = client.post("/api/v1/cases/import", json=body, headers=auth(km)).json()
    assert first == {"created": ["kr-own-case"], "skipped": []}
    case = client.get("/api/v1/cases/kr-own-case", headers=auth(km)).json()
    again = {"cases": [{**case_data(economy="KR"), "id": case["id"]}]}
    assert client.post("/api/v1/cases/import", json=again, headers=auth(km)).json() == {
        "created": [],
        "skipped": ["kr-own-case"],
    }


def test_traversal_slug_is_refused_on_every_way_in(
    db: Any, actors: Any, client: Any, tmp_path: Path
) -> None:
    evil = "../../../../tmp/x"
    km = actors.user("KR", "knowledge_manager")
    body = {"cases": [{**case_data(economy="KR"), "slug": evil}], "publish": True}
    r = client.post("/api/v1/cases/import", json=body, headers=auth(km))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "invalid_slug"
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps({**case_data(economy="KR"), "slug": evil}))
    with pytest.raises(InvalidInput) as exc:
        io.import_path(db.uow(), folder, principal=None, publish=True, files_dir=tmp_path)
    assert {e.code for e in exc.value.errors} == {"invalid_slug"}


def test_export_never_writes_outside_the_directory(db: Any, tmp_path: Path) -> None:
    """A slug stored before validation existed (written here behind the service's back)."""
    from sqlalchemy import update

    from smartcustoms.cases.tables import CaseRow

    examples.load_examples(db.uow())
    with db.engine.begin() as conn:
        conn.execute(
            update(CaseRow)
            .where(CaseRow.slug == "example-kr-ai-risk-management")
            .values(slug="../../../../tmp/x")
        )
    out = tmp_path / "a" / "b" / "c" / "d" / "out"
    escaped = tmp_path / "a" / "tmp" / "x.yaml"  # where ../../../../tmp/x.yaml leads from out
    escaped.parent.mkdir(parents=True)
    with pytest.raises(InvalidInput) as exc:
        io.export_path(db.uow(), out, principal=None, files_dir=tmp_path)
    assert exc.value.errors[0].code == "unsafe_path"
    assert not escaped.exists() and not any(tmp_path.rglob("x.yaml"))
    assert list(out.iterdir()) == []  # checked before anything was written
    assert io.inside(out, "kr-a.yaml") == out.resolve() / "kr-a.yaml"
    for bad in ("../x.yaml", "/etc/passwd", ".", "a/../../x"):
        with pytest.raises(InvalidInput):
            io.inside(out, bad)


def test_lookup_by_reference_never_lets_an_id_shadow_a_slug(db: Any, tmp_path: Path) -> None:
    """Even a row whose id is another case's slug (stored before ids were checked) is reached
    only by its own slug; the slug finds the case that owns it."""
    from sqlalchemy import insert

    from smartcustoms.cases.tables import CaseRow

    folder = tmp_path / "sg"
    folder.mkdir()
    (folder / "sg.json").write_text(json.dumps({**case_data(economy="SG"), "slug": "sg-window"}))
    io.import_path(db.uow(), folder, principal=None, publish=True, files_dir=tmp_path)
    sg = service.get_case(db.uow(), "sg-window")
    row = {
        "id": "sg-window",
        "slug": "kr-legacy",
        "economy_code": "KR",
        "created_at": sg.created_at,
        "updated_at": sg.updated_at,
        "working_version": None,
        "published_version": None,
        "revision": 0,
    }
    with db.engine.begin() as conn:
        conn.execute(insert(CaseRow), [row])
    assert service.get_case(db.uow(), "sg-window").id == sg.id
    with pytest.raises(NotFound):
        service.get_case(db.uow(), "no such thing/..")


# --- concurrent workflow steps -----------------------------------------------------------------


def race(first: Callable[[], Any], second: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def run(i: int, fn: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[i] = fn()
        except Exception as exc:  # the test inspects what each side got
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate((first, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_return_and_approve_at_once_one_wins(db: Any, actors: Any) -> None:
    officer = principal(db, actors.user("KR", "officer"))
    km1 = principal(db, actors.user("KR", "knowledge_manager"))
    km2 = principal(db, actors.user("KR", "knowledge_manager"))
    for trial in range(TRIALS):
        case = service.create_case(db.uow(), officer, case_data(title=f"Race {trial}"))
        service.submit_case(db.uow(), officer, case.id)
        results = race(
            partial(service.approve_case, db.uow(), km1, case.id),
            partial(service.return_case, db.uow(), km2, case.id, "needs work"),
        )
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1 and isinstance(errors[0], Conflict), results
        final = service.get_case(db.uow(), case.id, officer)
        if isinstance(results[0], Exception):  # returned
            assert final.published is None and final.working is not None
            assert final.working.status is CaseStatus.RETURNED
        else:  # approved
            assert final.working is None and final.published is not None
            assert final.published.status is CaseStatus.PUBLISHED
        decided = [
            e.action.value for e in final.events if e.action.value in ("approved", "returned")
        ]
        assert len(decided) == 1


def test_two_edits_of_a_published_case_at_once_never_500(db: Any, actors: Any) -> None:
    """Both would open version 2 (UNIQUE case_id, number): the loser gets a 409."""
    officer = principal(db, actors.user("KR", "officer"))
    analyst = principal(db, actors.user("KR", "analyst"))
    km = principal(db, actors.user("KR", "knowledge_manager"))
    for trial in range(TRIALS):
        case = service.create_case(db.uow(), officer, case_data(title=f"Edit race {trial}"))
        service.submit_case(db.uow(), officer, case.id)
        service.approve_case(db.uow(), km, case.id)
        results = race(
            partial(service.update_case, db.uow(), officer, case.id, case_data(title="One")),
            partial(service.update_case, db.uow(), analyst, case.id, case_data(title="Two")),
        )
        unexpected = [
            r for r in results if isinstance(r, Exception) and not isinstance(r, Conflict)
        ]
        assert not unexpected, unexpected
        final = service.get_case(db.uow(), case.id, officer)
        assert final.versions == (1, 2)
        assert final.working is not None and final.working.content.title in ("One", "Two")


def test_two_creates_with_one_title_at_once_never_500(db: Any, actors: Any) -> None:
    officer = principal(db, actors.user("KR", "officer"))
    for trial in range(5):
        data = case_data(title=f"Double click {trial}")
        results = race(
            partial(service.create_case, db.uow(), officer, data),
            partial(service.create_case, db.uow(), officer, data),
        )
        unexpected = [
            r for r in results if isinstance(r, Exception) and not isinstance(r, Conflict)
        ]
        assert not unexpected, unexpected
        made = [r for r in results if not isinstance(r, Exception)]
        assert made and len({c.slug for c in made}) == len(made)


# --- the compiled document ---------------------------------------------------------------------


def test_compiled_document_is_cached_until_a_publication(db: Any, actors: Any) -> None:
    examples.load_examples(db.uow())
    first = compiler.compile_document(db.uow(), None, "json")
    hits = db.cache.hits
    assert compiler.compile_document(db.uow(), None, "json") is first
    assert db.cache.hits == hits + 1
    officer = principal(db, actors.user("KR", "officer"))
    km = principal(db, actors.user("KR", "knowledge_manager"))
    case = service.create_case(db.uow(), officer, case_data(title="Newly published practice"))
    service.submit_case(db.uow(), officer, case.id)
    assert compiler.compile_document(db.uow(), None, "json") is first  # drafts do not count
    service.approve_case(db.uow(), km, case.id)
    again = compiler.compile_document(db.uow(), None, "json")
    assert b"Newly published practice" in again and b"Newly published practice" not in first
