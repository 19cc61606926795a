"""Read a file through a mapping profile into declaration documents, without storing anything.

:func:`read_records` gives one :class:`MappedRow` per data row (document + inspection labels);
:func:`frame_records` flattens them into the canonical columns of the risk model's declaration
frame (``smartcustoms.risk.ml.frame``), so the risk team can read any profiled file directly.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from smartcustoms.declarations.intake.profiles import FieldSpec, Profile, load_profile
from smartcustoms.errors import FieldError, InvalidInput

_SEGMENT_INDEX = "["


@dataclass(frozen=True, slots=True)
class MappedRow:
    row: int
    """Line number in the file (the header is line 1)."""
    document: dict[str, Any]
    fraud: bool | None = None
    critical: bool | None = None
    critical_code: str | None = None
    problems: list[FieldError] = field(default_factory=list)
    """Mapping problems (e.g. a code missing from a code list), paths as in the document."""


@cache
def _segments(target: str) -> tuple[tuple[str, int | None], ...]:
    out: list[tuple[str, int | None]] = []
    for part in target.split("."):
        if _SEGMENT_INDEX in part:
            name, rest = part.split("[", 1)
            out.append((name, int(rest.rstrip("]"))))
        else:
            out.append((part, None))
    return tuple(out)


class Mapper:
    """:func:`map_row` with the profile's fields prepared once (kind, column, code list,
    target segments): a bulk file maps every row through one."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self._fields = [
            (
                spec,
                spec.columns() if spec.template is not None else [],
                spec.column or "",
                _top_level(_segments(spec.target)),
                _segments(spec.target),
            )
            for spec in profile.fields
        ]
        self._fraud = profile.fraud
        self._critical = profile.critical

    def __call__(self, row: dict[str, str], line: int) -> MappedRow:
        doc: dict[str, Any] = {}
        problems: list[FieldError] = []
        get = row.get
        for spec, template_columns, column, top, segments in self._fields:
            # The same order of precedence as the profile's field kinds: value, template,
            # column (optionally padded, then looked up in its code list).
            if spec.value is not None:
                value = spec.value
            elif spec.template is not None:
                value = spec.template
                for name in template_columns:
                    value = value.replace("{" + name + "}", (get(name) or "").strip())
            else:
                value = (get(column) or "").strip()
                if not value:
                    continue
                if spec.pad and value.isdigit():
                    value = value.zfill(spec.pad)
                if spec.codes:
                    table = self.profile.codes[spec.codes]
                    if value not in table:
                        problems.append(_unknown_code(self.profile, spec, value))
                        continue
                    value = table[value]
            if not value:
                continue
            if top is not None:
                doc[top] = value
            else:
                _set_segments(doc, segments, value)
        return MappedRow(line, doc, *self.labels(row), problems)

    def labels(self, row: dict[str, str]) -> tuple[bool | None, bool | None, str | None]:
        """The row's inspection labels: fraud, critical and the critical code."""
        fraud = critical = None
        code = None
        # An empty label cell means "not inspected (yet)": no inspection result is recorded.
        fraud_spec = self._fraud
        label = (row.get(fraud_spec.column) or "").strip() if fraud_spec is not None else ""
        if fraud_spec is not None and label:
            fraud = label in fraud_spec.true_values
            if self._critical is not None:
                code = (row.get(self._critical.column) or "").strip()
                critical = code in self._critical.true_values
        return fraud, critical, code


def _top_level(segments: tuple[tuple[str, int | None], ...]) -> str | None:
    """The key when the target is a top-level field (set directly), else None."""
    return segments[0][0] if len(segments) == 1 and segments[0][1] is None else None


def _set_segments(
    doc: dict[str, Any], segments: tuple[tuple[str, int | None], ...], value: str
) -> None:
    node: Any = doc
    last = len(segments) - 1
    for n, (name, index) in enumerate(segments):
        if index is None:
            if n == last:
                node[name] = value
            else:
                node = node.setdefault(name, {})
            continue
        seq = node.setdefault(name, [])
        while len(seq) <= index:
            seq.append({})
        if n == last:
            seq[index] = value
        else:
            node = seq[index]


def _unknown_code(profile: Profile, spec: FieldSpec, raw: str) -> FieldError:
    return FieldError(
        spec.target,
        "unknown_code",
        f"'{raw}' is not in the {spec.codes} code list of the {profile.name} profile",
    )


def map_row(profile: Profile, row: dict[str, str], line: int) -> MappedRow:
    """One row of a file in ``profile``'s format as a declaration document (see
    :class:`Mapper` to map many)."""
    return Mapper(profile)(row, line)


def open_rows(path: Path, profile: Profile) -> tuple[csv.DictReader[str], Any]:
    if not path.is_file():
        raise InvalidInput.single("file", "not_found", f"no such file: {path}")
    handle = path.open(newline="", encoding="utf-8-sig")
    reader = csv.DictReader(handle)
    header = set(reader.fieldnames or [])
    missing = [c for c in profile.required_columns() if c not in header]
    if missing:
        handle.close()
        raise InvalidInput(
            [
                FieldError(
                    "header", "missing_column", f"column '{c}' is missing (profile {profile.name})"
                )
                for c in missing
            ]
        )
    return reader, handle


def read_records(
    path: str | Path, profile: str | Path | Profile = "kcs-cdd"
) -> Iterator[MappedRow]:
    """Every data row of ``path`` mapped to a declaration document; nothing is validated or
    stored (see :func:`smartcustoms.declarations.intake.importing.import_file` for that)."""
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    reader, handle = open_rows(Path(path), prof)
    mapper = Mapper(prof)
    with handle:
        for line, row in enumerate(reader, start=2):
            yield mapper(row, line)


def flat_record(m: MappedRow) -> dict[str, Any]:
    """One mapped row in the risk frame's canonical columns (first item only)."""
    d = m.document
    item = (d.get("items") or [{}])[0]
    national = d.get("national") or {}
    return {
        "declaration_id": national.get("source_id") or d.get("reference", ""),
        "date": d.get("date", ""),
        "office": d.get("office", ""),
        "process_type": national.get("process_type", ""),
        "import_type": national.get("import_type", ""),
        "import_use": national.get("import_use", ""),
        "payment_type": national.get("payment_type", ""),
        "transport_mode": national.get("transport_mode_code", d.get("transport_mode", "")),
        "declarant_id": (d.get("declarant") or {}).get("id", ""),
        "importer_id": (d.get("importer") or {}).get("id", ""),
        "seller_id": (d.get("seller") or {}).get("id", ""),
        "courier_id": (d.get("courier") or {}).get("id", ""),
        "hs_code": item.get("hs_code", ""),
        "departure_country": d.get("departure_country", ""),
        "origin_country": item.get("origin_country", ""),
        "tax_rate": item.get("declared_duty_rate", ""),
        "tax_type": item.get("preference", ""),
        "origin_indicator": item.get("origin_indicator", ""),
        "net_mass_kg": item.get("net_mass_kg", ""),
        "item_value": item.get("invoice_value", ""),
        "fraud": None if m.fraud is None else int(m.fraud),
        "critical_fraud": None if m.fraud is None else (2 if m.critical else (1 if m.fraud else 0)),
    }


def frame_records(
    path: str | Path, profile: str | Path | Profile = "kcs-cdd"
) -> list[dict[str, Any]]:
    """Rows of ``path`` as flat records with the risk frame's column names (not stored):
    ``pandas.DataFrame(frame_records(p))`` can go straight into ``risk.frame.normalize_frame``.
    """
    return [flat_record(m) for m in read_records(path, profile)]
