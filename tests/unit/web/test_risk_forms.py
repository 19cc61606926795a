"""The workbench's rule form ↔ the API's rule definition, and where each problem is shown."""

from __future__ import annotations

import math

import pytest

from smartcustoms.errors import FieldError, InvalidInput
from smartcustoms.risk.rules import parse_definition
from smartcustoms.risk.workbench import logit, sigmoid
from smartcustoms.web.pages.risk import by_field, field_of, rule_form, rule_raw

DEFINITION = {
    "name": "Li-ion from CN",
    "description": "undervalued batteries",
    "conditions": {"hs_prefix": ["8507", "8506"], "origin": ["CN"], "min_value": 1000.0},
    "action": {"lane": "red", "score_add": 0.1, "random_check": 0.0},
}


def test_a_definition_survives_the_form_both_ways() -> None:
    form = rule_form(DEFINITION)
    assert form["hs_prefix"] == "8507, 8506" and form["min_value"] == "1000"
    raw, errors = rule_raw(form)
    assert not errors
    assert parse_definition(raw).to_dict() == parse_definition(DEFINITION).to_dict()


def test_form_only_problems_and_service_problems_land_on_their_fields() -> None:
    _raw, errors = rule_raw({"name": "x", "min_mass": "ten", "score_add": "inf", "hs_prefix": "85"})
    assert {e.path for e in errors} == {"conditions.min_mass", "action.score_add"}
    with pytest.raises(InvalidInput) as found:
        parse_definition({"name": "", "conditions": {"hs_prefix": ["85x"]}, "action": {}})
    shown = by_field([*errors, *found.value.errors])
    assert set(shown) == {"min_mass", "score_add", "name", "hs_prefix", "action"}
    assert field_of("conditions") == "conditions" and field_of("") == "form"
    assert by_field([FieldError("conditions.origin[2]", "invalid", "empty value")]) == {
        "origin": ["empty value"]
    }


@pytest.mark.parametrize("x", [-1000.0, -3.0, 0.0, 2.5, 1000.0])
def test_sigmoid_and_logit_never_overflow(x: float) -> None:
    p = sigmoid(x)
    assert 0.0 <= p <= 1.0 and math.isfinite(logit(p))
    if abs(x) < 20:
        assert logit(p) == pytest.approx(x)
