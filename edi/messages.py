"""Canonical messages: one frozen dataclass per Illinois transaction, in the market's own words.

These are what ``processor`` sees instead of segments. Each field names, in its ``#:``
comment, the X12 element it comes from, so a reader can go from a rule to the file and
back. They are a *view* on the transaction set, not a lossless copy (the JSON/XML
translation is the lossless one): a field exists when a business rule or a response
needs it. Codes are ``StrEnum`` members whose value is the X12 code, so that an unknown
code fails loudly at the format layer instead of deep inside a rule.

Requests carry everything a response echoes (BGN02, LIN01, the parties and REF*11/12),
so a response can be built from the request alone.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TypeAlias, overload

# ---------------------------------------------------------------------------- codes


class Action(StrEnum):
    """ASI01: what the sender wants, or what the receiver decided."""

    REQUEST = "7"
    ACCEPT = "WQ"
    REJECT = "U"
    FINAL = "F"  #: PA-style drop requests (``F*024``); accepted inbound (spec Q2)


class Maintenance(StrEnum):
    """ASI02: which market process an 814 belongs to."""

    ENROLLMENT = "021"
    DROP = "024"  #: also enrollment rescission, told apart by REF*1P
    REINSTATEMENT = "025"
    DROP_CANCEL = "026"
    CHANGE = "001"


class Purpose(StrEnum):
    """Transaction set purpose (element 353): BGN01, BPT01, BIG08."""

    ORIGINAL = "00"
    CANCELLATION = "01"
    REPLACE = "05"
    RESPONSE = "11"
    REQUEST = "13"


class RejectionCode(StrEnum):
    """REF*7G REF02 and TED01: the Ameren CPWG rejection codes (spec section 3)."""

    ACCOUNT_INACTIVE = "008"
    INVALID_METER_ADDRESS = "A03"
    OTHER = "A13"  #: explained in the text
    ACCOUNT_NOT_FOUND = "A76"
    DUPLICATE = "ABN"
    NOT_ELIGIBLE = "ANE"
    NOT_LICENSED = "ANL"
    MISSING_INFORMATION = "API"
    DATE_TOO_FAR = "DIV"  #: requested date more than 45 days ahead
    BILLING_OPTION = "FRB"
    NOT_FIRST_IN = "NFI"
    UNKNOWN_DUNS = "UND"


class StatusCode(StrEnum):
    """REF*1P REF02 on enrollment responses and utility-initiated enrollments."""

    HISTORICAL_INTERVAL_UNAVAILABLE = "HIU"
    HISTORICAL_NOT_RELEASED = "HUR"
    HISTORICAL_UNAVAILABLE = "HUU"
    NO_METER = "NMI"
    OFF_CYCLE_NOT_POSSIBLE = "W09"
    BANKRUPTCY = "BNK"
    UTILITY_INITIATED = "UIE"
    RESCISSION = "EB3"


class BillingType(StrEnum):
    """REF*BLT: who sends the bill."""

    LDC = "LDC"  #: utility consolidated bill
    ESP = "ESP"  #: supplier consolidated bill
    DUAL = "DUAL"  #: separate bills


class BillCalculator(StrEnum):
    """REF*PC: who calculates the supply charges."""

    LDC = "LDC"  #: rate-ready
    DUAL = "DUAL"  #: each party its own part (bill-ready or dual)


class EntityCode(StrEnum):
    """N101: which party an N1 loop names."""

    UTILITY = "8S"
    SUPPLIER = "SJ"
    CUSTOMER = "8R"
    BILL_TO = "BT"


class IdQualifier(StrEnum):
    """N103: what kind of identifier N104 is."""

    DUNS = "1"
    DUNS_PLUS_4 = "9"
    FEIN = "24"
    ASSIGNED_BY_BUYER = "92"


class Relationship(StrEnum):
    """N106: whether the party sends or receives this transaction."""

    RECEIVER = "40"
    SUBMITTER = "41"


class Commodity(StrEnum):
    """LIN03."""

    ELECTRIC = "EL"
    GAS = "GAS"


class ServiceType(StrEnum):
    """LIN05: the service the line is about."""

    SUPPLY = "CE"
    HISTORICAL_USAGE = "HU"
    METER_INFORMATION = "MI"


class MeterRole(StrEnum):
    """REF*JH: how a meter counts towards the service point's net usage."""

    ADDITIVE = "A"
    SUBTRACTIVE = "S"
    IGNORE = "I"  #: accepted inbound, never emitted (spec Q12)


