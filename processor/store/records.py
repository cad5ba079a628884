"""What the store hands out: frozen dataclasses with typed fields, never SQLAlchemy rows.

The master-data records are also what the loader hands *in* (``upsert_*``), so a CSV row, a stored
row and what a handler reads are one type. Code sets are ``StrEnum``s whose values are spelled as in
the master-data CSVs (../shared/spec/interfaces.md). Timestamps are aware UTC datetimes (the store
refuses naive ones); dates are ``date``; money, energy and multipliers are ``Decimal``.

Records that the database numbers (switch requests, supply history, outbox messages) come in two
shapes: ``New…`` is what a caller adds, and the stored record extends it with its ``id`` and the
columns the store fills in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from processor.calendar import CalendarBilling

__all__ = [
    "Account",
    "AccountStatus",
    "CalendarBilling",
    "Claim",
    "ClaimStatus",
    "Direction",
    "Holiday",
    "LedgerEntry",
    "LedgerOutcome",
    "Meter",
    "MeterRole",
    "Metering",
    "NewOutboxMessage",
    "NewSupplyPeriod",
    "NewSwitchRequest",
    "OutboundFile",
    "OutboxMessage",
    "RateClass",
    "RequestKind",
    "RequestStatus",
    "Sbo",
    "ScheduledRead",
    "ServicePoint",
    "Supplier",
    "SupplyPeriod",
    "SwitchRequest",
    "UcbPor",
    "UtilitySupply",
]

# ------------------------------------------------------------------------------ code sets


class UcbPor(StrEnum):
    """Which utility-consolidated billing / purchase-of-receivables options a RES uses (``ucb_por``)."""

    NONE = "none"
    BILL_READY = "bill_ready"
    RATE_READY = "rate_ready"
    BOTH = "both"


class Sbo(StrEnum):
    """The RES's single-bill option role (``sbo``)."""

    NONE = "none"
    AGENT = "agent"
    GUARANTOR = "guarantor"


class AccountStatus(StrEnum):
    """An account's status (``status``): only active accounts can switch (814 reject ``008``)."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    FINAL = "final"


class RateClass(StrEnum):
    """Ameren Illinois delivery service rate classes (``rate_class``)."""

    DS1 = "DS1"
    DS2 = "DS2"
    DS3A = "DS3A"
    DS3B = "DS3B"
    DS4 = "DS4"
    DS5 = "DS5"
    DS6 = "DS6"


class Metering(StrEnum):
    """How a service point is metered (``metering``): decides scalar or interval 867s."""

    SCALAR = "scalar"
    INTERVAL = "interval"


class UtilitySupply(StrEnum):
    """The utility's own supply services, the non-DUNS values of a service point's ``supplier``."""

    BGS = "BGS"  #: basic generation service (fixed price)
    RTP = "RTP"  #: real-time pricing
    HSS = "HSS"  #: hourly supply service


class MeterRole(StrEnum):
    """A meter's role in the service point's usage (``role``), as in the 867's meter role."""

    ADDITIVE = "A"
    SUBTRACTIVE = "S"


class RequestKind(StrEnum):
    """The 814 business request a ``switch_requests`` row records."""

    ENROLLMENT = "enrollment"
    DROP = "drop"
    RESCISSION = "rescission"
    DROP_CANCEL = "drop_cancel"
    REINSTATEMENT = "reinstatement"
    UTILITY_INITIATED = "utility_initiated"


class Direction(StrEnum):
    """Who sent the request: a RES (``in``) or the utility (``out``: utility-initiated, reinstatement)."""

    INBOUND = "in"
    OUTBOUND = "out"


