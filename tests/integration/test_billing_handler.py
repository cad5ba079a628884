"""The 810 handler against a real store (SQLite and PostgreSQL) loaded with the sample master data.

Each test records the 867s the utility sent (as ``processor.usage`` does), runs the handler in a unit of work the
way the batch does, and checks the outcome, the invoice and bill-line state, and that every 824 renders to a
transaction set our maps accept.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from edi.canonical import parse, render
from edi.classify import Kind, classify
from edi.envelope import Envelope
from edi.guide import GuideValidator
from edi.messages import ApplicationAdvice, BillReadyInvoice, EnrollmentRequest, Message, Purpose, SourceRef
from edi.reader import X12Reader
from edi.segments import Segment
from processor.billing import BillReadyPolicy, record_billing_option
from processor.calendar import CPT, Calendar
from processor.config import Utility
from processor.handlers import Context, Outcome, handlers
from processor.load import KINDS, load_csv
from processor.store import Store
from processor.store.records import (
    EnrollmentBilling,
    InvoiceStatus,
    NewUsageRecord,
    RequestKind,
    RequestStatus,
    UsageStatus,
)
from tests.integration.postgres import BACKENDS, sample_database
from tests.support import MAPS, SAMPLES

BRIGHT = "987654321"
UTILITY = Utility()


def cpt(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CPT)


@pytest.fixture(scope="module")
def guide() -> GuideValidator:
    return GuideValidator.from_map_dir(MAPS)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "postgresql":
        with sample_database() as url, Store.open(url) as opened:
            yield opened
        return
    with Store.open(f"sqlite:///{tmp_path / 'edi.db'}") as opened:
        for kind in KINDS:
            assert load_csv(opened, kind, SAMPLES / "master" / f"{kind}.csv").ok
        yield opened


@pytest.fixture
def calendar(store: Store) -> Calendar:
    holidays, schedule = store.calendar_inputs()
    return Calendar(holidays=holidays, schedule=schedule)


def sample(name: str) -> Message:
    path = SAMPLES / "valid" / name
    with open(path, "rb") as stream:
        (ts,) = list(Envelope(X12Reader(stream, name)))
        source = SourceRef(file=name, isa13=ts.interchange.isa13, gs06=ts.group.gs06, st02=ts.summary.st02)
        return parse(ts.segments, source, ts.separators.component)


def original_810() -> BillReadyInvoice:
    message = sample("810_billready_original.x12")
    assert isinstance(message, BillReadyInvoice)
    return message


def sent_867(store: Store, start: str, end: str, at: str, *, supplier: str = BRIGHT,
             point: str = "7000000029") -> int:
    """An 867 sent to ``supplier`` for the read events ``start`` .. ``end`` (Central), as produce_usage records it."""
    with store.unit_of_work() as uow:
        record = uow.meter_data.add_usage(NewUsageRecord(
            service_point_id=point, supplier=supplier, period_start=cpt(start), period_end=cpt(end),
            status=UsageStatus.SENT, created_at=cpt(at), purpose="00", reference=f"UTL867{start[:10]}"))
        uow.commit()
    return record.id


def handle(store: Store, calendar: Calendar, message: Message, at: datetime, n: int = 1,
           policy: BillReadyPolicy | None = None) -> Outcome:
    source = getattr(message, "source", None) or SourceRef(f"in{n}.x12", f"{n:09d}", str(n), "0001")
    kind = Kind.BILL_READY_INVOICE if isinstance(message, BillReadyInvoice) else Kind.ENROLLMENT_REQUEST
    with store.unit_of_work() as uow:
        outcome = handlers(policy)[kind](message, Context(uow, calendar, at, at, UTILITY, source, BRIGHT))
        uow.commit()
    return outcome


def assert_valid_824(guide: GuideValidator, advice: Message) -> None:
    body = render(advice)
    segments = [Segment("ST", ("824", "0001")), *body, Segment("SE", (str(len(body) + 2), "0001"))]
    segments = [s._replace(pos=i) for i, s in enumerate(segments, start=1)]
    findings = guide.validate("AG", "004010", segments, ">")
    assert findings == [], [str(f) for f in findings]
    assert isinstance(parse(segments, None, kind=classify(segments)), ApplicationAdvice)


def test_the_registry_routes_810s_to_the_bill_ready_handler_with_the_configured_window(
        store: Store, calendar: Calendar) -> None:
    """Sent 10-20: five business days close the window on 10-27, ten on 11-03 (edi.toml [billing])."""
    sent_867(store, "2026-09-17T10:07", "2026-10-19T09:48", "2026-10-20T02:00")
    late = handle(store, calendar, original_810(), cpt("2026-10-28T09:00"))
    assert (late.result, late.code) == ("rejected", "A13")
    on_time = handle(store, calendar, original_810(), cpt("2026-10-28T09:00"), n=2, policy=BillReadyPolicy(10))
    assert (on_time.result, on_time.code) == ("accepted", None)


def test_the_sample_810_after_its_867_is_billed_with_its_source(store: Store, calendar: Calendar) -> None:
    usage_id = sent_867(store, "2026-09-17T10:07", "2026-10-19T09:48", "2026-10-20T02:00")
    invoice = original_810()
    outcome = handle(store, calendar, invoice, cpt("2026-10-21T08:00"))
    assert (outcome.result, outcome.code, outcome.outbound) == ("accepted", None, ())
    assert "50.67 on the bill of 2026-10-19" in outcome.note
    with store.unit_of_work() as uow:
        (stored,) = uow.bills.find_invoices()
        lines = uow.bills.lines(account_number="2000000029")
    assert (stored.status, stored.usage_report_id, stored.bill_date, stored.total) == (
        InvoiceStatus.ACCEPTED, usage_id, date(2026, 10, 19), Decimal("50.67"))
    assert (stored.source_file, stored.isa13, stored.gs06, stored.st02) == (
        "810_billready_original.x12", "000002106", "2106", "0001")
    assert [(x.code, x.amount, x.description, x.bill_date) for x in lines] == [
        ("ENC001", Decimal("45.67"), "SUPPLY CHARGE", date(2026, 10, 19)),
        ("MSC001", Decimal("5.00"), "MONTHLY SUPPLIER FEE", date(2026, 10, 19))]


def test_a_rejection_is_recorded_and_answered_by_an_824_our_maps_accept(
        store: Store, calendar: Calendar, guide: GuideValidator) -> None:
    sent_867(store, "2026-09-17T10:07", "2026-10-19T09:48", "2026-10-20T02:00")
    late = handle(store, calendar, original_810(), cpt("2026-10-28T09:00"))
    assert (late.result, late.code) == ("rejected", "A13")
    (out,) = late.outbound
    advice = out.message
    assert isinstance(advice, ApplicationAdvice) and out.receiver == BRIGHT
    assert (advice.reference, advice.original_reference, advice.original_group, advice.original_set) == (
        "UTL82420261028000001", "RESINV2026001024", "2106", "0001")
    assert advice.rejections[0].text == "LATE: THE BILL-READY WINDOW CLOSED 20261027"
    assert (advice.ldc_account, advice.res_account, advice.customer and advice.customer.name) == (
        "2000000029", "BRT-290029", "ROBERT T EXAMPLE")
    assert_valid_824(guide, advice)
    again = handle(store, calendar, dataclasses.replace(original_810(), number="RESINV2"), cpt("2026-10-28T09:05"))
    assert isinstance(again.outbound[0].message, ApplicationAdvice)
    assert again.outbound[0].message.reference == "UTL82420261028000002"
    with store.unit_of_work() as uow:
        rows = uow.bills.find_invoices()
        assert uow.bills.lines(account_number="2000000029") == []
    assert [(r.status, r.rejection_code, r.bill_date) for r in rows] == [
        (InvoiceStatus.REJECTED, "A13", None), (InvoiceStatus.REJECTED, "A13", None)]
    assert rows[0].rejection_text == "late: the bill-ready window closed 20261027"


def test_the_sample_cancel_reverses_its_original_and_keeps_the_history(
        store: Store, calendar: Calendar, guide: GuideValidator) -> None:
    sent_867(store, "2026-08-18T10:00", "2026-09-17T10:07", "2026-09-18T02:00")
    cancel = sample("810_billready_cancel.x12")
    assert isinstance(cancel, BillReadyInvoice) and cancel.purpose is Purpose.CANCELLATION
    original = dataclasses.replace(cancel, number="RESINV2026000911", purpose=Purpose.ORIGINAL, original_invoice=None,
                                   source=None)
    assert handle(store, calendar, original, cpt("2026-09-21T10:00"), n=7).result == "accepted"
    sent_867(store, "2026-09-17T10:07", "2026-10-19T09:48", "2026-10-20T02:00")
    outcome = handle(store, calendar, cancel, cpt("2026-10-20T08:10"))
    assert (outcome.result, outcome.code) == ("accepted", None)
    # The Sep 17 bill went out long ago; the Oct 19 bill still waits for RES charges (its 867 went out today).
    assert "-48.73 on the bill of 2026-10-19" in outcome.note
    with store.unit_of_work() as uow:
        first, second = uow.bills.find_invoices()
        lines = uow.bills.lines(account_number="2000000029")
    assert (first.status, second.status, second.cancels_id) == (
        InvoiceStatus.CANCELLED, InvoiceStatus.ACCEPTED, first.id)
    assert [(x.amount, x.bill_date, x.reverses_id) for x in lines] == [
        (Decimal("43.73"), date(2026, 9, 17), None), (Decimal("5.00"), date(2026, 9, 17), None),
        (Decimal("-43.73"), date(2026, 10, 19), lines[0].id), (Decimal("-5.00"), date(2026, 10, 19), lines[1].id)]
    twice = handle(store, calendar, dataclasses.replace(cancel, number="RESINV3", source=None), cpt("2026-10-21T08:00"))
    assert (twice.result, twice.code) == ("rejected", "ABN")
    assert_valid_824(guide, twice.outbound[0].message)


def test_an_enrollment_keeps_its_billing_option_for_later_810s(store: Store, calendar: Calendar) -> None:
    request = sample("814_enroll_request_billready.x12")
    assert isinstance(request, EnrollmentRequest)
    assert handle(store, calendar, request, cpt("2026-10-02T09:30")).result == "accepted"
    with store.unit_of_work() as uow:
        (row,) = uow.switching.find_requests(account_number="2000000011", kinds=[RequestKind.ENROLLMENT])
        assert row.status is RequestStatus.ACCEPTED
        assert uow.bills.enrollment_billing(row.id) == EnrollmentBilling(row.id, "LDC", "DUAL", None)
        # Recording again replaces, and a request from another transaction set is not touched.
        other = dataclasses.replace(request.source, st02="0002") if request.source else None
        assert other is not None and record_billing_option(uow, request, other) == 0
        assert record_billing_option(uow, dataclasses.replace(request, billing_type=None), request.source) == 1
        assert uow.bills.enrollment_billing(row.id) == EnrollmentBilling(row.id, None, "DUAL", None)


def test_a_dual_billing_enrollment_in_force_refuses_the_810(store: Store, calendar: Calendar) -> None:
    # Bright enrolls 2000000011 (DS1, group 05) on dual billing; it takes effect at the Nov 6 read.
    request = sample("814_enroll_request_billready.x12")
    assert isinstance(request, EnrollmentRequest)
    dual = dataclasses.replace(request, billing_type=None, calculator=None)
    assert handle(store, calendar, dual, cpt("2026-10-02T09:30")).result == "accepted"
    sent_867(store, "2026-11-06T09:00", "2026-12-07T09:00", "2026-12-08T02:00", point="7000000011")
    invoice = dataclasses.replace(original_810(), ldc_account="2000000011", service_point="7000000011",
                                  period=dataclasses.replace(original_810().period,  # type: ignore[type-var]
                                                             start=date(2026, 11, 6), end=date(2026, 12, 7)),
                                  source=None)
    outcome = handle(store, calendar, invoice, cpt("2026-12-08T10:00"), n=3)
    assert (outcome.result, outcome.code) == ("rejected", "A13")
    assert outcome.note == "7000000011 not enrolled bill-ready UCB/POR (BLT DUAL PC -)"


def test_values_holding_our_separators_are_not_echoed_into_the_824(
        store: Store, calendar: Calendar, guide: GuideValidator) -> None:
    # An 810 written with '!' as element separator may carry '*' in a value; our 824 uses '*'.
    odd = dataclasses.replace(original_810(), ldc_account="2000*29", res_account="BRT~1", source=None)
    outcome = handle(store, calendar, odd, cpt("2026-10-21T08:00"))
    assert outcome.code == "A76"
    advice = outcome.outbound[0].message
    assert isinstance(advice, ApplicationAdvice)
    assert (advice.ldc_account, advice.res_account) == ("2000 29", "BRT 1")
    assert_valid_824(guide, advice)


def test_a_cancel_numbered_as_its_original_reverses_it_once(store: Store, calendar: Calendar) -> None:
    sent_867(store, "2026-09-17T10:07", "2026-10-19T09:48", "2026-10-20T02:00")
    original = original_810()
    assert handle(store, calendar, original, cpt("2026-10-21T08:00")).result == "accepted"
    cancel = dataclasses.replace(original, purpose=Purpose.CANCELLATION, original_invoice=original.number, source=None)
    assert handle(store, calendar, cancel, cpt("2026-10-22T08:00"), n=2).result == "accepted"
    again = handle(store, calendar, cancel, cpt("2026-10-22T09:00"), n=3)
    assert (again.code, again.note) == ("ABN", "duplicate: invoice RESINV2026001024 was already received")
    with store.unit_of_work() as uow:
        assert sum(x.amount for x in uow.bills.lines(account_number="2000000029")) == 0
