"""The bill-ready rules: is an inbound 810 billed, does a cancel reverse, or is it refused with an 824?

Pure functions of (invoice, facts, calendar, receipt time, policy) → :data:`InvoiceVerdict`; nothing here
reads the clock or the store. The checks run in the order of the spec's code table, as the 814 rules do
(:mod:`processor.rules.checks`: UND, ABN, API, A76, 008), then the billing checks, all ``A13`` "other
(explain)" with their reason, except the service period (``API``, as spec 5.5's example answers it):

=====  ====================================================================================================
UND    N1*SJ N104 is not a registered RES; N1*8S N104 is not this utility (spec 3.1 "DUNS/DUNS+4 in N104
       not recognised")
ABN    BIG02 already received from this RES (spec 2.8 "duplicate BIG02 → ABN")
API    no REF*LU, no DTM*150/151, no SAC charge or allowance; a cancel without REF*OI
A76    REF*12 not an account; REF*LU not a service point of it
008    the account is inactive (a finaled account still gets its final bill, so it is not refused)
A13    TDS01 is not Σ SAC05 of the charges less the allowances (spec 2.8 "mismatch → API or A13")
A13    the account has a DS3B or DS4 service point (FAQ: "If an account contains a DS3B or a DS4 service
       point, then it is not eligible to be billed via UCB/POR")
A13    the RES has no bill-ready UCB/POR agreement (FAQ: "the RES must choose to use either one or both of
       these types of UCB/POR")
A13    the service point's 867 for the period went to another RES, or the RES does not supply the point
A13    the RES's enrollment of the point asked for another billing option than BLT LDC + PC DUAL
API    no 867 sent to this RES for the service point has the 810's service period ("SERVICE PERIOD DOES NOT
       MATCH 867", spec 5.5)
ABN    the service period is already billed by an earlier invoice that stands (cancel it first)
A13    received after the bill-ready window closed (spec 2.8 "If the 810 is late, the bill goes out without
       RES charges")
=====  ====================================================================================================

A cancel (BIG08 ``01``) goes through UND, ABN, API (REF*OI), A76, 008 and the sum, then needs an original of
this RES that was accepted (``A13`` when unknown or rejected, ``ABN`` when already cancelled) for the same
account, service point and period (``A13``). It is not held to the window: reversing a charge is always
possible; where the reversal is printed is :func:`cancel_bill_date`.
"""

from __future__ import annotations

from datetime import date, datetime

from edi.messages import BillCalculator, BillingType, BillReadyInvoice, ChargeIndicator, Purpose, RejectionCode
from processor.billing.facts import InvoiceFacts, SentUsage, local_date
from processor.billing.lines import billed
from processor.billing.policy import BillReadyPolicy
from processor.billing.verdict import Billed, InvoiceVerdict, Refused, Reversed
from processor.calendar import Calendar
from processor.rules.market import UCB_POR_CLASSES
from processor.store.records import (
    Account,
    AccountStatus,
    EnrollmentBilling,
    Invoice,
    InvoiceStatus,
    ServicePoint,
    UcbPor,
)

#: FAQ: "the RES must choose to use either one or both of these types of UCB/POR" (Bill Ready, Rate Ready).
BILL_READY_AGREEMENTS = frozenset({UcbPor.BILL_READY, UcbPor.BOTH})

UND, ABN, API = RejectionCode.UNKNOWN_DUNS, RejectionCode.DUPLICATE, RejectionCode.MISSING_INFORMATION
A76, INACTIVE, A13 = RejectionCode.ACCOUNT_NOT_FOUND, RejectionCode.ACCOUNT_INACTIVE, RejectionCode.OTHER


def judge_invoice(
    invoice: BillReadyInvoice,
    facts: InvoiceFacts,
    calendar: Calendar,
    received_at: datetime,
    policy: BillReadyPolicy,
) -> InvoiceVerdict:
    """Bill an original, reverse a cancel, or refuse either (see the module docstring for the order)."""
    first = check_parties(invoice, facts) or check_number(invoice, facts) or check_required(invoice)
    if first is not None:
        return first
    account = check_account(invoice, facts)
    if isinstance(account, Refused):
        return account
    refused = check_total(invoice)
    if refused is not None:
        return refused
    received = calendar.received_date(received_at)
    if invoice.purpose is Purpose.CANCELLATION:
        return judge_cancel(invoice, facts, account, calendar, received, policy)
    return judge_original(invoice, facts, account, calendar, received, policy)


