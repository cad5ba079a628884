"""The 810 bill-ready handler: judge the invoice, record it, bill or reverse its lines, or answer with an 824.

Inside the batch's unit of work (so the invoice, its bill lines and its 824 commit together, or none does):

1. **gather** the facts (:func:`processor.billing.gather.gather_facts`) and **judge** with the pure rules
   (:func:`processor.billing.rules.judge_invoice`) *before* recording, so an invoice is not its own duplicate;
2. **record** the invoice in ``invoices`` whatever the verdict, with its source (file, ISA13, GS06, ST02);
3. **bill**: an accepted original adds one bill line per SAC to the bill of its 867's read; an accepted
   cancel adds the negation of the original's lines and marks the original cancelled (its lines stay);
4. **answer** a refusal with an 824 (``OTI*TR*TN*<BIG02>``, ``TED``) to the sender. The batch sends the 997.
"""

from __future__ import annotations

from edi.messages import BillReadyInvoice, Message, Purpose
from processor.billing.advice import rejection_advice
from processor.billing.facts import local_date
from processor.billing.gather import gather_facts
from processor.billing.lines import bill_total, lines_of, reversal_of
from processor.billing.policy import BillReadyPolicy
from processor.billing.rules import judge_invoice
from processor.billing.verdict import Billed, InvoiceVerdict, Refused, Reversed
from processor.handlers.base import Context, Handler, Outbound, Outcome
from processor.handlers.responses import Letterhead
from processor.store.records import Invoice, InvoiceStatus, NewInvoice

#: BGN02 of the utility's 824s: prefix, creation date and a counter (spec 5.5's ``UTL824000001`` shape).
REFERENCE_PREFIX = "UTL824"


def invoice_handler(policy: BillReadyPolicy) -> Handler:
    """The handler of inbound 810s under ``policy`` (the bill-ready window)."""

    def handle(message: Message, ctx: Context) -> Outcome:
        """810 bill-ready invoice (spec 2.8): billed, reversed (BIG08 01), or rejected with an 824."""
        if not isinstance(message, BillReadyInvoice):
            raise TypeError(f"expected BillReadyInvoice, got {type(message).__name__}")
        return settle_invoice(message, ctx, policy)

    return handle


def settle_invoice(invoice: BillReadyInvoice, ctx: Context, policy: BillReadyPolicy) -> Outcome:
    """Judge, record, bill or reverse, or answer with an 824."""
    facts = gather_facts(ctx.uow, invoice, ctx.utility.duns)
    verdict = judge_invoice(invoice, facts, ctx.calendar, ctx.received_at, policy)
    stored = record_invoice(invoice, verdict, ctx)
    match verdict:
        case Refused():
            advice = rejection_advice(invoice, verdict, letterhead(ctx))
            return Outcome("rejected", str(verdict.code), (Outbound(ctx.sender, advice),), verdict.text)
        case Billed():
            assert invoice.period is not None and invoice.service_point is not None
            lines = ctx.uow.bills.add_lines(lines_of(
                invoice, invoice_id=stored.id, service_point_id=invoice.service_point.strip(),
                supplier=stored.supplier, period=(local_date(invoice.period.start), local_date(invoice.period.end)),
                bill_date=verdict.bill_date, at=ctx.now))
            return Outcome("accepted", note=f"invoice {invoice.number}: {bill_total(lines):.2f} on the bill of "
                                            f"{verdict.bill_date} (867 {verdict.usage.reference})")
        case Reversed():
            original = verdict.original
            reversal = ctx.uow.bills.add_lines(reversal_of(
                ctx.uow.bills.lines(invoice_id=original.id), invoice_id=stored.id, bill_date=verdict.bill_date,
                at=ctx.now))
            ctx.uow.bills.set_invoice_status(original.id, InvoiceStatus.CANCELLED, at=ctx.now)
            where = "the next bill" if verdict.bill_date is None else f"the bill of {verdict.bill_date}"
            return Outcome("accepted", note=f"invoice {original.number} cancelled by {invoice.number}: "
                                            f"{bill_total(reversal):.2f} on {where}")


def record_invoice(invoice: BillReadyInvoice, verdict: InvoiceVerdict, ctx: Context) -> Invoice:
    """One ``invoices`` row for the 810, whatever the verdict."""
    period = invoice.period
    source = ctx.source
    refused = verdict if isinstance(verdict, Refused) else None
    point = (invoice.service_point or "").strip() or None
    if isinstance(verdict, Reversed):
        point = point or verdict.original.service_point_id
    return ctx.uow.bills.add_invoice(NewInvoice(
        supplier=(invoice.supplier.id or "").strip()[:13],
        number=invoice.number[:30],
        invoice_date=invoice.invoice_date,
        purpose=Purpose.CANCELLATION.value if invoice.purpose is Purpose.CANCELLATION else Purpose.ORIGINAL.value,
        account_number=invoice.ldc_account.strip()[:30],
        total=invoice.total,
        received_at=ctx.received_at,
        status=InvoiceStatus.REJECTED if refused is not None else InvoiceStatus.ACCEPTED,
        original_number=None if invoice.original_invoice is None else invoice.original_invoice.strip()[:30],
        service_point_id=None if point is None else point[:30],
        period_start=None if period is None else local_date(period.start),
        period_end=None if period is None else local_date(period.end),
        rejection_code=None if refused is None else str(refused.code),
        rejection_text=None if refused is None else refused.text,
        usage_report_id=verdict.usage.id if isinstance(verdict, Billed) else None,
        cancels_id=verdict.original.id if isinstance(verdict, Reversed) else None,
        bill_date=verdict.bill_date if isinstance(verdict, Billed | Reversed) else None,
        source_file=source.file[:255],
        isa13=source.isa13,
        gs06=source.gs06,
        st02=source.st02,
    ))


def letterhead(ctx: Context) -> Letterhead:
    """The next BGN02 of the utility's 824s, numbered inside the handler's transaction (never reused)."""
    created = ctx.now.astimezone(ctx.calendar.zone).date()
    n = ctx.uow.control_numbers.next(f"BGN02:824:{ctx.utility.duns}")
    return Letterhead(ctx.utility, f"{REFERENCE_PREFIX}{created:%Y%m%d}{n:06d}", created)


#: The registered handler: the default bill-ready window (:class:`BillReadyPolicy`).
handle_invoice: Handler = invoice_handler(BillReadyPolicy())
