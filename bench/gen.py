"""Generated benchmark inputs, deterministic for a seed and built from canonical messages.

Nothing here is hand-typed X12: 867s are :class:`~edi.messages.UsageReport` objects rendered by
:func:`edi.canonical.render` and enveloped by :func:`edi.writer.interchange`, 814s are
:class:`~edi.messages.EnrollmentRequest` objects the same way, so the files have exactly the shape the
gateway writes and reads. Interval values are random kWh with three decimals over a wide range, so they
almost never repeat: the worst case for a validator that memoises what it has seen (large C&I meters).

    python -m bench.gen 867 OUT.x12 --mb 50        # an 867 file of about 50 MB
    python -m bench.gen 814 DIR --requests 100000  # DIR/inbox/814_enroll.x12 and DIR/master/*.csv
    python -m bench.gen hourly OUT.csv --points 10000  # a month of hourly kWh per service point
"""

from __future__ import annotations

import argparse
import os
import random
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from edi.canonical import render
from edi.messages import (
    BillCalculator,
    BillingType,
    EnrollmentRequest,
    EntityCode,
    IdQualifier,
    Interval,
    MeterRole,
    MeterUsage,
    Party,
    Period,
    Quantity,
    Relationship,
    UsageLoop,
    UsageReport,
    UsageSummary,
)
from edi.segments import Segment, Separators
from edi.writer import CounterControlNumbers, Profile, Transaction, interchange, write
from edi.writer import Party as IsaParty

UTILITY_DUNS = "012345678"
SUPPLIER_DUNS = "123456789"  # PRAIRIE POWER LLC: no UCB/POR, dual billing
AT = datetime(2026, 7, 2, 2, 0, tzinfo=UTC)
AT_814 = datetime(2026, 10, 5, 11, 5, tzinfo=UTC)  # enrollments sent on 2026-10-05 (before the 18:45 cut-off)
MONTH_START = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)  # 2026-06-01 00:00 CDT
HOURS = 720  # June: 30 days, no DST change
BYTES_PER_POINT = 33_500  # one month of hourly values, measured: used to size a file by MB

UTILITY = Party(EntityCode.UTILITY, "AMEREN ILLINOIS", IdQualifier.DUNS, UTILITY_DUNS, Relationship.SUBMITTER)
SUPPLIER = Party(EntityCode.SUPPLIER, "PRAIRIE POWER LLC", IdQualifier.DUNS, SUPPLIER_DUNS, Relationship.RECEIVER)
SEPARATORS = Separators("*", ">", "~", "\n")


def _isa(sender: str, receiver: str) -> Profile:
    return Profile(IsaParty("01", sender), IsaParty("01", receiver), SEPARATORS)


# ------------------------------------------------------------------------------------------------ 867


def hourly_values(rng: random.Random, hours: int = HOURS) -> list[Decimal]:
    """A month of hourly kWh for one large meter: a daily curve with noise, three decimals, rarely repeating."""
    base = rng.uniform(200.0, 2500.0)
    out: list[Decimal] = []
    for h in range(hours):
        hour = h % 24
        shape = 0.6 + 0.4 * (1.0 if 8 <= hour <= 19 else 0.3)
        out.append(Decimal(f"{base * shape * rng.uniform(0.85, 1.15):.3f}"))
    return out


def usage_report(n: int, values: Sequence[Decimal], start: datetime = MONTH_START) -> UsageReport:
    """The 867 of service point ``n``: one interval meter (PTD*BO) and the PTD*SU total."""
    hours = len(values)
    end = start + timedelta(hours=hours)
    period = Period(start.date(), end.date())
    meter = f"4{n:07d}"
    intervals = tuple(Interval(start + timedelta(hours=h + 1), v) for h, v in enumerate(values))
    return UsageReport(
        reference=f"UTL867{AT:%Y%m%d}{n:06d}", created=AT.date(), utility=UTILITY, supplier=SUPPLIER,
        customer=Party(EntityCode.CUSTOMER, f"CUSTOMER {n} INC"), ldc_account=f"2{n:09d}",
        res_account=f"PRP-{n:06d}", service_point=f"7{n:09d}", rate_class="DS4", bill_cycle="01",
        summary=UsageSummary(period, (Quantity(sum(values, Decimal("0.000"))),)),
        meters=(MeterUsage(UsageLoop.INTERVAL, meter, MeterRole.ADDITIVE, period, intervals=intervals),),
    )


def usage_reports(points: int, seed: int = 867, hours: int = HOURS) -> Iterator[UsageReport]:
    rng = random.Random(seed)
    for n in range(1, points + 1):
        yield usage_report(n, hourly_values(rng, hours))


def bodies(messages: Iterable[UsageReport | EnrollmentRequest]) -> Iterator[list[Segment]]:
    for m in messages:
        yield render(m)


def write_interchange(out: TextIO, st01: str, bodies: Iterable[Sequence[Segment]], sender: str,
                      receiver: str, at: datetime = AT, control: int = 1) -> int:
    """One interchange (ISA13 and GS06 ``control``), one group, one set per body, written as it is
    generated; returns the segment count."""
    group = (Transaction(st01, body) for body in bodies)
    numbers = CounterControlNumbers(start=control)
    return write(interchange(_isa(sender, receiver), [group], numbers, at), SEPARATORS, out)


