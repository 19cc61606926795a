"""Built classifiers on disk: ``<home>/models/classify/<version>/`` holds ``engine.joblib``
(the fitted :class:`~.engine.HsClassifier`), ``nomenclature.json`` and ``metadata.json``
(version, data fingerprint, files read, parameters, evaluation metrics, calibration).
``CURRENT`` in the root names the version in use (the latest build)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib

from smartcustoms.classify.data import Nomenclature
from smartcustoms.classify.engine import HsClassifier
from smartcustoms.classify.evaluation import Calibration
from smartcustoms.classify.suggester import Suggester
from smartcustoms.errors import NotFound

__all__ = ["ModelStore"]

ENGINE, NOMENCLATURE, METADATA, CURRENT = (
    "engine.joblib",
    "nomenclature.json",
    "metadata.json",
    "CURRENT",
)


@dataclass(frozen=True, slots=True)
class ModelStore:
    root: Path

    @classmethod
    def under(cls, home: Path) -> ModelStore:
        return cls(Path(home) / "models" / "classify")

    def save(
        self,
        engine: HsClassifier,
        calibration: Calibration,
        nomenclature: Nomenclature,
        metadata: dict[str, Any],
    ) -> Path:
        version = str(metadata["version"])
        directory = self.root / version
        directory.mkdir(parents=True, exist_ok=True)
        joblib.dump(engine, directory / ENGINE)
        (directory / NOMENCLATURE).write_text(
            json.dumps({"codes": nomenclature.codes, "sections": nomenclature.sections})
        )
        meta = metadata | {"calibration": calibration.to_dict()}
        (directory / METADATA).write_text(json.dumps(meta, indent=2, sort_keys=True))
        tmp = self.root / f".{CURRENT}.{os.getpid()}"
        tmp.write_text(version)
        tmp.replace(self.root / CURRENT)  # atomic: readers never see a half-written pointer
        return directory

    def current(self) -> str | None:
        pointer = self.root / CURRENT
        if not pointer.is_file():
            return None
        version = pointer.read_text().strip()
        return version if (self.root / version / METADATA).is_file() else None

    def versions(self) -> list[dict[str, Any]]:
        if not self.root.is_dir():
            return []
        found = [read_metadata(d) for d in sorted(self.root.iterdir()) if (d / METADATA).is_file()]
        for meta in found:
            meta.pop("calibration", None)
        return found

    def load(self, version: str | None = None) -> Suggester:
        version = version or self.current()
        if version is None:
            raise NotFound("no HS classifier has been built yet: run 'smartcustoms classify build'")
        directory = self.root / version
        if not (directory / ENGINE).is_file():
            raise NotFound(f"no HS classifier version {version} under {self.root}")
        meta = read_metadata(directory)
        engine = joblib.load(directory / ENGINE)
        raw = json.loads((directory / NOMENCLATURE).read_text())
        nomenclature = Nomenclature(
            {k: (v[0], v[1]) for k, v in raw["codes"].items()}, dict(raw["sections"])
        )
        return Suggester(engine, Calibration.from_dict(meta["calibration"]), nomenclature, meta)

    def try_load(self) -> Suggester | None:
        """The current classifier, or None when none was built (callers then skip checks)."""
        try:
            return self.load()
        except NotFound:
            return None


def read_metadata(directory: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((Path(directory) / METADATA).read_text())
    return data
