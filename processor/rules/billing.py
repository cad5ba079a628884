"""Which billing option an enrollment may ask for (REF*BLT billing type, REF*PC bill calculator)."""

from __future__ import annotations

from collections.abc import Sequence

from edi.messages import BillCalculator, BillingType, EnrollmentRequest, RejectionCode
from processor.rules.market import UCB_POR_CLASSES
from processor.rules.verdict import Rejected
from processor.store.records import Sbo, ServicePoint, Supplier, UcbPor

_BILL_READY = frozenset({UcbPor.BILL_READY, UcbPor.BOTH})
_RATE_READY = frozenset({UcbPor.RATE_READY, UcbPor.BOTH})


def check_billing(request: EnrollmentRequest, supplier: Supplier, points: Sequence[ServicePoint]) -> Rejected | None:
    """``FRB`` "incorrect billing option requested" (spec 3.1), ``API`` when UCB/POR lacks its calculator.

    - Dual billing (``BLT`` DUAL or absent) is always allowed: FAQ, "Each RES that registers with Ameren
      is required – at minimum – to have the ability to utilize dual billing". Rate-ready (``PC`` LDC,
      the utility calculates) exists only on the utility's consolidated bill, so DUAL + LDC is FRB.
    - Supplier consolidated billing (``BLT`` ESP) needs the RES's SBO agreement: tariff 3.C, "dependent
      on whether the RES has registered with the Company to offer the Single Billing Option (SBO)".
    - UCB/POR (``BLT`` LDC): FAQ, "UCB/POR may only be utilized on accounts that contain one or more of
      only the following types of service points: DS1, DS2, DS3A, and/or DS5", and "In the UCB/POR Billing
      Services Agreement … the RES must choose to use either one or both of these types": ``PC`` DUAL
      (bill-ready) needs bill_ready or both, ``PC`` LDC (rate-ready) needs rate_ready or both.
    Eligibility is the account's, whichever points the request names ("accounts that contain …").
    """
    billing, calculator = request.billing_type, request.calculator
    if billing is None or billing is BillingType.DUAL:
        if calculator is BillCalculator.LDC:
            return Rejected(RejectionCode.BILLING_OPTION, "rate-ready (PC LDC) is only offered with UCB/POR (BLT LDC)")
        return None
    if billing is BillingType.ESP:
        if supplier.sbo is Sbo.NONE:
            return Rejected(RejectionCode.BILLING_OPTION, "supplier has no Single Billing Option agreement (3.C)")
        if calculator is BillCalculator.LDC:
            return Rejected(RejectionCode.BILLING_OPTION, "supplier consolidated billing cannot be rate-ready (PC LDC)")
        return None
    if calculator is None:
        return Rejected(RejectionCode.MISSING_INFORMATION, "UCB/POR (BLT LDC) needs PC DUAL or PC LDC")
    for sp in points:
        if sp.rate_class not in UCB_POR_CLASSES:
            return Rejected(
                RejectionCode.BILLING_OPTION,
                f"no UCB/POR: service point {sp.service_point_id} is {sp.rate_class} (DS1 DS2 DS3A DS5 only)",
            )
    if calculator is BillCalculator.DUAL and supplier.ucb_por not in _BILL_READY:
        return Rejected(RejectionCode.BILLING_OPTION, "supplier has no bill-ready UCB/POR agreement (FAQ, UCB/POR)")
    if calculator is BillCalculator.LDC and supplier.ucb_por not in _RATE_READY:
        return Rejected(RejectionCode.BILLING_OPTION, "supplier has no rate-ready UCB/POR agreement (FAQ, UCB/POR)")
    return None
