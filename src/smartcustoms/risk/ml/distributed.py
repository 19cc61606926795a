"""The risk model on a Dask cluster: training through LightGBM's Dask interface, batch scoring
split over the workers.

**Training** (:class:`DaskRiskModel`): the same estimator as :class:`~.estimator.RiskModel` (same
features, same refit, same saved format, loadable by ``RiskModel.load``); only the boosters are
trained by ``lightgbm.DaskLGBMClassifier``, data-parallel over the workers, one part of the
feature matrix per worker. The features stay on the client: they are out-of-time history
statistics that need the declarations in date order (a sequential numpy pass, seconds for a
million rows), while the boosting rounds are where the time goes. LightGBM's Dask interface has
no early stopping, so with a validation file every round's average precision on it is recorded
(``eval_set``) and the boosters are cut at the best round, which is what early stopping picks.

Distributed LightGBM does not give the single-machine trees bit for bit: the feature histograms'
bin boundaries are agreed from the workers' own samples and bagging draws per worker. Scores
agree closely, not exactly (tests/integration/risk/test_dask.py states the tolerance).

**Batch scoring** (:func:`score_file`): every row is scored against the model's history alone
(see :mod:`.scorefile`), so the file's rows are cut into one part per worker, the model is sent
to every worker once, and each worker builds the features and runs both boosters on its part.
The scores equal the single-machine ones; lanes (a budget over the whole file) are decided on
the client from all the scores.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from smartcustoms.risk.ml.estimator import RiskModel, RiskScores
from smartcustoms.risk.ml.frame import DECLARATION_ID, read_frame
from smartcustoms.risk.ml.scorefile import (
    DEFAULT_RED,
    DEFAULT_YELLOW,
    ScoredFile,
    budget_lanes,
    score_frame,
)

__all__ = ["DaskRiskModel", "connect", "score_file", "score_parts"]


@contextlib.contextmanager
def connect(scheduler: str) -> Iterator[Any]:
    """A ``distributed.Client`` for ``scheduler`` (``tcp://host:8786``), closed afterwards."""
    import distributed

    # distributed and dask.array are untyped: held as Any rather than silenced call by call.
    api: Any = distributed
    client = api.Client(scheduler, timeout="30s")
    try:
        yield client
    finally:
        client.close()


def _workers(client: Any) -> int:
    return max(1, len(client.scheduler_info(n_workers=-1)["workers"]))


def _dask_rows(client: Any, matrix: np.ndarray, parts: int) -> Any:
    """``matrix`` as a Dask array of ``parts`` row blocks, scattered to the workers (not
    embedded in the task graph, which would copy every byte through the scheduler)."""
    import dask.array

    da: Any = dask.array
    step = max(1, math.ceil(len(matrix) / parts))
    blocks = [matrix[i : i + step] for i in range(0, len(matrix), step)]
    # hash=False: each call gets its own keys. With content-hashed keys the second booster's
    # identical feature blocks would reuse the first's keys while those are being released
    # (a race that cancels the fit with "lost dependencies" on a busy machine).
    futures = client.scatter(blocks, hash=False)
    return da.concatenate(
        [
            da.from_delayed(f, shape=block.shape, dtype=matrix.dtype)
            for f, block in zip(futures, blocks, strict=True)
        ]
    )


def _eval(x: Any, y: Any) -> dict[str, Any]:
    """The validation set, in the keywords of the installed LightGBM (eval_X/eval_y from 4.7,
    where eval_set is deprecated; eval_set before)."""
    if "eval_X" in inspect.signature(lgb.DaskLGBMClassifier.fit).parameters:
        return {"eval_X": (x,), "eval_y": (y,)}
    return {"eval_set": [(x, y)]}


class DaskRiskModel(RiskModel):
    """:class:`RiskModel` whose boosters are trained on a Dask cluster.

    Construct with the usual parameters, then :meth:`on` a ``distributed.Client``; the client is
    not a parameter, so the saved model's parameters are those of a plain ``RiskModel``.
    """

    _client: Any = None

    def on(self, client: Any) -> DaskRiskModel:
        self._client = client
        return self

    def _train(
        self,
        features: np.ndarray,
        target: np.ndarray,
        names: list[str],
        rounds: int,
        valid: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> lgb.Booster:
        if self._client is None:
            raise RuntimeError("DaskRiskModel needs a client: model.on(client).fit(...)")
        client = self._client
        parts = _workers(client)
        classifier = lgb.DaskLGBMClassifier(
            client=client,
            objective="binary",
            n_estimators=rounds,
            learning_rate=self.learning_rate,
            num_leaves=self.num_leaves,
            min_child_samples=self.min_child_samples,
            subsample=self.subsample,
            subsample_freq=1 if self.subsample < 1.0 else 0,
            colsample_bytree=self.colsample_bytree,
            reg_lambda=self.reg_lambda,
            # No n_jobs: the Dask interface gives each worker's booster its worker's threads.
            random_state=self.random_state,
            deterministic=True,
            verbose=-1,
        )
        x = _dask_rows(client, features.astype(np.float64, copy=False), parts)
        y = _dask_rows(client, target.astype(np.float64, copy=False), parts)
        evaluate = valid is not None and 0 < valid[1].sum() < len(valid[1])
        # LightGBM prints its network set-up ("Finding random open ports...") on stdout, where
        # a CLI's --json document goes: send it to stderr with the other progress.
        with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr):
            # The scikit-learn wrapper always passes n_jobs, which the Dask interface replaces
            # by each worker's thread count (and says so on every fit).
            warnings.filterwarnings("ignore", "Parameter n_jobs will be ignored")
            if evaluate:
                assert valid is not None
                vx = _dask_rows(client, valid[0].astype(np.float64, copy=False), parts)
                vy = _dask_rows(client, valid[1].astype(np.float64, copy=False), parts)
                classifier.fit(
                    x, y, feature_name=names, eval_metric="average_precision", **_eval(vx, vy)
                )
            else:
                classifier.fit(x, y, feature_name=names)
        booster: lgb.Booster = classifier.booster_
        if evaluate:
            # No early stopping in the Dask interface: cut at the best recorded round instead.
            history = next(iter(classifier.evals_result_.values()))["average_precision"]
            best = int(np.argmax(history)) + 1
            booster = lgb.Booster(model_str=booster.model_to_string(num_iteration=best))
            booster.best_iteration = best  # what RiskModel.fit reads as the tuned rounds
        return booster


def _score_part(model: RiskModel, part: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    scores = score_frame(model, part)
    return scores.fraud, scores.critical


def score_parts(client: Any, model: RiskModel, frame: pd.DataFrame) -> RiskScores:
    """``frame`` scored on the cluster, one part per worker; rows in ``frame``'s order."""
    if len(frame) == 0:
        return score_frame(model, frame)
    parts = _workers(client)
    step = max(1, math.ceil(len(frame) / parts))
    pieces = [frame.iloc[i : i + step] for i in range(0, len(frame), step)]
    # The model (boosters and history arrays) travels to each worker once, not once per part.
    [remote_model] = client.scatter([model], broadcast=True, hash=False)
    futures = client.map(_score_part, [remote_model] * len(pieces), pieces, pure=False)
    results = client.gather(futures)
    return RiskScores(
        fraud=np.concatenate([f for f, _ in results]),
        critical=np.concatenate([c for _, c in results]),
    )


def score_file(
    client: Any,
    model: RiskModel,
    path: Path,
    profile: str = "kcs-cdd",
    red: float = DEFAULT_RED,
    yellow: float = DEFAULT_YELLOW,
) -> ScoredFile:
    """Scores and budget lanes for every declaration of ``path``, computed on the cluster."""
    frame = read_frame(path, profile)
    scores = score_parts(client, model, frame)
    return ScoredFile(
        ids=frame[DECLARATION_ID].to_numpy(),
        scores=scores,
        lanes=budget_lanes(scores.fraud, red, yellow),
    )
