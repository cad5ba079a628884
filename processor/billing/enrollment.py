"""Keep the billing option an 814 enrollment asked for, so that a later 810 can be judged against it.

FAQ: "In the UCB/POR Billing Services Agreement … the RES must choose to use either one or both of these
types of UCB/POR"; the choice for an account travels on the enrollment as REF*BLT (billing type) and REF*PC
(bill calculator), spec 2.1. The 814 handler calls :func:`record_billing_option` after recording the request.
"""

from __future__ import annotations

from collections.abc import Sequence

from edi.messages import EnrollmentRequest, SourceRef
from processor.store.records import Direction, EnrollmentBilling, RequestKind, SwitchRequest
from processor.store.unit_of_work import UnitOfWork


def record_billing_option(uow: UnitOfWork, request: EnrollmentRequest, source: SourceRef, *,
                          rows: Sequence[SwitchRequest] | None = None) -> int:
    """Keep REF*BLT, REF*PC and REF*9V beside every switch request row ``request`` just became; returns how many.

    The rows are found by the RES, BGN02 and LIN01 and the transaction set they came in (ISA13, GS06, ST02),
    so an earlier request that reused the BGN02 (a duplicate, ``ABN``) is not touched. A handler that has
    the rows it just recorded passes them as ``rows`` and saves the query (one per 814 in a batch).
    """
    if rows is None:
        rows = uow.switching.find_requests(supplier=(request.supplier.id or "").strip()[:13],
                                           request_ref=request.reference[:50], kinds=[RequestKind.ENROLLMENT],
                                           direction=Direction.INBOUND)
    mine = [r for r in rows if r.kind is RequestKind.ENROLLMENT and r.direction is Direction.INBOUND
            and r.line_ref == request.line_id[:30]
            and (r.isa13, r.gs06, r.st02) == (source.isa13, source.gs06, source.st02)]
    for row in mine:
        uow.bills.record_enrollment_billing(EnrollmentBilling(
            request_id=row.id,
            billing_type=None if request.billing_type is None else request.billing_type.value,
            calculator=None if request.calculator is None else request.calculator.value,
            payment_option=None if request.payment_option is None else request.payment_option[:30],
        ))
    return len(mine)
