"""Missing interval data, estimated as tariff section 8.L(2) says: equations 10, 11, 12, 13, in that order.

Tariff 8.L(2): "The Company will employ the estimation equations summarized in the following table, in
sequence, depending on the source data available. Once all conditions in the equation are satisfied, the
Company will use the resulting estimated interval usage for billing purposes. If all conditions in the
equation are not satisfied, the Company will attempt to use the next equation."

The unit an equation is tried on is a *gap*: a maximal run of consecutive intervals without a value (quality
M, or no row at all), found on the meter's whole record, not only inside the period, so that the two
periods sharing a cut interval estimate it alike. An equation is used for a gap when it gives every interval
of the gap a value; otherwise the next one is tried. All arithmetic is on raw meter kWh (before the
multiplier), exact; :mod:`processor.usage.build` multiplies and rounds.

- **Equation 10, same day**: "sum of actual historic usage for the respective intervals on the same day of
  the week if the day of the week isn't a holiday" over "the number of respective intervals for which
  historic usage was obtained"; on a holiday, the same over "the respective intervals on holidays". The
  respective interval is the one at the same local clock time; the history is the :data:`SAME_DAY_WEEKS`
  previous same weekdays that are not holidays, or the holidays of the previous :data:`HOLIDAY_DAYS` days.
- **Equation 11, prior week same day type**: "the usage in the respective intervals on the same day type in
  the prior week" over their number; day types are the tariff's "weekday, weekend day or holiday" (8.L(1),
  equation 1) and the prior week is the seven days before the interval's day.
- **Equation 12, dynamic load profile**: "the usage for that respective interval as supplied from the
  Company's appropriate dynamic load profile": the service point's ``load_profile`` (REF*LO), when such a
  profile was loaded (``edi usage`` with a ``load_profile,interval_end,kwh`` file of hourly kWh); an interval
  shorter than the hour takes its part of the hour by time.
- **Equation 13, interval flat line**: ``(R_EOG − R_BOG) / I_N``, "meter read at the end … at the beginning
  of the missing interval gap" over the number of missing intervals. The reads are the meter's register
  reads at or around the gap (on its interval grid); the intervals between them that do have values are
  taken off first, so the registers' consumption is matched exactly.
- **Equation 13 without register reads**: the same flat line drawn at the mean of the two intervals that
  border the gap (one, when the gap runs to the edge of the data). Not in the tariff's words: it is this
  gateway's last automatic step before equation 14, "manual calculation", which it cannot do; a gap that no
  step can fill (a meter without a single value) holds the period back for an analyst.

Actual reads (quality A) are the only history: an estimate is never estimated from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from processor.calendar import Calendar
from processor.usage.intervals import CENTRAL, hour_ending, on_grid, utc

#: Equation 10 looks back this many weeks for the same weekday.
SAME_DAY_WEEKS = 4
#: Equation 10 on a holiday looks back this many days for holidays.
HOLIDAY_DAYS = 366
#: Equation 11's "prior week".
PRIOR_WEEK_DAYS = 7


class Method(StrEnum):
    """How an interval value came about, when it is not an actual read."""

    METER_SYSTEM = "meter"  #: quality E: estimated by the meter data system, kept as given
    SAME_DAY = "eq10"
    PRIOR_WEEK = "eq11"
    LOAD_PROFILE = "eq12"
    FLAT_LINE = "eq13"
    FLAT_LINE_NEIGHBOURS = "eq13-neighbours"


#: For people (the plot's legend, logs).
DESCRIPTIONS = {
    Method.METER_SYSTEM: "estimated by the meter data system (E)",
    Method.SAME_DAY: "eq. 10 same weekday / holidays",
    Method.PRIOR_WEEK: "eq. 11 prior week, same day type",
    Method.LOAD_PROFILE: "eq. 12 dynamic load profile",
    Method.FLAT_LINE: "eq. 13 flat line between register reads",
    Method.FLAT_LINE_NEIGHBOURS: "eq. 13 flat line between bordering intervals",
}


class DayType(StrEnum):
    """The tariff's day types (8.L(1), equation 1: "weekday, weekend day or holiday")."""

    WEEKDAY = "weekday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"


def day_type(day: date, calendar: Calendar) -> DayType:
    if calendar.is_holiday(day):
        return DayType.HOLIDAY
    return DayType.WEEKEND if day.weekday() >= 5 else DayType.WEEKDAY


@dataclass(frozen=True, slots=True)
class Register:
    """A register read: when, and the reading (raw kWh)."""

    at: datetime
    value: Decimal


@dataclass(frozen=True, slots=True)
class History:
    """What the equations may look at for one meter's gap. Raw meter kWh, keyed by interval end (UTC)."""

    minutes: int
    multiplier: Decimal = Decimal(1)
    actual: Mapping[datetime, Decimal] = field(default_factory=dict)  #: quality A only
    known: Mapping[datetime, Decimal] = field(default_factory=dict)  #: A and E, around the gap
    register_before: Register | None = None  #: at or before the gap's beginning
    register_after: Register | None = None  #: at or after the gap's end
    profile: Mapping[datetime, Decimal] = field(default_factory=dict)  #: hour end → kWh (after multiplier)


@dataclass(frozen=True, slots=True)
class Estimate:
    method: Method
    values: Mapping[datetime, Decimal]  #: interval end → raw kWh, for every interval of the gap


def interval_day(interval_end: datetime, minutes: int) -> date:
    """The local date an interval belongs to: its start's (the interval ending at midnight is the day before's)."""
    return (utc(interval_end) - timedelta(minutes=minutes)).astimezone(CENTRAL).date()


