"""Lane selection: the :class:`Assessor` interface (an assessor assesses risk and picks the
lane; duties are :mod:`smartcustoms.tariff.duties`) and a simple rule-based assessor.

The risk feature supplies a learned assessor through the lane selector the composition root
passes in (``uow.ports.lane_selector``, see :mod:`smartcustoms.bootstrap`); the declarations
flow only ever sees the interface, and falls back to the rule-based assessor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from smartcustoms.core.draws import uniform_draw
from smartcustoms.declarations.model import Declaration, Lane, LaneDecision
from smartcustoms.errors import FieldError, InvalidInput
from smartcustoms.tariff.duties import DutyAssessment

# The rule engine (smartcustoms.selectivity) pulls in pandas: imported
# where rules are evaluated, so importing this module (every CLI start-up) stays light.
if TYPE_CHECKING:
    from smartcustoms.selectivity import RuleDefinition

__all__ = [
    "SEVERITY",
    "Assessor",
    "AssessorContext",
    "BatchItem",
    "Rule",
    "RuleBasedAssessor",
    "RuleBasedConfig",
    "Signal",
    "SignalSource",
    "assess_all",
    "fired_rules",
    "uniform_draw",
    "with_signal",
]

SEVERITY = {Lane.GREEN: 0, Lane.YELLOW: 1, Lane.RED: 2}


@dataclass(frozen=True, slots=True)
class Signal:
    """A risk signal about one item, raised while lodging (e.g. by HS classification: the
    description does not fit the declared code). Selectivity rules match it by ``name``
    (``Rule.signal``), a learned assessor may read it from the context, and ``message`` is
    the explanation shown to the trader (as a warning) and to the officer (in the reasons)."""

    name: str
    item: int
    """0-based item index."""
    path: str
    message: str
    detail: Mapping[str, Any] = field(default_factory=dict)


class SignalSource(Protocol):
    """A port passed to lodging: the signals a declaration raises (none when unsure)."""

    def __call__(self, declaration: Declaration) -> Sequence[Signal]: ...

    def many(self, declarations: Sequence[Declaration]) -> Sequence[Sequence[Signal]]:
        """The signals of each declaration, in order (a bulk import's chunk at once)."""
        ...


@dataclass(frozen=True, slots=True)
class AssessorContext:
    economy: str
    declaration_id: str
    on: date
    lodged_by: str
    assessment: DutyAssessment | None = None
    signals: tuple[Signal, ...] = ()


class Assessor(Protocol):
    def assess(self, declaration: Declaration, context: AssessorContext) -> LaneDecision: ...


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One declaration of a batch assessed in date order (a bulk import through the assessor).

    ``inspection`` is what an inspection of it would record, (fraud, critical), when known (an
    import file's labels): an assessor that learns from inspections may use it for *later*
    declarations only, and only if its own lane sent this one to control (yellow or red) —
    a green declaration is released uninspected, as in production.
    """

    declaration: Declaration
    context: AssessorContext
    inspection: tuple[bool, bool] | None = None


def assess_all(assessor: Assessor, items: Sequence[BatchItem]) -> list[LaneDecision]:
    """Lanes for ``items`` (in date order), through the assessor's batch path if it has one
    (``assess_batch(items) -> list[LaneDecision]``), else one by one."""
    batch = getattr(assessor, "assess_batch", None)
    if callable(batch):
        decisions: list[LaneDecision] = batch(items)
        return decisions
    return [assessor.assess(item.declaration, item.context) for item in items]


@dataclass(frozen=True, slots=True)
class Rule:
    """Fires when every criterion given matches (HS prefix and origin on the same item, any
    item; party id on any party of the declaration; a risk signal of that name raised at
    lodging), evaluated by the one rule engine (the signal criterion here, before it)."""

    name: str
    lane: Lane
    hs_prefix: str | None = None
    origin: str | None = None
    party: str | None = None
    reason: str = ""
    signal: str | None = None

    def definition(self) -> RuleDefinition:
        """This rule in the one rule engine's terms (:mod:`smartcustoms.selectivity`)."""
        from smartcustoms.selectivity import Action as RuleAction
        from smartcustoms.selectivity import Conditions, RuleDefinition

        return RuleDefinition(
            self.name,
            Conditions(
                hs_prefix=(self.hs_prefix,) if self.hs_prefix else (),
                origin=(self.origin,) if self.origin else (),
                parties=(self.party,) if self.party else (),
            ),
            RuleAction(lane=self.lane.value if self.lane is not Lane.GREEN else None),
        )

    def describe(self) -> str:
        crit = [
            f"HS {self.hs_prefix}*" if self.hs_prefix else "",
            f"origin {self.origin}" if self.origin else "",
            f"party {self.party}" if self.party else "",
            f"signal {self.signal}" if self.signal else "",
        ]
        what = ", ".join(c for c in crit if c)
        return f"rule {self.name} ({what})" + (f": {self.reason}" if self.reason else "")


@dataclass(frozen=True, slots=True)
class RuleBasedConfig:
    random_red_rate: float = 0.02
    random_yellow_rate: float = 0.05
    seed: str = "smartcustoms"
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "random_red_rate": self.random_red_rate,
            "random_yellow_rate": self.random_yellow_rate,
            "seed": self.seed,
            "rules": [
                {
                    k: v
                    for k, v in (
                        ("name", r.name),
                        ("lane", r.lane.value),
                        ("hs_prefix", r.hs_prefix),
                        ("origin", r.origin),
                        ("party", r.party),
                        ("signal", r.signal),
                        ("reason", r.reason),
                    )
                    if v
                }
                for r in self.rules
            ],
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> RuleBasedConfig:
        """Parse a configuration, reporting every problem at once."""
        errors: list[FieldError] = []
        rates = {}
        for key, default in (("random_red_rate", 0.02), ("random_yellow_rate", 0.05)):
            value = raw.get(key, default)
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not 0 <= value <= 1
            ):
                errors.append(FieldError(key, "out_of_range", "a share between 0 and 1"))
                value = default
            rates[key] = float(value)
        if rates["random_red_rate"] + rates["random_yellow_rate"] > 1:
            errors.append(
                FieldError(
                    "random_yellow_rate",
                    "out_of_range",
                    "red and yellow random shares add up to more than 1",
                )
            )
        rules = []
        for i, r in enumerate(raw.get("rules") or []):
            path = f"rules[{i}]"
            if not isinstance(r, Mapping):
                errors.append(FieldError(path, "not_an_object", "a rule is an object"))
                continue
            try:
                lane = Lane(str(r.get("lane", "")).lower())
            except ValueError:
                errors.append(
                    FieldError(f"{path}.lane", "invalid_choice", "lane is green, yellow or red")
                )
                continue
            rule = Rule(
                name=str(r.get("name") or f"rule-{i + 1}"),
                lane=lane,
                hs_prefix=_opt(r.get("hs_prefix")),
                origin=(_opt(r.get("origin")) or "").upper() or None,
                party=_opt(r.get("party")),
                reason=str(r.get("reason") or ""),
                signal=_opt(r.get("signal")),
            )
            if not (rule.hs_prefix or rule.origin or rule.party or rule.signal):
                errors.append(
                    FieldError(
                        path, "no_criteria", "give hs_prefix, origin, party or signal (or several)"
                    )
                )
                continue
            if rule.hs_prefix and not rule.hs_prefix.isdigit():
                errors.append(
                    FieldError(
                        f"{path}.hs_prefix", "invalid_hs_prefix", "an HS prefix is digits only"
                    )
                )
                continue
            rules.append(rule)
        if errors:
            raise InvalidInput(errors)
        return cls(
            rates["random_red_rate"],
            rates["random_yellow_rate"],
            str(raw.get("seed") or "smartcustoms"),
            tuple(rules),
        )


def fired_rules(
    rules: Sequence[Rule], d: Declaration, declaration_id: str = "", on: date | None = None
) -> list[bool]:
    """Which of ``rules`` fire on ``d``, through :mod:`smartcustoms.selectivity`."""
    if not rules:
        return []
    import pandas as pd  # only when there are rules: CLI start-up stays light

    from smartcustoms.declarations.queries import rule_items
    from smartcustoms.selectivity import RuleContext, fired_by_declaration

    # A rule with nothing but a risk-signal criterion has no condition for the engine: it is
    # decided by :func:`with_signal` alone.
    engine = [i for i, r in enumerate(rules) if r.hs_prefix or r.origin or r.party]
    out = [False] * len(rules)
    if not engine:
        return out
    items = pd.DataFrame(rule_items(d, declaration_id))
    _, per = fired_by_declaration([rules[i].definition() for i in engine], items, RuleContext())
    for i, hit in zip(engine, per[0], strict=True):
        out[i] = bool(hit)
    return out


def _opt(value: Any) -> str | None:
    return None if value in (None, "") else str(value).strip()


class RuleBasedAssessor:
    """Rules by HS prefix / origin / party, plus random selection at configured rates."""

    def __init__(self, config: RuleBasedConfig | None = None) -> None:
        self.config = config or RuleBasedConfig()

    def assess(self, declaration: Declaration, context: AssessorContext) -> LaneDecision:
        hits = fired_rules(self.config.rules, declaration, context.declaration_id, context.on)
        fired = [
            r
            for r, hit in zip(self.config.rules, hits, strict=True)
            if with_signal(r, bool(hit), context.signals)
        ]
        lane = Lane.GREEN
        for rule in fired:
            if SEVERITY[rule.lane] > SEVERITY[lane]:
                lane = rule.lane
        reasons = [r.describe() for r in fired]
        names = [r.name for r in fired]
        draw = uniform_draw(self.config.seed, context.declaration_id)
        red, yellow = self.config.random_red_rate, self.config.random_yellow_rate
        if lane is not Lane.RED and draw < red:
            lane = Lane.RED
            reasons.append(f"random selection for physical inspection ({red:.1%} of traffic)")
            names.append("random:red")
        elif lane is Lane.GREEN and draw < red + yellow:
            lane = Lane.YELLOW
            reasons.append(f"random selection for documentary check ({yellow:.1%} of traffic)")
            names.append("random:yellow")
        if not reasons:
            reasons.append("no rule fired and not randomly selected")
        return LaneDecision(lane=lane, score=None, reasons=reasons, rules_fired=names)


def with_signal(rule: Rule, hit: bool, signals: Sequence[Signal]) -> bool:
    """The rule's verdict once its risk-signal criterion (if any) is applied: a rule naming a
    signal fires only when that signal was raised; one with nothing but a signal fires on it."""
    if not (rule.hs_prefix or rule.origin or rule.party or rule.signal):
        return False
    if rule.signal:
        if not any(s.name == rule.signal for s in signals):
            return False
        if not (rule.hs_prefix or rule.origin or rule.party):
            return True
    return hit
