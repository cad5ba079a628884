"""Canonical messages: the spec's section 5 examples, a render round trip per message type, DST labels.

The examples are copied verbatim from ``../shared/spec/il-edi-4010.md`` section 5 and
split here on ``~`` and ``*``, so these tests do not depend on the X12 reader.
"""

from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import get_args

import pytest

from edi.canonical import ParseError, functional_id, parse, render, transaction_set_id
from edi.classify import Kind, classify
from edi.messages import (
    AccountAttributes,
    AckStatus,
    Action,
    AdviceStatus,
    ApplicationAdvice,
    BillCalculator,
    BillingType,
    BillReadyInvoice,
    Charge,
    ChargeIndicator,
    Commodity,
    DropCancelRequest,
    DropCancelResponse,
    DropRequest,
    DropResponse,
    ElementNote,
    EnrollmentRequest,
    EnrollmentResponse,
    EntityCode,
    FunctionalAck,
    IdQualifier,
    Interval,
    Message,
    MeterRole,
    MeterUsage,
    Party,
    Period,
    Purpose,
    Quantity,
    QuantityQualifier,
    Reading,
    Reinstatement,
    ReinstatementResponse,
    Rejection,
    RejectionCode,
    Relationship,
    RescissionRequest,
    RescissionResponse,
    SegmentNote,
    ServiceType,
    SetAck,
    SourceRef,
    StatusCode,
    TouCode,
    Unit,
    UsageLoop,
    UsageReport,
    UsageSummary,
    UtilityInitiatedEnrollment,
)
from edi.segments import Segment, seg

# ----------------------------------------------------------------- spec section 5

EXAMPLE_5_1_ENROLLMENT_REQUEST = """\
ISA*00*          *00*          *01*987654321      *01*012345678      *240301*0930*U*00401*000000101*0*T*>~
GS*GE*987654321*012345678*20240301*0930*101*X*004010~
ST*814*0001~
BGN*13*RES20240301000001*20240301~
N1*8S*EXAMPLE UTILITY*1*012345678**40~
N1*SJ*EXAMPLE RES LLC*1*987654321**41~
N1*8R*JANE Q CUSTOMER~
N3*100 MAIN ST~
N4*SPRINGFIELD*IL*62701~
PER*IC*JANE Q CUSTOMER*TE*2175550100~
LIN*ENR0000001*SH*EL*SH*CE~
ASI*7*021~
REF*11*RESACCT778~
REF*12*1234567890~
REF*BLT*LDC~
REF*PC*DUAL~
SE*15*0001~
GE*1*101~
IEA*1*000000101~
"""

EXAMPLE_5_2_ENROLLMENT_ACCEPT = """\
ISA*00*          *00*          *01*012345678      *01*987654321      *240302*0615*U*00401*000005001*0*T*>~
GS*GE*012345678*987654321*20240302*0615*5001*X*004010~
ST*814*0001~
BGN*11*UTL20240302000001*20240302***RES20240301000001~
N1*8S*EXAMPLE UTILITY*1*012345678**41~
N1*SJ*EXAMPLE RES LLC*1*987654321**40~
N1*8R*JANE Q CUSTOMER~
LIN*ENR0000001*SH*EL*SH*CE~
ASI*WQ*021~
REF*11*RESACCT778~
REF*12*1234567890~
REF*BLT*LDC~
REF*PC*DUAL~
REF*LU*SP0001~
REF*NH*DS1~
REF*BF*05~
DTM*150*20240315~
AMT*KC*3.25~
SE*17*0001~
GE*1*5001~
IEA*1*000005001~
"""

EXAMPLE_5_3_RESCISSION = """\
ISA*00*          *00*          *01*987654321      *01*012345678      *240305*1410*U*00401*000000102*0*T*>~
GS*GE*987654321*012345678*20240305*1410*102*X*004010~
ST*814*0001~
BGN*13*RES20240305000001*20240305~
N1*8S*EXAMPLE UTILITY*1*012345678**40~
N1*SJ*EXAMPLE RES LLC*1*987654321**41~
N1*8R*JANE Q CUSTOMER~
LIN*DRP0000001*SH*EL*SH*CE~
ASI*7*024~
REF*1P*EB3~
REF*11*RESACCT778~
REF*12*1234567890~
SE*11*0001~
GE*1*102~
IEA*1*000000102~
"""

EXAMPLE_5_4_INTERVAL_867 = """\
ISA*00*          *00*          *01*012345678      *01*987654321      *241105*0200*U*00401*000005002*0*T*>~
GS*PT*012345678*987654321*20241105*0200*5002*X*004010~
ST*867*0001~
BPT*00*UTL867000001*20241105*C1***F~
N1*8S*EXAMPLE UTILITY*1*012345678**41~
N1*SJ*EXAMPLE RES LLC*1*987654321**40~
N1*8R*JANE Q CUSTOMER~
REF*12*1234567890~
REF*11*RESACCT778~
REF*LU*SP0001~
REF*BLT*LDC~
REF*PC*DUAL~
PTD*SU~
DTM*150*20241103*0000*CD~
DTM*151*20241103*0330*CS~
QTY*QD*3.51*KH~
PTD*BO***MG*MTR1001~
DTM*150*20241103*0000*CD~
DTM*151*20241103*0330*CS~
REF*MG*MTR1001~
REF*JH*A~
QTY*QD*1.20*KH~
DTM*582*20241103*0100*CD~
QTY*QD*1.10*KH~
DTM*582*20241103*0200*CD~
QTY*QD*1.05*KH~
DTM*582*20241103*0200*CS~
QTY*QD*0.98*KH~
DTM*582*20241103*0300*CS~
QTY*QD*0.40*KH~
DTM*582*20241103*0400*CS~
PTD*BO***MG*MTR2002~
DTM*150*20241103*0000*CD~
DTM*151*20241103*0330*CS~
REF*MG*MTR2002~
REF*JH*S~
QTY*QD*0.30*KH~
DTM*582*20241103*0100*CD~
QTY*QD*0.28*KH~
DTM*582*20241103*0200*CD~
QTY*QD*0.27*KH~
DTM*582*20241103*0200*CS~
QTY*QD*0.25*KH~
DTM*582*20241103*0300*CS~
QTY*QD*0.12*KH~
DTM*582*20241103*0400*CS~
SE*45*0001~
GE*1*5002~
IEA*1*000005002~
"""

