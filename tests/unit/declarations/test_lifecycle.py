"""Every transition of the state machine, allowed and refused, by state and role."""

from __future__ import annotations

import pytest

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.declarations import lifecycle
from smartcustoms.declarations.lifecycle import TRANSITIONS, Action
from smartcustoms.declarations.model import Outcome, Status
from smartcustoms.errors import Conflict, PermissionDenied


def who(*roles: Role) -> Principal:
    return Principal("u1", "u@x.test", "u", "KR", frozenset(roles))


EXPECTED = {
    Action.ARRIVAL_NOTICE: ({Status.PRE_LODGED}, Role.OFFICER),
    Action.AMEND: (
        {
            Status.PRE_LODGED,
            Status.SUBMITTED,
            Status.ASSESSED,
            Status.DOCUMENTARY_CHECK,
            Status.PHYSICAL_INSPECTION,
            Status.HELD,
        },
        Role.DECLARANT,
    ),
    Action.CANCEL: (
        {Status.PRE_LODGED, Status.SUBMITTED, Status.ASSESSED, Status.DOCUMENTARY_CHECK},
        Role.DECLARANT,
    ),
    Action.REFER_PHYSICAL: ({Status.DOCUMENTARY_CHECK}, Role.OFFICER),
    Action.RECORD_INSPECTION: (
        {Status.DOCUMENTARY_CHECK, Status.PHYSICAL_INSPECTION},
        Role.OFFICER,
    ),
    Action.RELEASE: ({Status.HELD}, Role.OFFICER),
    Action.SEIZE: ({Status.HELD}, Role.OFFICER),
}
CASES = [(a, s) for a in EXPECTED for s in Status]


@pytest.mark.parametrize(("action", "status"), CASES, ids=[f"{a}-{s}" for a, s in CASES])
def test_transition_allowed_only_from_its_states(action: Action, status: Status) -> None:
    sources, role = EXPECTED[action]
    if status in sources:
        lifecycle.check(action, status, who(role))
        lifecycle.check(action, status, who(Role.ADMIN))
    else:
        with pytest.raises(Conflict):
            lifecycle.check(action, status, who(role))


@pytest.mark.parametrize("action", list(EXPECTED))
@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_transition_refused_for_other_roles(action: Action, role: Role) -> None:
    sources, needed = EXPECTED[action]
    status = next(iter(sources))
    if role is needed:
        lifecycle.check(action, status, who(role))
    else:
        with pytest.raises(PermissionDenied):
            lifecycle.check(action, status, who(role))


def test_system_transitions_cannot_be_requested() -> None:
    for action in (Action.ASSESS, Action.ROUTE):
        with pytest.raises(Conflict):
            lifecycle.check(action, Status.SUBMITTED, who(Role.ADMIN))
    lifecycle.check(Action.ASSESS, Status.SUBMITTED, None)
    lifecycle.check(Action.ROUTE, Status.ASSESSED, None)
    with pytest.raises(Conflict):
        lifecycle.check(Action.ROUTE, Status.SUBMITTED, None)


def test_submit_needs_a_declarant() -> None:
    lifecycle.check(Action.SUBMIT, None, who(Role.DECLARANT))
    with pytest.raises(PermissionDenied):
        lifecycle.check(Action.SUBMIT, None, who(Role.OFFICER))


def test_table_covers_every_action() -> None:
    assert set(TRANSITIONS) == set(Action)


def test_outcomes_and_amendments() -> None:
    assert lifecycle.after_inspection(Outcome.NO_DISCREPANCY, False) is Status.RELEASED
    assert lifecycle.after_inspection(Outcome.DISCREPANCY, False) is Status.RELEASED
    assert lifecycle.after_inspection(Outcome.DISCREPANCY, True) is Status.HELD
    assert lifecycle.after_inspection(Outcome.SEIZURE, False) is Status.SEIZED
    assert lifecycle.after_amend(Status.ASSESSED) is Status.SUBMITTED
    # An amendment never lets goods escape a control already ordered.
    assert lifecycle.after_amend(Status.PHYSICAL_INSPECTION) is Status.PHYSICAL_INSPECTION
    assert lifecycle.after_amend(Status.HELD) is Status.HELD


def test_the_table_carries_each_actions_target_state() -> None:
    targets = {a: t.targets for a, t in TRANSITIONS.items()}
    assert targets[Action.CANCEL] == (Status.CANCELLED,)
    assert targets[Action.REFER_PHYSICAL] == (Status.PHYSICAL_INSPECTION,)
    assert targets[Action.RELEASE] == (Status.RELEASED,)
    assert targets[Action.SEIZE] == (Status.SEIZED,)
    assert targets[Action.ARRIVAL_NOTICE] == (Status.SUBMITTED,)
    assert targets[Action.ASSESS] == (Status.ASSESSED,)
    assert set(targets[Action.ROUTE]) == set(lifecycle.LANE_STATUS.values())
    assert set(targets[Action.RECORD_INSPECTION]) == {Status.RELEASED, Status.HELD, Status.SEIZED}
    assert lifecycle.target(Action.RELEASE) is Status.RELEASED
    assert lifecycle.target(Action.RECORD_INSPECTION, Status.HELD) is Status.HELD
    # An action with several targets needs one chosen, and only one of its own.
    with pytest.raises(ValueError):
        lifecycle.target(Action.RECORD_INSPECTION)
    with pytest.raises(ValueError):
        lifecycle.target(Action.RELEASE, Status.SEIZED)
    # Every state an amendment may leave a declaration in is one the table names.
    for status in TRANSITIONS[Action.AMEND].sources:
        assert lifecycle.after_amend(status) in TRANSITIONS[Action.AMEND].targets
