"""Use cases of HS classification: build (and evaluate) the model from the data directory,
suggest codes for descriptions, batches, national tariff lines.

``build_model`` is what ``smartcustoms classify build`` and ``make demo`` run; the web app and
the declarations check load the result through :class:`~.store.ModelStore`.
"""

from __future__ import annotations

import json
import math
import platform
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smartcustoms import __version__
from smartcustoms.classify import evaluation as ev
from smartcustoms.classify.data import Corpus, Example, read_corpus, read_corpus_files
from smartcustoms.classify.engine import HsClassifier
from smartcustoms.classify.model import Classification, GoodsQuery, NationalLine
from smartcustoms.classify.store import ModelStore
from smartcustoms.classify.suggester import MAX_TOP, Suggester, with_lines
from smartcustoms.classify.text import compose
from smartcustoms.core.clock import Clock, SystemClock
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import DataUnavailable, FieldError, InvalidInput
from smartcustoms.tariff import service as tariff

__all__ = [
    "BatchResult",
    "Progress",
    "build_model",
    "classify_batch",
    "ensure_model",
    "evaluate",
    "evaluate_labelled",
    "national_lines",
    "parse_batch",
    "parse_query",
    "suggest",
    "with_lines",
]

Progress = Callable[[str], None]
MAX_DESCRIPTION = 2000
MAX_ATTRIBUTES = 50


@dataclass(slots=True)
class Evaluated:
    model: HsClassifier
    calibration: ev.Calibration
    metrics: dict[str, Any]


def _no_progress(_step: str) -> None:
    return None


def run_evaluation(
    corpus: Corpus, *, progress: Progress = _no_progress, params: Mapping[str, Any] | None = None
) -> Evaluated:
    """Fit on the training split, tune weights and calibrate on validation, score the test
    split (per source). The test split never influences any choice."""
    parts = ev.split(corpus.examples)
    if not parts.valid or not parts.test:
        raise DataUnavailable("too few labelled descriptions for a held-out evaluation")
    progress(f"fitting on the training split ({len(parts.train)} texts)")
    start = time.perf_counter()
    model = HsClassifier(**(params or {})).fit(parts.train, corpus.vague)
    fit_seconds = time.perf_counter() - start
    progress(f"tuning on the validation split ({len(parts.valid)} descriptions)")
    valid_truth = [e.hs6 for e in parts.valid]
    comp = model.components(ev.composed(parts.valid))
    weights = ev.tune(model, comp, valid_truth)
    model.set_params(**weights)
    p_valid = model.combine(comp)
    calibration = ev.calibrate(model, p_valid, valid_truth)
    progress(f"scoring the test split ({len(parts.test)} descriptions)")
    p_test = model.combine(model.components(ev.composed(parts.test)))
    test_truth = [e.hs6 for e in parts.test]
    learned = {e.hs6 for e in parts.train if e.source not in ("hs", "cn")}
    subsets: dict[str, Callable[[Example], bool]] = {
        "all": lambda e: True,
        "parcel": lambda e: e.source in ev.PARCEL_SOURCES,
        "search_terms": lambda e: e.source == "uk-search",
        "unseen_code": lambda e: e.hs6 not in learned,
    }
    test: dict[str, Any] = {}
    for name, keep in subsets.items():
        idx = [i for i, e in enumerate(parts.test) if keep(e)]
        if idx:
            test[name] = ev.accuracy(model, p_test[idx], [test_truth[i] for i in idx])
    metrics = {
        "split": {
            "train": len(parts.train),
            "valid": len(parts.valid),
            "test": len(parts.test),
            "by": "first content word of the description (brand / product family)",
        },
        "valid": ev.accuracy(model, p_valid, valid_truth),
        "test": test,
        "ece_top1_hs6": ev.expected_calibration_error(model, calibration, p_test, test_truth),
        "weights": weights,
        "fit_seconds": round(fit_seconds, 1),
    }
    return Evaluated(model, calibration, metrics)


def evaluate(
    data_dir: Path,
    *,
    chapters: Collection[str] | None = None,
    progress: Progress = _no_progress,
) -> dict[str, Any]:
    progress("reading the data directory")
    corpus = read_corpus(data_dir, chapters=chapters)
    result = run_evaluation(corpus, progress=progress)
    return result.metrics | {"fingerprint": corpus.fingerprint}


