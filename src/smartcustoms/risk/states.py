"""The per-application caches of the risk feature: per-economy scoring state, loaded models.

Kept apart from :mod:`.scoring` and :mod:`.registry` (numpy, pandas, LightGBM) so that the
composition root can build them at every CLI start-up without importing the model stack.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smartcustoms.risk.ml.estimator import RiskModel

__all__ = ["ModelStore", "ScoringStates"]


class ScoringStates:
    """A cache, not a source of truth: the per-economy scoring state, keyed by database and
    economy and checked against the stamp. The composition root owns one per application
    (``uow.ports.scoring_states``); a bare unit of work rebuilds the state every time."""

    def __init__(self) -> None:
        self._states: dict[tuple[str, str], Any] = {}  # risk.scoring.EconomyState
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> Any:
        with self._lock:
            return self._states.get(key)

    def put(self, key: tuple[str, str], state: Any) -> None:
        with self._lock:
            self._states[key] = state


class ModelStore:
    """Loads models from their directories, keeping the last few (models are immutable once
    registered). The composition root owns one per application (``uow.ports.models``)."""

    def __init__(self, size: int = 4) -> None:
        self._cache: OrderedDict[str, RiskModel] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def load(self, directory: str | Path) -> RiskModel:
        key = str(directory)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        from smartcustoms.risk.ml.estimator import RiskModel  # LightGBM: loaded when used

        model = RiskModel.load(key)
        with self._lock:
            self._cache[key] = model
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return model