class QuantityQualifier(StrEnum):
    """QTY01."""

    ACTUAL = "QD"
    ESTIMATED = "KA"
    RECEIVED = "87"  #: delivered to the grid (net metering)


class Unit(StrEnum):
    """Unit of measure (element 355): QTY03, MEA04, SAC09."""

    KWH = "KH"
    KW = "K1"
    KVAR = "K2"
    KVARH = "K3"
    THERM = "TZ"


class TimeCode(StrEnum):
    """DTM04 (element 623). Only Central and UTC make sense in Illinois."""

    CENTRAL = "CT"  #: prevailing time, no standard/daylight distinction
    CENTRAL_STANDARD = "CS"
    CENTRAL_DAYLIGHT = "CD"
    LOCAL = "LT"  #: read as Central prevailing time
    UTC = "UT"


class UsageLoop(StrEnum):
    """PTD01 of a meter loop in the 867 (spec Q1)."""

    SUMMARY = "SU"  #: service-point net summary
    SCALAR = "PM"  #: scalar meter detail (MEA readings)
    INTERVAL = "BO"  #: interval meter detail (QTY + DTM*582)
    UNMETERED = "BC"


class TouCode(StrEnum):
    """MEA07: the time-of-use period a reading covers."""

    OFF_PEAK = "41"
    ON_PEAK = "42"
    TOTAL = "51"


class ChargeIndicator(StrEnum):
    """SAC01."""

    CHARGE = "C"
    ALLOWANCE = "A"
    INFORMATION = "N"  #: printed, never summed into TDS


class AdviceStatus(StrEnum):
    """OTI01: what the 824 says about the original transaction."""

    ACCEPTED = "TA"
    PARTIAL = "TP"
    REJECTED = "TR"
    ITEM_REJECTED = "IR"


class AckStatus(StrEnum):
    """AK501 and AK901."""

    ACCEPTED = "A"
    ACCEPTED_WITH_ERRORS = "E"
    PARTIAL = "P"
    REJECTED = "R"
    MAC_FAILED = "M"
    VALIDITY_FAILED = "W"
    DECRYPTION_FAILED = "X"


# ----------------------------------------------------------------------- value types


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where an inbound message came from, so a response or a report can point back."""

    file: str
    isa13: str  #: ISA13
    gs06: str  #: GS06
    st02: str  #: ST02


@dataclass(frozen=True, slots=True)
class Party:
    """One N1 loop. The address and contact parts are used for the customer (8R) and bill-to (BT)."""

    entity: EntityCode  #: N101
    name: str | None = None  #: N102
    id_qualifier: IdQualifier | None = None  #: N103
    id: str | None = None  #: N104 (DUNS or DUNS+4 for 8S/SJ)
    relationship: Relationship | None = None  #: N106
    address: tuple[str, ...] = ()  #: N301, N302 (of every N3)
    city: str | None = None  #: N401
    state: str | None = None  #: N402
    postal_code: str | None = None  #: N403
    contact: str | None = None  #: PER02 (PER01 IC)
    phone: str | None = None  #: PER04 after PER03 TE
    email: str | None = None  #: PER0n after PER0n-1 EM


@dataclass(frozen=True, slots=True)
class Period:
    """A service or read period from DTM*150 (start) and DTM*151 (end).

    Each end is a ``date`` when the DTM has no time, or an aware ``datetime`` (UTC) when
    it has one (867 loops whose boundary is not midnight, spec section 4 rule 5).
    """

    start: date  #: DTM*150 DTM02 (+ DTM03/DTM04)
    end: date  #: DTM*151 DTM02 (+ DTM03/DTM04)


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a request was refused: REF*7G on an 814 response, TED on an 824.

    A rejection is a value the business rules return, never an exception.
    """

    code: RejectionCode  #: REF*7G REF02 / TED01
    text: str | None = None  #: REF*7G REF03 / TED02


