"""Interval arithmetic: meter intervals in UTC, their share of a billing period, and hour-ending sums.

Everything here works on aware UTC instants and exact ``Decimal``s; Central prevailing time appears only
to count a local day's hours (23 on the spring-forward day, 25 on the fall-back day) and to find the end
of the day. Labels (hour ending, ``CS``/``CD``) are made by :mod:`edi.canonical` when the 867 is written
(design.md, Time: "Interval data is stored in UTC and labelled in prevailing time only when written").

- **Grid.** A meter's intervals end on its grid: every 15, 30 or 60 minutes from the epoch, which in
  Central time are the quarter, half and whole hours (Central offsets are whole hours). Each interval lies
  inside one clock hour, so an hour's value is the sum of the intervals that end in it.
- **Share of a period.** A billing period is ``(start, end]``. FAQ, interval data: "Since a billing period
  can end in-between hours, Ameren accounts for this by showing that hour twice – once in two separate EDI
  867MU transactions". An interval cut by a boundary is shared by time (the meter recorded nothing finer),
  and the share before a boundary ``b`` is :func:`cut` ``(v, b)`` rounded to :data:`QUANTUM`; a period gets
  ``cut(end) − cut(start)``, so consecutive periods' shares of one interval add up to it exactly, and the
  two parts of a split hour add up to the hour. With 15-minute data and the FAQ's 14:30 read no interval
  is cut: the hour's first two quarters go to one 867 and the last two to the next.
- **Rounding.** Each interval value is rounded once, to :data:`QUANTUM` (1 Wh) after the multiplier; from
  there on only sums are taken, so hours, meter totals and the net total are exact sums of what is sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

#: kWh are sent to the watt-hour, as the sample 867s do (``QTY*QD*68.408*KH``).
QUANTUM = Decimal("0.001")
CENTRAL = ZoneInfo("America/Chicago")
HOUR = timedelta(hours=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Tariff 10.B(3): an off-cycle switch takes effect "as of the very end of the day (i.e. 23:59:59)".
END_OF_DAY = time(23, 59, 59)


def quantize(value: Decimal) -> Decimal:
    """``value`` to the watt-hour, half to even (the rounding that does not drift over many intervals)."""
    return value.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is refused rather than read as the machine's local time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"an instant needs a time zone: {moment.isoformat()}")
    return moment.astimezone(UTC)


def metering_instant(boundary: datetime) -> datetime:
    """The instant a period boundary cuts the meter data at.

    A boundary at 23:59:59 CPT is the tariff's way to say "the very end of the day" (10.B(3), off-cycle
    switch): no meter splits off one second, so the meter data is cut at the following midnight and the day
    stays whole in the period that ends there. The 867's DTM*150/151 still show the boundary as it is
    (``235959``, as the 814 response did). Every other boundary is cut where it is.
    """
    moment = utc(boundary)
    local = moment.astimezone(CENTRAL)
    if local.time() == END_OF_DAY:
        return moment + timedelta(seconds=1)
    return moment


def on_grid(moment: datetime, minutes: int) -> bool:
    """Whether ``moment`` is an interval end of a meter with ``minutes``-long intervals."""
    offset = utc(moment) - _EPOCH
    return offset % timedelta(minutes=minutes) == timedelta(0)


def floor_grid(moment: datetime, minutes: int) -> datetime:
    """The last grid instant at or before ``moment``."""
    offset = utc(moment) - _EPOCH
    return _EPOCH + offset - offset % timedelta(minutes=minutes)


def ceil_grid(moment: datetime, minutes: int) -> datetime:
    """The first grid instant at or after ``moment``."""
    floor = floor_grid(moment, minutes)
    return floor if floor == utc(moment) else floor + timedelta(minutes=minutes)


def interval_ends(start: datetime, end: datetime, minutes: int) -> list[datetime]:
    """The ends of the meter's intervals that overlap the period ``(start, end]``, in time order.

    An interval ``(e − L, e]`` overlaps it when ``e > start`` and ``e − L < end``: the first is the first
    grid instant after ``start``, the last the first grid instant at or after ``end``.
    """
    step = timedelta(minutes=minutes)
    first = floor_grid(start, minutes) + step
    last = ceil_grid(end, minutes)
    out: list[datetime] = []
    moment = first
    while moment <= last:
        out.append(moment)
        moment += step
    return out


def cut(value: Decimal, interval_end: datetime, minutes: int, boundary: datetime) -> Decimal:
    """The part of an interval's ``value`` that lies before ``boundary``, shared by time and rounded.

    0 when the interval starts at or after the boundary, the whole value when it ends at or before it.
    """
    length = timedelta(minutes=minutes)
    begin = utc(interval_end) - length
    if boundary <= begin:
        return Decimal(0) * value  # keeps the value's exponent: 0.000, not 0
    if boundary >= interval_end:
        return value
    before = (boundary - begin) // timedelta(microseconds=1)
    whole = length // timedelta(microseconds=1)
    return quantize(value * before / whole)


def share(value: Decimal, interval_end: datetime, minutes: int, start: datetime, end: datetime) -> Decimal:
    """The part of an interval's ``value`` that belongs to the period ``(start, end]``."""
    return cut(value, interval_end, minutes, end) - cut(value, interval_end, minutes, start)