EXAMPLE_5_5_BILL_READY_810 = """\
ISA*00*          *00*          *01*987654321      *01*012345678      *241106*0800*U*00401*000000103*0*T*>~
GS*IN*987654321*012345678*20241106*0800*103*X*004010~
ST*810*0001~
BIG*20241106*RESINV000123*****ME*00~
REF*11*RESACCT778~
REF*12*1234567890~
REF*LU*SP0001~
N1*8S*EXAMPLE UTILITY*1*012345678**40~
N1*SJ*EXAMPLE RES LLC*1*987654321**41~
N1*8R*JANE Q CUSTOMER~
IT1*1*****SV*ELECTRIC*C3*ACCOUNT~
DTM*150*20241001~
DTM*151*20241031~
SAC*C**EU*ENC001*4567***0.0731*KH*624.8*****SUPPLY CHARGE~
SAC*C**EU*MSC001*500**********MONTHLY SUPPLIER FEE~
TDS*5067~
SE*15*0001~
GE*1*103~
IEA*1*000000103~
"""

# Section 5.5 gives the 824 only as a fragment (BGN ... OTI ... TED); the N1 and REF lines
# between are filled in as section 2.9 lists them.
EXAMPLE_5_5_824_REJECT = """\
ST*824*0001~
BGN*00*UTL824000001*20241107~
N1*8S*EXAMPLE UTILITY*1*012345678**41~
N1*SJ*EXAMPLE RES LLC*1*987654321**40~
N1*8R*JANE Q CUSTOMER~
REF*12*1234567890~
REF*11*RESACCT778~
OTI*TR*TN*RESINV000123~
TED*API*SERVICE PERIOD DOES NOT MATCH 867~
SE*10*0001~
"""


def split(text: str) -> list[Segment]:
    """Segments of an example, numbered from 1 as a reader would."""
    raw = [r.strip() for r in text.split("~") if r.strip()]
    return [Segment(parts[0], tuple(parts[1:]), pos) for pos, r in enumerate(raw, 1) for parts in [r.split("*")]]


def transaction(text: str) -> list[Segment]:
    """ST..SE of the first transaction set in ``text``."""
    segments = split(text)
    ids = [s.id for s in segments]
    return segments[ids.index("ST") : ids.index("SE") + 1]


def body(text: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(s.id, s.elements) for s in transaction(text)[1:-1]]


def shape(segments: list[Segment]) -> list[tuple[str, tuple[str, ...]]]:
    return [(s.id, s.elements) for s in segments]


def wrap(message: Message) -> list[Segment]:
    inner = render(message)
    return [seg("ST", transaction_set_id(message), "0001"), *inner, seg("SE", str(len(inner) + 2), "0001")]


SOURCE = SourceRef(file="in/example.x12", isa13="000000101", gs06="101", st02="0001")
UTILITY_TO_RES = (
    Party(EntityCode.UTILITY, "EXAMPLE UTILITY", IdQualifier.DUNS, "012345678", Relationship.SUBMITTER),
    Party(EntityCode.SUPPLIER, "EXAMPLE RES LLC", IdQualifier.DUNS, "987654321", Relationship.RECEIVER),
)
RES_TO_UTILITY = (
    Party(EntityCode.UTILITY, "EXAMPLE UTILITY", IdQualifier.DUNS, "012345678", Relationship.RECEIVER),
    Party(EntityCode.SUPPLIER, "EXAMPLE RES LLC", IdQualifier.DUNS, "987654321", Relationship.SUBMITTER),
)
JANE = Party(EntityCode.CUSTOMER, "JANE Q CUSTOMER")
CT = timedelta(hours=-6)  # CST
CDT = timedelta(hours=-5)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


# ------------------------------------------------------------- parsing the examples


def test_5_1_enrollment_request() -> None:
    message = parse(transaction(EXAMPLE_5_1_ENROLLMENT_REQUEST), SOURCE)
    assert message == EnrollmentRequest(
        reference="RES20240301000001",
        created=date(2024, 3, 1),
        utility=RES_TO_UTILITY[0],
        supplier=RES_TO_UTILITY[1],
        customer=Party(
            EntityCode.CUSTOMER, "JANE Q CUSTOMER", address=("100 MAIN ST",), city="SPRINGFIELD", state="IL",
            postal_code="62701", contact="JANE Q CUSTOMER", phone="2175550100",
        ),
        line_id="ENR0000001",
        commodity=Commodity.ELECTRIC,
        service=ServiceType.SUPPLY,
        ldc_account="1234567890",
        res_account="RESACCT778",
        billing_type=BillingType.LDC,
        calculator=BillCalculator.DUAL,
        source=SOURCE,
    )


