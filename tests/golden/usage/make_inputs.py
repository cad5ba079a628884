"""Writes the meter-data CSVs of the usage golden cases (``<case>/meter/*.csv``). Deterministic; rerun it only
when a case's *input* is to change, then review the expected files the runner regenerates.

    .venv/bin/python tests/golden/usage/make_inputs.py

Interval ends are written as ISO 8601 with the offset in force during the interval (as samples/meter does),
so the repeated fall-back hour ends at ``02:00-05:00`` then ``01:15-06:00`` … ``02:00-06:00``. The load shape
varies by hour, weekday and day of month, so that each estimation equation gives its own, checkable value.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

CENTRAL = ZoneInfo("America/Chicago")
HERE = Path(__file__).parent
#: The subtractive meters (REF*JH*S) of the cases.
SUBMETERS = frozenset({"41000007", "41000010"})


def local(day: date, hhmm: str = "0000", seconds: int = 0) -> datetime:
    """A Central wall time as an aware UTC instant."""
    wall = datetime.combine(day, time(int(hhmm[:2]), int(hhmm[2:]), seconds), tzinfo=CENTRAL)
    return wall.astimezone(UTC)


def iso_end(end: datetime) -> str:
    """An interval end with the offset in force during the interval."""
    during = (end - timedelta(seconds=1)).astimezone(CENTRAL)
    offset = during.utcoffset()
    assert offset is not None
    return end.astimezone(timezone(offset)).isoformat()


def iso(moment: datetime) -> str:
    return moment.astimezone(CENTRAL).isoformat()


def kwh(meter: str, end: datetime, minutes: int) -> Decimal:
    """A deterministic load shape: kWh in the interval ending at ``end``."""
    start = (end - timedelta(minutes=minutes)).astimezone(CENTRAL)
    h = start.hour + start.minute / 60
    seed = int(meter[-2:])
    weekend = start.weekday() >= 5
    v = 6 + seed % 5 + 4 * math.sin((h - 8) / 24 * 2 * math.pi) + (1.5 if not weekend else -2.0)
    v += (start.day % 5) * 0.37 + (start.minute / 15) * 0.11
    v *= minutes / 15
    if meter in SUBMETERS:  # a sub-meter measures part of the load it is taken from
        v *= 0.3
    return Decimal(f"{max(v, 0.25):.3f}")


def ends(first: datetime, last: datetime, minutes: int) -> list[datetime]:
    out = []
    moment = first
    while moment <= last:
        out.append(moment)
        moment += timedelta(minutes=minutes)
    return out


Rule = Callable[[str, datetime], tuple[str, str] | None]


def interval_rows(meter: str, minutes: int, days: Iterable[date], rule: Rule | None = None) -> list[list[str]]:
    """Every interval of ``days`` (local); ``rule`` may turn one into (kwh, quality) or drop it (None)."""
    rows = []
    for day in days:
        step = timedelta(minutes=minutes)
        for end in ends(local(day) + step, local(day + timedelta(days=1)), minutes):
            value = (f"{kwh(meter, end, minutes)}", "A")
            if rule is not None:
                changed = rule(meter, end)
                if changed is None:
                    continue
                value = changed
            rows.append([meter, iso_end(end), *value])
    return rows


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def write(case: str, name: str, header: list[str], rows: Iterable[list[str]]) -> None:
    folder = HERE / case / "meter"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / name, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)


INTERVAL = ["meter_number", "interval_end", "kwh", "quality"]
REGISTER = ["meter_number", "read_at", "register_kwh", "read_type"]
EVENTS = ["service_point_id", "read_at"]
PROFILE = ["load_profile", "interval_end", "kwh"]


def events(*pairs: tuple[str, datetime]) -> list[list[str]]:
    return [[sp, iso(at)] for sp, at in pairs]


def between(end: datetime, first: datetime, last: datetime) -> bool:
    return first <= end <= last


def main() -> None:
    d = date

    # normal month: June 2026, one 15-minute additive meter, all actual
    write("normal-month", "interval.csv", INTERVAL, interval_rows("41000001", 15, days(d(2026, 6, 1), d(2026, 6, 30))))
    write("normal-month", "events.csv", EVENTS, events(("7100000001", local(d(2026, 6, 1))),
                                                       ("7100000001", local(d(2026, 7, 1)))))

    # spring forward: March 2026 (the 8th has 23 hours)
    write("spring-forward", "interval.csv", INTERVAL,
          interval_rows("41000002", 15, days(d(2026, 3, 1), d(2026, 3, 31))))
    write("spring-forward", "events.csv", EVENTS, events(("7100000002", local(d(2026, 3, 1))),
                                                         ("7100000002", local(d(2026, 4, 1)))))

    # fall back: 2026-10-09 to 2026-11-09 (November 1st has 25 hours), 30-minute meter
    write("fall-back", "interval.csv", INTERVAL, interval_rows("41000003", 30, days(d(2026, 10, 9), d(2026, 11, 8))))
    write("fall-back", "events.csv", EVENTS, events(("7100000003", local(d(2026, 10, 9))),
                                                    ("7100000003", local(d(2026, 11, 9)))))

    # split boundary hour: a special read at 14:30 CDT; a 15-minute and a 60-minute meter
    split_days = days(d(2026, 7, 13), d(2026, 7, 15))
    write("split-hour", "interval.csv", INTERVAL,
          interval_rows("41000004", 15, split_days) + interval_rows("41000005", 60, split_days))
    write("split-hour", "events.csv", EVENTS, events(("7100000004", local(d(2026, 7, 13))),
                                                     ("7100000004", local(d(2026, 7, 14), "1430")),
                                                     ("7100000004", local(d(2026, 7, 16)))))

    # subtractive meter: one week; the S meter has an E read and a missing one in the same hour
    def sub_rule(meter: str, end: datetime) -> tuple[str, str] | None:
        if meter == "41000007" and end == local(d(2026, 8, 12), "0945"):
            return f"{kwh(meter, end, 15) + Decimal('0.500')}", "E"
        if meter == "41000007" and end == local(d(2026, 8, 12), "1000"):
            return "", "M"
        return f"{kwh(meter, end, 15)}", "A"

    sub_days = days(d(2026, 8, 10), d(2026, 8, 16))
    write("subtractive", "interval.csv", INTERVAL,
          interval_rows("41000006", 15, sub_days, sub_rule) + interval_rows("41000007", 15, sub_days, sub_rule))
    write("subtractive", "events.csv", EVENTS, events(("7100000006", local(d(2026, 8, 10))),
                                                      ("7100000006", local(d(2026, 8, 17)))))

    # three meters on one service point: 15 (A), 30 (A, multiplier 2) and 60 (S) minutes; a read at 09:20
    three_days = days(d(2026, 8, 3), d(2026, 8, 6))
    write("three-meters", "interval.csv", INTERVAL,
          interval_rows("41000008", 15, three_days) + interval_rows("41000009", 30, three_days)
          + interval_rows("41000010", 60, three_days))
    write("three-meters", "events.csv", EVENTS, events(("7100000008", local(d(2026, 8, 3))),
                                                       ("7100000008", local(d(2026, 8, 5), "0920")),
                                                       ("7100000008", local(d(2026, 8, 7)))))

    # scalar: a CT meter (multiplier 40) with actual reads, and one whose end read is estimated
    write("scalar", "register.csv", REGISTER, [
        ["41000011", iso(local(d(2026, 9, 17), "1007")), "1520.35", "actual"],
        ["41000011", iso(local(d(2026, 10, 19), "0948")), "1536.97", "actual"],
        ["41000012", iso(local(d(2026, 9, 17), "1012")), "30412.7", "actual"],
        ["41000012", iso(local(d(2026, 10, 19), "0951")), "31027.0", "estimated"],
    ])
    write("scalar", "events.csv", EVENTS, events(
        ("7100000011", local(d(2026, 9, 17), "1007")), ("7100000011", local(d(2026, 10, 19), "0948")),
        ("7100000012", local(d(2026, 9, 17), "1012")), ("7100000012", local(d(2026, 10, 19), "0951"))))

    # lighting: an end-of-month calendar-billed account whose lighting point keeps its bill group's reads;
    # an unmetered lighting point and a BGS point get no 867
    write("lighting", "register.csv", REGISTER, [
        ["41000013", iso(local(d(2026, 9, 30), "2359")), "88120.0", "actual"],
        ["41000013", iso(local(d(2026, 10, 31), "2359")), "90233.5", "actual"],
        ["41000014", iso(local(d(2026, 9, 22), "1105")), "4410.2", "actual"],
        ["41000014", iso(local(d(2026, 10, 22), "1040")), "4622.9", "actual"],
        ["41000016", iso(local(d(2026, 9, 22), "1110")), "7001.0", "actual"],
        ["41000016", iso(local(d(2026, 10, 22), "1045")), "7355.0", "actual"],
    ])
    write("lighting", "events.csv", EVENTS, events(
        ("7100000013", local(d(2026, 9, 30), "2359")), ("7100000013", local(d(2026, 10, 31), "2359")),
        ("7100000014", local(d(2026, 9, 22), "1105")), ("7100000014", local(d(2026, 10, 22), "1040")),
        ("7100000015", local(d(2026, 9, 22), "1105")), ("7100000015", local(d(2026, 10, 22), "1040")),
        ("7100000016", local(d(2026, 9, 22), "1110")), ("7100000016", local(d(2026, 10, 22), "1045"))))

    # eq. 10: a Wednesday with 10:00-12:00 missing (4 previous Wednesdays in the data); and Labor Day with
    # 14:00-15:00 missing (Memorial Day and Independence Day in the data)
    day10 = d(2026, 9, 16)

    def eq10_rule(meter: str, end: datetime) -> tuple[str, str] | None:
        if meter == "41000017" and between(end, local(day10, "1015"), local(day10, "1200")):
            return "", "M"
        if meter == "41000018" and between(end, local(d(2026, 9, 7), "1415"), local(d(2026, 9, 7), "1500")):
            return "", "M"
        return f"{kwh(meter, end, 15)}", "A"

    write("estimate-same-day", "interval.csv", INTERVAL,
          interval_rows("41000017", 15, days(d(2026, 8, 19), day10), eq10_rule)
          + interval_rows("41000018", 15, [d(2026, 5, 25), d(2026, 7, 4), *days(d(2026, 9, 1), d(2026, 9, 7))],
                          eq10_rule))
    write("estimate-same-day", "events.csv", EVENTS, events(
        ("7100000017", local(day10)), ("7100000017", local(day10 + timedelta(days=1))),
        ("7100000018", local(d(2026, 9, 7))), ("7100000018", local(d(2026, 9, 8)))))

    # eq. 11: Thursday 10:00-11:00 missing; only the prior week is in the data, and its Thursday has the same gap
    day11 = d(2026, 9, 17)

    def eq11_rule(meter: str, end: datetime) -> tuple[str, str] | None:
        for day in (day11, day11 - timedelta(days=7)):
            if between(end, local(day, "1015"), local(day, "1100")):
                return "", "M"
        return f"{kwh(meter, end, 15)}", "A"

    write("estimate-prior-week", "interval.csv", INTERVAL,
          interval_rows("41000019", 15, days(d(2026, 9, 10), day11), eq11_rule))
    write("estimate-prior-week", "events.csv", EVENTS, events(("7100000019", local(day11)),
                                                              ("7100000019", local(day11 + timedelta(days=1)))))

    # eq. 12: no history; 06:00-09:00 missing; a dynamic load profile for the point's REF*LO
    day12 = d(2026, 9, 23)

    def eq12_rule(meter: str, end: datetime) -> tuple[str, str] | None:
        if between(end, local(day12, "0615"), local(day12, "0900")):
            return None  # no row at all: missing as much as an M
        return f"{kwh(meter, end, 15)}", "A"

    write("estimate-load-profile", "interval.csv", INTERVAL, interval_rows("41000020", 15, [day12], eq12_rule))
    write("estimate-load-profile", "profile.csv", PROFILE, [
        ["GSI-TEST", iso(end), f"{Decimal('30.000') + Decimal(n) * Decimal('1.250'):.3f}"]
        for n, end in enumerate(ends(local(day12) + timedelta(hours=1), local(day12 + timedelta(days=1)), 60))])
    write("estimate-load-profile", "events.csv", EVENTS, events(("7100000020", local(day12)),
                                                                ("7100000020", local(day12 + timedelta(days=1)))))

    # eq. 13: no history, no profile; 13:00-16:00 missing. Meter 41000021 has register reads at midnight
    # (flat line between them); 41000022 has none (flat line between the bordering intervals)
    day13 = d(2026, 9, 24)

    def eq13_rule(meter: str, end: datetime) -> tuple[str, str] | None:
        if between(end, local(day13, "1315"), local(day13, "1600")):
            return "", "M"
        return f"{kwh(meter, end, 15)}", "A"

    rows13 = interval_rows("41000021", 15, [day13], eq13_rule) + interval_rows("41000022", 15, [day13], eq13_rule)
    known = sum((Decimal(r[2]) for r in rows13 if r[0] == "41000021" and r[3] == "A"), Decimal(0))
    write("estimate-flat-line", "interval.csv", INTERVAL, rows13)
    write("estimate-flat-line", "register.csv", REGISTER, [
        ["41000021", iso(local(day13)), "5000.000", "actual"],
        ["41000021", iso(local(day13 + timedelta(days=1))), f"{Decimal('5000.000') + known + Decimal('96.000')}",
         "actual"],  # the 12 missing quarters used 96 kWh: 8.000 each
    ])
    write("estimate-flat-line", "events.csv", EVENTS, events(
        ("7100000021", local(day13)), ("7100000021", local(day13 + timedelta(days=1))),
        ("7100000022", local(day13)), ("7100000022", local(day13 + timedelta(days=1)))))

    # off-cycle switch at 23:59:59 from BRIGHT to PRAIRIE
    write("off-cycle-switch", "interval.csv", INTERVAL,
          interval_rows("41000023", 15, days(d(2026, 9, 14), d(2026, 9, 16))))
    write("off-cycle-switch", "events.csv", EVENTS, events(
        ("7100000023", local(d(2026, 9, 14))), ("7100000023", local(d(2026, 9, 15), "2359", 59)),
        ("7100000023", local(d(2026, 9, 17)))))

    # final 867: a finaled account (scalar), and a drop to BGS (seeded history) on an interval point
    write("final", "register.csv", REGISTER, [
        ["41000024", iso(local(d(2026, 8, 14), "0915")), "51207.0", "actual"],
        ["41000024", iso(local(d(2026, 9, 15), "1130")), "51811.0", "actual"],
        ["41000024", iso(local(d(2026, 10, 20), "1415")), "52390.5", "actual"],
    ])
    write("final", "interval.csv", INTERVAL, interval_rows("41000025", 60, days(d(2026, 10, 11), d(2026, 10, 13))))
    write("final", "events.csv", EVENTS, events(
        ("7100000024", local(d(2026, 8, 14), "0915")), ("7100000024", local(d(2026, 9, 15), "1130")),
        ("7100000024", local(d(2026, 10, 20), "1415")),
        ("7100000025", local(d(2026, 10, 11))), ("7100000025", local(d(2026, 10, 12), "0930")),
        ("7100000025", local(d(2026, 10, 14)))))

    # cancel and replace: a missing hour estimated in step 1, its actual reads arrive in step 2, again in step 3
    day_c = d(2026, 9, 1)

    def gap_rule(meter: str, end: datetime) -> tuple[str, str] | None:
        if between(end, local(day_c, "1815"), local(day_c, "1900")):
            return "", "M"
        return f"{kwh(meter, end, 15)}", "A"

    write("cancel-replace", "interval.csv", INTERVAL, interval_rows("41000026", 15, [day_c], gap_rule))
    write("cancel-replace", "corrected.csv", INTERVAL,
          [r for r in interval_rows("41000026", 15, [day_c]) if between(datetime.fromisoformat(r[1]),
                                                                         local(day_c, "1815"), local(day_c, "1900"))])
    write("cancel-replace", "events.csv", EVENTS, events(("7100000026", local(day_c)),
                                                         ("7100000026", local(day_c + timedelta(days=1)))))


if __name__ == "__main__":
    main()
