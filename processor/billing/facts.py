"""What the bill-ready rules know about the world: a snapshot the handler reads from the store.

The rules (:mod:`processor.billing.rules`) are pure functions of (invoice, facts, calendar, receipt time,
policy); everything they look up is here, read once by :func:`processor.billing.gather.gather_facts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from processor.calendar import CPT
from processor.store.records import Account, EnrollmentBilling, Invoice, ServicePoint, Supplier, UsageRecord


@dataclass(frozen=True, slots=True)
class SentUsage:
    """An 867 the utility sent a RES, as the 810 rules see it: its service period by Central date.

    The 867 writes DTM*150/151 as the read dates (scalar points) or the read instants (interval points whose
    boundary is not midnight); either way the Central date is what an 810's DTM*150/151 must repeat.
    """

    id: int  #: ``usage_reports.id``
    supplier: str  #: the RES it went to
    start: date  #: Central date of the period's start (the 867's DTM*150)
    end: date  #: Central date of the period's end: the read that ends it (the 867's DTM*151)
    sent_at: datetime  #: when it was produced and queued (``created_at``)
    reference: str | None  #: BPT02

    @classmethod
    def of(cls, record: UsageRecord) -> SentUsage | None:
        """The view of a recorded 867; None for a row that is not an 867 with a known period."""
        if record.period_start is None or record.purpose != "00":
            return None
        return cls(record.id, record.supplier, local_date(record.period_start), local_date(record.period_end),
                   record.created_at, record.reference)


@dataclass(frozen=True, slots=True)
class EnrollmentOption:
    """The enrollment that put the RES on the service point, and the billing option it asked for."""

    request_ref: str  #: its BGN02
    effective_date: date | None
    billing: EnrollmentBilling | None  #: None: recorded before billing options were kept


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    """Everything the rules need about one inbound 810."""

    utility_duns: str
    supplier: Supplier | None  #: the RES named by N1*SJ N104 (None: unknown DUNS)
    account: Account | None  #: REF*12
    account_points: tuple[ServicePoint, ...] = ()  #: every service point of the account
    usage: tuple[SentUsage, ...] = ()  #: the standing 867s of the invoice's service point, to any RES
    point_supplier: str | None = None  #: who supplies the point at the period's start (history, else master data)
    enrollment: EnrollmentOption | None = None  #: this RES's enrollment in force at the period's start
    numbered: tuple[Invoice, ...] = ()  #: this RES's earlier invoices with the same BIG02
    original: Invoice | None = None  #: a cancel's REF*OI invoice (this RES's)
    original_usage: SentUsage | None = None  #: the 867 the original answered (even if since cancelled)
    standing: tuple[Invoice, ...] = ()  #: this RES's accepted originals for the service point
    account_usage: tuple[SentUsage, ...] = ()  #: a cancel: the standing 867s of every point of the account, any RES


def local_date(value: date) -> date:
    """The Central date of a DTM value or a stored instant (a ``date`` is already one)."""
    if isinstance(value, datetime):
        return value.astimezone(CPT).date()
    return value
