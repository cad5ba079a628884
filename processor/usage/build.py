"""One billing period's usage, per meter and net, and the 867 that carries it. Pure functions.

Spec 2.7 and section 4: one 867 per service point; a ``PTD*SU`` summary with the net total ("Net
service-point usage = Σ(JH=A) − Σ(JH=S), per interval and in total. SU carries the net; the BO loops carry
each meter's raw values"); one loop per meter with ``REF*MG`` and ``REF*JH*A`` or ``REF*JH*S`` (FAQ: "a
subtractive meter is denoted in the EDI 867MU transaction as follows: REF*JH*S … a typical non-subtractive
meter is noted as REF*JH*A"); interval meters as hourly ``QTY`` + ``DTM*582`` pairs ("Ameren provides hourly
interval data in the EDI 867MU transaction"), scalar meters as ``QTY`` + ``MEA`` with the begin and end
readings.

Every period is checked before it is written: each meter has, on each local day, the hours that day has
(FAQ: "On the spring forward day … will only contain 23 values … On the fall back day … 25 values") plus
the cut hours at the ends; its hours add up to its total; the summary is the net of the meters. A check that
fails is a bug (:class:`UsageError`), never an 867.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from itertools import repeat

from edi.messages import (
    EntityCode,
    HourlyIntervals,
    IdQualifier,
    Interval,
    MeterRole,
    MeterUsage,
    Party,
    Period,
    Purpose,
    Quantity,
    QuantityQualifier,
    Reading,
    Relationship,
    TouCode,
    Unit,
    UsageLoop,
    UsageReport,
    UsageSummary,
)
from processor.config import Utility
from processor.store.records import Account, Meter, ReadType, RegisterRead, ServicePoint, Supplier
from processor.usage.estimate import Method
from processor.usage.intervals import (
    CENTRAL,
    HOUR,
    QUANTUM,
    Hour,
    Part,
    counts_by_day,
    expected_hours,
    hours,
    interval_ends,
    metering_instant,
    quantize,
    share,
    utc,
)

#: DUNS+4 is 13 characters (N103 ``9``); a DUNS is 9 (N103 ``1``).
_DUNS_PLUS_4 = 13


class UsageError(Exception):
    """A period cannot be turned into an 867: its data does not add up (a bug), or cannot be used."""


@dataclass(frozen=True, slots=True)
class IntervalValue:
    """One interval of a meter as the period uses it: raw kWh (before the multiplier) and how it came about."""

    raw: Decimal
    method: Method | None = None  #: None: an actual read

    @property
    def estimated(self) -> bool:
        return self.method is not None


@dataclass(frozen=True, slots=True, eq=False)
class IntervalGrid(Mapping[datetime, IntervalValue]):
    """A meter's values on its grid as columns: ``raw[i]`` is the interval ending ``i`` intervals of
    ``minutes`` after ``first``, ``methods`` says how the estimated ones (by index) came about.

    Meter data for a month is 720 hourly values a meter, 7.2 million for 10,000 points: columns instead of
    an end and an :class:`IntervalValue` each, which :func:`interval_usage` takes as they are (867
    production profile, README). As a mapping it is the same as the dict of those values.
    """

    first: datetime  #: the end of the first interval (aware; kept in UTC)
    minutes: int
    raw: tuple[Decimal, ...]
    methods: Mapping[int, Method] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "first", utc(self.first))  # whole intervals are added in UTC
        if type(self.raw) is not tuple:
            object.__setattr__(self, "raw", tuple(self.raw))
        if self.minutes <= 0:
            raise ValueError(f"intervals of {self.minutes} minutes")
        if any(not 0 <= i < len(self.raw) for i in self.methods):
            raise ValueError(f"estimated indexes outside the {len(self.raw)} values: {sorted(self.methods)}")

    def index(self, end: datetime) -> int | None:
        """The index of the interval ending at ``end``, None when there is none."""
        i, rest = divmod(end - self.first, timedelta(minutes=self.minutes))
        return i if not rest and 0 <= i < len(self.raw) else None

    def __getitem__(self, end: datetime) -> IntervalValue:
        i = self.index(end)
        if i is None:
            raise KeyError(end)
        return IntervalValue(self.raw[i], self.methods.get(i))

    def __iter__(self) -> Iterator[datetime]:
        step = timedelta(minutes=self.minutes)
        return (self.first + i * step for i in range(len(self.raw)))

    def __len__(self) -> int:
        return len(self.raw)


@dataclass(frozen=True, slots=True)
class IntervalMeterData:
    """An interval meter and a value for every interval that overlaps the period (a dict, or an
    :class:`IntervalGrid`)."""

    meter: Meter
    values: Mapping[datetime, IntervalValue]


@dataclass(frozen=True, slots=True)
class ScalarMeterData:
    """A scalar meter and its register reads at the period's start and end."""

    meter: Meter
    begin: RegisterRead
    end: RegisterRead