# ------------------------------------------------------------------------------ first checks


def check_parties(invoice: BillReadyInvoice, facts: InvoiceFacts) -> Refused | None:
    """``UND``: the RES (N1*SJ) is not registered, or the 810 is addressed to another utility (N1*8S)."""
    duns = (invoice.supplier.id or "").strip()
    if not duns:
        return Refused(UND, "supplier N1 SJ has no DUNS in N104")
    if facts.supplier is None:
        return Refused(UND, f"supplier DUNS {duns} is not registered")
    addressed = (invoice.utility.id or "").strip()
    if addressed and addressed[:9] != facts.utility_duns[:9]:  # a DUNS+4 of our DUNS is us
        return Refused(UND, f"utility DUNS {addressed} in N1 8S is not {facts.utility_duns}")
    return None


def check_number(invoice: BillReadyInvoice, facts: InvoiceFacts) -> Refused | None:
    """``ABN``: spec 2.8, BIG02 is the "invoice number (unique …)"; "duplicate BIG02 → ABN". A number refused
    before may come again (the RES corrects and resends); one that was accepted (and maybe cancelled) may not,
    except by the cancel of that very invoice (BIG02 = REF*OI: some RESs number a cancel as its original)."""
    cancels = (invoice.original_invoice or "").strip() if invoice.purpose is Purpose.CANCELLATION else None
    for earlier in facts.numbered:
        if earlier.status is InvoiceStatus.REJECTED:
            continue
        if earlier.number == cancels and earlier.purpose == Purpose.ORIGINAL.value:
            continue  # judged as a cancel: already cancelled is ABN there
        return Refused(ABN, f"duplicate: invoice {invoice.number} was already received")
    return None


def check_required(invoice: BillReadyInvoice) -> Refused | None:
    """``API`` "required information missing" (spec 3.1): what the guide leaves optional but billing needs.

    An original needs its service point (FAQ: "the RES must return an EDI 810 transaction to Ameren for each
    service point"; spec Q10: REF*LU), its service period (DTM*150/151, spec 2.8) and at least one charge or
    allowance; a cancel needs the number it cancels (REF*OI, spec 2.8 "must match a prior 810").
    """
    if invoice.purpose is Purpose.CANCELLATION:
        if not (invoice.original_invoice or "").strip():
            return Refused(API, "cancel without the original invoice number (REF OI)")
        return None
    if not (invoice.service_point or "").strip():
        return Refused(API, "service point (REF LU) missing")
    if invoice.period is None:
        return Refused(API, "service period (DTM 150 and 151) missing")
    if not any(c.indicator is not ChargeIndicator.INFORMATION for c in invoice.charges):
        return Refused(API, "no charge or allowance (SAC C or A)")
    return None


def check_account(invoice: BillReadyInvoice, facts: InvoiceFacts) -> Account | Refused:
    """``A76`` account not found; ``008`` account exists but is not active (spec 3.1).

    Only an *inactive* account is ``008``: a finaled account still gets its final bill, and the RES's charges
    for the final 867 (BPT07 F) belong on it.
    """
    account = facts.account
    if account is None:
        return Refused(A76, f"account {invoice.ldc_account.strip()} not found")
    if account.status is AccountStatus.INACTIVE:
        return Refused(INACTIVE, f"account {account.account_number} is inactive")
    return account


def check_total(invoice: BillReadyInvoice) -> Refused | None:
    """``A13``: TDS01 "must equal Σ SAC05 where SAC01 ∈ {C, A} (A negative)" (spec 2.8). Nothing is billed
    from an invoice that does not add up: the customer would see a total the RES did not mean."""
    total = billed(invoice.charges)
    if total != invoice.total:
        return Refused(A13, f"total {invoice.total:.2f} is not charges less allowances {total:.2f}")
    return None


