"""Enrollment (814 ASI 7*021), tariff 10.B: every branch and every rejection code it can give."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from edi.messages import BillCalculator, BillingType, Commodity, RejectionCode, ServiceType, SourceRef
from processor.rules.enrollment import judge_enrollment
from processor.rules.verdict import Accepted, DropNotice, Rejected, Verdict
from processor.store.records import AccountStatus, RequestKind, RequestStatus
from tests.unit.test_rules_world import (
    BIG,
    CAL,
    DS3A,
    INACTIVE,
    MASS,
    MASS_2,
    MONTHLY,
    RES_A,
    RES_B,
    RES_C,
    UNKNOWN_RES,
    D,
    cpt,
    enrollment,
    world,
)
from tests.unit.test_rules_world import account as make_account


def accepted(verdict: Verdict) -> Accepted:
    assert isinstance(verdict, Accepted), verdict
    return verdict


def rejected(verdict: Verdict, code: RejectionCode) -> Rejected:
    assert isinstance(verdict, Rejected), verdict
    assert verdict.code is code, verdict
    assert len(verdict.ref03) <= 80 and not set("*~>^") & set(verdict.ref03), verdict.ref03
    return verdict


# --------------------------------------------------------------------------------- who and what


def test_unknown_duns_is_und() -> None:
    """Spec 3.1: ``UND`` — "DUNS/DUNS+4 in N104 not recognised"."""
    verdict = judge_enrollment(enrollment(MASS, UNKNOWN_RES), world(), CAL, cpt("2026-01-30T12:00"))
    assert UNKNOWN_RES in rejected(verdict, RejectionCode.UNKNOWN_DUNS).text


def test_missing_duns_is_und() -> None:
    """Spec 1.3: "The Ameren code UND rejects when the DUNS or DUNS+4 in N104 cannot be identified"."""
    rejected(judge_enrollment(enrollment(MASS, ""), world(), CAL, cpt("2026-01-30T12:00")), RejectionCode.UNKNOWN_DUNS)


def test_unknown_account_is_a76() -> None:
    """Spec 3.1: ``A76`` — "account not found"; tariff 10.B(1): "must include a valid account number"."""
    verdict = judge_enrollment(enrollment("4040404040"), world(), CAL, cpt("2026-01-30T12:00"))
    assert "4040404040" in rejected(verdict, RejectionCode.ACCOUNT_NOT_FOUND).text


def test_unknown_duns_is_checked_before_the_account() -> None:
    """Spec 2.1: "unknown DUNS → reject UND" comes first: we cannot answer a party we do not know about
    the account."""
    verdict = judge_enrollment(enrollment("4040404040", UNKNOWN_RES), world(), CAL, cpt("2026-01-30T12:00"))
    rejected(verdict, RejectionCode.UNKNOWN_DUNS)


def test_inactive_account_is_008() -> None:
    """Spec 3.1: ``008`` — "account exists but is not active"."""
    verdict = judge_enrollment(enrollment(INACTIVE), world(), CAL, cpt("2026-01-30T12:00"))
    assert "inactive" in rejected(verdict, RejectionCode.ACCOUNT_INACTIVE).text


def test_final_account_is_008() -> None:
    """Spec 3.1: ``008`` — "account exists but is not active"; a finaled account is not active."""
    view = world()
    view.accounts[MASS] = make_account(MASS, status=AccountStatus.FINAL)
    rejected(judge_enrollment(enrollment(MASS), view, CAL, cpt("2026-01-30T12:00")), RejectionCode.ACCOUNT_INACTIVE)


def test_blank_account_number_is_api() -> None:
    """Spec 3.1: ``API`` — "required information missing"; REF*12 is mandatory (spec 2.1)."""
    verdict = judge_enrollment(enrollment("  "), world(), CAL, cpt("2026-01-30T12:00"))
    assert "REF 12" in rejected(verdict, RejectionCode.MISSING_INFORMATION).text


def test_service_point_not_on_the_account_is_a76() -> None:
    """Tariff 10.B(1): "a valid service point number associated with the account"; one that is not there
    is an invalid account reference (spec 3.3: invalid account → A76)."""
    verdict = judge_enrollment(enrollment(BIG), world(), CAL, cpt("2026-01-30T12:00"), service_point="SP-M1")
    assert "SP-M1" in rejected(verdict, RejectionCode.ACCOUNT_NOT_FOUND).text


def test_account_without_service_points_is_a13() -> None:
    """Tariff 10.B(1): "All usage associated with the account … will become pending": with no service point
    there is nothing to enroll (A13 with the reason, spec 3.3)."""
    view = world()
    view.add_account(make_account("5000000001"))
    rejected(judge_enrollment(enrollment("5000000001"), view, CAL, cpt("2026-01-30T12:00")), RejectionCode.OTHER)


def test_line_that_is_not_electric_supply_is_a13() -> None:
    """Spec 2.0, LIN: "LIN05 service requested: CE generation/supply service (enrollment, drop,
    reinstatement), HU historical usage, MI meter information" — only CE on EL is a switch (tariff 10)."""
    for fields in ({"service": ServiceType.HISTORICAL_USAGE}, {"commodity": Commodity.GAS}):
        verdict = judge_enrollment(enrollment(DS3A, **fields), world(), CAL, cpt("2026-01-30T12:00"))
        assert "electric supply" in rejected(verdict, RejectionCode.OTHER).text


