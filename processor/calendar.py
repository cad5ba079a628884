"""The tariff calendar: business days, cut-off, meter reading schedule and switching windows.

Pure date arithmetic, no verdicts: handlers ask this module *when* something may happen and
decide themselves *whether* to accept it. Nothing here reads the clock; callers pass the
instant a transaction was received (the injected ``Clock``) and get back tariff dates.

Sources cited in the docstrings:

- *Tariff*: Ameren Illinois Electric Service Schedule, Customer Terms and Conditions
  (``reference/003``), section 4 (Definitions) and section 10 (Switching Suppliers and DASR
  Procedures); "10.B(3)" means section 10, part B, paragraph (3).
- *FAQ*: Ameren's RES FAQ (``reference/004``), paragraphs named by their topic.

Vocabulary used throughout: *processed* is the date the tariff counts from ("the date that the
enrollment DASR is processed by the Company"); the gateway takes it to be the business day a
transaction counts as received (:meth:`Calendar.received_date`), because it processes every
transaction in the run that claims it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import NamedTuple
from zoneinfo import ZoneInfo

import holidays as holidays_lib

#: Deadlines are Central Prevailing Time: "6:45 p.m. Central Prevailing Time" (FAQ, blackout window).
CPT = ZoneInfo("America/Chicago")
#: "before 6:45 p.m. Central Prevailing Time" (FAQ, blackout window); configurable as ``[utility] cutoff``.
CUTOFF = time(18, 45)
#: "at least seven calendar days from the date that the enrollment DASR is processed" (tariff 10.B(3), 10.D).
MIN_NOTICE_DAYS = 7
#: "may not be more than 45 calendar days from the date that the enrollment DASR is processed"
#: (tariff 10.B(3), 10.D).
MAX_NOTICE_DAYS = 45
#: "within ten calendar days of the Company's processing of the enrollment DASR" (tariff 10.B(5)).
RESCISSION_DAYS = 10
#: "at least 17 calendar days prior to the account's scheduled meter reading date" (FAQ, blackout
#: window): the RES's rule of thumb, not a rule we apply; the tests check it is always enough.
MASS_MARKET_SAFE_DAYS = 17
#: "Meters may only be exchanged in a period beginning five business days after the scheduled meter
#: reading date and ending five business days prior to the next" (tariff 10.C).
METER_EXCHANGE_BUSINESS_DAYS = 5
#: Bill groups as the master data spells them (interfaces.md: ``bill_group`` ``01``–``21``).
BILL_GROUPS: tuple[str, ...] = tuple(f"{n:02d}" for n in range(1, 22))

#: The tariff's holidays, by the names the ``holidays`` library gives them. Tariff section 4, On-Peak:
#: "except New Year's Day, Memorial Day, Fourth of July, Labor Day, Thanksgiving Day and Christmas Day".
_TARIFF_HOLIDAYS = (
    "New Year's Day",
    "Memorial Day",
    "Independence Day",
    "Labor Day",
    "Thanksgiving Day",
    "Christmas Day",
)
_SATURDAY = 5
_SUNDAY = 6


class CalendarBilling(StrEnum):
    """An account's calendar-month billing, as in the ``accounts`` CSV (``calendar_billing``).

    FAQ, calendar-month billing: "There are three types of calendar-month billing: beginning of the
    month, middle of the month, and end of the month."
    """

    NONE = "none"
    BOM = "bom"
    MOM = "mom"
    EOM = "eom"


class Window(NamedTuple):
    """An inclusive span of dates, ``first`` through ``last``."""

    first: date
    last: date

    def contains(self, day: date) -> bool:
        """Whether ``day`` lies in the span, both ends included."""
        return self.first <= day <= self.last


def tariff_holidays(years: Iterable[int]) -> dict[date, str]:
    """The tariff's default holidays for ``years``, Sunday holidays moved to Monday.

    Tariff section 4, On-Peak: "Monday through Friday except New Year's Day, Memorial Day, Fourth of
    July, Labor Day, Thanksgiving Day and Christmas Day or if one of the preceding holidays occurs on
    a Sunday, the Monday immediately following the holiday." The tariff defines no other holiday and
    no Saturday rule, so a Saturday holiday is not moved to Friday (the federal rule would) and the
    day after Thanksgiving is a business day. Only the day that is off is returned: for a Sunday
    holiday that is the Monday, named ``"… (observed)"``.
    """
    wanted = sorted(set(years))
    if not wanted:
        return {}
    # The library gives the floating dates (last Monday of May, first Monday of September, fourth
    # Thursday of November) from a maintained, tested source. We ask for the actual dates
    # (observed=False) and apply the tariff's own Sunday rule, because the library's US observance
    # rules also move Saturday holidays to Friday, which the tariff does not.
    us = holidays_lib.country_holidays("US", years=wanted, observed=False, language="en_US")
    result: dict[date, str] = {}
    found: dict[int, set[str]] = {year: set() for year in wanted}
    for day, names in sorted(us.items()):
        for name in str(names).split("; "):
            if name not in _TARIFF_HOLIDAYS:
                continue
            found[day.year].add(name)
            if day.weekday() == _SUNDAY:
                result[day + timedelta(days=1)] = f"{name} (observed)"
            else:
                result[day] = name
    for year, names_found in found.items():
        missing = set(_TARIFF_HOLIDAYS) - names_found
        if missing:  # a library upgrade renamed a holiday: fail loudly rather than lose a holiday
            raise RuntimeError(f"holidays library gave no {sorted(missing)} for {year}")
    return result


def meets_minimum_notice(processed: date, effective: date) -> bool:
    """Whether ``effective`` is at least seven calendar days after ``processed``.

    Tariff 10.B(3): "The scheduled meter reading date must be at least seven calendar days from the
    date that the enrollment DASR is processed by the Company" (non-Mass Market on-cycle); the same
    count for off-cycle enrollments and for drops (10.D: "at least seven calendar days but not more
    than 45 calendar days before the requested termination date"). FAQ, blackout window: "at least
    seven calendar days prior to the account's scheduled meter reading date".
    """
    return (effective - processed).days >= MIN_NOTICE_DAYS


def within_maximum_notice(processed: date, effective: date) -> bool:
    """Whether ``effective`` is no more than 45 calendar days after ``processed``.

    Tariff 10.B(3): "such date may not be more than 45 calendar days from the date that the
    enrollment DASR is processed by the Company"; 10.D: "not more than 45 calendar days before the
    requested termination date".
    """
    return (effective - processed).days <= MAX_NOTICE_DAYS


def calendar_month_read_date(kind: CalendarBilling, year: int, month: int) -> date:
    """The date a calendar-month billed account bills through in ``year``-``month``.

    FAQ, calendar-month billing: end of the month accounts "always bill through the last calendar day
    of each month"; beginning of the month accounts "bill through the first day of each month".
    Middle of the month is given no date ("extremely rare"): we assume the 15th.
    """
    kind = CalendarBilling(kind)  # also accepts the CSV's plain string
    if kind is CalendarBilling.EOM:
        following = date(year + month // 12, month % 12 + 1, 1)
        return following - timedelta(days=1)
    if kind is CalendarBilling.BOM:
        return date(year, month, 1)
    if kind is CalendarBilling.MOM:
        return date(year, month, 15)
    raise ValueError(f"account is not calendar-month billed: {kind!r}")


def _check_day(value: object, what: str) -> date:
    """Reject datetimes where a date is meant: ``datetime`` is a ``date`` and compares unequal."""
    if type(value) is not date:
        raise TypeError(f"{what} must be a datetime.date, got {type(value).__name__}: {value!r}")
    return value


@dataclass(frozen=True)
class Calendar:
    """The utility's business days and meter reading schedule, and the windows the tariff derives.

    ``holidays`` are the non-business days besides weekends (``date -> name``); ``schedule`` maps a
    bill group (``"01"``–``"21"``) to its scheduled meter reading dates. Both are normalised on
    construction (sorted, de-duplicated, read-only). Build the tariff's default with
    :meth:`from_tariff`; a loaded ``holidays`` CSV replaces it through :meth:`with_holidays`.
    Holidays are only known for the years given: arithmetic outside them treats every weekday as a
    business day, so cover the schedule's years and the next.
    """

    holidays: Mapping[date, str] = field(default_factory=dict)
    schedule: Mapping[str, tuple[date, ...]] = field(default_factory=dict)
    cutoff: time = CUTOFF  #: later than this (CPT) counts as the next business day
    zone: ZoneInfo = CPT

    def __post_init__(self) -> None:
        days = {_check_day(day, "holiday"): str(name) for day, name in self.holidays.items()}
        schedule: dict[str, tuple[date, ...]] = {}
        for group, reads in self.schedule.items():
            if group not in BILL_GROUPS:
                raise ValueError(f"bill group must be one of 01–21, got {group!r}")
            schedule[group] = tuple(sorted({_check_day(read, f"read date of {group}") for read in reads}))
        if self.cutoff.tzinfo is not None:
            raise ValueError("cutoff is a wall-clock time in the calendar's zone; give it without tzinfo")
        object.__setattr__(self, "holidays", MappingProxyType(dict(sorted(days.items()))))
        object.__setattr__(self, "schedule", MappingProxyType(dict(sorted(schedule.items()))))

    def __hash__(self) -> int:
        """Hashable despite its mappings, so a calendar can key a cache."""
        return hash((tuple(self.holidays.items()), tuple(self.schedule.items()), self.cutoff, self.zone))

    # ----------------------------------------------------------------------------- construction

    @classmethod
    def from_tariff(
        cls,
        years: Iterable[int],
        schedule: Mapping[str, Iterable[date]] | None = None,
        *,
        cutoff: time = CUTOFF,
        zone: ZoneInfo = CPT,
    ) -> Calendar:
        """A calendar with the tariff's default holidays (:func:`tariff_holidays`) for ``years``."""
        return cls(tariff_holidays(years), _schedule(schedule or {}), cutoff, zone)

    def with_holidays(self, holidays: Mapping[date, str] | Iterable[date]) -> Calendar:
        """This calendar with ``holidays`` *instead of* its own (a loaded ``holidays`` CSV).

        The loaded list replaces the default rather than adding to it, so a utility can also remove
        a default holiday; dates given without names are named ``"holiday"``.
        """
        named = dict(holidays) if isinstance(holidays, Mapping) else dict.fromkeys(holidays, "holiday")
        return replace(self, holidays=named)

    def with_schedule(self, schedule: Mapping[str, Iterable[date]]) -> Calendar:
        """This calendar with ``schedule`` instead of its own meter reading schedule."""
        return replace(self, schedule=_schedule(schedule))

    # ---------------------------------------------------------------------------- business days

    def is_holiday(self, day: date) -> bool:
        """Whether ``day`` is one of the utility's holidays."""
        return day in self.holidays

    def holiday_name(self, day: date) -> str | None:
        """The holiday's name, for messages that say why a day is not a business day."""
        return self.holidays.get(day)

    def is_business_day(self, day: date) -> bool:
        """Monday to Friday and not a holiday.

        The tariff defines no "business day"; we take its On-Peak definition's days (section 4:
        "Monday through Friday except New Year's Day, … Christmas Day") and the FAQ's opposite ("falls
        on a weekend day or a holiday, then it gets extended until the next business day").
        """
        return day.weekday() < _SATURDAY and day not in self.holidays

    def add_business_days(self, day: date, n: int) -> date:
        """The ``n``-th business day after ``day`` (before it when ``n`` is negative).

        ``day`` itself is never counted, so from a Saturday one business day on is the Monday and one
        back is the Friday; ``n == 0`` returns ``day`` unchanged, business day or not.
        """
        step = timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_business_day(day):
                remaining -= 1
        return day

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after ``day``."""
        return self.add_business_days(day, 1)

    def previous_business_day(self, day: date) -> date:
        """The last business day strictly before ``day``."""
        return self.add_business_days(day, -1)

    def business_day_on_or_after(self, day: date) -> date:
        """``day`` if it is a business day, else the next one ("extended … through the next business day")."""
        return day if self.is_business_day(day) else self.next_business_day(day)

    def business_day_on_or_before(self, day: date) -> date:
        """``day`` if it is a business day, else the last one before it."""
        return day if self.is_business_day(day) else self.previous_business_day(day)

    def count_business_days(self, window: Window) -> int:
        """How many business days ``window`` holds, both ends included."""
        days = (window.last - window.first).days + 1
        return sum(self.is_business_day(window.first + timedelta(days=i)) for i in range(max(days, 0)))

    # ----------------------------------------------------------------------------------- cut-off

    def received_date(self, at: datetime) -> date:
        """The business day a transaction received at ``at`` counts as received (and processed).

        FAQ, blackout window: an enrollment "must be submitted before 6:45 p.m. Central Prevailing Time";
        calendar-month billing: "received by Ameren no later than 6:45 p.m. Central Prevailing Time".
        The two phrasings disagree only about the instant 18:45:00 itself; we follow "no later than"
        and our config contract ("transactions received after this (CPT) count as the next business
        day"): exactly 18:45:00.000000 is on time, anything later is the next business day. A
        transaction received on a weekend or holiday counts as received on the next business day.
        ``at`` may be in any zone; naive datetimes are refused, since a deadline in an unknown zone
        cannot be judged.
        """
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(f"received time must carry a time zone, got naive {at.isoformat()}")
        local = at.astimezone(self.zone)
        day = local.date()
        if local.time() > self.cutoff:
            day += timedelta(days=1)
        return self.business_day_on_or_after(day)

    def cutoff_at(self, day: date) -> datetime:
        """The cut-off instant on ``day`` (18:45 CPT by default), e.g. to print a deadline."""
        return datetime.combine(_check_day(day, "day"), self.cutoff, tzinfo=self.zone)

    # -------------------------------------------------------------------- meter reading schedule

    def scheduled_reads(self, bill_group: str) -> tuple[date, ...]:
        """The bill group's scheduled meter reading dates, ascending; empty for an unknown group."""
        return self.schedule.get(bill_group, ())

    def next_scheduled_read(self, bill_group: str, after: date, *, inclusive: bool = False) -> date | None:
        """The first scheduled read after ``after`` (on or after it when ``inclusive``), or None.

        ``inclusive=True`` is the tariff's "next scheduled meter reading date after the requested
        enrollment effective date" (10.B(3)) when the requested date may itself be a read date.
        """
        reads = self.scheduled_reads(bill_group)
        i = bisect_left(reads, after) if inclusive else bisect_right(reads, after)
        return reads[i] if i < len(reads) else None

    def billing_window(self, read_date: date) -> Window:
        """The billing window around a scheduled read.

        FAQ, billing window: "a four business day period of time that extends from two business days
        prior to an account’s scheduled meter reading date to one business day after an account’s
        scheduled meter reading date"; tariff 10.B(3): "the four business days that comprise the
        account's billing window". Non-business days between those ends belong to the window too
        ("may occur on a non-business day if the non-business day falls within the billing window").
        Scheduled reads are business days; for a read date that is not, the same ends hold three.
        """
        return Window(self.add_business_days(read_date, -2), self.add_business_days(read_date, 1))

    def billing_window_read(self, day: date, bill_group: str) -> date | None:
        """The scheduled read of ``bill_group`` whose billing window contains ``day``, if any."""
        reads = self.scheduled_reads(bill_group)
        # Both ends of the window move forward with the read, so bisect on the window's last day.
        i = bisect_left(reads, day, key=lambda read: self.billing_window(read).last)
        if i < len(reads) and self.billing_window(reads[i]).contains(day):
            return reads[i]
        return None

    def in_billing_window(self, day: date, bill_group: str) -> bool:
        """Whether ``day`` falls in a billing window of ``bill_group``."""
        return self.billing_window_read(day, bill_group) is not None

    # ------------------------------------------------------------------- rescission and blackout

    def rescission_window_end(self, processed: date) -> date:
        """The last day a Mass Market customer may rescind an enrollment processed on ``processed``.

        Tariff 10.B(5): "within ten calendar days of the Company's processing of the enrollment DASR.
        If the tenth calendar day falls on a non-business day, then the rescission period shall be
        extended through the next business day." Day one is the day after processing (the tenth
        calendar day *of* the window, FAQ), as Illinois counts time periods (5 ILCS 70/1.11: first
        day excluded, last included). This is the reading the FAQ's "at least 17 calendar days"
        fits: with it no business day ever needs more than 16. The same rule governs a switch from Rider RTP (10.A).

        The window is never shortened: the FAQ's "the last day of the enrollment rescission window may
        not encroach upon the Ameren billing window" constrains which read the enrollment takes
        (:meth:`mass_market_blackout_ok`), not the customer's ten days.
        """
        return self.business_day_on_or_after(processed + timedelta(days=RESCISSION_DAYS))

    def mass_market_blackout_ok(self, processed: date, read_date: date) -> bool:
        """Whether a Mass Market enrollment processed on ``processed`` can take effect on ``read_date``.

        FAQ, blackout window: "the last day of the enrollment rescission window may not encroach upon
        the Ameren billing window. The Ameren billing window begins two business days prior to an
        account's scheduled meter reading date." So the rescission window must end strictly before the
        window's first day. That is also tariff 10.B(3)'s "at least two business days plus the number
        of days allowed for a Customer rescission from the date that the enrollment DASR is
        processed": two whole business days lie between the rescission's end and the read.
        """
        return self.rescission_window_end(processed) < self.billing_window(read_date).first

    def enrollment_read_ok(self, processed: date, read_date: date, *, mass_market: bool) -> bool:
        """Whether an on-cycle enrollment processed on ``processed`` gives enough notice for ``read_date``.

        Mass Market: :meth:`mass_market_blackout_ok`. Non-Mass Market, tariff 10.B(3): "at least seven
        calendar days from the date that the enrollment DASR is processed" (:func:`meets_minimum_notice`).
        The 45-day ceiling is the handler's to check (:func:`within_maximum_notice`).
        """
        if mass_market:
            return self.mass_market_blackout_ok(processed, read_date)
        return meets_minimum_notice(processed, read_date)

    def earliest_enrollment_read(
        self,
        bill_group: str,
        processed: date,
        *,
        mass_market: bool,
        not_before: date | None = None,
    ) -> date | None:
        """The first scheduled read an on-cycle enrollment processed on ``processed`` can take effect on.

        Tariff 10.B(3): "if no date is specified …, then the enrollment effective date will default to
        the next valid scheduled meter reading date", and "An on-cycle enrollment DASR submitted less
        than the minimum number of days … prior to the next scheduled meter reading date will default
        to the following scheduled meter reading date." With ``not_before`` (a requested date) the
        read is "the next scheduled meter reading date after the requested enrollment effective date",
        the requested date itself included when it is a read. None when the schedule runs out.
        """
        reads = self.scheduled_reads(bill_group)
        start = processed if not_before is None else max(processed, not_before)
        for read in reads[bisect_left(reads, start) :]:
            if self.enrollment_read_ok(processed, read, mass_market=mass_market):
                return read
        return None

    def earliest_enrollment_read_at(
        self,
        bill_group: str,
        received_at: datetime,
        *,
        mass_market: bool,
        not_before: date | None = None,
    ) -> date | None:
        """:meth:`earliest_enrollment_read` for a transaction received at ``received_at`` (cut-off applied)."""
        return self.earliest_enrollment_read(
            bill_group, self.received_date(received_at), mass_market=mass_market, not_before=not_before
        )

    def off_cycle_default_date(self, processed: date) -> date:
        """Where a too-early off-cycle enrollment lands.

        Tariff 10.B(3): "An off-cycle enrollment DADR submitted less than seven calendar days prior to
        the requested enrollment effective date will default to the next business day that is at
        least seven calendar days from the date that the enrollment DADR is processed".
        """
        return self.business_day_on_or_after(processed + timedelta(days=MIN_NOTICE_DAYS))

    def earliest_drop_read(self, bill_group: str, processed: date, *, not_before: date | None = None) -> date | None:
        """The read an on-cycle drop processed on ``processed`` takes effect on, or None.

        Tariff 10.D: "the drop effective date … will be the next scheduled meter reading date that is
        at least seven calendar days from the date in which the drop DASR is processed"; with a
        requested non-read date, "the next scheduled meter reading date" after it (``not_before``).
        """
        start = processed + timedelta(days=MIN_NOTICE_DAYS)
        if not_before is not None:
            start = max(start, not_before)
        return self.next_scheduled_read(bill_group, start, inclusive=True)

    def rescind_by(self, effective: date) -> date:
        """The last processing date for a rescission that must come two business days before ``effective``.

        Tariff 10.B(5), non-Mass Market: "at least two business days prior to the account's scheduled
        meter reading date (for an on-cycle enrollment) or requested enrollment effective date (for an
        off-cycle enrollment)"; 10.D, a RES's drop rescission: "received from the RES and processed by
        the Company at least two business days prior to the scheduled meter reading date". For an
        on-cycle date that is the billing window's first day. (The FAQ's advice to send an 814
        rescission "prior to the start of the account's billing window" is one day stricter; we
        follow the tariff.)
        """
        return self.add_business_days(effective, -2)

    def meter_exchange_period(self, bill_group: str, read_date: date) -> Window | None:
        """The days a meter may be exchanged between ``read_date`` and the group's next read.

        Tariff 10.C: "Meters may only be exchanged in a period beginning five business days after the
        scheduled meter reading date and ending five business days prior to the next scheduled meter
        reading date." None when the schedule has no next read or the reads are too close.
        """
        following = self.next_scheduled_read(bill_group, read_date)
        if following is None:
            return None
        period = Window(
            self.add_business_days(read_date, METER_EXCHANGE_BUSINESS_DAYS),
            self.add_business_days(following, -METER_EXCHANGE_BUSINESS_DAYS),
        )
        return period if period.first <= period.last else None

    # --------------------------------------------------------------------- calendar-month billing

    def calendar_month_deadline(self, kind: CalendarBilling, year: int, month: int) -> date:
        """The last received date for an enrollment or drop to take effect on that month's read.

        FAQ, calendar-month billing: "received by Ameren no later than 6:45 p.m. Central Prevailing
        Time seven calendar days prior to the last calendar day of the month" (end of month) or "prior
        to the first calendar day of the month" (beginning of month). "In cases where the seventh
        calendar day falls on a weekend day or a holiday, the enrollment or drop transaction must be
        received by Ameren no later than 6:45 p.m. Central Prevailing Time the first business day prior
        to that weekend day or holiday." Middle of month: the same count from the 15th (assumed).
        Compare with :meth:`received_date`; :meth:`cutoff_at` gives the instant.
        """
        seventh = calendar_month_read_date(kind, year, month) - timedelta(days=MIN_NOTICE_DAYS)
        return self.business_day_on_or_before(seventh)

    def earliest_calendar_month_read(self, kind: CalendarBilling, processed: date) -> date:
        """The first calendar-month read whose deadline ``processed`` meets.

        FAQ, calendar-month billing: "the account’s scheduled meter reading date is not used as the
        point from which the seven calendar day enrollment/drop blackout period is calculated";
        the month's end (or beginning, or middle) is.
        """
        year, month = processed.year, processed.month
        while True:
            if processed <= self.calendar_month_deadline(kind, year, month):
                return calendar_month_read_date(kind, year, month)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _schedule(schedule: Mapping[str, Iterable[date]]) -> dict[str, tuple[date, ...]]:
    """Materialise a schedule given as any iterables (the constructor sorts and checks them)."""
    return {group: tuple(reads) for group, reads in schedule.items()}
