"""The tariff calendar: every test names the tariff (reference/003) or FAQ (reference/004) sentence it checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from processor.calendar import (
    BILL_GROUPS,
    CPT,
    MASS_MARKET_SAFE_DAYS,
    Calendar,
    CalendarBilling,
    Window,
    calendar_month_read_date,
    meets_minimum_notice,
    tariff_holidays,
    within_maximum_notice,
)

YEARS = range(2022, 2032)
D = date.fromisoformat


def nth_business_day_schedule(cal: Calendar, years: range) -> dict[str, list[date]]:
    """A realistic schedule: bill group N reads on the N-th business day of every month."""
    schedule: dict[str, list[date]] = {group: [] for group in BILL_GROUPS}
    for year in years:
        for month in range(1, 13):
            day = cal.business_day_on_or_after(date(year, month, 1))
            for group in BILL_GROUPS:
                schedule[group].append(day)
                day = cal.next_business_day(day)
    return schedule


TARIFF = Calendar.from_tariff(YEARS)
CAL = TARIFF.with_schedule(nth_business_day_schedule(TARIFF, YEARS))
# Business days a hypothesis test can range over, with holidays known around them.
DAYS = st.dates(min_value=date(2023, 1, 1), max_value=date(2030, 12, 31))
BUSINESS_DAYS = DAYS.filter(CAL.is_business_day)


def cpt(text: str) -> datetime:
    """An aware instant written in Central Prevailing Time."""
    return datetime.fromisoformat(text).replace(tzinfo=CPT)


# ---------------------------------------------------------------------------------------- holidays


def test_tariff_holidays_are_the_six_on_peak_holidays() -> None:
    """Tariff 4, On-Peak: "except New Year's Day, Memorial Day, Fourth of July, Labor Day, Thanksgiving
    Day and Christmas Day" — and no others (no MLK Day, no Juneteenth, no day after Thanksgiving)."""
    assert tariff_holidays([2025]) == {
        D("2025-01-01"): "New Year's Day",
        D("2025-05-26"): "Memorial Day",
        D("2025-07-04"): "Independence Day",
        D("2025-09-01"): "Labor Day",
        D("2025-11-27"): "Thanksgiving Day",
        D("2025-12-25"): "Christmas Day",
    }


@pytest.mark.parametrize("year", YEARS)
def test_six_holidays_every_year_all_on_weekdays_or_saturday(year: int) -> None:
    """Tariff 4, On-Peak: six holidays a year; a Sunday one is replaced by its Monday, so none is a Sunday."""
    days = tariff_holidays([year])
    assert len(days) == 6
    assert all(day.year == year and day.weekday() != 6 for day in days)


@pytest.mark.parametrize(
    ("sunday", "monday", "name"),
    [
        ("2022-12-25", "2022-12-26", "Christmas Day (observed)"),
        ("2027-07-04", "2027-07-05", "Independence Day (observed)"),
        ("2023-01-01", "2023-01-02", "New Year's Day (observed)"),
        ("2028-12-25", "2028-12-25", "Christmas Day"),  # a Monday itself: nothing moves
    ],
)
def test_sunday_holiday_is_observed_the_monday_after(sunday: str, monday: str, name: str) -> None:
    """Tariff 4, On-Peak: "if one of the preceding holidays occurs on a Sunday, the Monday immediately
    following the holiday"."""
    days = tariff_holidays([D(sunday).year])
    assert days[D(monday)] == name
    assert not TARIFF.is_business_day(D(monday))


@pytest.mark.parametrize(("saturday", "friday"), [("2026-07-04", "2026-07-03"), ("2027-12-25", "2027-12-24")])
def test_saturday_holiday_is_not_moved_to_friday(saturday: str, friday: str) -> None:
    """Tariff 4, On-Peak names only the Sunday → Monday rule, so the Friday before a Saturday holiday is
    a business day (unlike the federal observance the holidays library would apply)."""
    assert D(saturday) in tariff_holidays([D(saturday).year])
    assert TARIFF.is_business_day(D(friday))


def test_day_after_thanksgiving_is_a_business_day() -> None:
    """Tariff 4, On-Peak lists "Thanksgiving Day" only; the Friday after is a business day."""
    assert not TARIFF.is_business_day(D("2025-11-27"))
    assert TARIFF.is_business_day(D("2025-11-28"))


def test_tariff_holidays_of_several_years_and_of_none() -> None:
    """tariff_holidays covers exactly the years asked for."""
    assert len(tariff_holidays([2026, 2025, 2026])) == 12
    assert tariff_holidays([]) == {}
    assert Calendar.from_tariff([]).holidays == {}


