#!/usr/bin/env python3
"""Write the sample corpus under ``samples/``: X12 files, master data, meter data, README.

Deterministic: no clock, no randomness; running it twice gives the same bytes. The generated
files are committed; rerun this script (``python tools/make_samples.py``) after editing it.

Everything is fictional: the utility is AMEREN ILLINOIS with DUNS 012345678 (a made-up number),
the suppliers, customers, accounts, service points and meters are invented.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
CENTRAL = ZoneInfo("America/Chicago")
UTC = dt.UTC

Seg = list[str]  # one segment: [id, element 01, element 02, ...]


# --------------------------------------------------------------------------- parties and master data
@dataclass(frozen=True)
class Party:
    name: str
    duns: str
    prefix: str  # used in this party's reference numbers


UTILITY = Party("AMEREN ILLINOIS", "012345678", "AMI")
BRIGHT = Party("BRIGHT ENERGY LLC", "987654321", "BRT")
PRAIRIE = Party("PRAIRIE POWER LLC", "123456789", "PRP")
LAKESHORE = Party("LAKESHORE SUPPLY INC", "555666777", "LKS")

SUPPLIERS: list[dict[str, str]] = [
    {"duns": BRIGHT.duns, "name": BRIGHT.name, "ucb_por": "bill_ready", "sbo": "none"},
    {"duns": PRAIRIE.duns, "name": PRAIRIE.name, "ucb_por": "none", "sbo": "none"},
    {"duns": LAKESHORE.duns, "name": LAKESHORE.name, "ucb_por": "both", "sbo": "agent"},
]


@dataclass(frozen=True)
class Account:
    number: str
    customer: str
    street: str
    city: str
    zip: str  # as in accounts.csv (5, 9 or 12345-6789)
    bill_group: str
    calendar: str = "none"
    status: str = "active"

    @property
    def x12_zip(self) -> str:
        return self.zip.replace("-", "")


@dataclass(frozen=True)
class ServicePoint:
    sp_id: str
    account: Account
    rate: str
    metering: str
    supplier: str
    lighting: bool = False
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Meter:
    number: str
    sp: ServicePoint
    role: str
    interval: str  # "" for a scalar meter
    multiplier: str = "1"


A01 = Account("2000000011", "JANE Q SAMPLE", "100 MAIN ST", "SPRINGFIELD", "62701", "05")
A02 = Account("2000000029", "ROBERT T EXAMPLE", "215 ELM ST", "PEORIA", "616021234", "12")
A03 = Account("2000000037", "MARIA L TESTER", "48 OAK AVE", "CHAMPAIGN", "61820-1234", "08")
A04 = Account("2000000045", "PRAIRIE BAKERY INC", "12 COMMERCE DR", "BLOOMINGTON", "61701", "15")
A05 = Account("2000000052", "MIDWEST FOODS LLC", "900 INDUSTRIAL PKWY", "DECATUR", "62521", "03")
A06 = Account("2000000060", "CENTRAL STEEL WORKS INC", "1 FOUNDRY RD", "ALTON", "62002", "01")
A07 = Account("2000000078", "RIVERSIDE APARTMENTS LLC", "400 RIVER RD", "MOLINE", "61265", "21", "eom")
A08 = Account("2000000086", "THOMAS R FINALE", "77 LAST ST", "QUINCY", "62301", "10", status="final")
A09 = Account("2000000094", "SUSAN P DROPPER", "5 MAPLE CT", "NORMAL", "61761", "07")
A10 = Account("2000000102", "KEVIN J CHANGE", "31 BIRCH LN", "URBANA", "61801", "09")
A11 = Account("2000000110", "ACME HARDWARE LLC", "60 MARKET ST", "JACKSONVILLE", "62650", "11")
A11_OLD = Account("2000000128", "ACME HARDWARE LLC", "60 MARKET ST", "JACKSONVILLE", "62650", "11",
                  status="final")
A12 = Account("2000000136", "GREEN VALLEY FARMS LLC", "2150 COUNTY ROAD 900 N", "PANA", "62557", "14")
A12_OLD = Account("2000000144", "GREEN VALLEY FARMS LLC", "2150 COUNTY ROAD 900 N", "PANA", "62557", "14",
                  status="final")
A13 = Account("2000000151", "OLD MILL ANTIQUES", "8 MILL ST", "PETERSBURG", "62675", "13", status="inactive")
# not in accounts.csv on purpose: the enrollment reject sample answers it with A76
UNKNOWN = Account("2999999995", "LUCAS M NOBODY", "1 NOWHERE LN", "CARBONDALE", "62901", "16")

ACCOUNTS = [A01, A02, A03, A04, A05, A06, A07, A08, A09, A10, A11, A11_OLD, A12, A12_OLD, A13]

SP01 = ServicePoint("7000000011", A01, "DS1", "scalar", "BGS", extra={"load_profile": "RES"})
SP02 = ServicePoint("7000000029", A02, "DS2", "scalar", BRIGHT.duns, extra={"load_profile": "SGS"})
SP03 = ServicePoint("7000000037", A03, "DS1", "scalar", "BGS", extra={"load_profile": "RES"})
SP04A = ServicePoint("7000000045", A04, "DS3A", "scalar", "BGS", extra={"load_profile": "GS"})
SP04B = ServicePoint("7000000046", A04, "DS2", "scalar", "BGS", extra={"load_profile": "SGS"})
SP04C = ServicePoint("7000000047", A04, "DS5", "scalar", "BGS", lighting=True, extra={"load_profile": "LITE"})
SP05 = ServicePoint("7000000052", A05, "DS3B", "interval", BRIGHT.duns, extra={"load_profile": "GSI"})
SP06 = ServicePoint("7000000060", A06, "DS4", "interval", PRAIRIE.duns,
                    extra={"load_profile": "LGS", "delivery_voltage": "34.5KV"})
SP07 = ServicePoint("7000000078", A07, "DS2", "scalar", LAKESHORE.duns, extra={"load_profile": "SGS"})
SP08 = ServicePoint("7000000086", A08, "DS1", "scalar", BRIGHT.duns, extra={"load_profile": "RES"})
SP09 = ServicePoint("7000000094", A09, "DS1", "scalar", BRIGHT.duns, extra={"load_profile": "RES"})
SP10 = ServicePoint("7000000102", A10, "DS1", "scalar", PRAIRIE.duns, extra={"load_profile": "RES"})
SP11 = ServicePoint("7000000110", A11, "DS2", "scalar", BRIGHT.duns, extra={"load_profile": "SGS"})
SP12 = ServicePoint("7000000136", A12, "DS2", "scalar", BRIGHT.duns, extra={"load_profile": "SGS"})
SP13 = ServicePoint("7000000151", A13, "DS2", "scalar", PRAIRIE.duns, extra={"load_profile": "SGS"})
SERVICE_POINTS = [SP01, SP02, SP03, SP04A, SP04B, SP04C, SP05, SP06, SP07, SP08, SP09, SP10, SP11, SP12, SP13]

M01 = Meter("40000011", SP01, "A", "")
M02 = Meter("40000029", SP02, "A", "")
M03 = Meter("40000037", SP03, "A", "")
M04A = Meter("40000045", SP04A, "A", "", "40")
M04B = Meter("40000046", SP04B, "A", "")
M05A = Meter("40000052", SP05, "A", "15")
M05S = Meter("40000053", SP05, "S", "15")
M06 = Meter("40000060", SP06, "A", "15")
M07 = Meter("40000078", SP07, "A", "")
M08 = Meter("40000086", SP08, "A", "")
M09 = Meter("40000094", SP09, "A", "")
M10 = Meter("40000102", SP10, "A", "")
M11 = Meter("40000110", SP11, "A", "")
M12 = Meter("40000136", SP12, "A", "")
M13 = Meter("40000151", SP13, "A", "")
METERS = [M01, M02, M03, M04A, M04B, M05A, M05S, M06, M07, M08, M09, M10, M11, M12, M13]


# --------------------------------------------------------------------------- calendar
def holidays(year: int) -> list[tuple[dt.date, str]]:
    """The tariff's non-business days; a holiday on a Sunday is observed on the Monday."""

    def nth_weekday(month: int, weekday: int, n: int) -> dt.date:
        d = dt.date(year, month, 1)
        d += dt.timedelta(days=(weekday - d.weekday()) % 7)
        return d + dt.timedelta(weeks=n - 1)

    def last_weekday(month: int, weekday: int) -> dt.date:
        d = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
        return d - dt.timedelta(days=(d.weekday() - weekday) % 7)

    days = [
        (dt.date(year, 1, 1), "New Year's Day"),
        (last_weekday(5, 0), "Memorial Day"),
        (dt.date(year, 7, 4), "Independence Day"),
        (nth_weekday(9, 0, 1), "Labor Day"),
        (nth_weekday(11, 3, 4), "Thanksgiving Day"),
        (dt.date(year, 12, 25), "Christmas Day"),
    ]
    out: list[tuple[dt.date, str]] = []
    for day, name in days:
        out.append((day, name))
        if day.weekday() == 6:
            out.append((day + dt.timedelta(days=1), f"{name} (observed)"))
    return out


HOLIDAYS = [h for year in (2026, 2027) for h in holidays(year)]
NON_BUSINESS = {d for d, _ in HOLIDAYS}


def business_days(year: int, month: int) -> list[dt.date]:
    d = dt.date(year, month, 1)
    out = []
    while d.month == month:
        if d.weekday() < 5 and d not in NON_BUSINESS:
            out.append(d)
        d += dt.timedelta(days=1)
    return out


def read_date(group: str, year: int, month: int) -> dt.date:
    """Scheduled read date of a bill group: groups 01-21 spread over the month's business days."""
    days = business_days(year, month)
    return days[round((int(group) - 1) * (len(days) - 1) / 20)]


SCHEDULE = [
    (f"{g:02d}", read_date(f"{g:02d}", y, m)) for y in (2026, 2027) for m in range(1, 13) for g in range(1, 22)
]


# --------------------------------------------------------------------------- X12 building
@dataclass(frozen=True)
class Style:
    """How a file is written: separators and what follows each segment terminator."""

    element: str = "*"
    component: str = ">"
    terminator: str = "~"
    suffix: str = "\n"


LF = Style()
CRLF = Style(suffix="\r\n")
NOBREAK = Style(suffix="")
NEWLINE_TERMINATOR = Style(terminator="\n", suffix="")
PIPE = Style(element="|", component="^")


@dataclass
class Txn:
    """One transaction set: its body (everything between ST and SE)."""

    st01: str
    body: list[Seg]
    st02: str = ""


@dataclass
class Group:
    gs01: str
    gs06: int
    txns: list[Txn]


@dataclass
class Interchange:
    sender: Party
    receiver: Party
    when: dt.datetime
    isa13: int
    groups: list[Group]


def isa(sender: Party, receiver: Party, when: dt.datetime, isa13: int, style: Style) -> Seg:
    return ["ISA", "00", " " * 10, "00", " " * 10, "01", sender.duns.ljust(15), "01", receiver.duns.ljust(15),
            when.strftime("%y%m%d"), when.strftime("%H%M"), "U", "00401", f"{isa13:09d}", "0", "T",
            style.component]