def evaluate_labelled(suggester: Suggester, lines: Iterable[str]) -> dict[str, Any]:
    """The current model on a labelled JSON Lines file (the batch format plus ``hs_code``):
    top-1/top-5 at 2/4/6 digits. Scores a built model; never used to choose anything."""
    queries: list[GoodsQuery] = []
    truth: list[str] = []
    errors: list[FieldError] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            query = parse_query(raw, f"line {number}")
        except json.JSONDecodeError as exc:
            errors.append(FieldError(f"line {number}", "invalid_json", exc.msg))
            continue
        except InvalidInput as exc:
            errors += exc.errors
            continue
        code = "".join(ch for ch in str(raw.get("hs_code", "")) if ch.isdigit())[:6]
        if len(code) != 6:
            errors.append(FieldError(f"line {number}.hs_code", "required", "a 6-digit hs_code"))
            continue
        queries.append(query)
        truth.append(code)
    if errors:
        raise InvalidInput(errors)
    texts = [compose(q.description, q.category, q.attributes) for q in queries]
    p = suggester.engine.score(texts).probabilities
    return ev.accuracy(suggester.engine, p, truth) | {"model": suggester.version}


def build_model(
    data_dir: Path,
    store: ModelStore,
    *,
    chapters: Collection[str] | None = None,
    extra: Iterable[Example] = (),
    refit: bool = True,
    progress: Progress = _no_progress,
    clock: Clock | None = None,
) -> dict[str, Any]:
    """Build the classifier from ``data_dir``, evaluate it on the held-out split, refit on
    everything with the tuned weights and save it (version, data fingerprint, metrics) as the
    current model. Returns its metadata. ``make demo`` calls this."""
    now = (clock or SystemClock()).now()
    extra = list(extra)
    progress("reading the data directory")
    corpus = read_corpus(data_dir, chapters=chapters, extra=extra)
    evaluated = run_evaluation(corpus, progress=progress)
    model = evaluated.model
    if refit:
        progress(f"fitting on all {len(corpus.examples)} texts")
        model = HsClassifier(**model.get_params()).fit(corpus.examples, corpus.vague)
    version = f"{now:%Y%m%d-%H%M%S}-{corpus.fingerprint[:8]}"
    metadata = {
        "version": version,
        "software_version": __version__,
        "created_at": now.isoformat(timespec="seconds"),
        "data_dir": str(data_dir),
        "fingerprint": corpus.fingerprint,
        "files": corpus.files,
        "chapters": sorted(chapters) if chapters else None,
        "examples": len(corpus.examples),
        "platform_examples": sum(1 for e in corpus.examples if e.source == "platform"),
        "vague_examples": len(corpus.vague),
        "refit_on_all": refit,
        "machine": f"{platform.machine()} {platform.python_implementation()} "
        f"{platform.python_version()}",
        "metrics": evaluated.metrics,
    } | model.metadata()
    progress("saving")
    store.save(model, evaluated.calibration, corpus.nomenclature, metadata)
    return metadata


def ensure_model(data_dir: Path | None, home: Path, *, progress: Progress = _no_progress) -> str:
    """Build the classifier unless the current one was built from the same data: the step
    ``make demo`` runs (``smartcustoms demo``). Returns a one-line summary."""
    store = ModelStore.under(home)
    if data_dir is None or not (Path(data_dir) / "harmonized-system").is_dir():
        return "skipped: no data directory with the HS nomenclature"
    current = store.current()
    if current is not None:
        meta = next((m for m in store.versions() if m.get("version") == current), {})
        files = read_corpus_files(Path(data_dir))
        if meta.get("files") == files and not meta.get("chapters"):
            return f"already built ({current})"
    meta = build_model(Path(data_dir), store, progress=progress)
    top1 = meta["metrics"]["test"]["all"]
    return (
        f"built {meta['version']}: held-out top-1 HS2 {top1['top1_hs2']:.2f}, "
        f"HS4 {top1['top1_hs4']:.2f}, HS6 {top1['top1_hs6']:.2f}"
    )


# --- answering ---------------------------------------------------------------------------------