@dataclass(frozen=True, slots=True)
class AccountAttributes:
    """What the utility tells the RES about an account when it accepts an enrollment."""

    service_point: str | None = None  #: REF*LU REF02
    rate_class: str | None = None  #: REF*NH REF02
    load_profile: str | None = None  #: REF*LO REF02
    rate_zone: str | None = None  #: REF*SPL REF02
    bill_cycle: str | None = None  #: REF*BF REF02
    meters: tuple[str, ...] = ()  #: REF*MG REF02 (one REF per meter)
    capacity_obligation: Decimal | None = None  #: AMT*KC AMT02 (PLC)
    transmission_obligation: Decimal | None = None  #: AMT*KZ AMT02 (NSPL)
    obligations_effective: date | None = None  #: DTM*152 DTM02 (date the KC/KZ values apply from)


# -------------------------------------------------------------------------- 814s


@dataclass(frozen=True, slots=True, kw_only=True)
class EnrollmentRequest:
    """814E, RES → utility: put this account on the RES's supply (ASI 7*021)."""

    reference: str  #: BGN02 (unique over time; echoed in the response's BGN06)
    created: date  #: BGN03
    utility: Party  #: N1*8S loop
    supplier: Party  #: N1*SJ loop
    customer: Party | None = None  #: N1*8R loop (N3, N4, PER)
    bill_to: Party | None = None  #: N1*BT loop
    line_id: str  #: LIN01 (echoed in the response)
    commodity: Commodity = Commodity.ELECTRIC  #: LIN03
    service: ServiceType = ServiceType.SUPPLY  #: LIN05
    ldc_account: str  #: REF*12 REF02
    res_account: str | None = None  #: REF*11 REF02
    billing_type: BillingType | None = None  #: REF*BLT REF02
    calculator: BillCalculator | None = None  #: REF*PC REF02
    payment_option: str | None = None  #: REF*9V REF02 (POR)
    ami_preference: str | None = None  #: REF*17 REF02
    demand_response: str | None = None  #: REF*DR REF02
    product: str | None = None  #: REF*PRT REF02
    service_point: str | None = None  #: REF*LU REF02 (a service-point-level request; None = the account)
    requested_date: date | None = None  #: DTM*007 DTM02 (inbound DTM*MRR read the same way)
    off_cycle: bool = False  #: REF*TD*OFFCYCLE present
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EnrollmentResponse:
    """814E response, utility → RES: accept (ASI WQ*021) with account attributes, or reject (U*021)."""

    reference: str  #: BGN02
    created: date  #: BGN03
    request_reference: str  #: BGN06 (the request's BGN02)
    utility: Party  #: N1*8S loop
    supplier: Party  #: N1*SJ loop
    customer: Party | None = None  #: N1*8R loop
    line_id: str  #: LIN01 (the request's)
    commodity: Commodity = Commodity.ELECTRIC  #: LIN03
    service: ServiceType = ServiceType.SUPPLY  #: LIN05
    accepted: bool  #: ASI01 WQ (accepted) or U (rejected)
    rejections: tuple[Rejection, ...] = ()  #: REF*7G (reject only)
    status: StatusCode | None = None  #: REF*1P REF02
    ldc_account: str  #: REF*12 REF02
    res_account: str | None = None  #: REF*11 REF02
    billing_type: BillingType | None = None  #: REF*BLT REF02
    calculator: BillCalculator | None = None  #: REF*PC REF02
    attributes: AccountAttributes = field(default_factory=AccountAttributes)  #: REF*LU/NH/LO/SPL/BF/MG, AMT
    effective_date: date | None = None  #: DTM*150 DTM02 (scheduled start)
    effective_time: time | None = None  #: DTM*150 DTM03, written HHMMSS with DTM04 CT (off-cycle switch)
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UtilityInitiatedEnrollment:
    """814E response with no request (BGN06 MANUAL): the utility moved the RES's supply to a new account.

    Ameren sends it after a bankruptcy (REF*1P BNK) or for another replacement account (UIE).
    """

    reference: str  #: BGN02
    created: date  #: BGN03
    utility: Party  #: N1*8S loop
    supplier: Party  #: N1*SJ loop
    customer: Party | None = None  #: N1*8R loop
    line_id: str  #: LIN01
    commodity: Commodity = Commodity.ELECTRIC  #: LIN03
    service: ServiceType = ServiceType.SUPPLY  #: LIN05
    reason: StatusCode  #: REF*1P REF02 (BNK or UIE)
    ldc_account: str  #: REF*12 REF02 (the new account)
    old_account: str | None = None  #: REF*45 REF02 (the finaled account)
    res_account: str | None = None  #: REF*11 REF02
    billing_type: BillingType | None = None  #: REF*BLT REF02
    calculator: BillCalculator | None = None  #: REF*PC REF02
    attributes: AccountAttributes = field(default_factory=AccountAttributes)  #: REF*LU/NH/LO/SPL/BF/MG, AMT
    effective_date: date | None = None  #: DTM*150 DTM02
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DropRequest:
    """814D drop (ASI 7*024 or F*024), either direction: end the RES's supply of the account."""

    reference: str  #: BGN02
    created: date  #: BGN03
    utility: Party  #: N1*8S loop
    supplier: Party  #: N1*SJ loop
    customer: Party | None = None  #: N1*8R loop
    line_id: str  #: LIN01
    commodity: Commodity = Commodity.ELECTRIC  #: LIN03
    service: ServiceType = ServiceType.SUPPLY  #: LIN05
    action: Action = Action.REQUEST  #: ASI01 (7, or F from PA-style senders)
    reason: str | None = None  #: REF*1P REF02 (drop reason; an open, configurable code list)
    ldc_account: str  #: REF*12 REF02
    res_account: str | None = None  #: REF*11 REF02
    service_point: str | None = None  #: REF*LU REF02 (a service-point-level drop; None = the account)
    requested_date: date | None = None  #: DTM*007 DTM02 (inbound DTM*151 read the same way)
    off_cycle: bool = False  #: REF*TD*OFFCYCLE present
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DropResponse:
    """814D response (ASI WQ*024 / U*024), either direction."""

    reference: str  #: BGN02
    created: date  #: BGN03
    request_reference: str  #: BGN06
    utility: Party  #: N1*8S loop
    supplier: Party  #: N1*SJ loop
    customer: Party | None = None  #: N1*8R loop
    line_id: str  #: LIN01
    commodity: Commodity = Commodity.ELECTRIC  #: LIN03
    service: ServiceType = ServiceType.SUPPLY  #: LIN05
    accepted: bool  #: ASI01 WQ or U
    rejections: tuple[Rejection, ...] = ()  #: REF*7G
    ldc_account: str  #: REF*12 REF02
    res_account: str | None = None  #: REF*11 REF02
    effective_date: date | None = None  #: DTM*151 DTM02 (drop effective, i.e. last day of supply)
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RescissionRequest:
    """814D with ASI 7*024 and REF*1P in the rescission set (default EB3): undo a pending enrollment."""

    reference: str  #: BGN02
    created: date  #: BGN03
    utility: Party  #: N1*8S loop
    supplier: Party  #: N1*SJ loop
    customer: Party | None = None  #: N1*8R loop
    line_id: str  #: LIN01
    commodity: Commodity = Commodity.ELECTRIC  #: LIN03
    service: ServiceType = ServiceType.SUPPLY  #: LIN05
    action: Action = Action.REQUEST  #: ASI01
    reason: str = StatusCode.RESCISSION  #: REF*1P REF02
    ldc_account: str  #: REF*12 REF02
    res_account: str | None = None  #: REF*11 REF02
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RescissionResponse:
    """Response to a rescission (ASI WQ*024 / U*024); it echoes REF*1P so it reads as a rescission."""

    reference: str  #: BGN02
    created: date  #: BGN03
    request_reference: str  #: BGN06
    utility: Party  #: N1*8S loop
    supplier: Party  #: N1*SJ loop
    customer: Party | None = None  #: N1*8R loop
    line_id: str  #: LIN01
    commodity: Commodity = Commodity.ELECTRIC  #: LIN03
    service: ServiceType = ServiceType.SUPPLY  #: LIN05
    accepted: bool  #: ASI01 WQ or U
    rejections: tuple[Rejection, ...] = ()  #: REF*7G
    reason: str = StatusCode.RESCISSION  #: REF*1P REF02 (echoed)
    ldc_account: str  #: REF*12 REF02
    res_account: str | None = None  #: REF*11 REF02
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DropCancelRequest:
    """814D with ASI 7*026, RES → utility: withdraw a pending drop (spec Q4)."""

    reference: str  #: BGN02
    created: date  #: BGN03
    cancelled_reference: str | None = None  #: BGN06 (the BGN02 of the drop being cancelled)
    utility: Party  #: N1*8S loop
    supplier: Party  #: N1*SJ loop
    customer: Party | None = None  #: N1*8R loop
    line_id: str  #: LIN01
    commodity: Commodity = Commodity.ELECTRIC  #: LIN03
    service: ServiceType = ServiceType.SUPPLY  #: LIN05
    reason: str | None = None  #: REF*1P REF02 (normally absent)
    ldc_account: str  #: REF*12 REF02
    res_account: str | None = None  #: REF*11 REF02
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DropCancelResponse:
    """Response to a drop cancel (ASI WQ*026 / U*026)."""

    reference: str  #: BGN02
    created: date  #: BGN03
    request_reference: str  #: BGN06 (the cancel request's BGN02)
    utility: Party  #: N1*8S loop
    supplier: Party  #: N1*SJ loop
    customer: Party | None = None  #: N1*8R loop
    line_id: str  #: LIN01
    commodity: Commodity = Commodity.ELECTRIC  #: LIN03
    service: ServiceType = ServiceType.SUPPLY  #: LIN05
    accepted: bool  #: ASI01 WQ or U
    rejections: tuple[Rejection, ...] = ()  #: REF*7G
    ldc_account: str  #: REF*12 REF02
    res_account: str | None = None  #: REF*11 REF02
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Reinstatement:
    """814 with ASI 7*025, utility → prior RES: its supply resumes because a switch was rescinded."""

    reference: str  #: BGN02
    created: date  #: BGN03
    utility: Party  #: N1*8S loop
    supplier: Party  #: N1*SJ loop
    customer: Party | None = None  #: N1*8R loop
    line_id: str  #: LIN01
    commodity: Commodity = Commodity.ELECTRIC  #: LIN03
    service: ServiceType = ServiceType.SUPPLY  #: LIN05
    ldc_account: str  #: REF*12 REF02
    res_account: str | None = None  #: REF*11 REF02
    effective_date: date  #: DTM*150 DTM02 (the original start date)
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReinstatementResponse:
    """The prior RES's answer to a reinstatement (ASI WQ*025 / U*025; only A76 may reject)."""

    reference: str  #: BGN02
    created: date  #: BGN03
    request_reference: str  #: BGN06
    utility: Party  #: N1*8S loop
    supplier: Party  #: N1*SJ loop
    customer: Party | None = None  #: N1*8R loop
    line_id: str  #: LIN01
    commodity: Commodity = Commodity.ELECTRIC  #: LIN03
    service: ServiceType = ServiceType.SUPPLY  #: LIN05
    accepted: bool  #: ASI01 WQ or U
    rejections: tuple[Rejection, ...] = ()  #: REF*7G
    ldc_account: str  #: REF*12 REF02
    res_account: str | None = None  #: REF*11 REF02
    effective_date: date | None = None  #: DTM*150 DTM02 (echoed)
    source: SourceRef | None = None


