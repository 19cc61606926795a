"""The JSON form of declarations and assessments: the hand-written converters give exactly what
the generic ones they replaced gave (kept here as the reference), key order included, on the
KCS test split and on varied documents (currencies, Incoterms, several items, de minimis)."""

from __future__ import annotations

import dataclasses
import json
import random
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartcustoms.db.types import plain
from smartcustoms.declarations.demo import KCS_DIR, TEST_SPLIT, observations
from smartcustoms.declarations.document import (
    PARTY_ROLES,
    assessment_from_dict,
    assessment_json,
    assessment_to_dict,
    dec,
    document_digest,
    document_hash,
    sha256_of,
    to_document,
)
from smartcustoms.declarations.intake.mapping import read_records
from smartcustoms.declarations.intake.profiles import load_profile
from smartcustoms.declarations.intake.validation import read_document
from smartcustoms.declarations.model import Declaration, Item, Party
from smartcustoms.tariff.derive import derive_lines, kr_demo_settings
from smartcustoms.tariff.duties import (
    DeMinimisCheck,
    DutyAssessment,
    DutyLine,
    FxRate,
    ItemValuation,
    assess_duties,
)
from smartcustoms.tariff.model import TariffSchedule
from tests.factories import document, kr_schedule

D = Decimal
ROWS = 3000

# --- the reference: the implementations before the fast path -----------------------------------


def old_dec(value: Decimal) -> str:
    return str(plain(value))


def old_party(p: Party) -> dict[str, Any]:
    return {k: v for k, v in (("id", p.id), ("name", p.name), ("country", p.country)) if v}


def old_item(it: Item) -> dict[str, Any]:
    out: dict[str, Any] = {
        "hs_code": it.hs_code,
        "description": it.description,
        "origin_country": it.origin_country,
        "net_mass_kg": old_dec(it.net_mass_kg),
        "invoice_value": old_dec(it.invoice_value),
    }
    optional = {
        "origin_indicator": it.origin_indicator,
        "quantity": None if it.quantity is None else old_dec(it.quantity),
        "unit": it.unit,
        "gross_mass_kg": None if it.gross_mass_kg is None else old_dec(it.gross_mass_kg),
        "preference": it.preference,
        "declared_duty_rate": None
        if it.declared_duty_rate is None
        else old_dec(it.declared_duty_rate),
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


def old_to_document(d: Declaration) -> dict[str, Any]:
    out: dict[str, Any] = {
        "reference": d.reference,
        "kind": d.kind.value,
        "office": d.office,
        "transport_mode": d.transport_mode.value,
        "invoice_currency": d.invoice_currency,
        "incoterm": d.incoterm,
        "freight": old_dec(d.freight),
        "insurance": old_dec(d.insurance),
        "items": [old_item(it) for it in d.items],
    }
    for role in PARTY_ROLES:
        party = getattr(d, role)
        if party is not None:
            out[role] = old_party(party)
    for key in ("date", "arrival_date", "departure_date"):
        value: date | None = getattr(d, key)
        if value is not None:
            out[key] = value.isoformat()
    for key in ("departure_country", "destination_country"):
        if getattr(d, key):
            out[key] = getattr(d, key)
    if d.national:
        out["national"] = dict(sorted(d.national.items()))
    return out


def old_assessment_to_dict(a: DutyAssessment) -> dict[str, Any]:
    def conv(obj: Any) -> Any:
        if isinstance(obj, Decimal):
            return old_dec(obj)
        if isinstance(obj, date):
            return obj.isoformat()
        if isinstance(obj, list):
            return [conv(v) for v in obj]
        if hasattr(obj, "__dataclass_fields__"):
            return {k: conv(getattr(obj, k)) for k in obj.__dataclass_fields__}
        return obj

    result: dict[str, Any] = conv(a)
    return result


def same(new: Any, old: Any) -> None:
    """Equal values, types and key order: the stored JSON text is the same."""
    assert json.dumps(new) == json.dumps(old)
    assert new == old


# --- decimals ----------------------------------------------------------------------------------


def outcome(f: Any, value: Decimal) -> str:
    """The text, or the error (beyond 28 digits ``plain`` cannot quantize)."""
    try:
        return str(f(value))
    except ArithmeticError as exc:
        return f"error {type(exc).__name__}"


def test_dec_gives_the_text_plain_gives() -> None:
    rng = random.Random(5)
    values = [
        "0",
        "-0",
        "0.00",
        "-0.00",
        "1",
        "100",
        "1E+2",
        "1.0E+3",
        "12.50",
        "12.00",
        "-12.50",
        "0.1",
        "0.000001",
        "0.0000001",
        "1E-7",
        "0.00000010",
        "123456789012345.123456789",
        "1.123456789012345678901234567890",
        "99999999999999999999999999.5",
        "1234567890123456789012345678.0",
        "5E+1",
        "0E-8",
        "0E+3",
    ]
    for _ in range(20_000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 32)))
        point = rng.randint(0, len(digits))
        text = digits[:point] + ("." if point < len(digits) else "") + digits[point:]
        if text.startswith("."):
            text = "0" + text
        values.append(("-" if rng.random() < 0.1 else "") + text)
        values.append(f"{rng.randint(0, 10**6)}E{rng.randint(-12, 6)}")
    for text in values:
        value = D(text)
        assert outcome(dec, value) == outcome(old_dec, value), text
    # Computed values too (quotients carry the context's 28 digits).
    for n in range(1, 3000):
        value = D(n) / D(7) * D(rng.choice(["1120.5", "1", "0.01", "13"]))
        assert dec(value) == old_dec(value)
        quantized = value.quantize(D("0.01"))
        assert dec(quantized) == old_dec(quantized)