def test_loaded_holidays_replace_the_default() -> None:
    """interfaces.md, holidays CSV: "the utility's non-business days besides weekends (the default set
    is the tariff's …)": a loaded list replaces the default, it does not add to it."""
    loaded = TARIFF.with_holidays({D("2025-11-28"): "Day after Thanksgiving"})
    assert loaded.is_business_day(D("2025-11-27"))
    assert not loaded.is_business_day(D("2025-11-28"))
    assert loaded.holiday_name(D("2025-11-28")) == "Day after Thanksgiving"
    assert TARIFF.is_business_day(D("2025-11-28"))  # the original is untouched
    bare = TARIFF.with_holidays([D("2025-12-24")])
    assert bare.holidays == {D("2025-12-24"): "holiday"}


def test_holiday_name() -> None:
    """A holiday says its name, so a rejection can say why a day is not a business day."""
    assert TARIFF.holiday_name(D("2022-12-26")) == "Christmas Day (observed)"
    assert TARIFF.holiday_name(D("2022-12-27")) is None
    assert TARIFF.is_holiday(D("2022-12-26"))


# ------------------------------------------------------------------------------------ construction


def test_calendar_normalises_schedule_and_validates_bill_groups() -> None:
    """interfaces.md: "bill_group 01–21"; reads are kept sorted and unique for bisecting."""
    cal = Calendar(schedule={"05": (D("2025-02-07"), D("2025-01-08"), D("2025-01-08"))})
    assert cal.scheduled_reads("05") == (D("2025-01-08"), D("2025-02-07"))
    assert cal.scheduled_reads("06") == ()
    with pytest.raises(ValueError, match="bill group"):
        Calendar(schedule={"5": (D("2025-01-08"),)})
    with pytest.raises(ValueError, match="bill group"):
        Calendar(schedule={"22": ()})


def test_calendar_refuses_datetimes_for_dates() -> None:
    """A datetime is a date to Python but never equal to one: refused rather than silently missed."""
    with pytest.raises(TypeError):
        Calendar(holidays={datetime(2025, 1, 1): "New Year's Day"})
    with pytest.raises(TypeError):
        Calendar(schedule={"01": (datetime(2025, 1, 2),)})


def test_calendar_refuses_a_cutoff_with_a_zone() -> None:
    """The cut-off is wall-clock CPT ("6:45 p.m. Central Prevailing Time"); the zone is separate."""
    with pytest.raises(ValueError, match="tzinfo"):
        Calendar(cutoff=time(18, 45, tzinfo=UTC))


def test_calendar_is_immutable_and_hashable() -> None:
    """Frozen: a calendar handed to handlers cannot be changed under them (and can key a cache)."""
    assert hash(CAL) == hash(TARIFF.with_schedule(nth_business_day_schedule(TARIFF, YEARS)))
    assert TARIFF.with_holidays(TARIFF.holidays) == TARIFF
    with pytest.raises(TypeError):
        CAL.holidays[D("2025-03-03")] = "x"  # type: ignore[index]
    with pytest.raises(AttributeError):
        CAL.cutoff = time(17, 0)  # type: ignore[misc]


# ----------------------------------------------------------------------------------- business days


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2025-03-07", 1, "2025-03-10"),  # Friday + 1 → Monday
        ("2025-03-10", -1, "2025-03-07"),  # Monday - 1 → Friday
        ("2025-03-08", 1, "2025-03-10"),  # from a Saturday, one on is Monday
        ("2025-03-08", -1, "2025-03-07"),  # and one back is Friday
        ("2025-03-08", 0, "2025-03-08"),  # zero moves nothing
        ("2025-11-26", 1, "2025-11-28"),  # Thanksgiving week: Wed + 1 skips Thursday
        ("2025-11-26", 2, "2025-12-01"),
        ("2025-11-28", -1, "2025-11-26"),
        ("2025-11-24", 5, "2025-12-02"),  # Monday of Thanksgiving week + 5
        ("2022-12-23", 1, "2022-12-27"),  # Christmas observed on Monday 26th
        ("2025-08-29", 1, "2025-09-02"),  # Labor Day
        ("2025-03-03", 10, "2025-03-17"),
        ("2025-03-17", -10, "2025-03-03"),
    ],
)
def test_add_business_days(start: str, n: int, expected: str) -> None:
    """Business days are Monday–Friday except holidays (tariff 4, On-Peak: "Monday through Friday except
    New Year's Day, …")."""
    assert TARIFF.add_business_days(D(start), n) == D(expected)


def test_next_previous_and_rolling_to_business_days() -> None:
    """FAQ, blackout window: "falls on a weekend day or a holiday, then it gets extended until the next
    business day"."""
    assert TARIFF.next_business_day(D("2025-11-26")) == D("2025-11-28")
    assert TARIFF.previous_business_day(D("2025-11-28")) == D("2025-11-26")
    assert TARIFF.business_day_on_or_after(D("2025-11-27")) == D("2025-11-28")
    assert TARIFF.business_day_on_or_after(D("2025-11-26")) == D("2025-11-26")
    assert TARIFF.business_day_on_or_before(D("2025-11-30")) == D("2025-11-28")
    assert TARIFF.business_day_on_or_before(D("2025-11-28")) == D("2025-11-28")


