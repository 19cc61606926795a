"""Workflow transitions, who may do them, and who sees what (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from smartcustoms.cases import examples, search, service
from smartcustoms.cases.model import CaseStatus, ReviewAction
from smartcustoms.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.cases.helpers import principal
from tests.factories import case_data


@pytest.fixture
def people(db, actors):  # type: ignore[no-untyped-def]
    return {
        "officer": principal(db, actors.user("KR", "officer")),
        "analyst": principal(db, actors.user("KR", "analyst")),
        "km": principal(db, actors.user("KR", "knowledge_manager")),
        "declarant": principal(db, actors.user("KR", "declarant")),
        "cn_km": principal(db, actors.user("CN", "knowledge_manager")),
        "cn_officer": principal(db, actors.user("CN", "officer")),
    }


def test_draft_submit_return_resubmit_approve(db, people) -> None:  # type: ignore[no-untyped-def]
    uow = db.uow()
    case = service.create_case(uow, people["officer"], case_data())
    assert case.status is CaseStatus.DRAFT and case.economy == "KR"
    assert case.slug == "kr-automated-release-of-low-risk-parcels"

    case = service.submit_case(uow, people["officer"], case.id)
    assert case.status is CaseStatus.SUBMITTED
    with pytest.raises(Conflict):
        service.update_case(uow, people["officer"], case.id, case_data(title="Changed"))
    assert [c.id for c in service.review_queue(uow, people["km"])] == [case.id]

    with pytest.raises(InvalidInput):
        service.return_case(uow, people["km"], case.id, "  ")
    case = service.return_case(uow, people["km"], case.id, "Add the source of the figure")
    assert case.status is CaseStatus.RETURNED

    case = service.update_case(uow, people["analyst"], case.id, case_data(title="Release v2"))
    case = service.submit_case(uow, people["officer"], case.id)
    case = service.approve_case(uow, people["km"], case.id, comment="Good")
    assert case.status is CaseStatus.PUBLISHED
    assert case.published is not None and case.published.content.title == "Release v2"
    actions = [e.action for e in case.events]
    assert actions == [
        ReviewAction.CREATED,
        ReviewAction.SUBMITTED,
        ReviewAction.RETURNED,
        ReviewAction.EDITED,
        ReviewAction.SUBMITTED,
        ReviewAction.APPROVED,
    ]
    assert case.events[2].comment == "Add the source of the figure"

    public = service.get_case(uow, case.slug, None)
    assert public.published is not None and public.working is None and public.events == ()


def test_who_may_do_what(db, people) -> None:  # type: ignore[no-untyped-def]
    uow = db.uow()
    with pytest.raises(PermissionDenied):
        service.create_case(uow, people["declarant"], case_data())
    with pytest.raises(InvalidInput) as exc:
        service.create_case(uow, people["officer"], case_data(economy="CN"))
    assert exc.value.errors[0].code == "other_economy"

    case = service.create_case(uow, people["officer"], case_data())
    with pytest.raises(Conflict):
        service.approve_case(uow, people["km"], case.id)  # not submitted yet
    service.submit_case(uow, people["officer"], case.id)
    with pytest.raises(PermissionDenied):
        service.approve_case(uow, people["officer"], case.id)
    with pytest.raises(PermissionDenied):
        service.return_case(uow, people["analyst"], case.id, "no")
    with pytest.raises(NotFound):  # another economy's reviewer does not even see it
        service.approve_case(uow, people["cn_km"], case.id)
    with pytest.raises(PermissionDenied):
        service.review_queue(uow, people["officer"])
    assert service.review_queue(uow, people["cn_km"]) == []


def test_drafts_are_invisible_outside_their_economy(db, people) -> None:  # type: ignore[no-untyped-def]
    uow = db.uow()
    case = service.create_case(uow, people["officer"], case_data())
    for outsider in (None, people["cn_officer"], people["cn_km"], people["declarant"]):
        with pytest.raises(NotFound):
            service.get_case(uow, case.id, outsider)
        with pytest.raises(NotFound):
            service.get_case(uow, case.slug, outsider)
    assert service.get_case(uow, case.id, people["analyst"]).working is not None
    assert service.list_working(uow, people["cn_officer"]) == []
    assert [s.id for s in service.list_working(uow, people["analyst"])] == [case.id]
    assert [s.id for s in service.list_working(uow, people["officer"], mine=True)] == [case.id]
    assert service.list_working(uow, people["analyst"], mine=True) == []
    assert search.search(uow, "parcels").total == 0  # not published, not searchable


def test_edit_after_publication_goes_through_review(db, people) -> None:  # type: ignore[no-untyped-def]
    uow = db.uow()
    case = service.create_case(uow, people["officer"], case_data())
    service.submit_case(uow, people["officer"], case.id)
    service.approve_case(uow, people["km"], case.id)

    edited = service.update_case(
        uow, people["officer"], case.id, case_data(title="Automated release, now with drones")
    )
    assert edited.published is not None and edited.working is not None
    assert (edited.published.number, edited.working.number) == (1, 2)
    assert edited.status is CaseStatus.DRAFT

    # The public still sees version 1, and search still finds the published wording only.
    public = service.get_case(uow, case.id, None)
    assert public.content.title == "Automated release of low-risk parcels"
    assert public.working is None and public.versions == (1,)
    assert search.search(uow, "drones").total == 0
    with pytest.raises(NotFound):
        service.get_version(uow, case.id, 2, None)

    service.submit_case(uow, people["officer"], case.id)
    final = service.approve_case(uow, people["km"], case.id)
    assert final.published is not None and final.published.number == 2
    assert final.versions == (1, 2)
    old = service.get_version(uow, case.id, 1, None)
    assert old.status is CaseStatus.SUPERSEDED
    assert old.content.title == "Automated release of low-risk parcels"
    assert search.search(uow, "drones").total == 1


def test_load_examples_is_idempotent(db) -> None:  # type: ignore[no-untyped-def]
    added = examples.load_examples(db.uow())
    assert added >= 5
    assert examples.load_examples(db.uow()) == 0
    page = search.search(db.uow(), "")
    assert page.total == added
    assert all(r.case.example for r in page.results)
