"""Handlers: from a canonical inbound message to state changes and outbound messages.

:func:`handlers` is the registry the composition root gives the batch: one handler per inbound kind.
The 814 requests a RES sends are judged by the tariff's rules (:mod:`processor.handlers.switching`);
the RES's answers to the utility's own 814s are recorded; 997s and 824s are kept on record. A kind
missing here (an 814 only the utility sends, an 867) is answered by its 997 only.
"""

from __future__ import annotations

from collections.abc import Mapping

from edi.classify import Kind
from processor.billing.handler import invoice_handler
from processor.billing.policy import BillReadyPolicy
from processor.handlers.base import Context, Handler, Outbound, Outcome, record_only
from processor.handlers.effectuation import effectuate_pending
from processor.handlers.switching import (
    handle_drop,
    handle_drop_cancel,
    handle_drop_response,
    handle_enrollment,
    handle_reinstatement_response,
    handle_rescission,
    handle_rescission_response,
)

__all__ = ["Context", "Handler", "Outbound", "Outcome", "effectuate_pending", "handlers"]


def handlers(billing: BillReadyPolicy | None = None) -> Mapping[Kind, Handler]:
    """The handler of each inbound kind; kinds missing here are answered by their 997 only.

    ``billing`` is the configured bill-ready window (default :class:`BillReadyPolicy`)."""
    return {
        Kind.ENROLLMENT_REQUEST: handle_enrollment,
        Kind.DROP_REQUEST: handle_drop,
        Kind.RESCISSION_REQUEST: handle_rescission,
        Kind.DROP_CANCEL_REQUEST: handle_drop_cancel,
        Kind.REINSTATEMENT_RESPONSE: handle_reinstatement_response,
        Kind.DROP_RESPONSE: handle_drop_response,
        Kind.RESCISSION_RESPONSE: handle_rescission_response,
        Kind.FUNCTIONAL_ACK: record_only,
        Kind.APPLICATION_ADVICE: record_only,
        Kind.BILL_READY_INVOICE: invoice_handler(billing or BillReadyPolicy()),
    }