@dataclass(frozen=True, slots=True)
class WholeHours:
    """An hourly meter's values when every interval lies inside the period, as columns: hour ``i`` ends at
    ``ends[i]`` and is ``kwh[i]``; ``estimated`` holds ``(i, methods)`` for the estimated hours only.

    Columns rather than an :class:`Hour` per value: a month for 10,000 points is 7.2 million of them, and
    the 867 needs only the end, the value and whether it is estimated (867 production profile, README).
    """

    ends: tuple[datetime, ...]
    kwh: tuple[Decimal, ...]
    estimated: tuple[tuple[int, frozenset[str]], ...] = ()

    def hours(self) -> tuple[Hour, ...]:
        """The same hours the general path makes (never partial: no interval is cut)."""
        methods = dict(self.estimated)
        return tuple(Hour(e, kwh, i in methods, methods.get(i, _NO_METHODS), False)
                     for i, (e, kwh) in enumerate(zip(self.ends, self.kwh, strict=True)))


@dataclass(frozen=True, slots=True)
class MeterResult:
    """One meter's usage in one period, after its multiplier."""

    meter: Meter
    total: Decimal
    estimated: bool
    _hours: tuple[Hour, ...] = ()  #: interval meters (see :attr:`hours`)
    reading: Reading | None = None  #: scalar meters
    whole: WholeHours | None = None  #: interval meters with only whole hourly intervals, instead of ``_hours``

    @property
    def hours(self) -> tuple[Hour, ...]:
        """Hour-ending values (interval meters), made from :attr:`whole` when the values are kept there."""
        return self._hours if self.whole is None else self.whole.hours()

    @property
    def signed(self) -> Decimal:
        """The meter's part of the net: its total, negative for a subtractive meter."""
        return -self.total if self.meter.role.value == MeterRole.SUBTRACTIVE.value else self.total


@dataclass(frozen=True, slots=True)
class PeriodUsage:
    """A service point's usage in the period ``(start, end]`` (the boundaries as read, aware UTC)."""

    service_point: ServicePoint
    start: datetime
    end: datetime
    meters: tuple[MeterResult, ...]

    @property
    def net(self) -> Decimal:
        """Σ additive − Σ subtractive (spec section 4, rule 7)."""
        return sum((m.signed for m in self.meters), Decimal("0.000") if self.interval else Decimal(0))

    @property
    def estimated(self) -> bool:
        return any(m.estimated for m in self.meters)

    @property
    def interval(self) -> bool:
        return any(m.meter.interval_minutes is not None for m in self.meters)

    def net_hours(self) -> list[Hour]:
        """The net per hour (interval points): what the plot draws."""
        by_end: dict[datetime, list[tuple[Hour, int]]] = {}
        for m in self.meters:
            sign = -1 if m.meter.role.value == MeterRole.SUBTRACTIVE.value else 1
            for h in m.hours:
                by_end.setdefault(h.end, []).append((h, sign))
        out: list[Hour] = []
        for end in sorted(by_end):
            group = by_end[end]
            total = sum((h.kwh * sign for h, sign in group), Decimal("0.000"))
            out.append(Hour(end, total, any(h.estimated for h, _ in group),
                            frozenset().union(*(h.methods for h, _ in group)), any(h.partial for h, _ in group)))
        return out


# ------------------------------------------------------------------------------------ meters


def interval_usage(data: IntervalMeterData, start: datetime, end: datetime) -> MeterResult:
    """An interval meter's hours in the period ``(start, end]`` (boundaries as read).

    Each interval: raw × multiplier, rounded to the watt-hour, then this period's share of it
    (:func:`processor.usage.intervals.share`); hours are sums of those.
    """
    meter = data.meter
    minutes = meter.interval_minutes
    if minutes is None:
        raise UsageError(f"meter {meter.meter_number} is not an interval meter")
    low, high = metering_instant(start), metering_instant(end)
    ends = _interval_ends(low, high, minutes)
    length = timedelta(minutes=minutes)
    if minutes == 60 and ends and low <= ends[0] - length and ends[-1] <= high:
        return _whole_hours(data, ends, low, high)
    missing = [e for e in ends if e not in data.values]
    if missing:
        raise UsageError(f"meter {meter.meter_number}: no value for the interval ending {missing[0].isoformat()}")
    parts = []
    for e in ends:
        value = data.values[e]
        billed = quantize(value.raw * meter.multiplier)
        method = None if value.method is None else value.method.value
        whole = low <= e - length and e <= high  # the common case, without share's arithmetic
        parts.append(Part(e, billed if whole else share(billed, e, minutes, low, high), value.estimated, method))
    result = hours(parts, low, high)
    _check_hours(meter, result, parts, low, high)
    total = sum((h.kwh for h in result), Decimal("0.000"))
    return MeterResult(meter, total, any(h.estimated for h in result), _hours=tuple(result))


