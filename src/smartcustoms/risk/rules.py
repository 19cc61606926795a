"""The selectivity rule engine lives in :mod:`smartcustoms.selectivity` (one engine for the
risk feature and the declarations feature's rule-based assessor); re-exported here."""

from smartcustoms.selectivity import (
    LANES,
    PARTY_COLUMNS,
    Action,
    ActiveRule,
    Conditions,
    RuleContext,
    RuleDefinition,
    UnitValueNorms,
    evaluate,
    fired_by_declaration,
    log_unit_value,
    parse_definition,
)

__all__ = [
    "LANES",
    "PARTY_COLUMNS",
    "Action",
    "ActiveRule",
    "Conditions",
    "RuleContext",
    "RuleDefinition",
    "UnitValueNorms",
    "evaluate",
    "fired_by_declaration",
    "log_unit_value",
    "parse_definition",
]
