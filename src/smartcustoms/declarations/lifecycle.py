"""The declaration lifecycle as an explicit state machine: one table (:data:`TRANSITIONS`)
says, for each action, from which states it may start, who may ask for it and which state it
leads to. Every state change goes through :func:`.transitions.transition`, which reads it.

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

__all__ = [
    "BEFORE_RELEASE",
    "FINAL",
    "LANE_STATUS",
    "OWNER_ONLY",
    "TRANSITIONS",
    "UNDER_CONTROL",
    "Action",
    "Transition",
    "after_amend",
    "after_inspection",
    "after_route",
    "after_submit",
    "allowed_actions",
    "check",
    "target",
]

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
    """The states it may start from (empty for ``submit``: a new declaration)."""
    roles: tuple[Role, ...]
    """Who may ask for it; empty: only the system does it (as a consequence of another)."""
    targets: tuple[Status, ...]
    """Where it leads. One state, or the few an outcome chooses between (an inspection's
    result, the lane, whether the goods have arrived); the first is the usual one."""

    def target(self, chosen: Status | None = None) -> Status:
        """The state this transition leads to; ``chosen`` picks one of several targets.

        A target outside the table is a programming error, not a user's: ValueError."""
        if chosen is None:
            if len(self.targets) != 1:
                raise ValueError(f"choose one of {[t.value for t in self.targets]}")
            return self.targets[0]
        if chosen not in self.targets:
            raise ValueError(f"{chosen.value} is not a target of this transition")
        return chosen

    @property
    def requestable(self) -> bool:
        """A person may ask for it (the system does the others)."""
        return bool(self.roles)


BEFORE_RELEASE = frozenset(
    {S.PRE_LODGED, S.SUBMITTED, S.ASSESSED, S.DOCUMENTARY_CHECK, S.PHYSICAL_INSPECTION, S.HELD}
)
FINAL = frozenset({S.RELEASED, S.SEIZED, S.CANCELLED})
UNDER_CONTROL = frozenset({S.DOCUMENTARY_CHECK, S.PHYSICAL_INSPECTION})

# Where routing sends a declaration, by lane.
LANE_STATUS = {
    Lane.GREEN: S.RELEASED,
    Lane.YELLOW: S.DOCUMENTARY_CHECK,
    Lane.RED: S.PHYSICAL_INSPECTION,
}

# action: from which states, who may ask, and where it leads.
TRANSITIONS: dict[Action, Transition] = {
    Action.SUBMIT: Transition(frozenset(), (Role.DECLARANT,), (S.SUBMITTED, S.PRE_LODGED)),
    Action.ARRIVAL_NOTICE: Transition(frozenset({S.PRE_LODGED}), (Role.OFFICER,), (S.SUBMITTED,)),
    Action.ASSESS: Transition(frozenset({S.SUBMITTED}), (), (S.ASSESSED,)),
    Action.ROUTE: Transition(frozenset({S.ASSESSED}), (), tuple(LANE_STATUS.values())),
    # An amendment re-runs assessment (back to submitted) unless a control was already ordered:
    # then the declaration stays where it is (see after_amend).
    Action.AMEND: Transition(
        BEFORE_RELEASE,
        (Role.DECLARANT,),
        (S.SUBMITTED, S.PRE_LODGED, S.DOCUMENTARY_CHECK, S.PHYSICAL_INSPECTION, S.HELD),
    ),
    # Goods selected for physical inspection (or held) cannot be withdrawn by cancelling.
    Action.CANCEL: Transition(
        frozenset({S.PRE_LODGED, S.SUBMITTED, S.ASSESSED, S.DOCUMENTARY_CHECK}),
        (Role.DECLARANT,),
        (S.CANCELLED,),
    ),
    Action.REFER_PHYSICAL: Transition(
        frozenset({S.DOCUMENTARY_CHECK}), (Role.OFFICER,), (S.PHYSICAL_INSPECTION,)
    ),
    Action.RECORD_INSPECTION: Transition(
        UNDER_CONTROL, (Role.OFFICER,), (S.RELEASED, S.HELD, S.SEIZED)
    ),
    Action.RELEASE: Transition(frozenset({S.HELD}), (Role.OFFICER,), (S.RELEASED,)),
    Action.SEIZE: Transition(frozenset({S.HELD}), (Role.OFFICER,), (S.SEIZED,)),
}
# Declarants act on their own declarations only; officers on any of their economy's.
OWNER_ONLY = frozenset({Action.SUBMIT, Action.AMEND, Action.CANCEL})


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


def target(action: Action, chosen: Status | None = None) -> Status:
    """Where ``action`` leads (``chosen``: one of its several targets); from the table."""
    return TRANSITIONS[action].target(chosen)


def after_submit(pre_lodged: bool) -> Status:
    return target(Action.SUBMIT, S.PRE_LODGED if pre_lodged else S.SUBMITTED)


def after_route(lane: Lane) -> Status:
    return target(Action.ROUTE, LANE_STATUS[lane])


def after_inspection(outcome: Outcome, hold: bool) -> Status:
    if outcome is Outcome.SEIZURE:
        return target(Action.RECORD_INSPECTION, S.SEIZED)
    return target(Action.RECORD_INSPECTION, S.HELD if hold else S.RELEASED)


def after_amend(status: Status) -> Status:
    """An amendment re-runs assessment but never lets goods escape a control already ordered."""
    return target(Action.AMEND, S.SUBMITTED if status in (S.SUBMITTED, S.ASSESSED) else status)


def allowed_actions(status: Status, principal: Principal, is_owner: bool) -> list[str]:
    """The actions this principal may take now (for pages and API hints)."""
    out = []
    for action, rule in TRANSITIONS.items():
        if not rule.requestable or action is Action.SUBMIT or status not in rule.sources:
            continue
        if not principal.has(*rule.roles):
            continue
        if action in OWNER_ONLY and not (is_owner or principal.has(Role.ADMIN)):
            continue
        out.append(action.value)
    return out
