"""Assessor rules, audit links, tariff CSV and mapping profiles (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from smartcustoms.audit.log import GENESIS, AuditEvent, body_of, link_hash
from smartcustoms.declarations.intake.mapping import frame_records, read_records
from smartcustoms.declarations.intake.profiles import load_profile, parse_profile
from smartcustoms.declarations.intake.validation import read_document
from smartcustoms.declarations.lanes import (
    AssessorContext,
    RuleBasedAssessor,
    RuleBasedConfig,
    uniform_draw,
)
from smartcustoms.declarations.model import Lane
from smartcustoms.errors import InvalidInput
from smartcustoms.tariff.csvio import parse_csv, write_csv
from smartcustoms.tariff.derive import Observation, derive_lines
from tests.unit.declarations.factories import document


def decl():  # type: ignore[no-untyped-def]
    d, errors, _ = read_document(document(), economy="KR", today=date(2021, 6, 1))
    assert d is not None, errors
    return d


def ctx(i: str = "abc") -> AssessorContext:
    return AssessorContext("KR", i, date(2021, 5, 1), "u1")


def test_rules_pick_the_most_severe_lane() -> None:
    config = RuleBasedConfig.from_dict(
        {
            "random_red_rate": 0,
            "random_yellow_rate": 0,
            "rules": [
                {"name": "beef", "lane": "yellow", "hs_prefix": "0201"},
                {"name": "vn-broker", "lane": "red", "origin": "VN", "party": "BRK-001"},
                {"name": "other", "lane": "red", "party": "NOBODY"},
            ],
        }
    )
    got = RuleBasedAssessor(config).assess(decl(), ctx())
    assert got.lane is Lane.RED and got.rules_fired == ["beef", "vn-broker"]
    assert got.score is None and len(got.reasons) == 2


def test_random_selection_is_reproducible_and_near_its_rate() -> None:
    config = RuleBasedConfig(random_red_rate=0.1, random_yellow_rate=0.2)
    lanes = [RuleBasedAssessor(config).assess(decl(), ctx(f"id{i}")).lane for i in range(3000)]
    assert 0.07 < lanes.count(Lane.RED) / 3000 < 0.13
    assert 0.16 < lanes.count(Lane.YELLOW) / 3000 < 0.24
    assert uniform_draw("s", "x") == uniform_draw("s", "x") != uniform_draw("s", "y")


def test_bad_config_reports_every_problem() -> None:
    with pytest.raises(InvalidInput) as exc:
        RuleBasedConfig.from_dict(
            {"random_red_rate": 2, "rules": [{"lane": "blue"}, {"lane": "red"}, "x"]}
        )
    assert {e.path for e in exc.value.errors} == {
        "random_red_rate",
        "rules[0].lane",
        "rules[1]",
        "rules[2]",
    }


def test_audit_link_depends_on_every_field() -> None:
    at = datetime(2021, 5, 1, tzinfo=UTC)
    e = AuditEvent("declaration", "d1", "submit", "u1", at, None, {"status": "submitted"})
    body = body_of("KR", 1, e)
    h = link_hash(GENESIS, body)
    assert len(h) == 64
    assert link_hash(GENESIS, body.replace("submitted", "released")) != h
    assert link_hash("1" * 64, body) != h


def test_tariff_csv_round_trip_and_errors() -> None:
    text = (
        "hs_prefix,rate_type,ad_valorem,specific_amount,specific_unit,origins\n"
        "3926.90,A,6.5,,,\n8507,FCN1,0,,,CN\n0201,A,40,1000,kg,\n"
    )
    lines = parse_csv(text)
    assert [ln.hs_prefix for ln in lines] == ["392690", "8507", "0201"]
    assert parse_csv(write_csv(lines)) == lines
    bad = (
        "hs_prefix,rate_type,ad_valorem,specific_amount,specific_unit,origins\n"
        "3,A,x,5,,QQ\n8507,A,1,,,\n8507,A,2,,,\n"
    )
    with pytest.raises(InvalidInput) as exc:
        parse_csv(bad)
    assert {e.path for e in exc.value.errors} == {
        "rows[2].hs_prefix",
        "rows[2].ad_valorem",
        "rows[2].specific_unit",
        "rows[2].origins",
        "rows[4].hs_prefix",
    }


def test_derived_schedule_takes_the_modal_rate_and_observed_origins() -> None:
    obs = [
        Observation("392690", "A", Decimal(8), "CN"),
        Observation("392690", "A", Decimal(8), "JP"),
        Observation("392690", "A", Decimal("6.5"), "US"),
        Observation("392690", "FCN1", Decimal("3.9"), "CN"),
    ]
    lines = {(ln.hs_prefix, ln.rate_type): ln for ln in derive_lines(obs)}
    assert lines[("392690", "A")].ad_valorem == 8 and not lines[("392690", "A")].origins
    assert lines[("392690", "FCN1")].origins == {"CN"}


def test_kcs_profile_maps_a_row(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(
        "Declaration ID,Date,Office ID,Process Type,Import Type,Import Use,Payment Type,"
        "Mode of Transport,Declarant ID,Importer ID,Seller ID,Courier ID,HS6 Code,"
        "Country of Departure,Country of Origin,Tax Rate,Tax Type,"
        "Country of Origin Indicator,Net Mass,Item Price,Fraud,Critical Fraud\n"
        "41256141,2021-04-01,40,B,11,21,11,40,LPA7LKZ,Y3OM027,,,70320,IT,RO,8.0,A,G,1.0,"
        "1248.7,1,2\n"
    )
    [row] = list(read_records(path))
    doc = row.document
    assert doc["reference"] == "KCS-41256141" and doc["transport_mode"] == "air"
    assert doc["items"][0]["hs_code"] == "070320" and "seller" not in doc
    assert row.fraud and row.critical
    [flat] = frame_records(path)
    assert flat["critical_fraud"] == 2 and flat["transport_mode"] == "40"
    assert flat["item_value"] == "1248.7" and flat["declaration_id"] == "41256141"


def test_profile_errors_are_collected() -> None:
    assert load_profile("kcs-cdd").policy.allow_zero_mass
    with pytest.raises(InvalidInput) as exc:
        parse_profile(
            {
                "fields": {
                    "items[0].hs_code": {"column": "a", "value": "b"},
                    "kind": {"column": "k", "codes": "missing"},
                },
                "policy": {"allow_everything": True},
            }
        )
    assert {e.path for e in exc.value.errors} == {
        "fields",
        "fields.items[0].hs_code",
        "fields.kind.codes",
        "policy.allow_everything",
    }
