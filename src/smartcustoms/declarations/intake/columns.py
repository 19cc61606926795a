"""The columnar read of a bulk file: a chunk of CSV rows mapped and validated field by field.

The per-row path maps each row to a document (:class:`.mapping.Mapper`) and reads it back
(:func:`.validation.read_document`): one object tree and a few hundred calls per row. A
profile maps every row onto the same few paths, so a chunk can be handled as columns: each
field's cells mapped at once (value, template, column with pad and code list), parsed once per
distinct text (dates, countries, codes, numbers), and every rule of ``read_document`` applied
as a predicate over the columns. A row that passes every predicate is built straight into its
:class:`~smartcustoms.declarations.model.Declaration` (with its warnings); a row that fails
any predicate is *not* reported here: the caller reads it again through the per-row path, so
its report is exactly the per-row one. The predicates only decide who is clean; the per-row
path stays the single source of error messages.

What is handled: top-level scalar fields, the parties' id/name/country, ``national.*`` and the
fields of ``items[0]`` (one item per row, as in every shipped profile). A profile that maps
anything else (a second item, an unknown field, an object as a whole) gets no column reader
(:meth:`ColumnReader.build` returns None) and its file takes the per-row path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from smartcustoms.core.codes import is_country, is_currency
from smartcustoms.declarations.intake.mapping import _segments
from smartcustoms.declarations.intake.profiles import FieldSpec, Profile
from smartcustoms.declarations.intake.reader import MAX_DECIMAL, Policy
from smartcustoms.declarations.intake.validation import (
    _KIND_OF,
    _REFERENCE,
    _TRANSPORT_MODE_OF,
    ARRIVAL_AFTER,
    ARRIVAL_BEFORE,
    EARLIEST_DATE,
    HS_CHAPTERS,
    ITEM_FIELDS,
    MAX_NATIONAL,
    normalise_hs,
)
from smartcustoms.declarations.model import (
    INCOTERMS,
    UNKNOWN_COUNTRY,
    Declaration,
    Item,
    Kind,
    Party,
    TransportMode,
)
from smartcustoms.errors import FieldError

__all__ = ["ColumnReader", "Read"]

Row = dict[str, Any]
Column = list[str | None]
"""One field's mapped value per row; None where the row leaves it out (an empty cell)."""

_SCALARS = frozenset(
    {
        "reference",
        "kind",
        "date",
        "office",
        "transport_mode",
        "invoice_currency",
        "incoterm",
        "freight",
        "insurance",
        "departure_country",
        "destination_country",
        "arrival_date",
        "departure_date",
    }
)
_ROLES = ("declarant", "importer", "exporter", "seller", "buyer", "courier")
_PARTY_FIELDS = frozenset({"id", "name", "country"})
_INVALID = object()
"""A parse that failed (the row is not clean)."""


@dataclass(frozen=True, slots=True)
class Read:
    """A clean row: its declaration and the warnings ``read_document`` gives it."""

    decl: Declaration
    warnings: list[FieldError]


