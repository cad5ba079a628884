"""Tariff 8.L(2) equations 10-13 on hand-made histories: each equation, and the order they are tried in."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from processor.calendar import Calendar
from processor.usage.estimate import (
    DayType,
    History,
    Method,
    Register,
    day_type,
    estimate_gap,
    flat_line,
    flat_line_neighbours,
    history_days,
    interval_day,
    load_profile,
    prior_week,
    respective,
    same_day,
)
from processor.usage.intervals import CENTRAL

CALENDAR = Calendar.from_tariff([2026])
WEDNESDAY = date(2026, 9, 16)
LABOR_DAY = date(2026, 9, 7)
Q = timedelta(minutes=15)


def cpt(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=CENTRAL).astimezone(UTC)


def gap_at(day: date, hh: int, quarters: int = 2) -> list[datetime]:
    return [cpt(day, hh) + Q * n for n in range(1, quarters + 1)]


def test_day_types_are_the_tariffs() -> None:
    assert day_type(WEDNESDAY, CALENDAR) is DayType.WEEKDAY
    assert day_type(date(2026, 9, 19), CALENDAR) is DayType.WEEKEND
    assert day_type(LABOR_DAY, CALENDAR) is DayType.HOLIDAY


def test_the_respective_interval_is_the_same_local_clock_time() -> None:
    end = cpt(WEDNESDAY, 10, 15)
    assert respective(end, 15, WEDNESDAY - timedelta(weeks=1)) == cpt(WEDNESDAY - timedelta(weeks=1), 10, 15)
    # across the spring change: 10:15 CDT on Mar 11 is 10:15 CST a week before
    assert respective(cpt(date(2026, 3, 11), 10, 15), 15, date(2026, 3, 4)) == cpt(date(2026, 3, 4), 10, 15)
    # 02:15 does not exist on the spring-forward day
    assert respective(cpt(date(2026, 3, 15), 2, 15), 15, date(2026, 3, 8)) is None
    assert interval_day(cpt(WEDNESDAY + timedelta(days=1), 0), 15) == WEDNESDAY


def test_equation_10_averages_the_same_weekday_of_previous_weeks() -> None:
    gap = gap_at(WEDNESDAY, 10)
    actual = {respective(e, 15, WEDNESDAY - timedelta(weeks=k)): Decimal(k) for e in gap for k in (1, 2, 3, 4)}
    values = same_day(gap, History(15, actual={k: v for k, v in actual.items() if k}), CALENDAR)
    assert values == dict.fromkeys(gap, Decimal("2.5"))


def test_equation_10_on_a_holiday_averages_holidays() -> None:
    gap = gap_at(LABOR_DAY, 14)
    memorial, july4 = date(2026, 5, 25), date(2026, 7, 4)
    actual = {cpt(memorial, 14) + Q * n: Decimal(4) for n in (1, 2)}
    actual |= {cpt(july4, 14) + Q * n: Decimal(6) for n in (1, 2)}
    actual |= {cpt(LABOR_DAY - timedelta(weeks=1), 14) + Q * n: Decimal(100) for n in (1, 2)}  # not a holiday
    assert same_day(gap, History(15, actual=actual), CALENDAR) == dict.fromkeys(gap, Decimal(5))


def test_equation_10_needs_every_interval_of_the_gap() -> None:
    gap = gap_at(WEDNESDAY, 10)
    week = WEDNESDAY - timedelta(weeks=1)
    assert same_day(gap, History(15, actual={cpt(week, 10, 15): Decimal(1)}), CALENDAR) is None


def test_equation_11_averages_the_same_day_type_of_the_prior_week() -> None:
    thursday = date(2026, 9, 17)
    gap = gap_at(thursday, 10, 1)
    actual = {cpt(d, 10, 15): Decimal(n) for n, d in enumerate(
        [date(2026, 9, 11), date(2026, 9, 12), date(2026, 9, 14), date(2026, 9, 15)], start=1)}
    # Fri 1, Sat 2 (weekend: left out), Mon 3, Tue 4 -> (1 + 3 + 4) / 3
    assert prior_week(gap, History(15, actual=actual), CALENDAR) == {gap[0]: Decimal(8) / 3}
    assert same_day(gap, History(15, actual=actual), CALENDAR) is None


def test_equation_12_takes_the_intervals_part_of_the_profile_hour() -> None:
    gap = gap_at(WEDNESDAY, 6, 4)
    profile = {cpt(WEDNESDAY, 7): Decimal("38.750")}
    assert load_profile(gap, History(15, profile=profile), CALENDAR) == dict.fromkeys(gap, Decimal("9.6875"))
    assert load_profile(gap, History(15, multiplier=Decimal(2), profile=profile), CALENDAR) == dict.fromkeys(
        gap, Decimal("4.84375"))
    assert load_profile(gap, History(15), CALENDAR) is None


def test_equation_13_shares_what_the_registers_measured() -> None:
    gap = gap_at(WEDNESDAY, 13, 4)
    day = [cpt(WEDNESDAY, 0) + Q * n for n in range(1, 97)]
    known = {e: Decimal(1) for e in day if e not in gap}
    before, after = Register(cpt(WEDNESDAY, 0), Decimal(1000)), Register(cpt(WEDNESDAY + timedelta(days=1), 0),
                                                                           Decimal(1000 + 92 + 20))
    history = History(15, known=known, register_before=before, register_after=after)
    assert flat_line(gap, history, CALENDAR) == dict.fromkeys(gap, Decimal(5))
    off_grid = History(15, known=known, register_before=Register(cpt(WEDNESDAY, 0, 7), Decimal(1000)),
                       register_after=after)
    assert flat_line(gap, off_grid, CALENDAR) is None
    too_little = History(15, known=known, register_before=before, register_after=Register(after.at, Decimal(1050)))
    assert flat_line(gap, too_little, CALENDAR) is None
    holey = History(15, known={k: v for k, v in known.items() if k != day[0]}, register_before=before,
                    register_after=after)
    assert flat_line(gap, holey, CALENDAR) is None


def test_equation_13_without_registers_draws_between_the_bordering_intervals() -> None:
    gap = gap_at(WEDNESDAY, 13, 3)
    known = {gap[0] - Q: Decimal(4), gap[-1] + Q: Decimal(8)}
    assert flat_line_neighbours(gap, History(15, known=known), CALENDAR) == dict.fromkeys(gap, Decimal(6))
    assert flat_line_neighbours(gap, History(15, known={gap[0] - Q: Decimal(4)}), CALENDAR) == dict.fromkeys(
        gap, Decimal(4))
    assert flat_line_neighbours(gap, History(15), CALENDAR) is None


def test_the_equations_are_tried_in_the_tariffs_order() -> None:
    gap = gap_at(WEDNESDAY, 10, 1)
    week = WEDNESDAY - timedelta(weeks=1)
    everything = History(15, actual={cpt(week, 10, 15): Decimal(1), cpt(WEDNESDAY - timedelta(days=1), 10, 15):
                                     Decimal(2)},
                         known={gap[0] - Q: Decimal(3)}, profile={cpt(WEDNESDAY, 11): Decimal(40)})

    def method(history: History) -> Method | None:
        estimate = estimate_gap(gap, history, CALENDAR)
        return None if estimate is None else estimate.method

    assert method(everything) is Method.SAME_DAY
    no_week = History(15, actual={cpt(WEDNESDAY - timedelta(days=1), 10, 15): Decimal(2)}, known=everything.known,
                      profile=everything.profile)
    assert method(no_week) is Method.PRIOR_WEEK
    assert method(History(15, known=everything.known, profile=everything.profile)) is Method.LOAD_PROFILE
    assert method(History(15, known=everything.known)) is Method.FLAT_LINE_NEIGHBOURS
    assert method(History(15)) is None  # equation 14: manual


def test_history_days_cover_both_equations() -> None:
    days = history_days(gap_at(WEDNESDAY, 10), 15, CALENDAR)
    assert {WEDNESDAY - timedelta(weeks=k) for k in range(1, 5)} <= days
    assert WEDNESDAY - timedelta(days=1) in days and WEDNESDAY not in days
    assert date(2026, 7, 4) in history_days(gap_at(LABOR_DAY, 14), 15, CALENDAR)
