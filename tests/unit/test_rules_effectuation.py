"""Effectuation: accepted requests become effective on their date and the supply history grows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from processor.rules.effectuation import effective_instant, effectuate
from processor.rules.view import InMemoryView
from processor.store.records import (
    AccountStatus,
    Direction,
    NewSupplyPeriod,
    RequestKind,
    RequestStatus,
    SwitchRequest,
)
from tests.unit.test_rules_world import BIG, CAL, DS3A, MASS, MASS_2, RES_A, RES_B, D, account, cpt, world


def due(view: InMemoryView, now: datetime) -> list[SwitchRequest]:
    return list(effectuate(view.requests, view, CAL, now).effective)


def test_on_cycle_enrollment_takes_effect_once_its_read_day_is_over() -> None:
    """Tariff 10.B(3): an on-cycle enrollment "shall be effectuated when the service point's meter data is
    collected … The actual time of the enrollment could be anytime during the day that the meter data is
    collected": at 23:59 on the 2026-03-09 read day it is not yet effective, at midnight it is."""
    view = world()
    request = view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_B, account_number=MASS,
                               effective_date=D("2026-03-09"))
    assert due(view, cpt("2026-03-09T23:59")) == []
    result = effectuate(view.requests, view, CAL, cpt("2026-03-10T00:00"))
    assert result.effective == (request,)
    (change,) = result.changes
    assert (change.service_point_id, change.on, change.supplier_before, change.supplier_after) == (
        "SP-M1", D("2026-03-09"), "BGS", RES_B)
    assert change.ends == view.periods[0]  # the BGS period on record
    assert change.begins == NewSupplyPeriod(service_point_id="SP-M1", supplier=RES_B, start_date=D("2026-03-09"),
                                            recorded_at=cpt("2026-03-10T00:00"), cause_request_id=request.id)


def test_off_cycle_takes_effect_at_23_59_59_on_the_spring_forward_day() -> None:
    """Tariff 10.B(3): "An off-cycle enrollment … shall be effectuated as of the very end of the day (i.e.
    23:59:59) of the date requested." On Sunday 2026-03-08 (DST starts) that is 23:59:59 CDT = 04:59:59 UTC."""
    view = world()
    request = view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_B, account_number=DS3A,
                               effective_date=D("2026-03-08"), off_cycle=True)
    assert effective_instant(request, CAL) == datetime(2026, 3, 9, 4, 59, 59, tzinfo=UTC)
    assert due(view, datetime(2026, 3, 9, 4, 59, 58, tzinfo=UTC)) == []
    assert due(view, datetime(2026, 3, 9, 4, 59, 59, tzinfo=UTC)) == [request]


def test_off_cycle_on_the_fall_back_day_uses_standard_time() -> None:
    """Tariff 10.B(3): "23:59:59" Central Prevailing Time; after the 2026-11-01 change that is CST (UTC-6)."""
    view = world()
    request = view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_B, account_number=DS3A,
                               effective_date=D("2026-11-01"), off_cycle=True)
    assert effective_instant(request, CAL) == datetime(2026, 11, 2, 5, 59, 59, tzinfo=UTC)


def test_drop_hands_the_point_to_its_default_supply() -> None:
    """Tariff 10.A(1)(b): a DS-1/DS-2/DS-5 customer "whose service has been terminated by a RES … will be
    defaulted to Rider BGS"; 10.A(2)(a): DS-3/DS-4/DS-6 "will be defaulted to Rider HSS"."""
    view = world()
    view.add_request(kind=RequestKind.DROP, supplier=RES_A, account_number=MASS_2, effective_date=D("2026-03-09"))
    view.add_request(kind=RequestKind.DROP, supplier=RES_A, account_number=BIG, effective_date=D("2026-03-09"))
    result = effectuate(view.requests, view, CAL, cpt("2026-03-10T06:00"))
    assert {(c.service_point_id, c.supplier_after) for c in result.changes} == {
        ("SP-M2", "BGS"),
        ("SP-M2L", "BGS"),
        ("SP-B1", "HSS"),  # SP-B2 was never RES A's: unchanged
    }


