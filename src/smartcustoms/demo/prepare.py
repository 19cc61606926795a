"""The demo's steps for one economy: smart customs at work, through the public services only.

1. its tariff schedule (KR: derived from the KCS data; SG: a demonstration schedule of its own);
2. the history imported as past, inspected traffic;
3. a risk set-up an analyst would make: an inspection budget, a watch-listed importer, an
   HS/origin rule and a unit-value rule (each built from what the history shows), one trusted
   trader;
4. (KR) a risk model trained on the history and activated;
5. the recent period replayed through the learned assessor (the bulk import's ``assess`` path,
   in date order): real lanes, scores and plain-word explanations; inspection results recorded
   for the declarations it sent to control;
6. the last days, unlabelled, replayed the same way: the officer's queue holds real red and
   yellow work.

Every step checks what is there first, so running the demo again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from smartcustoms.core.pagination import PageRequest
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations import service as declarations
from smartcustoms.declarations.demo import load_kr_demo_schedule
from smartcustoms.declarations.intake import importing
from smartcustoms.declarations.model import ListFilters
from smartcustoms.demo.traffic import (
    Traffic,
    cleanest_importer,
    date_range,
    riskiest_heading,
    riskiest_importer,
)
from smartcustoms.tariff import service as tariff
from smartcustoms.tariff.model import ScheduleSettings, TariffLine

Report = Callable[[str, int, int], None]
WATCHLIST = "demo-watch"
BUDGET = {"red": 0.03, "yellow": 0.07, "exploration": 0.005, "aeo_factor": 0.5}
# Trees of the demo's model: enough to learn the KCS data well, quick on a laptop.
DEMO_TREES = {"full": 300, "sample": 120}


@dataclass(frozen=True, slots=True)
class Step:
    label: str
    run: Callable[[Report], str]


def steps(uow: Callable[[], UnitOfWork], traffic: Traffic, files_dir: Path) -> list[Step]:
    """The demo steps of ``traffic.economy`` (each a label and a function returning a
    one-line summary)."""
    economy = traffic.economy
    system = declarations.system_principal(economy, "demo")

    def schedule(report: Report) -> str:
        if tariff.get_schedule(uow(), economy) is not None:
            return "already there"
        if economy == "KR":
            lines = load_kr_demo_schedule(uow(), [*traffic.history, traffic.recent])
        else:
            lines = tariff.set_schedule(uow(), system, *demonstration_schedule(economy)).lines
        return f"{lines} tariff lines"

    def history(report: Report) -> str:
        stored = 0
        for path in traffic.history:
            first, last = date_range(path)
            if _count(uow, economy, first, last) > 0:
                continue  # this file is in (each import is all or nothing)
            stored += importing.import_file(
                uow(), system, path, "kcs-cdd", economy=economy, progress=report
            ).stored
        return f"{stored} past declarations, all inspected" if stored else "already loaded"

    def risk_setup(report: Report) -> str:
        from smartcustoms.risk import operations
        from smartcustoms.risk import service as risk

        if risk.list_rules(uow(), system):
            return "already set"
        window = 2000 if not traffic.is_sample else 300
        operations.set_budget(uow(), system, BUDGET | {"window": window})
        made = []
        watched = riskiest_importer(traffic.history)
        if watched:
            risk.add_to_watchlist(
                uow(), system, WATCHLIST, watched, "most frauds in the history (demo)"
            )
            made.append(
                {
                    "name": "Watch-listed importer",
                    "description": "Importers on the demo watch list go to physical control.",
                    "conditions": {"watchlist": WATCHLIST},
                    "action": {"lane": "red"},
                }
            )
        heading = riskiest_heading(traffic.history, 40 if not traffic.is_sample else 15)
        if heading:
            hs4, origin = heading
            made.append(
                {
                    "name": f"HS {hs4} from {origin}",
                    "description": "The heading and origin with the highest fraud rate in "
                    "the history: a documentary check at least.",
                    "conditions": {"hs_prefix": [hs4], "origin": [origin]},
                    "action": {"lane": "yellow"},
                }
            )
        made.append(
            {
                "name": "Far under the usual unit value",
                "description": "Value per kg under a tenth of the HS norm: undervaluation?",
                "conditions": {"unit_value_below_norm": 0.1},
                "action": {"lane": "yellow", "score_add": 0.1},
            }
        )
        for definition in made:
            risk.create_rule(uow(), system, definition, activate=True)
        trusted = cleanest_importer(traffic.history, exclude=watched)
        if trusted:
            operations.change_aeo(uow(), system, trusted, True, "demo: a trusted trader")
        return (
            f"budget red {BUDGET['red']:.0%} / yellow {BUDGET['yellow']:.0%}, "
            f"{len(made)} rules, watch list {WATCHLIST}"
        )

    def model(report: Report) -> str:
        from smartcustoms.risk import registry, training

        active = registry.active_info(uow(), economy)
        if active is not None:
            return f"{active.version} active"
        trees = DEMO_TREES["sample" if traffic.is_sample else "full"]
        info = training.train_from_database(
            uow(),
            system,
            files_dir,
            params={"n_estimators": trees, "random_state": 0},
            activate=True,
            step=lambda what: report(what, 0, 0),
        )
        return f"{info.version} trained on {info.training_rows} declarations and activated"

    def replay(path: Path, since: date, what: str) -> Callable[[Report], str]:
        def run(report: Report) -> str:
            if _count(uow, economy, since) > 0:
                return "already replayed"
            done = importing.import_file(
                uow(), system, path, "kcs-cdd", economy=economy, assess=True, progress=report
            )
            lanes = ", ".join(f"{n} {lane}" for lane, n in done.lanes.items())
            return f"{done.stored} {what} ({lanes}); {done.inspections} inspected"

        return run

    out = [
        Step(f"{economy} tariff schedule", schedule),
        Step(f"{economy} history", history),
        Step(f"{economy} budget and rules", risk_setup),
    ]
    if economy == "KR":
        out.append(Step(f"{economy} risk model", model))
    out += [
        Step(
            f"{economy} recent traffic",
            replay(traffic.recent, traffic.recent_from, "declarations replayed"),
        ),
        Step(
            f"{economy} arriving now",
            replay(traffic.arriving, traffic.arriving_from, "declarations waiting"),
        ),
    ]
    return out


def demonstration_schedule(economy: str) -> tuple[ScheduleSettings, list[TariffLine]]:
    """A small schedule of the economy's own, clearly labelled as a demonstration: a free
    port's (duty-free but for a few dutiable goods), GST on top."""
    settings = ScheduleSettings(
        economy=economy,
        vat_rate=Decimal(9),
        de_minimis_amount=Decimal(400),
        de_minimis_currency="SGD" if economy == "SG" else "USD",
        default_rate_type="MFN",
        source=f"DEMONSTRATION schedule for {economy}: duty-free but for a few dutiable "
        "goods, GST 9 %; not the published tariff",
    )
    chapters = [f"{c:02d}" for c in range(1, 98) if c != 77]
    lines = [TariffLine(ch, "MFN", Decimal(0)) for ch in chapters]
    lines += [
        TariffLine("2203", "MFN", Decimal(20), description="beer (demonstration rate)"),
        TariffLine("8703", "MFN", Decimal(20), description="motor cars (demonstration rate)"),
        TariffLine("8507", "MFN", Decimal(5), description="batteries (demonstration rate)"),
    ]
    return settings, lines


def _count(
    uow: Callable[[], UnitOfWork], economy: str, since: date | None, until: date | None = None
) -> int:
    principal = declarations.system_principal(economy, "demo")
    page = declarations.list_declarations(
        uow(), principal, ListFilters(date_from=since, date_to=until), PageRequest(1, 1)
    )
    return page.total