@given(DAYS, st.integers(min_value=-60, max_value=60).filter(bool))
def test_add_business_days_lands_on_a_business_day(day: date, n: int) -> None:
    """Property: add_business_days(d, n) is a business day for every n ≠ 0, on the right side of d."""
    result = CAL.add_business_days(day, n)
    assert CAL.is_business_day(result)
    assert (result > day) == (n > 0)
    assert CAL.count_business_days(Window(min(day, result), max(day, result))) - CAL.is_business_day(day) == abs(n)


@given(BUSINESS_DAYS, st.integers(min_value=-60, max_value=60))
def test_add_business_days_is_invertible_from_a_business_day(day: date, n: int) -> None:
    """Property: from a business day, n business days on and n back is where you started."""
    assert CAL.add_business_days(CAL.add_business_days(day, n), -n) == day


# --------------------------------------------------------------------------------------- cut-off


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2025-03-05T18:44:59", "2025-03-05"),
        ("2025-03-05T18:45:00", "2025-03-05"),  # exactly the cut-off is "no later than 6:45 p.m."
        ("2025-03-05T18:45:00.000001", "2025-03-06"),
        ("2025-03-05T18:45:01", "2025-03-06"),
        ("2025-03-05T00:00:00", "2025-03-05"),
        ("2025-03-05T23:59:59", "2025-03-06"),
    ],
)
def test_cutoff_at_six_forty_five(at: str, expected: str) -> None:
    """FAQ, calendar-month billing: "received by Ameren no later than 6:45 p.m. Central Prevailing Time";
    interfaces.md: "transactions received after this (CPT) count as the next business day"."""
    assert TARIFF.received_date(cpt(at)) == D(expected)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2025-03-07T18:45:01", "2025-03-10"),  # Friday evening → Monday
        ("2025-03-08T10:00:00", "2025-03-10"),  # Saturday → Monday
        ("2025-03-09T23:00:00", "2025-03-10"),  # Sunday night, after the cut-off → still Monday
        ("2025-11-27T09:00:00", "2025-11-28"),  # Thanksgiving → Friday
        ("2025-11-26T19:00:00", "2025-11-28"),  # Wednesday evening before Thanksgiving → Friday
        ("2022-12-23T18:50:00", "2022-12-27"),  # Friday evening, Christmas observed Monday → Tuesday
    ],
)
def test_late_or_non_business_day_receipt_counts_as_next_business_day(at: str, expected: str) -> None:
    """A transaction received after 6:45 p.m. CPT, or on a weekend or holiday, counts as received on the
    next business day (interfaces.md, ``cutoff``; FAQ, blackout window)."""
    assert TARIFF.received_date(cpt(at)) == D(expected)


def test_naive_datetime_is_refused() -> None:
    """Deadlines are Central Prevailing Time: a time without a zone cannot be judged against them."""
    with pytest.raises(ValueError, match="naive"):
        TARIFF.received_date(datetime(2025, 3, 5, 12, 0))


def test_other_zones_are_converted_to_central() -> None:
    """FAQ, "6:45 p.m. Central Prevailing Time": 19:30 in New York is 18:30 in Chicago, on time."""
    new_york = ZoneInfo("America/New_York")
    assert TARIFF.received_date(datetime(2025, 3, 5, 19, 30, tzinfo=new_york)) == D("2025-03-05")
    assert TARIFF.received_date(datetime(2025, 3, 5, 19, 46, tzinfo=new_york)) == D("2025-03-06")
    fixed = timezone(timedelta(hours=-6))
    assert TARIFF.received_date(datetime(2025, 3, 5, 18, 45, tzinfo=fixed)) == D("2025-03-05")


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # March 2026: clocks spring forward on Sunday 8 March. Friday 6th is CST (UTC-6).
        ("2026-03-07T00:45:00", "2026-03-06"),  # 18:45 CST Friday: on time
        ("2026-03-07T00:46:00", "2026-03-09"),  # 18:46 CST Friday: Monday
        # Monday 9th is CDT (UTC-5): the same UTC wall time is an hour later locally.
        ("2026-03-09T23:45:00", "2026-03-09"),  # 18:45 CDT: on time
        ("2026-03-10T00:30:00", "2026-03-10"),  # 19:30 CDT: late (would be on time under CST)
        ("2026-03-08T08:00:00", "2026-03-09"),  # during the change weekend itself
        # November 2026: clocks fall back on Sunday 1 November. Friday 30 Oct is CDT (UTC-5).
        ("2026-10-30T23:45:00", "2026-10-30"),  # 18:45 CDT: on time
        ("2026-10-31T00:00:00", "2026-11-02"),  # 19:00 CDT Friday: Monday
        # Monday 2nd is CST (UTC-6).
        ("2026-11-03T00:30:00", "2026-11-02"),  # 18:30 CST: on time (would be late under CDT)
        ("2026-11-03T00:46:00", "2026-11-03"),  # 18:46 CST: late
        ("2026-11-01T07:30:00", "2026-11-02"),  # 01:30 CST, the repeated hour on Sunday
    ],
)
def test_cutoff_given_in_utc_across_dst_changes(utc: str, expected: str) -> None:
    """FAQ, "6:45 p.m. Central Prevailing Time" is 23:45 UTC in summer and 00:45 UTC the next day in winter."""
    at = datetime.fromisoformat(utc).replace(tzinfo=UTC)
    assert TARIFF.received_date(at) == D(expected)