def interchange_segments(ic: Interchange, style: Style) -> list[Seg]:
    out: list[Seg] = [isa(ic.sender, ic.receiver, ic.when, ic.isa13, style)]
    for grp in ic.groups:
        out.append(["GS", grp.gs01, ic.sender.duns, ic.receiver.duns, ic.when.strftime("%Y%m%d"),
                    ic.when.strftime("%H%M"), str(grp.gs06), "X", "004010"])
        for n, txn in enumerate(grp.txns, 1):
            st02 = txn.st02 or f"{n:04d}"
            out.append(["ST", txn.st01, st02])
            out.extend(txn.body)
            out.append(["SE", str(len(txn.body) + 2), st02])
        out.append(["GE", str(len(grp.txns)), str(grp.gs06)])
    out.append(["IEA", str(len(ic.groups)), f"{ic.isa13:09d}"])
    return out


def render(segs: Iterable[Seg], style: Style) -> str:
    parts = []
    for s in segs:
        els = list(s)
        if els[0] != "ISA":
            while els and els[-1] == "":
                els.pop()
        text = style.element.join(els) + style.terminator
        if els[0] == "ISA" and len(text) != 106:
            raise AssertionError(f"ISA must be 106 characters, got {len(text)}")
        parts.append(text + style.suffix)
    return "".join(parts)


def x12(interchanges: Sequence[Interchange], style: Style = LF) -> str:
    return "".join(render(interchange_segments(ic, style), style) for ic in interchanges)


def at(day: str, hhmm: str) -> dt.datetime:
    return dt.datetime.strptime(day + hhmm, "%Y%m%d%H%M")


def d8(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


# --------------------------------------------------------------------------- common segments
def n1_parties(res: Party, inbound: bool) -> list[Seg]:
    """N1*8S and N1*SJ with N106 40 (receiver) / 41 (submitter) as in the spec's section 5 examples."""
    ldc_role, res_role = ("40", "41") if inbound else ("41", "40")
    return [["N1", "8S", UTILITY.name, "1", UTILITY.duns, "", ldc_role],
            ["N1", "SJ", res.name, "1", res.duns, "", res_role]]


def n1_customer(acct: Account, address: bool = False, phone: str = "") -> list[Seg]:
    out: list[Seg] = [["N1", "8R", acct.customer]]
    if address:
        out += [["N3", acct.street], ["N4", acct.city, "IL", acct.x12_zip]]
    if phone:
        out.append(["PER", "IC", acct.customer, "TE", phone])
    return out


def lin(tracking: str) -> Seg:
    return ["LIN", tracking, "SH", "EL", "SH", "CE"]


# --------------------------------------------------------------------------- the valid corpus
VALID: dict[str, tuple[str, str, Sequence[Interchange], Style]] = {}
"""name -> (direction, what it shows, interchanges, style)"""


def valid(name: str, direction: str, what: str, interchanges: Sequence[Interchange], style: Style = LF) -> None:
    VALID[name] = (direction, what, interchanges, style)


def u_ic(receiver: Party, when: dt.datetime, ctl: int, gs01: str, txns: list[Txn]) -> Interchange:
    """An outbound interchange (utility -> RES): ISA13/GS06 from the utility's sequence 5101..."""
    return Interchange(UTILITY, receiver, when, ctl, [Group(gs01, ctl, txns)])


def r_ic(sender: Party, when: dt.datetime, ctl: int, gs01: str, txns: list[Txn]) -> Interchange:
    return Interchange(sender, UTILITY, when, ctl, [Group(gs01, ctl, txns)])


# ---- inbound 814s (RES -> utility)
ENR_BILLREADY_BGN = "BRT20261002000001"
ENR_BILLREADY_LIN = "BRTE0000001"
valid("814_enroll_request_billready.x12", "in", "814 enrollment request, bill-ready UCB/POR (REF*BLT*LDC, "
      "REF*PC*DUAL), BRIGHT ENERGY, DS1; written without any line breaks",
      [r_ic(BRIGHT, at("20261002", "0930"), 2101, "GE", [Txn("814", [
          ["BGN", "13", ENR_BILLREADY_BGN, "20261002"],
          *n1_parties(BRIGHT, True),
          *n1_customer(A01, address=True, phone="2175550100"),
          lin(ENR_BILLREADY_LIN),
          ["ASI", "7", "021"],
          ["REF", "11", "BRT-778001"],
          ["REF", "12", A01.number],
          ["REF", "BLT", "LDC"],
          ["REF", "PC", "DUAL"],
      ])])], NOBREAK)

valid("814_enroll_request_oncycle.x12", "in", "814 enrollment request, on-cycle (no DTM*007), dual billing "
      "(REF*BLT*DUAL REF*PC*DUAL), PRAIRIE POWER; CRLF after every terminator",
      [r_ic(PRAIRIE, at("20261005", "1105"), 3101, "GE", [Txn("814", [
          ["BGN", "13", "PRP20261005000021", "20261005"],
          *n1_parties(PRAIRIE, True),
          *n1_customer(A03, address=True, phone="2175550137"),
          lin("PRPE0000021"),
          ["ASI", "7", "021"],
          ["REF", "11", "PRP-370037"],
          ["REF", "12", A03.number],
          ["REF", "BLT", "DUAL"],
          ["REF", "PC", "DUAL"],
      ])])], CRLF)

OFF_BGN = "LKS20261015000007"
OFF_LIN = "LKSE0000007"
valid("814_enroll_request_offcycle.x12", "in", "814 enrollment request, off-cycle (REF*TD*OFFCYCLE + DTM*007), "
      "rate-ready UCB (REF*PC*LDC), LAKESHORE SUPPLY, account with three service points, bill-to N1*BT",
      [r_ic(LAKESHORE, at("20261015", "1422"), 4101, "GE", [Txn("814", [
          ["BGN", "13", OFF_BGN, "20261015"],
          *n1_parties(LAKESHORE, True),
          *n1_customer(A04, address=True, phone="3095550145"),
          ["N1", "BT", A04.customer],
          ["N3", "PO BOX 220"],
          ["N4", "BLOOMINGTON", "IL", "617020220"],
          lin(OFF_LIN),
          ["ASI", "7", "021"],
          ["REF", "11", "LK900451"],
          ["REF", "12", A04.number],
          ["REF", "BLT", "LDC"],
          ["REF", "PC", "LDC"],
          ["REF", "TD", "OFFCYCLE"],
          ["DTM", "007", "20261102"],
      ])])])

DROP_BGN = "BRT20261016000002"
DROP_LIN = "BRTD0000002"
valid("814_drop_request.x12", "in", "814 drop request (ASI*7*024, REF*1P drop reason, DTM*007 requested date), "
      "BRIGHT ENERGY",
      [r_ic(BRIGHT, at("20261016", "0815"), 2103, "GE", [Txn("814", [
          ["BGN", "13", DROP_BGN, "20261016"],
          *n1_parties(BRIGHT, True),
          *n1_customer(A09),
          lin(DROP_LIN),
          ["ASI", "7", "024"],
          ["REF", "1P", "A13", "CUSTOMER REQUESTED DROP"],
          ["REF", "11", "BRT-940094"],
          ["REF", "12", A09.number],
          ["DTM", "007", d8(read_date(A09.bill_group, 2026, 11))],
      ])])])

CANCEL_BGN = "BRT20261019000003"
CANCEL_LIN = "BRTC0000003"
valid("814_drop_cancel_request.x12", "in", "814 drop cancel (ASI*7*026, BGN06 = BGN02 of the drop), BRIGHT ENERGY",
      [r_ic(BRIGHT, at("20261019", "1010"), 2104, "GE", [Txn("814", [
          ["BGN", "13", CANCEL_BGN, "20261019", "", "", DROP_BGN],
          *n1_parties(BRIGHT, True),
          *n1_customer(A09),
          lin(CANCEL_LIN),
          ["ASI", "7", "026"],
          ["REF", "11", "BRT-940094"],
          ["REF", "12", A09.number],
      ])])])

RESC_BGN = "LKS20261021000009"
RESC_LIN = "LKSD0000009"
valid("814_rescission_request.x12", "in", "814 enrollment rescission (ASI*7*024 + REF*1P*EB3), LAKESHORE SUPPLY "
      "(layout of spec example 5.3)",
      [r_ic(LAKESHORE, at("20261021", "1330"), 4102, "GE", [Txn("814", [
          ["BGN", "13", RESC_BGN, "20261021"],
          *n1_parties(LAKESHORE, True),
          *n1_customer(A10),
          lin(RESC_LIN),
          ["ASI", "7", "024"],
          ["REF", "1P", "EB3"],
          ["REF", "11", "LK901021"],
          ["REF", "12", A10.number],
      ])])])

REIN_BGN = "AMI20261022000007"
REIN_LIN = "AMIR0000007"
REIN_START = "20250609"
valid("814_reinstatement_response.x12", "in", "814 reinstatement response from the prior RES (ASI*WQ*025, "
      "DTM*150, BGN06 = our request), PRAIRIE POWER; '|' element and '^' component separators (layout of S15)",
      [r_ic(PRAIRIE, at("20261023", "0902"), 3102, "GE", [Txn("814", [
          ["BGN", "11", "PRP20261023000031", "20261023", "", "", REIN_BGN],
          *n1_parties(PRAIRIE, True),
          lin(REIN_LIN),
          ["ASI", "WQ", "025"],
          ["REF", "11", "PRP-102102"],
          ["REF", "12", A10.number],
          ["DTM", "150", REIN_START],
      ])])], PIPE)

MULTI_DROP_BGN = "PRP20261026000033"
MULTI_ENR_BGN = "LKS20261026000011"
valid("814_multi_interchange.x12", "in", "two interchanges in one file: a PRAIRIE POWER drop request with "
      "ASI*F*024 and DTM*151 (inactive account), and a LAKESHORE SUPPLY enrollment request for an account "
      "that does not exist",
      [r_ic(PRAIRIE, at("20261026", "0700"), 3103, "GE", [Txn("814", [
          ["BGN", "13", MULTI_DROP_BGN, "20261026"],
          *n1_parties(PRAIRIE, True),
          *n1_customer(A13),
          lin("PRPD0000033"),
          ["ASI", "F", "024"],
          ["REF", "1P", "A13", "CONTRACT EXPIRED"],
          ["REF", "11", "PRP-151151"],
          ["REF", "12", A13.number],
          ["DTM", "151", d8(read_date(A13.bill_group, 2026, 11))],
      ])]),
       r_ic(LAKESHORE, at("20261026", "0701"), 4103, "GE", [Txn("814", [
           ["BGN", "13", MULTI_ENR_BGN, "20261026"],
           *n1_parties(LAKESHORE, True),
           *n1_customer(UNKNOWN, address=True),
           lin("LKSE0000011"),
           ["ASI", "7", "021"],
           ["REF", "11", "LK909995"],
           ["REF", "12", UNKNOWN.number],
           ["REF", "BLT", "DUAL"],
           ["REF", "PC", "DUAL"],
       ])])])


# ---- outbound 814s (utility -> RES)
def response(bgn02: str, day: str, request_bgn02: str, res: Party, acct: Account | None, lin01: str,
             asi: tuple[str, str], refs: list[Seg], tail: Sequence[Seg] = ()) -> Txn:
    body: list[Seg] = [["BGN", "11", bgn02, day, "", "", request_bgn02], *n1_parties(res, False)]
    if acct is not None:
        body += n1_customer(acct)
    body += [lin(lin01), ["ASI", *asi], *refs, *tail]
    return Txn("814", body)


ACCEPT_START = read_date(A01.bill_group, 2026, 11)
valid("814_enroll_accept.x12", "out", "814 enrollment accept (ASI*WQ*021) answering the bill-ready request: "
      "account attributes (REF*LU NH BF MG LO SPL), DTM*150 scheduled start, AMT*KC/KZ each with DTM*152, AMT*TA",
      [u_ic(BRIGHT, at("20261003", "0615"), 5101, "GE", [response(
          "AMI20261003000001", "20261003", ENR_BILLREADY_BGN, BRIGHT, A01, ENR_BILLREADY_LIN, ("WQ", "021"),
          [["REF", "11", "BRT-778001"], ["REF", "12", A01.number], ["REF", "BLT", "LDC"], ["REF", "PC", "DUAL"],
           ["REF", "LU", SP01.sp_id], ["REF", "NH", SP01.rate], ["REF", "LO", "RES"], ["REF", "SPL", "ZONE1"],
           ["REF", "BF", A01.bill_group], ["REF", "MG", M01.number]],
          [["DTM", "150", d8(ACCEPT_START)],
           ["AMT", "KC", "3.25"], ["DTM", "152", "20260601"],
           ["AMT", "KZ", "2.91"], ["DTM", "152", "20260101"],
           ["AMT", "TA", "8123"], ["AMT", "LD", "12"]])])])

valid("814_enroll_accept_offcycle.x12", "out", "814 enrollment accept of the off-cycle request: DTM*150 with "
      "235959 CT (switch at the end of the requested day, spec 2.11); three service points, so REF*LU, REF*NH "
      "and REF*MG repeat",
      [u_ic(LAKESHORE, at("20261016", "0620"), 5119, "GE", [response(
          "AMI20261016000009", "20261016", OFF_BGN, LAKESHORE, A04, OFF_LIN, ("WQ", "021"),
          [["REF", "11", "LK900451"], ["REF", "12", A04.number], ["REF", "BLT", "LDC"], ["REF", "PC", "LDC"],
           ["REF", "TD", "OFFCYCLE"],
           *[["REF", "LU", sp.sp_id] for sp in (SP04A, SP04B, SP04C)],
           *[["REF", "NH", sp.rate] for sp in (SP04A, SP04B, SP04C)],
           ["REF", "LO", "LITE"], ["REF", "BF", A04.bill_group],
           *[["REF", "MG", m.number] for m in (M04A, M04B)]],
          [["DTM", "150", "20261102", "235959", "CT"], ["AMT", "KC", "58.40"], ["DTM", "152", "20260601"]])])])

valid("814_enroll_reject.x12", "out", "814 enrollment reject (ASI*U*021, REF*7G*A76) answering the LAKESHORE "
      "request in 814_multi_interchange.x12",
      [u_ic(LAKESHORE, at("20261026", "1815"), 5102, "GE", [response(
          "AMI20261026000002", "20261026", MULTI_ENR_BGN, LAKESHORE, UNKNOWN, "LKSE0000011", ("U", "021"),
          [["REF", "7G", "A76", "ACCOUNT NOT FOUND"], ["REF", "11", "LK909995"], ["REF", "12", UNKNOWN.number]])])])


def utility_initiated(bgn02: str, lin01: str, acct: Account, old: Account, sp: ServicePoint, status: str) -> Txn:
    return Txn("814", [
        ["BGN", "11", bgn02, "20261026", "", "", "MANUAL"],
        *n1_parties(BRIGHT, False),
        *n1_customer(acct, address=True),
        lin(lin01),
        ["ASI", "WQ", "021"],
        ["REF", "12", acct.number],
        ["REF", "45", old.number],
        ["REF", "1P", status],
        ["REF", "LU", sp.sp_id],
        ["REF", "NH", sp.rate],
        ["REF", "BF", acct.bill_group],
        ["DTM", "150", "20261026"],
    ])


valid("814_utility_initiated_enroll.x12", "out", "two utility-initiated enrollments (BGN06 MANUAL, REF*45 old "
      "account) in one group: REF*1P*BNK (bankruptcy) and REF*1P*UIE",
      [u_ic(BRIGHT, at("20261026", "1816"), 5103, "GE", [
          utility_initiated("AMI20261026000003", "AMIU0000003", A11, A11_OLD, SP11, "BNK"),
          utility_initiated("AMI20261026000004", "AMIU0000004", A12, A12_OLD, SP12, "UIE")])])

valid("814_drop_accept.x12", "out", "814 drop accept (ASI*WQ*024, DTM*151 drop date); the segment terminator "
      "is the newline itself (byte after ISA16 is LF)",
      [u_ic(BRIGHT, at("20261017", "0610"), 5104, "GE", [response(
          "AMI20261017000005", "20261017", DROP_BGN, BRIGHT, A09, DROP_LIN, ("WQ", "024"),
          [["REF", "11", "BRT-940094"], ["REF", "12", A09.number]],
          [["DTM", "151", d8(read_date(A09.bill_group, 2026, 11))]])])], NEWLINE_TERMINATOR)

valid("814_drop_reject.x12", "out", "814 drop reject (ASI*U*024, REF*7G*008 account not active) answering the "
      "PRAIRIE drop in 814_multi_interchange.x12",
      [u_ic(PRAIRIE, at("20261026", "1817"), 5105, "GE", [response(
          "AMI20261026000006", "20261026", MULTI_DROP_BGN, PRAIRIE, A13, "PRPD0000033", ("U", "024"),
          [["REF", "7G", "008", "ACCOUNT NOT ACTIVE"], ["REF", "11", "PRP-151151"], ["REF", "12", A13.number]])])])

valid("814_drop_cancel_response.x12", "out", "814 drop cancel accept (ASI*WQ*026) answering "
      "814_drop_cancel_request.x12",
      [u_ic(BRIGHT, at("20261020", "0605"), 5106, "GE", [response(
          "AMI20261020000007", "20261020", CANCEL_BGN, BRIGHT, A09, CANCEL_LIN, ("WQ", "026"),
          [["REF", "11", "BRT-940094"], ["REF", "12", A09.number]])])])

valid("814_rescission_response.x12", "out", "814 rescission accept (ASI*WQ*024 + REF*1P*EB3) answering "
      "814_rescission_request.x12",
      [u_ic(LAKESHORE, at("20261022", "0600"), 5107, "GE", [response(
          "AMI20261022000008", "20261022", RESC_BGN, LAKESHORE, A10, RESC_LIN, ("WQ", "024"),
          [["REF", "1P", "EB3"], ["REF", "11", "LK901021"], ["REF", "12", A10.number]])])])

valid("814_reinstatement_request.x12", "out", "814 reinstatement request to the prior RES (ASI*7*025, "
      "DTM*150 = original start), sent after the LAKESHORE rescission",
      [u_ic(PRAIRIE, at("20261022", "0601"), 5108, "GE", [Txn("814", [
          ["BGN", "13", REIN_BGN, "20261022"],
          *n1_parties(PRAIRIE, False),
          *n1_customer(A10),
          lin(REIN_LIN),
          ["ASI", "7", "025"],
          ["REF", "11", "PRP-102102"],
          ["REF", "12", A10.number],
          ["DTM", "150", REIN_START],
      ])])])


# ---- 867s (utility -> RES)
def hour_label(end: dt.datetime) -> tuple[str, str, str]:
    """(date, HHMM, CS|CD) of an interval ending at ``end`` (UTC), in the offset in force DURING the interval.

    So the hour 01:00-02:00 CDT on the fall-back day ends "0200 CD" and the repeated hour ends "0200 CS";
    the interval ending at midnight is "0000" on the next date (spec section 4, Q5, Q6).
    """
    during = (end - dt.timedelta(seconds=1)).astimezone(CENTRAL)
    offset = during.utcoffset()
    assert offset is not None
    local = (end + offset).replace(tzinfo=None)
    return local.strftime("%Y%m%d"), local.strftime("%H%M"), "CD" if during.dst() else "CS"


def iso_end(end: dt.datetime) -> str:
    """ISO 8601 label of an interval end, with the offset in force during the interval (see hour_label)."""
    during = (end - dt.timedelta(seconds=1)).astimezone(CENTRAL)
    offset = during.utcoffset()
    assert offset is not None
    return end.astimezone(dt.timezone(offset)).isoformat()


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=CENTRAL).astimezone(UTC)