# -------------------------------------------------------------------------- 867


@dataclass(frozen=True, slots=True)
class Quantity:
    """One QTY without interval time: a summary total or a scalar consumption."""

    value: Decimal  #: QTY02
    unit: Unit = Unit.KWH  #: QTY03
    qualifier: QuantityQualifier = QuantityQualifier.ACTUAL  #: QTY01


@dataclass(frozen=True, slots=True)
class Interval:
    """One interval value of an interval meter (QTY followed by DTM*582).

    ``end`` is the instant the interval ends (aware, UTC), rebuilt from the hour-ending
    label DTM*582 date + time + CS/CD; labels are only made again when writing.
    """

    end: datetime  #: DTM*582 DTM02 + DTM03 + DTM04
    value: Decimal  #: QTY02 (kWh unless ``unit`` says otherwise)
    qualifier: QuantityQualifier = QuantityQualifier.ACTUAL  #: QTY01 (QD actual, KA estimated)
    unit: Unit = Unit.KWH  #: QTY03

    @property
    def estimated(self) -> bool:
        return self.qualifier is QuantityQualifier.ESTIMATED


_HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True, eq=False)
class HourlyIntervals(Sequence[Interval]):
    """Intervals ending every hour from ``first``, as columns: ``values[i]`` ends ``i`` hours after ``first``,
    estimated (``KA``) when ``i`` is in ``estimated``, actual (``QD``) otherwise.

    A month of hourly data is 720 values a meter, 7.2 million for 10,000 points: columns instead of an
    :class:`Interval` per value, which :mod:`edi.canonical` writes straight from the columns (867 production
    profile, README). It equals the tuple of the same intervals, so it stands in for one anywhere.
    """

    first: datetime  #: the end of the first interval (aware; kept in UTC)
    values: tuple[Decimal, ...]
    estimated: frozenset[int] = frozenset()  #: indexes of the estimated values
    unit: Unit = Unit.KWH

    def __post_init__(self) -> None:
        if self.first.utcoffset() is None:
            raise ValueError(f"an interval end needs a time zone: {self.first.isoformat()}")
        if self.first.tzinfo is not UTC:  # hours are added in UTC, where every hour is one hour
            object.__setattr__(self, "first", self.first.astimezone(UTC))
        if type(self.values) is not tuple:
            object.__setattr__(self, "values", tuple(self.values))
        if type(self.estimated) is not frozenset:
            object.__setattr__(self, "estimated", frozenset(self.estimated))
        if any(not 0 <= i < len(self.values) for i in self.estimated):
            raise ValueError(f"estimated indexes outside the {len(self.values)} values: {sorted(self.estimated)}")

    def __len__(self) -> int:
        return len(self.values)

    @overload
    def __getitem__(self, index: int) -> Interval: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Interval, ...]: ...

    def __getitem__(self, index: int | slice) -> Interval | tuple[Interval, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self.values))))
        value = self.values[index]  # IndexError as a tuple's
        i = index % len(self.values)
        return Interval(self.first + i * _HOUR, value, self._qualifier(i), self.unit)

    def __iter__(self) -> Iterator[Interval]:
        ends = (self.first + i * _HOUR for i in range(len(self.values)))
        qualifiers = map(self._qualifier, range(len(self.values)))
        return map(Interval, ends, self.values, qualifiers, itertools.repeat(self.unit))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, HourlyIntervals):
            if not self.values or not other.values:
                return not self.values and not other.values
            return (self.first, self.values, self.estimated, self.unit) == (
                other.first, other.values, other.estimated, other.unit)
        if isinstance(other, tuple):
            return len(other) == len(self.values) and all(map(operator.eq, self, other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))  # as the equal tuple's

    def _qualifier(self, i: int) -> QuantityQualifier:
        return QuantityQualifier.ESTIMATED if i in self.estimated else QuantityQualifier.ACTUAL