class ColumnReader:
    """The columnar read of one profile's rows, for one economy and day (see the module
    docstring). :meth:`read` gives, per row, a :class:`Read` or None (read it per row)."""

    def __init__(
        self,
        profile: Profile,
        *,
        economy: str,
        today: date,
        policy: Policy,
        header: dict[str, FieldSpec],
        parties: dict[str, dict[str, FieldSpec]],
        national: list[tuple[str, FieldSpec]],
        item: dict[str, FieldSpec],
    ) -> None:
        self.profile = profile
        self.economy = economy
        self.today = today
        self.policy = policy
        self._header = header
        self._parties = parties
        self._national = national
        self._item = item

    @classmethod
    def build(
        cls, profile: Profile, *, economy: str, today: date, policy: Policy
    ) -> ColumnReader | None:
        """The reader of ``profile``, or None when it maps a path this reader does not handle."""
        header: dict[str, FieldSpec] = {}
        parties: dict[str, dict[str, FieldSpec]] = {}
        national: list[tuple[str, FieldSpec]] = []
        item: dict[str, FieldSpec] = {}
        for spec in profile.fields:
            segs = _segments(spec.target)
            if len(segs) == 1 and segs[0][1] is None and segs[0][0] in _SCALARS:
                header[segs[0][0]] = spec
            elif len(segs) != 2 or segs[1][1] is not None:
                return None
            elif segs[0] == ("items", 0) and segs[1][0] in ITEM_FIELDS:
                item[segs[1][0]] = spec
            elif segs[0][1] is not None:
                return None
            elif segs[0][0] in _ROLES and segs[1][0] in _PARTY_FIELDS:
                parties.setdefault(segs[0][0], {})[segs[1][0]] = spec
            elif segs[0][0] == "national" and len(segs[1][0]) <= 40:
                national.append((segs[1][0], spec))
            else:
                return None
        if len(national) > MAX_NATIONAL:
            return None
        # Within these paths a document is 3 levels deep with at most 21 + 100 keys and one
        # item: far inside the shape limits, which therefore never apply.
        return cls(
            profile,
            economy=economy,
            today=today,
            policy=policy,
            header=header,
            parties=parties,
            national=national,
            item=item,
        )

    # --- mapping: one field's cells at once, as Mapper does per row -------------------------

    def _mapped(self, spec: FieldSpec | None, rows: Sequence[Row], bad: set[int]) -> Column:
        n = len(rows)
        if spec is None:
            return [None] * n
        if spec.value is not None:
            return [spec.value or None] * n
        if spec.template is not None:
            values = [spec.template] * n
            for name in spec.columns():
                key = "{" + name + "}"
                values = [
                    v.replace(key, (r.get(name) or "").strip())
                    for v, r in zip(values, rows, strict=True)
                ]
            return [v or None for v in values]
        column = spec.column or ""
        cells = [(r.get(column) or "").strip() for r in rows]
        if spec.pad:
            pad = spec.pad
            cells = [c.zfill(pad) if c.isdigit() else c for c in cells]
        if spec.codes:
            table = self.profile.codes[spec.codes]
            out: Column = []
            for i, c in enumerate(cells):
                if not c:
                    out.append(None)
                elif c in table:
                    out.append(table[c] or None)
                else:
                    bad.add(i)  # a mapping problem (unknown_code)
                    out.append(None)
            return out
        return [c or None for c in cells]

    # --- the chunk ----------------------------------------------------------------------------

    def read(self, rows: Sequence[Row]) -> list[Read | None]:
        """Per row of ``rows`` (CSV rows as ``csv.DictReader`` gives them), its clean read or
        None when any rule of the per-row read (or the mapping) would report a problem."""
        bad: set[int] = set()
        h = self._header
        n = len(rows)

        def mapped(spec: FieldSpec | None) -> Column:
            return self._mapped(spec, rows, bad)

        policy = self.policy
        kind = _choice(mapped(h.get("kind")), bad, _kind)
        reference = _text(mapped(h.get("reference")), bad, True, 64)
        for i, ref in enumerate(reference):
            if ref is not None and not _REFERENCE.match(ref):
                bad.add(i)
        lodged = _days(mapped(h.get("date")), bad)
        today = self.today
        for i, day in enumerate(lodged):
            if day is not None and (day > today or day < EARLIEST_DATE):
                bad.add(i)
        office = _text(mapped(h.get("office")), bad, True, 20)
        mode = _choice(mapped(h.get("transport_mode")), bad, _transport_mode)
        currency = _parsed(
            _text(mapped(h.get("invoice_currency")), bad, True, 3),
            bad,
            lambda c: c.upper() if is_currency(c) else _INVALID,
        )
        incoterm = _choice(mapped(h.get("incoterm")), bad, _incoterm)
        freight = _numbers(mapped(h.get("freight")), bad, False, False, False)
        insurance = _numbers(mapped(h.get("insurance")), bad, False, False, False)
        parties: dict[str, list[Party | None]] = {}
        for role in _ROLES:
            specs = self._parties.get(role)
            if specs is None:
                parties[role] = [None] * n
                continue
            ids = mapped(specs.get("id"))
            names = mapped(specs.get("name"))
            countries = mapped(specs.get("country"))
            present = [
                a is not None or b is not None or c is not None
                for a, b, c in zip(ids, names, countries, strict=True)
            ]
            ident = _text(ids, bad, True, 64, present)
            name = _text(names, bad, False, 200)
            country = _countries(countries, bad, False, policy)
            parties[role] = [
                Party(a, b, c) if p and a is not None else None
                for p, a, b, c in zip(present, ident, name, country, strict=True)
            ]
        departure = _countries(mapped(h.get("departure_country")), bad, False, policy)
        destination_raw = mapped(h.get("destination_country"))
        destination = _countries(destination_raw, bad, False, policy)
        arrival = _days(mapped(h.get("arrival_date")), bad)
        departure_date = _days(mapped(h.get("departure_date")), bad)
        economy = self.economy
        warnings: list[list[FieldError]] = [[] for _ in range(n)]
        # The rules of one kind; a row whose kind did not read is bad already.
        for i in range(n):
            if parties["declarant"][i] is None:
                bad.add(i)  # required (or an id missing: bad already)
            k = kind[i]
            when = lodged[i] or today
            if k is Kind.IMPORT:
                if parties["importer"][i] is None:
                    bad.add(i)
                if departure[i] == economy:
                    warnings[i].append(_departs(economy))
                if destination[i] is not None and destination[i] != economy:
                    bad.add(i)
                if _outside(arrival[i], when):
                    bad.add(i)
            elif k is Kind.EXPORT:
                if parties["exporter"][i] is None:
                    bad.add(i)
                if destination_raw[i] is None or destination[i] == economy:
                    bad.add(i)
                if arrival[i] is not None or _outside(departure_date[i], when):
                    bad.add(i)
        national_columns = [(key, mapped(spec)) for key, spec in self._national]
        for _key, column in national_columns:
            for i, value in enumerate(column):
                if value is not None and len(value) > 200:
                    bad.add(i)
        items = self._items(mapped, bad, kind, warnings)
        out: list[Read | None] = []
        for i in range(n):
            item = items[i]
            if i in bad or item is None:
                out.append(None)
                continue
            k = kind[i]
            ref, off, md, ccy, inc = reference[i], office[i], mode[i], currency[i], incoterm[i]
            declarant = parties["declarant"][i]
            assert k and ref and off and md and ccy and inc and declarant
            out.append(
                Read(
                    Declaration(
                        reference=ref,
                        kind=k,
                        date=lodged[i],
                        office=off,
                        transport_mode=md,
                        declarant=declarant,
                        importer=parties["importer"][i],
                        exporter=parties["exporter"][i],
                        seller=parties["seller"][i],
                        buyer=parties["buyer"][i],
                        courier=parties["courier"][i],
                        invoice_currency=ccy,
                        incoterm=inc,
                        freight=freight[i] or Decimal(0),
                        insurance=insurance[i] or Decimal(0),
                        departure_country=departure[i],
                        destination_country=destination[i],
                        arrival_date=arrival[i],
                        departure_date=departure_date[i],
                        national={
                            key: value
                            for key, column in national_columns
                            if (value := column[i]) is not None
                        },
                        items=(item,),
                    ),
                    warnings[i],
                )
            )
        return out

    def _items(
        self,
        mapped: Callable[[FieldSpec | None], Column],
        bad: set[int],
        kind: list[Kind | None],
        warnings: list[list[FieldError]],
    ) -> list[Item | None]:
        """``items[0]`` of every row (None: no item, which is bad, or a bad row)."""
        spec = self._item
        policy = self.policy
        raw = {name: mapped(spec.get(name)) for name in ITEM_FIELDS}
        n = len(kind)
        present = [any(raw[name][i] is not None for name in spec) for i in range(n)]
        for i, p in enumerate(present):
            if not p:
                bad.add(i)  # items: required
        hs = _parsed(_text(raw["hs_code"], bad, True, 16, present), bad, _hs_code)
        description = _text(raw["description"], bad, True, 512, present)
        origin = _countries(raw["origin_country"], bad, True, policy, present)
        economy = self.economy
        for i, (k, o) in enumerate(zip(kind, origin, strict=True)):
            if k is Kind.IMPORT and o == economy:
                warnings[i].append(_reimport(economy))
        indicator = _text(raw["origin_indicator"], bad, False, 4)
        net = _numbers(raw["net_mass_kg"], bad, True, True, policy.allow_zero_mass, present)
        gross = _numbers(raw["gross_mass_kg"], bad, False, True, False)
        for i, (a, b) in enumerate(zip(net, gross, strict=True)):
            if a is not None and b is not None and a > b:
                bad.add(i)
        value = _numbers(raw["invoice_value"], bad, True, True, policy.allow_zero_value, present)
        quantity = _numbers(raw["quantity"], bad, False, True, False)
        unit = _text(raw["unit"], bad, False, 8)
        for i, (q, u) in enumerate(zip(quantity, unit, strict=True)):
            if q is not None and u is None:
                bad.add(i)
        preference = _text(raw["preference"], bad, False, 12)
        rate = _numbers(raw["declared_duty_rate"], bad, False, False, False)
        for i, r in enumerate(rate):
            if r is not None and r > 1000:
                bad.add(i)
        out: list[Item | None] = []
        for i in range(n):
            if i in bad:
                out.append(None)
                continue
            code, desc, orig, mass, val = hs[i], description[i], origin[i], net[i], value[i]
            assert code and desc and orig and mass is not None and val is not None
            u, pref = unit[i], preference[i]
            out.append(
                Item(
                    hs_code=code,
                    description=desc,
                    origin_country=orig,
                    net_mass_kg=mass,
                    invoice_value=val,
                    origin_indicator=indicator[i],
                    quantity=quantity[i],
                    unit=u.upper() if u else None,
                    gross_mass_kg=gross[i],
                    preference=pref.upper() if pref else None,
                    declared_duty_rate=rate[i],
                )
            )
        return out