def quarter_kwh(meter: str, end: dt.datetime) -> Decimal:
    """A deterministic 15-minute load shape (kWh) for the interval meters."""
    local = end.astimezone(CENTRAL)
    h = local.hour + local.minute / 60
    if meter == M05A.number:  # food plant: two shifts
        v = 38 + 22 * math.sin((h - 6) / 24 * 2 * math.pi) + (local.minute % 30) / 10
    elif meter == M05S.number:  # sub-metered cold store billed elsewhere
        v = 6.5 + 1.5 * math.cos(h / 24 * 2 * math.pi)
    else:  # steel works
        v = 410 + 160 * math.sin((h - 8) / 24 * 2 * math.pi) + (local.minute % 45) / 4
    return Decimal(f"{v:.3f}")


@dataclass
class IntervalRead:
    meter: str
    end: dt.datetime  # UTC
    kwh: Decimal | None
    quality: str


def interval_reads() -> list[IntervalRead]:
    """samples/meter/interval.csv: meters 40000052 (A) and 40000053 (S), 2026-10-31 and 2026-11-01."""
    start, stop = day_start(dt.date(2026, 10, 31)), day_start(dt.date(2026, 11, 2))
    out = []
    for meter in (M05A.number, M05S.number):
        end = start + dt.timedelta(minutes=15)
        while end <= stop:
            kwh: Decimal | None = quarter_kwh(meter, end)
            quality = "A"
            local = end.astimezone(CENTRAL)
            if meter == M05S.number and local.date() == dt.date(2026, 10, 31) and local.hour == 9:
                if local.minute == 30:
                    quality = "E"
                elif local.minute == 45:
                    kwh, quality = None, "M"
            out.append(IntervalRead(meter, end, kwh, quality))
            end += dt.timedelta(minutes=15)
    return out


INTERVAL_READS = interval_reads()


def hourly(meter: str, start: dt.datetime, stop: dt.datetime) -> list[tuple[dt.datetime, Decimal, str]]:
    """Hour-ending sums of the 15-minute reads in [start, stop): (hour end, kWh, QD|KA).

    An hour with an estimated or missing interval is sent as KA; a missing interval is filled with the
    interval before it (a sample estimate, nothing more).
    """
    reads = [r for r in INTERVAL_READS if r.meter == meter and start < r.end <= stop]
    by_hour: dict[dt.datetime, list[IntervalRead]] = {}
    prev = Decimal(0)
    for r in reads:
        hour_end = (r.end - dt.timedelta(seconds=1)).replace(minute=0, second=0) + dt.timedelta(hours=1)
        by_hour.setdefault(hour_end, []).append(r)
    out = []
    for hour_end, rs in sorted(by_hour.items()):
        total = Decimal(0)
        qual = "QD"
        for r in rs:
            if r.kwh is None:
                total += prev
                qual = "KA"
            else:
                total += r.kwh
                prev = r.kwh
                if r.quality == "E":
                    qual = "KA"
        out.append((hour_end, total, qual))
    return out


