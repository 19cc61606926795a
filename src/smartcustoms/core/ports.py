"""What the composition root (:mod:`smartcustoms.bootstrap`) passes to the services.

The unit of work carries one :class:`Ports` (``uow.ports``) so that a use case reaches the
lane selector, the model store, the clock and the files directory of *its* application,
never a process-wide registry. A bare unit of work (``Database(url).uow()``, as in many tests)
has ``ports`` None: services then use their defaults (the system clock, the rule-based lane
selection, uncached model loading).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from smartcustoms.core.clock import Clock, SystemClock

__all__ = ["HsSuggesterHolder", "LaneSelector", "ModelLoader", "Ports"]


class LaneSelector(Protocol):
    """Given the unit of work of the lodging transaction and an economy, the assessor that
    picks lanes for it, or None for the declarations feature's rule-based one."""

    def __call__(self, uow: Any, economy: str, /) -> Any | None: ...


class ModelLoader(Protocol):
    """Loads a registered risk model from its directory (a cache the container owns)."""

    def load(self, directory: str | Path) -> Any: ...


class HsSuggesterHolder(Protocol):
    """The application's HS classifier (the classify feature's ``Suggester``), loaded on first
    use and reloaded when a new model version becomes current; None while none is built."""

    def __call__(self) -> Any | None: ...


@dataclass(frozen=True)
class Ports:
    clock: Clock = field(default_factory=SystemClock)
    files_dir: Path | None = None
    settings: Any = None
    lane_selector: LaneSelector | None = None
    models: ModelLoader | None = None
    scoring_states: Any = None
    """The risk feature's per-economy scoring state cache (``risk.scoring.ScoringStates``)."""
    hs_suggester: HsSuggesterHolder | None = None
    """The HS classifier: lodging's description check, e-commerce parcels without a code."""