def test_mass_market_service_point_request_is_a13() -> None:
    """Tariff 10.B(1): "For Mass Market accounts, the RES must submit one enrollment DASR per account number."""
    verdict = judge_enrollment(enrollment(MASS), world(), CAL, cpt("2026-01-30T12:00"), service_point="SP-M1")
    assert "Mass Market" in rejected(verdict, RejectionCode.OTHER).text


# ------------------------------------------------------------------------------------- billing


@pytest.mark.parametrize(
    ("number", "supplier", "billing", "calculator", "code"),
    [
        (MASS, RES_A, BillingType.LDC, BillCalculator.DUAL, None),  # bill-ready UCB/POR, agreement both
        (MASS, RES_A, BillingType.LDC, BillCalculator.LDC, None),  # rate-ready UCB/POR, agreement both
        (MASS, RES_B, BillingType.LDC, BillCalculator.DUAL, None),  # bill-ready only agreement, bill-ready asked
        (MASS, RES_B, BillingType.LDC, BillCalculator.LDC, RejectionCode.BILLING_OPTION),  # no rate-ready
        (MASS, RES_C, BillingType.LDC, BillCalculator.DUAL, RejectionCode.BILLING_OPTION),  # no UCB/POR at all
        (DS3A, RES_A, BillingType.LDC, BillCalculator.DUAL, None),  # DS3A is UCB/POR eligible
        (BIG, RES_A, BillingType.LDC, BillCalculator.DUAL, RejectionCode.BILLING_OPTION),  # DS3B and DS4 are not
        (MASS, RES_A, BillingType.LDC, None, RejectionCode.MISSING_INFORMATION),  # UCB/POR without PC
        (MASS, RES_C, None, None, None),  # dual billing by default
        (MASS, RES_C, BillingType.DUAL, BillCalculator.DUAL, None),  # dual billing
        (MASS, RES_C, BillingType.DUAL, BillCalculator.LDC, RejectionCode.BILLING_OPTION),  # rate-ready needs UCB
        (MASS, RES_A, BillingType.ESP, BillCalculator.DUAL, None),  # SBO agreement
        (MASS, RES_B, BillingType.ESP, BillCalculator.DUAL, RejectionCode.BILLING_OPTION),  # no SBO agreement
        (MASS, RES_A, BillingType.ESP, BillCalculator.LDC, RejectionCode.BILLING_OPTION),  # SBO is never rate-ready
    ],
)
def test_billing_option(
    number: str, supplier: str, billing: BillingType | None, calculator: BillCalculator | None,
    code: RejectionCode | None,
) -> None:
    """FAQ, billing options: "UCB/POR may only be utilized on accounts that contain one or more of only the
    following types of service points: DS1, DS2, DS3A, and/or DS5" and "the RES must choose to use either
    one or both of these types of UCB/POR"; tariff 3.C: SBO and UCB/POR are "dependent on whether the RES
    has registered with the Company"; spec 3.1 ``FRB`` — "incorrect billing option requested"."""
    request = enrollment(number, supplier, billing_type=billing, calculator=calculator)
    verdict = judge_enrollment(request, world(), CAL, cpt("2026-01-30T12:00"))
    if code is None:
        accepted(verdict)
    else:
        rejected(verdict, code)


