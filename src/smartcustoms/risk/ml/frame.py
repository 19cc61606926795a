"""The declaration frame: canonical column names and readers for known file profiles.

Everything in :mod:`smartcustoms.risk` consumes a frame with the canonical names below, whatever
its source (a kcs-cdd CSV today, the declarations database later). Readers normalise types once so
that features hash identically whichever way the frame was built.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from smartcustoms.errors import FieldError, InvalidInput

DECLARATION_ID = "declaration_id"
DATE = "date"
FRAUD = "fraud"
CRITICAL_FRAUD = "critical_fraud"

#: Identifier-like columns, kept as strings ("" when missing).
STRING_COLUMNS: tuple[str, ...] = (
    "office",
    "process_type",
    "import_type",
    "import_use",
    "payment_type",
    "transport_mode",
    "declarant_id",
    "importer_id",
    "seller_id",
    "courier_id",
    "hs_code",
    "departure_country",
    "origin_country",
    "tax_type",
    "origin_indicator",
)
#: Measured quantities, float64 (NaN when missing).
NUMERIC_COLUMNS: tuple[str, ...] = ("tax_rate", "net_mass_kg", "item_value")
NUMERIC_DECIMALS = 4
LABEL_COLUMNS: tuple[str, ...] = (FRAUD, CRITICAL_FRAUD)

CANONICAL_COLUMNS: tuple[str, ...] = (
    DECLARATION_ID,
    DATE,
    *STRING_COLUMNS,
    *NUMERIC_COLUMNS,
    *LABEL_COLUMNS,
)
#: Columns a frame must have to be scored (labels are only needed for training/evaluation).
REQUIRED_COLUMNS: tuple[str, ...] = (DECLARATION_ID, DATE, *STRING_COLUMNS, *NUMERIC_COLUMNS)

#: ``critical_fraud`` codes: 0 no fraud, 1 fraud, 2 critical fraud (kcs-cdd convention).
CRITICAL_CODE = 2

KCS_CDD_COLUMNS: dict[str, str] = {
    "Declaration ID": DECLARATION_ID,
    "Date": DATE,
    "Office ID": "office",
    "Process Type": "process_type",
    "Import Type": "import_type",
    "Import Use": "import_use",
    "Payment Type": "payment_type",
    "Mode of Transport": "transport_mode",
    "Declarant ID": "declarant_id",
    "Importer ID": "importer_id",
    "Seller ID": "seller_id",
    "Courier ID": "courier_id",
    "HS6 Code": "hs_code",
    "Country of Departure": "departure_country",
    "Country of Origin": "origin_country",
    "Tax Rate": "tax_rate",
    "Tax Type": "tax_type",
    "Country of Origin Indicator": "origin_indicator",
    "Net Mass": "net_mass_kg",
    "Item Price": "item_value",
    "Fraud": FRAUD,
    "Critical Fraud": CRITICAL_FRAUD,
}

PROFILES: dict[str, dict[str, str]] = {"kcs-cdd": KCS_CDD_COLUMNS}


def _invalid(path: str, code: str, message: str) -> InvalidInput:
    return InvalidInput.single(path, code, message)


def normalize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` with canonical dtypes, sorted by date (stable).

    Raises :class:`InvalidInput` listing every missing column at once.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise InvalidInput(
            [FieldError(c, "missing", f"column {c!r} is required") for c in missing],
            f"missing column(s): {', '.join(missing)}",
        )
    out = pd.DataFrame(index=range(len(frame)))
    out[DECLARATION_ID] = frame[DECLARATION_ID].astype(str).to_numpy()
    dates = pd.to_datetime(frame[DATE], errors="coerce").to_numpy(dtype="datetime64[ns]")
    if np.isnat(dates).any():
        raise _invalid(DATE, "invalid", "some dates could not be parsed")
    out[DATE] = dates.astype("datetime64[D]").astype("datetime64[ns]")
    for col in STRING_COLUMNS:
        out[col] = _as_codes(frame[col])
    # HS codes lose their leading zero in CSVs read as integers (070320 -> 70320).
    out["hs_code"] = np.array(
        [h.zfill(6) if h.isdigit() and len(h) < 6 else h for h in out["hs_code"]], dtype=object
    )
    for col in NUMERIC_COLUMNS:
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=np.float64)
        # The database keeps 4 decimals (and CSVs carry float noise like 241.58000000000004):
        # rounding here makes a file-read and a database-read frame hash identically.
        out[col] = np.round(values, NUMERIC_DECIMALS)
    for col in LABEL_COLUMNS:
        if col in frame.columns:
            out[col] = pd.to_numeric(frame[col], errors="coerce").fillna(0).astype(np.int64)
    order = np.argsort(out[DATE].to_numpy(), kind="stable")
    return out.iloc[order].reset_index(drop=True)


def normalize_records(records: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """:func:`normalize_frame` of ``pandas.DataFrame(records)`` as numpy columns by name, built
    without pandas when the records are plain (text columns ``str`` or None, numbers ``int`` /
    ``float`` or None, dates ``numpy.datetime64`` or ``date``, no labels), as
    :func:`smartcustoms.risk.source.declaration_records` makes them: for one declaration the
    frame costs more than scoring it. Other records go through :func:`normalize_frame`; the
    values are the same either way."""
    columns = _plain_columns(records) if records else None
    if columns is None:
        frame = normalize_frame(pd.DataFrame(list(records)))
        return {c: frame[c].to_numpy() for c in frame.columns}
    dates = np.array([np.datetime64(d, "D") for d in columns[DATE]], dtype="datetime64[D]")
    if np.isnat(dates).any():
        raise _invalid(DATE, "invalid", "some dates could not be parsed")
    out: dict[str, np.ndarray] = {
        DECLARATION_ID: np.array(columns[DECLARATION_ID], dtype=object),
        DATE: dates.astype("datetime64[ns]"),
    }
    for col in STRING_COLUMNS:
        values = columns[col]
        if None in values:
            out[col] = np.array(["" if v is None else v.strip() for v in values], dtype=object)
        else:
            out[col] = np.array(list(map(str.strip, values)), dtype=object)
    out["hs_code"] = np.array(
        [h.zfill(6) if h.isdigit() and len(h) < 6 else h for h in out["hs_code"]], dtype=object
    )
    for col in NUMERIC_COLUMNS:
        values = columns[col]
        if None in values:
            values = tuple(np.nan if v is None else v for v in values)
        out[col] = np.round(np.array(values, dtype=np.float64), NUMERIC_DECIMALS)
    order = np.argsort(out[DATE], kind="stable")
    return {c: v[order] for c, v in out.items()}


_REQUIRED = frozenset(REQUIRED_COLUMNS)
_LABELS = frozenset(LABEL_COLUMNS)
_TEXT = frozenset({str, type(None)})


def _number_type(kind: type) -> bool:
    return kind is type(None) or (not issubclass(kind, bool) and issubclass(kind, int | float))


def _plain_columns(records: Sequence[Mapping[str, Any]]) -> dict[str, tuple[Any, ...]] | None:
    """The required columns of ``records`` as tuples by name when every record is plain
    (see :func:`normalize_records`), else None. Checked by column: the set of types a column
    holds, not each value in turn."""
    if not all(map(_REQUIRED.issubset, records)) or not all(map(_LABELS.isdisjoint, records)):
        return None
    names = REQUIRED_COLUMNS
    by_column = zip(*map(operator.itemgetter(*names), records), strict=True)
    columns = dict(zip(names, by_column, strict=True))
    if set(map(type, columns[DECLARATION_ID])) != {str}:
        return None
    if not all(k is date or issubclass(k, np.datetime64) for k in set(map(type, columns[DATE]))):
        return None
    for col in STRING_COLUMNS:
        if not _TEXT.issuperset(map(type, columns[col])):
            return None
    for col in NUMERIC_COLUMNS:
        if not all(map(_number_type, set(map(type, columns[col])))):
            return None
    return columns


def _as_codes(column: pd.Series) -> np.ndarray:
    """Identifier column as an object array of stripped strings, "" when missing."""
    if pd.api.types.is_float_dtype(column.dtype):
        # 11.0 and 11 must be the same code whether the column was parsed as int or float.
        values = column.to_numpy(dtype=np.float64)
        whole = np.isfinite(values) & (values == np.round(values))
        text = column.astype(str).to_numpy(dtype=object)
        text[whole] = values[whole].astype(np.int64).astype(str)
        text[~np.isfinite(values)] = ""
        return text
    filled = column.astype(object).where(column.notna(), "")
    return filled.astype(str).str.strip().to_numpy(dtype=object)


def read_frame(path: str | Path, profile: str = "kcs-cdd") -> pd.DataFrame:
    """Read a declaration file of a known ``profile`` into a canonical declaration frame."""
    if profile not in PROFILES:
        known = ", ".join(sorted(PROFILES))
        raise _invalid("profile", "unknown", f"unknown profile {profile!r} (known: {known})")
    source = Path(path)
    if not source.is_file():
        raise _invalid("path", "not_found", f"no such file: {source}")
    raw = pd.read_csv(source, dtype=str, keep_default_na=True)
    mapping = PROFILES[profile]
    missing = [c for c in mapping if c not in raw.columns and mapping[c] not in LABEL_COLUMNS]
    if missing:
        raise InvalidInput(
            [
                FieldError(c, "missing", f"column {c!r} missing for profile {profile}")
                for c in missing
            ],
            f"{source.name}: missing column(s) {', '.join(missing)}",
        )
    return normalize_frame(raw.rename(columns=mapping))


def critical_target(frame: pd.DataFrame) -> np.ndarray:
    """1 where the declaration is a critical fraud, else 0."""
    target: np.ndarray = (frame[CRITICAL_FRAUD].to_numpy() == CRITICAL_CODE).astype(np.int64)
    return target


def has_labels(frame: pd.DataFrame) -> bool:
    return all(c in frame.columns for c in LABEL_COLUMNS)


def frame_fingerprint(frame: pd.DataFrame) -> str:
    """sha256 over the canonical columns' values, independent of the source file's layout."""
    columns = [c for c in CANONICAL_COLUMNS if c in frame.columns]
    row_hashes = pd.util.hash_pandas_object(frame[columns], index=False).to_numpy()
    digest = hashlib.sha256(row_hashes.tobytes())
    digest.update(",".join(columns).encode())
    return digest.hexdigest()
