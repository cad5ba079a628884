"""The bill-ready rules (processor.billing.rules): facts in, verdict out, no store and no clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from edi.messages import (
    BillReadyInvoice,
    Charge,
    ChargeIndicator,
    EntityCode,
    IdQualifier,
    Party,
    Period,
    Purpose,
    RejectionCode,
)
from processor.billing import Billed, BillReadyPolicy, InvoiceFacts, Refused, Reversed, SentUsage, judge_invoice
from processor.billing.facts import EnrollmentOption
from processor.billing.rules import is_bill_ready
from processor.calendar import CPT, Calendar
from processor.store.records import (
    Account,
    AccountStatus,
    CalendarBilling,
    EnrollmentBilling,
    Invoice,
    InvoiceStatus,
    Metering,
    RateClass,
    Sbo,
    ServicePoint,
    Supplier,
    UcbPor,
    UsageRecord,
    UsageStatus,
)

BRIGHT, OTHER, UTILITY_DUNS = "987654321", "123456789", "012345678"
CALENDAR = Calendar.from_tariff([2026, 2027], {"12": [date(2026, 9, 17), date(2026, 10, 19), date(2026, 11, 16)]})
POLICY = BillReadyPolicy()
ACCOUNT = Account("2000000029", "ROBERT T EXAMPLE", "215 ELM ST", "PEORIA", "IL", "61602", "12",
                  CalendarBilling.NONE, AccountStatus.ACTIVE)
POINT = ServicePoint("7000000029", "2000000029", RateClass.DS2, Metering.SCALAR, BRIGHT, False)
SUPPLIER = Supplier(BRIGHT, "BRIGHT ENERGY LLC", UcbPor.BILL_READY, Sbo.NONE)
#: The 867 of Sep 17 - Oct 19 went out Tue Oct 20 02:00 CDT: the window closes Tue Oct 27.
SENT_AT = datetime(2026, 10, 20, 2, 0, tzinfo=CPT)
USAGE = SentUsage(1, BRIGHT, date(2026, 9, 17), date(2026, 10, 19), SENT_AT, "UTL86720261020000001")
ON_TIME = datetime(2026, 10, 21, 10, 0, tzinfo=CPT)
SUPPLY = Charge(ChargeIndicator.CHARGE, "ENC001", Decimal("45.67"), Decimal("0.0731"), None, Decimal("624.8"),
                description="SUPPLY CHARGE")
FEE = Charge(ChargeIndicator.CHARGE, "MSC001", Decimal("5.00"), description="MONTHLY SUPPLIER FEE")


def invoice(**changes: object) -> BillReadyInvoice:
    base = BillReadyInvoice(
        invoice_date=date(2026, 10, 21), number="RESINV1", ldc_account="2000000029", res_account="BRT-000029",
        service_point="7000000029",
        utility=Party(EntityCode.UTILITY, "AMEREN ILLINOIS", IdQualifier.DUNS, UTILITY_DUNS),
        supplier=Party(EntityCode.SUPPLIER, "BRIGHT ENERGY LLC", IdQualifier.DUNS, BRIGHT),
        customer=Party(EntityCode.CUSTOMER, "ROBERT T EXAMPLE"),
        period=Period(date(2026, 9, 17), date(2026, 10, 19)), charges=(SUPPLY, FEE), total=Decimal("50.67"))
    return replace(base, **changes)  # type: ignore[arg-type]


def facts(**changes: object) -> InvoiceFacts:
    base = InvoiceFacts(UTILITY_DUNS, SUPPLIER, ACCOUNT, (POINT,), (USAGE,), BRIGHT)
    return replace(base, **changes)  # type: ignore[arg-type]


def stored(number: str = "RESINV1", status: InvoiceStatus = InvoiceStatus.ACCEPTED, **changes: object) -> Invoice:
    base = Invoice(id=7, supplier=BRIGHT, number=number, invoice_date=date(2026, 10, 21), purpose="00",
                   account_number="2000000029", total=Decimal("50.67"), received_at=ON_TIME.astimezone(UTC),
                   status=status, service_point_id="7000000029", period_start=date(2026, 9, 17),
                   period_end=date(2026, 10, 19), usage_report_id=1, bill_date=date(2026, 10, 19),
                   updated_at=ON_TIME.astimezone(UTC))
    return replace(base, **changes)  # type: ignore[arg-type]


def judge(message: BillReadyInvoice | None = None, world: InvoiceFacts | None = None,
          at: datetime = ON_TIME, policy: BillReadyPolicy = POLICY) -> Billed | Reversed | Refused:
    return judge_invoice(message or invoice(), world or facts(), CALENDAR, at, policy)


def refused(verdict: object) -> tuple[str, str]:
    assert isinstance(verdict, Refused), verdict
    return str(verdict.code), verdict.ted02


# ------------------------------------------------------------------------------------ accepted


def test_an_invoice_for_the_867s_period_inside_the_window_goes_on_the_bill_of_that_read() -> None:
    verdict = judge()
    assert verdict == Billed(usage=USAGE, bill_date=date(2026, 10, 19), window_closes=date(2026, 10, 27))


def test_a_dtm_with_a_time_is_compared_by_its_central_date() -> None:
    # An interval point cut at 14:30 CDT: the 867 wrote DTM*151*20261019*1430*CD; so may the 810.
    period = Period(date(2026, 9, 17), datetime(2026, 10, 19, 19, 30, tzinfo=UTC))
    assert isinstance(judge(invoice(period=period)), Billed)


def test_a_final_account_still_gets_its_final_bill() -> None:
    assert isinstance(judge(world=facts(account=replace(ACCOUNT, status=AccountStatus.FINAL))), Billed)


def test_an_agreement_for_both_kinds_of_ucb_por_allows_bill_ready() -> None:
    assert isinstance(judge(world=facts(supplier=replace(SUPPLIER, ucb_por=UcbPor.BOTH))), Billed)


def test_a_number_refused_before_may_be_sent_again() -> None:
    assert isinstance(judge(world=facts(numbered=(stored(status=InvoiceStatus.REJECTED),))), Billed)


def test_a_point_without_an_enrollment_on_record_is_taken_as_the_agreement_allows() -> None:
    assert isinstance(judge(world=facts(enrollment=None)), Billed)
    unknown = EnrollmentOption("BRT1", date(2026, 9, 17), None)  # enrolled before billing options were kept
    assert isinstance(judge(world=facts(enrollment=unknown)), Billed)
    bill_ready = EnrollmentOption("BRT1", date(2026, 9, 17), EnrollmentBilling(1, "LDC", "DUAL"))
    assert isinstance(judge(world=facts(enrollment=bill_ready)), Billed)


# ----------------------------------------------------------------------------------- refusals


def test_und_for_an_unknown_res_or_another_utility() -> None:
    assert refused(judge(world=facts(supplier=None))) == ("UND", "SUPPLIER DUNS 987654321 IS NOT REGISTERED")
    nobody = invoice(supplier=Party(EntityCode.SUPPLIER, "X", IdQualifier.DUNS, None))
    assert refused(judge(nobody))[0] == "UND"
    elsewhere = invoice(utility=Party(EntityCode.UTILITY, "COMED", IdQualifier.DUNS, "006929509"))
    assert refused(judge(elsewhere)) == ("UND", "UTILITY DUNS 006929509 IN N1 8S IS NOT 012345678")


def test_abn_for_a_number_already_accepted_or_cancelled() -> None:
    for status in (InvoiceStatus.ACCEPTED, InvoiceStatus.CANCELLED):
        assert refused(judge(world=facts(numbered=(stored(status=status),)))) == (
            "ABN", "DUPLICATE: INVOICE RESINV1 WAS ALREADY RECEIVED")


def test_api_for_missing_service_point_period_or_charges() -> None:
    assert refused(judge(invoice(service_point=None))) == ("API", "SERVICE POINT (REF LU) MISSING")
    assert refused(judge(invoice(service_point="  "))) == ("API", "SERVICE POINT (REF LU) MISSING")
    assert refused(judge(invoice(period=None))) == ("API", "SERVICE PERIOD (DTM 150 AND 151) MISSING")
    info = Charge(ChargeIndicator.INFORMATION, "MSC003", Decimal(0), description="HELLO")
    assert refused(judge(invoice(charges=(info,), total=Decimal(0)))) == (
        "API", "NO CHARGE OR ALLOWANCE (SAC C OR A)")


def test_a76_for_an_unknown_account_or_a_point_of_another_account() -> None:
    assert refused(judge(world=facts(account=None))) == ("A76", "ACCOUNT 2000000029 NOT FOUND")
    assert refused(judge(invoice(service_point="7000000011"))) == (
        "A76", "SERVICE POINT 7000000011 NOT ON ACCOUNT 2000000029")


def test_008_for_an_inactive_account() -> None:
    inactive = replace(ACCOUNT, status=AccountStatus.INACTIVE)
    assert refused(judge(world=facts(account=inactive))) == ("008", "ACCOUNT 2000000029 IS INACTIVE")


def test_a13_when_the_total_is_not_the_charges_less_the_allowances() -> None:
    assert refused(judge(invoice(total=Decimal("51.67")))) == (
        "A13", "TOTAL 51.67 IS NOT CHARGES LESS ALLOWANCES 50.67")
    credit = Charge(ChargeIndicator.ALLOWANCE, "MSC002", Decimal("2.00"), description="CREDIT")
    assert isinstance(judge(invoice(charges=(SUPPLY, FEE, credit), total=Decimal("48.67"))), Billed)
    assert refused(judge(invoice(charges=(SUPPLY, FEE, credit), total=Decimal("52.67"))))[0] == "A13"


@pytest.mark.parametrize("rate_class", [RateClass.DS3B, RateClass.DS4])
def test_a13_for_an_account_with_a_ds3b_or_ds4_point(rate_class: RateClass) -> None:
    big = replace(POINT, service_point_id="7000000099", rate_class=rate_class)
    code, text = refused(judge(world=facts(account_points=(POINT, big))))
    assert (code, text) == ("A13", f"ACCOUNT NOT UCB/POR ELIGIBLE: 7000000099 IS {rate_class}")


@pytest.mark.parametrize("agreement", [UcbPor.NONE, UcbPor.RATE_READY])
def test_a13_without_a_bill_ready_agreement(agreement: UcbPor) -> None:
    assert refused(judge(world=facts(supplier=replace(SUPPLIER, ucb_por=agreement)))) == (
        "A13", "RES HAS NO BILL-READY UCB/POR AGREEMENT")


def test_a13_for_a_point_whose_867_went_to_another_res() -> None:
    theirs = replace(USAGE, supplier=OTHER)
    assert refused(judge(world=facts(usage=(theirs,), point_supplier=OTHER))) == (
        "A13", "7000000029 WAS SUPPLIED BY ANOTHER RES IN THE PERIOD")


def test_a13_for_a_point_of_another_supplier_without_any_867() -> None:
    assert refused(judge(world=facts(usage=(), point_supplier="BGS"))) == (
        "A13", "SERVICE POINT 7000000029 NOT SUPPLIED BY THIS RES")


def test_a13_when_the_enrollment_asked_for_another_billing_option() -> None:
    dual = EnrollmentOption("BRT1", date(2026, 9, 17), EnrollmentBilling(1, None, None))
    assert refused(judge(world=facts(enrollment=dual))) == (
        "A13", "7000000029 NOT ENROLLED BILL-READY UCB/POR (BLT DUAL PC -)")
    rate_ready = EnrollmentOption("BRT1", date(2026, 9, 17), EnrollmentBilling(1, "LDC", "LDC"))
    assert refused(judge(world=facts(enrollment=rate_ready)))[1].endswith("(BLT LDC PC LDC)")


def test_api_when_no_867_of_this_res_has_the_period() -> None:
    shifted = invoice(period=Period(date(2026, 9, 18), date(2026, 10, 19)))
    assert refused(judge(shifted)) == ("API", "SERVICE PERIOD DOES NOT MATCH 867 (867 20260917-20261019)")
    # The RES supplies the point but no 867 went out yet.
    assert refused(judge(world=facts(usage=()))) == ("API", "SERVICE PERIOD DOES NOT MATCH 867 (NO 867 SENT)")


def test_abn_for_a_second_invoice_for_a_period_already_billed() -> None:
    assert refused(judge(invoice(number="RESINV2"), facts(standing=(stored(),)))) == (
        "ABN", "PERIOD ALREADY BILLED BY INVOICE RESINV1; CANCEL IT FIRST")


def test_the_window_ends_at_the_cut_off_of_its_last_business_day() -> None:
    assert isinstance(judge(at=datetime(2026, 10, 27, 18, 45, tzinfo=CPT)), Billed)
    assert refused(judge(at=datetime(2026, 10, 27, 18, 46, tzinfo=CPT))) == (
        "A13", "LATE: THE BILL-READY WINDOW CLOSED 20261027")
    longer = BillReadyPolicy(window_business_days=6)
    assert isinstance(judge(at=datetime(2026, 10, 28, 9, 0, tzinfo=CPT), policy=longer), Billed)


def test_the_checks_run_in_the_code_tables_order() -> None:
    everything_wrong = invoice(service_point=None, total=Decimal("1.00"))
    assert refused(judge(everything_wrong, facts(supplier=None)))[0] == "UND"
    assert refused(judge(everything_wrong, facts(numbered=(stored(),))))[0] == "ABN"
    assert refused(judge(everything_wrong, facts(account=None)))[0] == "API"
    assert refused(judge(invoice(total=Decimal("1.00")), facts(account=None)))[0] == "A76"


# -------------------------------------------------------------------------------------- cancels


def cancel(**changes: object) -> BillReadyInvoice:
    return invoice(**{"number": "RESINV9", "purpose": Purpose.CANCELLATION, "original_invoice": "RESINV1", **changes})


def cancel_facts(original: Invoice | None = None, **changes: object) -> InvoiceFacts:
    return facts(**{"original": original or stored(), "original_usage": USAGE, **changes})


def test_a_cancel_inside_the_window_reverses_on_the_same_bill() -> None:
    assert judge(cancel(), cancel_facts(), at=datetime(2026, 10, 22, 10, tzinfo=CPT)) == Reversed(
        original=stored(), bill_date=date(2026, 10, 19))


def test_a_cancel_after_the_window_reverses_on_the_next_scheduled_read() -> None:
    verdict = judge(cancel(), cancel_facts(), at=datetime(2026, 11, 2, 10, tzinfo=CPT))
    assert verdict == Reversed(original=stored(), bill_date=date(2026, 11, 16))
    later = judge(cancel(), cancel_facts(), at=datetime(2026, 11, 20, 10, tzinfo=CPT))
    assert later == Reversed(original=stored(), bill_date=None)  # no read scheduled after Nov 16


def test_a_cancel_needs_its_original_number_and_is_not_held_to_the_window_or_the_agreement() -> None:
    assert refused(judge(cancel(original_invoice=None), cancel_facts())) == (
        "API", "CANCEL WITHOUT THE ORIGINAL INVOICE NUMBER (REF OI)")
    no_agreement = cancel_facts(supplier=replace(SUPPLIER, ucb_por=UcbPor.NONE))
    assert isinstance(judge(cancel(service_point=None, period=None), no_agreement), Reversed)


def test_a_cancel_of_an_unknown_rejected_or_cancelled_invoice() -> None:
    assert refused(judge(cancel(), facts())) == ("A13", "ORIGINAL INVOICE RESINV1 NOT FOUND")
    assert refused(judge(cancel(), cancel_facts(stored(status=InvoiceStatus.REJECTED)))) == (
        "A13", "INVOICE RESINV1 WAS REJECTED; NOTHING TO CANCEL")
    assert refused(judge(cancel(), cancel_facts(stored(status=InvoiceStatus.CANCELLED)))) == (
        "ABN", "DUPLICATE: INVOICE RESINV1 IS ALREADY CANCELLED")
    assert refused(judge(cancel(), cancel_facts(stored(purpose="01")))) == (
        "A13", "INVOICE RESINV1 IS ITSELF A CANCEL")


def test_a_cancel_must_name_the_originals_account_point_and_period() -> None:
    assert refused(judge(cancel(), cancel_facts(stored(account_number="2000000011")))) == (
        "A13", "INVOICE RESINV1 IS FOR ANOTHER ACCOUNT")
    assert refused(judge(cancel(), cancel_facts(stored(service_point_id="7000000011")))) == (
        "A13", "INVOICE RESINV1 IS FOR ANOTHER SERVICE POINT")
    assert refused(judge(cancel(), cancel_facts(stored(period_start=date(2026, 9, 18))))) == (
        "A13", "INVOICE RESINV1 IS FOR ANOTHER SERVICE PERIOD")


# --------------------------------------------------------------------------------- small pieces


def test_ted02_is_upper_case_without_separators_and_fits_60_characters() -> None:
    assert Refused(RejectionCode.OTHER, "a*b~c>d").ted02 == "A B C D"
    long = Refused(RejectionCode.OTHER, "x" * 80).ted02
    assert len(long) == 60 and long.endswith("...")
    assert Refused(RejectionCode.OTHER, "why").as_rejection().text == "WHY"


def test_bill_ready_is_blt_ldc_with_pc_dual() -> None:
    assert is_bill_ready(EnrollmentBilling(1, "LDC", "DUAL"))
    assert not is_bill_ready(EnrollmentBilling(1, "LDC", "LDC"))
    assert not is_bill_ready(EnrollmentBilling(1, "DUAL", None))
    assert not is_bill_ready(EnrollmentBilling(1, "ESP", "DUAL"))


def test_the_window_counts_business_days_after_the_day_the_867_was_sent() -> None:
    # Sent Wed Nov 25 2026: Thanksgiving (26th) and the weekend are skipped.
    assert POLICY.window_closes(CALENDAR, datetime(2026, 11, 25, 2, tzinfo=CPT)) == date(2026, 12, 3)
    assert BillReadyPolicy(0).window_closes(CALENDAR, SENT_AT) == date(2026, 10, 20)
    # 04:30 UTC on Oct 21 is 23:30 CDT on Oct 20: the Central date counts.
    assert POLICY.window_closes(CALENDAR, datetime(2026, 10, 21, 4, 30, tzinfo=UTC)) == date(2026, 10, 27)
    with pytest.raises(ValueError):
        BillReadyPolicy(-1)


def test_sent_usage_is_the_867s_central_dates() -> None:
    record = UsageRecord(id=3, service_point_id="7000000029", supplier=BRIGHT,
                         period_start=datetime(2026, 9, 17, 15, 7, tzinfo=UTC),
                         period_end=datetime(2026, 10, 20, 4, 59, 59, tzinfo=UTC), status=UsageStatus.SENT,
                         created_at=SENT_AT, purpose="00", reference="R")
    assert SentUsage.of(record) == SentUsage(3, BRIGHT, date(2026, 9, 17), date(2026, 10, 19), SENT_AT, "R")
    assert SentUsage.of(replace(record, period_start=None)) is None
    assert SentUsage.of(replace(record, purpose="01")) is None


def test_a_late_cancel_goes_on_the_bill_that_still_waits_for_res_charges() -> None:
    # The original was on the Sep 17 bill; the Oct 19 read's 867s went out Oct 20, its bill waits until Oct 27.
    old = stored(period_start=date(2026, 8, 18), period_end=date(2026, 9, 17), bill_date=date(2026, 9, 17))
    august = SentUsage(1, BRIGHT, date(2026, 8, 18), date(2026, 9, 17), datetime(2026, 9, 18, 2, tzinfo=CPT), "A")
    world = cancel_facts(old, original_usage=august, account_usage=(august, USAGE))
    message = cancel(period=Period(date(2026, 8, 18), date(2026, 9, 17)))
    assert judge(message, world, at=datetime(2026, 10, 22, 10, tzinfo=CPT)) == Reversed(old, date(2026, 10, 19))
    assert judge(message, world, at=datetime(2026, 10, 28, 10, tzinfo=CPT)) == Reversed(old, date(2026, 11, 16))


def test_a_duns_plus_4_of_the_utility_is_the_utility() -> None:
    plus4 = invoice(utility=Party(EntityCode.UTILITY, "AMEREN ILLINOIS", IdQualifier.DUNS_PLUS_4, "0123456780001"))
    assert isinstance(judge(plus4), Billed)


def test_a_cancel_may_repeat_its_originals_number_once() -> None:
    same = cancel(number="RESINV1")
    assert isinstance(judge(same, cancel_facts(numbered=(stored(),))), Reversed)
    cancelled = stored(status=InvoiceStatus.CANCELLED)
    assert refused(judge(same, cancel_facts(cancelled, numbered=(cancelled,))))[0] == "ABN"
    # An original reusing the number of an accepted invoice stays a duplicate.
    assert refused(judge(invoice(), facts(numbered=(cancelled,))))[0] == "ABN"