# ------------------------------------------------------------------------------ on-cycle dates


def test_non_mass_market_no_date_takes_the_next_read_seven_days_out() -> None:
    """Tariff 10.B(3): "The scheduled meter reading date must be at least seven calendar days from the date
    that the enrollment DASR is processed"; "if no date is specified … default to the next valid scheduled
    meter reading date"."""
    verdict = accepted(judge_enrollment(enrollment(DS3A), world(), CAL, cpt("2026-01-30T12:00")))
    assert verdict.processed == D("2026-01-30")
    assert verdict.effective_date == D("2026-02-06")  # exactly seven days
    assert verdict.effective_at is None and not verdict.off_cycle


def test_cutoff_friday_1844_is_processed_friday_1846_on_monday() -> None:
    """FAQ, blackout window: "an enrollment must be submitted before 6:45 p.m. Central Prevailing Time at
    least seven calendar days prior to the account's scheduled meter reading date". 18:44 on Friday
    2026-01-30 is processed that Friday (read 02-06 is 7 days out); 18:46 counts as Monday 02-02, four
    days before that read, so the following read (03-09) applies."""
    on_time = accepted(judge_enrollment(enrollment(DS3A), world(), CAL, cpt("2026-01-30T18:44")))
    late = accepted(judge_enrollment(enrollment(DS3A), world(), CAL, cpt("2026-01-30T18:46")))
    assert (on_time.processed, on_time.effective_date) == (D("2026-01-30"), D("2026-02-06"))
    assert (late.processed, late.effective_date) == (D("2026-02-02"), D("2026-03-09"))


def test_seven_day_edge_non_mass_market() -> None:
    """Tariff 10.B(3): "at least seven calendar days"; and "An on-cycle enrollment DASR submitted less than
    the minimum number of days … prior to the next scheduled meter reading date will default to the
    following scheduled meter reading date." Read 2026-03-09: processed 03-02 (7 days) takes it, 03-03
    (6 days) takes 04-08."""
    seven = accepted(judge_enrollment(enrollment(DS3A), world(), CAL, cpt("2026-03-02T09:00")))
    six = accepted(judge_enrollment(enrollment(DS3A), world(), CAL, cpt("2026-03-03T09:00")))
    assert seven.effective_date == D("2026-03-09")
    assert six.effective_date == D("2026-04-08")


def test_weekend_receipt_is_processed_monday() -> None:
    """FAQ, blackout window ("before 6:45 p.m. Central Prevailing Time") and the calendar's rule that a
    transaction received on a weekend counts on the next business day: Saturday 2026-01-31 → Monday 02-02."""
    verdict = accepted(judge_enrollment(enrollment(DS3A), world(), CAL, cpt("2026-01-31T10:00")))
    assert verdict.processed == D("2026-02-02")
    assert verdict.effective_date == D("2026-03-09")


def test_dst_weekend_cutoff_uses_daylight_time() -> None:
    """FAQ: the deadline is "6:45 p.m. Central Prevailing Time" — prevailing, so daylight time after the
    change on Sunday 2026-03-08. 00:00 UTC on Tuesday 03-10 is 19:00 CDT Monday, after the cut-off, so
    Tuesday; the same UTC time a week earlier is 18:00 CST Monday, before it. A receipt on the DST Sunday
    itself counts on Monday."""
    before_dst = accepted(judge_enrollment(enrollment(DS3A), world(), CAL, datetime(2026, 3, 3, 0, 0, tzinfo=UTC)))
    after_dst = accepted(judge_enrollment(enrollment(DS3A), world(), CAL, datetime(2026, 3, 10, 0, 0, tzinfo=UTC)))
    dst_sunday = accepted(judge_enrollment(enrollment(DS3A), world(), CAL, datetime(2026, 3, 8, 12, 0, tzinfo=UTC)))
    assert before_dst.processed == D("2026-03-02")
    assert after_dst.processed == D("2026-03-10")
    assert dst_sunday.processed == D("2026-03-09")
    assert after_dst.effective_date == D("2026-04-08")  # 03-10 is a day late for the 03-09 read anyway


