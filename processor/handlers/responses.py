"""From a verdict and the request it judged to the canonical 814s the utility sends. Pure functions.

Spec 2.2 (and 2.5 for drops and cancels): a response echoes the request's BGN02 in BGN06, its LIN01, its
REF*11/REF*12 and the N1 parties, with the utility as submitter (N106 ``41``) and the RES as receiver
(``40``); ``ASI*WQ`` accepts with the tariff's date, ``ASI*U`` rejects with ``REF*7G*code*text`` (the
rules' :attr:`Rejected.ref03`, at most 80 characters without separators). The utility's own 814s (spec
2.3, 2.4 uses 1 and 3, 2.6) are built from the rules' notices. Nothing here numbers, reads or writes: the
handler gives each message its BGN02, and the batch renders it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from edi.messages import (
    AccountAttributes,
    DropCancelRequest,
    DropCancelResponse,
    DropRequest,
    DropResponse,
    EnrollmentRequest,
    EnrollmentResponse,
    EntityCode,
    IdQualifier,
    Message,
    Party,
    Reinstatement,
    RescissionRequest,
    RescissionResponse,
    StatusCode,
    UtilityInitiatedEnrollment,
)
from edi.messages import Relationship as Role
from processor.config import Utility
from processor.rules import (
    Accepted,
    DropNotice,
    EnrollmentNotice,
    ReinstatementNotice,
    Rejected,
    RescissionNotice,
    Verdict,
)
from processor.rules import Outbound as Notice
from processor.rules.dates import END_OF_DAY
from processor.store.records import Account, Meter, ServicePoint, Supplier

#: DUNS+4 is 13 characters (N103 ``9``); a DUNS is 9 (N103 ``1``), spec 2.0 N1 table.
_DUNS_PLUS_4 = 13

Request = EnrollmentRequest | DropRequest | RescissionRequest | DropCancelRequest
"""The RES requests the utility answers."""


@dataclass(frozen=True, slots=True)
class Letterhead:
    """What every 814 the utility writes carries: who we are, the message's own BGN02, and the date."""

    utility: Utility
    reference: str  #: BGN02 of the message being written (unique over time, spec 2.0); also LIN01 of a notice
    created: date  #: BGN03: the run's date in Central Prevailing Time

    @property
    def party(self) -> Party:
        """N1*8S: the utility, the submitter (N106 ``41``)."""
        return Party(EntityCode.UTILITY, self.utility.name, qualifier(self.utility.duns), self.utility.duns,
                     relationship=Role.SUBMITTER)


def qualifier(duns: str) -> IdQualifier:
    """N103 for a DUNS (``1``) or a DUNS+4 (``9``)."""
    return IdQualifier.DUNS_PLUS_4 if len(duns) == _DUNS_PLUS_4 else IdQualifier.DUNS


# ------------------------------------------------------------------------------------- parties


def echo_supplier(party: Party) -> Party:
    """The request's N1*SJ, now as receiver (N106 ``40``): echoed as sent, even an unknown DUNS (``UND``)."""
    return Party(EntityCode.SUPPLIER, party.name, party.id_qualifier, party.id, relationship=Role.RECEIVER)


def echo_customer(party: Party | None) -> Party | None:
    """The request's N1*8R name only: the samples' responses (5.2) repeat no address or contact."""
    if party is None or not party.name:
        return None
    return Party(EntityCode.CUSTOMER, party.name)


def supplier_party(duns: str, supplier: Supplier | None) -> Party:
    """N1*SJ of a RES the utility writes to first (a drop, a reinstatement): its registered name."""
    return Party(EntityCode.SUPPLIER, None if supplier is None else supplier.name, qualifier(duns), duns,
                 relationship=Role.RECEIVER)


def customer_party(account: Account) -> Party:
    """N1*8R of a notice: the account's customer name (spec 2.0 N1 table: N102 name)."""
    return Party(EntityCode.CUSTOMER, account.customer_name)


# ------------------------------------------------------------------------------ account attributes


def account_attributes(
    account: Account, points: Sequence[ServicePoint], meters: Mapping[str, Sequence[Meter]]
) -> AccountAttributes:
    """What an enrollment accept tells the RES about the points it now supplies (spec 2.2, IL S14).

    FAQ, service point: "It is imperative that Retail Electric Suppliers track service point numbers and
    their associated attributes." :class:`AccountAttributes` holds one REF*LU, REF*NH, REF*LO, REF*SPL and
    AMT*KC; with several points only what they share is sent (the meters are all listed), so no point is
    described with another's values. REF*BF is the account's bill group.
    """
    if not points:
        return AccountAttributes()
    only = points[0] if len(points) == 1 else None

    def shared(values: set[str | None]) -> str | None:
        return next(iter(values)) if len(values) == 1 else None

    return AccountAttributes(
        service_point=None if only is None else only.service_point_id,
        rate_class=None if only is None else str(only.rate_class),
        load_profile=shared({sp.load_profile for sp in points}),
        rate_zone=shared({sp.rate_zone for sp in points}),
        bill_cycle=account.bill_group,
        meters=tuple(m.meter_number for sp in points for m in meters.get(sp.service_point_id, ())),
        capacity_obligation=None if only is None else only.plc,
    )


# ---------------------------------------------------------------------------------- responses