# ---------------------------------------------------------------------------------- originals


def judge_original(
    invoice: BillReadyInvoice,
    facts: InvoiceFacts,
    account: Account,
    calendar: Calendar,
    received: date,
    policy: BillReadyPolicy,
) -> InvoiceVerdict:
    """An original (BIG08 00): the point, UCB/POR eligibility, agreement, supplier, billing option, 867, window."""
    assert invoice.period is not None and invoice.service_point is not None  # check_required
    duns = (invoice.supplier.id or "").strip()
    point = check_point(invoice.service_point.strip(), account, facts.account_points)
    if isinstance(point, Refused):
        return point
    refused = check_eligible(account, facts.account_points) or check_agreement(facts)
    if refused is not None:
        return refused
    period = (local_date(invoice.period.start), local_date(invoice.period.end))
    matching = [u for u in facts.usage if (u.start, u.end) == period]
    mine = [u for u in matching if u.supplier == duns]
    if not mine:
        refused = check_supplier_of_point(point, duns, matching, facts)
        if refused is not None:
            return refused
    refused = check_billing_option(point, facts)
    if refused is not None:
        return refused
    if not mine:
        return Refused(API, "service period does not match 867" + _nearest(period, facts.usage, duns))
    usage = mine[-1]
    for earlier in facts.standing:
        if (earlier.period_start, earlier.period_end) == period:
            return Refused(ABN, f"period already billed by invoice {earlier.number}; cancel it first")
    closes = policy.window_closes(calendar, usage.sent_at)
    if received > closes:
        return Refused(A13, f"late: the bill-ready window closed {closes:%Y%m%d}")
    return Billed(usage=usage, bill_date=usage.end, window_closes=closes)


def check_point(service_point: str, account: Account, points: tuple[ServicePoint, ...]) -> ServicePoint | Refused:
    """``A76``: the service point is not one of the account's (as 814 rule 5 of :mod:`processor.rules`)."""
    for point in points:
        if point.service_point_id == service_point:
            return point
    return Refused(A76, f"service point {service_point} not on account {account.account_number}")


def check_eligible(account: Account, points: tuple[ServicePoint, ...]) -> Refused | None:
    """``A13``: FAQ, "UCB/POR may only be utilized on accounts that contain one or more of only the following
    types of service points: DS1, DS2, DS3A, and/or DS5. If an account contains a DS3B or a DS4 service point,
    then it is not eligible to be billed via UCB/POR." Eligibility is the account's, whichever point is billed."""
    for point in points:
        if point.rate_class not in UCB_POR_CLASSES:
            return Refused(A13, f"account not UCB/POR eligible: {point.service_point_id} is {point.rate_class}")
    return None


def check_agreement(facts: InvoiceFacts) -> Refused | None:
    """``A13``: FAQ, "In the UCB/POR Billing Services Agreement … the RES must choose to use either one or both
    of these types of UCB/POR" — a bill-ready 810 needs bill_ready or both."""
    assert facts.supplier is not None  # check_parties
    if facts.supplier.ucb_por not in BILL_READY_AGREEMENTS:
        return Refused(A13, "RES has no bill-ready UCB/POR agreement")
    return None


def check_supplier_of_point(
    point: ServicePoint, duns: str, matching: list[SentUsage], facts: InvoiceFacts
) -> Refused | None:
    """``A13``: the RES bills only the service points it supplies. The 867 of the period is the proof: when it
    went to another RES, or when no 867 ever went to this RES and the point's supplier is someone else, the
    point is not this RES's to bill. (The other RES is never named: the 824 goes to this one.)"""
    if matching:
        return Refused(A13, f"{point.service_point_id} was supplied by another RES in the period")
    if facts.point_supplier != duns and not any(u.supplier == duns for u in facts.usage):
        return Refused(A13, f"service point {point.service_point_id} not supplied by this RES")
    return None