@dataclass(frozen=True, slots=True)
class Reading:
    """One scalar register read: consumption and, in IL, MEA without MEA01."""

    consumption: Decimal  #: QTY02 (= MEA03)
    unit: Unit = Unit.KWH  #: QTY03 (= MEA04)
    qualifier: QuantityQualifier = QuantityQualifier.ACTUAL  #: QTY01
    begin: Decimal | None = None  #: MEA05 (begin reading)
    end: Decimal | None = None  #: MEA06 (end reading)
    tou: TouCode | None = None  #: MEA07


@dataclass(frozen=True, slots=True)
class MeterUsage:
    """One meter loop of an 867 (PTD BO, PM or BC): one meter (and channel) of the service point."""

    loop: UsageLoop  #: PTD01
    number: str | None  #: PTD05 (PTD04 MG) and REF*MG; None for unmetered services
    role: MeterRole | None  #: REF*JH REF02
    period: Period  #: DTM*150 / DTM*151 of the loop
    multiplier: Decimal | None = None  #: REF*4P REF02 (sent only when it is not 1)
    intervals: Sequence[Interval] = ()  #: QTY + DTM*582 pairs (BO): a tuple, or :class:`HourlyIntervals`
    readings: tuple[Reading, ...] = ()  #: QTY (+ MEA) without DTM*582 (PM, BC)