def test_5_2_enrollment_accept() -> None:
    message = parse(transaction(EXAMPLE_5_2_ENROLLMENT_ACCEPT), None)
    assert message == EnrollmentResponse(
        reference="UTL20240302000001",
        created=date(2024, 3, 2),
        request_reference="RES20240301000001",
        utility=UTILITY_TO_RES[0],
        supplier=UTILITY_TO_RES[1],
        customer=JANE,
        line_id="ENR0000001",
        accepted=True,
        ldc_account="1234567890",
        res_account="RESACCT778",
        billing_type=BillingType.LDC,
        calculator=BillCalculator.DUAL,
        attributes=AccountAttributes(
            service_point="SP0001", rate_class="DS1", bill_cycle="05", capacity_obligation=Decimal("3.25")
        ),
        effective_date=date(2024, 3, 15),
    )


def test_5_2_reject_variant() -> None:
    """"A reject would carry ASI*U*021 and REF*7G*A76*ACCOUNT NOT FOUND, without the attribute segments"."""
    accept = parse(transaction(EXAMPLE_5_2_ENROLLMENT_ACCEPT), None)
    assert isinstance(accept, EnrollmentResponse)
    reject = replace(
        accept,
        accepted=False,
        rejections=(Rejection(RejectionCode.ACCOUNT_NOT_FOUND, "ACCOUNT NOT FOUND"),),
        attributes=AccountAttributes(),
        effective_date=None,
    )
    expected = [s for s in body(EXAMPLE_5_2_ENROLLMENT_ACCEPT) if s[0] in ("BGN", "N1", "LIN")]
    expected += [
        ("ASI", ("U", "021")),
        ("REF", ("7G", "A76", "ACCOUNT NOT FOUND")),
        ("REF", ("11", "RESACCT778")),
        ("REF", ("12", "1234567890")),
        ("REF", ("BLT", "LDC")),
        ("REF", ("PC", "DUAL")),
    ]
    assert shape(render(reject)) == expected
    assert parse(wrap(reject), None) == reject


def test_5_3_rescission() -> None:
    message = parse(transaction(EXAMPLE_5_3_RESCISSION), None)
    assert message == RescissionRequest(
        reference="RES20240305000001",
        created=date(2024, 3, 5),
        utility=RES_TO_UTILITY[0],
        supplier=RES_TO_UTILITY[1],
        customer=JANE,
        line_id="DRP0000001",
        action=Action.REQUEST,
        reason="EB3",
        ldc_account="1234567890",
        res_account="RESACCT778",
    )


def test_5_3_drop_cancel_variant() -> None:
    """"A drop cancel would differ only in ASI*7*026 and a BGN06 naming the drop being cancelled"."""
    text = (
        EXAMPLE_5_3_RESCISSION.replace("ASI*7*024", "ASI*7*026")
        .replace("REF*1P*EB3~\n", "")
        .replace("BGN*13*RES20240305000001*20240305", "BGN*13*RES20240305000001*20240305***RES20240301000009")
    )
    message = parse(transaction(text), None)
    assert isinstance(message, DropCancelRequest)
    assert message.cancelled_reference == "RES20240301000009"
    assert message.reason is None
    assert shape(render(message)) == body(text)


def test_5_4_interval_867() -> None:
    message = parse(transaction(EXAMPLE_5_4_INTERVAL_867), None)
    assert isinstance(message, UsageReport)
    period = Period(utc(2024, 11, 3, 5), utc(2024, 11, 3, 9, 30))  # 00:00 CDT .. 03:30 CST
    ends = [utc(2024, 11, 3, h) for h in (6, 7, 8, 9, 10)]  # 0100 CD, 0200 CD, 0200 CS, 0300 CS, 0400 CS

    def meter(number: str, role: MeterRole, values: list[str]) -> MeterUsage:
        intervals = tuple(Interval(end, Decimal(v)) for end, v in zip(ends, values, strict=True))
        return MeterUsage(UsageLoop.INTERVAL, number, role, period, intervals=intervals)

    assert message == UsageReport(
        purpose=Purpose.ORIGINAL,
        reference="UTL867000001",
        created=date(2024, 11, 5),
        final=True,
        utility=UTILITY_TO_RES[0],
        supplier=UTILITY_TO_RES[1],
        customer=JANE,
        ldc_account="1234567890",
        res_account="RESACCT778",
        service_point="SP0001",
        billing_type=BillingType.LDC,
        calculator=BillCalculator.DUAL,
        summary=UsageSummary(period, (Quantity(Decimal("3.51")),)),
        meters=(
            meter("MTR1001", MeterRole.ADDITIVE, ["1.20", "1.10", "1.05", "0.98", "0.40"]),
            meter("MTR2002", MeterRole.SUBTRACTIVE, ["0.30", "0.28", "0.27", "0.25", "0.12"]),
        ),
    )
    assert not any(i.estimated for m in message.meters for i in m.intervals)
    additive, subtractive = (sum(i.value for i in m.intervals) for m in message.meters)
    assert (additive, subtractive, additive - subtractive) == (Decimal("4.73"), Decimal("1.22"), Decimal("3.51"))


def test_5_5_bill_ready_810() -> None:
    message = parse(transaction(EXAMPLE_5_5_BILL_READY_810), None)
    assert message == BillReadyInvoice(
        invoice_date=date(2024, 11, 6),
        number="RESINV000123",
        transaction_type="ME",
        purpose=Purpose.ORIGINAL,
        ldc_account="1234567890",
        res_account="RESACCT778",
        service_point="SP0001",
        utility=RES_TO_UTILITY[0],
        supplier=RES_TO_UTILITY[1],
        customer=JANE,
        line_number="1",
        period=Period(date(2024, 10, 1), date(2024, 10, 31)),
        charges=(
            Charge(
                ChargeIndicator.CHARGE, "ENC001", Decimal("45.67"), rate=Decimal("0.0731"), unit=Unit.KWH,
                quantity=Decimal("624.8"), description="SUPPLY CHARGE",
            ),
            Charge(ChargeIndicator.CHARGE, "MSC001", Decimal("5.00"), description="MONTHLY SUPPLIER FEE"),
        ),
        total=Decimal("50.67"),
    )
    assert isinstance(message, BillReadyInvoice)
    assert sum(c.amount for c in message.charges) == message.total