def check_billing_option(point: ServicePoint, facts: InvoiceFacts) -> Refused | None:
    """``A13`` unless the point is billed bill-ready UCB/POR: spec 2.0, REF*BLT ``LDC`` "utility consolidated
    bill" with REF*PC ``DUAL`` "each party calculates its part = bill-ready". The enrollment's own REF*BLT and
    REF*PC decide (no REF*BLT is dual billing); a point supplied without an enrollment on record (the master
    data, a utility-initiated enrollment) is taken as billed the way the RES's agreement allows, which
    :func:`check_agreement` has found to be bill-ready."""
    option = None if facts.enrollment is None else facts.enrollment.billing
    if option is None or is_bill_ready(option):
        return None
    billing = option.billing_type or "DUAL"
    calculator = option.calculator or "-"
    return Refused(A13, f"{point.service_point_id} not enrolled bill-ready UCB/POR (BLT {billing} PC {calculator})")


def is_bill_ready(option: EnrollmentBilling) -> bool:
    """REF*BLT LDC and REF*PC DUAL: the utility's consolidated bill with the RES's own charges (spec 2.0)."""
    return option.billing_type == BillingType.LDC.value and option.calculator == BillCalculator.DUAL.value


def _nearest(period: tuple[date, date], usage: tuple[SentUsage, ...], duns: str) -> str:
    """`` (867 START-END)``: the RES's 867 whose end is nearest the 810's, to show what would have matched."""
    mine = [u for u in usage if u.supplier == duns]
    if not mine:
        return " (no 867 sent)"
    near = min(mine, key=lambda u: (abs((u.end - period[1]).days), -u.id))
    return f" (867 {near.start:%Y%m%d}-{near.end:%Y%m%d})"


# ------------------------------------------------------------------------------------ cancels


def judge_cancel(
    invoice: BillReadyInvoice,
    facts: InvoiceFacts,
    account: Account,
    calendar: Calendar,
    received: date,
    policy: BillReadyPolicy,
) -> InvoiceVerdict:
    """A cancel (BIG08 01, REF*OI): spec 2.8 "REF*OI original invoice number (on a cancel) — must match a prior
    810". It reverses that invoice's lines whole, whatever amounts the cancel repeats."""
    number = (invoice.original_invoice or "").strip()
    original = facts.original
    if original is None:
        return Refused(A13, f"original invoice {number} not found")
    if original.purpose != Purpose.ORIGINAL.value:
        return Refused(A13, f"invoice {number} is itself a cancel")
    if original.status is InvoiceStatus.REJECTED:
        return Refused(A13, f"invoice {number} was rejected; nothing to cancel")
    if original.status is InvoiceStatus.CANCELLED:
        return Refused(ABN, f"duplicate: invoice {number} is already cancelled")
    if original.account_number != account.account_number:
        return Refused(A13, f"invoice {number} is for another account")
    point = (invoice.service_point or "").strip()
    if point and point != original.service_point_id:
        return Refused(A13, f"invoice {number} is for another service point")
    if invoice.period is not None:
        period = (local_date(invoice.period.start), local_date(invoice.period.end))
        if period != (original.period_start, original.period_end):
            return Refused(A13, f"invoice {number} is for another service period")
    return Reversed(original=original, bill_date=cancel_bill_date(original, facts, account, calendar, received,
                                                                  policy))


def cancel_bill_date(
    original: Invoice,
    facts: InvoiceFacts,
    account: Account,
    calendar: Calendar,
    received: date,
    policy: BillReadyPolicy,
) -> date | None:
    """Where a reversal is printed: on the account's next consolidated bill, the first of its bills that has not
    gone out when the cancel counts as received. A bill waits for RES charges until the bill-ready window of its
    867s closes (spec 2.8, "If the 810 is late, the bill goes out without RES charges"), so that is the
    original's bill while its window is open, else the bill of the account's latest read whose 867 window is
    still open, else the bill of the next scheduled read of its bill group (None when none is scheduled)."""
    usage = facts.original_usage
    if usage is not None and original.bill_date is not None and received <= policy.window_closes(calendar,
                                                                                                 usage.sent_at):
        return original.bill_date
    held = [u.end for u in facts.account_usage
            if u.end <= received <= policy.window_closes(calendar, u.sent_at)]
    if held:
        return max(held)
    return calendar.next_scheduled_read(account.bill_group, received)