def test_mass_market_needs_rescission_window_plus_two_business_days() -> None:
    """Tariff 10.B(3): for Mass Market "The scheduled meter reading date must be at least two business days
    plus the number of days allowed for a Customer rescission from the date that the enrollment DASR is
    processed". Processed 2026-01-30: rescission ends 02-09, inside the 02-06 read's billing window
    (02-04..02-09), so the 03-09 read; the same day a non-Mass Market account gets 02-06."""
    verdict = accepted(judge_enrollment(enrollment(MASS), world(), CAL, cpt("2026-01-30T12:00")))
    assert verdict.effective_date == D("2026-03-09")
    assert [p.service_point.service_point_id for p in verdict.points] == ["SP-M1"]
    assert verdict.points[0].supplier_before == "BGS"
    assert verdict.outbound == ()  # BGS is not a RES: nobody to send a drop to


def test_holiday_extends_the_rescission_window_into_the_billing_window() -> None:
    """Tariff 10.B(5): "If the tenth calendar day falls on a non-business day, then the rescission period
    shall be extended through the next business day"; FAQ: "the last day of the enrollment rescission window
    may not encroach upon the Ameren billing window". Processed Friday 2026-05-15: the tenth day is Memorial
    Day (05-25), so the window runs through 05-26, the first day of the 05-28 read's billing window: the
    enrollment takes 06-08. Without the holiday it would take 05-28; processed 05-12 it still does."""
    view = world()
    with_holiday = accepted(judge_enrollment(enrollment(MASS), view, CAL, cpt("2026-05-15T12:00")))
    no_holidays = accepted(judge_enrollment(enrollment(MASS), view, CAL.with_holidays({}), cpt("2026-05-15T12:00")))
    earlier = accepted(judge_enrollment(enrollment(MASS), view, CAL, cpt("2026-05-12T12:00")))
    assert with_holiday.effective_date == D("2026-06-08")
    assert no_holidays.effective_date == D("2026-05-28")
    assert earlier.effective_date == D("2026-05-28")


def test_requested_read_date_is_kept() -> None:
    """Tariff 10.B(4): "the enrollment effective date communicated in the EDI response will be either the
    requested scheduled meter reading date (if such a date is specified…)"."""
    verdict = accepted(
        judge_enrollment(enrollment(DS3A, requested_date=D("2026-03-09")), world(), CAL, cpt("2026-02-02T09:00"))
    )
    assert verdict.effective_date == D("2026-03-09")
    assert verdict.notes == ()


def test_requested_date_not_a_read_takes_the_next_read_even_beyond_45_days() -> None:
    """Tariff 10.B(3): "If an enrollment effective date other than a scheduled meter reading date is specified
    … then the enrollment effective date will default to the next scheduled meter reading date after the
    requested enrollment effective date even if such scheduled meter reading date is more than 45 calendar
    days after the date that the Company processes the on-cycle enrollment DASR." Processed 2026-02-02,
    requested 03-19 (45 days): next read 04-08, 65 days out."""
    verdict = accepted(
        judge_enrollment(enrollment(DS3A, requested_date=D("2026-03-19")), world(), CAL, cpt("2026-02-02T09:00"))
    )
    assert verdict.effective_date == D("2026-04-08")
    assert any("not a scheduled read" in note for note in verdict.notes)


def test_45_days_accepted_46_days_div() -> None:
    """Tariff 10.B(3): "such date may not be more than 45 calendar days from the date that the enrollment
    DASR is processed by the Company"; spec 3.1 ``DIV``. Processed 2026-02-02: 03-19 is day 45, 03-20 day 46."""
    accepted(judge_enrollment(enrollment(DS3A, requested_date=D("2026-03-19")), world(), CAL, cpt("2026-02-02T09:00")))
    verdict = judge_enrollment(enrollment(DS3A, requested_date=D("2026-03-20")), world(), CAL, cpt("2026-02-02T09:00"))
    text = rejected(verdict, RejectionCode.DATE_TOO_FAR).text
    assert text == "requested 2026-03-20 is 46 days after processing 2026-02-02; max 45 (10.B(3))"


