"""The declaration lifecycle as an explicit state machine.

::

    pre_lodged --arrival_notice--> submitted --assess--> assessed --route--+
                                                                           |
         +--------------------------+----------------------------+---------+
         | green                    | yellow                     | red
         v                          v                            v
      released          documentary_check --refer_physical--> physical_inspection
                               |                                  |
                               +------ record_inspection ---------+
                                          |        |        |
                                  released       held      seized
                                             (release|seize)

    amend:  before release (pre_lodged .. held); never moves goods out of a control
    cancel: declarant, in pre_lodged, submitted, assessed, documentary_check
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.declarations.model import Lane, Outcome, Status
from smartcustoms.errors import Conflict

S = Status


class Action(enum.StrEnum):
    SUBMIT = "submit"
    ARRIVAL_NOTICE = "arrival_notice"
    ASSESS = "assess"
    ROUTE = "route"
    AMEND = "amend"
    CANCEL = "cancel"
    REFER_PHYSICAL = "refer_physical"
    RECORD_INSPECTION = "record_inspection"
    RELEASE = "release"
    SEIZE = "seize"


@dataclass(frozen=True, slots=True)
class Transition:
    sources: frozenset[Status]
    roles: tuple[Role, ...]
    """Who may ask for it; empty: only the system does it (as a consequence of another)."""


BEFORE_RELEASE = frozenset(
    {S.PRE_LODGED, S.SUBMITTED, S.ASSESSED, S.DOCUMENTARY_CHECK, S.PHYSICAL_INSPECTION, S.HELD}
)
FINAL = frozenset({S.RELEASED, S.SEIZED, S.CANCELLED})
UNDER_CONTROL = frozenset({S.DOCUMENTARY_CHECK, S.PHYSICAL_INSPECTION})

TRANSITIONS: dict[Action, Transition] = {
    Action.SUBMIT: Transition(frozenset(), (Role.DECLARANT,)),
    Action.ARRIVAL_NOTICE: Transition(frozenset({S.PRE_LODGED}), (Role.OFFICER,)),
    Action.ASSESS: Transition(frozenset({S.SUBMITTED}), ()),
    Action.ROUTE: Transition(frozenset({S.ASSESSED}), ()),
    Action.AMEND: Transition(BEFORE_RELEASE, (Role.DECLARANT,)),
    # Goods selected for physical inspection (or held) cannot be withdrawn by cancelling.
    Action.CANCEL: Transition(
        frozenset({S.PRE_LODGED, S.SUBMITTED, S.ASSESSED, S.DOCUMENTARY_CHECK}), (Role.DECLARANT,)
    ),
    Action.REFER_PHYSICAL: Transition(frozenset({S.DOCUMENTARY_CHECK}), (Role.OFFICER,)),
    Action.RECORD_INSPECTION: Transition(UNDER_CONTROL, (Role.OFFICER,)),
    Action.RELEASE: Transition(frozenset({S.HELD}), (Role.OFFICER,)),
    Action.SEIZE: Transition(frozenset({S.HELD}), (Role.OFFICER,)),
}
# Declarants act on their own declarations only; officers on any of their economy's.
OWNER_ONLY = frozenset({Action.SUBMIT, Action.AMEND, Action.CANCEL})

LANE_STATUS = {
    Lane.GREEN: S.RELEASED,
    Lane.YELLOW: S.DOCUMENTARY_CHECK,
    Lane.RED: S.PHYSICAL_INSPECTION,
}


def check(action: Action, status: Status | None, principal: Principal | None) -> None:
    """Raise PermissionDenied (role) or Conflict (state) unless ``action`` is allowed now.

    ``principal`` None means the system acting on its own (assessment, routing).
    """
    rule = TRANSITIONS[action]
    if principal is not None:
        if not rule.roles:
            raise Conflict(f"'{action}' is done by the system, not on request")
        principal.require(*rule.roles)
    if action is Action.SUBMIT:
        return
    if status not in rule.sources:
        allowed = ", ".join(sorted(s.value for s in rule.sources))
        raise Conflict(
            f"cannot {action.value.replace('_', ' ')} a declaration that is "
            f"{status.value if status else 'new'} (only when {allowed})"
        )


def after_submit(pre_lodged: bool) -> Status:
    return S.PRE_LODGED if pre_lodged else S.SUBMITTED


def after_inspection(outcome: Outcome, hold: bool) -> Status:
    if outcome is Outcome.SEIZURE:
        return S.SEIZED
    return S.HELD if hold else S.RELEASED


def after_amend(status: Status) -> Status:
    """An amendment re-runs assessment but never lets goods escape a control already ordered."""
    return S.SUBMITTED if status in (S.SUBMITTED, S.ASSESSED) else status


def allowed_actions(status: Status, principal: Principal, is_owner: bool) -> list[str]:
    """The actions this principal may take now (for pages and API hints)."""
    out = []
    for action, rule in TRANSITIONS.items():
        if not rule.roles or action is Action.SUBMIT or status not in rule.sources:
            continue
        if not principal.has(*rule.roles):
            continue
        if action in OWNER_ONLY and not (is_owner or principal.has(Role.ADMIN)):
            continue
        out.append(action.value)
    return out
