"""The words the pages show for stored values (a declaration's status and kind, a lane, a
rule's or a model's status, a user's role), marked for the catalogue so a translator sees them.

Stored values stay English identifiers (``documentary_check``); a page shows
``{{ status_label(s) }}``, which looks the value's words up here and translates them. A test
checks every value of the enumerations has its words.
"""

from __future__ import annotations

from typing import Any

from smartcustoms.accounts.model import Role
from smartcustoms.cases.model import CaseStatus, ReviewAction
from smartcustoms.declarations.model import Kind, Lane, Status
from smartcustoms.stats.model import By, Flow
from smartcustoms.web.i18n import N_, gettext

__all__ = [
    "BREAKDOWNS",
    "CASE_ACTIONS",
    "FLOWS",
    "KINDS",
    "LANES",
    "ROLES",
    "STATUSES",
    "breakdown_label",
    "case_action_label",
    "flow_label",
    "install_template_globals",
    "kind_label",
    "lane_label",
    "role_label",
    "status_label",
]

STATUSES: dict[str, str] = {
    Status.PRE_LODGED: N_("pre lodged"),
    Status.SUBMITTED: N_("submitted"),
    Status.ASSESSED: N_("assessed"),
    Status.DOCUMENTARY_CHECK: N_("documentary check"),
    Status.PHYSICAL_INSPECTION: N_("physical inspection"),
    Status.RELEASED: N_("released"),
    Status.HELD: N_("held"),
    Status.SEIZED: N_("seized"),
    Status.CANCELLED: N_("cancelled"),
    # cases of the repository (draft and submitted are above)
    CaseStatus.RETURNED: N_("returned"),
    CaseStatus.PUBLISHED: N_("published"),
    CaseStatus.SUPERSEDED: N_("superseded"),
    # risk rules and models
    "draft": N_("draft"),
    "active": N_("active"),
    "retired": N_("retired"),
    "candidate": N_("candidate"),
    # a week's score drift
    "stable": N_("stable"),
    "watch": N_("watch"),
    "shifted": N_("shifted"),
    # exchange: partners, signing keys, the outbox, MRAs and AEO registers, certificates
    "suspended": N_("suspended"),
    "revoked": N_("revoked"),
    "pending": N_("pending"),
    "delivered": N_("delivered"),
    "refused": N_("refused"),
    "dead": N_("dead-lettered"),
    "valid": N_("valid"),
    "expired": N_("expired"),
    "issued": N_("issued"),
    "received": N_("received"),
}
LANES: dict[str, str] = {
    Lane.GREEN: N_("green"),
    Lane.YELLOW: N_("yellow"),
    Lane.RED: N_("red"),
}

KINDS: dict[str, str] = {Kind.IMPORT: N_("import"), Kind.EXPORT: N_("export")}
ROLES: dict[str, str] = {
    Role.DECLARANT: N_("declarant"),
    Role.OFFICER: N_("officer"),
    Role.ANALYST: N_("analyst"),
    Role.KNOWLEDGE_MANAGER: N_("knowledge manager"),
    Role.ADMIN: N_("admin"),
    Role.PLATFORM: N_("platform"),
    Role.CARRIER: N_("carrier"),
}

#: What trade statistics are broken down by, and the flows.
BREAKDOWNS: dict[str, str] = {
    By.PARTNER: N_("partner"),
    By.SECTION: N_("section"),
    By.CHAPTER: N_("chapter"),
    By.HEADING: N_("heading"),
    By.SUBHEADING: N_("subheading"),
    By.MODE: N_("mode"),
    By.OFFICE: N_("office"),
    By.FLOW: N_("flow"),
    By.MONTH: N_("month"),
    By.QUARTER: N_("quarter"),
    By.YEAR: N_("year"),
    By.APEC: N_("APEC"),
    By.TOTAL: N_("total"),
}
FLOWS: dict[str, str] = {
    Flow.IMPORT: N_("import"),
    Flow.EXPORT: N_("export"),
    Flow.TOTAL: N_("total"),
}

#: What happened to a case of the repository (its history).
CASE_ACTIONS: dict[str, str] = {
    ReviewAction.CREATED: N_("created"),
    ReviewAction.EDITED: N_("edited"),
    ReviewAction.SUBMITTED: N_("submitted"),
    ReviewAction.COMMENTED: N_("commented"),
    ReviewAction.RETURNED: N_("returned"),
    ReviewAction.APPROVED: N_("approved"),
    ReviewAction.IMPORTED: N_("imported"),
    ReviewAction.ATTACHED: N_("attached"),
    ReviewAction.DETACHED: N_("detached"),
}


def status_label(value: str) -> str:
    """The translated words of a status (an unknown one as written, underscores as spaces)."""
    return gettext(STATUSES.get(value, value.replace("_", " ")))


def lane_label(value: str) -> str:
    return gettext(LANES.get(value, value))


def kind_label(value: str) -> str:
    return gettext(KINDS.get(value, value))


def role_label(value: str) -> str:
    return gettext(ROLES.get(value, value.replace("_", " ")))


def breakdown_label(value: str) -> str:
    return gettext(BREAKDOWNS.get(value, value))


def flow_label(value: str) -> str:
    return gettext(FLOWS.get(value, value))


def case_action_label(value: str) -> str:
    return gettext(CASE_ACTIONS.get(value, value))


def install_template_globals(env: Any) -> None:
    """``status_label()``, ``lane_label()``, ``kind_label()``, ``role_label()``,
    ``breakdown_label()``, ``flow_label()`` and ``case_action_label()`` for every template."""
    for function in (
        status_label,
        lane_label,
        kind_label,
        role_label,
        breakdown_label,
        flow_label,
        case_action_label,
    ):
        env.globals[function.__name__] = function