def respective(interval_end: datetime, minutes: int, day: date) -> datetime | None:
    """The interval at the same local clock time on ``day``; None where that time does not exist (spring forward).

    On the fall-back day both intervals of the repeated hour have the same respective interval.
    """
    length = timedelta(minutes=minutes)
    wall = datetime.combine(day, (utc(interval_end) - length).astimezone(CENTRAL).time())
    if _skipped(wall):
        return None
    return utc(wall.replace(tzinfo=CENTRAL)) + length


def _skipped(wall: datetime) -> bool:
    """Whether the naive local ``wall`` time is skipped by the spring-forward change."""
    there = wall.replace(tzinfo=CENTRAL)
    back = utc(there).astimezone(CENTRAL).replace(tzinfo=None)
    return back != wall


def same_day_days(day: date, calendar: Calendar) -> list[date]:
    """The historic days equation 10 averages over for an interval on ``day``."""
    if calendar.is_holiday(day):
        return [h for h in calendar.holidays if day - timedelta(days=HOLIDAY_DAYS) <= h < day]
    weeks = (day - timedelta(weeks=k) for k in range(1, SAME_DAY_WEEKS + 1))
    return [d for d in weeks if not calendar.is_holiday(d)]


def prior_week_days(day: date, calendar: Calendar) -> list[date]:
    """The days of the prior week with ``day``'s day type (equation 11)."""
    kind = day_type(day, calendar)
    days = (day - timedelta(days=k) for k in range(1, PRIOR_WEEK_DAYS + 1))
    return [d for d in days if day_type(d, calendar) is kind]


def history_days(gap: Sequence[datetime], minutes: int, calendar: Calendar) -> set[date]:
    """Every local date equations 10 and 11 may read for ``gap``: what the caller fetches into ``actual``."""
    days: set[date] = set()
    for day in {interval_day(end, minutes) for end in gap}:
        days.update(same_day_days(day, calendar))
        days.update(prior_week_days(day, calendar))
    return days


def _average_over(days_of: Callable[[date, Calendar], list[date]], gap: Sequence[datetime], history: History,
                  calendar: Calendar) -> dict[datetime, Decimal] | None:
    values: dict[datetime, Decimal] = {}
    for end in gap:
        found = [history.actual[r] for d in days_of(interval_day(end, history.minutes), calendar)
                 if (r := respective(end, history.minutes, d)) is not None and r in history.actual]
        if not found:
            return None
        values[end] = sum(found, Decimal(0)) / len(found)
    return values


def same_day(gap: Sequence[datetime], history: History, calendar: Calendar) -> dict[datetime, Decimal] | None:
    """Equation 10 (see the module docstring)."""
    return _average_over(same_day_days, gap, history, calendar)


def prior_week(gap: Sequence[datetime], history: History, calendar: Calendar) -> dict[datetime, Decimal] | None:
    """Equation 11 (see the module docstring)."""
    return _average_over(prior_week_days, gap, history, calendar)


def load_profile(gap: Sequence[datetime], history: History, calendar: Calendar) -> dict[datetime, Decimal] | None:
    """Equation 12: the profile's kWh for the hour, the interval's part of it by time, as raw meter kWh."""
    if not history.profile:
        return None
    values: dict[datetime, Decimal] = {}
    for end in gap:
        hourly = history.profile.get(hour_ending(end))
        if hourly is None:
            return None
        values[end] = hourly * Decimal(history.minutes) / Decimal(60) / history.multiplier
    return values


def flat_line(gap: Sequence[datetime], history: History, calendar: Calendar) -> dict[datetime, Decimal] | None:
    """Equation 13 with the register reads around the gap: what they measured, less the intervals that have values."""
    before, after = history.register_before, history.register_after
    if before is None or after is None or not gap:
        return None
    step = timedelta(minutes=history.minutes)
    if not (on_grid(before.at, history.minutes) and on_grid(after.at, history.minutes)):
        return None
    if before.at > gap[0] - step or after.at < gap[-1]:
        return None
    missing = set(gap)
    measured = after.value - before.value
    end = before.at + step
    while end <= after.at:
        if end not in missing:
            value = history.known.get(end)
            if value is None:  # another gap between the reads: the reads cannot tell the two apart
                return None
            measured -= value
        end += step
    if measured < 0:
        return None
    each = measured / len(gap)
    return dict.fromkeys(gap, each)


def flat_line_neighbours(gap: Sequence[datetime], history: History,
                         calendar: Calendar) -> dict[datetime, Decimal] | None:
    """Equation 13 without register reads: the mean of the intervals bordering the gap."""
    if not gap:
        return None
    step = timedelta(minutes=history.minutes)
    sides = [v for v in (history.known.get(gap[0] - step), history.known.get(gap[-1] + step)) if v is not None]
    if not sides:
        return None
    level = sum(sides, Decimal(0)) / len(sides)
    return dict.fromkeys(gap, level)


_LADDER: tuple[tuple[Method, Callable[[Sequence[datetime], History, Calendar], dict[datetime, Decimal] | None]],
               ...] = (
    (Method.SAME_DAY, same_day),
    (Method.PRIOR_WEEK, prior_week),
    (Method.LOAD_PROFILE, load_profile),
    (Method.FLAT_LINE, flat_line),
    (Method.FLAT_LINE_NEIGHBOURS, flat_line_neighbours),
)


def estimate_gap(gap: Sequence[datetime], history: History, calendar: Calendar) -> Estimate | None:
    """The first equation whose conditions the whole ``gap`` satisfies, and its values; None: manual (eq. 14)."""
    for method, equation in _LADDER:
        values = equation(gap, history, calendar)
        if values is not None:
            return Estimate(method, values)
    return None