# --- predicates over a column: Reader's getters, each decided once per distinct text ---------


def _everywhere(n: int) -> list[bool]:
    return [True] * n


def _text(
    column: Column,
    bad: set[int],
    required: bool,
    max_len: int,
    present: list[bool] | None = None,
) -> list[str | None]:
    """``Reader.text`` on mapped values (text or absent); ``present``: where the object that
    holds the field exists (a required field of an absent party is no problem)."""
    # Comprehensions over the whole column; the (rare) problems looked for afterwards.
    out: list[str | None] = [None if v is None else (v.strip() or None) for v in column]
    if required:
        where = present or _everywhere(len(column))
        bad.update(
            i for i, (t, here) in enumerate(zip(out, where, strict=True)) if t is None and here
        )
    long = [i for i, t in enumerate(out) if t is not None and len(t) > max_len]
    for i in long:
        bad.add(i)
        out[i] = None
    return out


def _parsed(column: list[str | None], bad: set[int], parse: Callable[[str], Any]) -> list[Any]:
    """``parse`` of each distinct text (``_INVALID``: a problem); None stays None."""
    seen = {text: parse(text) for text in set(column) if text is not None}
    out = [None if text is None else seen[text] for text in column]
    if any(v is _INVALID for v in seen.values()):
        for i, value in enumerate(out):
            if value is _INVALID:
                bad.add(i)
                out[i] = None
    return out