def test_cutoff_is_configurable() -> None:
    """interfaces.md, edi.toml: ``cutoff = "18:45"`` is a setting."""
    early = Calendar(cutoff=time(17, 0))
    assert early.received_date(cpt("2025-03-05T17:00:00")) == D("2025-03-05")
    assert early.received_date(cpt("2025-03-05T17:00:01")) == D("2025-03-06")


def test_cutoff_at_gives_the_deadline_instant() -> None:
    """The cut-off on a day is 18:45 CPT: 23:45 UTC under daylight time, 00:45 UTC under standard time."""
    assert TARIFF.cutoff_at(D("2026-07-01")).astimezone(UTC) == datetime(2026, 7, 1, 23, 45, tzinfo=UTC)
    assert TARIFF.cutoff_at(D("2026-12-01")).astimezone(UTC) == datetime(2026, 12, 2, 0, 45, tzinfo=UTC)


@given(st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)))
def test_received_date_is_a_business_day_never_before_the_local_date(at: datetime) -> None:
    """Property: the received date is a business day on or after the CPT calendar date of receipt, and
    at most the next business day after it."""
    local = at.astimezone(CPT).date()
    received = CAL.received_date(at)
    assert CAL.is_business_day(received)
    assert local <= received <= CAL.next_business_day(local)


@given(
    st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)),
)
def test_received_date_never_goes_backwards(at: datetime, later: timedelta) -> None:
    """Property: a later receipt never counts as received earlier."""
    assert CAL.received_date(at) <= CAL.received_date(at + later)


# ---------------------------------------------------------------------------- schedule and window


def test_scheduled_reads_and_next_read() -> None:
    """Tariff 10.B(3): "the enrollment effective date will default to the next scheduled meter reading
    date after the requested enrollment effective date"."""
    cal = Calendar(schedule={"05": (D("2025-03-07"), D("2025-04-07"))})
    assert cal.next_scheduled_read("05", D("2025-03-01")) == D("2025-03-07")
    assert cal.next_scheduled_read("05", D("2025-03-07")) == D("2025-04-07")
    assert cal.next_scheduled_read("05", D("2025-03-07"), inclusive=True) == D("2025-03-07")
    assert cal.next_scheduled_read("05", D("2025-04-07")) is None
    assert cal.next_scheduled_read("06", D("2025-03-01")) is None


def test_billing_window_around_a_monday_read() -> None:
    """FAQ: "a four business day period of time that extends from two business days prior to an account’s
    scheduled meter reading date to one business day after"; from a Monday it reaches back over the
    weekend to Thursday, and the weekend days lie inside it ("may occur on a non-business day if the
    non-business day falls within the billing window", tariff 10.B(3))."""
    window = TARIFF.billing_window(D("2025-03-10"))
    assert window == (D("2025-03-06"), D("2025-03-11"))
    assert window.contains(D("2025-03-08"))
    assert TARIFF.count_business_days(window) == 4


def test_billing_window_around_thanksgiving() -> None:
    """The FAQ's four business days skip the holiday: a read on the Friday after Thanksgiving has its
    window from Tuesday (Thursday is a holiday) to Monday."""
    assert TARIFF.billing_window(D("2025-11-28")) == (D("2025-11-25"), D("2025-12-01"))
    assert TARIFF.billing_window(D("2025-11-26")) == (D("2025-11-24"), D("2025-11-28"))
    assert TARIFF.billing_window(D("2022-12-23")) == (D("2022-12-21"), D("2022-12-27"))


