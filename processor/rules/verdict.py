"""What a rule returns: ``Accepted`` with the tariff's effective date, or ``Rejected(code, text)``.

Design, "Business rules": "Pure functions of (message, state, calendar, clock) that return a verdict:
accept with an effective date, or a ``Rejection(code, text)`` … A rejection is a value, never an
exception." A verdict carries what the caller needs to answer (814 ``ASI*WQ`` with ``DTM*150``/``151``
and the account's attributes, or ``ASI*U`` with ``REF*7G``), to write the store (which requests it
withdraws, one switch request per :class:`PointEffect`) and to send the 814s the utility originates
(:data:`Outbound`). The rules never write anything themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeAlias

from edi.messages import Rejection, RejectionCode, StatusCode
from processor.store.records import Account, RequestStatus, ServicePoint, SwitchRequest

#: REF03 (element 352) is AN 1/80 in X12 4010, and ``switch_requests.rejection_text`` is 80 wide.
REF03_MAX = 80
#: Characters that separate elements, components or segments in the files we write (spec 1.1).
_SEPARATORS = str.maketrans({"*": " ", "~": " ", ">": " ", "^": " ", "|": " "})


@dataclass(frozen=True, slots=True)
class Rejected:
    """A refusal: ``REF*7G*<code>*<text>`` on the 814 response (``ASI*U``).

    ``text`` is one sentence for the RES's operations team: what was wrong, with the dates involved
    and the tariff or FAQ paragraph, written to fit REF03; :attr:`ref03` is the wire form.
    """

    code: RejectionCode
    text: str

    @property
    def ref03(self) -> str:
        """The text as REF03 can carry it: no separator characters, at most 80 characters."""
        clean = " ".join(self.text.translate(_SEPARATORS).split())
        return clean if len(clean) <= REF03_MAX else clean[: REF03_MAX - 3] + "..."

    def as_rejection(self) -> Rejection:
        """The canonical ``Rejection`` the 814 response carries."""
        return Rejection(self.code, self.ref03)


@dataclass(frozen=True, slots=True)
class PointEffect:
    """One service point an accepted request covers, and when it takes effect there.

    Tariff 10.B(3) and FAQ ("enrollments are effectuated at the service point level … could have a
    slightly different enrollment effective date for each service point"). ``effective_at`` is set for
    an off-cycle switch only: "as of the very end of the day (i.e. 23:59:59) of the date requested".
    ``supplier_before`` is who supplies the point until then (a RES DUNS or BGS/RTP/HSS), when known.
    """

    service_point: ServicePoint
    effective_date: date
    effective_at: datetime | None = None
    off_cycle: bool = False
    supplier_before: str | None = None


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """A recorded request this verdict ends: the caller sets its status (rescinded or cancelled)."""

    request: SwitchRequest
    status: RequestStatus


@dataclass(frozen=True, slots=True)
class DropNotice:
    """An 814 drop the utility sends a RES (``ASI*7*024``, spec 2.4 use 1): its supply ends.

    Sent when another RES's enrollment replaces it, or when the account is finaled (FAQ: the account
    "will be finaled (closed) - thus triggering the generation of one or more EDI 814D-Request
    transactions to the customer’s RES"). ``effective_date`` goes in ``DTM*151``.
    """

    supplier: str
    account_number: str
    service_point_ids: tuple[str, ...]
    effective_date: date
    effective_at: datetime | None
    reason: str
    cause_request_id: int | None = None


@dataclass(frozen=True, slots=True)
class RescissionNotice:
    """An 814 drop with ``REF*1P*EB3`` the utility sends a RES (spec 2.4 use 3): its pending
    enrollment is rescinded (by the customer, tariff 10.B(5), or because the account was finaled)."""

    supplier: str
    account_number: str
    request: SwitchRequest
    reason: str


@dataclass(frozen=True, slots=True)
class ReinstatementNotice:
    """An 814 reinstatement (``ASI*7*025``) to the RES that keeps the account after a rescission.

    FAQ, rescission: "the account will revert to its current RES, who will receive an EDI 814R-Request
    (reinstatement) transaction"; spec Q16: "DTM*150 = the original start date". ``effective_date`` is
    that start date, None when the supply history does not know it.
    """

    supplier: str
    account_number: str
    service_point_ids: tuple[str, ...]
    effective_date: date | None


@dataclass(frozen=True, slots=True)
class EnrollmentNotice:
    """A utility-initiated 814 enrollment response (FAQ: "BGN06 will be noted with “MANUAL”, the REF*45
    segment will show the old account number, and the REF*1P segment will reveal a descriptive code")."""

    supplier: str
    account_number: str
    old_account: str
    reason: StatusCode
    service_point_ids: tuple[str, ...]
    effective_date: date


Outbound: TypeAlias = DropNotice | RescissionNotice | ReinstatementNotice | EnrollmentNotice
"""An 814 the utility originates because of a verdict."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Accepted:
    """The request is valid: ``ASI*WQ`` with ``effective_date`` in ``DTM*150`` (enrollment) or ``DTM*151``.

    ``effective_date`` is the date the response carries: for on-cycle switches the scheduled read, "a
    placeholder by the RES, as the actual enrollment effective date may occur anytime within the four
    business day billing window" (tariff 10.B(4)); when the points differ (a lighting point of a
    calendar-month account) it is the earliest and ``notes`` lists each. ``effective_at`` is the
    23:59:59 CPT instant of an off-cycle switch. ``processed`` is the business day the tariff counts
    from. Record one switch request per :class:`PointEffect` so each point keeps its own date.
    """

    account: Account
    processed: date
    effective_date: date | None = None
    effective_at: datetime | None = None
    off_cycle: bool = False
    points: tuple[PointEffect, ...] = ()
    notes: tuple[str, ...] = ()
    withdraws: tuple[Withdrawal, ...] = ()
    outbound: tuple[Outbound, ...] = ()


Verdict: TypeAlias = Accepted | Rejected
"""What every rule returns."""
