"""De minimis and tax regimes of the 21 APEC economies, as data with sources and dates.

A change in law is a new :class:`Regime` row with a later ``effective_from`` (built in here, or
stored by an administrator through the service), never a code change. The regime in force for a
parcel is the latest row whose ``effective_from`` is on or before the parcel's arrival date.

Figures come from ``research/de-minimis-apec.md`` (public sources named per row). Rows whose
figure the research marks as not verified carry ``verified=False`` and say so in ``note``; the
``default_duty_rate`` is a nominal ad valorem rate applied only where the economy has no tariff
schedule line for the goods (load the economy's schedule with ``smartcustoms tariff``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal as D

from smartcustoms.ecommerce.model import Prohibition, Regime

__all__ = ["BUILT_IN", "DEFAULT_PROHIBITIONS", "built_in_for", "regime_on"]

DEFAULT_PROHIBITIONS: tuple[Prohibition, ...] = (
    Prohibition("9301", "", "military weapons are prohibited in parcels"),
    Prohibition("9302", "", "revolvers and pistols are prohibited in parcels"),
    Prohibition("9303", "", "firearms are prohibited in parcels"),
    Prohibition("9304", "", "other arms (incl. pepper spray, stun guns) are prohibited"),
    Prohibition("9306", "", "ammunition is prohibited in parcels"),
    Prohibition("0507", "ivory", "ivory is prohibited (CITES)"),
    Prohibition("", "ivory", "ivory is prohibited (CITES)"),
    Prohibition("", "cannabis", "narcotic drugs are prohibited"),
    Prohibition("", "counterfeit", "counterfeit goods are prohibited"),
    Prohibition("", "switchblade", "flick knives are prohibited"),
)
_VAPES = (Prohibition("854340", "", "e-cigarettes are prohibited in this economy"),)

_GEA = "https://global-express.org/index.php?id=271&act=101&profile_id=-1&countries%5B%5D=-2"
_SEKO = "http://www.sekologistics.com/au/ecommerce/international-ecommerce-shipping-solutions/asia/"
_APEC11 = "https://www.apec.org/Meeting-Papers/Annual-Ministerial-Meetings/2011/2011_amm/annex-a"
_SHIPSMART = "https://shipsmartsupport.zendesk.com/hc/en-us/articles/27102595623309"
_EPOCH = date(2000, 1, 1)


def _r(
    economy: str,
    currency: str,
    duty: D | None,
    tax: D | None,
    vat: str,
    *,
    since: date = _EPOCH,
    thr_ccy: str | None = None,
    duty_rate: str = "5",
    source: str,
    note: str = "",
    verified: bool = True,
    extra: tuple[Prohibition, ...] = (),
    **kw: object,
) -> Regime:
    return Regime(
        economy=economy,
        effective_from=since,
        currency=currency,
        threshold_currency=thr_ccy or currency,
        duty_threshold=duty,
        tax_threshold=tax,
        vat_rate=D(vat),
        default_duty_rate=D(duty_rate),
        prohibitions=DEFAULT_PROHIBITIONS + extra,
        source=source,
        note=note,
        verified=verified,
        **kw,  # type: ignore[arg-type]
    )


BUILT_IN: tuple[Regime, ...] = (
    _r(
        "AU",
        "AUD",
        D(1000),
        D(1000),
        "10",
        source=_GEA,
        note="border threshold AUD 1,000 (duty and GST)",
        extra=_VAPES,
    ),
    _r(
        "AU",
        "AUD",
        D(1000),
        D(1000),
        "10",
        since=date(2018, 7, 1),
        vendor_scheme="AU GST on low-value imported goods (ARN)",
        vendor_pattern=r"^\d{12}$",
        vendor_ceiling=D(1000),
        source="https://app.coop/?p=2706",
        note="GST on goods <= AUD 1,000 collected by registered vendors/platforms from 1 Jul 2018",
        extra=_VAPES,
    ),
    _r("BN", "BND", D(400), D(400), "0", duty_rate="0", source=_GEA + " ; " + _APEC11),
    _r(
        "CA",
        "CAD",
        D(20),
        D(20),
        "5",
        source="https://cbsa-asfc.gc.ca/services/cusma-aceum/lvs-efv-eng.html",
        since=date(2020, 7, 1),
        note="CAD 20 for postal and non-CUSMA courier; CUSMA courier (US/MX origin) CAD 150 duty "
        "/ CAD 40 tax is not modelled (origin-specific)",
    ),
    _r(
        "CL",
        "CLP",
        D(41),
        D(41),
        "19",
        thr_ccy="USD",
        duty_rate="6",
        verified=False,
        source=_SHIPSMART
        + " ; https://zhenhub.com/2018/05/15/customs-duty-de-minimis-values-by-country/",
        note="USD 41 (shipsmart) vs USD 30 (GEA 2018); VAT on low-value online imports "
        "legislated 2024-25 not verified",
    ),
    _r(
        "CN",
        "CNY",
        None,
        None,
        "13",
        duty_rate="0",
        duty_factor=D(0),
        tax_factor=D("0.7"),
        per_transaction_limit=D(5000),
        annual_limit=D(26000),
        verified=False,
        source="https://www.so.plus/20210515/827.html",
        note="cross-border e-commerce retail import (positive list): duty 0, 70% of VAT and "
        "consumption tax (70% not verified); CNY 5,000 per transaction, CNY 26,000 per buyer "
        "per year",
    ),
    _r(
        "HK",
        "HKD",
        None,
        None,
        "0",
        duty_rate="0",
        source="http://www.turbo-promotion.com/tax-waver/",
        note="free port: no duty or tax on general goods (4 dutiable commodity groups)",
    ),
    _r(
        "ID",
        "IDR",
        D(3),
        D(0),
        "11",
        thr_ccy="USD",
        since=date(2020, 1, 30),
        source="https://www.ninjavan.co/en-my/services/customs-clearance",
        note="duty threshold USD 3; VAT from USD 0",
    ),
    _r("JP", "JPY", D(10000), D(10000), "10", source=_SEKO + " ; " + _APEC11),
    _r(
        "KR",
        "KRW",
        D(150),
        D(150),
        "10",
        thr_ccy="USD",
        duty_rate="8",
        source=_SEKO,
        note="USD 150 (USD 200 for US origin under KORUS not modelled, not verified)",
    ),
    _r("MY", "MYR", D(500), D(500), "10", source=_SEKO, duty_rate="5"),
    _r(
        "MY",
        "MYR",
        D(500),
        D(0),
        "10",
        since=date(2024, 1, 1),
        vendor_scheme="MY sales tax on low-value goods (LVG)",
        vendor_pattern=r"^[A-Z0-9-]{6,20}$",
        vendor_ceiling=D(500),
        verified=False,
        source="https://www.ninjavan.co/en-my/services/customs-clearance",
        note="10% sales tax on goods <= MYR 500 sold online from 1 Jan 2024; registration "
        "number format not verified",
    ),
    _r(
        "MX",
        "MXN",
        D(50),
        D(50),
        "16",
        thr_ccy="USD",
        verified=False,
        source="https://chitchats.com/blog/united-states-mexico-canada-agreement-usmca",
        note="courier USD 50 (USD 117 duty-only for US/CA origin not modelled); 2025 changes "
        "not verified",
    ),
    _r(
        "NZ",
        "NZD",
        D(1000),
        D(1000),
        "15",
        source="https://www.aramex.com/",
        since=date(2019, 12, 1),
        vendor_scheme="NZ GST on low-value imported goods",
        vendor_pattern=r"^\d{8,9}$",
        vendor_ceiling=D(1000),
        note="GST on goods <= NZD 1,000 charged by offshore suppliers since 1 Dec 2019",
    ),
    _r(
        "PG",
        "PGK",
        None,
        None,
        "10",
        verified=False,
        source="",
        note="no de minimis found in the public corpus: no relief assumed; verify",
    ),
    _r("PE", "PEN", D(200), D(200), "18", thr_ccy="USD", duty_rate="4", source=_SHIPSMART),
    _r("PH", "PHP", D(10000), D(10000), "12", source=_SEKO, note="CMTA"),
    _r(
        "RU",
        "RUB",
        D(200),
        D(200),
        "20",
        thr_ccy="EUR",
        source=_SHIPSMART + " ; " + _APEC11,
        note="EAEU rules; weight limit not modelled",
    ),
    _r("SG", "SGD", D(400), D(400), "8", duty_rate="0", source=_SEKO, extra=_VAPES),
    _r(
        "SG",
        "SGD",
        D(400),
        D(400),
        "9",
        since=date(2023, 1, 1),
        duty_rate="0",
        vendor_scheme="SG Overseas Vendor Registration (OVR)",
        vendor_pattern=r"^(M\d{8}[A-Z]|\d{9}[A-Z]|T\d{2}[A-Z]{2}\d{4}[A-Z])$",
        vendor_ceiling=D(400),
        source="https://shippgl.com/customs-regulatory-updates/asia-pacific/",
        note="GST on goods <= SGD 400 via OVR from 1 Jan 2023; GST 9% from 2024 (8% in 2023 "
        "simplified to 9%)",
        extra=_VAPES,
    ),
    _r("TW", "TWD", D(2000), D(2000), "5", source=_SEKO + " ; " + _APEC11),
    _r(
        "TH",
        "THB",
        D(1500),
        D(1500),
        "7",
        threshold_basis="cif",
        extra=_VAPES,
        source="https://eoasis.rajahtann.com/eoasis/gn/regionnews.asp?c=10&id=1527&n=45",
    ),
    _r(
        "TH",
        "THB",
        D(1500),
        D(0),
        "7",
        since=date(2024, 7, 5),
        threshold_basis="cif",
        extra=_VAPES,
        source="https://www.internationalmailers.net/single-post/thailand-abolishes-low-value-threshold-on-vat-on-imports",
        note="Customs Notification 116/2567: VAT from THB 1 from 5 Jul 2024; duty threshold "
        "THB 1,500 (CIF) kept",
    ),
    _r(
        "US",
        "USD",
        D(800),
        D(800),
        "0",
        since=date(2016, 3, 10),
        source="19 USC 1321 (Trade Facilitation and Trade Enforcement Act 2015)",
        note="Section 321: USD 800 per person per day",
    ),
    _r(
        "US",
        "USD",
        None,
        None,
        "0",
        since=date(2025, 8, 29),
        source="Executive Order of 30 Jul 2025 (brian14708/wh-briefings copy); "
        "https://redstagfulfillment.com/how-many-packages-are-sent-under-de-minimis",
        note="de minimis suspended for all countries from 29 Aug 2025 (CN/HK from 2 May 2025); "
        "statutory repeal 1 Jul 2027",
    ),
    _r(
        "VN",
        "VND",
        D(1000000),
        D(1000000),
        "10",
        source="Decision 78/2010/QD-TTg",
        note="express consignments",
    ),
    _r(
        "VN",
        "VND",
        None,
        None,
        "10",
        since=date(2025, 2, 18),
        source="https://english.thesaigontimes.vn/vat-exemption-ends-for-de-minimis-imports-from-february-18",
        note="Decision 01/2025/QD-TTg repealed the VND 1,000,000 exemption",
    ),
)


def built_in_for(economy: str) -> list[Regime]:
    return [r for r in BUILT_IN if r.economy == economy.upper()]


def regime_on(rows: Iterable[Regime], on: date) -> Regime | None:
    """The row in force on ``on``: latest ``effective_from`` not after ``on`` (later wins)."""
    best: Regime | None = None
    for row in rows:
        if row.effective_from <= on and (best is None or row.effective_from >= best.effective_from):
            best = row
    return best