def test_in_billing_window() -> None:
    """FAQ: "The Ameren billing window begins two business days prior to an account's scheduled meter
    reading date" and ends one business day after."""
    cal = TARIFF.with_schedule({"07": [D("2025-03-10"), D("2025-04-09")]})
    assert not cal.in_billing_window(D("2025-03-05"), "07")
    for day in ("2025-03-06", "2025-03-07", "2025-03-08", "2025-03-09", "2025-03-10", "2025-03-11"):
        assert cal.billing_window_read(D(day), "07") == D("2025-03-10")
    assert not cal.in_billing_window(D("2025-03-12"), "07")
    assert cal.billing_window_read(D("2025-04-07"), "07") == D("2025-04-09")
    assert not cal.in_billing_window(D("2025-03-10"), "08")


@given(BUSINESS_DAYS)
def test_billing_window_has_exactly_four_business_days(read: date) -> None:
    """Property, FAQ: "a four business day period of time" for every scheduled (business-day) read."""
    window = CAL.billing_window(read)
    assert CAL.count_business_days(window) == 4
    assert CAL.is_business_day(window.first) and CAL.is_business_day(window.last)
    assert window.first < read < window.last


@given(DAYS, st.sampled_from(BILL_GROUPS))
def test_billing_window_read_agrees_with_the_windows(day: date, group: str) -> None:
    """Property: a day is in a bill group's billing window exactly when some read's window contains it."""
    near = [r for r in CAL.scheduled_reads(group) if abs((r - day).days) < 20]
    expected = next((r for r in near if CAL.billing_window(r).contains(day)), None)
    assert CAL.billing_window_read(day, group) == expected


# ------------------------------------------------------------------------------ rescission window


@pytest.mark.parametrize(
    ("processed", "end"),
    [
        ("2025-03-03", "2025-03-13"),  # Monday + 10 = Thursday, a business day
        ("2025-03-05", "2025-03-17"),  # tenth day Saturday 15th → Monday
        ("2025-03-06", "2025-03-17"),  # tenth day Sunday 16th → Monday
        ("2025-08-22", "2025-09-02"),  # tenth day Labor Day → Tuesday
        ("2025-08-20", "2025-09-02"),  # tenth day Saturday before Labor Day → Tuesday
        ("2025-12-15", "2025-12-26"),  # tenth day Christmas → Friday 26th (a business day)
        ("2022-12-14", "2022-12-27"),  # Saturday 24th, Sunday 25th, observed Monday 26th → Tuesday
    ],
)
def test_rescission_window_end(processed: str, end: str) -> None:
    """Tariff 10.B(5): "within ten calendar days of the Company's processing of the enrollment DASR. If
    the tenth calendar day falls on a non-business day, then the rescission period shall be extended
    through the next business day." Day one is the day after processing."""
    assert TARIFF.rescission_window_end(D(processed)) == D(end)


def test_rescission_window_ends_before_billing_window_is_ok() -> None:
    """FAQ: "the last day of the enrollment rescission window may not encroach upon the Ameren billing
    window": processed Wed 5 March 2025, rescission ends Mon 17 March. A read on Wed 19 March has its
    window start on Mon 17 March (encroached); on Thu 20 March it starts Tue 18 March (clear)."""
    processed = D("2025-03-05")
    assert not TARIFF.mass_market_blackout_ok(processed, D("2025-03-19"))
    assert TARIFF.mass_market_blackout_ok(processed, D("2025-03-20"))


def test_rescission_window_ending_inside_billing_window_defers_to_following_read() -> None:
    """Tariff 10.B(3): "An on-cycle enrollment DASR submitted less than the minimum number of days … prior
    to the next scheduled meter reading date will default to the following scheduled meter reading date."
    The rescission window (ends Mon 17 March) would end inside the 19 March read's billing window."""
    cal = TARIFF.with_schedule({"12": [D("2025-03-19"), D("2025-04-17")]})
    assert cal.billing_window(D("2025-03-19")).contains(cal.rescission_window_end(D("2025-03-05")))
    assert cal.earliest_enrollment_read("12", D("2025-03-05"), mass_market=True) == D("2025-04-17")
    assert cal.earliest_enrollment_read("12", D("2025-03-04"), mass_market=True) == D("2025-03-19")


def test_rescission_window_ending_on_a_weekend_pushes_the_blackout() -> None:
    """FAQ: "If the tenth calendar day of the enrollment rescission window falls on a weekend day or a
    holiday, then it gets extended until the next business day": processed Wed 5 March 2025, the tenth
    day is Saturday 15th. Unextended it would clear a Wed 19 March read (window from Mon 17th); extended
    to Mon 17th it encroaches. Processed a day earlier, the tenth day is Friday 14th and the read is kept."""
    assert TARIFF.rescission_window_end(D("2025-03-05")) == D("2025-03-17")
    assert D("2025-03-15") < TARIFF.billing_window(D("2025-03-19")).first
    assert not TARIFF.mass_market_blackout_ok(D("2025-03-05"), D("2025-03-19"))
    assert TARIFF.rescission_window_end(D("2025-03-04")) == D("2025-03-14")
    assert TARIFF.mass_market_blackout_ok(D("2025-03-04"), D("2025-03-19"))


