"""Parcels declared without an HS code are classified (issue 14): a confident subheading is
used for duties and said in the reasons; an unclassifiable dutiable parcel is held for
information; without a built classifier nothing changes."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from smartcustoms.bootstrap import bootstrap
from smartcustoms.config import Settings
from smartcustoms.db.engine import Database
from smartcustoms.ecommerce import services
from smartcustoms.ecommerce.engine import CLASSIFY_CONFIDENCE
from smartcustoms.ecommerce.model import SIGNAL_BY_NAME
from tests.conftest import data_dir
from tests.integration.ecommerce.conftest import SECRET, carrier, ndjson, parcel
from tests.unit.classify.conftest import classify_home, suggester  # noqa: F401  (fixtures)


def _item(description: str, price: float) -> dict[str, Any]:
    return {
        "description": description,
        "quantity": 1,
        "unit_price": price,
        "currency": "USD",
        "origin": "CN",
    }


PENDANT = "925 sterling silver heart pendant necklace"


def _decide(uow: Any, files: Path, parcels: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    out = services.submit_manifest(
        uow, carrier("SG"), ndjson(parcels), secret_key=SECRET, files_dir=files
    )
    rows = csv.DictReader(Path(out.decisions_file or "").read_text("utf-8").splitlines())
    return {r["waybill"]: r for r in rows}


def test_items_without_a_code_are_classified_or_held(
    db: Database,
    tmp_path: Path,
    classify_home: Path,  # noqa: F811
    suggester: Any,  # noqa: F811
) -> None:
    texts = [PENDANT, "mens cotton t-shirt"]
    answers = [c.suggestions[0] for c in suggester.classify_many(texts, 3)]
    container = bootstrap(
        Settings(environment="test", home=classify_home, database_url=db.url, data_dir=data_dir()),
        db=db,
    )
    parcels = [parcel(f"NOCODE{i}", items=[_item(t, 2500.0)]) for i, t in enumerate(texts)]
    parcels += [parcel("VAGUE", items=[_item("gift", 2500.0)]), parcel("CODED1")]
    rows = _decide(container.uow(), tmp_path / "files", parcels)
    branches = set()
    for i, answer in enumerate(answers):
        row = rows[f"NOCODE{i}"]
        if answer.confidence >= CLASSIFY_CONFIDENCE:
            assert f"classified as HS {answer.hs_code[:4]}.{answer.hs_code[4:]}" in row["reasons"]
            branches.add("classified")
        else:  # dutiable and not classifiable with confidence: held, saying what to give
            assert row["decision"] == "hold"
            assert "give the HS code" in row["reasons"]
            branches.add("held")
    # the small test classifier is sure of the t-shirt and unsure of the pendant: both paths run
    assert branches == {"classified", "held"}
    # "gift" says nothing about the goods: held for information either way
    assert rows["VAGUE"]["decision"] == "hold"
    # a parcel with its code is not touched by classification
    assert "classif" not in rows["CODED1"]["reasons"]


def test_without_a_classifier_parcels_without_a_code_keep_the_default_rate(
    db: Database, tmp_path: Path
) -> None:
    rows = _decide(db.uow(), tmp_path / "files", [parcel("NOCODE1", items=[_item(PENDANT, 50.0)])])
    assert "classif" not in rows["NOCODE1"]["reasons"]
    assert rows["NOCODE1"]["decision"] in {"release", "inspect"}


def test_classification_signals_have_their_own_bits() -> None:
    bits = {s.bit for s in SIGNAL_BY_NAME.values()}
    assert len(bits) == len(SIGNAL_BY_NAME)
    assert SIGNAL_BY_NAME["unclassified"].bit < 16 and SIGNAL_BY_NAME["classified"].bit < 16
