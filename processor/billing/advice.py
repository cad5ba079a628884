"""The 824 that rejects an 810 bill-ready invoice (spec 2.9). Pure.

``BGN*00`` with the utility's own BGN02 (spec Q14); the 810's parties with the utility as submitter (N106 41)
and the RES as receiver (40); REF*12, REF*11 and REF*45 echoed; ``OTI*TR*TN*<BIG02>`` with the rejected set's
GS06, ST02 and ST01 (OTI08-OTI10); one ``TED*<code>*<text>`` (spec 2.9: for an IL 810 BR reject one of 008,
A13, A76, ABN, API, UND).
"""

from __future__ import annotations

from dataclasses import replace

from edi.messages import AdviceStatus, ApplicationAdvice, BillReadyInvoice, Party, Purpose
from processor.billing.verdict import Refused
from processor.handlers.responses import Letterhead, echo_customer, echo_supplier

#: OTI02: the reference in OTI03 is a transaction reference number (spec 2.9).
TRANSACTION_REFERENCE = "TN"
#: The separators of the files we write (spec 1.1): an 810 written with other separators may carry them in a
#: value, which our 824 cannot echo as it is.
_SEPARATORS = str.maketrans({"*": " ", "~": " ", ">": " ", "^": " ", "|": " "})


def rejection_advice(invoice: BillReadyInvoice, refused: Refused, head: Letterhead) -> ApplicationAdvice:
    """The 824 (``OTI*TR``) answering ``invoice`` with ``refused``."""
    source = invoice.source
    customer = echo_customer(invoice.customer)
    return ApplicationAdvice(
        purpose=Purpose.ORIGINAL,
        reference=head.reference,
        created=head.created,
        utility=head.party,
        supplier=_party(echo_supplier(invoice.supplier)),
        customer=None if customer is None else _party(customer),
        ldc_account=_clean(invoice.ldc_account.strip()) or None,
        res_account=_maybe(invoice.res_account),
        old_account=_maybe(invoice.old_account),
        status=AdviceStatus.REJECTED,
        reference_qualifier=TRANSACTION_REFERENCE,
        original_reference=_clean(invoice.number),
        original_group=None if source is None else source.gs06,
        original_set=None if source is None else source.st02,
        original_set_id="810",
        rejections=(refused.as_rejection(),),
    )


def _clean(value: str) -> str:
    """``value`` without our separators (each becomes a space), so that echoing it cannot break the 824."""
    return value.translate(_SEPARATORS)


def _maybe(value: str | None) -> str | None:
    return None if value is None else _clean(value)


def _party(party: Party) -> Party:
    return replace(party, name=_maybe(party.name), id=_maybe(party.id))
