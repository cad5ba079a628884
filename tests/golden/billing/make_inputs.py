"""Write the inputs of the bill-ready golden cases: the RES's 810s and 814s, and the meter data of the 867s.

Run from the repository root: ``.venv/bin/python tests/golden/billing/make_inputs.py``. The files are
committed; this script only documents how they were made (the SE counts are computed, not typed). Layouts:
810 as spec 5.5, 814 as spec 5.1; ISA13 numbers are unique per sender across all cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
UTILITY = ("AMEREN ILLINOIS", "012345678")
BRIGHT = ("BRIGHT ENERGY LLC", "987654321")
SUPPLY = ("C", "ENC001", 4567, "0.0731", "KH", "624.8", "SUPPLY CHARGE")
FEE = ("C", "MSC001", 500, None, None, None, "MONTHLY SUPPLIER FEE")
Sac = tuple[str, str, int, str | None, str | None, str | None, str]


def isa(sender: str, receiver: str, when: str, number: int, functional: str) -> list[str]:
    day, hhmm = when[2:8], when[8:12]
    blank = " " * 10
    return [f"ISA*00*{blank}*00*{blank}*01*{sender:<15}*01*{receiver:<15}*{day}*{hhmm}*U*00401*{number:09d}*0*T*>",
            f"GS*{functional}*{sender}*{receiver}*{when[:8]}*{hhmm}*{number}*X*004010"]


def wrap(head: list[str], body: list[str], number: int) -> str:
    """ISA, GS, ST ``body`` SE, GE, IEA; ``body[0]`` is ST01. SE01 counts ST through SE."""
    segments = [*head, f"ST*{body[0]}*0001", *body[1:], f"SE*{len(body) + 1}*0001", f"GE*1*{number}",
                f"IEA*1*{number:09d}"]
    return "~\n".join(segments) + "~\n"


@dataclass
class Invoice:
    """One 810 bill-ready (spec 5.5), one service point."""

    number: str
    when: str  #: CCYYMMDDHHMM of the envelope; BIG01 is its date
    isa13: int
    account: str = "2000000029"
    point: str | None = "7000000029"
    customer: str = "ROBERT T EXAMPLE"
    period: tuple[str, str] | None = ("20260917", "20261019")
    sacs: Sequence[Sac] = (SUPPLY, FEE)
    total: int | None = None  #: TDS01 in cents; None: the sum of the C/A lines
    purpose: str = "00"
    original: str | None = None  #: REF*OI
    supplier: tuple[str, str] = BRIGHT
    res_account: str | None = None  #: REF*11; default BRT- and the account's last six digits
    extra: list[str] = field(default_factory=list)

    def text(self) -> str:
        name, duns = self.supplier
        body = ["810", f"BIG*{self.when[:8]}*{self.number}*****ME*{self.purpose}"]
        if self.original:
            body.append(f"REF*OI*{self.original}")
        body += [f"REF*11*{self.res_account or 'BRT-' + self.account[-6:]}", f"REF*12*{self.account}"]
        if self.point:
            body.append(f"REF*LU*{self.point}")
        body += [f"N1*8S*{UTILITY[0]}*1*{UTILITY[1]}**40", f"N1*SJ*{name}*1*{duns}**41", f"N1*8R*{self.customer}",
                 "IT1*1*****SV*ELECTRIC*C3*ACCOUNT"]
        if self.period:
            body += [f"DTM*150*{self.period[0]}", f"DTM*151*{self.period[1]}"]
        total = 0
        for indicator, code, cents, rate, unit, quantity, description in self.sacs:
            elements = [indicator, "", "EU", code, str(cents), "", "", rate or "", unit or "", quantity or "",
                        "", "", "", "", description]
            body.append("SAC*" + "*".join(elements))
            total += -cents if indicator == "A" else cents if indicator == "C" else 0
        body.append(f"TDS*{self.total if self.total is not None else total}")
        body += self.extra
        return wrap(isa(duns, UTILITY[1], self.when, self.isa13, "IN"), body, self.isa13)


@dataclass
class Enrollment:
    """One 814 enrollment request (spec 5.1) with its billing option."""

    reference: str
    when: str
    isa13: int
    account: str
    customer: str
    billing: Sequence[str]  #: REF segments for BLT / PC
    line: str

    def text(self) -> str:
        name, duns = BRIGHT
        body = ["814", f"BGN*13*{self.reference}*{self.when[:8]}", f"N1*8S*{UTILITY[0]}*1*{UTILITY[1]}**40",
                f"N1*SJ*{name}*1*{duns}**41", f"N1*8R*{self.customer}", f"LIN*{self.line}*SH*EL*SH*CE", "ASI*7*021",
                f"REF*11*BRT-{self.account[-6:]}", f"REF*12*{self.account}", *self.billing]
        return wrap(isa(duns, UTILITY[1], self.when, self.isa13, "GE"), body, self.isa13)


def write(case: str, name: str, text: str) -> None:
    path = HERE / case / "inbound" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def meter(name: str, header: str, rows: Sequence[str]) -> None:
    path = HERE / "meter" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n")


REGISTER = "meter_number,read_at,register_kwh,read_type"
EVENTS = "service_point_id,read_at"


def meters() -> None:
    # 7000000029 (account 2000000029, DS2, Bright, group 12): 10624.8 - 10000.0 = 624.8 kWh, as spec 5.5's 810.
    meter("sp029-register.csv", REGISTER, ["40000029,2026-09-17T10:07:00-05:00,10000.0,actual",
                                           "40000029,2026-10-19T09:48:00-05:00,10624.8,actual"])
    meter("sp029-events.csv", EVENTS, ["7000000029,2026-09-17T10:07:00-05:00", "7000000029,2026-10-19T09:48:00-05:00"])
    # 7300000029 (case late: account 3000000029, DS2, Bright, group 12).
    meter("sp329-register.csv", REGISTER, ["43000029,2026-09-17T10:20:00-05:00,7000.0,actual",
                                           "43000029,2026-10-19T10:02:00-05:00,7624.8,actual"])
    meter("sp329-events.csv", EVENTS, ["7300000029,2026-09-17T10:20:00-05:00", "7300000029,2026-10-19T10:02:00-05:00"])
    # 7000000102 (account 2000000102, DS1, Prairie Power, group 09).
    meter("sp102-register.csv", REGISTER, ["40000102,2026-09-14T09:30:00-05:00,5000.0,actual",
                                           "40000102,2026-10-13T09:40:00-05:00,5512.3,actual"])
    meter("sp102-events.csv", EVENTS, ["7000000102,2026-09-14T09:30:00-05:00", "7000000102,2026-10-13T09:40:00-05:00"])
    # 7300000060 (case ds4-account: account 3000000060, DS4, Bright, group 12).
    meter("sp360-register.csv", REGISTER, ["43000060,2026-09-17T11:00:00-05:00,200000.0,actual",
                                           "43000060,2026-10-19T11:00:00-05:00,212345.0,actual"])
    meter("sp360-events.csv", EVENTS, ["7300000060,2026-09-17T11:00:00-05:00", "7300000060,2026-10-19T11:00:00-05:00"])
    # 7000000011 (account 2000000011, DS1, group 05) and 7000000037 (2000000037, DS1, group 08), enrolled by Bright.
    meter("sp011-037-register.csv", REGISTER, [
        "40000011,2026-09-08T09:15:00-05:00,20000.0,actual", "40000011,2026-10-07T09:20:00-05:00,20555.5,actual",
        "40000037,2026-09-11T10:00:00-05:00,30000.0,actual", "40000037,2026-10-12T10:05:00-05:00,30480.2,actual"])
    meter("sp011-037-events.csv", EVENTS, [
        "7000000011,2026-09-08T09:15:00-05:00", "7000000011,2026-10-07T09:20:00-05:00",
        "7000000037,2026-09-11T10:00:00-05:00", "7000000037,2026-10-12T10:05:00-05:00"])


def cases() -> None:
    write("accepted", "bright-810-1024.x12", Invoice("RESINV2026001024", "202610211000", 2201).text())

    write("reject-und", "unknown-810.x12", Invoice("UNK0000001", "202610211000", 3301,
                                                   supplier=("UNKNOWN POWER LLC", "999999999")).text())
    write("reject-abn", "first-810.x12", Invoice("RESINV2026001024", "202610211000", 2211).text())
    write("reject-abn", "again-810.x12", Invoice("RESINV2026001024", "202610221000", 2212,
                                                 sacs=(SUPPLY,)).text())
    write("reject-api", "no-service-point-810.x12", Invoice("RESINV2026001024", "202610211000", 2221,
                                                            point=None).text())
    write("reject-a76", "unknown-account-810.x12", Invoice("RESINV2026001024", "202610211000", 2231,
                                                           account="2999999999").text())
    write("reject-008", "inactive-account-810.x12", Invoice("RESINV2026001151", "202610211000", 2241,
                                                            account="2000000151", point="7000000151",
                                                            customer="OLD MILL ANTIQUES").text())
    write("period-mismatch", "shifted-period-810.x12", Invoice("RESINV2026001024", "202610211000", 2251,
                                                               period=("20260918", "20261019")).text())
    write("sum-mismatch", "bad-total-810.x12", Invoice("RESINV2026001024", "202610211000", 2261, total=5167).text())
    write("late", "after-window-810.x12", Invoice("RESINV2026001024", "202610271846", 2271).text())
    write("late", "last-minute-810.x12", Invoice("RESINV2026001029", "202610271845", 2272,
                                                 account="3000000029", point="7300000029",
                                                 customer="LAST MINUTE LLC").text())
    write("other-res", "not-mine-810.x12", Invoice("RESINV2026001102", "202610141000", 2281, account="2000000102",
                                                   point="7000000102", customer="KEVIN J CHANGE",
                                                   period=("20260914", "20261013")).text())
    write("ds4-account", "ds4-810.x12", Invoice("RESINV2026001360", "202610211000", 2291, account="3000000060",
                                                point="7300000060", customer="BIG PLANT INC").text())

    rebill = (("C", "ENC001", 4373, "0.0700", "KH", "624.8", "SUPPLY CHARGE"), FEE)
    write("cancel-rebill", "1-original-810.x12", Invoice("RESINV2026001024", "202610211000", 2301).text())
    write("cancel-rebill", "2-cancel-810.x12", Invoice("RESINV2026001025", "202610221000", 2302, purpose="01",
                                                       original="RESINV2026001024").text())
    write("cancel-rebill", "3-rebill-810.x12", Invoice("RESINV2026001026", "202610231000", 2303, sacs=rebill).text())

    write("cancel-after-bill", "1-original-810.x12", Invoice("RESINV2026001024", "202610211000", 2311).text())
    write("cancel-after-bill", "2-cancel-810.x12", Invoice("RESINV2026001030", "202611021000", 2312, purpose="01",
                                                           original="RESINV2026001024").text())
    write("cancel-after-bill", "3-cancel-again-810.x12", Invoice("RESINV2026001031", "202611031000", 2313,
                                                                 purpose="01", original="RESINV2026001024").text())
    write("cancel-after-bill", "4-cancel-unknown-810.x12", Invoice("RESINV2026001032", "202611031100", 2314,
                                                                   purpose="01", original="RESINV2026000001").text())

    write("enrollment-billing-option", "enroll-bill-ready-814.x12", Enrollment(
        "BRT20260810000001", "202608101000", 2401, "2000000011", "JANE Q SAMPLE", ["REF*BLT*LDC", "REF*PC*DUAL"],
        "BRTE0000011").text())
    write("enrollment-billing-option", "enroll-dual-814.x12", Enrollment(
        "BRT20260810000002", "202608101001", 2402, "2000000037", "MARIA L TESTER", ["REF*BLT*DUAL"],
        "BRTE0000037").text())
    charges = (("C", "ENC001", 4061, "0.0731", "KH", "555.5", "SUPPLY CHARGE"), FEE,
               ("A", "MSC002", 200, None, None, None, "LOYALTY CREDIT"),
               ("N", "MSC003", 0, None, None, None, "THANK YOU FOR CHOOSING BRIGHT"))
    write("enrollment-billing-option", "bill-ready-810.x12", Invoice(
        "RESINV2026002011", "202610141000", 2403, account="2000000011", point="7000000011", customer="JANE Q SAMPLE",
        period=("20260908", "20261007"), sacs=charges).text())
    write("enrollment-billing-option", "dual-810.x12", Invoice(
        "RESINV2026002037", "202610141001", 2404, account="2000000037", point="7000000037",
        customer="MARIA L TESTER", period=("20260911", "20261012")).text())


if __name__ == "__main__":
    meters()
    cases()
