"""Effective dates per service point: the bill group's schedule, or the calendar month.

All arithmetic is :mod:`processor.calendar`'s; this module only picks which of its schedules applies to
a point. FAQ, calendar-month billing: "any non-lighting electric service points on such accounts are
billed in calendar-month increments … if a calendar-month billed account has a lighting service point,
then the lighting service point may not necessarily bill in calendar-month increments", and "the
account’s scheduled meter reading date is not used as the point from which the seven calendar day
enrollment/drop blackout period is calculated".
"""

from __future__ import annotations

from datetime import date, datetime, time

from processor.calendar import Calendar, CalendarBilling, calendar_month_read_date
from processor.store.records import Account, ServicePoint

#: Tariff 10.B(3): an off-cycle switch is "effectuated as of the very end of the day (i.e. 23:59:59)".
END_OF_DAY = time(23, 59, 59)
#: How far ahead a calendar-month read is looked for (the tariff's dates are never more than ~3 months out).
_MONTHS_AHEAD = 24


def off_cycle_instant(calendar: Calendar, day: date) -> datetime:
    """23:59:59 Central Prevailing Time on ``day`` (tariff 10.B(3), "the very end of the day")."""
    return datetime.combine(day, END_OF_DAY, tzinfo=calendar.zone)


def calendar_month_kind(account: Account, point: ServicePoint) -> CalendarBilling | None:
    """The calendar-month billing that governs ``point``'s reads, or None for the bill group's schedule."""
    kind = CalendarBilling(account.calendar_billing)
    return None if kind is CalendarBilling.NONE or point.lighting else kind


def is_read_date(calendar: Calendar, account: Account, point: ServicePoint, day: date) -> bool:
    """Whether ``day`` is one of ``point``'s scheduled meter reading dates."""
    kind = calendar_month_kind(account, point)
    if kind is None:
        return day in calendar.scheduled_reads(account.bill_group)
    return day == calendar_month_read_date(kind, day.year, day.month)


def enrollment_read(
    calendar: Calendar,
    account: Account,
    point: ServicePoint,
    processed: date,
    *,
    mass_market: bool,
    not_before: date | None = None,
) -> date | None:
    """The scheduled read an on-cycle enrollment processed on ``processed`` takes effect on (tariff 10.B(3)).

    Bill group: :meth:`Calendar.earliest_enrollment_read`. Calendar month: the first month-end (-start,
    -middle) read on or after ``not_before`` whose FAQ deadline ``processed`` meets; for a Mass Market
    account the tariff's rescission-window rule must hold too (:meth:`Calendar.mass_market_blackout_ok`),
    since the FAQ's deadline cannot shorten the customer's ten days.
    """
    kind = calendar_month_kind(account, point)
    if kind is None:
        return calendar.earliest_enrollment_read(
            account.bill_group, processed, mass_market=mass_market, not_before=not_before
        )
    start = processed if not_before is None else max(processed, not_before)
    return _calendar_month_read(calendar, kind, processed, start, mass_market=mass_market)


def drop_read(
    calendar: Calendar, account: Account, point: ServicePoint, processed: date, *, not_before: date | None = None
) -> date | None:
    """The scheduled read an on-cycle drop processed on ``processed`` takes effect on (tariff 10.D).

    Bill group: :meth:`Calendar.earliest_drop_read`. Calendar month: the first read on or after
    ``not_before`` whose FAQ deadline ("an enrollment or drop transaction must be received … seven
    calendar days prior to the last calendar day of the month") ``processed`` meets.
    """
    kind = calendar_month_kind(account, point)
    if kind is None:
        return calendar.earliest_drop_read(account.bill_group, processed, not_before=not_before)
    start = processed if not_before is None else max(processed, not_before)
    return _calendar_month_read(calendar, kind, processed, start, mass_market=False)


def _calendar_month_read(
    calendar: Calendar, kind: CalendarBilling, processed: date, start: date, *, mass_market: bool
) -> date | None:
    year, month = start.year, start.month
    for _ in range(_MONTHS_AHEAD):
        read = calendar_month_read_date(kind, year, month)
        if (
            read >= start
            and processed <= calendar.calendar_month_deadline(kind, year, month)
            and (not mass_market or calendar.mass_market_blackout_ok(processed, read))
        ):
            return read
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None