def _number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def parse_query(raw: Any, base: str = "") -> GoodsQuery:
    """A :class:`GoodsQuery` from a JSON object; every problem at once (InvalidInput)."""
    pre = f"{base}." if base else ""
    if not isinstance(raw, Mapping):
        raise InvalidInput.single(base or "$", "not_an_object", "expected a JSON object")
    errors: list[FieldError] = []
    description = raw.get("description")
    if not isinstance(description, str) or not description.strip():
        errors.append(
            FieldError(f"{pre}description", "required", "a goods description is required")
        )
    elif len(description) > MAX_DESCRIPTION:
        errors.append(
            FieldError(f"{pre}description", "too_long", f"at most {MAX_DESCRIPTION} characters")
        )
    category = raw.get("category")
    if category is not None and not isinstance(category, str):
        errors.append(FieldError(f"{pre}category", "not_a_string", "a category path is a string"))
    attributes = raw.get("attributes")
    if attributes is not None and not isinstance(attributes, Mapping):
        errors.append(
            FieldError(
                f"{pre}attributes", "not_an_object", "attributes are an object of name: value"
            )
        )
    elif isinstance(attributes, Mapping) and (
        len(attributes) > MAX_ATTRIBUTES
        or len(json.dumps(attributes, default=str)) > 4 * MAX_DESCRIPTION
    ):
        errors.append(
            FieldError(
                f"{pre}attributes",
                "too_long",
                f"at most {MAX_ATTRIBUTES} attributes, {4 * MAX_DESCRIPTION} characters in all",
            )
        )
    price = raw.get("price")
    if price is not None and (not _number(price) or float(price) < 0):
        errors.append(FieldError(f"{pre}price", "not_a_number", "a price is a number >= 0"))
    currency = raw.get("currency")
    if currency is not None and not (
        isinstance(currency, str) and len(currency) == 3 and currency.isalpha()
    ):
        errors.append(
            FieldError(f"{pre}currency", "invalid_currency", "a 3-letter ISO 4217 currency code")
        )
    if errors:
        raise InvalidInput(errors)
    assert isinstance(description, str)
    return GoodsQuery(
        description=description.strip(),
        category=category.strip() if isinstance(category, str) and category.strip() else None,
        attributes=dict(attributes or {}),
        price=float(price) if price is not None else None,
        currency=currency.upper() if isinstance(currency, str) else None,
    )


@dataclass(frozen=True, slots=True)
class BatchResult:
    index: int
    classification: Classification | None = None
    errors: tuple[FieldError, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        if self.classification is None:
            return {
                "index": self.index,
                "error": {
                    "message": "; ".join(e.message for e in self.errors),
                    "errors": [e.to_dict() for e in self.errors],
                },
            }
        return {"index": self.index} | self.classification.to_dict()


def parse_batch(lines: Iterable[str]) -> list[GoodsQuery | tuple[FieldError, ...]]:
    """One JSON object per line; a bad line (blank ones too) becomes its errors, so result
    ``i`` always answers line ``i + 1``."""
    out: list[GoodsQuery | tuple[FieldError, ...]] = []
    for number, line in enumerate(lines, start=1):
        path = f"line {number}"
        if not line.strip():
            out.append((FieldError(path, "empty_line", "an empty line holds no description"),))
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            out.append((FieldError(path, "invalid_json", f"not JSON: {exc.msg}"),))
            continue
        try:
            out.append(parse_query(raw, path))
        except InvalidInput as exc:
            out.append(tuple(exc.errors))
    return out


def classify_batch(
    suggester: Suggester,
    items: Sequence[GoodsQuery | tuple[FieldError, ...]],
    top: int = 5,
    *,
    chunk: int = 256,
) -> list[BatchResult]:
    """Classify the good items (in chunks), keep the bad ones' errors in their place."""
    good = [(i, q) for i, q in enumerate(items) if isinstance(q, GoodsQuery)]
    results: dict[int, BatchResult] = {
        i: BatchResult(i, errors=q) for i, q in enumerate(items) if not isinstance(q, GoodsQuery)
    }
    for start in range(0, len(good), chunk):
        part = good[start : start + chunk]
        done = suggester.classify([q for _, q in part], top)
        for (i, _), c in zip(part, done, strict=True):
            results[i] = BatchResult(i, c)
    return [results[i] for i in range(len(items))]


def national_lines(
    uow: UnitOfWork, economy: str, codes: Iterable[str]
) -> dict[str, list[NationalLine]]:
    """The economy's tariff lines longer than 6 digits under each subheading."""
    schedule = tariff.get_schedule(uow, economy)
    wanted = set(codes)
    out: dict[str, list[NationalLine]] = {c: [] for c in wanted}
    if schedule is None:
        return out
    for ln in schedule.lines:
        if len(ln.hs_prefix) > 6 and ln.hs_prefix[:6] in wanted:
            out[ln.hs_prefix[:6]].append(
                NationalLine(ln.hs_prefix, ln.description, ln.rate_type, str(ln.ad_valorem))
            )
    for lines in out.values():
        lines.sort(key=lambda x: (x.code, x.rate_type))
    return out


def suggest(
    suggester: Suggester,
    queries: Sequence[GoodsQuery],
    top: int = 5,
    *,
    uow: UnitOfWork | None = None,
    economy: str | None = None,
) -> list[Classification]:
    """Suggestions for each query; with a unit of work and an economy, each subheading lists
    the economy's national tariff lines under it."""
    if not 1 <= top <= MAX_TOP:
        raise InvalidInput.single("top", "out_of_range", f"top must be 1 to {MAX_TOP}")
    results = suggester.classify(queries, top)
    if uow is None or not economy:
        return results
    codes = {s.hs_code for c in results for s in c.suggestions}
    lines = national_lines(uow, economy, codes)
    return [with_lines(c, lines) for c in results]