def synthetic_hourly(meter: str, start: dt.datetime, stop: dt.datetime) -> list[tuple[dt.datetime, Decimal, str]]:
    """Hourly values straight from the load shape (for days that interval.csv does not cover)."""
    out = []
    end = start + dt.timedelta(hours=1)
    while end <= stop:
        total = sum((quarter_kwh(meter, end - dt.timedelta(minutes=m)) for m in (0, 15, 30, 45)), Decimal(0))
        out.append((end, total, "QD"))
        end += dt.timedelta(hours=1)
    return out


def period_dtms(start: dt.datetime, stop: dt.datetime) -> list[Seg]:
    """DTM*150/151 of a PTD loop: the date, plus time and time code when the boundary is not midnight."""

    def one(qual: str, when: dt.datetime) -> Seg:
        local = when.astimezone(CENTRAL)
        if local.hour == 0 and local.minute == 0:
            return ["DTM", qual, local.strftime("%Y%m%d")]
        return ["DTM", qual, local.strftime("%Y%m%d"), local.strftime("%H%M"), "CD" if local.dst() else "CS"]

    return [one("150", start), one("151", stop)]


def heading_867(bpt: Seg, res: Party, sp: ServicePoint, res_account: str) -> list[Seg]:
    acct = sp.account
    return [bpt, *n1_parties(res, False), *n1_customer(acct),
            ["REF", "12", acct.number], ["REF", "11", res_account], ["REF", "LU", sp.sp_id],
            ["REF", "NH", sp.rate], ["REF", "BF", acct.bill_group]]


def interval_867(bpt: Seg, res: Party, sp: ServicePoint, res_account: str, start: dt.datetime,
                 stop: dt.datetime, meters: list[tuple[Meter, list[tuple[dt.datetime, Decimal, str]]]]) -> Txn:
    body = heading_867(bpt, res, sp, res_account)
    net = sum((v if m.role == "A" else -v for m, vals in meters for _, v, _ in vals), Decimal(0))
    body += [["PTD", "SU"], *period_dtms(start, stop), ["QTY", "QD", f"{net}", "KH"]]
    for meter, vals in meters:
        body += [["PTD", "BO", "", "", "MG", meter.number], *period_dtms(start, stop),
                 ["REF", "MG", meter.number], ["REF", "JH", meter.role]]
        for end, kwh, qual in vals:
            date, hhmm, code = hour_label(end)
            body += [["QTY", qual, f"{kwh}", "KH"], ["DTM", "582", date, hhmm, code]]
    return Txn("867", body)


def bpt(ref: str, day: str, purpose: str = "00", final: bool = False) -> Seg:
    return ["BPT", purpose, ref, day, "C1", "", "", "F" if final else ""]


# normal day, spring-forward, fall-back, additive/subtractive, split hour
D_NORMAL = dt.date(2026, 6, 16)
valid("867_interval_normal.x12", "out", "867MU interval, normal day: 24 hour-ending values, the last one "
      "labelled 0000 on the next date (Q5), DS4 service point, PRAIRIE POWER",
      [u_ic(PRAIRIE, at("20260618", "0200"), 5109, "PT", [interval_867(
          bpt("AMI867202606000001", "20260618"), PRAIRIE, SP06, "PRP-600060",
          day_start(D_NORMAL), day_start(D_NORMAL + dt.timedelta(days=1)),
          [(M06, synthetic_hourly(M06.number, day_start(D_NORMAL), day_start(D_NORMAL + dt.timedelta(days=1))))])])])

D_SPRING = dt.date(2026, 3, 8)
valid("867_interval_springforward.x12", "out", "867MU interval, spring-forward day 2026-03-08: 23 values, "
      "0100 CS, 0200 CS, then 0400 CD (no HE 0300)",
      [u_ic(PRAIRIE, at("20260310", "0200"), 5110, "PT", [interval_867(
          bpt("AMI867202603000001", "20260310"), PRAIRIE, SP06, "PRP-600060",
          day_start(D_SPRING), day_start(D_SPRING + dt.timedelta(days=1)),
          [(M06, synthetic_hourly(M06.number, day_start(D_SPRING), day_start(D_SPRING + dt.timedelta(days=1))))])])])

D_FALL = dt.date(2026, 11, 1)
FALL_START, FALL_STOP = day_start(D_FALL), day_start(D_FALL + dt.timedelta(days=1))
valid("867_interval_fallback.x12", "out", "867MU interval, fall-back day 2026-11-01: 25 values per meter, HE 0200 "
      "twice (CD then CS); additive and subtractive meter, SU = net; built from samples/meter/interval.csv",
      [u_ic(BRIGHT, at("20261103", "0200"), 5111, "PT", [interval_867(
          bpt("AMI867202611000001", "20261103"), BRIGHT, SP05, "BRT-520052", FALL_START, FALL_STOP,
          [(M05A, hourly(M05A.number, FALL_START, FALL_STOP)),
           (M05S, hourly(M05S.number, FALL_START, FALL_STOP))])])])

D_AS = dt.date(2026, 10, 31)
AS_START, AS_STOP = day_start(D_AS), day_start(D_AS + dt.timedelta(days=1))
AS_BPT02 = "AMI867202611000002"
valid("867_interval_additive_subtractive.x12", "out", "867MU interval with an additive (REF*JH*A) and a "
      "subtractive (REF*JH*S) meter, SU = A - S; hour 1000 of the S meter is QTY*KA (estimated and missing "
      "15-minute reads in interval.csv)",
      [u_ic(BRIGHT, at("20261102", "0200"), 5112, "PT", [interval_867(
          bpt(AS_BPT02, "20261102"), BRIGHT, SP05, "BRT-520052", AS_START, AS_STOP,
          [(M05A, hourly(M05A.number, AS_START, AS_STOP)), (M05S, hourly(M05S.number, AS_START, AS_STOP))])])])


def split_867(bpt_: Seg, start: dt.datetime, stop: dt.datetime, part: int) -> Txn:
    """One side of a read at 14:30 CDT: the boundary hour HE 1500 appears in both 867s (spec 4.5, Q7)."""
    day = day_start(dt.date(2026, 7, 14))
    vals = synthetic_hourly(M06.number, day, day + dt.timedelta(days=1))
    boundary_hour = day + dt.timedelta(hours=15)
    out = []
    for end, kwh, qual in vals:
        if end == boundary_hour:
            first = (kwh * Decimal("0.55")).quantize(Decimal("0.001"))
            out.append((end, first if part == 1 else kwh - first, qual))
        elif start < end <= stop:
            out.append((end, kwh, qual))
    return interval_867(bpt_, PRAIRIE, SP06, "PRP-600060", start, stop, [(M06, out)])


SPLIT_AT = dt.datetime(2026, 7, 14, 14, 30, tzinfo=CENTRAL).astimezone(UTC)
valid("867_interval_split_hour.x12", "out", "split boundary hour: a special read at 14:30 CDT ends one period and "
      "starts the next; HE 1500 appears in both 867s with its part of the usage, DTM*150/151 carry 1430 CD; "
      "two transaction sets in one group",
      [u_ic(PRAIRIE, at("20260716", "0200"), 5113, "PT", [
          split_867(bpt("AMI867202607000001", "20260716"), day_start(dt.date(2026, 7, 14)), SPLIT_AT, 1),
          split_867(bpt("AMI867202607000002", "20260716"), SPLIT_AT, day_start(dt.date(2026, 7, 15)), 2)])])


# scalar 867s
@dataclass(frozen=True)
class ScalarRead:
    meter: Meter
    start: dt.date
    end: dt.date
    begin_reading: Decimal
    end_reading: Decimal
    demand: Decimal | None = None

    @property
    def kwh(self) -> Decimal:
        return self.end_reading - self.begin_reading


SEP_02 = ScalarRead(M02, read_date("12", 2026, 8), read_date("12", 2026, 9), Decimal("17636.4"),
                    Decimal("18234.6"), Decimal("4.0"))
OCT_02 = ScalarRead(M02, read_date("12", 2026, 9), read_date("12", 2026, 10), Decimal("18234.6"),
                    Decimal("18859.4"), Decimal("4.2"))
FINAL_08 = ScalarRead(M08, read_date("10", 2026, 9), dt.date(2026, 10, 20), Decimal("51207.0"),
                      Decimal("51811.0"))


def scalar_867(bpt_: Seg, res: Party, sp: ServicePoint, res_account: str, read: ScalarRead) -> Txn:
    body = heading_867(bpt_, res, sp, res_account)
    dates = [["DTM", "150", d8(read.start)], ["DTM", "151", d8(read.end)]]
    body += [["PTD", "SU"], *dates, ["QTY", "QD", f"{read.kwh}", "KH"]]
    if read.demand is not None:
        body.append(["QTY", "QD", f"{read.demand}", "K1"])
    body += [["PTD", "PM", "", "", "MG", read.meter.number], *dates,
             ["REF", "MG", read.meter.number], ["REF", "JH", read.meter.role],
             ["QTY", "QD", f"{read.kwh}", "KH"],
             ["MEA", "", "PRQ", f"{read.kwh}", "KH", f"{read.begin_reading}", f"{read.end_reading}", "51"]]
    if read.demand is not None:
        body += [["QTY", "QD", f"{read.demand}", "K1"], ["MEA", "", "PRQ", f"{read.demand}", "K1", "", "", "51"]]
    return Txn("867", body)


SCALAR_BPT02 = "AMI867202610000003"
SCALAR_DAY = OCT_02.end + dt.timedelta(days=1)
valid("867_scalar.x12", "out", "867MU scalar: PTD*SU summary plus PTD*PM meter loop with MEA (no MEA01, begin and "
      "end reading, TOU 51), kWh and kW; the service point billed by 810_billready_original.x12",
      [u_ic(BRIGHT, at(d8(SCALAR_DAY), "0200"), 5114, "PT", [scalar_867(
          bpt(SCALAR_BPT02, d8(SCALAR_DAY)), BRIGHT, SP02, "BRT-290029", OCT_02)])])

valid("867_final.x12", "out", "final 867 (BPT07 F) for a finaled account, scalar, final read off-cycle",
      [u_ic(BRIGHT, at("20261021", "0200"), 5115, "PT", [scalar_867(
          bpt("AMI867202610000004", "20261021", final=True), BRIGHT, SP08, "BRT-860086", FINAL_08)])])

valid("867_cancel.x12", "out", "867 cancel (BPT01 01) of the September 867 of the same service point, same "
      "content as the original",
      [u_ic(BRIGHT, at("20261019", "0200"), 5116, "PT", [scalar_867(
          bpt("AMI867202610000005", "20261019", purpose="01"), BRIGHT, SP02, "BRT-290029", SEP_02)])])