def test_5_5_824_reject() -> None:
    message = parse(transaction(EXAMPLE_5_5_824_REJECT), None)
    assert message == ApplicationAdvice(
        purpose=Purpose.ORIGINAL,
        reference="UTL824000001",
        created=date(2024, 11, 7),
        utility=UTILITY_TO_RES[0],
        supplier=UTILITY_TO_RES[1],
        customer=JANE,
        ldc_account="1234567890",
        res_account="RESACCT778",
        status=AdviceStatus.REJECTED,
        reference_qualifier="TN",
        original_reference="RESINV000123",
        rejections=(Rejection(RejectionCode.MISSING_INFORMATION, "SERVICE PERIOD DOES NOT MATCH 867"),),
    )


EXAMPLES = {
    "5.1": EXAMPLE_5_1_ENROLLMENT_REQUEST,
    "5.2": EXAMPLE_5_2_ENROLLMENT_ACCEPT,
    "5.3": EXAMPLE_5_3_RESCISSION,
    "5.4": EXAMPLE_5_4_INTERVAL_867,
    "5.5-810": EXAMPLE_5_5_BILL_READY_810,
    "5.5-824": EXAMPLE_5_5_824_REJECT,
}


@pytest.mark.parametrize("text", EXAMPLES.values(), ids=list(EXAMPLES))
def test_render_gives_the_example_back(text: str) -> None:
    """Render follows the spec exactly: element order, trailing empties dropped, labels."""
    assert shape(render(parse(transaction(text), None))) == body(text)


@pytest.mark.parametrize("text", EXAMPLES.values(), ids=list(EXAMPLES))
def test_rendered_elements_are_plain_strings(text: str) -> None:
    for s in render(parse(transaction(text), None)):
        assert all(type(e) is str for e in s.elements), s


# ------------------------------------------------------ round trip per message type

RES_ACCOUNT = "RESACCT778"
LDC_ACCOUNT = "1234567890"
BILL_TO = Party(
    EntityCode.BILL_TO, "JANE Q CUSTOMER", address=("PO BOX 12", "ATTN BILLING", "SUITE 3"), city="PEORIA",
    state="IL", postal_code="61602", phone="3095550100", email="JANE@EXAMPLE.COM",
)
CUSTOMER = Party(EntityCode.CUSTOMER, "JANE Q CUSTOMER", address=("100 MAIN ST",), city="SPRINGFIELD",
                 state="IL", postal_code="62701", contact="JANE", email="JANE@EXAMPLE.COM")
ATTRIBUTES = AccountAttributes(
    service_point="SP0001", rate_class="DS1", load_profile="RES1", rate_zone="AMEREN-IL", bill_cycle="05",
    meters=("MTR1001", "MTR2002"), capacity_obligation=Decimal("3.25"), transmission_obligation=Decimal("2.981"),
    obligations_effective=date(2024, 6, 1),
)
CHICAGO_SPRING = [utc(2024, 3, 10, h) for h in (7, 8, 9)]  # 0100 CS, 0200 CS, 0400 CD