def hour_ending(interval_end: datetime) -> datetime:
    """The end of the clock hour an interval lies in: the interval end itself on the hour, else the next hour."""
    if interval_end.tzinfo is UTC and not (interval_end.minute or interval_end.second or interval_end.microsecond):
        return interval_end  # an hourly meter's every interval: nothing to work out
    moment = utc(interval_end)
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor if floor == moment else floor + HOUR


@dataclass(frozen=True, slots=True)
class Part:
    """One interval's part of a period, ready to be summed into its hour."""

    interval_end: datetime
    kwh: Decimal  #: after the multiplier, rounded to :data:`QUANTUM`, this period's share only
    estimated: bool
    method: str | None = None  #: how it was estimated (None: actual)


@dataclass(frozen=True, slots=True)
class Hour:
    """One hour-ending value of one meter in one period (an ``QTY`` + ``DTM*582`` pair of the 867)."""

    end: datetime  #: the hour's end (UTC); labelled hour-ending in prevailing time when written
    kwh: Decimal
    estimated: bool  #: any interval of the hour estimated → ``QTY*KA``
    methods: frozenset[str] = frozenset()
    partial: bool = False  #: a period boundary cuts the hour (it appears in two consecutive 867s)


def hours(parts: Iterable[Part], start: datetime, end: datetime) -> list[Hour]:
    """Hour-ending sums of ``parts`` for the period ``(start, end]``, in time order.

    An hour with any estimated interval is estimated: an estimate is never passed off as an actual.
    """
    sums: dict[datetime, list[Part]] = {}
    for part in parts:
        sums.setdefault(hour_ending(part.interval_end), []).append(part)
    out: list[Hour] = []
    for hour_end in sorted(sums):
        group = sums[hour_end]
        partial = hour_end - HOUR < start < hour_end or hour_end - HOUR < end < hour_end
        if len(group) == 1:  # an hourly meter: the hour is its interval (7.2 million times a month for 10,000)
            part = group[0]
            out.append(Hour(hour_end, part.kwh, part.estimated, _NO_METHODS if not part.method
                            else frozenset((part.method,)), partial))
            continue
        total = sum((p.kwh for p in group[1:]), group[0].kwh)
        out.append(Hour(hour_end, total, any(p.estimated for p in group),
                        frozenset(p.method for p in group if p.method), partial))
    return out


_NO_METHODS: frozenset[str] = frozenset()


# ----------------------------------------------------------------------------- local days


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The instants (UTC) of local midnight at the start and the end of ``day``."""
    begin = datetime.combine(day, time(), tzinfo=CENTRAL).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=CENTRAL).astimezone(UTC)
    return begin, end


def hours_in_day(day: date) -> int:
    """23 on the spring-forward day, 25 on the fall-back day, 24 otherwise (FAQ, spring forward / fall back)."""
    begin, end = local_day_bounds(day)
    return (end - begin) // HOUR


@lru_cache(maxsize=4096)
def day_of_hour(hour_end: datetime) -> date:
    """The local date an hour-ending value belongs to: that of the hour's start (HE 0000 is the day before's).

    Cached: every point of a month asks for the same few hundred hours."""
    return (utc(hour_end) - HOUR).astimezone(CENTRAL).date()


def expected_hours(start: datetime, end: datetime) -> dict[date, int]:
    """Per local date, how many hour-ending values a meter must have in the period ``(start, end]``.

    Counted from the zone's own idea of each day (midnight to midnight), independently of how
    :func:`hours` builds them: whole days have :func:`hours_in_day` values, the first and last day the hours
    the period touches (a cut hour counts: it appears in both periods).
    """
    counts: dict[date, int] = {}
    day = (utc(start)).astimezone(CENTRAL).date()
    last = (utc(end) - timedelta(microseconds=1)).astimezone(CENTRAL).date()
    while day <= last:
        begin, stop = local_day_bounds(day)
        low, high = max(begin, utc(start)), min(stop, utc(end))
        if low < high:
            first_hour = low.replace(minute=0, second=0, microsecond=0)
            last_hour = high.replace(minute=0, second=0, microsecond=0)
            if last_hour < high:
                last_hour += HOUR
            counts[day] = (last_hour - first_hour) // HOUR
        day += timedelta(days=1)
    return counts


def counts_by_day(hour_ends: Iterable[datetime]) -> dict[date, int]:
    """How many hour-ending values fall on each local date."""
    counts: dict[date, int] = {}
    for hour_end in hour_ends:
        day = day_of_hour(hour_end)
        counts[day] = counts.get(day, 0) + 1
    return counts


def end_of_local_day(moment: datetime) -> datetime:
    """Local midnight (UTC) after the local date of ``moment``."""
    return local_day_bounds(utc(moment).astimezone(CENTRAL).date())[1]