@dataclass(frozen=True, slots=True)
class UsageSummary:
    """The PTD*SU loop: the service point's net usage (Σ additive − Σ subtractive)."""

    period: Period  #: DTM*150 / DTM*151
    quantities: tuple[Quantity, ...] = ()  #: QTY (one per unit of measure)


@dataclass(frozen=True, slots=True, kw_only=True)
class UsageReport:
    """867 Monthly Usage, utility → RES: one per service point, scalar or interval.

    PTD*PL loops (optional service-point TOU totals, meaning unverified, spec Q1) are not read.
    """

    purpose: Purpose = Purpose.ORIGINAL  #: BPT01 (00 original, 01 cancel)
    reference: str  #: BPT02 (an 824 returns it in OTI03)
    created: date  #: BPT03
    final: bool = False  #: BPT07 F (last 867 for the service point)
    utility: Party  #: N1*8S loop
    supplier: Party  #: N1*SJ loop
    customer: Party | None = None  #: N1*8R loop
    ldc_account: str  #: REF*12 REF02
    por_group: str | None = None  #: REF*12 REF03 (POR eligibility group)
    res_account: str | None = None  #: REF*11 REF02
    old_account: str | None = None  #: REF*45 REF02
    service_point: str | None = None  #: REF*LU REF02
    billing_type: BillingType | None = None  #: REF*BLT REF02
    calculator: BillCalculator | None = None  #: REF*PC REF02
    payment_option: str | None = None  #: REF*9V REF02
    rate_class: str | None = None  #: REF*NH REF02
    load_profile: str | None = None  #: REF*LO REF02
    bill_cycle: str | None = None  #: REF*BF REF02
    rate_zone: str | None = None  #: REF*SPL REF02
    summary: UsageSummary | None = None  #: PTD*SU loop
    meters: tuple[MeterUsage, ...] = ()  #: PTD*BO / PM / BC loops
    source: SourceRef | None = None