@given(BUSINESS_DAYS)
def test_rescission_window_end_is_a_business_day_from_the_tenth_day_on(processed: date) -> None:
    """Property, tariff 10.B(5): the end is the tenth calendar day or the next business day after it."""
    end = CAL.rescission_window_end(processed)
    tenth = processed + timedelta(days=10)
    assert CAL.is_business_day(end)
    assert end == CAL.business_day_on_or_after(tenth)


@given(BUSINESS_DAYS, BUSINESS_DAYS)
def test_blackout_is_tariff_two_business_days_plus_rescission(processed: date, read: date) -> None:
    """Property, tariff 10.B(3): "at least two business days plus the number of days allowed for a
    Customer rescission": two whole business days lie between the rescission's end and the read."""
    end = CAL.rescission_window_end(processed)
    assert CAL.mass_market_blackout_ok(processed, read) == (read > CAL.add_business_days(end, 2))


@settings(max_examples=300)
@given(BUSINESS_DAYS, st.integers(min_value=MASS_MARKET_SAFE_DAYS, max_value=60))
def test_seventeen_days_is_always_enough(processed: date, days: int) -> None:
    """Property, FAQ: "to cover all possible scenarios, a RES should plan to submit an enrollment for a
    Mass Market account … at least 17 calendar days prior to the account's scheduled meter reading date"."""
    read = CAL.business_day_on_or_after(processed + timedelta(days=days))
    assert CAL.mass_market_blackout_ok(processed, read)


def test_seventeen_days_is_not_always_needed() -> None:
    """The FAQ's 17 days is a rule of thumb: processed Mon 3 March 2025, rescission ends Thu 13th, so a
    read on Tue 18th (15 days) is already clear of the rescission window."""
    assert TARIFF.mass_market_blackout_ok(D("2025-03-03"), D("2025-03-18"))
    assert not TARIFF.mass_market_blackout_ok(D("2025-03-03"), D("2025-03-17"))


# ---------------------------------------------------------------------- enrollment and drop dates


def test_non_mass_market_needs_seven_calendar_days() -> None:
    """Tariff 10.B(3): "The scheduled meter reading date must be at least seven calendar days from the
    date that the enrollment DASR is processed"; FAQ: "submitted before 6:45 p.m. Central Prevailing Time
    at least seven calendar days prior to the account's scheduled meter reading date"."""
    cal = TARIFF.with_schedule({"03": [D("2025-03-10"), D("2025-04-08")]})
    assert cal.earliest_enrollment_read("03", D("2025-03-03"), mass_market=False) == D("2025-03-10")
    assert cal.earliest_enrollment_read("03", D("2025-03-04"), mass_market=False) == D("2025-04-08")
    assert cal.earliest_enrollment_read_at("03", cpt("2025-03-03T18:45:00"), mass_market=False) == D("2025-03-10")
    assert cal.earliest_enrollment_read_at("03", cpt("2025-03-03T18:45:01"), mass_market=False) == D("2025-04-08")
    # Submitted on Saturday 1 March, it counts as Monday 3 March: still seven days before the 10th.
    assert cal.earliest_enrollment_read_at("03", cpt("2025-03-01T12:00:00"), mass_market=False) == D("2025-03-10")


def test_mass_market_earliest_read_with_cutoff() -> None:
    """FAQ: "a RES should plan to submit an enrollment for a Mass Market account before 6:45 p.m. Central
    Prevailing Time": the same enrollment one second late takes the following read."""
    cal = TARIFF.with_schedule({"12": [D("2025-03-19"), D("2025-04-17")]})
    assert cal.earliest_enrollment_read_at("12", cpt("2025-03-04T18:45:00"), mass_market=True) == D("2025-03-19")
    assert cal.earliest_enrollment_read_at("12", cpt("2025-03-04T18:45:01"), mass_market=True) == D("2025-04-17")


def test_requested_date_picks_the_next_read_on_or_after_it() -> None:
    """Tariff 10.B(3): "the enrollment effective date will default to the next scheduled meter reading date
    after the requested enrollment effective date"; a requested read date is taken as is."""
    cal = TARIFF.with_schedule({"03": [D("2025-03-10"), D("2025-04-08"), D("2025-05-08")]})
    processed = D("2025-03-03")
    assert cal.earliest_enrollment_read("03", processed, mass_market=False, not_before=D("2025-03-20")) == D(
        "2025-04-08"
    )
    assert cal.earliest_enrollment_read("03", processed, mass_market=False, not_before=D("2025-04-08")) == D(
        "2025-04-08"
    )
    assert cal.earliest_enrollment_read("03", processed, mass_market=False, not_before=D("2025-06-01")) is None