MESSAGES: dict[str, Message] = {
    "enrollment request": EnrollmentRequest(
        reference="RES1", created=date(2024, 3, 1), utility=RES_TO_UTILITY[0], supplier=RES_TO_UTILITY[1],
        customer=CUSTOMER, bill_to=BILL_TO, line_id="ENR1", commodity=Commodity.ELECTRIC,
        service=ServiceType.SUPPLY, ldc_account=LDC_ACCOUNT, res_account=RES_ACCOUNT,
        billing_type=BillingType.LDC, calculator=BillCalculator.DUAL, payment_option="POR", ami_preference="Y",
        demand_response="N", product="FIXED", requested_date=date(2024, 4, 1), off_cycle=True, source=SOURCE,
    ),
    "enrollment accept": EnrollmentResponse(
        reference="UTL1", created=date(2024, 3, 2), request_reference="RES1", utility=UTILITY_TO_RES[0],
        supplier=UTILITY_TO_RES[1], customer=JANE, line_id="ENR1", accepted=True,
        status=StatusCode.HISTORICAL_NOT_RELEASED, ldc_account=LDC_ACCOUNT, res_account=RES_ACCOUNT,
        billing_type=BillingType.LDC, calculator=BillCalculator.DUAL, attributes=ATTRIBUTES,
        effective_date=date(2024, 3, 15), effective_time=time(23, 59, 59), source=SOURCE,
    ),
    "enrollment reject": EnrollmentResponse(
        reference="UTL2", created=date(2024, 3, 2), request_reference="RES2", utility=UTILITY_TO_RES[0],
        supplier=UTILITY_TO_RES[1], line_id="ENR2", accepted=False,
        rejections=(Rejection(RejectionCode.DATE_TOO_FAR, "MORE THAN 45 DAYS"), Rejection(RejectionCode.DUPLICATE)),
        ldc_account=LDC_ACCOUNT,
    ),
    "utility-initiated enrollment": UtilityInitiatedEnrollment(
        reference="UTL3", created=date(2024, 3, 2), utility=UTILITY_TO_RES[0], supplier=UTILITY_TO_RES[1],
        customer=JANE, line_id="UIE1", reason=StatusCode.BANKRUPTCY, ldc_account="2234567890",
        old_account=LDC_ACCOUNT, res_account=RES_ACCOUNT, billing_type=BillingType.DUAL,
        calculator=BillCalculator.DUAL, attributes=ATTRIBUTES, effective_date=date(2024, 3, 2),
    ),
    "drop request": DropRequest(
        reference="RES3", created=date(2024, 3, 5), utility=RES_TO_UTILITY[0], supplier=RES_TO_UTILITY[1],
        customer=JANE, line_id="DRP1", action=Action.FINAL, reason="B38", ldc_account=LDC_ACCOUNT,
        res_account=RES_ACCOUNT, requested_date=date(2024, 4, 15), off_cycle=True,
    ),
    "drop response": DropResponse(
        reference="UTL4", created=date(2024, 3, 6), request_reference="RES3", utility=UTILITY_TO_RES[0],
        supplier=UTILITY_TO_RES[1], customer=JANE, line_id="DRP1", accepted=True, ldc_account=LDC_ACCOUNT,
        res_account=RES_ACCOUNT, effective_date=date(2024, 4, 14),
    ),
    "rescission request": RescissionRequest(
        reference="RES5", created=date(2024, 3, 5), utility=RES_TO_UTILITY[0], supplier=RES_TO_UTILITY[1],
        line_id="DRP2", ldc_account=LDC_ACCOUNT,
    ),
    "rescission response": RescissionResponse(
        reference="UTL5", created=date(2024, 3, 6), request_reference="RES5", utility=UTILITY_TO_RES[0],
        supplier=UTILITY_TO_RES[1], line_id="DRP2", accepted=False,
        rejections=(Rejection(RejectionCode.OTHER, "NO PENDING ENROLLMENT"),), ldc_account=LDC_ACCOUNT,
    ),
    "drop cancel request": DropCancelRequest(
        reference="RES6", created=date(2024, 3, 7), cancelled_reference="RES3", utility=RES_TO_UTILITY[0],
        supplier=RES_TO_UTILITY[1], line_id="CNL1", ldc_account=LDC_ACCOUNT, res_account=RES_ACCOUNT,
    ),
    "drop cancel response": DropCancelResponse(
        reference="UTL6", created=date(2024, 3, 8), request_reference="RES6", utility=UTILITY_TO_RES[0],
        supplier=UTILITY_TO_RES[1], line_id="CNL1", accepted=True, ldc_account=LDC_ACCOUNT,
    ),
    "reinstatement": Reinstatement(
        reference="UTL7", created=date(2024, 3, 8), utility=UTILITY_TO_RES[0], supplier=UTILITY_TO_RES[1],
        customer=JANE, line_id="RNS1", ldc_account=LDC_ACCOUNT, res_account="OLDRES42",
        effective_date=date(2024, 3, 15),
    ),
    "reinstatement response": ReinstatementResponse(
        reference="RES8", created=date(2024, 3, 9), request_reference="UTL7", utility=RES_TO_UTILITY[0],
        supplier=RES_TO_UTILITY[1], line_id="RNS1", accepted=False,
        rejections=(Rejection(RejectionCode.ACCOUNT_NOT_FOUND),), ldc_account=LDC_ACCOUNT,
        effective_date=date(2024, 3, 15),
    ),
    "usage report": UsageReport(
        purpose=Purpose.CANCELLATION, reference="UTL867000002", created=date(2024, 3, 12), final=False,
        utility=UTILITY_TO_RES[0], supplier=UTILITY_TO_RES[1], customer=JANE, ldc_account=LDC_ACCOUNT,
        por_group="G1", res_account=RES_ACCOUNT, old_account="0234567890", service_point="SP0001",
        billing_type=BillingType.LDC, calculator=BillCalculator.DUAL, payment_option="POR", rate_class="DS1",
        load_profile="RES1", bill_cycle="05", rate_zone="AMEREN-IL",
        summary=UsageSummary(
            Period(utc(2024, 3, 10, 6), utc(2024, 3, 10, 8)),
            (Quantity(Decimal("2.5")), Quantity(Decimal("1.2"), Unit.KW, QuantityQualifier.ESTIMATED)),
        ),
        meters=(
            MeterUsage(
                UsageLoop.INTERVAL, "MTR1001", MeterRole.ADDITIVE, Period(utc(2024, 3, 10, 6), utc(2024, 3, 10, 9)),
                intervals=(
                    Interval(CHICAGO_SPRING[0], Decimal("1.0")),
                    Interval(CHICAGO_SPRING[1], Decimal("0.9"), QuantityQualifier.ESTIMATED),
                    Interval(CHICAGO_SPRING[2], Decimal("-0.6"), QuantityQualifier.RECEIVED),
                ),
            ),
            MeterUsage(
                UsageLoop.SCALAR, "MTR3003", MeterRole.SUBTRACTIVE, Period(date(2024, 2, 9), date(2024, 3, 10)),
                multiplier=Decimal("40"),
                readings=(
                    Reading(Decimal("624.8"), begin=Decimal("10234"), end=Decimal("10249.62"), tou=TouCode.TOTAL),
                    Reading(Decimal("5.1"), Unit.KW, QuantityQualifier.ESTIMATED),
                ),
            ),
            MeterUsage(
                UsageLoop.UNMETERED, None, MeterRole.ADDITIVE, Period(date(2024, 2, 9), date(2024, 3, 10)),
                readings=(Reading(Decimal("120")),),
            ),
        ),
    ),
    "bill-ready invoice": BillReadyInvoice(
        invoice_date=date(2024, 11, 7), number="RESINV000124", transaction_type="ME",
        purpose=Purpose.CANCELLATION, original_invoice="RESINV000123", ldc_account=LDC_ACCOUNT,
        res_account=RES_ACCOUNT, old_account="0234567890", service_point="SP0001", utility=RES_TO_UTILITY[0],
        supplier=RES_TO_UTILITY[1], customer=JANE, line_number="1",
        period=Period(date(2024, 10, 1), date(2024, 10, 31)),
        charges=(
            Charge(ChargeIndicator.CHARGE, "ENC001", Decimal("45.67"), Decimal("0.0731"), Unit.KWH,
                   Decimal("624.8"), "1", "SUPPLY CHARGE"),
            Charge(ChargeIndicator.ALLOWANCE, "MSC001", Decimal("5.00"), print_sequence="2", description="CREDIT"),
            Charge(ChargeIndicator.INFORMATION, "MSC001", Decimal("1.25"), description="TAX INFO"),
        ),
        total=Decimal("40.67"),
    ),
    "application advice": ApplicationAdvice(
        purpose=Purpose.ORIGINAL, reference="UTL824000002", created=date(2024, 11, 7), utility=UTILITY_TO_RES[0],
        supplier=UTILITY_TO_RES[1], customer=JANE, ldc_account=LDC_ACCOUNT, res_account=RES_ACCOUNT,
        old_account="0234567890", status=AdviceStatus.REJECTED, reference_qualifier="TN",
        original_reference="RESINV000123", original_date=date(2024, 11, 6), original_group="103",
        original_set="0001", original_set_id="810",
        rejections=(Rejection(RejectionCode.DUPLICATE, "DUPLICATE INVOICE"), Rejection(RejectionCode.UNKNOWN_DUNS)),
    ),
    "functional ack": FunctionalAck(
        functional_id="GE", group_control="101",
        sets=(
            SetAck("814", "0001", AckStatus.ACCEPTED),
            SetAck(
                "814", "0002", AckStatus.REJECTED, ("5",),
                (
                    SegmentNote("REF", 9, "LIN", "8", (ElementNote(2, None, "127", "1"),)),
                    SegmentNote("QTY", 12, None, None, (ElementNote(3, 1, "355", "7", "XX"),)),
                    SegmentNote("ZZZ", 14, None, "1"),
                ),
            ),
        ),
        status=AckStatus.PARTIAL, included=2, received=2, accepted=1, codes=("5",),
    ),
}