def test_requested_read_inside_the_blackout_takes_the_following_read() -> None:
    """Tariff 10.B(3): "An on-cycle enrollment DASR submitted less than the minimum number of days … prior to
    the next scheduled meter reading date will default to the following scheduled meter reading date."
    Mass Market, processed 2026-01-30, requested read 02-06: too soon, so 03-09."""
    verdict = accepted(
        judge_enrollment(enrollment(MASS, requested_date=D("2026-02-06")), world(), CAL, cpt("2026-01-30T12:00"))
    )
    assert verdict.effective_date == D("2026-03-09")
    assert any("blackout" in note for note in verdict.notes)


def test_past_requested_date_defaults_rather_than_rejects() -> None:
    """Tariff 10.B(3): a DASR "submitted less than the minimum number of days … will default to the following
    scheduled meter reading date" — the tariff defaults, so a date already past is not rejected."""
    verdict = accepted(
        judge_enrollment(enrollment(DS3A, requested_date=D("2026-01-08")), world(), CAL, cpt("2026-01-30T12:00"))
    )
    assert verdict.effective_date == D("2026-02-06")


def test_schedule_exhausted_is_a13() -> None:
    """Tariff 10.A: the enrollment "will become effective on the first scheduled meter reading date after
    proper notice"; with no read on file there is no date to give (A13 with the reason)."""
    verdict = judge_enrollment(enrollment(DS3A), world(), CAL, cpt("2027-02-05T12:00"))
    assert "no scheduled meter read" in rejected(verdict, RejectionCode.OTHER).text


# ----------------------------------------------------------------------------------- off-cycle


def test_off_cycle_non_mass_market_takes_the_requested_date_at_23_59_59() -> None:
    """Tariff 10.B(3): "An off-cycle enrollment will become effective on the requested enrollment effective
    date specified by the RES, provided that the requested enrollment effective date is at least seven
    calendar days but no more than 45"; "effectuated as of the very end of the day (i.e. 23:59:59)"."""
    request = enrollment(DS3A, requested_date=D("2026-02-20"), off_cycle=True)
    verdict = accepted(judge_enrollment(request, world(), CAL, cpt("2026-02-02T09:00")))
    assert verdict.off_cycle
    assert verdict.effective_date == D("2026-02-20")
    assert verdict.effective_at == cpt("2026-02-20T23:59:59")
    assert verdict.points[0].effective_at == verdict.effective_at and verdict.points[0].off_cycle


def test_off_cycle_seven_day_edge() -> None:
    """Tariff 10.B(3): "at least seven calendar days"; "An off-cycle enrollment DADR submitted less than seven
    calendar days prior to the requested enrollment effective date will default to the next business day that
    is at least seven calendar days from the date that the enrollment DADR is processed". Processed
    2026-02-02: 02-09 (7 days) is kept; 02-06 (4 days) becomes 02-09; 02-08 (Sunday, 6 days) too."""
    cases = (("2026-02-09", "2026-02-09"), ("2026-02-06", "2026-02-09"), ("2026-02-08", "2026-02-09"))
    for requested, effective in cases:
        request = enrollment(DS3A, requested_date=D(requested), off_cycle=True)
        verdict = accepted(judge_enrollment(request, world(), CAL, cpt("2026-02-02T09:00")))
        assert verdict.effective_date == D(effective), requested
        assert (requested == effective) == (verdict.notes == ())


def test_off_cycle_default_skips_a_holiday() -> None:
    """Tariff 10.B(3): "default to the next business day that is at least seven calendar days from the date
    that the enrollment DADR is processed". Processed Monday 2026-05-18: day seven is Memorial Day 05-25,
    so 05-26."""
    request = enrollment(DS3A, requested_date=D("2026-05-20"), off_cycle=True)
    verdict = accepted(judge_enrollment(request, world(), CAL, cpt("2026-05-18T09:00")))
    assert verdict.effective_date == D("2026-05-26")


def test_off_cycle_without_date_is_api() -> None:
    """Tariff 10.B(3): "If no enrollment effective date is specified in an off-cycle enrollment DADR, then the
    enrollment will be rejected."; spec 2.11: "An off-cycle request without DTM*007 is rejected"."""
    verdict = judge_enrollment(enrollment(DS3A, off_cycle=True), world(), CAL, cpt("2026-02-02T09:00"))
    rejected(verdict, RejectionCode.MISSING_INFORMATION)