def test_dec_remembers_text_only_where_the_value_decides_it() -> None:
    """Equal amounts share their text (``12.50`` is ``12.5``), zero's sign does not (``-0``),
    and a signalling NaN fails as before, however often each is asked for."""
    for _ in range(2):
        for text in [
            "12.50",
            "12.5",
            "12.500000",
            "0",
            "-0",
            "0.00",
            "-0.00",
            "0E+3",
            "1E+2",
            "100",
            "100.0",
            "-7.10",
            "NaN",
            "-Infinity",
            "1E-7",
            "0.0000001",
        ]:
            assert outcome(dec, D(text)) == outcome(old_dec, D(text)), text
        assert outcome(dec, D("sNaN")) == outcome(old_dec, D("sNaN"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.decimals(allow_nan=True, places=None), max_size=40))
def test_dec_with_its_memory_gives_what_plain_gives(values: list[Decimal]) -> None:
    for value in values + values[::-1]:
        assert outcome(dec, value) == outcome(old_dec, value)


# --- documents and assessments ----------------------------------------------------------------


def fx(currency: str, on: date) -> FxRate:
    per_usd = {"USD": D(1), "KRW": D("1120.5"), "EUR": D("0.8231"), "JPY": D("109.77")}
    month = on.replace(day=1) if on.month != 6 else on.replace(day=1, month=5)
    return FxRate(currency, month, per_usd[currency], f"{currency} per USD")