KIND_OF: dict[type, Kind] = {
    EnrollmentRequest: Kind.ENROLLMENT_REQUEST,
    EnrollmentResponse: Kind.ENROLLMENT_RESPONSE,
    UtilityInitiatedEnrollment: Kind.UTILITY_INITIATED_ENROLLMENT,
    DropRequest: Kind.DROP_REQUEST,
    DropResponse: Kind.DROP_RESPONSE,
    RescissionRequest: Kind.RESCISSION_REQUEST,
    RescissionResponse: Kind.RESCISSION_RESPONSE,
    DropCancelRequest: Kind.DROP_CANCEL_REQUEST,
    DropCancelResponse: Kind.DROP_CANCEL_RESPONSE,
    Reinstatement: Kind.REINSTATEMENT,
    ReinstatementResponse: Kind.REINSTATEMENT_RESPONSE,
    UsageReport: Kind.USAGE_REPORT,
    BillReadyInvoice: Kind.BILL_READY_INVOICE,
    ApplicationAdvice: Kind.APPLICATION_ADVICE,
    FunctionalAck: Kind.FUNCTIONAL_ACK,
}


def test_every_message_type_is_covered() -> None:
    assert {type(m) for m in MESSAGES.values()} == set(get_args(Message)) == set(KIND_OF)


@pytest.mark.parametrize("message", MESSAGES.values(), ids=list(MESSAGES))
def test_round_trip(message: Message) -> None:
    """parse(ST + render(m) + SE) == m, for the fields render writes; and it classifies as its own kind."""
    segments = wrap(message)
    assert classify(segments) is KIND_OF[type(message)]
    assert parse(segments, message.source) == message


def test_off_cycle_effective_time_is_hhmmss_ct() -> None:
    """Spec 2.11: DTM*150*CCYYMMDD*235959*CT on an off-cycle switch."""
    segments = shape(render(MESSAGES["enrollment accept"]))
    assert ("DTM", ("150", "20240315", "235959", "CT")) in segments
    assert ("DTM", ("152", "20240601")) in segments
    assert ("AMT", ("KZ", "2.981")) in segments
    assert ("REF", ("MG", "MTR2002")) in segments


def test_requests_carry_requested_date_and_off_cycle_flag() -> None:
    """Spec 2.11: DTM*007 and REF*TD*OFFCYCLE; inbound DTM*MRR / DTM*151 read as the requested date."""
    segments = shape(render(MESSAGES["drop request"]))
    assert ("ASI", ("F", "024")) in segments
    assert ("REF", ("TD", "OFFCYCLE")) in segments
    assert ("DTM", ("007", "20240415")) in segments
    mrr = [s if s.id != "DTM" else seg("DTM", "MRR", "20240501") for s in wrap(MESSAGES["enrollment request"])]
    request = parse(mrr, None)
    assert isinstance(request, EnrollmentRequest)
    assert request.requested_date == date(2024, 5, 1)


def test_scalar_meter_loop_has_mea_without_mea01() -> None:
    segments = shape(render(MESSAGES["usage report"]))
    assert ("BPT", ("01", "UTL867000002", "20240312", "C1")) in segments
    assert ("REF", ("12", LDC_ACCOUNT, "G1")) in segments
    assert ("PTD", ("PM", "", "", "MG", "MTR3003")) in segments
    assert ("REF", ("4P", "40")) in segments
    assert ("MEA", ("", "PRQ", "624.8", "KH", "10234", "10249.62", "51")) in segments
    assert ("PTD", ("BC",)) in segments