def _choice(column: Column, bad: set[int], parse: Callable[[str], Any]) -> list[Any]:
    """``Reader.choice``: required text, parsed as validation's parsers do (None: not allowed)."""

    def one(text: str) -> Any:
        found = parse(text)
        return _INVALID if found is None else found

    return _parsed(_text(column, bad, True, 200), bad, one)


def _kind(text: str) -> Kind | None:
    return _KIND_OF.get(text.lower())


def _transport_mode(text: str) -> TransportMode | None:
    return _TRANSPORT_MODE_OF.get(text.lower())


def _incoterm(text: str) -> str | None:
    code = text.upper()
    return code if code in INCOTERMS else None


def _days(column: Column, bad: set[int]) -> list[date | None]:
    """``Reader.day``: the text as given (not stripped), ISO format."""

    def one(text: str) -> Any:
        try:
            return date.fromisoformat(text)
        except ValueError:
            return _INVALID

    return _parsed(column, bad, one)


def _countries(
    column: Column,
    bad: set[int],
    required: bool,
    policy: Policy,
    present: list[bool] | None = None,
) -> list[str | None]:
    """``Reader.country``."""

    def one(text: str) -> Any:
        code = text.upper()
        if code == UNKNOWN_COUNTRY and policy.allow_unknown_country:
            return code
        return code if is_country(code) else _INVALID

    return _parsed(_text(column, bad, required, 3, present), bad, one)


def _numbers(
    column: Column,
    bad: set[int],
    required: bool,
    positive: bool,
    allow_zero: bool,
    present: list[bool] | None = None,
) -> list[Decimal | None]:
    """``Reader.number`` on mapped text (never empty: an empty cell is left out)."""

    def one(text: str) -> Any:
        try:
            number = Decimal(text.strip())
        except InvalidOperation:
            return _INVALID
        if not number.is_finite() or abs(number) >= MAX_DECIMAL or number < 0:
            return _INVALID
        if positive and number == 0 and not allow_zero:
            return _INVALID
        return number

    if required:
        where = present or _everywhere(len(column))
        for i, (value, here) in enumerate(zip(column, where, strict=True)):
            if value is None and here:
                bad.add(i)
    return _parsed(column, bad, one)


def _hs_code(text: str) -> Any:
    hs = normalise_hs(text)
    if not (hs.isdigit() and 6 <= len(hs) <= 10) or hs[:2] not in HS_CHAPTERS:
        return _INVALID
    return hs


def _outside(value: date | None, when: date) -> bool:
    return value is not None and (value < when - ARRIVAL_BEFORE or value > when + ARRIVAL_AFTER)


def _departs(economy: str) -> FieldError:
    return FieldError(
        "departure_country",
        "departs_from_destination",
        f"the goods depart from {economy}, the economy they are imported into",
    )


def _reimport(economy: str) -> FieldError:
    return FieldError(
        "items[0].origin_country",
        "reimport",
        f"origin {economy} is the importing economy itself (a re-import?)",
    )