def test_off_cycle_beyond_45_days_is_div() -> None:
    """Tariff 10.B(3): off-cycle "no more than 45 calendar days from the date that the enrollment DADR is
    processed"."""
    request = enrollment(DS3A, requested_date=D("2026-03-20"), off_cycle=True)
    rejected(judge_enrollment(request, world(), CAL, cpt("2026-02-02T09:00")), RejectionCode.DATE_TOO_FAR)


def test_mass_market_off_cycle_turned_on_cycle() -> None:
    """Tariff 10.B(3): "If an off-cycle enrollment is requested for a Mass Market account, then the enrollment
    DADR will default to an on-cycle enrollment. In this scenario, the enrollment effective date will default
    to the next valid scheduled meter reading date after the requested off-cycle enrollment effective date".
    Processed 2026-02-02, off-cycle 02-20 asked: the next valid read after it, 03-09."""
    request = enrollment(MASS, requested_date=D("2026-02-20"), off_cycle=True)
    verdict = accepted(judge_enrollment(request, world(), CAL, cpt("2026-02-02T09:00")))
    assert not verdict.off_cycle and verdict.effective_at is None
    assert verdict.effective_date == D("2026-03-09")
    assert any("off-cycle turned on-cycle" in note for note in verdict.notes)


# --------------------------------------------------------------------- service points and dates


def test_non_mass_market_service_point_enrollment_covers_that_point() -> None:
    """Tariff 10.B(1): "For non-Mass Market accounts, the RES may either submit one enrollment DASR per
    account number or one enrollment DASR per service point"; 10.B(2): "A non-Mass Market account with
    multiple electric service points may have multiple RESs"."""
    verdict = accepted(
        judge_enrollment(enrollment(BIG, RES_B), world(), CAL, cpt("2026-01-30T12:00"), service_point="SP-B2")
    )
    assert [p.service_point.service_point_id for p in verdict.points] == ["SP-B2"]
    assert verdict.points[0].supplier_before == "HSS"


def test_account_enrollment_replacing_a_res_sends_it_a_drop() -> None:
    """Spec 2.4 use 1, "utility-initiated drop (… switch to another RES): utility → RES"; FAQ, rescission:
    after a rescission "the account will revert to its current RES, who will receive an EDI 814R-Request" —
    so the current RES is told when the switch is accepted. SP-B1 is RES A's, SP-B2 on HSS."""
    verdict = accepted(judge_enrollment(enrollment(BIG, RES_B), world(), CAL, cpt("2026-01-30T12:00")))
    assert {p.service_point.service_point_id: p.supplier_before for p in verdict.points} == {
        "SP-B1": RES_A,
        "SP-B2": "HSS",
    }
    assert verdict.outbound == (
        DropNotice(RES_A, BIG, ("SP-B1",), D("2026-02-06"), None, "switch to another RES"),
    )


def test_calendar_month_account_points_take_effect_on_different_dates() -> None:
    """FAQ, calendar-month billing: "any non-lighting electric service points on such accounts are billed in
    calendar-month increments … the lighting service point may not necessarily bill in calendar-month
    increments"; "enrollments are effectuated at the service point level … could have a slightly different
    enrollment effective date for each service point". Processed 2026-03-02: the non-lighting point takes
    the month-end 03-31, the lighting point its bill group's 03-27 read."""
    verdict = accepted(judge_enrollment(enrollment(MONTHLY, RES_C), world(), CAL, cpt("2026-03-02T12:00")))
    assert {p.service_point.service_point_id: p.effective_date for p in verdict.points} == {
        "SP-CM": D("2026-03-31"),
        "SP-CL": D("2026-03-27"),
    }
    assert verdict.effective_date == D("2026-03-27")
    assert any("different dates" in note for note in verdict.notes)


def test_calendar_month_deadline_moves_back_over_a_weekend() -> None:
    """FAQ, calendar-month billing: "received by Ameren no later than 6:45 p.m. Central Prevailing Time seven
    calendar days prior to the last calendar day of the month … In cases where the seventh calendar day falls
    on a weekend day or a holiday, … the first business day prior". February 2026 ends Saturday 02-28; day
    seven before is Saturday 02-21, so the deadline is Friday 02-20 at 18:45."""
    view = world()
    on_time = accepted(judge_enrollment(enrollment(MONTHLY, RES_C), view, CAL, cpt("2026-02-20T18:44"),
                                        service_point="SP-CM"))
    late = accepted(judge_enrollment(enrollment(MONTHLY, RES_C), view, CAL, cpt("2026-02-20T18:46"),
                                     service_point="SP-CM"))
    assert on_time.effective_date == D("2026-02-28")
    assert late.effective_date == D("2026-03-31")