class RequestStatus(StrEnum):
    """Where a switch request stands; a rejected request keeps its row (with the REF*7G code)."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EFFECTIVE = "effective"
    CANCELLED = "cancelled"
    RESCINDED = "rescinded"


class LedgerOutcome(StrEnum):
    """How the processing of a claimed interchange ended."""

    PROCESSED = "processed"
    QUARANTINED = "quarantined"


class ClaimStatus(StrEnum):
    """What claiming an interchange in the ingest ledger found."""

    NEW = "new"  #: never seen: process it
    RESUME = "resume"  #: the same bytes were claimed by a run that did not finish: process what is left
    DUPLICATE = "duplicate"  #: the same bytes were already processed: skip, it is a re-send
    CONTROL_NUMBER_REUSED = "control_number_reused"  #: same sender and ISA13, other bytes: quarantine


# ---------------------------------------------------------------------------- master data


@dataclass(frozen=True, slots=True)
class Supplier:
    """A Retail Electric Supplier, keyed by its DUNS (9 digits, or 13 for DUNS+4)."""

    duns: str
    name: str
    ucb_por: UcbPor
    sbo: Sbo


@dataclass(frozen=True, slots=True)
class Account:
    """A customer account (REF*12); ``zip`` is stored as digits only (5 or 9)."""

    account_number: str
    customer_name: str
    service_address: str
    city: str
    state: str
    zip: str
    bill_group: str  #: ``01``–``21``: which meter reading schedule applies
    calendar_billing: CalendarBilling
    status: AccountStatus


@dataclass(frozen=True, slots=True)
class ServicePoint:
    """A service point of an account; ``supplier`` is a RES DUNS or a :class:`UtilitySupply` code."""

    service_point_id: str
    account_number: str
    rate_class: RateClass
    metering: Metering
    supplier: str
    lighting: bool
    plc: Decimal | None = None  #: peak load contribution, kW
    load_profile: str | None = None
    delivery_voltage: str | None = None
    supply_voltage: str | None = None
    meter_voltage: str | None = None
    rate_zone: str | None = None

    @property
    def utility_supply(self) -> UtilitySupply | None:
        """The utility supply service when no RES serves the point, else None."""
        try:
            return UtilitySupply(self.supplier)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Meter:
    """A meter of a service point; ``interval_minutes`` is None for a scalar meter."""

    meter_number: str
    service_point_id: str
    role: MeterRole
    interval_minutes: int | None
    multiplier: Decimal = Decimal(1)


@dataclass(frozen=True, slots=True)
class ScheduledRead:
    """One scheduled meter reading date of a bill group."""

    bill_group: str
    read_date: date


@dataclass(frozen=True, slots=True)
class Holiday:
    """One of the utility's non-business days besides weekends."""

    date: date
    name: str


# ------------------------------------------------------------------------------ switching


@dataclass(frozen=True, slots=True, kw_only=True)
class NewSwitchRequest:
    """One 814 business request (one LIN of an 814), inbound from a RES or outbound from the utility.

    A request is recorded even when it is rejected (an unknown account or DUNS included), so the
    account, supplier and service point are plain values, not foreign keys.
    """

    kind: RequestKind
    direction: Direction
    supplier: str  #: the RES's DUNS (N1*SJ N104 inbound; the addressed RES outbound)
    account_number: str  #: REF*12
    request_ref: str  #: BGN02
    line_ref: str  #: LIN01
    received_at: datetime  #: when the utility received (or created) it, aware
    service_point_id: str | None = None  #: None for an account-level request
    requested_date: date | None = None  #: DTM*007 (or DTM*MRR)
    off_cycle: bool = False  #: REF*TD*OFFCYCLE
    status: RequestStatus = RequestStatus.PENDING
    effective_date: date | None = None
    effective_at: datetime | None = None  #: off-cycle switches: 23:59:59 CPT of the effective date
    rejection_code: str | None = None  #: REF*7G REF02
    rejection_text: str | None = None  #: REF*7G REF03
    related_request_id: int | None = None  #: the request this one rescinds, cancels or answers
    ledger_id: int | None = None  #: the ingest-ledger entry of the interchange it came in
    source_file: str | None = None
    isa13: str | None = None
    gs06: str | None = None
    st02: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SwitchRequest(NewSwitchRequest):
    """A recorded switch request."""

    id: int
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class NewSupplyPeriod:
    """Who supplies a service point from ``start_date`` (through ``end_date`` when bounded).

    History is appended, never rewritten: on a day, the period covering it with the latest
    ``start_date`` wins, ties going to the one recorded last (so a rescission that restores the prior
    RES from the same date overrides the rescinded enrollment without erasing it).
    """

    service_point_id: str
    supplier: str  #: a RES DUNS or a :class:`UtilitySupply` code
    start_date: date
    recorded_at: datetime
    end_date: date | None = None
    cause_request_id: int | None = None  #: the switch request that caused it (None: initial load)


@dataclass(frozen=True, slots=True, kw_only=True)
class SupplyPeriod(NewSupplyPeriod):
    """A recorded supply period."""

    id: int


# --------------------------------------------------------------------- exactly-once machinery


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One claimed inbound interchange. ``sha256`` is of the interchange's bytes (ISA through IEA)."""

    id: int
    sender: str
    isa13: str
    sha256: str
    file_name: str
    claimed_at: datetime
    finished_at: datetime | None
    outcome: LedgerOutcome | None


@dataclass(frozen=True, slots=True)
class Claim:
    """The answer to claiming an interchange: what to do, and the ledger entry it is about."""

    status: ClaimStatus
    entry: LedgerEntry  #: for CONTROL_NUMBER_REUSED, the earlier interchange that holds the number


