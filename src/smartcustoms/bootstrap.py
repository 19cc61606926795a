"""The composition root: builds what the services need and what the entry points mount.

:func:`bootstrap` is called by the web app factory (:func:`smartcustoms.web.app.create_app`)
and the CLI root (:mod:`smartcustoms.cli.main`, through ``CliState``). It builds the ports the
services reach through their unit of work (``uow.ports``): the clock, the files directory,
the settings, the lane selector (learned lanes from the risk feature), the model store and the
scoring state cache. Nothing is registered process-wide: two containers in one process (two
apps, or an app and a CLI in a test) share nothing but the code.

:data:`FEATURES` is the one table of what each feature contributes to the web app (routers)
and to the CLI (command groups and commands), as ``module:attribute`` paths resolved when
mounted, so the CLI never imports the web stack and a new feature is one entry here.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smartcustoms.config import Settings
from smartcustoms.core.clock import Clock, SystemClock
from smartcustoms.core.ports import Ports
from smartcustoms.db.engine import Database
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.risk.jobs import RetrainJobs
from smartcustoms.risk.states import ModelStore, ScoringStates
from smartcustoms.risk.wiring import LearnedLaneSelector

__all__ = [
    "FEATURES",
    "Container",
    "Feature",
    "HsSuggester",
    "bootstrap",
    "cli_commands",
    "routers",
]


@dataclass(frozen=True)
class Container:
    """One application's services and ports, bound to one database."""

    settings: Settings
    db: Database
    """The database whose units of work carry :attr:`ports`."""
    ports: Ports
    owns_db: bool = False
    """Whether :func:`bootstrap` opened the database (then :meth:`close` disposes of it)."""
    retrain_jobs: RetrainJobs = field(default_factory=RetrainJobs)
    """The risk model retraining runs started from the web pages (this process)."""

    def uow(self) -> UnitOfWork:
        return self.db.uow()

    def close(self) -> None:
        """Release the database connections this container opened (not a caller's database)."""
        if self.owns_db:
            self.db.dispose()

    @property
    def clock(self) -> Clock:
        return self.ports.clock


class HsSuggester:
    """The application's HS classifier, built from ``home`` on first use.

    The classify feature (numpy, scikit-learn) is imported only when a description is first
    checked, so building the container at every CLI start-up stays cheap."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._holder: Any = None
        self._lock = threading.Lock()

    def __call__(self) -> Any | None:
        with self._lock:
            if self._holder is None:
                from smartcustoms.classify.lodgement import LazySuggester

                self._holder = LazySuggester.under(self.home)
        return self._holder()


def bootstrap(
    settings: Settings | None = None,
    db: Database | None = None,
    *,
    clock: Clock | None = None,
    files_dir: Path | None = None,
) -> Container:
    """Wire the platform for ``settings`` (and ``db``, when the caller already has one)."""
    settings = settings or Settings()
    database = db or Database(settings.effective_database_url)
    ports = Ports(
        clock=clock or SystemClock(),
        files_dir=files_dir or settings.files_dir,
        settings=settings,
        lane_selector=LearnedLaneSelector(),
        models=ModelStore(),
        scoring_states=ScoringStates(),
        hs_suggester=HsSuggester(settings.home),
    )
    return Container(settings, database.with_ports(ports), ports, owns_db=db is None)


# --- what each feature mounts ----------------------------------------------------------------


@dataclass(frozen=True)
class Feature:
    name: str
    routers: tuple[str, ...] = ()
    """FastAPI routers, ``module:attribute``, in mounting order."""
    cli_groups: tuple[tuple[str, str], ...] = ()
    """(command name, Typer app path) mounted as sub-commands of the root."""
    cli_commands: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """(command name, function path) mounted as commands of the root."""


_WEB = "smartcustoms.web"
_CLI = "smartcustoms.cli"

FEATURES: tuple[Feature, ...] = (
    Feature("db", cli_groups=(("db", f"{_CLI}.db:app"),)),
    Feature("home", routers=(f"{_WEB}.pages.home:router",)),
    Feature("admin", routers=(f"{_WEB}.pages.admin:router",)),
    Feature(
        "accounts",
        routers=(f"{_WEB}.api.accounts:router",),
        cli_groups=(
            ("economies", f"{_CLI}.accounts:economies_app"),
            ("users", f"{_CLI}.accounts:users_app"),
            ("tokens", f"{_CLI}.accounts:tokens_app"),
        ),
    ),
    Feature(
        "reference",
        routers=(f"{_WEB}.api.reference:router", f"{_WEB}.pages.reference:router"),
        cli_groups=(("reference", f"{_CLI}.reference:app"),),
    ),
    Feature(
        "declarations",
        # The form pages first: /declarations/form, /declarations/{id}/amend and
        # /declarations/{id}/documents would otherwise be taken by /declarations/{id} and
        # /declarations/{id}/{action}.
        routers=(
            f"{_WEB}.api.declarations:router",
            f"{_WEB}.pages.lodge:router",
            f"{_WEB}.pages.documents:router",
            f"{_WEB}.pages.declarations:router",
        ),
        cli_groups=(("declarations", f"{_CLI}.declarations:app"),),
    ),
    Feature("tariff", cli_groups=(("tariff", f"{_CLI}.tariff:app"),)),
    Feature("audit", cli_groups=(("audit", f"{_CLI}.audit:app"),)),
    Feature(
        "risk",
        routers=(f"{_WEB}.api.risk:router", f"{_WEB}.pages.risk:router"),
        cli_groups=(("risk", f"{_CLI}.risk:app"),),
    ),
    Feature(
        "cases",
        routers=(f"{_WEB}.api.cases:router", f"{_WEB}.pages.cases:router"),
        cli_groups=(("cases", f"{_CLI}.cases:app"),),
    ),
    Feature(
        "ecommerce",
        routers=(f"{_WEB}.api.ecommerce:router", f"{_WEB}.pages.ecommerce:router"),
        cli_groups=(("ecommerce", f"{_CLI}.ecommerce:app"),),
    ),
    Feature(
        "exchange",
        routers=(f"{_WEB}.api.exchange:router", f"{_WEB}.pages.exchange:router"),
        cli_groups=(("exchange", f"{_CLI}.exchange:app"),),
    ),
    Feature(
        "stats",
        routers=(f"{_WEB}.api.stats:router", f"{_WEB}.pages.stats:router"),
        cli_groups=(("stats", f"{_CLI}.stats:app"),),
    ),
    Feature(
        "classify",
        routers=(f"{_WEB}.api.classify:router",),
        cli_groups=(("classify", f"{_CLI}.classify:app"),),
    ),
    Feature(
        "platform",
        cli_commands=(("serve", f"{_CLI}.serve:serve"), ("demo", f"{_CLI}.demo:demo")),
    ),
)


def resolve(path: str) -> Any:
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


def routers(features: tuple[Feature, ...] = FEATURES) -> list[Any]:
    """Every feature's routers: API routers first, then pages, each in table order."""
    paths = [p for f in features for p in f.routers]
    ordered = [p for p in paths if ".api." in p] + [p for p in paths if ".api." not in p]
    return [resolve(p) for p in ordered]


def cli_commands(features: tuple[Feature, ...] = FEATURES) -> list[tuple[str, Any, bool]]:
    """(name, Typer app or function, is_group) for the CLI root."""
    out: list[tuple[str, Any, bool]] = []
    for f in features:
        out += [(name, resolve(p), True) for name, p in f.cli_groups]
        out += [(name, resolve(p), False) for name, p in f.cli_commands]
    return out
