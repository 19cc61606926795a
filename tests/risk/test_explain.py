"""Explanations name real features and quote the real numbers behind them."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from smartcustoms.risk.ml.estimator import RiskModel
from smartcustoms.risk.ml.explain import Reason, _sentence, _subject, explain


def test_explanations_name_real_features_with_real_counts(frame: pd.DataFrame) -> None:
    cut = frame["date"].max()
    train = frame[frame["date"] < cut].reset_index(drop=True)
    model = RiskModel(n_estimators=40, num_leaves=7, min_child_samples=5).fit(train)
    new = frame[frame["importer_id"] == "BAD"].tail(1).copy()
    new["date"] = cut + pd.Timedelta(days=1)
    reasons = explain(model, new.reset_index(drop=True), top=3)[0]
    assert 1 <= len(reasons) <= 3
    names = set(model.feature_names_in_)
    assert all(r.feature in names for r in reasons)
    texts = " | ".join(r.text for r in reasons)
    assert "importer" in texts
    # The importer's history as the model saw it: every one of its declarations was fraud.
    inspected = int((train["importer_id"] == "BAD").sum())
    sentence = next(r.text for r in reasons if r.feature == "te_importer")
    assert sentence == f"importer's past fraud rate 100% ({inspected} of {inspected} inspected)"
    assert reasons[0].contribution > 0


def test_unit_value_sentence_quotes_the_hs_norm(frame: pd.DataFrame) -> None:
    model = RiskModel(n_estimators=20, num_leaves=7, min_child_samples=5).fit(frame)
    new = frame.tail(20).copy()
    new["date"] = frame["date"].max() + pd.Timedelta(days=1)
    every = explain(model, new.reset_index(drop=True), top=len(model.feature_names_in_))
    texts = [r.text for reasons in every for r in reasons if r.feature.endswith("unit_value")]
    assert texts
    pattern = r"unit value (\d+% (below|above)|[\d.]+ times|in line with) the HS \d{6} norm"
    assert all(re.search(pattern, t) for t in texts), texts


def test_declared_value_is_said_in_the_invoice_currency(frame: pd.DataFrame) -> None:
    # Issue 8: "value KRW 100" was written for a 100 USD invoice.
    model = RiskModel(n_estimators=20, num_leaves=7, min_child_samples=5).fit(frame)
    new = frame.tail(5).copy().reset_index(drop=True)
    new["date"] = frame["date"].max() + pd.Timedelta(days=1)
    new["item_value"] = 100.0
    top = len(model.feature_names_in_)
    said = explain(model, new, top=top, batch_history=False, currencies=["USD"] * len(new))
    texts = [r.text for reasons in said for r in reasons if r.text.startswith("declared value")]
    assert texts and all(t.startswith("declared value USD 100") for t in texts), texts
    unsaid = explain(model, new, top=top, batch_history=False)
    texts = [r.text for reasons in unsaid for r in reasons if r.text.startswith("declared value")]
    assert texts and not any("KRW" in t for t in texts), texts


def test_contributions_add_up_to_the_score_a_waterfall_draws(frame: pd.DataFrame) -> None:
    import numpy as np

    from smartcustoms.risk.ml.explain import contributions

    model = RiskModel(n_estimators=20, num_leaves=7, min_child_samples=5).fit(frame)
    new = frame.tail(1).copy().reset_index(drop=True)
    new["date"] = frame["date"].max() + pd.Timedelta(days=1)
    base, reasons = contributions(model, new)
    score = float(model.predict_risk(new, batch_history=False).fraud[0])
    total = base + sum(r.contribution for r in reasons)
    assert 1 / (1 + np.exp(-total)) == pytest.approx(score, abs=1e-6)
    effects = [abs(r.contribution) for r in reasons]
    assert effects == sorted(effects, reverse=True)  # largest effect first
    assert all("nan" not in r.text for r in reasons)


def _reference(
    model: RiskModel, frame: pd.DataFrame, top: int, currencies: list[str] | None
) -> list[list[Reason]]:
    """The explanations as they were computed before they were vectorised: row by row,
    values looked up in the frame (kept as the definition the fast path must meet)."""
    import numpy as np

    matrix = model.features(frame, batch_history=False)
    raw = np.asarray(model.fraud_booster_.predict(matrix, pred_contrib=True))
    names = [str(n) for n in model.feature_names_in_]
    subjects = sorted({_subject(n) for n in names})
    # Summed feature after feature (a matrix product adds in another order for one row than
    # for many, and a declaration must get the same explanation alone or in a bulk file).
    by_subject = np.zeros((len(frame), len(subjects)))
    for j, name in enumerate(names):
        by_subject[:, subjects.index(_subject(name))] += raw[:, j]
    main = {s: max((n for n in names if _subject(n) == s), key=len) for s in subjects}
    out = []
    for i in range(len(frame)):
        scores = by_subject[i]
        order = [int(k) for k in np.argsort(-scores, kind="stable")]
        chosen = [k for k in order if scores[k] > 0][:top]
        if len(chosen) < top:
            lowering = [k for k in np.argsort(scores, kind="stable") if scores[k] < 0]
            chosen += [int(k) for k in lowering[: top - len(chosen)]]
        feats = dict(zip(names, matrix[i].astype(float), strict=True))
        row: dict[str, object] = {c: frame[c].iat[i] for c in frame.columns}
        row["hs4"] = str(row.get("hs_code", ""))[:4]
        if currencies is not None:
            row["invoice_currency"] = currencies[i]
        reasons = []
        for k in chosen:
            text = _sentence(subjects[k], feats, row, model)
            text += " (lowers risk)" if scores[k] < 0 else ""
            reasons.append(Reason(main[subjects[k]], float(scores[k]), text))
        out.append(reasons)
    return out


def test_vectorised_explanations_equal_the_row_by_row_ones(shared_data_dir: Path) -> None:
    import numpy as np

    from smartcustoms.risk.ml.explain import explain_rows
    from smartcustoms.risk.ml.frame import KCS_CDD_COLUMNS, normalize_frame

    base = shared_data_dir / "customs-declarations"

    def read(name: str, n: int) -> pd.DataFrame:
        raw = pd.read_csv(base / name, dtype=str, nrows=n)
        return normalize_frame(raw.rename(columns=KCS_CDD_COLUMNS))

    model = RiskModel(n_estimators=30, random_state=0).fit(read("df_syn_train_eng.csv", 4000))
    rows = read("df_syn_test_eng.csv", 400)
    currencies = [("USD", "KRW", "EUR")[i % 3] for i in range(len(rows))]
    for top, said_in in ((3, currencies), (len(model.feature_names_in_), None)):
        expected = _reference(model, rows, top, said_in)
        assert explain(model, rows, top, batch_history=False, currencies=said_in) == expected
        # The batch path: the matrix it scored and the declarations as numpy columns.
        matrix = model.features(rows, batch_history=False)
        columns = {c: rows[c].to_numpy() for c in rows.columns}
        assert explain_rows(model, matrix, columns, top, said_in) == expected
    assert any(r.text.endswith("(lowers risk)") for reasons in expected for r in reasons)
    chosen = np.flatnonzero(np.arange(len(rows)) % 7 == 0)
    subset = {c: v[chosen] for c, v in columns.items()}
    reference = _reference(model, rows, 3, None)
    assert explain_rows(model, matrix[chosen], subset, 3, None) == [reference[i] for i in chosen]


def test_a_declaration_is_explained_alike_alone_and_among_others(shared_data_dir: Path) -> None:
    """The single lodgement explains one row, the bulk import a day's controlled rows at once:
    the contributions must be the same floats (BLAS gave them a last bit apart)."""
    from smartcustoms.risk.ml.explain import explain_rows
    from smartcustoms.risk.ml.frame import KCS_CDD_COLUMNS, normalize_frame

    base = shared_data_dir / "customs-declarations"

    def read(name: str, n: int) -> pd.DataFrame:
        raw = pd.read_csv(base / name, dtype=str, nrows=n)
        return normalize_frame(raw.rename(columns=KCS_CDD_COLUMNS))

    model = RiskModel(n_estimators=60, random_state=0).fit(read("df_syn_train_eng.csv", 6000))
    rows = read("df_syn_test_eng.csv", 600)
    matrix = model.features(rows, batch_history=False)
    columns = {c: rows[c].to_numpy() for c in rows.columns}
    top = len(model.feature_names_in_)
    together = explain_rows(model, matrix, columns, top)
    for i in range(len(rows)):
        alone = explain_rows(
            model, matrix[i : i + 1], {c: v[i : i + 1] for c, v in columns.items()}, top
        )
        assert alone == [together[i]], i
