"""Segments of one transaction set → canonical message (:func:`parse`), and back (:func:`render`).

``parse`` sees only transaction sets that passed validation, so it stays simple: it takes
what the message needs and raises :class:`ParseError` (never ``IndexError``/``KeyError``)
when a piece is missing or unreadable. ``render`` writes the body between ST and SE in the
element order of the spec's section 5 examples; the envelope writer adds ST/SE.

Time: interval data is held as aware UTC instants and labelled in Central prevailing time
only when written (spec section 4): DTM*582 is hour-ending, with CS or CD for the offset
that held *during* the interval, so the repeated fall-back hour reads 0200 CD then 0200 CS.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from typing import TypeVar, overload
from zoneinfo import ZoneInfo

from edi.classify import UTILITY_INITIATED, Kind, classify
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
    HourlyIntervals,
    IdQualifier,
    Interval,
    Maintenance,
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
    TimeCode,
    TouCode,
    Unit,
    UsageLoop,
    UsageReport,
    UsageSummary,
    UtilityInitiatedEnrollment,
)
from edi.segments import Segment, Separators, seg
from edi.writer import Body, Run

CENTRAL = ZoneInfo("America/Chicago")
"""Illinois prevailing time: the clock of every deadline and every interval label."""

OFF_CYCLE = "OFFCYCLE"
"""REF*TD value that marks an off-cycle request (spec 2.11)."""

_FIXED_OFFSETS = {
    TimeCode.CENTRAL_STANDARD: timedelta(hours=-6),
    TimeCode.CENTRAL_DAYLIGHT: timedelta(hours=-5),
    TimeCode.UTC: timedelta(0),
}
_STANDARD = timedelta(hours=-6)
_DAYLIGHT = timedelta(hours=-5)
_TICK = timedelta(microseconds=1)
_HOUR = timedelta(hours=1)
_ENTITIES = frozenset(e.value for e in EntityCode)
_N1_LOOP = frozenset({"N2", "N3", "N4", "PER", "REF"})

E = TypeVar("E", bound=StrEnum)


class ParseError(Exception):
    """A transaction set lacks a piece its canonical message needs, or holds an unreadable value."""

    def __init__(self, position: int, segment_id: str, message: str) -> None:
        super().__init__(position, segment_id, message)  # all three, so it pickles
        self.position = position  #: ordinal of the segment in its file (0 when unknown)
        self.segment_id = segment_id
        self.message = message

    def __str__(self) -> str:
        return f"segment {self.position} ({self.segment_id or '-'}): {self.message}"


# ============================================================== public entry points


def parse(
    segments: Sequence[Segment],
    source: SourceRef | None,
    component_separator: str = ">",
    *,
    kind: Kind | None = None,
) -> Message:
    """The canonical message of one transaction set (ST..SE inclusive).

    ``kind`` overrides :func:`edi.classify.classify` (e.g. one run with a partner's own table).
    """
    if not segments or segments[0].id != "ST":
        first = segments[0] if segments else Segment("", ())
        raise ParseError(first.pos, first.id, "a transaction set must start with ST")
    st = segments[0]
    body = segments[1:-1] if segments[-1].id == "SE" else segments[1:]
    kind = kind or classify(segments)
    if kind is None:
        raise ParseError(st.pos, st.id, f"no canonical message matches this {st.get(1)} (see edi.classify)")
    if kind is Kind.USAGE_REPORT:
        return _parse_867(st, body, source, component_separator)
    if kind is Kind.BILL_READY_INVOICE:
        return _parse_810(st, body, source)
    if kind is Kind.APPLICATION_ADVICE:
        return _parse_824(st, body, source)
    if kind is Kind.FUNCTIONAL_ACK:
        return _parse_997(st, body, source, component_separator)
    return _parse_814(kind, st, body, source)


def render(message: Message, *, component_separator: str = ">", midnight_2400: bool = False) -> list[Segment]:
    """The body segments (between ST and SE, exclusive) of ``message``.

    ``midnight_2400`` writes an interval ending at local midnight as ``2400`` on the day it
    belongs to instead of ``0000`` on the next date (spec Q5, per partner profile).
    """
    match message:
        case UsageReport():
            return list(itertools.chain.from_iterable(_render_867(message, midnight_2400)))
        case BillReadyInvoice():
            return _render_810(message)
        case ApplicationAdvice():
            return _render_824(message)
        case FunctionalAck():
            return list(_render_997(message, component_separator))
        case _:
            return _render_814(message)


def render_body(message: Message, *, component_separator: str = ">", midnight_2400: bool = False) -> Sequence[Segment]:
    """The segments :func:`render` gives, for :func:`edi.writer.write`: an 867's hourly intervals kept as
    columns (:class:`~edi.messages.HourlyIntervals`) stay so, in a :class:`~edi.writer.Body` whose runs the
    writer takes as text in one piece (867 production profile, README)."""
    if isinstance(message, UsageReport):
        return Body(tuple(_render_867(message, midnight_2400)))
    return render(message, component_separator=component_separator, midnight_2400=midnight_2400)


def render_stream(message: Message, *, component_separator: str = ">") -> Iterator[Segment]:
    """:func:`render`'s segments one at a time: a 997's are made as they are read (one answering 100,000
    sets is 200,000 segments); other messages are small and rendered whole first."""
    if isinstance(message, FunctionalAck):
        return _render_997(message, component_separator)
    return iter(render(message, component_separator=component_separator))


def transaction_set_id(message: Message) -> str:
    """ST01 for ``message``."""
    match message:
        case UsageReport():
            return "867"
        case BillReadyInvoice():
            return "810"
        case ApplicationAdvice():
            return "824"
        case FunctionalAck():
            return "997"
        case _:
            return "814"


_FUNCTIONAL_IDS = {"814": "GE", "867": "PT", "810": "IN", "824": "AG", "997": "FA"}


def functional_id(message: Message) -> str:
    """GS01 of the group ``message`` travels in."""
    return _FUNCTIONAL_IDS[transaction_set_id(message)]


# ================================================================ reading elements


def _fail(s: Segment, n: int, message: str) -> ParseError:
    return ParseError(s.pos, s.id, f"{s.id}{n:02d}: {message}")


def _opt(s: Segment | None, n: int) -> str | None:
    if s is None:
        return None
    return s.get(n) or None


def _req(s: Segment, n: int) -> str:
    value = s.get(n)
    if not value:
        raise _fail(s, n, "required value is missing")
    return value


def _date(s: Segment, n: int) -> date:
    value = _req(s, n)
    try:
        if len(value) != 8 or not value.isdigit():
            raise ValueError(value)
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise _fail(s, n, f"not a CCYYMMDD date: {value!r}") from None


def _opt_date(s: Segment | None, n: int) -> date | None:
    return _date(s, n) if s is not None and s.get(n) else None


def _decimal(s: Segment, n: int) -> Decimal:
    value = _req(s, n)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise _fail(s, n, f"not a number: {value!r}") from None
    if not number.is_finite():
        raise _fail(s, n, f"not a number: {value!r}")
    return number


def _opt_decimal(s: Segment | None, n: int) -> Decimal | None:
    return _decimal(s, n) if s is not None and s.get(n) else None


def _implied2(s: Segment, n: int) -> Decimal:
    """An N2 amount (implied two decimals): ``4567`` is 45.67."""
    return _decimal(s, n).scaleb(-2)


def _int(s: Segment, n: int, value: str | None = None) -> int:
    text = _req(s, n) if value is None else value
    if not text.isdigit():
        raise _fail(s, n, f"not a whole number: {text!r}")
    return int(text)


def _code(cls: type[E], s: Segment, n: int) -> E:
    value = _req(s, n)
    try:
        return cls(value)
    except ValueError:
        raise _fail(s, n, f"unknown {cls.__name__} code {value!r}") from None


def _opt_code(cls: type[E], s: Segment | None, n: int) -> E | None:
    return _code(cls, s, n) if s is not None and s.get(n) else None


def _wall(s: Segment) -> datetime:
    """DTM02 + DTM03 as a naive wall-clock time; ``2400`` is midnight at the end of the day."""
    day = _date(s, 2)
    clock = _req(s, 3)
    if not clock.isdigit() or len(clock) not in (4, 6, 7, 8):
        raise _fail(s, 3, f"not a HHMM[SS] time: {clock!r}")
    hh, mm, ss = int(clock[:2]), int(clock[2:4]), int(clock[4:6] or 0)
    try:
        if (hh, mm, ss) == (24, 0, 0):
            return datetime.combine(day + timedelta(days=1), time())
        return datetime.combine(day, time(hh, mm, ss))
    except (ValueError, OverflowError):
        raise _fail(s, 3, f"not a HHMM[SS] time: {clock!r}") from None


def _clock(s: Segment, n: int) -> time:
    value = _req(s, n)
    try:
        if not value.isdigit() or len(value) not in (4, 6):
            raise ValueError(value)
        return time(int(value[:2]), int(value[2:4]), int(value[4:6] or 0))
    except ValueError:
        raise _fail(s, n, f"not a HHMM[SS] time: {value!r}") from None


def _time_code(s: Segment) -> TimeCode:
    """DTM04; a time without a code is read as Central prevailing time."""
    return _opt_code(TimeCode, s, 4) or TimeCode.CENTRAL


def _utcoffset(moment: datetime) -> timedelta:
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError(f"a naive datetime cannot be labelled: {moment!r}")
    return offset


def _aware(moment: datetime) -> datetime:
    """``moment`` itself; a naive datetime would silently be read as the machine's local time."""
    _utcoffset(moment)
    return moment


def _instant(s: Segment) -> datetime:
    """A point in time (a read, a period boundary) from DTM02..DTM04, as an aware UTC datetime."""
    wall = _wall(s)
    offset = _FIXED_OFFSETS.get(_time_code(s))
    try:
        if offset is None:  # CT / LT: prevailing wall-clock time
            return wall.replace(tzinfo=CENTRAL).astimezone(UTC)
        return (wall - offset).replace(tzinfo=UTC)
    except OverflowError:
        raise _fail(s, 2, "date out of range") from None


def _offset_during(end: datetime) -> timedelta:
    """The Central offset in force just before ``end``: the one an hour-ending label uses."""
    return _utcoffset((_aware(end) - _TICK).astimezone(CENTRAL))


def _interval_end(s: Segment, previous: datetime | None) -> datetime:
    """The end instant of an interval from its DTM*582 hour-ending label.

    With CT (no standard/daylight mark) the fall-back day has two ``0200`` labels; the one
    after ``previous`` is taken, so the repeated hour is resolved by order (spec section 4).
    """
    wall = _wall(s)
    offset = _FIXED_OFFSETS.get(_time_code(s))
    try:
        if offset is not None:
            return (wall - offset).replace(tzinfo=UTC)
        candidates = []
        for assumed in (_DAYLIGHT, _STANDARD):
            end = (wall - assumed).replace(tzinfo=UTC)
            if _offset_during(end) == assumed:
                candidates.append(end)
        if not candidates:  # e.g. 0300 on the spring day: the same instant as 0200 CS
            return wall.replace(tzinfo=CENTRAL).astimezone(UTC)
    except OverflowError:
        raise _fail(s, 2, "date out of range") from None
    later = [end for end in candidates if previous is None or end > previous]
    return later[0] if later else candidates[-1]


def _point(s: Segment) -> date:
    """DTM*150/151: a ``date``, or an aware UTC ``datetime`` when DTM03 carries a time."""
    return _instant(s) if s.get(3) else _date(s, 2)


# ================================================================ writing elements


def _seg(id_: str, *values: str | None) -> Segment:
    """``seg`` with ``None`` as an empty element and enum members written as their codes."""
    return seg(id_, *("" if v is None else str(v) for v in values))


def _d8(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"  # strftime's text at half its cost (every 814 has several)


def _hhmm(moment: datetime | time) -> str:
    text = f"{moment.hour:02d}{moment.minute:02d}"
    return text + f"{moment.second:02d}" if moment.second else text


def _num(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _n2(value: Decimal) -> str:
    """An amount in dollars as N2 (implied two decimals)."""
    cents = value.scaleb(2)
    if cents != cents.to_integral_value():
        raise ValueError(f"{value} has more than two decimals and cannot be written as N2")
    return format(cents.quantize(Decimal(1)), "f")


def _zone(local: datetime) -> str:
    return TimeCode.CENTRAL_DAYLIGHT if local.dst() else TimeCode.CENTRAL_STANDARD


def _instant_dtm(qualifier: str, moment: datetime) -> Segment:
    local = _aware(moment).astimezone(CENTRAL)
    return _seg("DTM", qualifier, _d8(local), _hhmm(local), _zone(local))


def _point_dtm(qualifier: str, value: date) -> Segment:
    if isinstance(value, datetime):
        return _instant_dtm(qualifier, value)
    return _seg("DTM", qualifier, _d8(value))


def _period_dtms(period: Period) -> list[Segment]:
    return [_point_dtm("150", period.start), _point_dtm("151", period.end)]


@lru_cache(maxsize=4096)
def _interval_dtm(end: datetime, midnight_2400: bool) -> Segment:
    """DTM*582 for an interval end: hour-ending, in the offset that held during the interval.

    Cached: every 867 of a month carries the same few hundred hour ends, and working out the label
    (zone lookup, wall time) was a fifth of writing them (867 production profile, README)."""
    offset = _offset_during(end)
    wall = _aware(end).astimezone(UTC).replace(tzinfo=None) + offset
    code = TimeCode.CENTRAL_DAYLIGHT if offset == _DAYLIGHT else TimeCode.CENTRAL_STANDARD
    if midnight_2400 and wall.time() == time():
        return _seg("DTM", "582", _d8(wall.date() - timedelta(days=1)), "2400", code)
    return _seg("DTM", "582", _d8(wall), _hhmm(wall), code)


def _refs(*pairs: tuple[str, str | None]) -> list[Segment]:
    """One REF per pair whose value is present, in the order given."""
    return [_seg("REF", qualifier, value) for qualifier, value in pairs if value]


# ======================================================================== indexes


class _Index:
    """The segments of a span, looked up by id and by id + first element (qualifier)."""

    def __init__(self, segments: Sequence[Segment]) -> None:
        self._by_id: dict[str, list[Segment]] = {}
        self._by_qualifier: dict[tuple[str, str], list[Segment]] = {}
        for s in segments:
            self._by_id.setdefault(s.id, []).append(s)
            self._by_qualifier.setdefault((s.id, s.get(1)), []).append(s)

    def all(self, id_: str, qualifier: str | None = None) -> list[Segment]:
        if qualifier is None:
            return self._by_id.get(id_, [])
        return self._by_qualifier.get((id_, qualifier), [])

    def first(self, id_: str, qualifier: str | None = None) -> Segment | None:
        found = self.all(id_, qualifier)
        return found[0] if found else None

    def need(self, id_: str, qualifier: str | None, anchor: Segment) -> Segment:
        found = self.first(id_, qualifier)
        if found is None:
            name = id_ if qualifier is None else f"{id_}*{qualifier}"
            raise ParseError(anchor.pos, id_, f"{name} is required here and missing")
        return found


# ======================================================================== parties


def _party(segments: Sequence[Segment]) -> Party:
    n1 = segments[0]
    address: list[str] = []
    city = state = postal_code = contact = phone = email = None
    for s in segments[1:]:
        if s.id == "N3":
            address.extend(v for v in s.elements[:2] if v)
        elif s.id == "N4":
            city, state, postal_code = _opt(s, 1), _opt(s, 2), _opt(s, 3)
        elif s.id == "PER":
            contact = contact or _opt(s, 2)
            for n in (3, 5, 7):
                if s.get(n) == "TE":
                    phone = phone or _opt(s, n + 1)
                elif s.get(n) == "EM":
                    email = email or _opt(s, n + 1)
    return Party(
        entity=_code(EntityCode, n1, 1),
        name=_opt(n1, 2),
        id_qualifier=_opt_code(IdQualifier, n1, 3),
        id=_opt(n1, 4),
        relationship=_opt_code(Relationship, n1, 6),
        address=tuple(address),
        city=city,
        state=state,
        postal_code=postal_code,
        contact=contact,
        phone=phone,
        email=email,
    )


def _parties(body: Sequence[Segment]) -> dict[EntityCode, Party]:
    """The N1 loops we know, by N101; the first loop of each code wins."""
    groups: dict[str, list[Segment]] = {}
    current: list[Segment] | None = None
    for s in body:
        if s.id == "N1":
            code = s.get(1)
            current = None if code in groups or code not in _ENTITIES else [s]
            if current is not None:
                groups[code] = current
        elif s.id in ("N3", "N4", "PER") and current is not None:
            current.append(s)
        elif s.id not in _N1_LOOP:
            current = None
    return {EntityCode(code): _party(segs) for code, segs in groups.items()}


def _need_party(parties: dict[EntityCode, Party], entity: EntityCode, anchor: Segment) -> Party:
    party = parties.get(entity)
    if party is None:
        raise ParseError(anchor.pos, "N1", f"the N1*{entity} loop is required and missing")
    return party


def _party_segments(*parties: Party | None) -> list[Segment]:
    out: list[Segment] = []
    for p in parties:
        if p is None:
            continue
        out.append(_seg("N1", p.entity, p.name, p.id_qualifier, p.id, None, p.relationship))
        for i in range(0, len(p.address), 2):
            out.append(_seg("N3", *p.address[i : i + 2]))
        if p.city or p.state or p.postal_code:
            out.append(_seg("N4", p.city, p.state, p.postal_code))
        if p.contact or p.phone or p.email:
            numbers: list[str] = []
            if p.phone:
                numbers += ["TE", p.phone]
            if p.email:
                numbers += ["EM", p.email]
            out.append(_seg("PER", "IC", p.contact, *numbers))
    return out


# ============================================================================ 814


@dataclass(frozen=True, slots=True)
class _Head814:
    """What every 814 has: BGN, the parties, LIN, ASI, the accounts, REF*7G and REF*1P."""

    reference: str
    created: date
    bgn: Segment
    utility: Party
    supplier: Party
    customer: Party | None
    bill_to: Party | None
    line_id: str
    commodity: Commodity
    service: ServiceType
    asi: Segment
    ldc_account: str
    res_account: str | None
    rejections: tuple[Rejection, ...]
    reason: str | None
    ix: _Index

    def accepted(self) -> bool:
        action = _code(Action, self.asi, 1)
        if action not in (Action.ACCEPT, Action.REJECT):
            raise _fail(self.asi, 1, f"a response must be WQ or U, not {action}")
        return action is Action.ACCEPT

    def request_reference(self) -> str:
        return _req(self.bgn, 6)


def _head_814(st: Segment, body: Sequence[Segment]) -> _Head814:
    ix = _Index(body)
    bgn = ix.need("BGN", None, st)
    lins = ix.all("LIN")
    if not lins:
        raise ParseError(bgn.pos, "LIN", "the LIN loop is required and missing")
    if len(lins) > 1:
        raise ParseError(lins[1].pos, "LIN", "more than one LIN loop: an 814 carries one account")
    lin = lins[0]
    parties = _parties(body)
    return _Head814(
        reference=_req(bgn, 2),
        created=_date(bgn, 3),
        bgn=bgn,
        utility=_need_party(parties, EntityCode.UTILITY, bgn),
        supplier=_need_party(parties, EntityCode.SUPPLIER, bgn),
        customer=parties.get(EntityCode.CUSTOMER),
        bill_to=parties.get(EntityCode.BILL_TO),
        line_id=_req(lin, 1),
        commodity=_code(Commodity, lin, 3),
        service=_opt_code(ServiceType, lin, 5) or ServiceType.SUPPLY,
        asi=ix.need("ASI", None, lin),
        ldc_account=_req(ix.need("REF", "12", lin), 2),
        res_account=_opt(ix.first("REF", "11"), 2),
        rejections=tuple(Rejection(_code(RejectionCode, s, 2), _opt(s, 3)) for s in ix.all("REF", "7G")),
        reason=_opt(ix.first("REF", "1P"), 2),
        ix=ix,
    )


def _attributes(ix: _Index) -> AccountAttributes:
    return AccountAttributes(
        service_point=_opt(ix.first("REF", "LU"), 2),
        rate_class=_opt(ix.first("REF", "NH"), 2),
        load_profile=_opt(ix.first("REF", "LO"), 2),
        rate_zone=_opt(ix.first("REF", "SPL"), 2),
        bill_cycle=_opt(ix.first("REF", "BF"), 2),
        meters=tuple(s.get(2) for s in ix.all("REF", "MG") if s.get(2)),
        capacity_obligation=_opt_decimal(ix.first("AMT", "KC"), 2),
        transmission_obligation=_opt_decimal(ix.first("AMT", "KZ"), 2),
        obligations_effective=_opt_date(ix.first("DTM", "152"), 2),
    )


def _off_cycle(ix: _Index) -> bool:
    return any(s.get(2) == OFF_CYCLE for s in ix.all("REF", "TD"))


def _parse_814(kind: Kind, st: Segment, body: Sequence[Segment], source: SourceRef | None) -> Message:
    h = _head_814(st, body)
    ix = h.ix
    match kind:
        case Kind.ENROLLMENT_REQUEST:
            return EnrollmentRequest(
                reference=h.reference, created=h.created,
                utility=h.utility, supplier=h.supplier, customer=h.customer, bill_to=h.bill_to,
                line_id=h.line_id, commodity=h.commodity, service=h.service,
                ldc_account=h.ldc_account, res_account=h.res_account,
                billing_type=_opt_code(BillingType, ix.first("REF", "BLT"), 2),
                calculator=_opt_code(BillCalculator, ix.first("REF", "PC"), 2),
                payment_option=_opt(ix.first("REF", "9V"), 2),
                ami_preference=_opt(ix.first("REF", "17"), 2),
                demand_response=_opt(ix.first("REF", "DR"), 2),
                product=_opt(ix.first("REF", "PRT"), 2),
                service_point=_opt(ix.first("REF", "LU"), 2),
                requested_date=_opt_date(ix.first("DTM", "007") or ix.first("DTM", "MRR"), 2),
                off_cycle=_off_cycle(ix),
                source=source,
            )
        case Kind.ENROLLMENT_RESPONSE:
            effective = ix.first("DTM", "150")
            return EnrollmentResponse(
                reference=h.reference, created=h.created, request_reference=h.request_reference(),
                utility=h.utility, supplier=h.supplier, customer=h.customer,
                line_id=h.line_id, commodity=h.commodity, service=h.service,
                accepted=h.accepted(), rejections=h.rejections,
                status=_opt_code(StatusCode, ix.first("REF", "1P"), 2),
                ldc_account=h.ldc_account, res_account=h.res_account,
                billing_type=_opt_code(BillingType, ix.first("REF", "BLT"), 2),
                calculator=_opt_code(BillCalculator, ix.first("REF", "PC"), 2),
                attributes=_attributes(ix),
                effective_date=_opt_date(effective, 2),
                effective_time=_clock(effective, 3) if effective is not None and effective.get(3) else None,
                source=source,
            )
        case Kind.UTILITY_INITIATED_ENROLLMENT:
            return UtilityInitiatedEnrollment(
                reference=h.reference, created=h.created,
                utility=h.utility, supplier=h.supplier, customer=h.customer,
                line_id=h.line_id, commodity=h.commodity, service=h.service,
                reason=_code(StatusCode, ix.need("REF", "1P", h.asi), 2),
                ldc_account=h.ldc_account,
                old_account=_opt(ix.first("REF", "45"), 2),
                res_account=h.res_account,
                billing_type=_opt_code(BillingType, ix.first("REF", "BLT"), 2),
                calculator=_opt_code(BillCalculator, ix.first("REF", "PC"), 2),
                attributes=_attributes(ix),
                effective_date=_opt_date(ix.first("DTM", "150"), 2),
                source=source,
            )
        case Kind.DROP_REQUEST:
            return DropRequest(
                reference=h.reference, created=h.created,
                utility=h.utility, supplier=h.supplier, customer=h.customer,
                line_id=h.line_id, commodity=h.commodity, service=h.service,
                action=_code(Action, h.asi, 1), reason=h.reason,
                ldc_account=h.ldc_account, res_account=h.res_account,
                service_point=_opt(ix.first("REF", "LU"), 2),
                requested_date=_opt_date(ix.first("DTM", "007") or ix.first("DTM", "151"), 2),
                off_cycle=_off_cycle(ix),
                source=source,
            )
        case Kind.DROP_RESPONSE:
            return DropResponse(
                reference=h.reference, created=h.created, request_reference=h.request_reference(),
                utility=h.utility, supplier=h.supplier, customer=h.customer,
                line_id=h.line_id, commodity=h.commodity, service=h.service,
                accepted=h.accepted(), rejections=h.rejections,
                ldc_account=h.ldc_account, res_account=h.res_account,
                effective_date=_opt_date(ix.first("DTM", "151"), 2),
                source=source,
            )
        case Kind.RESCISSION_REQUEST:
            return RescissionRequest(
                reference=h.reference, created=h.created,
                utility=h.utility, supplier=h.supplier, customer=h.customer,
                line_id=h.line_id, commodity=h.commodity, service=h.service,
                action=_code(Action, h.asi, 1),
                reason=_req(ix.need("REF", "1P", h.asi), 2),
                ldc_account=h.ldc_account, res_account=h.res_account,
                source=source,
            )
        case Kind.RESCISSION_RESPONSE:
            return RescissionResponse(
                reference=h.reference, created=h.created, request_reference=h.request_reference(),
                utility=h.utility, supplier=h.supplier, customer=h.customer,
                line_id=h.line_id, commodity=h.commodity, service=h.service,
                accepted=h.accepted(), rejections=h.rejections,
                reason=_req(ix.need("REF", "1P", h.asi), 2),
                ldc_account=h.ldc_account, res_account=h.res_account,
                source=source,
            )
        case Kind.DROP_CANCEL_REQUEST:
            return DropCancelRequest(
                reference=h.reference, created=h.created, cancelled_reference=_opt(h.bgn, 6),
                utility=h.utility, supplier=h.supplier, customer=h.customer,
                line_id=h.line_id, commodity=h.commodity, service=h.service,
                reason=h.reason,
                ldc_account=h.ldc_account, res_account=h.res_account,
                source=source,
            )
        case Kind.DROP_CANCEL_RESPONSE:
            return DropCancelResponse(
                reference=h.reference, created=h.created, request_reference=h.request_reference(),
                utility=h.utility, supplier=h.supplier, customer=h.customer,
                line_id=h.line_id, commodity=h.commodity, service=h.service,
                accepted=h.accepted(), rejections=h.rejections,
                ldc_account=h.ldc_account, res_account=h.res_account,
                source=source,
            )
        case Kind.REINSTATEMENT:
            return Reinstatement(
                reference=h.reference, created=h.created,
                utility=h.utility, supplier=h.supplier, customer=h.customer,
                line_id=h.line_id, commodity=h.commodity, service=h.service,
                ldc_account=h.ldc_account, res_account=h.res_account,
                effective_date=_date(ix.need("DTM", "150", h.asi), 2),
                source=source,
            )
        case Kind.REINSTATEMENT_RESPONSE:
            return ReinstatementResponse(
                reference=h.reference, created=h.created, request_reference=h.request_reference(),
                utility=h.utility, supplier=h.supplier, customer=h.customer,
                line_id=h.line_id, commodity=h.commodity, service=h.service,
                accepted=h.accepted(), rejections=h.rejections,
                ldc_account=h.ldc_account, res_account=h.res_account,
                effective_date=_opt_date(ix.first("DTM", "150"), 2),
                source=source,
            )
    raise ParseError(st.pos, st.id, f"{kind} is not an 814 message")


def _emit_814(
    *,
    purpose: Purpose,
    reference: str,
    created: date,
    bgn06: str | None = None,
    parties: Sequence[Party | None],
    line_id: str,
    commodity: Commodity,
    service: ServiceType,
    action: Action,
    maintenance: Maintenance,
    rejections: Sequence[Rejection] = (),
    refs: Sequence[tuple[str, str | None]] = (),
    dtms: Sequence[Segment] = (),
    amts: Sequence[Segment] = (),
) -> list[Segment]:
    """The one 814 layout: BGN, N1 loops, LIN, ASI, REF*7G, REFs, DTMs, AMTs (spec 2.0, 5.1-5.3)."""
    out = [_seg("BGN", purpose, reference, _d8(created), None, None, bgn06)]
    out += _party_segments(*parties)
    out.append(_seg("LIN", line_id, "SH", commodity, "SH", service))
    out.append(_seg("ASI", action, maintenance))
    out += [_seg("REF", "7G", r.code, r.text) for r in rejections]
    out += _refs(*refs)
    out += dtms
    out += amts
    return out


def _verdict(accepted: bool) -> Action:
    return Action.ACCEPT if accepted else Action.REJECT


def _date_dtm(qualifier: str, day: date | None) -> list[Segment]:
    return [] if day is None else [_seg("DTM", qualifier, _d8(day))]


def _attribute_refs(a: AccountAttributes) -> list[tuple[str, str | None]]:
    return [
        ("LU", a.service_point),
        ("NH", a.rate_class),
        ("LO", a.load_profile),
        ("SPL", a.rate_zone),
        ("BF", a.bill_cycle),
        *(("MG", meter) for meter in a.meters),
    ]


def _attribute_amts(a: AccountAttributes) -> list[Segment]:
    pairs = (("KC", a.capacity_obligation), ("KZ", a.transmission_obligation))
    return [_seg("AMT", qualifier, _num(value)) for qualifier, value in pairs if value is not None]


def _render_814(m: Message) -> list[Segment]:
    match m:
        case EnrollmentRequest():
            return _emit_814(
                purpose=Purpose.REQUEST, reference=m.reference, created=m.created,
                parties=(m.utility, m.supplier, m.customer, m.bill_to),
                line_id=m.line_id, commodity=m.commodity, service=m.service,
                action=Action.REQUEST, maintenance=Maintenance.ENROLLMENT,
                refs=(
                    ("TD", OFF_CYCLE if m.off_cycle else None),
                    ("11", m.res_account), ("12", m.ldc_account),
                    ("BLT", m.billing_type), ("PC", m.calculator), ("9V", m.payment_option),
                    ("17", m.ami_preference), ("DR", m.demand_response), ("PRT", m.product),
                    ("LU", m.service_point),
                ),
                dtms=_date_dtm("007", m.requested_date),
            )
        case EnrollmentResponse():
            effective: list[Segment] = []
            if m.effective_date is not None:
                clock = m.effective_time.strftime("%H%M%S") if m.effective_time is not None else None
                code = TimeCode.CENTRAL if m.effective_time is not None else None
                effective.append(_seg("DTM", "150", _d8(m.effective_date), clock, code))
            return _emit_814(
                purpose=Purpose.RESPONSE, reference=m.reference, created=m.created,
                bgn06=m.request_reference,
                parties=(m.utility, m.supplier, m.customer),
                line_id=m.line_id, commodity=m.commodity, service=m.service,
                action=_verdict(m.accepted), maintenance=Maintenance.ENROLLMENT,
                rejections=m.rejections,
                refs=(
                    ("1P", m.status), ("11", m.res_account), ("12", m.ldc_account),
                    ("BLT", m.billing_type), ("PC", m.calculator), *_attribute_refs(m.attributes),
                ),
                dtms=effective + _date_dtm("152", m.attributes.obligations_effective),
                amts=_attribute_amts(m.attributes),
            )
        case UtilityInitiatedEnrollment():
            return _emit_814(
                purpose=Purpose.RESPONSE, reference=m.reference, created=m.created,
                bgn06=UTILITY_INITIATED,
                parties=(m.utility, m.supplier, m.customer),
                line_id=m.line_id, commodity=m.commodity, service=m.service,
                action=Action.ACCEPT, maintenance=Maintenance.ENROLLMENT,
                refs=(
                    ("1P", m.reason), ("11", m.res_account), ("12", m.ldc_account), ("45", m.old_account),
                    ("BLT", m.billing_type), ("PC", m.calculator), *_attribute_refs(m.attributes),
                ),
                dtms=_date_dtm("150", m.effective_date) + _date_dtm("152", m.attributes.obligations_effective),
                amts=_attribute_amts(m.attributes),
            )
        case DropRequest():
            return _emit_814(
                purpose=Purpose.REQUEST, reference=m.reference, created=m.created,
                parties=(m.utility, m.supplier, m.customer),
                line_id=m.line_id, commodity=m.commodity, service=m.service,
                action=m.action, maintenance=Maintenance.DROP,
                refs=(
                    ("1P", m.reason), ("TD", OFF_CYCLE if m.off_cycle else None),
                    ("11", m.res_account), ("12", m.ldc_account), ("LU", m.service_point),
                ),
                dtms=_date_dtm("007", m.requested_date),
            )
        case DropResponse():
            return _emit_814(
                purpose=Purpose.RESPONSE, reference=m.reference, created=m.created,
                bgn06=m.request_reference,
                parties=(m.utility, m.supplier, m.customer),
                line_id=m.line_id, commodity=m.commodity, service=m.service,
                action=_verdict(m.accepted), maintenance=Maintenance.DROP,
                rejections=m.rejections,
                refs=(("11", m.res_account), ("12", m.ldc_account)),
                dtms=_date_dtm("151", m.effective_date),
            )
        case RescissionRequest():
            return _emit_814(
                purpose=Purpose.REQUEST, reference=m.reference, created=m.created,
                parties=(m.utility, m.supplier, m.customer),
                line_id=m.line_id, commodity=m.commodity, service=m.service,
                action=m.action, maintenance=Maintenance.DROP,
                refs=(("1P", m.reason), ("11", m.res_account), ("12", m.ldc_account)),
            )
        case RescissionResponse():
            return _emit_814(
                purpose=Purpose.RESPONSE, reference=m.reference, created=m.created,
                bgn06=m.request_reference,
                parties=(m.utility, m.supplier, m.customer),
                line_id=m.line_id, commodity=m.commodity, service=m.service,
                action=_verdict(m.accepted), maintenance=Maintenance.DROP,
                rejections=m.rejections,
                refs=(("1P", m.reason), ("11", m.res_account), ("12", m.ldc_account)),
            )
        case DropCancelRequest():
            return _emit_814(
                purpose=Purpose.REQUEST, reference=m.reference, created=m.created,
                bgn06=m.cancelled_reference,
                parties=(m.utility, m.supplier, m.customer),
                line_id=m.line_id, commodity=m.commodity, service=m.service,
                action=Action.REQUEST, maintenance=Maintenance.DROP_CANCEL,
                refs=(("1P", m.reason), ("11", m.res_account), ("12", m.ldc_account)),
            )
        case DropCancelResponse():
            return _emit_814(
                purpose=Purpose.RESPONSE, reference=m.reference, created=m.created,
                bgn06=m.request_reference,
                parties=(m.utility, m.supplier, m.customer),
                line_id=m.line_id, commodity=m.commodity, service=m.service,
                action=_verdict(m.accepted), maintenance=Maintenance.DROP_CANCEL,
                rejections=m.rejections,
                refs=(("11", m.res_account), ("12", m.ldc_account)),
            )
        case Reinstatement():
            return _emit_814(
                purpose=Purpose.REQUEST, reference=m.reference, created=m.created,
                parties=(m.utility, m.supplier, m.customer),
                line_id=m.line_id, commodity=m.commodity, service=m.service,
                action=Action.REQUEST, maintenance=Maintenance.REINSTATEMENT,
                refs=(("11", m.res_account), ("12", m.ldc_account)),
                dtms=_date_dtm("150", m.effective_date),
            )
        case ReinstatementResponse():
            return _emit_814(
                purpose=Purpose.RESPONSE, reference=m.reference, created=m.created,
                bgn06=m.request_reference,
                parties=(m.utility, m.supplier, m.customer),
                line_id=m.line_id, commodity=m.commodity, service=m.service,
                action=_verdict(m.accepted), maintenance=Maintenance.REINSTATEMENT,
                rejections=m.rejections,
                refs=(("11", m.res_account), ("12", m.ldc_account)),
                dtms=_date_dtm("150", m.effective_date),
            )
    raise TypeError(f"not a canonical message: {type(m).__name__}")


# ============================================================================ 867


def _split(segments: Sequence[Segment], opener: str) -> tuple[list[Segment], list[list[Segment]]]:
    """The segments before the first ``opener``, and one list per ``opener`` loop."""
    before: list[Segment] = []
    loops: list[list[Segment]] = []
    for s in segments:
        if s.id == opener:
            loops.append([s])
        elif loops:
            loops[-1].append(s)
        else:
            before.append(s)
    return before, loops


def _period(ix: _Index, anchor: Segment) -> Period:
    return Period(_point(ix.need("DTM", "150", anchor)), _point(ix.need("DTM", "151", anchor)))


def _unit(qty: Segment, separator: str) -> Unit:
    """QTY03 (composite C001): its first component, kWh when absent."""
    code = qty.components(3, separator)[0]
    if not code:
        return Unit.KWH
    try:
        return Unit(code)
    except ValueError:
        raise _fail(qty, 3, f"unknown Unit code {code!r}") from None


def _meter(loop: list[Segment], separator: str) -> MeterUsage:
    ptd = loop[0]
    level, groups = _split(loop[1:], "QTY")
    ix = _Index(level)
    intervals: list[Interval] = []
    readings: list[Reading] = []
    previous: datetime | None = None
    for group in groups:
        qty = group[0]
        qualifier, value, unit = _code(QuantityQualifier, qty, 1), _decimal(qty, 2), _unit(qty, separator)
        dtm = next((s for s in group if s.id == "DTM" and s.get(1) == "582"), None)
        if dtm is not None:
            previous = _interval_end(dtm, previous)
            intervals.append(Interval(previous, value, qualifier, unit))
        else:
            mea = next((s for s in group if s.id == "MEA"), None)
            begin, end, tou = _opt_decimal(mea, 5), _opt_decimal(mea, 6), _opt_code(TouCode, mea, 7)
            readings.append(Reading(value, unit, qualifier, begin, end, tou))
    return MeterUsage(
        loop=_code(UsageLoop, ptd, 1),
        number=ptd.get(5) or _opt(ix.first("REF", "MG"), 2),
        role=_opt_code(MeterRole, ix.first("REF", "JH"), 2),
        period=_period(ix, ptd),
        multiplier=_opt_decimal(ix.first("REF", "4P"), 2),
        intervals=tuple(intervals),
        readings=tuple(readings),
    )


def _parse_867(st: Segment, body: Sequence[Segment], source: SourceRef | None, separator: str) -> UsageReport:
    head, loops = _split(body, "PTD")
    ix = _Index(head)
    bpt = ix.need("BPT", None, st)
    parties = _parties(head)
    ref12 = ix.need("REF", "12", bpt)
    summary: UsageSummary | None = None
    meters: list[MeterUsage] = []
    for loop in loops:
        ptd = loop[0]
        if ptd.get(1) == "PL":  # optional TOU totals, meaning unverified (spec Q1)
            continue
        if ptd.get(1) != UsageLoop.SUMMARY:
            meters.append(_meter(loop, separator))
            continue
        level, groups = _split(loop[1:], "QTY")
        quantities = tuple(
            Quantity(_decimal(g[0], 2), _unit(g[0], separator), _code(QuantityQualifier, g[0], 1)) for g in groups
        )
        if summary is None:
            summary = UsageSummary(_period(_Index(level), ptd), quantities)
        else:  # one SU loop per unit of measure: same period, more quantities
            summary = UsageSummary(summary.period, summary.quantities + quantities)
    return UsageReport(
        purpose=_code(Purpose, bpt, 1),
        reference=_req(bpt, 2),
        created=_date(bpt, 3),
        final=bpt.get(7) == "F",
        utility=_need_party(parties, EntityCode.UTILITY, bpt),
        supplier=_need_party(parties, EntityCode.SUPPLIER, bpt),
        customer=parties.get(EntityCode.CUSTOMER),
        ldc_account=_req(ref12, 2),
        por_group=_opt(ref12, 3),
        res_account=_opt(ix.first("REF", "11"), 2),
        old_account=_opt(ix.first("REF", "45"), 2),
        service_point=_opt(ix.first("REF", "LU"), 2),
        billing_type=_opt_code(BillingType, ix.first("REF", "BLT"), 2),
        calculator=_opt_code(BillCalculator, ix.first("REF", "PC"), 2),
        payment_option=_opt(ix.first("REF", "9V"), 2),
        rate_class=_opt(ix.first("REF", "NH"), 2),
        load_profile=_opt(ix.first("REF", "LO"), 2),
        bill_cycle=_opt(ix.first("REF", "BF"), 2),
        rate_zone=_opt(ix.first("REF", "SPL"), 2),
        summary=summary,
        meters=tuple(meters),
        source=source,
    )


def _quantity(q: Quantity | Interval) -> Segment:
    return _seg("QTY", q.qualifier, _num(q.value), q.unit)


def _render_867(m: UsageReport, midnight_2400: bool) -> list[Sequence[Segment]]:
    """The body in pieces: lists of segments, and a run for each meter's :class:`HourlyIntervals`."""
    out = [_seg("BPT", m.purpose, m.reference, _d8(m.created), "C1", None, None, "F" if m.final else None)]
    pieces: list[Sequence[Segment]] = [out]
    out += _party_segments(m.utility, m.supplier, m.customer)
    out.append(_seg("REF", "12", m.ldc_account, m.por_group))
    out += _refs(
        ("11", m.res_account), ("45", m.old_account), ("LU", m.service_point),
        ("BLT", m.billing_type), ("PC", m.calculator), ("9V", m.payment_option),
        ("NH", m.rate_class), ("LO", m.load_profile), ("BF", m.bill_cycle), ("SPL", m.rate_zone),
    )
    if m.summary is not None:
        out.append(_seg("PTD", UsageLoop.SUMMARY))
        out += _period_dtms(m.summary.period)
        out += [_quantity(q) for q in m.summary.quantities]
    for meter in m.meters:
        out.append(_seg("PTD", meter.loop, None, None, "MG" if meter.number else None, meter.number))
        out += _period_dtms(meter.period)
        out += _refs(("MG", meter.number), ("JH", meter.role), ("4P", _num(meter.multiplier)))
        for r in meter.readings:
            out.append(_seg("QTY", r.qualifier, _num(r.consumption), r.unit))
            if r.begin is not None or r.end is not None or r.tou is not None:
                out.append(_seg("MEA", None, "PRQ", _num(r.consumption), r.unit, _num(r.begin), _num(r.end), r.tou))
        if isinstance(meter.intervals, HourlyIntervals):
            out = []
            pieces += [_HourlyRun(meter.intervals, midnight_2400), out]
        else:
            out += _interval_segments(meter.intervals, midnight_2400)
    return [piece for piece in pieces if piece]


_new_segment = tuple.__new__


def _interval_segments(intervals: Sequence[Interval], midnight_2400: bool) -> list[Segment]:
    """The ``QTY`` + ``DTM*582`` pair of every interval, each ``QTY`` made straight from its value.

    A month of hourly data is 720 pairs per meter, 7.2 million for 10,000 points: going through
    :func:`_seg` (its generator, ``str`` of each value, the trailing-empty check) was a quarter of writing
    them (867 production profile, README). Same segments as :func:`_quantity`: none of the three is
    empty (the qualifier and unit are codes, the value a number).
    """
    out: list[Segment] = []
    append, dtm = out.append, _interval_dtm
    values, _ = _value_texts([i.value for i in intervals])
    for i, value in zip(intervals, values, strict=True):
        append(_new_segment(Segment, ("QTY", (str(i.qualifier), value, str(i.unit)), 0)))
        append(dtm(i.end, midnight_2400))
    return out


class _HourlyRun(Run):
    """The ``QTY`` + ``DTM*582`` pairs of :class:`HourlyIntervals`, made from the columns: as segments, the
    ones :func:`_interval_segments` makes of the same intervals; as text, their text in one piece."""

    __slots__ = ("_intervals", "_midnight_2400")

    def __init__(self, intervals: HourlyIntervals, midnight_2400: bool) -> None:
        self._intervals = intervals
        self._midnight_2400 = midnight_2400

    def __len__(self) -> int:
        return 2 * len(self._intervals)

    @overload
    def __getitem__(self, index: int) -> Segment: ...

    @overload
    def __getitem__(self, index: slice) -> list[Segment]: ...

    def __getitem__(self, index: int | slice) -> Segment | list[Segment]:
        return self._segments()[index]  # made whole each time: a run is written or iterated, rarely indexed

    def __iter__(self) -> Iterator[Segment]:
        return iter(self._segments())

    def _segments(self) -> list[Segment]:
        intervals = self._intervals
        values, _ = _value_texts(intervals.values)
        qualifiers, unit = _qualifiers(intervals), str(intervals.unit)
        quantities = [_new_segment(Segment, ("QTY", (q, v, unit), 0)) for q, v in zip(qualifiers, values, strict=True)]
        dtms = _hour_dtms(intervals.first, len(values), self._midnight_2400)
        return list(itertools.chain.from_iterable(zip(quantities, dtms, strict=True)))

    def text(self, separators: Separators) -> str:
        intervals = self._intervals
        values, joined = _value_texts(intervals.values)
        if separators.element in joined or separators.segment in joined:
            return separators.render_all(self._segments())  # raises, naming the segment
        (actual, estimated), tails = _hour_texts(intervals.first, len(values), intervals.unit, self._midnight_2400,
                                                 separators)
        parts = [actual] * (3 * len(values))
        for i in intervals.estimated:
            parts[3 * i] = estimated
        parts[1::3] = values
        parts[2::3] = tails
        return "".join(parts)


def _value_texts(values: Sequence[Decimal]) -> tuple[list[str], str]:
    """QTY02 of each value, and all of them joined (to look for an exponent or a separator once): ``str``,
    half the cost of ``format(…, "f")`` and the same text unless it has an exponent."""
    texts = list(map(str, values))
    joined = "".join(texts)
    if "E" in joined:
        texts = [format(v, "f") if "E" in t else t for v, t in zip(values, texts, strict=True)]
        joined = "".join(texts)
    return texts, joined


def _qualifiers(intervals: HourlyIntervals) -> list[str]:
    """QTY01 of each value."""
    out = [str(QuantityQualifier.ACTUAL)] * len(intervals)
    for i in intervals.estimated:
        out[i] = str(QuantityQualifier.ESTIMATED)
    return out


@lru_cache(maxsize=64)
def _hour_dtms(first: datetime, n: int, midnight_2400: bool) -> tuple[Segment, ...]:
    """The ``DTM*582`` of ``n`` hours ending from ``first`` on: the same for every point read on the same dates."""
    return tuple(_interval_dtm(first + i * _HOUR, midnight_2400) for i in range(n))


@lru_cache(maxsize=64)
def _hour_texts(first: datetime, n: int, unit: Unit, midnight_2400: bool, separators: Separators
                ) -> tuple[tuple[str, str], tuple[str, ...]]:
    """The text around the values of an hourly run: ``QTY*QD*`` (actual) and ``QTY*KA*`` (estimated) before
    one, and after each the unit, the terminator and its hour's ``DTM*582``. Made once per month and
    separators, checked as :meth:`Separators.render` checks the segments themselves."""
    element, tail = separators.element, separators.segment + separators.suffix
    actual, estimated = str(QuantityQualifier.ACTUAL), str(QuantityQualifier.ESTIMATED)
    for qualifier in (actual, estimated):
        separators.render(Segment("QTY", (qualifier, str(unit))))  # raises for a separator inside a code
    after = f"{element}{unit}{tail}"
    return ((f"QTY{element}{actual}{element}", f"QTY{element}{estimated}{element}"),
            tuple(after + separators.render(dtm) for dtm in _hour_dtms(first, n, midnight_2400)))


# ============================================================================ 810


def _charge(s: Segment) -> Charge:
    return Charge(
        indicator=_code(ChargeIndicator, s, 1),
        code=_req(s, 4),
        amount=_implied2(s, 5),
        rate=_opt_decimal(s, 8),
        unit=_opt_code(Unit, s, 9),
        quantity=_opt_decimal(s, 10),
        print_sequence=_opt(s, 13),
        description=_opt(s, 15),
    )


def _parse_810(st: Segment, body: Sequence[Segment], source: SourceRef | None) -> BillReadyInvoice:
    ix = _Index(body)
    big = ix.need("BIG", None, st)
    it1 = ix.first("IT1")
    start, end = ix.first("DTM", "150"), ix.first("DTM", "151")
    parties = _parties(body)
    return BillReadyInvoice(
        invoice_date=_date(big, 1),
        number=_req(big, 2),
        transaction_type=_opt(big, 7),
        purpose=_code(Purpose, big, 8),
        original_invoice=_opt(ix.first("REF", "OI"), 2),
        ldc_account=_req(ix.need("REF", "12", big), 2),
        res_account=_opt(ix.first("REF", "11"), 2),
        old_account=_opt(ix.first("REF", "45"), 2),
        service_point=_opt(ix.first("REF", "LU"), 2),
        utility=_need_party(parties, EntityCode.UTILITY, big),
        supplier=_need_party(parties, EntityCode.SUPPLIER, big),
        customer=parties.get(EntityCode.CUSTOMER),
        line_number=_opt(it1, 1) or "1",
        period=Period(_point(start), _point(end)) if start is not None and end is not None else None,
        charges=tuple(_charge(s) for s in ix.all("SAC")),
        total=_implied2(ix.need("TDS", None, big), 1),
        source=source,
    )


def _render_810(m: BillReadyInvoice) -> list[Segment]:
    out = [_seg("BIG", _d8(m.invoice_date), m.number, None, None, None, None, m.transaction_type, m.purpose)]
    out += _refs(
        ("OI", m.original_invoice), ("11", m.res_account), ("12", m.ldc_account),
        ("45", m.old_account), ("LU", m.service_point),
    )
    out += _party_segments(m.utility, m.supplier, m.customer)
    out.append(_seg("IT1", m.line_number, None, None, None, None, "SV", "ELECTRIC", "C3", "ACCOUNT"))
    if m.period is not None:
        out += _period_dtms(m.period)
    for c in m.charges:
        out.append(
            _seg(
                "SAC", c.indicator, None, "EU", c.code, _n2(c.amount), None, None,
                _num(c.rate), c.unit, _num(c.quantity), None, None, c.print_sequence, None, c.description,
            )
        )
    out.append(_seg("TDS", _n2(m.total)))
    return out


# ============================================================================ 824


def _parse_824(st: Segment, body: Sequence[Segment], source: SourceRef | None) -> ApplicationAdvice:
    ix = _Index(body)
    bgn = ix.need("BGN", None, st)
    oti = ix.need("OTI", None, bgn)
    parties = _parties(body)
    return ApplicationAdvice(
        purpose=_code(Purpose, bgn, 1),
        reference=_req(bgn, 2),
        created=_date(bgn, 3),
        utility=_need_party(parties, EntityCode.UTILITY, bgn),
        supplier=_need_party(parties, EntityCode.SUPPLIER, bgn),
        customer=parties.get(EntityCode.CUSTOMER),
        ldc_account=_opt(ix.first("REF", "12"), 2),
        res_account=_opt(ix.first("REF", "11"), 2),
        old_account=_opt(ix.first("REF", "45"), 2),
        status=_code(AdviceStatus, oti, 1),
        reference_qualifier=_req(oti, 2),
        original_reference=_req(oti, 3),
        original_date=_opt_date(oti, 6),
        original_group=_opt(oti, 8),
        original_set=_opt(oti, 9),
        original_set_id=_opt(oti, 10),
        rejections=tuple(Rejection(_code(RejectionCode, s, 1), _opt(s, 2)) for s in ix.all("TED")),
        source=source,
    )


def _render_824(m: ApplicationAdvice) -> list[Segment]:
    out = [_seg("BGN", m.purpose, m.reference, _d8(m.created))]
    out += _party_segments(m.utility, m.supplier, m.customer)
    out += _refs(("12", m.ldc_account), ("11", m.res_account), ("45", m.old_account))
    original_date = _d8(m.original_date) if m.original_date is not None else None
    out.append(
        _seg(
            "OTI", m.status, m.reference_qualifier, m.original_reference, None, None,
            original_date, None, m.original_group, m.original_set, m.original_set_id,
        )
    )
    out += [_seg("TED", r.code, r.text) for r in m.rejections]
    return out


# ============================================================================ 997


def _element_note(s: Segment, separator: str) -> ElementNote:
    parts = s.components(1, separator)
    return ElementNote(
        position=_int(s, 1, parts[0]),
        component=_int(s, 1, parts[1]) if len(parts) > 1 and parts[1] else None,
        data_element=_opt(s, 2),
        code=_req(s, 3),
        value=_opt(s, 4),
    )


def _parse_997(st: Segment, body: Sequence[Segment], source: SourceRef | None, separator: str) -> FunctionalAck:
    ix = _Index(body)
    ak1 = ix.need("AK1", None, st)
    ak9 = ix.need("AK9", None, ak1)
    sets: list[SetAck] = []
    _, set_loops = _split([s for s in body if s.id in ("AK2", "AK3", "AK4", "AK5")], "AK2")
    for loop in set_loops:
        ak2 = loop[0]
        notes: list[SegmentNote] = []
        _, segment_loops = _split([s for s in loop if s.id in ("AK3", "AK4")], "AK3")
        for ak3, *ak4s in segment_loops:
            notes.append(
                SegmentNote(
                    segment_id=_req(ak3, 1),
                    position=_int(ak3, 2),
                    loop=_opt(ak3, 3),
                    code=_opt(ak3, 4),
                    elements=tuple(_element_note(s, separator) for s in ak4s),
                )
            )
        ak5 = _Index(loop).need("AK5", None, ak2)
        sets.append(
            SetAck(
                set_id=_req(ak2, 1),
                control=_req(ak2, 2),
                status=_code(AckStatus, ak5, 1),
                codes=tuple(v for v in ak5.elements[1:6] if v),
                segments=tuple(notes),
            )
        )
    return FunctionalAck(
        functional_id=_req(ak1, 1),
        group_control=_req(ak1, 2),
        sets=tuple(sets),
        status=_code(AckStatus, ak9, 1),
        included=_int(ak9, 2),
        received=_int(ak9, 3),
        accepted=_int(ak9, 4),
        codes=tuple(v for v in ak9.elements[4:9] if v),
        source=source,
    )


def _render_997(m: FunctionalAck, separator: str) -> Iterator[Segment]:
    yield _seg("AK1", m.functional_id, m.group_control)
    for s in m.sets:
        yield _seg("AK2", s.set_id, s.control)
        for note in s.segments:
            yield _seg("AK3", note.segment_id, str(note.position), note.loop, note.code)
            for e in note.elements:
                where = str(e.position) + (f"{separator}{e.component}" if e.component is not None else "")
                yield _seg("AK4", where, e.data_element, e.code, e.value)
        yield _seg("AK5", s.status, *s.codes)
    yield _seg("AK9", m.status, str(m.included), str(m.received), str(m.accepted), *m.codes)
