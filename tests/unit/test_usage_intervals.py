"""Interval arithmetic: grid, shares of a cut interval, hour-ending sums, hours per local day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from processor.usage.intervals import (
    CENTRAL,
    Hour,
    Part,
    counts_by_day,
    cut,
    day_of_hour,
    end_of_local_day,
    expected_hours,
    hour_ending,
    hours,
    hours_in_day,
    interval_ends,
    metering_instant,
    on_grid,
    quantize,
    share,
)


def cpt(day: date, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm, ss), tzinfo=CENTRAL).astimezone(UTC)


SPRING, FALL, PLAIN = date(2026, 3, 8), date(2026, 11, 1), date(2026, 6, 16)


@pytest.mark.parametrize(("day", "n"), [(SPRING, 23), (FALL, 25), (PLAIN, 24), (date(2027, 3, 14), 23),
                                        (date(2027, 11, 7), 25)])
def test_a_local_day_has_23_24_or_25_hours(day: date, n: int) -> None:
    assert hours_in_day(day) == n


@pytest.mark.parametrize(("day", "n"), [(SPRING, 23), (FALL, 25), (PLAIN, 24)])
def test_a_whole_day_of_15_minute_intervals_gives_its_hours(day: date, n: int) -> None:
    start, end = cpt(day), cpt(day + timedelta(days=1))
    ends = interval_ends(start, end, 15)
    assert len(ends) == 4 * n
    parts = [Part(e, Decimal("1.000"), False) for e in ends]
    result = hours(parts, start, end)
    assert len(result) == n
    assert all(h.kwh == Decimal("4.000") for h in result)
    assert counts_by_day(h.end for h in result) == {day: n} == expected_hours(start, end)


def test_the_fall_back_hour_is_two_hours_in_utc() -> None:
    start, end = cpt(FALL), cpt(FALL + timedelta(days=1))
    result = hours([Part(e, Decimal(1), False) for e in interval_ends(start, end, 60)], start, end)
    locals_ = [(h.end.astimezone(CENTRAL).hour, h.end.astimezone(CENTRAL).utcoffset()) for h in result[:3]]
    assert locals_ == [(1, timedelta(hours=-5)), (1, timedelta(hours=-6)), (2, timedelta(hours=-6))]


def test_grid_and_interval_ends_of_a_cut_period() -> None:
    start, end = cpt(PLAIN, 14, 20), cpt(PLAIN, 15, 10)
    assert interval_ends(start, end, 15)[0] == cpt(PLAIN, 14, 30)
    assert interval_ends(start, end, 15)[-1] == cpt(PLAIN, 15, 15)
    assert interval_ends(start, end, 60) == [cpt(PLAIN, 15), cpt(PLAIN, 16)]
    assert on_grid(cpt(PLAIN, 14, 30), 30) and not on_grid(cpt(PLAIN, 14, 30), 60)


def test_a_boundary_inside_an_interval_shares_it_by_time() -> None:
    end = cpt(PLAIN, 15)
    assert cut(Decimal("51.920"), end, 60, cpt(PLAIN, 14, 30)) == Decimal("25.960")
    assert cut(Decimal("10.000"), end, 60, cpt(PLAIN, 14, 20)) == Decimal("3.333")
    assert cut(Decimal("10.000"), end, 60, cpt(PLAIN, 14)) == Decimal("0.000")
    assert cut(Decimal("10.000"), end, 60, cpt(PLAIN, 15)) == Decimal("10.000")
    assert share(Decimal("10.000"), end, 60, cpt(PLAIN, 14, 20), cpt(PLAIN, 16)) == Decimal("6.667")


@given(value=st.decimals(min_value=0, max_value=10_000, places=3),
       cuts=st.lists(st.integers(min_value=1, max_value=3599), min_size=1, max_size=4, unique=True))
def test_the_shares_of_consecutive_periods_add_up_to_the_interval(value: Decimal, cuts: list[int]) -> None:
    """FAQ: the hour is shown twice; the parts of consecutive 867s add up to the meter's value exactly."""
    end = cpt(PLAIN, 15)
    bounds = [end - timedelta(hours=1), *(end - timedelta(hours=1) + timedelta(seconds=s) for s in sorted(cuts)), end]
    parts = [share(value, end, 60, a, b) for a, b in pairwise(bounds)]
    assert sum(parts, Decimal(0)) == value
    assert all(p >= 0 for p in parts)


def test_the_split_hour_appears_in_both_periods_with_its_parts() -> None:
    read = cpt(PLAIN, 14, 30)
    day_start, day_end = cpt(PLAIN), cpt(PLAIN + timedelta(days=1))
    values = {e: Decimal("2.500") for e in interval_ends(day_start, day_end, 15)}

    def period(a: datetime, b: datetime) -> list[Hour]:
        return hours([Part(e, share(values[e], e, 15, a, b), False) for e in interval_ends(a, b, 15)], a, b)

    first, second = period(day_start, read), period(read, day_end)
    assert first[-1].end == second[0].end == cpt(PLAIN, 15)
    assert first[-1].kwh + second[0].kwh == Decimal("10.000")
    assert first[-1].partial and second[0].partial and not first[0].partial
    assert expected_hours(day_start, read) == {PLAIN: 15}
    assert expected_hours(read, day_end) == {PLAIN: 10}


def test_an_hour_with_any_estimated_interval_is_estimated() -> None:
    start, end = cpt(PLAIN, 9), cpt(PLAIN, 11)
    parts = [Part(e, Decimal("1.000"), e == cpt(PLAIN, 9, 45), "eq11" if e == cpt(PLAIN, 9, 45) else None)
             for e in interval_ends(start, end, 15)]
    first, second = hours(parts, start, end)
    assert first.estimated and first.methods == frozenset({"eq11"})
    assert not second.estimated and second.methods == frozenset()


def test_23_59_59_is_the_end_of_the_day_for_the_meter_data() -> None:
    """Tariff 10.B(3): off-cycle switches at 'the very end of the day (i.e. 23:59:59)'."""
    assert metering_instant(cpt(PLAIN, 23, 59, 59)) == cpt(PLAIN + timedelta(days=1))
    assert metering_instant(cpt(PLAIN, 23, 59)) == cpt(PLAIN, 23, 59)
    assert metering_instant(cpt(PLAIN, 14, 30)) == cpt(PLAIN, 14, 30)


def test_hour_ending_and_day_of_hour() -> None:
    assert hour_ending(cpt(PLAIN, 14, 15)) == cpt(PLAIN, 15)
    assert hour_ending(cpt(PLAIN, 15)) == cpt(PLAIN, 15)
    assert day_of_hour(cpt(PLAIN + timedelta(days=1))) == PLAIN  # HE 0000 is the day before's


def test_the_end_of_the_read_day_and_rounding() -> None:
    assert end_of_local_day(cpt(PLAIN, 9, 48)) == cpt(PLAIN + timedelta(days=1))
    assert quantize(Decimal("9.6875")) == Decimal("9.688")
    assert quantize(Decimal("9.6865")) == Decimal("9.686")


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        metering_instant(datetime(2026, 6, 16, 12))