def write_867(path: Path, *, mb: float | None = None, points: int | None = None, seed: int = 867) -> int:
    """An 867 file of ``points`` service points (or about ``mb`` megabytes); returns the segment count."""
    if points is None:
        points = max(1, round((mb or 50) * 1_000_000 / BYTES_PER_POINT))
    with open(path, "w", encoding="ascii", newline="") as out:
        return write_interchange(out, "867", bodies(usage_reports(points, seed)), UTILITY_DUNS, SUPPLIER_DUNS)


def write_hourly(path: Path, points: int, seed: int = 8670) -> int:
    """One month of hourly kWh for ``points`` interval service points: ``service_point_id`` and its
    :data:`HOURS` values per line (the input of the 867 production figure); returns the value count."""
    rng = random.Random(seed)
    with open(path, "w", encoding="ascii") as out:
        out.write(f"service_point_id,{HOURS} hourly kWh from {MONTH_START.isoformat()}\n")
        for n in range(1, points + 1):
            out.write(f"7{n:09d}," + ",".join(str(v) for v in hourly_values(rng)) + "\n")
    return points * HOURS


# ------------------------------------------------------------------------------------------------ 814


def enrollment_request(n: int) -> EnrollmentRequest:
    account = f"3{n:09d}"
    return EnrollmentRequest(
        reference=f"PRP20261005{n:07d}", created=AT_814.date(),
        utility=Party(EntityCode.UTILITY, "AMEREN ILLINOIS", IdQualifier.DUNS, UTILITY_DUNS, Relationship.RECEIVER),
        supplier=Party(EntityCode.SUPPLIER, "PRAIRIE POWER LLC", IdQualifier.DUNS, SUPPLIER_DUNS,
                       Relationship.SUBMITTER),
        customer=Party(EntityCode.CUSTOMER, f"CUSTOMER {n}", address=(f"{n % 9000 + 1} OAK AVE",),
                       city="CHAMPAIGN", state="IL", postal_code="61820"),
        line_id=f"PRPE{n:07d}", ldc_account=account, res_account=f"PRP-{n:07d}",
        billing_type=BillingType.DUAL, calculator=BillCalculator.DUAL,
    )


def write_814(directory: Path, requests: int, samples: Path) -> Path:
    """``directory/inbox/814_enroll.x12`` with ``requests`` enrollment requests, and ``directory/master``:
    one active DS1 account with one service point on utility supply per request, plus the sample
    suppliers, schedule and holidays. Returns the X12 file."""
    inbox, master = directory / "inbox", directory / "master"
    inbox.mkdir(parents=True, exist_ok=True)
    master.mkdir(parents=True, exist_ok=True)
    for kind in ("suppliers", "schedule", "holidays"):
        (master / f"{kind}.csv").write_bytes((samples / "master" / f"{kind}.csv").read_bytes())
    with open(master / "accounts.csv", "w", encoding="ascii") as acc, \
            open(master / "service-points.csv", "w", encoding="ascii") as sps, \
            open(master / "meters.csv", "w", encoding="ascii") as meters:
        acc.write("account_number,customer_name,service_address,city,state,zip,bill_group,calendar_billing,status\n")
        sps.write("service_point_id,account_number,rate_class,metering,supplier,lighting,plc,load_profile,"
                  "delivery_voltage,supply_voltage,meter_voltage,rate_zone\n")
        meters.write("meter_number,service_point_id,role,interval_minutes,multiplier\n")
        for n in range(1, requests + 1):
            acc.write(f"3{n:09d},CUSTOMER {n},{n % 9000 + 1} OAK AVE,CHAMPAIGN,IL,61820,{n % 21 + 1:02d},none,active\n")
            sps.write(f"8{n:09d},3{n:09d},DS1,scalar,BGS,false,,RES,,,,ZONE1\n")
            meters.write(f"5{n:07d},8{n:09d},A,,1\n")
    path = inbox / "814_enroll.x12"
    write_814_part(path, 1, requests + 1)
    return path


def write_814_part(path: Path, first: int, stop: int) -> None:
    """Enrollment requests ``first`` .. ``stop - 1`` (of the accounts :func:`write_814` makes) in one
    interchange whose control number is ``first``."""
    with open(path, "w", encoding="ascii", newline="") as out:
        write_interchange(out, "814", bodies(enrollment_request(n) for n in range(first, stop)),
                          SUPPLIER_DUNS, UTILITY_DUNS, AT_814, control=first)


# ------------------------------------------------------------------------------------------------ cli


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.gen", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="kind", required=True)
    p867 = sub.add_parser("867")
    p867.add_argument("out", type=Path)
    p867.add_argument("--mb", type=float, default=50.0)
    p867.add_argument("--seed", type=int, default=867)
    p814 = sub.add_parser("814")
    p814.add_argument("out", type=Path)
    p814.add_argument("--requests", type=int, default=100_000)
    phourly = sub.add_parser("hourly")
    phourly.add_argument("out", type=Path)
    phourly.add_argument("--points", type=int, default=10_000)
    args = parser.parse_args(argv)
    if args.kind == "867":
        n = write_867(args.out, mb=args.mb, seed=args.seed)
        print(f"{args.out}: {os.path.getsize(args.out):,} bytes, {n:,} segments")
    elif args.kind == "hourly":
        n = write_hourly(args.out, args.points)
        print(f"{args.out}: {n:,} hourly values")
    else:
        path = write_814(args.out, args.requests, Path(__file__).resolve().parents[1] / "samples")
        print(f"{path}: {os.path.getsize(path):,} bytes")


if __name__ == "__main__":
    main()