@given(BUSINESS_DAYS, BUSINESS_DAYS, st.sampled_from(BILL_GROUPS), st.booleans())
def test_earliest_read_never_moves_earlier_for_later_processing(
    first: date, second: date, group: str, mass_market: bool
) -> None:
    """Property: processing later never makes an earlier read available (the blackout is monotone)."""
    early, late = sorted((first, second))
    a = CAL.earliest_enrollment_read(group, early, mass_market=mass_market)
    b = CAL.earliest_enrollment_read(group, late, mass_market=mass_market)
    assert a is not None and b is not None  # the schedule runs through 2031
    assert a <= b


def test_minimum_and_maximum_notice() -> None:
    """Tariff 10.B(3): "at least seven calendar days but no more than 45 calendar days from the date that
    the enrollment DADR is processed"; 10.D the same for drops."""
    processed = D("2025-03-03")
    assert not meets_minimum_notice(processed, D("2025-03-09"))
    assert meets_minimum_notice(processed, D("2025-03-10"))
    assert within_maximum_notice(processed, D("2025-04-17"))  # 45 days
    assert not within_maximum_notice(processed, D("2025-04-18"))  # 46 days


@pytest.mark.parametrize(
    ("processed", "expected"),
    [
        ("2025-03-03", "2025-03-10"),  # Monday + 7 = Monday
        ("2025-03-01", "2025-03-10"),  # + 7 = Saturday 8th → Monday 10th
        ("2025-11-20", "2025-11-28"),  # + 7 = Thanksgiving → Friday
    ],
)
def test_off_cycle_default_date(processed: str, expected: str) -> None:
    """Tariff 10.B(3): "will default to the next business day that is at least seven calendar days from
    the date that the enrollment DADR is processed by the Company"."""
    assert TARIFF.off_cycle_default_date(D(processed)) == D(expected)


def test_on_cycle_drop_takes_first_read_seven_days_out() -> None:
    """Tariff 10.D: "the next scheduled meter reading date that is at least seven calendar days from the
    date in which the drop DASR is processed"; with a requested non-read date, "the next scheduled meter
    reading date"."""
    cal = TARIFF.with_schedule({"09": [D("2025-03-10"), D("2025-04-08")]})
    assert cal.earliest_drop_read("09", D("2025-03-03")) == D("2025-03-10")
    assert cal.earliest_drop_read("09", D("2025-03-04")) == D("2025-04-08")
    assert cal.earliest_drop_read("09", D("2025-03-01"), not_before=D("2025-03-11")) == D("2025-04-08")
    assert cal.earliest_drop_read("09", D("2025-04-02")) is None


def test_rescind_by_two_business_days_before() -> None:
    """Tariff 10.B(5): "at least two business days prior to the account's scheduled meter reading date";
    10.D: "processed by the Company at least two business days prior to the scheduled meter reading date".
    For a Monday read that is the Thursday before, the billing window's first day."""
    assert TARIFF.rescind_by(D("2025-03-10")) == D("2025-03-06")
    assert TARIFF.rescind_by(D("2025-03-10")) == TARIFF.billing_window(D("2025-03-10")).first
    assert TARIFF.rescind_by(D("2025-11-28")) == D("2025-11-25")  # over Thanksgiving


def test_meter_exchange_period() -> None:
    """Tariff 10.C: "beginning five business days after the scheduled meter reading date and ending five
    business days prior to the next scheduled meter reading date"."""
    cal = TARIFF.with_schedule({"10": [D("2025-03-10"), D("2025-04-08"), D("2025-04-12")]})
    assert cal.meter_exchange_period("10", D("2025-03-10")) == (D("2025-03-17"), D("2025-04-01"))
    assert cal.meter_exchange_period("10", D("2025-04-08")) is None  # reads too close
    assert cal.meter_exchange_period("10", D("2025-04-12")) is None  # no next read


# -------------------------------------------------------------------------- calendar-month billing


@pytest.mark.parametrize(
    ("kind", "year", "month", "expected"),
    [
        (CalendarBilling.EOM, 2025, 1, "2025-01-31"),
        (CalendarBilling.EOM, 2024, 2, "2024-02-29"),
        (CalendarBilling.EOM, 2025, 12, "2025-12-31"),
        (CalendarBilling.BOM, 2025, 3, "2025-03-01"),
        (CalendarBilling.MOM, 2025, 3, "2025-03-15"),
        ("eom", 2025, 4, "2025-04-30"),
    ],
)
def test_calendar_month_read_date(kind: CalendarBilling, year: int, month: int, expected: str) -> None:
    """FAQ: end of month accounts "always bill through the last calendar day of each month"; beginning of
    month ones "bill through the first day of each month"; middle of month (no date given): the 15th."""
    assert calendar_month_read_date(kind, year, month) == D(expected)