@dataclass(frozen=True, slots=True, kw_only=True)
class NewOutboxMessage:
    """An outbound canonical message waiting to be rendered and sent.

    ``idempotency_key`` is deterministic in the inbound that caused it (for instance
    ``"<ledger sha256>:<GS06>:<ST02>:<n>"``), so processing the same inbound twice enqueues once.
    """

    idempotency_key: str
    receiver: str  #: the receiving party's DUNS
    st01: str  #: 814, 867, 824, 997 …
    kind: str  #: the canonical message type, e.g. ``EnrollmentResponse``
    payload: str  #: the canonical message as JSON text
    created_at: datetime
    ledger_id: int | None = None
    source_gs06: str | None = None
    source_st02: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxMessage(NewOutboxMessage):
    """An enqueued outbound message; ``sent_file`` and ``sent_at`` are set once it is written."""

    id: int
    sent_file: str | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboundFile:
    """An outbound file, staged with its control numbers and time before it is written."""

    name: str  #: ``<receiver>_<ST01>_<ISA13>.x12``
    receiver: str
    st01: str
    isa13: int
    gs06: int
    created_at: datetime
    written_at: datetime | None = None


# ------------------------------------------------------------------------------ meter data

__all__ += [
    "IntervalRead",
    "MeterDataKind",
    "MeterLoad",
    "NewUsageRecord",
    "ProfileValue",
    "ReadEvent",
    "ReadQuality",
    "ReadType",
    "RegisterRead",
    "UsageRecord",
    "UsageStatus",
]


class MeterDataKind(StrEnum):
    """What one ``edi usage`` CSV holds, told apart by its header (interfaces.md, meter data)."""

    INTERVAL_READS = "interval"
    REGISTER_READS = "register"  #: the "scalar reads" file: register readings of any meter
    READ_EVENTS = "events"
    LOAD_PROFILE = "profile"  #: dynamic load profile shapes (tariff 8.L equation 12)


class ReadQuality(StrEnum):
    """``quality`` of an interval read."""

    ACTUAL = "A"
    ESTIMATED = "E"  #: estimated by the meter data system: kept as given, sent as estimated (QTY*KA)
    MISSING = "M"  #: no value: estimated here by tariff 8.L equations 10-13


class ReadType(StrEnum):
    """``read_type`` of a register (scalar) read."""

    ACTUAL = "actual"
    ESTIMATED = "estimated"


class UsageStatus(StrEnum):
    """What became of one billing period's 867 (one ``usage_reports`` row per 867, or per period without one)."""

    SENT = "sent"  #: an original (BPT01 00) that stands
    CANCELLED = "cancelled"  #: an original that a later cancel withdrew (corrected data)
    CANCEL = "cancel"  #: a cancel (BPT01 01) of an earlier original
    NOT_SENT = "not_sent"  #: the period needs no 867 (utility supply, no meter): kept so it is decided once


@dataclass(frozen=True, slots=True)
class MeterLoad:
    """One meter-data file loaded by ``edi usage``; ``checked_at`` is set once a batch has looked at what it
    changed (corrections to periods already sent are found through the loads not checked yet)."""

    id: int
    file_name: str
    kind: MeterDataKind
    rows: int
    loaded_at: datetime
    checked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IntervalRead:
    """One interval of an interval meter: the kWh the meter recorded in the interval that ends at ``interval_end``
    (aware, stored in UTC); ``kwh`` is None exactly when ``quality`` is M. Before the meter's multiplier."""

    meter_number: str
    interval_end: datetime
    kwh: Decimal | None
    quality: ReadQuality


@dataclass(frozen=True, slots=True)
class RegisterRead:
    """A register (dial) reading of a meter at ``read_at``, before the meter's multiplier."""

    meter_number: str
    read_at: datetime
    register_kwh: Decimal
    read_type: ReadType = ReadType.ACTUAL


@dataclass(frozen=True, slots=True)
class ReadEvent:
    """The moment a service point's billing period ended (an on-cycle or off-cycle read)."""

    service_point_id: str
    read_at: datetime


@dataclass(frozen=True, slots=True)
class ProfileValue:
    """One hour of a dynamic load profile (tariff 8.L equation 12): kWh in the hour ending at ``interval_end``."""

    load_profile: str
    interval_end: datetime
    kwh: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class NewUsageRecord:
    """An 867 the utility sends for one billing period of a service point, or the decision to send none.

    ``body`` is the 867 as sent (its segments between ST and SE, as JSON), so that a cancel can repeat it
    exactly; ``fingerprint`` hashes it without the BPT, so a recomputation tells a correction from a repeat.
    """

    service_point_id: str
    supplier: str  #: the RES it went to (or the utility supply code for NOT_SENT)
    period_start: datetime | None  #: None when a NOT_SENT period's start was never worked out
    period_end: datetime  #: the read event that ended the period
    status: UsageStatus
    created_at: datetime
    purpose: str | None = None  #: BPT01: ``00`` original, ``01`` cancel
    reference: str | None = None  #: BPT02
    final: bool = False  #: BPT07 F
    fingerprint: str | None = None
    body: str | None = None
    replaces_id: int | None = None  #: the original this one replaces (after a cancel)
    cancels_id: int | None = None  #: the original this cancel withdraws
    note: str | None = None  #: why no 867 (NOT_SENT)


