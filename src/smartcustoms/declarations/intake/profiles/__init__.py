"""Mapping profiles: YAML files that map a national file format onto the declaration format.

A profile is looked up by name among the files shipped here (``kcs-cdd``) or given as a path
to a YAML file. See docs/declarations.md, "Mapping profiles", for the format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from smartcustoms.declarations.intake.reader import Policy
from smartcustoms.errors import FieldError, InvalidInput

HERE = Path(__file__).parent
_PATH = re.compile(r"^[a-z_]+(\[\d+\])?(\.[a-z_]+)*(\[\d+\])?(\.[a-z_]+)?$")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    target: str
    column: str | None = None
    value: str | None = None
    template: str | None = None
    codes: str | None = None
    pad: int | None = None

    def columns(self) -> list[str]:
        if self.column:
            return [self.column]
        return _PLACEHOLDER.findall(self.template or "")


@dataclass(frozen=True, slots=True)
class LabelSpec:
    column: str
    true_values: frozenset[str]


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    title: str
    economy: str | None
    fields: tuple[FieldSpec, ...]
    codes: dict[str, dict[str, str]]
    policy: Policy
    fraud: LabelSpec | None = None
    critical: LabelSpec | None = None
    lane: str = "red"
    source: str = ""
    column_of: dict[str, str] = field(default_factory=dict)
    """Target path -> the source column it comes from (to name columns in error reports)."""

    def required_columns(self) -> list[str]:
        cols = [c for f in self.fields for c in f.columns()]
        cols += [s.column for s in (self.fraud, self.critical) if s is not None]
        return list(dict.fromkeys(cols))

    @property
    def has_labels(self) -> bool:
        return self.fraud is not None


def available() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.yaml"))


def load_profile(name_or_path: str | Path) -> Profile:
    """A shipped profile by name, or a YAML file by path; every problem reported at once."""
    path = Path(name_or_path)
    if not path.suffix:
        path = HERE / f"{name_or_path}.yaml"
    if not path.is_file():
        raise InvalidInput.single(
            "profile",
            "unknown_profile",
            f"no profile '{name_or_path}' (shipped: "
            f"{', '.join(available())}; or give a path to a YAML file)",
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InvalidInput.single("profile", "invalid_yaml", f"{path.name}: {exc}") from exc
    return parse_profile(raw, source=str(path))


def parse_profile(raw: Any, source: str = "") -> Profile:
    errors: list[FieldError] = []
    if not isinstance(raw, dict):
        raise InvalidInput.single("profile", "not_a_mapping", "a profile is a YAML mapping")
    codes = raw.get("codes") or {}
    if not isinstance(codes, dict) or not all(isinstance(v, dict) for v in codes.values()):
        errors.append(FieldError("codes", "invalid", "codes maps list names to {code: value}"))
        codes = {}
    specs = []
    for target, spec in (raw.get("fields") or {}).items():
        path = f"fields.{target}"
        if not isinstance(spec, dict) or not _PATH.match(str(target)):
            errors.append(
                FieldError(
                    path, "invalid", "a field is a JSON path mapped to {column|value|template: ...}"
                )
            )
            continue
        kinds = [k for k in ("column", "value", "template") if k in spec]
        if len(kinds) != 1:
            errors.append(
                FieldError(path, "invalid", "give exactly one of column, value, template")
            )
            continue
        if spec.get("codes") and spec["codes"] not in codes:
            errors.append(
                FieldError(
                    f"{path}.codes",
                    "unknown_code_list",
                    f"no code list '{spec['codes']}' under codes",
                )
            )
            continue
        specs.append(
            FieldSpec(
                target=str(target),
                column=_s(spec.get("column")),
                value=_s(spec.get("value")),
                template=_s(spec.get("template")),
                codes=_s(spec.get("codes")),
                pad=int(spec["pad"]) if spec.get("pad") else None,
            )
        )
    if not specs:
        errors.append(FieldError("fields", "required", "a profile maps at least one field"))
    inspection = raw.get("inspection") or {}
    fraud = _label(inspection.get("fraud"), "inspection.fraud", errors)
    critical = _label(inspection.get("critical"), "inspection.critical", errors)
    policy_raw = raw.get("policy") or {}
    unknown = set(policy_raw) - {"allow_zero_mass", "allow_zero_value", "allow_unknown_country"}
    for key in sorted(unknown):
        errors.append(FieldError(f"policy.{key}", "unknown_setting", f"no policy '{key}'"))
    if errors:
        raise InvalidInput(errors)
    return Profile(
        name=str(raw.get("name") or Path(source).stem),
        title=str(raw.get("title") or ""),
        economy=_s(raw.get("economy")),
        fields=tuple(specs),
        codes={k: {str(a): str(b) for a, b in v.items()} for k, v in codes.items()},
        policy=Policy(**{k: bool(v) for k, v in policy_raw.items()}),
        fraud=fraud,
        critical=critical,
        lane=str(inspection.get("lane") or "red"),
        source=source,
        column_of={s.target: s.column for s in specs if s.column},
    )


def _s(value: Any) -> str | None:
    return None if value is None else str(value)


def _label(raw: Any, path: str, errors: list[FieldError]) -> LabelSpec | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw.get("column"):
        errors.append(FieldError(path, "invalid", "a label is {column: NAME, true_values: [..]}"))
        return None
    values = raw.get("true_values") or ["1"]
    return LabelSpec(str(raw["column"]), frozenset(str(v) for v in values))