def test_calendar_month_read_date_needs_calendar_billing() -> None:
    """calendar_billing ``none`` has no calendar-month read."""
    with pytest.raises(ValueError):
        calendar_month_read_date(CalendarBilling.NONE, 2025, 1)


@pytest.mark.parametrize(
    ("kind", "year", "month", "deadline"),
    [
        (CalendarBilling.EOM, 2026, 3, "2026-03-24"),  # 31 - 7 = Tuesday 24th: as is
        (CalendarBilling.EOM, 2026, 1, "2026-01-23"),  # 31 - 7 = Saturday 24th → Friday 23rd
        (CalendarBilling.EOM, 2025, 8, "2025-08-22"),  # 31 - 7 = Sunday 24th → Friday 22nd
        (CalendarBilling.EOM, 2028, 11, "2028-11-22"),  # 30 - 7 = Thanksgiving → Wednesday 22nd
        (CalendarBilling.EOM, 2023, 11, "2023-11-22"),
        (CalendarBilling.BOM, 2026, 4, "2026-03-25"),  # 1 April - 7 = Wednesday 25 March
        (CalendarBilling.BOM, 2026, 2, "2026-01-23"),  # 1 Feb - 7 = Sunday 25 Jan → Friday 23rd
        (CalendarBilling.BOM, 2026, 1, "2025-12-24"),  # 1 Jan - 7 = Christmas → Wednesday 24th
        (CalendarBilling.BOM, 2026, 6, "2026-05-22"),  # 1 June - 7 = Memorial Day → Friday before
        (CalendarBilling.MOM, 2026, 3, "2026-03-06"),  # 15 - 7 = Sunday 8th → Friday 6th
    ],
)
def test_calendar_month_deadline(kind: CalendarBilling, year: int, month: int, deadline: str) -> None:
    """FAQ: "no later than 6:45 p.m. Central Prevailing Time seven calendar days prior to the last calendar
    day of the month" (or "to the first calendar day of the month"). "In cases where the seventh calendar
    day falls on a weekend day or a holiday, … no later than 6:45 p.m. Central Prevailing Time the first
    business day prior to that weekend day or holiday."
    """
    assert TARIFF.calendar_month_deadline(kind, year, month) == D(deadline)


def test_calendar_month_deadline_at_the_cutoff() -> None:
    """FAQ: "must be received by Ameren no later than 6:45 p.m. Central Prevailing Time the first business
    day prior to that weekend day or holiday": 18:45:00 on Christmas Eve makes the 1 January read; one
    second later the transaction counts as received on 26 December and takes 1 February."""
    on_time = TARIFF.received_date(cpt("2025-12-24T18:45:00"))
    late = TARIFF.received_date(cpt("2025-12-24T18:45:01"))
    assert TARIFF.earliest_calendar_month_read(CalendarBilling.BOM, on_time) == D("2026-01-01")
    assert TARIFF.earliest_calendar_month_read(CalendarBilling.BOM, late) == D("2026-02-01")
    assert TARIFF.cutoff_at(TARIFF.calendar_month_deadline(CalendarBilling.BOM, 2026, 1)) == cpt("2025-12-24T18:45:00")


def test_earliest_calendar_month_read_end_of_month() -> None:
    """FAQ: "the account’s scheduled meter reading date is not used as the point from which the seven
    calendar day enrollment/drop blackout period is calculated" — the month's last day is."""
    assert TARIFF.earliest_calendar_month_read(CalendarBilling.EOM, D("2026-03-24")) == D("2026-03-31")
    assert TARIFF.earliest_calendar_month_read(CalendarBilling.EOM, D("2026-03-25")) == D("2026-04-30")
    assert TARIFF.earliest_calendar_month_read(CalendarBilling.EOM, D("2025-12-26")) == D("2026-01-31")


@given(DAYS, st.sampled_from([CalendarBilling.BOM, CalendarBilling.MOM, CalendarBilling.EOM]))
def test_calendar_month_deadline_properties(day: date, kind: CalendarBilling) -> None:
    """Property, FAQ: the deadline is the seventh day before the read, or "the first business day prior
    to that weekend day or holiday"; the earliest read is always the first whose deadline is met."""
    read = calendar_month_read_date(kind, day.year, day.month)
    seventh = read - timedelta(days=7)
    deadline = CAL.calendar_month_deadline(kind, day.year, day.month)
    assert CAL.is_business_day(deadline)
    assert deadline <= seventh
    assert all(not CAL.is_business_day(deadline + timedelta(days=i)) for i in range(1, (seventh - deadline).days + 1))
    earliest = CAL.earliest_calendar_month_read(kind, day)
    assert earliest > day
    assert (earliest - day).days <= 7 + 62
