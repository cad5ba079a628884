"""The 814 handlers against a real store (SQLite and PostgreSQL) loaded with the sample master data.

Each test builds canonical requests (as ``edi.canonical.parse`` would give them), runs the handler in a
unit of work the way the batch does, and checks the outcome, the messages and the switching state. Every
message the utility sends is rendered, wrapped in ST/SE and validated against our maps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from edi.canonical import parse, render
from edi.classify import Kind, classify
from edi.guide import GuideValidator
from edi.messages import (
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
    ReinstatementResponse,
    RescissionRequest,
    RescissionResponse,
    SourceRef,
    StatusCode,
    UtilityInitiatedEnrollment,
)
from edi.segments import Segment
from processor.calendar import CPT, Calendar
from processor.config import Utility
from processor.handlers import Context, Outcome, effectuate_pending, handlers
from processor.handlers.responses import Letterhead, notice_message
from processor.load import KINDS, load_csv
from processor.rules import EnrollmentNotice, RescissionNotice
from processor.store import Store
from processor.store.records import Direction, RequestKind, RequestStatus, SwitchRequest
from tests.integration.postgres import BACKENDS, shared_postgres
from tests.support import MAPS, SAMPLES

BRIGHT, PRAIRIE, LAKESHORE = "987654321", "123456789", "555666777"
NAMES = {BRIGHT: "BRIGHT ENERGY LLC", PRAIRIE: "PRAIRIE POWER LLC", LAKESHORE: "LAKESHORE SUPPLY INC"}
UTILITY = Utility()


def cpt(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CPT)


@pytest.fixture(scope="module")
def guide() -> GuideValidator:
    return GuideValidator.from_map_dir(MAPS)


def load_samples(url: str) -> None:
    with Store.open(url) as opened:
        for kind in KINDS:
            assert load_csv(opened, kind, SAMPLES / "master" / f"{kind}.csv").ok


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'edi.db'}"
        load_samples(url)
        with Store.open(url) as opened:
            yield opened
        return
    server = shared_postgres()  # the samples loaded once into a template, copied per test
    url = server.database(server.template("sample-master-data", load_samples))
    try:
        with Store.open(url) as opened:
            yield opened
    finally:
        server.drop(url)


@pytest.fixture
def calendar(store: Store) -> Calendar:
    holidays, schedule = store.calendar_inputs()
    return Calendar(holidays=holidays, schedule=schedule)


_sets = iter(range(1, 10_000))


def handle(store: Store, calendar: Calendar, message: Message, at: datetime) -> Outcome:
    """What the batch does for one transaction set: one unit of work, the handler, commit."""
    kind = _kind(message)
    n = next(_sets)
    source = SourceRef(file=f"in{n}.x12", isa13=f"{n:09d}", gs06=str(n), st02="0001")
    supplier = getattr(message, "supplier")  # noqa: B009 - every 814 has one
    with store.unit_of_work() as uow:
        outcome = handlers()[kind](message, Context(uow, calendar, at, at, UTILITY, source, supplier.id))
        uow.commit()
    return outcome


def _kind(message: Message) -> Kind:
    return {
        EnrollmentRequest: Kind.ENROLLMENT_REQUEST,
        DropRequest: Kind.DROP_REQUEST,
        RescissionRequest: Kind.RESCISSION_REQUEST,
        DropCancelRequest: Kind.DROP_CANCEL_REQUEST,
        ReinstatementResponse: Kind.REINSTATEMENT_RESPONSE,
        DropResponse: Kind.DROP_RESPONSE,
    }[type(message)]


def parties(res: str) -> dict[str, Party]:
    return {
        "utility": Party(EntityCode.UTILITY, UTILITY.name, IdQualifier.DUNS, UTILITY.duns),
        "supplier": Party(EntityCode.SUPPLIER, NAMES.get(res, "SOMEONE"), IdQualifier.DUNS, res),
        "customer": Party(EntityCode.CUSTOMER, "A CUSTOMER"),
    }


def enrollment(res: str, account: str, ref: str, **fields: object) -> EnrollmentRequest:
    return EnrollmentRequest(reference=ref, created=date(2026, 10, 15), line_id="L" + ref, ldc_account=account,
                             res_account="R-" + account, **parties(res), **fields)  # type: ignore[arg-type]


def drop(res: str, account: str, ref: str, **fields: object) -> DropRequest:
    return DropRequest(reference=ref, created=date(2026, 10, 16), line_id="L" + ref, ldc_account=account,
                       **parties(res), **fields)  # type: ignore[arg-type]


def requests(store: Store, **criteria: object) -> list[SwitchRequest]:
    with store.unit_of_work() as uow:
        return uow.switching.find_requests(**criteria)  # type: ignore[arg-type]


def wrapped(message: Message) -> list[Segment]:
    body = render(message)
    segments = [Segment("ST", ("814", "0001")), *body, Segment("SE", (str(len(body) + 2), "0001"))]
    return [s._replace(pos=i) for i, s in enumerate(segments, start=1)]


def assert_valid(guide: GuideValidator, message: Message) -> None:
    """The message renders to an 814 our maps accept, which classifies and parses back to its own type."""
    segments = wrapped(message)
    findings = guide.validate("GE", "004010", segments, ">")
    assert findings == [], [str(f) for f in findings]
    assert type(parse(segments, None, kind=classify(segments))) is type(message)


# ------------------------------------------------------------------------------------------ registry


def test_the_registry_routes_every_814_request() -> None:
    table = handlers()
    for kind in (Kind.ENROLLMENT_REQUEST, Kind.DROP_REQUEST, Kind.RESCISSION_REQUEST, Kind.DROP_CANCEL_REQUEST,
                 Kind.REINSTATEMENT_RESPONSE, Kind.DROP_RESPONSE):
        assert kind in table
    assert Kind.USAGE_REPORT not in table  # answered by its 997 only


# ---------------------------------------------------------------------------------------- enrollment


def test_enrollment_accepted_with_the_tariff_date_and_the_account_attributes(
        store: Store, calendar: Calendar, guide: GuideValidator) -> None:
    # Mass Market DS1, bill group 05, processed Thu 10-15: rescission window to Mon 10-26, so the 11-06 read.
    request = enrollment(BRIGHT, "2000000011", "BRT1", billing_type=None)
    outcome = handle(store, calendar, request, cpt("2026-10-15T10:00"))
    assert (outcome.result, outcome.code) == ("accepted", None)
    (out,) = outcome.outbound
    assert out.receiver == BRIGHT
    response = out.message
    assert isinstance(response, EnrollmentResponse) and response.accepted
    assert response.request_reference == "BRT1" and response.line_id == "LBRT1"
    assert response.effective_date == date(2026, 11, 6) and response.effective_time is None
    assert (response.ldc_account, response.res_account) == ("2000000011", "R-2000000011")
    assert response.utility.id == UTILITY.duns and response.supplier.id == BRIGHT
    assert response.attributes.service_point == "7000000011" and response.attributes.meters == ("40000011",)
    assert response.reference == "UTL20261015000001"
    assert_valid(guide, response)
    (row,) = requests(store, account_number="2000000011")
    assert (row.status, row.service_point_id, row.effective_date) == (
        RequestStatus.ACCEPTED, "7000000011", date(2026, 11, 6))
    assert (row.direction, row.request_ref, row.line_ref) == (Direction.INBOUND, "BRT1", "LBRT1")
    assert row.source_file is not None and row.isa13 is not None and row.received_at == cpt("2026-10-15T10:00")


def test_enrollment_rejected_is_recorded_with_its_code_and_answered_u(
        store: Store, calendar: Calendar, guide: GuideValidator) -> None:
    outcome = handle(store, calendar, enrollment(LAKESHORE, "2999999995", "LKS1"), cpt("2026-10-26T18:00"))
    assert (outcome.result, outcome.code) == ("rejected", "A76")
    response = outcome.outbound[0].message
    assert isinstance(response, EnrollmentResponse) and not response.accepted
    assert [r.code for r in response.rejections] == ["A76"]
    assert response.effective_date is None and response.attributes.service_point is None
    assert_valid(guide, response)
    (row,) = requests(store, supplier=LAKESHORE)
    assert (row.status, row.rejection_code, row.account_number) == (RequestStatus.REJECTED, "A76", "2999999995")


def test_an_unknown_supplier_is_answered_to_the_interchange_sender(store: Store, calendar: Calendar) -> None:
    outcome = handle(store, calendar, enrollment("999999999", "2000000011", "X1"), cpt("2026-10-15T10:00"))
    assert (outcome.code, outcome.outbound[0].receiver) == ("UND", "999999999")


def test_off_cycle_accept_carries_23_59_59(store: Store, calendar: Calendar, guide: GuideValidator) -> None:
    request = enrollment(LAKESHORE, "2000000045", "LKS2", off_cycle=True, requested_date=date(2026, 11, 2))
    outcome = handle(store, calendar, request, cpt("2026-10-15T14:30"))
    response = outcome.outbound[0].message
    assert isinstance(response, EnrollmentResponse)
    assert (response.effective_date, str(response.effective_time)) == (date(2026, 11, 2), "23:59:59")
    assert_valid(guide, response)
    rows = requests(store, account_number="2000000045")
    assert {r.service_point_id for r in rows} == {"7000000045", "7000000046", "7000000047"}
    assert all(r.off_cycle and r.effective_at == cpt("2026-11-02T23:59:59") for r in rows)


def test_a_second_enrollment_for_the_same_date_is_not_first_in(store: Store, calendar: Calendar) -> None:
    at = cpt("2026-10-15T10:00")
    assert handle(store, calendar, enrollment(PRAIRIE, "2000000037", "P1"), at).result == "accepted"
    assert handle(store, calendar, enrollment(LAKESHORE, "2000000037", "L1"), at).code == "NFI"
    # and the same BGN02 again is a duplicate, not "first in" against itself
    assert handle(store, calendar, enrollment(PRAIRIE, "2000000037", "P1"), at).code == "ABN"


def test_replacing_a_res_sends_it_a_drop_recorded_against_the_enrollment(
        store: Store, calendar: Calendar, guide: GuideValidator) -> None:
    outcome = handle(store, calendar, enrollment(LAKESHORE, "2000000102", "L2"), cpt("2026-10-15T10:00"))
    response, notice = outcome.outbound
    assert response.receiver == LAKESHORE and notice.receiver == PRAIRIE
    assert isinstance(notice.message, DropRequest)
    assert notice.message.requested_date == date(2026, 11, 12) and notice.message.supplier.name == NAMES[PRAIRIE]
    assert notice.message.reference == "UTL20261015000002" != response.message.reference  # type: ignore[union-attr]
    assert_valid(guide, notice.message)
    enrolled, dropped = requests(store, account_number="2000000102")
    assert (dropped.kind, dropped.direction, dropped.supplier) == (RequestKind.DROP, Direction.OUTBOUND, PRAIRIE)
    assert dropped.related_request_id == enrolled.id and dropped.status is RequestStatus.ACCEPTED


# ---------------------------------------------------------------------------------------- rescission


def test_rescission_withdraws_the_enrollment_and_its_drop_and_reinstates(
        store: Store, calendar: Calendar, guide: GuideValidator) -> None:
    handle(store, calendar, enrollment(LAKESHORE, "2000000102", "L3"), cpt("2026-10-15T10:00"))
    rescission = RescissionRequest(reference="L4", created=date(2026, 10, 21), line_id="LL4",
                                   ldc_account="2000000102", **parties(LAKESHORE))
    outcome = handle(store, calendar, rescission, cpt("2026-10-21T10:00"))
    assert outcome.result == "accepted"
    answer, reinstatement = outcome.outbound
    assert isinstance(answer.message, RescissionResponse) and answer.message.reason == StatusCode.RESCISSION
    assert isinstance(reinstatement.message, Reinstatement) and reinstatement.receiver == PRAIRIE
    assert reinstatement.message.effective_date == date(2026, 11, 12)  # PRAIRIE's start is not on record
    assert_valid(guide, answer.message)
    assert_valid(guide, reinstatement.message)
    statuses = {(r.kind, r.direction): r.status for r in requests(store, account_number="2000000102")}
    assert statuses == {
        (RequestKind.ENROLLMENT, Direction.INBOUND): RequestStatus.RESCINDED,
        (RequestKind.DROP, Direction.OUTBOUND): RequestStatus.CANCELLED,
        (RequestKind.RESCISSION, Direction.INBOUND): RequestStatus.EFFECTIVE,
        (RequestKind.REINSTATEMENT, Direction.OUTBOUND): RequestStatus.PENDING,
    }
    # the prior RES answers the reinstatement: recorded on the outbound row
    sent = reinstatement.message
    reply = ReinstatementResponse(reference="P9", created=date(2026, 10, 22), request_reference=sent.reference,
                                  line_id=sent.line_id, accepted=True, ldc_account="2000000102",
                                  effective_date=sent.effective_date, **parties(PRAIRIE))
    assert handle(store, calendar, reply, cpt("2026-10-22T10:00")).result == "recorded"
    (row,) = requests(store, kinds=[RequestKind.REINSTATEMENT])
    assert row.status is RequestStatus.ACCEPTED


def test_rescission_inside_the_billing_window_is_too_late(
        store: Store, calendar: Calendar, guide: GuideValidator) -> None:
    handle(store, calendar, enrollment(LAKESHORE, "2000000102", "L5"), cpt("2026-10-15T10:00"))
    rescission = RescissionRequest(reference="L6", created=date(2026, 11, 10), line_id="LL6",
                                   ldc_account="2000000102", **parties(LAKESHORE))
    outcome = handle(store, calendar, rescission, cpt("2026-11-10T09:00"))
    assert (outcome.result, outcome.code) == ("rejected", "A13")
    (answer,) = outcome.outbound
    assert isinstance(answer.message, RescissionResponse) and not answer.message.accepted
    assert_valid(guide, answer.message)


# ----------------------------------------------------------------------------------- drop and cancel


def test_drop_then_cancel(store: Store, calendar: Calendar, guide: GuideValidator) -> None:
    outcome = handle(store, calendar, drop(BRIGHT, "2000000094", "B1", requested_date=date(2026, 11, 10)),
                     cpt("2026-10-16T08:30"))
    response = outcome.outbound[0].message
    assert isinstance(response, DropResponse) and response.effective_date == date(2026, 11, 10)
    assert_valid(guide, response)
    cancel = DropCancelRequest(reference="B2", created=date(2026, 10, 19), cancelled_reference="B1", line_id="LB2",
                               ldc_account="2000000094", **parties(BRIGHT))
    outcome = handle(store, calendar, cancel, cpt("2026-10-19T10:00"))
    answer = outcome.outbound[0].message
    assert outcome.result == "accepted" and isinstance(answer, DropCancelResponse) and answer.accepted
    assert_valid(guide, answer)
    dropped, cancelled = requests(store, account_number="2000000094")
    assert dropped.status is RequestStatus.CANCELLED and cancelled.related_request_id == dropped.id
    again = handle(store, calendar, replace(cancel, reference="B3", line_id="LB3"), cpt("2026-10-20T10:00"))
    assert again.code == "ABN"
    assert_valid(guide, again.outbound[0].message)


def test_drop_rejections_render_valid(store: Store, calendar: Calendar, guide: GuideValidator) -> None:
    outcome = handle(store, calendar, drop(BRIGHT, "2000000094", "B4", requested_date=date(2026, 12, 9)),
                     cpt("2026-10-16T08:30"))
    assert outcome.code == "DIV"
    assert_valid(guide, outcome.outbound[0].message)


def test_drop_response_from_the_res_is_recorded_only(store: Store, calendar: Calendar) -> None:
    handle(store, calendar, enrollment(LAKESHORE, "2000000102", "L7"), cpt("2026-10-15T10:00"))
    before = requests(store)
    reply = DropResponse(reference="P1", created=date(2026, 10, 16), request_reference="UTL20261015000002",
                         line_id="UTL20261015000002", accepted=True, ldc_account="2000000102", **parties(PRAIRIE))
    outcome = handle(store, calendar, reply, cpt("2026-10-16T10:00"))
    assert (outcome.result, outcome.outbound) == ("recorded", ())
    assert requests(store) == before


# --------------------------------------------------------------------------------------- effectuation


def test_effectuation_makes_due_switches_effective_and_appends_history(store: Store, calendar: Calendar) -> None:
    handle(store, calendar, enrollment(LAKESHORE, "2000000102", "L8"), cpt("2026-10-15T10:00"))
    with store.unit_of_work() as uow:
        assert effectuate_pending(uow, calendar, cpt("2026-11-12T23:59:59"), UTILITY) == []
        assert uow.switching.supply_history("7000000102") == []
        effectuate_pending(uow, calendar, cpt("2026-11-13T00:00"), UTILITY)
        uow.commit()
    assert {r.status for r in requests(store, account_number="2000000102")} == {RequestStatus.EFFECTIVE}
    with store.unit_of_work() as uow:
        (period,) = uow.switching.supply_history("7000000102")
        assert (period.supplier, period.start_date) == (LAKESHORE, date(2026, 11, 12))
        effectuate_pending(uow, calendar, cpt("2026-11-14T00:00"), UTILITY)  # again: nothing more
        assert len(uow.switching.supply_history("7000000102")) == 1


def test_effectuation_run_by_several_workers_at_once_takes_effect_once(store: Store, calendar: Calendar) -> None:
    """Workers (or runs on other machines) effectuating together: the batch's lock lets one in at a time,
    the next finds nothing due, and the history gets one period, not one per worker."""
    import threading

    from processor.store.batch_queue import APPLY_LOCK

    handle(store, calendar, enrollment(LAKESHORE, "2000000102", "L9"), cpt("2026-10-15T10:00"))
    url = store.url if store.dialect == "sqlite" else store.url.replace("***", "")
    errors: list[BaseException] = []
    stores = [Store.open(url) for _ in range(4)]
    together = threading.Barrier(len(stores))

    def effectuate(own: Store) -> None:
        try:
            together.wait()
            with own.unit_of_work(lock=APPLY_LOCK) as uow:
                effectuate_pending(uow, calendar, cpt("2026-11-13T00:00"), UTILITY)
                uow.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=effectuate, args=(own,)) for own in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with store.unit_of_work() as uow:
        assert len(uow.switching.supply_history("7000000102")) == 1
    assert {r.status for r in requests(store, account_number="2000000102")} == {RequestStatus.EFFECTIVE}


# ---------------------------------------------------------------------------------- utility's notices


def test_utility_initiated_notices_render_valid(store: Store, guide: GuideValidator) -> None:
    with store.unit_of_work() as uow:
        account = uow.master.get_account("2000000110")
        supplier = uow.master.get_supplier(BRIGHT)
    assert account is not None
    head = Letterhead(UTILITY, "UTL20261026000003", date(2026, 10, 26))
    enrolled = notice_message(
        EnrollmentNotice(BRIGHT, "2000000110", "2000000128", StatusCode.BANKRUPTCY, ("7000000110",),
                         date(2026, 10, 26)), head, supplier=supplier, account=account)
    assert isinstance(enrolled, UtilityInitiatedEnrollment) and enrolled.old_account == "2000000128"
    assert_valid(guide, enrolled)
    earlier = SwitchRequest(id=1, kind=RequestKind.ENROLLMENT, direction=Direction.INBOUND, supplier=BRIGHT,
                            account_number="2000000110", request_ref="B9", line_ref="L9",
                            received_at=cpt("2026-10-01T10:00"), updated_at=cpt("2026-10-01T10:00"))
    rescinded = notice_message(RescissionNotice(BRIGHT, "2000000110", earlier, "account finaled"), head,
                               supplier=supplier, account=account)
    assert isinstance(rescinded, RescissionRequest) and rescinded.reason == StatusCode.RESCISSION
    assert_valid(guide, rescinded)
