"""Validation reports every problem at once, each with its JSON path."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from smartcustoms.declarations.document import from_document, to_document
from smartcustoms.declarations.intake.validation import Policy, check_hs_codes, read_document
from tests.unit.declarations.factories import document

TODAY = date(2021, 6, 1)


def problems(doc: Any, policy: Policy = Policy()) -> dict[str, str]:
    _, errors, _ = read_document(doc, economy="KR", today=TODAY, policy=policy)
    return {e.path: e.code for e in errors}


def test_valid_document_reads_and_round_trips() -> None:
    decl, errors, _ = read_document(document(), economy="KR", today=TODAY)
    assert errors == [] and decl is not None
    assert decl.items[1].hs_code == "610910"  # dots removed
    assert from_document(to_document(decl)) == decl


def test_every_problem_is_reported_at_once() -> None:
    doc = document(
        invoice_currency="QQQ", incoterm="FOOB", date="2030-01-01", departure_country="QQ"
    )
    doc["items"][0].update(hs_code="12AB56", net_mass_kg="-3")
    doc["items"][1].update(origin_country="ZZ", gross_mass_kg="10")  # net 40 > gross 10
    doc["items"][2].update(invoice_value="0")
    assert problems(doc) == {
        "invoice_currency": "unknown_currency",
        "incoterm": "invalid_choice",
        "date": "in_future",
        "departure_country": "unknown_country",
        "items[0].hs_code": "invalid_hs_code",
        "items[0].net_mass_kg": "negative",
        "items[1].origin_country": "unknown_country",
        "items[1].net_mass_kg": "net_above_gross",
        "items[2].invoice_value": "not_positive",
    }


def test_missing_fields_and_wrong_types() -> None:
    doc = document(items=[{"hs_code": 850760, "net_mass_kg": "ten"}])
    del doc["importer"], doc["declarant"]
    found = problems(doc)
    assert found["importer"] == "required"
    assert found["declarant"] == "required"
    assert found["items[0].net_mass_kg"] == "not_a_number"
    assert found["items[0].description"] == "required"
    assert found["items[0].invoice_value"] == "required"
    assert problems([1, 2]) == {"$": "not_an_object"}
    assert problems(document(items=[]))["items"] == "item_count"


def test_duplicate_items_and_unknown_chapter() -> None:
    doc = document()
    doc["items"].append(dict(doc["items"][0]))
    doc["items"][2]["hs_code"] = "990110"
    found = problems(doc)
    assert found["items[3]"] == "duplicate_item"
    assert found["items[2].hs_code"] == "unknown_hs_code"


def test_export_to_own_economy_is_refused() -> None:
    doc = document(kind="export", exporter={"id": "E1"}, destination_country="KR")
    assert problems(doc)["destination_country"] == "same_as_origin"


def test_dates_out_of_range() -> None:
    found = problems(document(arrival_date="2023-01-01", date="1980-01-01"))
    assert found == {"date": "too_old", "arrival_date": "out_of_range"}


def test_policy_relaxes_only_what_it_says() -> None:
    doc = document()
    doc["items"][0].update(net_mass_kg="0", invoice_value="0", origin_country="ZZ")
    doc["items"][0].pop("gross_mass_kg")
    lax = Policy(allow_zero_mass=True, allow_zero_value=True, allow_unknown_country=True)
    assert problems(doc, lax) == {}
    assert set(problems(doc)) == {
        "items[0].net_mass_kg",
        "items[0].invoice_value",
        "items[0].origin_country",
    }
    doc["items"][0]["net_mass_kg"] = "-1"
    assert problems(doc, lax) == {"items[0].net_mass_kg": "negative"}


def test_hs_check_suggests_and_tolerates_older_editions() -> None:
    decl, _, _ = read_document(document(), economy="KR", today=TODAY)
    assert decl is not None
    known = {"850760", "020130"}
    errors, warnings = check_hs_codes(decl, known, lambda c: ["610910", "610990"], date(2022, 3, 1))
    assert [(e.path, e.code) for e in errors] == [("items[1].hs_code", "unknown_hs_code")]
    assert "610910, 610990" in errors[0].message
    # Before 2022 only a code that existed in the earlier edition is tolerated (issue 8).
    errors, warnings = check_hs_codes(decl, known, lambda c: [], date(2021, 3, 1))
    assert [e.code for e in errors] == ["unknown_hs_code"] and warnings == []
    hs2017 = {"610910": "HS 2017"}.get
    errors, warnings = check_hs_codes(decl, known, lambda c: [], date(2021, 3, 1), hs2017)
    assert errors == [] and [w.code for w in warnings] == ["hs_edition"]
    errors, warnings = check_hs_codes(decl, known, lambda c: [], date(2022, 3, 1), hs2017)
    assert [e.code for e in errors] == ["hs_edition_ended"] and warnings == []


# --- properties --------------------------------------------------------------------------------

amounts = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1e9"), places=3)


@settings(max_examples=60, deadline=None)
@given(net=amounts, gross=amounts)
def test_net_above_gross_is_always_flagged(net: Decimal, gross: Decimal) -> None:
    doc = document()
    doc["items"][0].update(net_mass_kg=str(net), gross_mass_kg=str(gross))
    flagged = problems(doc).get("items[0].net_mass_kg") == "net_above_gross"
    assert flagged == (net > gross)


@settings(max_examples=60, deadline=None)
@given(
    bad=st.sets(st.integers(min_value=0, max_value=2), min_size=1),
    value=st.decimals(max_value=Decimal(0), min_value=Decimal("-1e6"), places=2),
)
def test_each_bad_item_is_reported_under_its_own_index(bad: set[int], value: Decimal) -> None:
    doc = document()
    for i in bad:
        doc["items"][i]["invoice_value"] = str(value)
    found = problems(doc)
    assert {p for p in found if p.endswith("invoice_value")} == {
        f"items[{i}].invoice_value" for i in bad
    }


@settings(max_examples=60, deadline=None)
@given(code=st.text(alphabet="0123456789.ABX ", min_size=1, max_size=14))
def test_hs_codes_are_accepted_only_when_well_formed(code: str) -> None:
    doc = document()
    doc["items"][0]["hs_code"] = code
    digits = code.replace(".", "").replace(" ", "")
    ok = digits.isdigit() and 6 <= len(digits) <= 10 and digits[:2] not in {"00", "77", "98", "99"}
    assert ("items[0].hs_code" not in problems(doc)) == ok


@settings(max_examples=40, deadline=None)
@given(country=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2))
def test_origin_must_be_an_iso_country(country: str) -> None:
    import pycountry

    doc = document()
    doc["items"][2]["origin_country"] = country
    known = pycountry.countries.get(alpha_2=country) is not None
    assert ("items[2].origin_country" in problems(doc)) == (not known)