# -------------------------------------------------------------------------- 810


@dataclass(frozen=True, slots=True)
class Charge:
    """One SAC line of a bill-ready invoice."""

    indicator: ChargeIndicator  #: SAC01
    code: str  #: SAC04 (UIG charge code, e.g. ENC001, MSC001)
    amount: Decimal  #: SAC05, implied 2 decimals, in dollars
    rate: Decimal | None = None  #: SAC08
    unit: Unit | None = None  #: SAC09
    quantity: Decimal | None = None  #: SAC10
    print_sequence: str | None = None  #: SAC13
    description: str | None = None  #: SAC15 (printed on the bill)


@dataclass(frozen=True, slots=True, kw_only=True)
class BillReadyInvoice:
    """810 bill-ready, RES → utility: the RES's charges for one service point, for the utility's bill."""

    invoice_date: date  #: BIG01
    number: str  #: BIG02 (unique; an 824 returns it in OTI03)
    transaction_type: str | None = "ME"  #: BIG07 (any value accepted, spec Q13)
    purpose: Purpose = Purpose.ORIGINAL  #: BIG08 (00 original, 01 cancel)
    original_invoice: str | None = None  #: REF*OI REF02 (on a cancel)
    ldc_account: str  #: REF*12 REF02
    res_account: str | None = None  #: REF*11 REF02
    old_account: str | None = None  #: REF*45 REF02
    service_point: str | None = None  #: REF*LU REF02
    utility: Party  #: N1*8S loop
    supplier: Party  #: N1*SJ loop
    customer: Party | None = None  #: N1*8R loop
    line_number: str = "1"  #: IT101 (IT1 *****SV*ELECTRIC*C3*ACCOUNT)
    period: Period | None = None  #: DTM*150 / DTM*151 in the IT1 loop
    charges: tuple[Charge, ...] = ()  #: SAC in the IT1 loop(s)
    total: Decimal  #: TDS01, implied 2 decimals, in dollars
    source: SourceRef | None = None