# ---- 810s (RES -> utility)
def invoice(big02: str, day: str, purpose: str, read: ScalarRead, rate: Decimal,
            extra_refs: Sequence[Seg] = ()) -> Txn:
    energy = (read.kwh * rate * 100).quantize(Decimal("1"))
    fee = Decimal(500)
    return Txn("810", [
        ["BIG", day, big02, "", "", "", "", "ME", purpose],
        *extra_refs,
        ["REF", "11", "BRT-290029"],
        ["REF", "12", A02.number],
        ["REF", "LU", SP02.sp_id],
        *n1_parties(BRIGHT, True),
        *n1_customer(A02),
        ["IT1", "1", "", "", "", "", "SV", "ELECTRIC", "C3", "ACCOUNT"],
        ["DTM", "150", d8(read.start)],
        ["DTM", "151", d8(read.end)],
        ["SAC", "C", "", "EU", "ENC001", f"{energy}", "", "", f"{rate}", "KH", f"{read.kwh}", "", "", "", "",
         "SUPPLY CHARGE"],
        ["SAC", "C", "", "EU", "MSC001", f"{fee}", "", "", "", "", "", "", "", "", "", "MONTHLY SUPPLIER FEE"],
        ["TDS", f"{energy + fee}"],
    ])


INVOICE_OCT = "RESINV2026001024"
valid("810_billready_original.x12", "in", "810 bill-ready invoice (BIG08 00) for one service point: supply "
      "charge 624.8 kWh x 0.0731 + monthly fee, TDS = sum of SAC05 (layout of spec example 5.5)",
      [r_ic(BRIGHT, at("20261021", "0800"), 2106, "IN", [
          invoice(INVOICE_OCT, "20261021", "00", OCT_02, Decimal("0.0731"))])])

valid("810_billready_cancel.x12", "in", "810 bill-ready cancel (BIG08 01 + REF*OI) of the September invoice, "
      "after the September 867 was cancelled",
      [r_ic(BRIGHT, at("20261020", "0810"), 2105, "IN", [
          invoice("RESINV2026000987", "20261020", "01", SEP_02, Decimal("0.0731"),
                  [["REF", "OI", "RESINV2026000911"]])])])


# ---- 824s and 997s
valid("824_reject_810.x12", "out", "824 rejecting a bill-ready 810 (OTI*TR*TN*<BIG02> with the original group "
      "references, TED*API + NTE); account REFs after the N1 loops",
      [u_ic(BRIGHT, at("20261022", "0605"), 5117, "AG", [Txn("824", [
          ["BGN", "00", "AMI824202610000001", "20261022"],
          *n1_parties(BRIGHT, False),
          *n1_customer(A02),
          ["REF", "12", A02.number],
          ["REF", "11", "BRT-290029"],
          ["OTI", "TR", "TN", "RESINV2026001031", BRIGHT.duns, UTILITY.duns, "20261021", "1530", "2108", "0001",
           "810"],
          ["DTM", "003", "20261021"],
          ["TED", "API", "SERVICE PERIOD DOES NOT MATCH 867"],
          ["NTE", "ADD", f"867 PERIOD IS {d8(OCT_02.start)} TO {d8(OCT_02.end)}"],
      ])])])

AS_GS06 = 5112
valid("824_from_res_reject_867.x12", "in", "from BRIGHT ENERGY, one interchange with two groups: a 997 (GS*FA) "
      "accepting our 867 group 5112 and an 824 (GS*AG) rejecting that 867 with TED*A76; account REFs inside "
      "the OTI loop",
      [Interchange(BRIGHT, UTILITY, at("20261103", "0930"), 2109, [
          Group("FA", 2109, [Txn("997", [["AK1", "PT", str(AS_GS06)], ["AK2", "867", "0001"], ["AK5", "A"],
                                         ["AK9", "A", "1", "1", "1"]])]),
          Group("AG", 2110, [Txn("824", [
              ["BGN", "00", "BRT824202611000001", "20261103"],
              *n1_parties(BRIGHT, True),
              *n1_customer(A05),
              ["OTI", "TR", "TN", AS_BPT02, UTILITY.duns, BRIGHT.duns, "20261102", "0200", str(AS_GS06), "0001",
               "867"],
              ["REF", "12", A05.number],
              ["REF", "11", "BRT-520052"],
              ["TED", "A76", "ACCOUNT NOT FOUND IN RES SYSTEM"],
          ])])])])

valid("997_from_res.x12", "in", "997 from BRIGHT ENERGY accepting our 814 group 5101 (814_enroll_accept.x12)",
      [r_ic(BRIGHT, at("20261003", "0745"), 2102, "FA", [Txn("997", [
          ["AK1", "GE", "5101"], ["AK2", "814", "0001"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]])])])

