"""Retraining as a background job: one run per economy at a time, its steps as they happen.

The jobs of one application live in its container (:class:`RetrainJobs`, built by the
composition root) and in this process only: with several web workers, a job's page is found on
the worker that started it (docs/deployment.md). Each run is :func:`.training.retrain` on its
own unit of work, so it commits (or not) exactly as the CLI's ``risk retrain`` does.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from smartcustoms.accounts.model import Principal
from smartcustoms.core.ids import new_id
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import Conflict, SmartCustomsError
from smartcustoms.risk.model import RetrainResult

__all__ = ["RetrainJob", "RetrainJobs"]

log = logging.getLogger(__name__)


@dataclass
class RetrainJob:
    """One retraining run in this process: its steps as they happen, then the comparison."""

    id: str
    economy: str
    user_id: str
    status: str = "running"  # running | done | failed
    steps: list[str] = field(default_factory=list)
    result: RetrainResult | None = None
    error: str = ""


class RetrainJobs:
    """The retraining runs of one application, each on its own thread."""

    def __init__(self) -> None:
        self._jobs: dict[str, RetrainJob] = {}
        self._lock = threading.Lock()

    def start(
        self,
        new_uow: Callable[[], UnitOfWork],
        principal: Principal,
        files_dir: Path,
        *,
        holdout: float,
        force: bool,
    ) -> RetrainJob:
        """Start retraining ``principal``'s economy; Conflict while one is running there."""
        with self._lock:  # check and register together: two clicks start one run
            if any(
                j.status == "running" and j.economy == principal.economy
                for j in self._jobs.values()
            ):
                raise Conflict("a retraining of this economy's model is already running")
            job = RetrainJob(new_id(), principal.economy, principal.user_id)
            self._jobs[job.id] = job

        def work() -> None:
            # Imported here: the container (built at every CLI start-up) holds this class, and
            # training brings pandas and LightGBM.
            from smartcustoms.risk import training

            try:
                job.result = training.retrain(
                    new_uow(),
                    principal,
                    files_dir,
                    holdout=holdout,
                    force=force,
                    step=job.steps.append,
                )
                job.status = "done"
            except SmartCustomsError as exc:
                job.error, job.status = exc.message, "failed"
            except Exception:  # the job page says it failed; the log has the details
                log.exception("retraining %s failed", job.id)
                job.error, job.status = "retraining failed; see the server log", "failed"

        threading.Thread(target=work, name=f"retrain-{job.id}", daemon=True).start()
        return job

    def add(self, job: RetrainJob) -> None:
        """Register a finished job (tests, and jobs recorded elsewhere)."""
        with self._lock:
            self._jobs.setdefault(job.id, job)

    def get(self, economy: str, job_id: str) -> RetrainJob | None:
        """The job, if it belongs to ``economy`` (another economy's id is not found)."""
        job = self._jobs.get(job_id)
        return job if job is not None and job.economy == economy else None

    def recent(self, economy: str, n: int = 5) -> list[RetrainJob]:
        return [j for j in self._jobs.values() if j.economy == economy][-n:]