# -------------------------------------------------------------------------- 824


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationAdvice:
    """824: the application-level verdict on another transaction (here: a rejected 810 or 867).

    OTI follows X12 4010: OTI06 group date, OTI08 group control number, OTI09 set control
    number (the spec's Q14 numbering OTI07 = GS06 does not match the 4010 segment).
    """

    purpose: Purpose = Purpose.ORIGINAL  #: BGN01
    reference: str  #: BGN02
    created: date  #: BGN03
    utility: Party  #: N1*8S loop
    supplier: Party  #: N1*SJ loop
    customer: Party | None = None  #: N1*8R loop
    ldc_account: str | None = None  #: REF*12 REF02
    res_account: str | None = None  #: REF*11 REF02
    old_account: str | None = None  #: REF*45 REF02
    status: AdviceStatus = AdviceStatus.REJECTED  #: OTI01
    reference_qualifier: str = "TN"  #: OTI02
    original_reference: str  #: OTI03 (BIG02 of an 810, BPT02 of an 867)
    original_date: date | None = None  #: OTI06 (GS04 of the original group)
    original_group: str | None = None  #: OTI08 (GS06 of the original group)
    original_set: str | None = None  #: OTI09 (ST02 of the original set)
    original_set_id: str | None = None  #: OTI10 (ST01 of the original set)
    rejections: tuple[Rejection, ...] = ()  #: TED01 / TED02
    source: SourceRef | None = None


# -------------------------------------------------------------------------- 997


@dataclass(frozen=True, slots=True)
class ElementNote:
    """AK4: an element in error."""

    position: int  #: AK401-1
    component: int | None  #: AK401-2
    data_element: str | None  #: AK402
    code: str  #: AK403
    value: str | None = None  #: AK404


@dataclass(frozen=True, slots=True)
class SegmentNote:
    """AK3 and its AK4s: a segment in error."""

    segment_id: str  #: AK301
    position: int  #: AK302 (ST = 1)
    loop: str | None  #: AK303
    code: str | None  #: AK304
    elements: tuple[ElementNote, ...] = ()  #: AK4


@dataclass(frozen=True, slots=True)
class SetAck:
    """AK2 .. AK5: the verdict on one transaction set."""

    set_id: str  #: AK201 (ST01)
    control: str  #: AK202 (ST02)
    status: AckStatus  #: AK501
    codes: tuple[str, ...] = ()  #: AK502 .. AK506
    segments: tuple[SegmentNote, ...] = ()  #: AK3 loops


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionalAck:
    """997: the syntax verdict on one functional group."""

    functional_id: str  #: AK101 (GS01 of the group)
    group_control: str  #: AK102 (GS06)
    sets: Sequence[SetAck] = ()  #: AK2 loops (a 997 the gateway builds makes them as they are read)
    status: AckStatus  #: AK901
    included: int  #: AK902
    received: int  #: AK903
    accepted: int  #: AK904
    codes: tuple[str, ...] = ()  #: AK905 .. AK909
    source: SourceRef | None = None


Message: TypeAlias = (
    EnrollmentRequest
    | EnrollmentResponse
    | UtilityInitiatedEnrollment
    | DropRequest
    | DropResponse
    | RescissionRequest
    | RescissionResponse
    | DropCancelRequest
    | DropCancelResponse
    | Reinstatement
    | ReinstatementResponse
    | UsageReport
    | BillReadyInvoice
    | ApplicationAdvice
    | FunctionalAck
)
"""Every canonical message the format layer produces or consumes."""