valid("997_to_res.x12", "out", "our 997s to BRIGHT ENERGY, two in one group: one accepting its 810 group 2106 "
      "(810_billready_original.x12), one rejecting its 810 group 2107 with AK3/AK4 (bad SAC01)",
      [u_ic(BRIGHT, at("20261021", "1900"), 5118, "FA", [
          Txn("997", [["AK1", "IN", "2106"], ["AK2", "810", "0001"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]),
          Txn("997", [["AK1", "IN", "2107"], ["AK2", "810", "0001"], ["AK3", "SAC", "12", "", "8"],
                      ["AK4", "1", "248", "7", "X"], ["AK5", "R", "5"], ["AK9", "R", "1", "1", "0"]])])])


# --------------------------------------------------------------------------- the broken corpus
BAD: dict[str, tuple[str, bytes, list[dict[str, Any]]]] = {}
"""name -> (description, bytes, expected partial findings)"""


def base_drop(ctl: int = 2201) -> Interchange:
    """A small valid 814 drop request from BRIGHT ENERGY, the starting point of most broken files."""
    return r_ic(BRIGHT, at("20261028", "0900"), ctl, "GE", [Txn("814", [
        ["BGN", "13", f"BRT2026102800{ctl}", "20261028"],
        *n1_parties(BRIGHT, True),
        *n1_customer(A09),
        lin(f"BRTD000{ctl}"),
        ["ASI", "7", "024"],
        ["REF", "1P", "A13", "CUSTOMER REQUESTED DROP"],
        ["REF", "11", "BRT-940094"],
        ["REF", "12", A09.number],
        ["DTM", "007", "20261110"],
    ])])


def find(segs: list[Seg], seg_id: str, nth: int = 1, first: str | None = None) -> int:
    """1-based position in the file of the nth segment with this id (and element 01, if given)."""
    n = 0
    for i, s in enumerate(segs, 1):
        if s[0] == seg_id and (first is None or s[1] == first):
            n += 1
            if n == nth:
                return i
    raise LookupError(f"{seg_id} #{nth} not found")


def bad(name: str, description: str, segs: list[Seg], findings: list[dict[str, Any]], style: Style = LF,
        tail: str = "") -> None:
    BAD[name] = (description, (render(segs, style) + tail).encode("ascii"), findings)


def mutate(ics: Sequence[Interchange], change: Callable[[list[Seg]], None]) -> list[Seg]:
    segs = [list(s) for ic in ics for s in interchange_segments(ic, LF)]  # copies: bodies are shared
    change(segs)
    return segs


def set_el(segs: list[Seg], pos: int, element: int, value: str) -> None:
    segs[pos - 1][element] = value


def build_bad() -> None:
    drop = [base_drop()]
    segs = mutate(drop, lambda s: None)
    se, ge, iea = find(segs, "SE"), find(segs, "GE"), find(segs, "IEA")

    s = mutate(drop, lambda x: set_el(x, se, 1, "15"))
    bad("bad_se01_count.x12", "SE01 says 15 segments, the set has 13 (ST..SE)", s,
        [{"position": se, "segment_id": "SE", "element": 1, "ak5": "4"}])

    s = mutate(drop, lambda x: set_el(x, se, 2, "0002"))
    bad("bad_se02_mismatch.x12", "SE02 0002 does not match ST02 0001", s,
        [{"position": se, "segment_id": "SE", "element": 2, "ak5": "3"}])

    s = mutate(drop, lambda x: set_el(x, ge, 1, "2"))
    bad("bad_ge01_count.x12", "GE01 says 2 transaction sets, the group has 1", s,
        [{"position": ge, "segment_id": "GE", "element": 1, "ak9": "5"}])

    s = mutate(drop, lambda x: set_el(x, ge, 2, "2299"))
    bad("bad_ge02_mismatch.x12", "GE02 2299 does not match GS06 2201", s,
        [{"position": ge, "segment_id": "GE", "element": 2, "ak9": "4"}])

    s = mutate(drop, lambda x: set_el(x, iea, 1, "2"))
    bad("bad_iea01_count.x12", "IEA01 says 2 functional groups, the interchange has 1", s,
        [{"position": iea, "segment_id": "IEA", "element": 1, "ta1": "021"}])

    s = mutate(drop, lambda x: set_el(x, iea, 2, "000002299"))
    bad("bad_iea02_mismatch.x12", "IEA02 000002299 does not match ISA13 000002201", s,
        [{"position": iea, "segment_id": "IEA", "element": 2, "ta1": "001"}])

    two = r_ic(BRIGHT, at("20261028", "0900"), 2202, "GE",
               [base_drop(2202).groups[0].txns[0], base_drop(2203).groups[0].txns[0]])
    two.groups[0].txns[1].st02 = "0001"
    s = mutate([two], lambda x: None)
    bad("bad_duplicate_st02.x12", "two transaction sets in one group both use ST02 0001", s,
        [{"position": find(s, "ST", 2), "segment_id": "ST", "element": 2, "ak5": "23"}])

    grp2 = Interchange(BRIGHT, UTILITY, at("20261028", "0900"), 2204, [
        Group("GE", 2204, base_drop(2204).groups[0].txns), Group("GE", 2204, base_drop(2205).groups[0].txns)])
    s = mutate([grp2], lambda x: None)
    bad("bad_duplicate_gs06.x12", "two functional groups in one interchange both use GS06 2204", s,
        [{"position": find(s, "GS", 2), "segment_id": "GS", "element": 6, "ak9": "6"}])

    s = mutate([base_drop(2206), base_drop(2206)], lambda x: None)
    bad("bad_duplicate_isa13.x12", "two interchanges in one file both use ISA13 000002206", s,
        [{"position": find(s, "ISA", 2), "segment_id": "ISA", "element": 13, "ta1": "025"}])

    mism = base_drop(2207)
    mism.groups[0].gs01 = "PT"
    s = mutate([mism], lambda x: None)
    bad("bad_gs01_st01_mismatch.x12", "GS*PT (867 group) holding an ST*814: AK5 code 6. pyx12 also validates the "
        "set against the 867 map, so every 814 body segment is 'not found' (AK3 code 1); we do not check a set "
        "against a map that is not its own, and report only the one real problem", s,
        [{"position": find(s, "ST"), "segment_id": "ST", "element": 1, "ak5": "6"}])

    s = mutate(drop, lambda x: set_el(x, find(x, "ASI"), 1, "ZZ"))
    bad("bad_asi_code.x12", "ASI01 ZZ is not an action code: element error, the segment is still recognised "
        "(regex, not valid_codes, in the map)", s,
        [{"position": find(s, "ASI"), "segment_id": "ASI", "element": 1, "ak4": "7"},
         {"position": find(s, "ASI"), "segment_id": "ASI", "ak3": "8"}])

    def drop_ref12(x: list[Seg]) -> None:
        del x[find(x, "REF", first="12") - 1]
        set_el(x, find(x, "SE"), 1, str(int(x[find(x, "SE") - 1][1]) - 1))

    s = mutate(drop, drop_ref12)
    bad("bad_missing_ref12.x12", "the LIN loop has no REF*12 (LDC account), which the map requires; pyx12 reports "
        "it at the next segment read (DTM*007)", s,
        [{"position": find(s, "DTM"), "segment_id": "REF", "ak3": "3"}])

    def drop_bgn(x: list[Seg]) -> None:
        del x[find(x, "BGN") - 1]
        set_el(x, find(x, "SE"), 1, str(int(x[find(x, "SE") - 1][1]) - 1))

    s = mutate(drop, drop_bgn)
    bad("bad_missing_bgn.x12", "no BGN: BGN opens the HEADER wrapper loop, so pyx12 reports the N1 segments as "
        "not found and the missing mandatory BGN at the LIN, where it finds the DETAIL loop", s,
        [{"position": find(s, "N1", first="8S"), "segment_id": "N1", "ak3": "1"},
         {"position": find(s, "LIN"), "segment_id": "BGN", "ak3": "3"}])

    s = mutate(drop, lambda x: set_el(x, find(x, "REF", first="12"), 2, "2000000094000000000000000000001"))
    bad("bad_element_too_long.x12", "REF*12 REF02 has 31 characters; 127 is AN 1/30 in 4010", s,
        [{"position": find(s, "REF", first="12"), "segment_id": "REF", "element": 2, "ak4": "5"}])

    s = mutate(drop, lambda x: set_el(x, find(x, "DTM"), 2, "20261131"))
    bad("bad_invalid_date.x12", "DTM*007 date 20261131 (November has 30 days)", s,
        [{"position": find(s, "DTM"), "segment_id": "DTM", "element": 2, "ak4": "8"}])

    def bad_time(x: list[Seg]) -> None:
        x[find(x, "DTM") - 1] = ["DTM", "007", "20261110", "2460", "CT"]

    s = mutate(drop, bad_time)
    bad("bad_invalid_time.x12", "DTM*007 time 2460 (minute 60)", s,
        [{"position": find(s, "DTM"), "segment_id": "DTM", "element": 3, "ak4": "9"}])

    s = mutate(drop, lambda x: set_el(x, find(x, "BGN"), 2, ""))
    bad("bad_missing_element.x12", "BGN02 (transaction reference) is empty", s,
        [{"position": find(s, "BGN"), "segment_id": "BGN", "element": 2, "ak4": "1"}])

    def unknown(x: list[Seg]) -> None:
        x.insert(find(x, "DTM") - 1, ["XYZ", "UNKNOWN", "SEGMENT"])
        set_el(x, find(x, "SE"), 1, str(int(x[find(x, "SE") - 1][1]) + 1))

    s = mutate(drop, unknown)
    bad("bad_unknown_segment.x12", "a segment XYZ that no 814 has, inside the LIN loop", s,
        [{"position": find(s, "XYZ"), "segment_id": "XYZ", "ak3": "1"}])

    full = render(segs, LF)
    cut = full.index("REF*12*") + len("REF*12*20000")
    BAD["bad_truncated.x12"] = (
        "the file stops in the middle of REF*12 (no terminator, no SE/GE/IEA); pyx12 drops the unterminated "
        "segment and reports the missing trailers at end of file",
        full[:cut].encode("ascii"),
        [{"segment_id": "SE", "ak5": "2"}, {"segment_id": "GE", "ak9": "3"}, {"segment_id": "IEA", "ta1": "023"}])

    bad("bad_garbage_after_iea.x12", "text after the IEA. pyx12 cannot see it: its reader stops at the last "
        "segment terminator and the file validates; our validator must report it at the position after the IEA",
        segs, [{"position": len(segs) + 1}], tail="THIS LINE IS NOT X12 - TRANSMISSION PADDING\r\n\x1a")

    BAD["bad_empty.x12"] = ("an empty file (0 bytes); pyx12 cannot read it (no ISA)", b"",
                            [{"segment_id": "", "position": 0}])

    BAD["bad_no_isa.x12"] = (
        "the file starts with GS: the ISA is missing, so neither the separators nor the envelope can be read; "
        "pyx12 cannot read it",
        render(segs[1:], LF).encode("ascii"), [{"segment_id": "", "position": 0}])

    mixed = r_ic(BRIGHT, at("20261028", "0900"), 2208, "GE",
                 [base_drop(2208).groups[0].txns[0], base_drop(2209).groups[0].txns[0],
                  base_drop(2210).groups[0].txns[0]])

    def spoil(x: list[Seg]) -> None:
        set_el(x, find(x, "ASI", 2), 1, "ZZ")
        set_el(x, find(x, "SE", 3), 1, "99")

    s = mutate([mixed], spoil)
    bad("bad_mixed.x12", "one group, three 814s: 0001 is good, 0002 has a bad ASI01, 0003 a wrong SE01", s,
        [{"position": find(s, "ASI", 2), "segment_id": "ASI", "element": 1, "ak4": "7"},
         {"position": find(s, "SE", 3), "segment_id": "SE", "element": 1, "ak5": "4"}])


#: sub-folder of bad/ for broken files pyx12 cannot read, crashes on, or reads differently (encodings, the ISA's
#: shape, envelope shapes its walker indexes out of range): the pyx12 comparisons of tests/edi leave them out;
#: tests/fuzz/test_catalogue.py checks our findings and acknowledgments on them
BEYOND = "beyond-pyx12/"


def raw(name: str, description: str, data: bytes, findings: list[dict[str, Any]]) -> None:
    """A broken file given as bytes (non-ASCII, invalid UTF-8, binary, not X12 at all)."""
    BAD[name] = (description, data, findings)


def build_bad_catalogue() -> None:
    """The catalogue of broken files partners really send, beyond the envelope and guide basics above.

    Each is the small drop request of ``base_drop`` broken one way. Files that cannot be committed
    (a 100 MB segment) or are not files (a directory, a symlink, a FIFO in the inbox) are made by
    ``tests/integration/test_bad_inbox.py`` at test time.
    """
    drop = [base_drop(2301)]
    segs = mutate(drop, lambda s: None)
    text = render(segs, LF)
    isa, rest = text.split("\n", 1)
    at = {sid: find(segs, sid) for sid in ("BGN", "LIN", "ASI", "DTM", "SE", "GE", "IEA")}
    n1_8r, ref12 = find(segs, "N1", first="8R"), find(segs, "REF", first="12")

    def same_length_isa(element: int, value: str) -> str:
        parts = isa.split("*")
        assert len(value) == len(parts[element]), (element, value)
        parts[element] = value
        return "*".join(parts)

    # ---- the ISA itself: its length, separators and fixed-width fields
    short = isa.replace("*01*987654321      *", "*01*98765432      *")
    bad(BEYOND + "bad_isa_105_characters.x12",
        "the ISA is 105 characters (ISA06 one character short): the separators are "
        "still found, the length is reported", [], [{"position": 1, "segment_id": "ISA", "ta1": "024"}],
        tail=short + "\n" + rest)
    long_ = isa.replace("*01*987654321      *", "*01*987654321         *")
    bad(BEYOND + "bad_isa_109_characters.x12", "the ISA is 109 characters (ISA06 padded to 18)", [],
        [{"position": 1, "segment_id": "ISA", "ta1": "024"}], tail=long_ + "\n" + rest)
    bad(BEYOND + "bad_isa_element_separator_letter.x12",
        "byte 4 of the ISA is a letter, so no element separator can be "
        "read: nothing else in the file can be read", [],
        [{"position": 1, "segment_id": "ISA", "ta1": "026"}], tail=isa.replace("*", "X", 1) + "\n" + rest)
    bad(BEYOND + "bad_isa_15_elements.x12",
        "the ISA has 15 elements (ISA14 missing): it cannot be read (the reader looks "
        "for the 16th separator past the ISA's end and reports the G of the GS as an unusable ISA16)", [],
        [{"position": 1, "segment_id": "ISA"}],
        tail=isa.replace("*0*T*>~", "*T*>~") + "\n" + rest)
    bad(BEYOND + "bad_isa16_is_element_separator.x12", "ISA16 (component separator) is '*', the element separator", [],
        [{"position": 1, "segment_id": "ISA", "element": 16, "ta1": "027"}],
        tail=isa.replace("*T*>~", "*T**~") + "\n" + rest)
    bad(BEYOND + "bad_isa_terminator_letter.x12", "the segment terminator after ISA16 is a letter", [],
        [{"position": 1, "segment_id": "ISA", "ta1": "024"}], tail=isa.replace("*T*>~", "*T*>X") + "\n" + rest)
    bad(BEYOND + "bad_isa_line_break_inside.x12", "a line break inside ISA06, and the newline is the terminator: "
        "the ISA cannot be read", [], [{"position": 1, "segment_id": "ISA", "ta1": "024"}],
        tail=isa.replace("*T*>~", "*T*>\n").replace("*01*987654321", "*01*98765\r\n4321", 1) + rest.replace("~", "\n"))
    bad(BEYOND + "bad_isa_truncated.x12", "the file stops inside the ISA", [], [{"position": 1, "segment_id": "ISA",
                                                                        "ta1": "024"}], tail=isa[:40])
    bad(BEYOND + "bad_isa13_not_numeric.x12", "ISA13 (control number) holds letters", [],
        [{"position": 1, "segment_id": "ISA", "element": 13, "ta1": "018"}],
        tail=same_length_isa(13, "00000220A") + "\n" + rest.replace("IEA*1*000002301", "IEA*1*00000220A"))
    bad(BEYOND + "bad_isa09_date.x12", "ISA09 is 261332 (month 13)", [],
        [{"position": 1, "segment_id": "ISA", "element": 9, "ta1": "014"}],
        tail=same_length_isa(9, "261332") + "\n" + rest)
    bad(BEYOND + "bad_isa10_time.x12", "ISA10 is 2561 (hour 25)", [],
        [{"position": 1, "segment_id": "ISA", "element": 10, "ta1": "015"}],
        tail=same_length_isa(10, "2561") + "\n" + rest)
    bad(BEYOND + "bad_isa12_version.x12", "ISA12 is 00501, not the 00401 these guides use", [],
        [{"position": 1, "segment_id": "ISA", "element": 12, "ta1": "017"}],
        tail=same_length_isa(12, "00501") + "\n" + rest)
    bad(BEYOND + "bad_isa15_usage.x12", "ISA15 (usage) is X: neither P nor T", [],
        [{"position": 1, "segment_id": "ISA", "element": 15, "ta1": "020"}],
        tail=same_length_isa(15, "X") + "\n" + rest)

    # ---- separators: mixed, or not what the ISA says
    body = rest.split("\n")
    mixed = [body[0], *(line.replace("*", "|") for line in body[1:6]), *body[6:]]
    bad(BEYOND + "bad_mixed_separators.x12",
        "the ISA declares '*', but five segments from the ST on use '|': each reads "
        "as one element, so the set is broken in several places", [],
        [{"position": 3, "segment_id": "ST|814|0001"}], tail=isa + "\n" + "\n".join(mixed))
    bad(BEYOND + "bad_mixed_terminators.x12",
        "the ISA declares '~', but from the LIN on segments end with an apostrophe: "
        "the rest of the file reads as one segment", [],
        [{"position": at["LIN"], "segment_id": "LIN"}],
        tail=isa + "\n" + "\n".join(body[:6]) + "\n" + "\n".join(line.replace("~", "'") for line in body[6:]))
    bad(BEYOND + "bad_newline_terminator_mismatch.x12",
        "the ISA ends with '~' but every other segment ends with a line "
        "break only", [], [{"position": 2, "segment_id": "GS"}],
        tail=isa + "\n" + "\n".join(line.rstrip("~") for line in body))

    # ---- characters: non-ASCII, invalid UTF-8, control bytes
    def name_bytes(value: bytes) -> bytes:
        return text.encode("ascii").replace(b"N1*8R*SUSAN P DROPPER~", b"N1*8R*" + value + b"~")

    raw(BEYOND + "bad_non_ascii_utf8.x12",
        "the customer name has UTF-8 letters outside the X12 character set (JOS\u00c9 "
        "N\u00da\u00d1EZ)", name_bytes("JOS\u00c9 N\u00da\u00d1EZ".encode()),
        [{"position": n1_8r, "segment_id": "N1", "element": 2, "ak4": "6"}])
    raw(BEYOND + "bad_latin1_byte.x12",
        "the customer name has a Latin-1 byte (0xE9, not valid UTF-8)", name_bytes(b"JOS\xe9"),
        [{"position": n1_8r, "segment_id": "N1", "element": 2, "ak4": "6"}])
    raw(BEYOND + "bad_invalid_utf8_sequence.x12",
        "the customer name holds bytes that are no UTF-8 at all (FF FE, a lone "
        "continuation byte 80)", name_bytes(b"SUSAN \xff\xfe\x80"),
        [{"position": n1_8r, "segment_id": "N1", "element": 2, "ak4": "6"}])
    raw(BEYOND + "bad_nul_byte.x12", "a NUL byte inside the customer name", name_bytes(b"SUSAN\x00DROPPER"),
        [{"position": n1_8r, "segment_id": "N1", "element": 2, "ak4": "6"}])
    raw(BEYOND + "bad_control_character.x12", "a BEL control character (0x07) inside the customer name",
        name_bytes(b"SUSAN\x07DROPPER"), [{"position": n1_8r, "segment_id": "N1", "element": 2, "ak4": "6"}])
    raw(BEYOND + "bad_bom_inside.x12", "a UTF-8 byte order mark in the middle of the file, inside the customer name",
        name_bytes(b"\xef\xbb\xbfSUSAN"), [{"position": n1_8r, "segment_id": "N1", "element": 2, "ak4": "6"}])
    raw("bad_utf16.x12", "the whole file is UTF-16 (with its byte order mark): no ISA can be read",
        text.encode("utf-16"), [{"segment_id": "", "position": 0}])
    s_ = mutate(drop, lambda x: set_el(x, n1_8r, 2, "SUSAN P DROPPER   "))
    bad("bad_trailing_spaces.x12", "the customer name ends in spaces", s_,
        [{"position": n1_8r, "segment_id": "N1", "element": 2, "ak4": "6"}])

    # ---- not X12 at all
    raw("bad_gzip.x12", "a gzip-compressed interchange under an .x12 name", gzip.compress(text.encode("ascii"),
                                                                                          mtime=0),
        [{"segment_id": "", "position": 0}])
    raw("bad_zip_header.x12", "a ZIP archive header where the ISA belongs", b"PK\x03\x04" + text.encode("ascii"),
        [{"segment_id": "", "position": 0}])
    raw("bad_binary.x12", "256 bytes of every value 0..255, four times", bytes(range(256)) * 4,
        [{"segment_id": "", "position": 0}])
    raw("bad_only_whitespace.x12", "blank lines and spaces only", b"\r\n  \n\t\n", [{"segment_id": "", "position": 0}])
    raw("bad_only_bom.x12", "a UTF-8 byte order mark and nothing else", b"\xef\xbb\xbf",
        [{"segment_id": "", "position": 0}])
    raw("bad_lowercase_isa.x12", "the interchange written in lower case: 'isa' is not an ISA", text.lower().encode(),
        [{"segment_id": "", "position": 0}])
    raw("bad_leading_garbage.x12", "a line of text before the ISA", b"FILE FROM RES\r\n" + text.encode("ascii"),
        [{"segment_id": "", "position": 0}])
    raw("bad_only_ta1.x12", "a bare TA1 segment, without the ISA/IEA around it", b"TA1*000005101*261003*0745*A*000~\n",
        [{"segment_id": "", "position": 0}])
    raw("bad_xml_bomb.x12", "an XML entity bomb (billion laughs): not X12; `edi translate --to x12` must refuse it",
        XML_BOMB, [{"segment_id": "", "position": 0}])
    raw("bad_xml_external_entity.x12", "XML with an external entity reading /etc/passwd (XXE): not X12; "
        "`edi translate --to x12` must refuse it", XML_XXE, [{"segment_id": "", "position": 0}])
    raw("bad_json.x12", "a JSON translation where X12 belongs", b'{"format": "x12-json/1", "interchanges": []}\n',
        [{"segment_id": "", "position": 0}])

    # ---- envelope: missing trailers and headers, stray envelope segments
    bad("bad_missing_iea.x12", "no IEA: the file ends after the GE", segs[:-1],
        [{"segment_id": "IEA", "ta1": "023"}])
    bad(BEYOND + "bad_missing_ge.x12", "no GE: the IEA follows the SE", segs[:at["GE"] - 1] + segs[at["GE"]:],
        [{"segment_id": "GE", "ak9": "3"}])
    bad(BEYOND + "bad_missing_se.x12", "no SE: the GE follows the DTM", segs[:at["SE"] - 1] + segs[at["SE"]:],
        [{"segment_id": "SE", "ak5": "2"}])
    bad(BEYOND + "bad_missing_gs.x12", "no GS: the ST follows the ISA", segs[:1] + segs[2:],
        [{"position": 2, "segment_id": "ST", "ta1": "024"}])
    bad(BEYOND + "bad_missing_st.x12", "no ST: the BGN follows the GS", segs[:2] + segs[3:],
        [{"position": 3, "segment_id": "BGN", "ta1": "024"}])
    bad(BEYOND + "bad_two_iea.x12",
        "the IEA twice", [*segs, segs[-1]], [{"position": len(segs) + 1, "segment_id": "IEA"}])
    bad("bad_second_isa_without_iea.x12", "a second ISA before the first interchange's IEA",
        segs[:-1] + mutate([base_drop(2302)], lambda s: None), [{"segment_id": "IEA", "ta1": "023"}])
    bad(BEYOND + "bad_ta1_inside_group.x12", "a TA1 between the GS and the ST, where only a transaction set may be",
        [*segs[:2], ["TA1", "000005101", "261003", "0745", "A", "000"], *segs[2:]],
        [{"position": 3, "segment_id": "TA1", "ta1": "024"}])
    s_ = mutate(drop, lambda x: set_el(x, 2, 8, "005010"))
    bad(BEYOND + "bad_gs08_version.x12", "GS08 is 005010: no map for that version", s_,
        [{"position": 2, "segment_id": "GS", "element": 8, "ak9": "2"}])
    s_ = mutate(drop, lambda x: set_el(x, 2, 1, "ZZ"))
    bad(BEYOND + "bad_gs01_unknown.x12", "GS01 ZZ is no functional group of these guides", s_,
        [{"position": 2, "segment_id": "GS", "element": 1, "ak9": "1"}])
    s_ = mutate(drop, lambda x: (set_el(x, 3, 2, "1"), set_el(x, at["SE"], 2, "1")))
    bad("bad_st02_too_short.x12", "ST02 is '1': a transaction set control number has 4 to 9 characters", s_,
        [{"position": 3, "segment_id": "ST", "element": 2, "ak5": "7"}])
    s_ = mutate(drop, lambda x: set_el(x, at["SE"], 1, "-12"))
    bad("bad_se01_negative.x12", "SE01 is -12", s_, [{"position": at["SE"], "segment_id": "SE", "element": 1,
                                                      "ak5": "4"}])

    # ---- segments: dropped, duplicated, reordered, empty, unknown
    s_ = mutate(drop, lambda x: x.insert(at["ASI"], list(x[at["ASI"] - 1])))
    set_el(s_, find(s_, "SE"), 1, "13")
    bad("bad_duplicated_segment.x12", "the ASI twice (max use 1)", s_,
        [{"position": at["ASI"] + 1, "segment_id": "ASI", "ak3": "5"}])

    def reorder(x: list[Seg]) -> None:
        lin = x.pop(at["LIN"] - 1)
        x.insert(find(x, "DTM"), lin)

    s_ = mutate(drop, reorder)
    bad("bad_segments_reordered.x12", "the LIN moved after the REFs: the ASI and REFs come before their loop", s_,
        [{"position": at["LIN"], "segment_id": "ASI", "ak3": "1"}])

    def no_lin_loop(x: list[Seg]) -> None:
        del x[at["LIN"] - 1:at["DTM"]]
        set_el(x, find(x, "SE"), 1, str(int(x[find(x, "SE") - 1][1]) - 6))

    s_ = mutate(drop, no_lin_loop)
    bad("bad_dropped_detail.x12", "the whole LIN loop dropped: a drop request without an account", s_,
        [{"position": find(s_, "SE"), "segment_id": "LIN", "ak3": "3"}])
    bad("bad_empty_segment.x12", "two terminators in a row: an empty segment between the ASI and the REF", [],
        [{"position": at["ASI"] + 1, "segment_id": ""}], tail=text.replace("ASI*7*024~", "ASI*7*024~~"))
    s_ = mutate(drop, lambda x: x.__setitem__(ref12 - 1, ["ref", "12", A09.number]))
    bad("bad_lowercase_segment_id.x12", "a segment id in lower case ('ref')", s_,
        [{"position": ref12, "segment_id": "ref", "ak3": "1"}])
    s_ = mutate(drop, lambda x: set_el(x, ref12, 2, "2000000094>1"))
    bad("bad_component_in_simple_element.x12", "a component separator inside a simple element (REF02)", s_,
        [{"position": ref12, "segment_id": "REF", "element": 2, "ak4": "6"}])
    s_ = mutate(drop, lambda x: x.__setitem__(ref12 - 1, ["REF", "12", A09.number, "X", "Y", "Z"]))
    bad("bad_too_many_elements.x12", "REF*12 with five elements (REF has three)", s_,
        [{"position": ref12, "segment_id": "REF", "ak3": "8"}])
    s_ = mutate(drop, lambda x: set_el(x, ref12, 2, "9" * 5000))
    bad("bad_huge_element.x12", "REF02 is 5,000 digits long (AN 1/30)", s_,
        [{"position": ref12, "segment_id": "REF", "element": 2, "ak4": "5"}])

    # ---- the guide: codes, dates, presence
    s_ = mutate(drop, lambda x: set_el(x, at["DTM"], 2, "20260230"))
    bad("bad_date_february_30.x12", "DTM*007 date 20260230", s_,
        [{"position": at["DTM"], "segment_id": "DTM", "element": 2, "ak4": "8"}])

    def address(x: list[Seg]) -> None:
        x[n1_8r:n1_8r] = [["N3", A09.street], ["N4", A09.city, "XX", "6176"]]
        set_el(x, find(x, "SE"), 1, str(int(x[find(x, "SE") - 1][1]) + 2))

    s_ = mutate(drop, address)
    bad("bad_state_and_zip.x12", "N4 with state XX (no such state) and a four-digit ZIP", s_,
        [{"position": n1_8r + 2, "segment_id": "N4", "element": 2, "ak4": "7"},
         {"position": n1_8r + 2, "segment_id": "N4", "element": 3, "ak4": "7"}])

    def no_8s(x: list[Seg]) -> None:
        del x[find(x, "N1", first="8S") - 1]
        set_el(x, find(x, "SE"), 1, str(int(x[find(x, "SE") - 1][1]) - 1))

    s_ = mutate(drop, no_8s)
    bad("bad_missing_utility_n1.x12", "no N1*8S (the utility): required by the Illinois guides although the map "
        "cannot say so (edi/presence.py); pyx12 does not see it", s_,
        [{"position": find(s_, "LIN"), "segment_id": "N1", "rule": "guide.required-missing"}])


XML_BOMB = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
            + b"".join(b' <!ENTITY lol%d "%s">\n' % (i, (b"&lol%s;" % (str(i - 1).encode() if i > 1 else b"")) * 10)
                       for i in range(1, 10))
            + b']>\n<x12 format="x12-xml/1"><interchange element="*" component="&gt;" segment="~" suffix="LF">'
            + b'<seg id="ISA"><ele id="ISA01">&lol9;</ele></seg></interchange></x12>\n')