def test_810_amounts_are_implied_two_decimals() -> None:
    invoice = MESSAGES["bill-ready invoice"]
    assert isinstance(invoice, BillReadyInvoice)
    segments = shape(render(invoice))
    assert ("BIG", ("20241107", "RESINV000124", "", "", "", "", "ME", "01")) in segments
    assert ("REF", ("OI", "RESINV000123")) in segments
    assert ("SAC", ("A", "", "EU", "MSC001", "500", "", "", "", "", "", "", "", "2", "", "CREDIT")) in segments
    assert segments[-1] == ("TDS", ("4067",))
    with pytest.raises(ValueError, match="two decimals"):
        render(replace(invoice, total=Decimal("40.675")))


def test_824_oti_follows_x12_4010() -> None:
    segments = shape(render(MESSAGES["application advice"]))
    assert ("OTI", ("TR", "TN", "RESINV000123", "", "", "20241106", "", "103", "0001", "810")) in segments
    assert ("TED", ("UND",)) in segments


def test_997_component_separator() -> None:
    ack = MESSAGES["functional ack"]
    assert isinstance(ack, FunctionalAck)
    segments = render(ack, component_separator="^")
    assert ("AK4", ("3^1", "355", "7", "XX")) in shape(segments)
    assert ("AK9", ("P", "2", "2", "1", "5")) in shape(segments)
    wrapped = [seg("ST", "997", "0001"), *segments, seg("SE", str(len(segments) + 2), "0001")]
    assert parse(wrapped, None, "^") == replace(ack, source=None)


def test_envelope_ids() -> None:
    assert {(transaction_set_id(m), functional_id(m)) for m in MESSAGES.values()} == {
        ("814", "GE"), ("867", "PT"), ("810", "IN"), ("824", "AG"), ("997", "FA"),
    }


# ----------------------------------------------------------------- DST and labels

USAGE_HEAD = """\
ST*867*0001~
BPT*00*UTL867000009*20241105*C1~
N1*8S*EXAMPLE UTILITY*1*012345678**41~
N1*SJ*EXAMPLE RES LLC*1*987654321**40~
REF*12*1234567890~
PTD*BO***MG*MTR1001~
DTM*150*{start}~
DTM*151*{end}~
REF*MG*MTR1001~
REF*JH*A~
"""


def interval_867(day: str, labels: list[str], start: str = "", end: str = "") -> list[Segment]:
    """A one-meter 867 whose intervals carry the given ``HHMM*CODE`` (or ``CCYYMMDD*HHMM*CODE``) labels."""
    text = USAGE_HEAD.format(start=start or f"{day}*0000*CD", end=end or f"{day}*0400*CS")
    for label in labels:
        text += f"QTY*QD*1.00*KH~DTM*582*{label if label.count('*') == 2 else f'{day}*{label}'}~"
    return transaction(text + "SE*99*0001~")


def interval_ends(segments: list[Segment]) -> list[datetime]:
    report = parse(segments, None)
    assert isinstance(report, UsageReport)
    return [i.end for i in report.meters[0].intervals]


def labels(segments: list[Segment]) -> list[str]:
    return ["*".join(s.elements[1:]) for s in segments if s.id == "DTM" and s.get(1) == "582"]


def test_fall_back_labels() -> None:
    """2024-11-03: HE 0200 twice, told apart only by CD / CS."""
    given = ["0100*CD", "0200*CD", "0200*CS", "0300*CS"]
    segments = interval_867("20241103", given)
    assert interval_ends(segments) == [utc(2024, 11, 3, h) for h in (6, 7, 8, 9)]
    assert labels(render(parse(segments, None))) == [f"20241103*{label}" for label in given]


def test_spring_forward_labels() -> None:
    """2024-03-10: 0100 CS, 0200 CS, then 0400 CD (HE 0300 does not exist)."""
    given = ["0100*CS", "0200*CS", "0400*CD"]
    segments = interval_867("20240310", given, start="20240310*0000*CS", end="20240310*0400*CD")
    assert interval_ends(segments) == [utc(2024, 3, 10, h) for h in (7, 8, 9)]
    assert labels(render(parse(segments, None))) == [f"20240310*{label}" for label in given]


def test_spring_forward_0300_cd_is_the_same_instant_as_0200_cs() -> None:
    assert interval_ends(interval_867("20240310", ["0300*CD"])) == [utc(2024, 3, 10, 8)]


def test_prevailing_ct_labels_are_resolved_by_order() -> None:
    """Inbound CT: the repeated fall-back hour is taken in order; the answer is written with CD/CS."""
    segments = interval_867("20241103", ["0100*CT", "0200*CT", "0200*CT", "0300*CT"])
    assert interval_ends(segments) == [utc(2024, 11, 3, h) for h in (6, 7, 8, 9)]
    assert labels(render(parse(segments, None))) == [
        "20241103*0100*CD", "20241103*0200*CD", "20241103*0200*CS", "20241103*0300*CS",
    ]
    spring = interval_867("20240310", ["0100*CT", "0200*CT", "0400*CT"])
    assert interval_ends(spring) == [utc(2024, 3, 10, h) for h in (7, 8, 9)]


def test_period_boundaries_are_instants() -> None:
    """DTM*151*20241103*0330*CS: the final read at 03:30 CST (spec 5.4)."""
    report = parse(interval_867("20241103", ["0100*CD"], end="20241103*0330*CS"), None)
    assert isinstance(report, UsageReport)
    assert report.meters[0].period == Period(utc(2024, 11, 3, 5), utc(2024, 11, 3, 9, 30))