def varied(doc: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The row's document in another currency, Incoterm, with more items, parties, dates."""
    doc = json.loads(json.dumps(doc))
    doc["invoice_currency"] = rng.choice(["USD", "EUR", "JPY", "KRW"])
    doc["incoterm"] = rng.choice(["FOB", "EXW", "CFR", "CIF", "DAP"])
    doc["freight"] = rng.choice(["0", "100", "12.5", "3.333"])
    doc["insurance"] = rng.choice(["0", "20", "0.07"])
    item = doc["items"][0]
    extra = dict(item, invoice_value=rng.choice(["1", "250.25", "99999"]), description="more")
    extra.update(quantity="12.000", unit="pce", gross_mass_kg="999")
    doc["items"].append(extra)
    if rng.random() < 0.5:
        doc["buyer"] = {"id": "B-1", "name": "Buyer"}
        doc["arrival_date"] = doc["date"]
    return doc


@pytest.fixture(scope="module")
def kcs(shared_data_dir: Path) -> tuple[list[Any], TariffSchedule]:
    path = shared_data_dir / KCS_DIR / TEST_SPLIT
    schedule = TariffSchedule(kr_demo_settings("test"), derive_lines(observations(path)))
    rows = [m.document for m, _ in zip(read_records(path, "kcs-cdd"), range(ROWS), strict=False)]
    return rows, schedule


def test_converters_match_the_reference_on_the_test_split(kcs: Any) -> None:
    rows, schedule = kcs
    policy = load_profile("kcs-cdd").policy
    rng = random.Random(3)
    docs = rows + [varied(d, rng) for d in rows[:1500]] + [document()]
    schedules = [schedule, schedule, kr_schedule(), None]
    compared = 0
    for n, raw in enumerate(docs):
        decl, _, _ = read_document(raw, economy="KR", today=date(2021, 7, 1), policy=policy)
        if decl is None:
            continue
        same(to_document(decl), old_to_document(decl))
        assert document_hash(decl) == sha256_of(old_to_document(decl))
        a = assess_duties(
            decl,
            economy="KR",
            currency=rng.choice(["KRW", "USD"]),
            on=decl.date or date(2021, 7, 1),
            schedule=schedules[n % len(schedules)],
            fx=fx,
        )
        new = assessment_to_dict(a)
        same(new, old_assessment_to_dict(a))
        assert assessment_json(a) == json.dumps(new)
        assert assessment_from_dict(new) == a
        compared += 1
    assert compared > ROWS  # nearly every row reads


texts = st.text(max_size=12) | st.sampled_from(["KRW", "duty", "%", 'q"\\\t\n\x7f é 😀'])
amounts = st.decimals(allow_nan=False, allow_infinity=True, places=None) | st.sampled_from(
    [D("0"), D("-0.00"), D("12.50"), D("1E+3"), D("0.0000001")]
)
days = st.dates()
assessments = st.builds(
    DutyAssessment,
    currency=texts,
    invoice_currency=texts,
    date=days,
    rates_used=st.lists(st.builds(FxRate, texts, days, amounts, texts), max_size=3),
    valuation=st.lists(
        st.builds(ItemValuation, st.integers(), amounts, amounts, amounts, amounts, amounts),
        max_size=3,
    ),
    lines=st.lists(
        st.builds(DutyLine, st.integers(), texts, amounts, texts, amounts, texts, texts, amounts),
        max_size=4,
    ),
    de_minimis=st.none()
    | st.builds(DeMinimisCheck, amounts, texts, amounts, amounts, texts, st.booleans()),
    customs_value=amounts,
    duty_total=amounts,
    tax_total=amounts,
    total=amounts,
    notes=st.lists(texts, max_size=3),
    complete=st.booleans(),
)


def _text_or_error(f: Any, a: DutyAssessment) -> str:
    try:
        return str(f(a))
    except ArithmeticError as exc:
        return f"error {type(exc).__name__}"


@settings(max_examples=500, deadline=None)
@given(assessments)
def test_assessment_json_is_json_dumps_of_assessment_to_dict(a: DutyAssessment) -> None:
    """The assessment column's text, written directly, is byte for byte what ``json.dumps``
    writes for ``assessment_to_dict`` (quotes, backslashes, control and non-ASCII text,
    amounts of any size and sign, empty lists, no de minimis check)."""
    assert _text_or_error(assessment_json, a) == _text_or_error(
        lambda x: json.dumps(assessment_to_dict(x)), a
    )


def test_assessment_to_dict_writes_every_field() -> None:
    """A field added to one of the assessment classes must be added to its converter."""
    a = assess_duties(
        read_document(document(), economy="KR", today=date(2021, 7, 1))[0],  # type: ignore[arg-type]
        economy="KR",
        currency="KRW",
        on=date(2021, 5, 14),
        schedule=kr_schedule(),
        fx=fx,
    )
    out = assessment_to_dict(a)
    assert a.de_minimis is not None
    for obj, written in [
        (a, out),
        (a.rates_used[0], out["rates_used"][0]),
        (a.valuation[0], out["valuation"][0]),
        (a.lines[0], out["lines"][0]),
        (a.de_minimis, out["de_minimis"]),
    ]:
        assert list(written) == [f.name for f in dataclasses.fields(obj)]
    for cls in (DutyAssessment, FxRate, ItemValuation, DutyLine, DeMinimisCheck):
        assert dataclasses.is_dataclass(cls)


def test_document_digest_is_the_canonical_json_hash() -> None:
    """orjson's sorted compact output is canonical_json's, for any text: control characters,
    quotes, backslashes, non-ASCII, astral planes, line separators; invalid text fails as
    before (``json`` writes it, encoding it to UTF-8 fails)."""
    text = "".join(chr(i) for i in range(0x2100)) + "\ud7ff\ue000\U0001f600\u2028\u2029\ufeff"
    rng = random.Random(9)
    for _ in range(200):
        cut = sorted(rng.sample(range(len(text)), 2))
        piece = text[cut[0] : cut[1]][:40]
        doc = {
            "reference": piece,
            "items": [{"description": piece, "hs_code": "010121"}],
            "national": {piece or "k": "v", "é": piece, "Z": "", "a": "1"},
            piece[:3] or "x": [piece, {"b": "", "A": piece}],
        }
        assert document_digest(doc) == sha256_of(doc)
    with pytest.raises(UnicodeEncodeError):
        document_digest({"reference": "\ud800"})
    with pytest.raises(UnicodeEncodeError):
        sha256_of({"reference": "\ud800"})