XML_XXE = (b'<?xml version="1.0"?>\n<!DOCTYPE x12 [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
           b'<x12 format="x12-xml/1"><interchange element="*" component="&gt;" segment="~" suffix="LF">'
           b'<seg id="ISA"><ele id="ISA01">&xxe;</ele></seg></interchange></x12>\n')


# --------------------------------------------------------------------------- writing
def write_csv(path: Path, header: list[str], rows: Iterable[Sequence[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write_master(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "suppliers.csv", ["duns", "name", "ucb_por", "sbo"],
              ([s["duns"], s["name"], s["ucb_por"], s["sbo"]] for s in SUPPLIERS))
    write_csv(out / "accounts.csv", ["account_number", "customer_name", "service_address", "city", "state", "zip",
                                     "bill_group", "calendar_billing", "status"],
              ([a.number, a.customer, a.street, a.city, "IL", a.zip, a.bill_group, a.calendar, a.status]
               for a in ACCOUNTS))
    optional = ["plc", "load_profile", "delivery_voltage", "supply_voltage", "meter_voltage", "rate_zone"]
    plc = {SP02.sp_id: "4.10", SP05.sp_id: "412.00", SP06.sp_id: "5120.00"}
    write_csv(out / "service-points.csv", ["service_point_id", "account_number", "rate_class", "metering",
                                           "supplier", "lighting", *optional],
              ([sp.sp_id, sp.account.number, sp.rate, sp.metering, sp.supplier, "true" if sp.lighting else "false",
                plc.get(sp.sp_id, ""), sp.extra.get("load_profile", ""), sp.extra.get("delivery_voltage", ""), "",
                "", "ZONE1"] for sp in SERVICE_POINTS))
    write_csv(out / "meters.csv", ["meter_number", "service_point_id", "role", "interval_minutes", "multiplier"],
              ([m.number, m.sp.sp_id, m.role, m.interval, m.multiplier] for m in METERS))
    write_csv(out / "schedule.csv", ["bill_group", "read_date"], ([g, d.isoformat()] for g, d in SCHEDULE))
    write_csv(out / "holidays.csv", ["date", "name"], ([d.isoformat(), n] for d, n in HOLIDAYS))


def write_meter(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "interval.csv", ["meter_number", "interval_end", "kwh", "quality"],
              ([r.meter, iso_end(r.end), "" if r.kwh is None else f"{r.kwh}", r.quality] for r in INTERVAL_READS))

    def local(day: dt.date, hhmm: str) -> str:
        return dt.datetime.strptime(day.isoformat() + hhmm, "%Y-%m-%d%H%M").replace(tzinfo=CENTRAL).isoformat()

    scalar = [
        (M02.number, local(SEP_02.start, "0912"), f"{SEP_02.begin_reading}", "actual"),
        (M02.number, local(SEP_02.end, "1007"), f"{SEP_02.end_reading}", "actual"),
        (M02.number, local(OCT_02.end, "0948"), f"{OCT_02.end_reading}", "actual"),
        (M08.number, local(FINAL_08.start, "1130"), f"{FINAL_08.begin_reading}", "actual"),
        (M08.number, local(FINAL_08.end, "1415"), f"{FINAL_08.end_reading}", "actual"),
        (M09.number, local(read_date("07", 2026, 10), "0830"), "30412.7", "actual"),
        (M07.number, local(dt.date(2026, 10, 31), "2359"), "88120.0", "estimated"),
        (M01.number, local(read_date("05", 2026, 10), "1302"), "7390.2", "actual"),
    ]
    write_csv(out / "scalar.csv", ["meter_number", "read_at", "register_kwh", "read_type"], scalar)
    events = [
        (SP02.sp_id, local(OCT_02.end, "0948")),
        (SP08.sp_id, local(FINAL_08.end, "1415")),
        (SP07.sp_id, local(dt.date(2026, 10, 31), "2359")),
        (SP05.sp_id, dt.datetime(2026, 11, 2, tzinfo=CENTRAL).isoformat()),
        (SP06.sp_id, dt.datetime(2026, 7, 14, 14, 30, tzinfo=CENTRAL).isoformat()),
    ]
    write_csv(out / "read-events.csv", ["service_point_id", "read_at"], events)


def write_readme(path: Path) -> None:
    lines = [
        "# Sample corpus",
        "",
        "Written by `tools/make_samples.py` (deterministic; edit the script, rerun it, commit the output).",
        "All parties and data are fictional. Utility AMEREN ILLINOIS, DUNS 012345678; suppliers",
        "BRIGHT ENERGY LLC 987654321 (bill-ready UCB/POR), PRAIRIE POWER LLC 123456789 (no UCB/POR),",
        "LAKESHORE SUPPLY INC 555666777 (UCB/POR both, SBO agent). ISA qualifier 01, ISA15 T.",
        "Unless a line says otherwise, a file uses `*` `>` `~` with a line feed after every terminator.",
        "",
        "## valid/ (every file validates clean with pyx12 on ../maps)",
        "",
    ]
    for name, (direction, what, _, _) in sorted(VALID.items()):
        arrow = "RES -> utility" if direction == "in" else "utility -> RES"
        lines.append(f"- `{name}` ({arrow}): {what}.")
    lines += ["", "## bad/ (each with `NAME.expected.json`: description and partial findings)", ""]
    for name, (description, _, _) in sorted(BAD.items()):
        if not name.startswith(BEYOND):
            lines.append(f"- `{name}`: {description}.")
    lines += ["", f"### bad/{BEYOND} (broken files pyx12 cannot read, crashes on, or reads differently)", "",
              "The pyx12 comparisons in tests/edi leave these out; tests/fuzz/test_catalogue.py checks that our",
              "validator gives each its expected findings and that our acknowledgments of each validate. Files that",
              "cannot be committed or are not files (a 100 MB segment; a directory, a symlink, a FIFO, a gzip file",
              "in the inbox) are made at test time by tests/integration/test_bad_inbox.py.", ""]
    for name, (description, _, _) in sorted(BAD.items()):
        if name.startswith(BEYOND):
            lines.append(f"- `{name.removeprefix(BEYOND)}`: {description}.")
    lines += [
        "",
        "Expected findings are partial: `position` (1-based segment ordinal in the file, first ISA = 1; 0 = the",
        "file itself), `segment_id`, `element`, and the acknowledgment code pyx12 uses (`ta1` TA105, `ak9`",
        "AK905, `ak5` AK502, `ak3` AK304, `ak4` AK403). For a missing segment `segment_id` is the missing one and",
        "`position` the segment where it was noticed; trailer-missing findings have no position.",
        "",
        "## master/",
        "",
        "- `suppliers.csv`: the three suppliers above.",
        "- `accounts.csv`: 15 accounts (active, inactive, final; one calendar-month `eom` account in bill group 21;",
        "  2000000128 and 2000000144 are the finaled old accounts of the utility-initiated enrollments).",
        "  2999999995 is deliberately absent (814_enroll_reject.x12).",
        "- `service-points.csv`: DS1 DS2 DS3A DS3B DS4 DS5 rate classes; 2000000045 has three service points",
        "  (one of them DS5 lighting, unmetered); 7000000052 is interval with an additive and a subtractive meter.",
        "- `meters.csv`: scalar meters (no interval minutes) and 15-minute interval meters.",
        "- `schedule.csv`: scheduled read dates for bill groups 01-21, every month of 2026 and 2027, spread over the",
        "  month's business days (group 01 on the first, group 21 on the last).",
        "- `holidays.csv`: the tariff's holidays for 2026 and 2027 (a Sunday holiday is observed on Monday).",
        "",
        "## meter/",
        "",
        "- `interval.csv`: 15-minute reads of meters 40000052 (A) and 40000053 (S) for 2026-10-31 and the fall-back",
        "  day 2026-11-01; one E (estimated) and one M (missing, empty kWh) read on 40000053 at 09:30/09:45.",
        "  `interval_end` carries the offset in force during the interval (the repeated 01:00-02:00 hour ends",
        "  at 02:00-05:00, then 01:15-06:00 ... 02:00-06:00). 867_interval_fallback.x12 and",
        "  867_interval_additive_subtractive.x12 are the hourly sums of these reads.",
        "- `scalar.csv`: register reads behind the scalar 867s (40000029, 40000086) and a few others.",
        "- `read-events.csv`: ends of billing periods (on-cycle, final, calendar-month, the 14:30 special read).",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    build_bad()
    build_bad_catalogue()
    for sub in ("valid", "bad", "bad/" + BEYOND):
        d = SAMPLES / sub
        d.mkdir(parents=True, exist_ok=True)
        for old in d.iterdir():
            if old.is_file():
                old.unlink()
    for name, (_, _, ics, style) in VALID.items():
        text = x12(ics, style)
        (SAMPLES / "valid" / name).write_bytes(text.encode("ascii"))
    for name, (description, data, findings) in BAD.items():
        (SAMPLES / "bad" / name).write_bytes(data)
        doc = {"description": description, "findings": findings}
        (SAMPLES / "bad" / f"{name}.expected.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    write_master(SAMPLES / "master")
    write_meter(SAMPLES / "meter")
    write_readme(SAMPLES / "README.md")
    print(f"{len(VALID)} valid, {len(BAD)} bad files written under {SAMPLES}")


if __name__ == "__main__":
    main()