def test_calendar_month_requested_date_takes_the_month_end_after_it() -> None:
    """Tariff 10.B(3) ("the next scheduled meter reading date after the requested enrollment effective date")
    with the FAQ's calendar-month reads: requested 2026-03-10 gives 03-31."""
    request = enrollment(MONTHLY, RES_C, requested_date=D("2026-03-10"))
    verdict = accepted(judge_enrollment(request, world(), CAL, cpt("2026-03-02T12:00"), service_point="SP-CM"))
    assert verdict.effective_date == D("2026-03-31")


# ------------------------------------------------------------------------ first in and duplicates


def test_second_enrollment_for_the_same_date_is_nfi() -> None:
    """Tariff 10.B(6): "The Company shall accept and process the first valid enrollment DASR that it receives
    for an account or service point for a particular enrollment effective date. The Company shall reject any
    subsequent conflicting enrollment DASR it receives for the same enrollment effective date."""
    view = world()
    first = accepted(judge_enrollment(enrollment(MASS, RES_A), view, CAL, cpt("2026-01-30T12:00")))
    view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_A, account_number=MASS, request_ref="ENR-1",
                     line_ref="L1", received_at=cpt("2026-01-30T12:00"), effective_date=first.effective_date)
    second = judge_enrollment(enrollment(MASS, RES_B, reference="B-1"), view, CAL, cpt("2026-02-02T12:00"))
    assert "2026-03-09" in rejected(second, RejectionCode.NOT_FIRST_IN).text


def test_service_point_enrollment_conflicts_with_an_account_enrollment() -> None:
    """Tariff 10.B(6): the first valid DASR "for an account or service point" wins: an account-level
    enrollment pending for 02-06 blocks a later service-point one for the same point and date."""
    view = world()
    view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_B, account_number=BIG, effective_date=D("2026-02-06"))
    verdict = judge_enrollment(enrollment(BIG, RES_C), view, CAL, cpt("2026-01-30T12:00"), service_point="SP-B2")
    rejected(verdict, RejectionCode.NOT_FIRST_IN)


def test_conflict_on_another_date_is_not_nfi() -> None:
    """Tariff 10.B(6) rejects a conflicting DASR "for the same enrollment effective date" only: a pending
    enrollment for 02-06 does not block one that lands on 03-09."""
    view = world()
    view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_B, account_number=DS3A, effective_date=D("2026-02-06"))
    verdict = accepted(judge_enrollment(enrollment(DS3A, RES_C), view, CAL, cpt("2026-02-02T12:00")))
    assert verdict.effective_date == D("2026-03-09")
    assert verdict.points[0].supplier_before == RES_B  # RES B will supply it by then
    assert verdict.outbound == (DropNotice(RES_B, DS3A, ("SP-D1",), D("2026-03-09"), None, "switch to another RES"),)


def test_rejected_or_rescinded_enrollments_do_not_block() -> None:
    """Tariff 10.B(6): only the first *valid* DASR wins; a rejected or rescinded one is not pending."""
    view = world()
    for status in (RequestStatus.REJECTED, RequestStatus.RESCINDED):
        view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_B, account_number=DS3A,
                         effective_date=D("2026-02-06"), status=status)
    accepted(judge_enrollment(enrollment(DS3A, RES_C), view, CAL, cpt("2026-01-30T12:00")))


def test_same_bgn02_again_is_abn() -> None:
    """Spec 2.0: BGN02 is "unique over time"; spec 3.1 ``ABN`` — "duplicate request received"."""
    view = world()
    view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_A, account_number=MASS, request_ref="ENR-1",
                     line_ref="OTHER", received_at=cpt("2026-01-30T12:00"), effective_date=D("2026-03-09"))
    verdict = judge_enrollment(enrollment(MASS, RES_A, reference="ENR-1"), view, CAL, cpt("2026-02-02T12:00"))
    assert "ENR-1" in rejected(verdict, RejectionCode.DUPLICATE).text