def response(request: Request, verdict: Verdict, head: Letterhead, attributes: AccountAttributes) -> Message:
    """The 814 response answering ``request``: accept (``WQ``) or reject (``U``) with ``REF*7G``."""
    accepted = isinstance(verdict, Accepted)
    rejections = (verdict.as_rejection(),) if isinstance(verdict, Rejected) else ()
    utility, supplier, customer = head.party, echo_supplier(request.supplier), echo_customer(request.customer)
    match request:
        case EnrollmentRequest():
            # Tariff 10.B(4): "the enrollment effective date communicated in the EDI response will be either the
            # requested scheduled meter reading date … or the next valid scheduled meter reading date" (on-cycle,
            # a placeholder), or "the actual enrollment effective date" (off-cycle: DTM*150*…*235959*CT).
            off_cycle = isinstance(verdict, Accepted) and verdict.off_cycle
            return EnrollmentResponse(
                reference=head.reference, created=head.created, request_reference=request.reference,
                utility=utility, supplier=supplier, customer=customer, line_id=request.line_id,
                commodity=request.commodity, service=request.service, accepted=accepted, rejections=rejections,
                ldc_account=request.ldc_account, res_account=request.res_account,
                billing_type=request.billing_type, calculator=request.calculator,
                attributes=attributes if accepted else AccountAttributes(),
                effective_date=_effective(verdict), effective_time=END_OF_DAY if off_cycle else None,
            )
        case DropRequest():
            # Tariff 10.D: "the drop effective date communicated in the EDI response to the RES" (DTM*151).
            return DropResponse(
                reference=head.reference, created=head.created, request_reference=request.reference,
                utility=utility, supplier=supplier, customer=customer, line_id=request.line_id,
                commodity=request.commodity, service=request.service, accepted=accepted, rejections=rejections,
                ldc_account=request.ldc_account, res_account=request.res_account,
                effective_date=_effective(verdict),
            )
        case RescissionRequest():
            # REF*1P echoed, so that the response reads as a rescission (spec 2.4 use 4, edi.classify).
            return RescissionResponse(
                reference=head.reference, created=head.created, request_reference=request.reference,
                utility=utility, supplier=supplier, customer=customer, line_id=request.line_id,
                commodity=request.commodity, service=request.service, accepted=accepted, rejections=rejections,
                reason=request.reason, ldc_account=request.ldc_account, res_account=request.res_account,
            )
        case DropCancelRequest():
            # Spec Q4: "respond WQ*026 / U*026".
            return DropCancelResponse(
                reference=head.reference, created=head.created, request_reference=request.reference,
                utility=utility, supplier=supplier, customer=customer, line_id=request.line_id,
                commodity=request.commodity, service=request.service, accepted=accepted, rejections=rejections,
                ldc_account=request.ldc_account, res_account=request.res_account,
            )
    raise TypeError(f"not a request the utility answers: {type(request).__name__}")


def _effective(verdict: Verdict) -> date | None:
    return verdict.effective_date if isinstance(verdict, Accepted) else None


# ------------------------------------------------------------------------------------ notices


def notice_message(
    notice: Notice,
    head: Letterhead,
    *,
    supplier: Supplier | None,
    account: Account,
    reinstated_from: date | None = None,
    attributes: AccountAttributes | None = None,
) -> Message:
    """The 814 the utility originates for one of the rules' notices, addressed to ``notice.supplier``.

    ``account`` is the account the notice is about (N1*8R: its customer); ``reinstated_from`` is the
    reinstatement's DTM*150 when the notice does not know the prior RES's original start date (spec Q16);
    ``attributes`` describe a utility-initiated enrollment's points.
    """
    sj = supplier_party(notice.supplier, supplier)
    customer = customer_party(account)
    match notice:
        case DropNotice():
            # Spec 2.4 use 1, "utility-initiated drop (final bill, switch to another RES)": ASI*7*024 with the
            # date the RES's supply ends. No REF*1P: the IL drop reason codes are not public (spec Q3), and an
            # EB3 would make it a rescission.
            return DropRequest(
                reference=head.reference, created=head.created, utility=head.party, supplier=sj,
                customer=customer, line_id=head.reference, ldc_account=notice.account_number,
                requested_date=notice.effective_date, off_cycle=notice.effective_at is not None,
            )
        case RescissionNotice():
            # Spec 2.4 use 3, "utility-initiated enrollment rescission": ASI*7*024 with REF*1P*EB3.
            return RescissionRequest(
                reference=head.reference, created=head.created, utility=head.party, supplier=sj,
                customer=customer, line_id=head.reference, reason=StatusCode.RESCISSION,
                ldc_account=notice.account_number,
            )
        case ReinstatementNotice():
            # Spec 2.6: ASI*7*025 with DTM*150, "the original start date" (Q16).
            start = notice.effective_date or reinstated_from
            if start is None:
                raise ValueError(f"reinstatement of {notice.account_number} to {notice.supplier} has no date")
            return Reinstatement(
                reference=head.reference, created=head.created, utility=head.party, supplier=sj,
                customer=customer, line_id=head.reference, ldc_account=notice.account_number,
                effective_date=start,
            )
        case EnrollmentNotice():
            # FAQ: "BGN06 will be noted with “MANUAL”, the REF*45 segment will show the old account number, and
            # the REF*1P segment will reveal a descriptive code" (BNK or UIE).
            return UtilityInitiatedEnrollment(
                reference=head.reference, created=head.created, utility=head.party, supplier=sj,
                customer=customer, line_id=head.reference, reason=notice.reason,
                ldc_account=notice.account_number, old_account=notice.old_account,
                attributes=attributes or AccountAttributes(), effective_date=notice.effective_date,
            )
    raise TypeError(f"not a notice: {type(notice).__name__}")