def _whole_hours(data: IntervalMeterData, ends: tuple[datetime, ...], start: datetime, end: datetime) -> MeterResult:
    """An hourly meter whose every interval lies inside the period: each interval is its hour.

    The common case (7.2 million values a month for 10,000 points) without a :class:`Part` per value, the
    grouping of :func:`~processor.usage.intervals.hours` or :func:`~processor.usage.intervals.share`: the
    same hours as the general path. The per-day count is checked once per period (:func:`_days_whole`),
    as the hours end exactly at ``ends``; the sum check would compare a list with itself.
    """
    meter = data.meter
    raw, methods = _raw(data, ends)
    multiplier, quantum, even = meter.multiplier, QUANTUM, ROUND_HALF_EVEN
    kwh = tuple(map(Decimal.quantize, map(operator.mul, raw, repeat(multiplier)), repeat(quantum), repeat(even)))
    estimated = tuple([(i, frozenset((m.value,)) if m.value else _NO_METHODS) for i, m in methods])
    whole = WholeHours(ends, kwh, estimated)
    if not _days_whole(ends[0], ends[-1], start, end):
        _check_hours(meter, whole.hours(), (), start, end)  # raises, naming the day
    return MeterResult(meter, sum(kwh, Decimal("0.000")), bool(estimated), whole=whole)


def _raw(data: IntervalMeterData, ends: tuple[datetime, ...]) -> tuple[Sequence[Decimal], list[tuple[int, Method]]]:
    """The raw values of the intervals ending at ``ends`` (consecutive, on the meter's grid), and the methods
    of the estimated ones by index: a slice of an :class:`IntervalGrid`'s column, else looked up one by one."""
    values = data.values
    if isinstance(values, IntervalGrid) and values.minutes == data.meter.interval_minutes:
        first = values.index(ends[0])
        if first is not None and first + len(ends) <= len(values.raw):
            last = first + len(ends)
            methods = sorted((i - first, m) for i, m in values.methods.items() if first <= i < last)
            return values.raw[first:last], methods
    try:
        read = [values[e] for e in ends]
    except KeyError:
        missing = next(e for e in ends if e not in values)
        raise UsageError(f"meter {data.meter.meter_number}: no value for the interval ending "
                         f"{missing.isoformat()}") from None
    return [v.raw for v in read], [(i, v.method) for i, v in enumerate(read) if v.method is not None]


@lru_cache(maxsize=256)
def _interval_ends(start: datetime, end: datetime, minutes: int) -> tuple[datetime, ...]:
    """:func:`~processor.usage.intervals.interval_ends`, worked out once for every point read on the same dates."""
    return tuple(interval_ends(start, end, minutes))


@lru_cache(maxsize=256)
def _days_whole(first: datetime, last: datetime, start: datetime, end: datetime) -> bool:
    """Whether hours ending every hour from ``first`` to ``last`` are the hours each local day of ``(start,
    end]`` has: the same answer for every point read on the same dates, so worked out once."""
    moment, ends = first, []
    while moment <= last:
        ends.append(moment)
        moment += HOUR
    return counts_by_day(ends) == expected_hours(start, end)


_NO_METHODS: frozenset[str] = frozenset()


def _check_hours(meter: Meter, result: Sequence[Hour], parts: Sequence[Part], start: datetime, end: datetime) -> None:
    """Every local day has its hours (23/24/25, plus the cut ends), and the hours add up to the intervals."""
    expected = expected_hours(start, end)
    counted = counts_by_day(h.end for h in result)
    if counted != expected:
        wrong = sorted(day for day in expected.keys() | counted.keys() if counted.get(day) != expected.get(day))
        day = wrong[0]
        raise UsageError(f"meter {meter.meter_number}: {counted.get(day, 0)} hourly values on {day}, "
                         f"expected {expected.get(day, 0)}")
    if parts and sum((h.kwh for h in result), Decimal(0)) != sum((p.kwh for p in parts), Decimal(0)):
        raise UsageError(f"meter {meter.meter_number}: the hours do not add up to the intervals")


def scalar_usage(data: ScalarMeterData) -> MeterResult:
    """A scalar meter's consumption: (end − begin reading) × multiplier; estimated if either read is."""
    meter = data.meter
    if data.end.register_kwh < data.begin.register_kwh:
        raise UsageError(f"meter {meter.meter_number}: the register went back from {data.begin.register_kwh} to "
                         f"{data.end.register_kwh} (meter exchanged or rolled over?)")
    consumption = (data.end.register_kwh - data.begin.register_kwh) * meter.multiplier
    estimated = ReadType.ESTIMATED in (data.begin.read_type, data.end.read_type)
    qualifier = QuantityQualifier.ESTIMATED if estimated else QuantityQualifier.ACTUAL
    reading = Reading(consumption, Unit.KWH, qualifier, data.begin.register_kwh, data.end.register_kwh,
                      TouCode.TOTAL)
    return MeterResult(meter, consumption, estimated, reading=reading)