def test_same_lin01_pending_for_the_account_is_abn() -> None:
    """Spec 2.0: LIN01 "must be unique over time (alone or together with BGN02)"; re-sent under a new BGN02
    while the first is pending, it is a duplicate (``ABN``)."""
    view = world()
    view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_A, account_number=MASS, request_ref="ENR-1",
                     line_ref="L1", effective_date=D("2026-03-09"))
    verdict = judge_enrollment(enrollment(MASS, RES_A, reference="ENR-2", line_id="L1"), view, CAL,
                               cpt("2026-02-02T12:00"))
    rejected(verdict, RejectionCode.DUPLICATE)


def test_duplicate_is_answered_before_the_account_checks() -> None:
    """Spec 3.1 ``ABN``: a re-sent request is a duplicate whatever else is wrong with it, so the RES learns
    it already has its answer (here the account has since become inactive)."""
    view = world()
    view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_A, account_number=INACTIVE, request_ref="ENR-1",
                     line_ref="L1", status=RequestStatus.REJECTED)
    rejected(judge_enrollment(enrollment(INACTIVE), view, CAL, cpt("2026-02-02T12:00")), RejectionCode.DUPLICATE)


def test_the_same_transaction_set_seen_again_is_not_its_own_duplicate() -> None:
    """Spec 2.0 (BGN02 unique over time) is about a *new* transaction reusing it; the same ISA13/GS06/ST02 and
    LIN01 recorded by an interrupted run is the same request, not a duplicate."""
    view = world()
    source = SourceRef("in.x12", "000000101", "101", "0001")
    view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_C, account_number=DS3A, request_ref="ENR-1",
                     line_ref="L1", status=RequestStatus.PENDING, isa13="000000101", gs06="101", st02="0001")
    accepted(judge_enrollment(enrollment(DS3A, RES_C, source=source), view, CAL, cpt("2026-01-30T12:00")))


def test_already_supplied_by_this_res_is_a13() -> None:
    """Tariff 10.A: an enrollment switches "between supply options"; a point already on this RES has nothing
    to switch (A13 with the reason, spec 3.3)."""
    verdict = judge_enrollment(enrollment(MASS_2, RES_A), world(), CAL, cpt("2026-01-30T12:00"))
    assert "already supplied" in rejected(verdict, RejectionCode.OTHER).text


def test_account_enrollment_leaves_out_points_this_res_already_supplies() -> None:
    """Tariff 10.B(2): "A non-Mass Market account with multiple electric service points may have multiple RESs";
    an account-level enrollment by the RES of SP-B1 covers SP-B2 only."""
    verdict = accepted(judge_enrollment(enrollment(BIG, RES_A), world(), CAL, cpt("2026-01-30T12:00")))
    assert [p.service_point.service_point_id for p in verdict.points] == ["SP-B2"]
    assert any("SP-B1" in note for note in verdict.notes)


def test_rejection_texts_fit_ref03() -> None:
    """Spec 2.2: reject with "REF*7G … code * text"; REF03 is at most 80 characters and may not carry a
    separator, so :attr:`Rejected.ref03` clips and cleans what it is given."""
    long = Rejected(RejectionCode.OTHER, "x*y " * 40)
    assert len(long.ref03) == 80 and "*" not in long.ref03 and long.ref03.endswith("...")
    assert long.as_rejection().code is RejectionCode.OTHER


def test_blank_service_point_means_the_account() -> None:
    """Tariff 10.B(1): "one enrollment DASR per account number": an empty REF*LU names no service point."""
    accepted(judge_enrollment(enrollment(MASS), world(), CAL, cpt("2026-01-30T12:00"), service_point=" "))


def test_own_pending_enrollment_for_another_date_is_a13() -> None:
    """Tariff 10.B(6) is about "conflicting" DASRs for the same date; a RES that already has its enrollment
    pending for 02-06 gains nothing from a second one landing on 03-09 (A13 with the pending date)."""
    view = world()
    view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_B, account_number=DS3A, effective_date=D("2026-02-06"))
    verdict = judge_enrollment(enrollment(DS3A, RES_B, reference="B-2", line_id="L2"), view, CAL,
                               cpt("2026-02-02T12:00"))
    assert "2026-02-06" in rejected(verdict, RejectionCode.OTHER).text