def test_drop_and_enrollment_on_the_same_day_leave_the_new_res() -> None:
    """Spec 2.4 use 1 ("utility-initiated drop (… switch to another RES)") and tariff 10.B(3): the old RES's drop
    and the new RES's enrollment meet at the same read; the point goes straight to the new RES, never to BGS."""
    view = world()
    enrollment = view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_B, account_number=MASS_2,
                                  effective_date=D("2026-03-09"))
    view.add_request(kind=RequestKind.DROP, direction=Direction.OUTBOUND, supplier=RES_A, account_number=MASS_2,
                     effective_date=D("2026-03-09"), related_request_id=enrollment.id)
    result = effectuate(view.requests, view, CAL, cpt("2026-03-10T06:00"))
    assert len(result.effective) == 2
    assert {(c.service_point_id, c.supplier_before, c.supplier_after) for c in result.changes} == {
        ("SP-M2", RES_A, RES_B),
        ("SP-M2L", RES_A, RES_B),
    }


def test_history_is_appended_in_order_across_one_run() -> None:
    """``NewSupplyPeriod``: "History is appended, never rewritten"; a drop on 03-09 and a later enrollment on
    04-08, both due, give two changes, the second ending the period the first began."""
    view = world()
    view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_B, account_number=MASS_2, effective_date=D("2026-04-08"))
    view.add_request(kind=RequestKind.DROP, supplier=RES_A, account_number=MASS_2, service_point_id="SP-M2",
                     effective_date=D("2026-03-09"))
    result = effectuate(view.requests, view, CAL, cpt("2026-04-09T06:00"))
    m2 = [c for c in result.changes if c.service_point_id == "SP-M2"]
    assert [(c.on, c.supplier_before, c.supplier_after) for c in m2] == [
        (D("2026-03-09"), RES_A, "BGS"),
        (D("2026-04-08"), "BGS", RES_B),
    ]
    assert m2[1].ends == m2[0].begins


def test_only_accepted_requests_take_effect() -> None:
    """Tariff 10.B(6) and 10.B(5): a rejected, rescinded or cancelled request never takes effect, and one not
    yet answered (pending) waits for its verdict."""
    view = world()
    for status in (RequestStatus.PENDING, RequestStatus.REJECTED, RequestStatus.RESCINDED, RequestStatus.CANCELLED,
                   RequestStatus.EFFECTIVE):
        view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_B, account_number=MASS,
                         effective_date=D("2026-03-09"), status=status)
    assert due(view, cpt("2026-04-01T00:00")) == []


def test_finaled_account_supply_just_ends() -> None:
    """FAQ, bankruptcy: the account "will be finaled (closed)": after the utility's drop nobody supplies it."""
    view = world()
    view.accounts[BIG] = account(BIG, status=AccountStatus.FINAL)
    view.add_request(kind=RequestKind.DROP, direction=Direction.OUTBOUND, supplier=RES_A, account_number=BIG,
                     service_point_id="SP-B1", effective_date=D("2026-02-15"))
    (change,) = effectuate(view.requests, view, CAL, cpt("2026-02-16T06:00")).changes
    assert (change.supplier_before, change.supplier_after, change.begins) == (RES_A, None, None)


def test_request_with_nothing_to_change_still_becomes_effective() -> None:
    """Tariff 10.B(3): the request takes effect on its date even when the point is already where it would put
    it (here RES A's own point): it becomes effective with no history change."""
    view = world()
    request = view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_A, account_number=MASS_2,
                               effective_date=D("2026-03-09"))
    result = effectuate(view.requests, view, CAL, cpt("2026-03-10T06:00"))
    assert result.effective == (request,) and result.changes == ()


def test_effectuation_needs_an_aware_now() -> None:
    """Design, Time: "A Clock is injected everywhere" and deadlines are Central Prevailing Time: a naive "now"
    cannot be placed against 23:59:59 CPT."""
    with pytest.raises(ValueError, match="aware"):
        effectuate([], world(), CAL, datetime(2026, 3, 10))