def period_usage(point: ServicePoint, start: datetime, end: datetime,
                 meters: Sequence[IntervalMeterData | ScalarMeterData]) -> PeriodUsage:
    """The service point's usage in ``(start, end]``, meters in the order given."""
    if utc(start) >= utc(end):
        raise UsageError(f"service point {point.service_point_id}: the period {start} .. {end} is empty")
    results = tuple(interval_usage(m, start, end) if isinstance(m, IntervalMeterData) else scalar_usage(m)
                    for m in meters)
    return PeriodUsage(point, utc(start), utc(end), results)


# ------------------------------------------------------------------------------------- the 867


def boundary(moment: datetime, *, interval: bool) -> date:
    """DTM*150/151 of a boundary: the date alone at local midnight (and always for scalar points, whose
    867s carry the read dates, as the samples do), else the instant, which the 867 writes with its time and
    CS/CD (spec section 4 rule 5: "DTM*150/151 … carry DTM03/DTM04 = t whenever the boundary is not midnight")."""
    local = utc(moment).astimezone(CENTRAL)
    if not interval or local.time() == time():
        return local.date()
    return utc(moment)


def _qualifier(duns: str) -> IdQualifier:
    return IdQualifier.DUNS_PLUS_4 if len(duns) == _DUNS_PLUS_4 else IdQualifier.DUNS


def _quantity_qualifier(estimated: bool) -> QuantityQualifier:
    return QuantityQualifier.ESTIMATED if estimated else QuantityQualifier.ACTUAL


def usage_report(usage: PeriodUsage, *, reference: str, created: date, final: bool, utility: Utility,
                 supplier_duns: str, supplier: Supplier | None, account: Account) -> UsageReport:
    """The 867MU (spec 2.7) of ``usage``, addressed to the RES ``supplier_duns``.

    Header: the utility as submitter (N106 41), the RES as receiver (40), the customer's name; REF*12
    account, REF*LU service point, REF*NH rate class, REF*LO load profile, REF*BF bill group, REF*SPL rate
    zone. Summary: the net in kWh, ``KA`` when any value behind it is estimated. One loop per meter, by
    meter number: ``BO`` with hourly values for an interval meter, ``PM`` with the readings for a scalar
    one; REF*4P only when the multiplier is not 1 (spec S4: "meter multiplier only if ≠1").
    """
    point = usage.service_point
    period = Period(boundary(usage.start, interval=usage.interval), boundary(usage.end, interval=usage.interval))
    loops: list[MeterUsage] = []
    for m in usage.meters:
        meter = m.meter
        multiplier = None if meter.multiplier == 1 else meter.multiplier
        role = MeterRole(meter.role.value)
        if m.reading is not None:
            loops.append(MeterUsage(UsageLoop.SCALAR, meter.meter_number, role, period, multiplier,
                                    readings=(m.reading,)))
        else:
            actual, estimated = QuantityQualifier.ACTUAL, QuantityQualifier.ESTIMATED  # looked up once, not per hour
            intervals: Sequence[Interval]
            if m.whole is not None:  # the columns as they are, no Hour or Interval in between
                intervals = HourlyIntervals(m.whole.ends[0], m.whole.kwh, frozenset(i for i, _ in m.whole.estimated))
            else:
                intervals = tuple([Interval(h.end, h.kwh, estimated if h.estimated else actual) for h in m.hours])
            loops.append(MeterUsage(UsageLoop.INTERVAL, meter.meter_number, role, period, multiplier,
                                    intervals=intervals))
    summary = UsageSummary(period, (Quantity(usage.net, Unit.KWH, _quantity_qualifier(usage.estimated)),))
    return UsageReport(
        purpose=Purpose.ORIGINAL,
        reference=reference,
        created=created,
        final=final,
        utility=Party(EntityCode.UTILITY, utility.name, _qualifier(utility.duns), utility.duns,
                      relationship=Relationship.SUBMITTER),
        supplier=Party(EntityCode.SUPPLIER, None if supplier is None else supplier.name, _qualifier(supplier_duns),
                       supplier_duns, relationship=Relationship.RECEIVER),
        customer=Party(EntityCode.CUSTOMER, account.customer_name),
        ldc_account=account.account_number,
        service_point=point.service_point_id,
        rate_class=point.rate_class.value,
        load_profile=point.load_profile,
        bill_cycle=account.bill_group,
        rate_zone=point.rate_zone,
        summary=summary,
        meters=tuple(loops),
    )
