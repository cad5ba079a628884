"""Read from the store what the bill-ready rules need about one inbound 810 (:class:`InvoiceFacts`)."""

from __future__ import annotations

from datetime import date

from edi.messages import BillReadyInvoice, Purpose
from processor.billing.facts import EnrollmentOption, InvoiceFacts, SentUsage, local_date
from processor.store.records import (
    Direction,
    Invoice,
    InvoiceStatus,
    RequestKind,
    RequestStatus,
    ServicePoint,
    UsageStatus,
)
from processor.store.unit_of_work import UnitOfWork

#: Enrollments that put a RES on a point: accepted (waiting for their date) or effective.
_STANDING = (RequestStatus.ACCEPTED, RequestStatus.EFFECTIVE)


def gather_facts(uow: UnitOfWork, invoice: BillReadyInvoice, utility_duns: str) -> InvoiceFacts:
    """The facts about ``invoice``: its RES, account, service point, 867s, enrollment and earlier invoices."""
    duns = (invoice.supplier.id or "").strip()
    supplier = uow.master.get_supplier(duns) if duns else None
    account = uow.master.get_account(invoice.ldc_account.strip())
    points = tuple(uow.master.service_points_of(account.account_number)) if account is not None else ()
    numbered = tuple(uow.bills.find_invoices(supplier=duns, number=invoice.number)) if duns else ()
    original = _original(uow, invoice, duns)
    original_usage = _usage_by_id(uow, original) if original is not None else None
    account_usage = _account_usage(uow, points) if original is not None else ()
    point_id = (invoice.service_point or "").strip() or (original.service_point_id if original else None)
    if not point_id or uow.master.get_service_point(point_id) is None:
        return InvoiceFacts(utility_duns, supplier, account, points, numbered=numbered, original=original,
                            original_usage=original_usage, account_usage=account_usage)
    usage = _standing_usage(uow, point_id)
    standing = tuple(i for i in uow.bills.find_invoices(supplier=duns, service_point_id=point_id,
                                                          statuses=[InvoiceStatus.ACCEPTED])
                     if i.purpose == Purpose.ORIGINAL.value) if duns else ()
    point_supplier: str | None = None
    enrollment: EnrollmentOption | None = None
    if invoice.period is not None:
        start = local_date(invoice.period.start)
        period = uow.switching.supplier_on(point_id, start)
        master = uow.master.get_service_point(point_id)
        point_supplier = period.supplier if period is not None else (master.supplier if master else None)
        enrollment = _enrollment(uow, duns, point_id, start) if duns else None
    return InvoiceFacts(utility_duns, supplier, account, points, usage, point_supplier, enrollment, numbered,
                        original, original_usage, standing, account_usage)


def _standing_usage(uow: UnitOfWork, point_id: str) -> tuple[SentUsage, ...]:
    """The 867s of the point that stand (sent originals, not cancelled), to any RES."""
    records = (r for r in uow.meter_data.usage_records(point_id) if r.status is UsageStatus.SENT)
    return tuple(u for u in (SentUsage.of(r) for r in records) if u is not None)


def _account_usage(uow: UnitOfWork, points: tuple[ServicePoint, ...]) -> tuple[SentUsage, ...]:
    return tuple(u for point in points for u in _standing_usage(uow, point.service_point_id))


def _original(uow: UnitOfWork, invoice: BillReadyInvoice, duns: str) -> Invoice | None:
    """A cancel's REF*OI invoice of this RES: the original accepted (or since cancelled), else the last refused."""
    number = (invoice.original_invoice or "").strip()
    if invoice.purpose is not Purpose.CANCELLATION or not number or not duns:
        return None
    found = uow.bills.find_invoices(supplier=duns, number=number)
    found = [i for i in found if i.purpose == Purpose.ORIGINAL.value] or found  # not a cancel that reused it
    kept = [i for i in found if i.status is not InvoiceStatus.REJECTED]
    chosen = kept or found
    return chosen[-1] if chosen else None


def _usage_by_id(uow: UnitOfWork, invoice: Invoice) -> SentUsage | None:
    if invoice.usage_report_id is None or invoice.service_point_id is None:
        return None
    for record in uow.meter_data.usage_records(invoice.service_point_id):
        if record.id == invoice.usage_report_id:
            return SentUsage.of(record)
    return None


def _enrollment(uow: UnitOfWork, duns: str, point_id: str, start: date) -> EnrollmentOption | None:
    """This RES's enrollment of the point in force at the period's start: the latest accepted or effective one
    dated on or before it (tariff 10.B(3): effective on the scheduled read date that starts the period)."""
    rows = uow.switching.find_requests(supplier=duns, service_point_id=point_id, kinds=[RequestKind.ENROLLMENT],
                                       statuses=_STANDING, direction=Direction.INBOUND)
    dated = [r for r in rows if r.effective_date is not None and r.effective_date <= start]
    if not dated:
        return None
    chosen = max(dated, key=lambda r: (r.effective_date, r.id))
    return EnrollmentOption(chosen.request_ref, chosen.effective_date, uow.bills.enrollment_billing(chosen.id))