@dataclass(frozen=True, slots=True, kw_only=True)
class UsageRecord(NewUsageRecord):
    """A recorded 867 (or decision)."""

    id: int


# ------------------------------------------------------------------------------ bill-ready billing

__all__ += [
    "BillLine",
    "EnrollmentBilling",
    "Invoice",
    "InvoiceStatus",
    "NewBillLine",
    "NewInvoice",
]


class InvoiceStatus(StrEnum):
    """What became of one inbound 810 bill-ready invoice (``invoices.status``)."""

    ACCEPTED = "accepted"  #: its lines are on the account's bill (a cancel: its reversal lines are)
    REJECTED = "rejected"  #: answered with an 824 (TED); nothing billed
    CANCELLED = "cancelled"  #: an accepted original a later cancel (BIG08 01) reversed; its lines stay on record


@dataclass(frozen=True, slots=True)
class EnrollmentBilling:
    """The billing option an 814 enrollment asked for (REF*BLT, REF*PC, REF*9V), kept beside its switch request.

    ``billing_type`` LDC with ``calculator`` DUAL is bill-ready UCB/POR (spec 2.0); no REF*BLT is dual billing.
    """

    request_id: int  #: ``switch_requests.id`` of the enrollment
    billing_type: str | None  #: REF*BLT REF02: LDC, ESP or DUAL
    calculator: str | None  #: REF*PC REF02: LDC (rate-ready) or DUAL (bill-ready)
    payment_option: str | None = None  #: REF*9V REF02 (POR)


@dataclass(frozen=True, slots=True, kw_only=True)
class NewInvoice:
    """One inbound 810 bill-ready invoice (one service point), accepted or rejected, with where it came from.

    Recorded even when rejected (an unknown account or DUNS included), so the account, supplier and service
    point are plain values, not foreign keys.
    """

    supplier: str  #: N1*SJ N104
    number: str  #: BIG02
    invoice_date: date  #: BIG01
    purpose: str  #: BIG08: ``00`` original, ``01`` cancel
    account_number: str  #: REF*12
    total: Decimal  #: TDS01, in dollars
    received_at: datetime
    status: InvoiceStatus
    original_number: str | None = None  #: REF*OI (a cancel)
    service_point_id: str | None = None  #: REF*LU
    period_start: date | None = None  #: DTM*150 (as a local date)
    period_end: date | None = None  #: DTM*151 (as a local date)
    rejection_code: str | None = None  #: TED01 of the 824
    rejection_text: str | None = None  #: the full reason (TED02 carries what fits)
    usage_report_id: int | None = None  #: the 867 (``usage_reports.id``) an accepted original answers
    cancels_id: int | None = None  #: the invoice an accepted cancel reverses
    bill_date: date | None = None  #: the bill its lines are on; None: the next bill, whose read is not scheduled yet
    source_file: str | None = None
    isa13: str | None = None
    gs06: str | None = None
    st02: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Invoice(NewInvoice):
    """A recorded invoice."""

    id: int
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class NewBillLine:
    """One RES charge line on an account's consolidated bill: a SAC of an accepted 810, or its reversal.

    ``amount`` is signed as the bill prints it: a charge (SAC01 C) positive, an allowance (A) negative, an
    information line (N) as sent and never added to a total; a reversal line is the negation of the line it
    ``reverses``. Lines are only ever added, so the bill's history stays readable.
    """

    invoice_id: int  #: the invoice (its source file, ISA13, GS06, ST02) this line comes from
    account_number: str
    service_point_id: str
    supplier: str
    bill_date: date | None  #: the bill it is printed on (None: the next bill, not scheduled yet)
    period_start: date  #: the service period of the charges (DTM*150)
    period_end: date  #: DTM*151
    seq: int  #: the line's place in its invoice (SAC order)
    indicator: str  #: SAC01: C charge, A allowance, N information only
    code: str  #: SAC04
    amount: Decimal  #: signed, dollars
    created_at: datetime
    description: str | None = None  #: SAC15, printed on the bill
    rate: str | None = None  #: SAC08, as sent
    unit: str | None = None  #: SAC09
    quantity: str | None = None  #: SAC10, as sent
    print_sequence: str | None = None  #: SAC13
    reverses_id: int | None = None  #: the line a cancel reverses


@dataclass(frozen=True, slots=True, kw_only=True)
class BillLine(NewBillLine):
    """A recorded bill line."""

    id: int