def whole_day(first_end: datetime, hours: int) -> UsageReport:
    ends = [first_end + timedelta(hours=h) for h in range(hours)]
    meter = MeterUsage(
        UsageLoop.INTERVAL, "MTR1001", MeterRole.ADDITIVE, Period(ends[0] - timedelta(hours=1), ends[-1]),
        intervals=tuple(Interval(end, Decimal("1")) for end in ends),
    )
    base = MESSAGES["usage report"]
    assert isinstance(base, UsageReport)
    return replace(base, summary=None, meters=(meter,))


def test_whole_fall_back_day_has_25_labels_ending_0000_next_date() -> None:
    report = whole_day(utc(2024, 11, 3, 6), 25)
    written = labels(render(report))
    assert written[:4] == ["20241103*0100*CD", "20241103*0200*CD", "20241103*0200*CS", "20241103*0300*CS"]
    assert written[-2:] == ["20241103*2300*CS", "20241104*0000*CS"]
    assert parse(wrap(report), report.source) == report


def test_whole_spring_day_has_23_labels() -> None:
    report = whole_day(utc(2024, 3, 10, 7), 23)
    written = labels(render(report))
    assert written[:3] == ["20240310*0100*CS", "20240310*0200*CS", "20240310*0400*CD"]
    assert written[-1] == "20240311*0000*CD"
    assert "20240310*0300*CD" not in written
    assert parse(wrap(report), report.source) == report


def test_midnight_as_2400_when_a_partner_wants_it() -> None:
    """Spec Q5: 0000 on the next date by default, 2400 on the same date on request; both read inbound."""
    report = whole_day(utc(2024, 11, 3, 6), 25)
    assert labels(render(report, midnight_2400=True))[-1] == "20241103*2400*CS"
    ends = interval_ends(interval_867("20241103", ["20241103*2400*CS", "20241104*0000*CS"]))
    assert ends == [utc(2024, 11, 4, 6), utc(2024, 11, 4, 6)]


def test_naive_datetimes_are_refused_when_writing() -> None:
    """A naive datetime would be read as the machine's local time: refuse it instead."""
    report = whole_day(utc(2024, 11, 3, 6), 1)
    meter = report.meters[0]
    naive_interval = replace(meter, intervals=(Interval(datetime(2024, 11, 3, 6), Decimal("1")),))
    naive_period = replace(meter, period=Period(datetime(2024, 11, 3, 5), utc(2024, 11, 3, 6)))
    for bad in (naive_interval, naive_period):
        with pytest.raises(ValueError, match="naive"):
            render(replace(report, meters=(bad,)))


# ------------------------------------------------------------------------- errors


def test_missing_required_piece_is_a_parse_error() -> None:
    segments = [s for s in transaction(EXAMPLE_5_1_ENROLLMENT_REQUEST) if not (s.id == "REF" and s.get(1) == "12")]
    with pytest.raises(ParseError, match=r"REF\*12") as caught:
        parse(segments, None)
    assert caught.value.segment_id == "REF"
    assert caught.value.position == 11  # the LIN it belongs to


def test_missing_party_is_a_parse_error() -> None:
    segments = [s for s in transaction(EXAMPLE_5_5_BILL_READY_810) if not (s.id == "N1" and s.get(1) == "SJ")]
    with pytest.raises(ParseError, match=r"N1\*SJ"):
        parse(segments, None)


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("BGN*13*RES20240301000001*20240301", "BGN*13*RES20240301000001*2024031", "BGN03"),
        ("REF*BLT*LDC", "REF*BLT*XYZ", "REF02"),
        ("LIN*ENR0000001*SH*EL*SH*CE", "LIN", "LIN01"),
    ],
)
def test_unreadable_values_are_parse_errors(old: str, new: str, where: str) -> None:
    text = EXAMPLE_5_1_ENROLLMENT_REQUEST.replace(old, new)
    with pytest.raises(ParseError, match=where):
        parse(transaction(text), None)


@pytest.mark.parametrize("label", ["20241103*2500*CS", "20241103*0100*XX", "20241103**CS", "2024110*0100*CS"])
def test_unreadable_interval_labels_are_parse_errors(label: str) -> None:
    with pytest.raises(ParseError, match="DTM0"):
        parse(interval_867("20241103", [label]), None)


def test_unreadable_quantity_is_a_parse_error() -> None:
    segments = interval_867("20241103", ["0100*CD"])
    bad = [s if s.id != "QTY" else seg("QTY", "QD", "1.2.3", "KH") for s in segments]
    with pytest.raises(ParseError, match="not a number"):
        parse(bad, None)


def test_unclassifiable_and_empty_sets_are_parse_errors() -> None:
    with pytest.raises(ParseError, match="no canonical message"):
        parse(transaction("ST*814*0001~BGN*13*X*20240101~LIN*1*SH*EL*SH*CE~ASI*7*001~SE*5*0001~"), None)
    with pytest.raises(ParseError, match="start with ST"):
        parse([], None)


def test_second_lin_is_a_parse_error() -> None:
    text = EXAMPLE_5_3_RESCISSION.replace("SE*11*0001", "LIN*DRP0000002*SH*EL*SH*CE~\nSE*12*0001")
    with pytest.raises(ParseError, match="more than one LIN"):
        parse(transaction(text), None)


def test_kind_can_be_given() -> None:
    """A caller with its own table passes the kind it found."""
    message = parse(transaction(EXAMPLE_5_3_RESCISSION), None, kind=Kind.DROP_REQUEST)
    assert isinstance(message, DropRequest)
    assert message.reason == "EB3"


def test_parse_error_reads_well_and_pickles() -> None:
    error = ParseError(11, "REF", "REF*12 is required here and missing")
    assert str(error) == "segment 11 (REF): REF*12 is required here and missing"
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.position, copy.segment_id, copy.message) == (11, "REF", "REF*12 is required here and missing")
