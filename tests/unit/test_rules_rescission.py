"""Enrollment rescission: by the RES (814 drop with REF*1P*EB3) and by the customer (tariff 10.B(5))."""

from __future__ import annotations

from edi.messages import RejectionCode
from processor.rules.rescission import decide_customer_rescission, judge_rescission
from processor.rules.verdict import (
    Accepted,
    ReinstatementNotice,
    Rejected,
    RescissionNotice,
    Verdict,
    Withdrawal,
)
from processor.rules.view import InMemoryView
from processor.store.records import Direction, RequestKind, RequestStatus, SwitchRequest
from tests.unit.test_rules_world import (
    BIG,
    CAL,
    DS3A,
    HISTORY_START,
    MASS,
    MASS_2,
    RES_A,
    RES_B,
    UNKNOWN_RES,
    D,
    cpt,
    rescission,
    world,
)


def accepted(verdict: Verdict) -> Accepted:
    assert isinstance(verdict, Accepted), verdict
    return verdict


def rejected(verdict: Verdict, code: RejectionCode) -> Rejected:
    assert isinstance(verdict, Rejected), verdict
    assert verdict.code is code, verdict
    assert len(verdict.ref03) <= 80 and not set("*~>^") & set(verdict.ref03), verdict.ref03
    return verdict


def pending(view: InMemoryView, account: str, supplier: str, effective: str, *, off_cycle: bool = False,
            received: str = "2026-01-30T12:00", service_point: str | None = None) -> SwitchRequest:
    return view.add_request(kind=RequestKind.ENROLLMENT, supplier=supplier, account_number=account,
                            effective_date=D(effective), off_cycle=off_cycle, received_at=cpt(received),
                            service_point_id=service_point)


# ------------------------------------------------------------------------------------ by the RES


def test_rescission_before_the_billing_window_reinstates_the_current_res() -> None:
    """FAQ, rescission: "it should be sent prior to the start of the account's billing window (for an on-cycle
    enrollment) … After Ameren processes the transaction, the account will revert to its current RES, who will
    receive an EDI 814R-Request (reinstatement) transaction"; spec Q16: "DTM*150 = the original start date".
    RES B's enrollment of RES A's Mass Market account for 2026-03-09 (window from 03-05), rescinded 03-04."""
    view = world()
    enrollment = pending(view, MASS_2, RES_B, "2026-03-09")
    notice = view.add_request(kind=RequestKind.DROP, direction=Direction.OUTBOUND, supplier=RES_A,
                              account_number=MASS_2, effective_date=D("2026-03-09"), related_request_id=enrollment.id)
    verdict = accepted(judge_rescission(rescission(MASS_2, RES_B), view, CAL, cpt("2026-03-04T18:00")))
    assert verdict.withdraws == (
        Withdrawal(enrollment, RequestStatus.RESCINDED),
        Withdrawal(notice, RequestStatus.CANCELLED),  # the drop RES A was sent no longer happens
    )
    assert verdict.outbound == (ReinstatementNotice(RES_A, MASS_2, ("SP-M2", "SP-M2L"), HISTORY_START),)
    assert {p.supplier_before for p in verdict.points} == {RES_A}


def test_rescission_in_the_billing_window_is_a13() -> None:
    """FAQ, rescission: "prior to the start of the account's billing window"; the window of the 2026-03-09
    read starts Thursday 03-05 (two business days before). Received 03-04 at 18:46 it is processed 03-05."""
    view = world()
    pending(view, MASS_2, RES_B, "2026-03-09")
    verdict = judge_rescission(rescission(MASS_2, RES_B), view, CAL, cpt("2026-03-04T18:46"))
    assert "2026-03-05" in rejected(verdict, RejectionCode.OTHER).text


def test_off_cycle_rescission_before_the_requested_date() -> None:
    """FAQ, rescission: "or prior to the requested effective date (for an off-cycle enrollment)"."""
    view = world()
    pending(view, DS3A, RES_B, "2026-02-20", off_cycle=True)
    accepted(judge_rescission(rescission(DS3A, RES_B), view, CAL, cpt("2026-02-19T12:00")))
    rejected(judge_rescission(rescission(DS3A, RES_B, reference="RSC-2", line_id="R2"), view, CAL,
                              cpt("2026-02-20T08:00")), RejectionCode.OTHER)


def test_rescission_from_utility_supply_sends_no_reinstatement() -> None:
    """FAQ, rescission: the reinstatement goes to the "current RES"; a point on BGS has none."""
    view = world()
    pending(view, MASS, RES_B, "2026-03-09")
    verdict = accepted(judge_rescission(rescission(MASS, RES_B), view, CAL, cpt("2026-02-02T12:00")))
    assert verdict.outbound == ()
    assert verdict.points[0].supplier_before == "BGS"


def test_rescission_without_pending_enrollment_is_a13() -> None:
    """Spec 2.4: "a rescission has to match a *pending* enrollment for the same RES and account"."""
    view = world()
    pending(view, MASS, RES_A, "2026-03-09")  # another RES's enrollment does not count
    verdict = judge_rescission(rescission(MASS, RES_B), view, CAL, cpt("2026-02-02T12:00"))
    assert "no pending enrollment" in rejected(verdict, RejectionCode.OTHER).text


def test_rescission_of_an_effective_enrollment_is_a13() -> None:
    """Tariff 10.D: once the enrollment is effective the RES ends its service with a drop, not a rescission."""
    view = world()
    enrollment = pending(view, MASS, RES_B, "2026-03-09")
    view.set_status(enrollment.id, RequestStatus.EFFECTIVE)
    verdict = judge_rescission(rescission(MASS, RES_B), view, CAL, cpt("2026-03-20T12:00"))
    assert "send a drop" in rejected(verdict, RejectionCode.OTHER).text


def test_rescission_codes_und_abn_a76() -> None:
    """Spec 2.5: the utility's drop response (a rescission is an 814 drop) may use "008, A13, A76, ABN, API,
    DIV, UND"."""
    view = world()
    pending(view, MASS, RES_B, "2026-03-09")
    rejected(judge_rescission(rescission(MASS, UNKNOWN_RES), view, CAL, cpt("2026-02-02T12:00")),
             RejectionCode.UNKNOWN_DUNS)
    rejected(judge_rescission(rescission("4040404040", RES_B), view, CAL, cpt("2026-02-02T12:00")),
             RejectionCode.ACCOUNT_NOT_FOUND)
    view.add_request(kind=RequestKind.RESCISSION, supplier=RES_B, account_number=MASS, request_ref="RSC-1")
    rejected(judge_rescission(rescission(MASS, RES_B), view, CAL, cpt("2026-02-02T12:00")), RejectionCode.DUPLICATE)


def test_rescission_with_one_late_enrollment_rescinds_nothing() -> None:
    """FAQ, rescission timing, per enrollment: the RES's two service-point enrollments on account BIG are
    rescinded together or not at all; the one for 02-06 is already in its billing window on 02-04."""
    view = world()
    pending(view, BIG, RES_B, "2026-02-06", service_point="SP-B2")
    pending(view, BIG, RES_B, "2026-03-09", service_point="SP-B1")
    rejected(judge_rescission(rescission(BIG, RES_B), view, CAL, cpt("2026-02-04T12:00")), RejectionCode.OTHER)
    verdict = accepted(judge_rescission(rescission(BIG, RES_B, reference="RSC-2", line_id="R2"), view, CAL,
                                        cpt("2026-02-03T12:00")))
    assert len(verdict.withdraws) == 2
    assert verdict.outbound == (ReinstatementNotice(RES_A, BIG, ("SP-B1",), HISTORY_START),)


# ------------------------------------------------------------------------------- by the customer


def test_customer_rescission_mass_market_within_ten_days() -> None:
    """Tariff 10.B(5): "For a Mass Market account, the rescission request must be made by the Customer to the
    Company within ten calendar days of the Company's processing of the enrollment DASR." Processed Friday
    2026-01-30: the tenth day is Monday 02-09; 02-10 is too late. The enrolling RES is told (spec 2.4 use 3)."""
    view = world()
    enrollment = pending(view, MASS, RES_B, "2026-03-09", received="2026-01-30T12:00")
    ok = accepted(decide_customer_rescission(view, CAL, account_number=MASS, requested_at=cpt("2026-02-09T20:00")))
    assert ok.withdraws == (Withdrawal(enrollment, RequestStatus.RESCINDED),)
    assert ok.outbound == (RescissionNotice(RES_B, MASS, enrollment, "customer rescission (10.B(5))"),)
    late = decide_customer_rescission(view, CAL, account_number=MASS, requested_at=cpt("2026-02-10T08:00"))
    assert "2026-02-09" in rejected(late, RejectionCode.OTHER).text


def test_customer_rescission_window_extended_over_a_weekend() -> None:
    """Tariff 10.B(5): "If the tenth calendar day falls on a non-business day, then the rescission period shall
    be extended through the next business day." Processed Wednesday 2026-01-28: day ten is Saturday 02-07,
    so the customer has until Monday 02-09."""
    view = world()
    pending(view, MASS, RES_B, "2026-03-09", received="2026-01-28T12:00")
    accepted(decide_customer_rescission(view, CAL, account_number=MASS, requested_at=cpt("2026-02-09T12:00")))


def test_customer_rescission_non_mass_market_two_business_days_before_the_read() -> None:
    """Tariff 10.B(5): "For a non-Mass Market account, the rescission request must be made … at least two
    business days prior to the account's scheduled meter reading date (for an on-cycle enrollment)". Read
    Monday 2026-03-09: Thursday 03-05 is the last day. RES A, whose point it is, is reinstated."""
    view = world()
    pending(view, BIG, RES_B, "2026-03-09", service_point="SP-B1")
    ok = accepted(decide_customer_rescission(view, CAL, account_number=BIG, requested_at=cpt("2026-03-05T21:00")))
    assert ReinstatementNotice(RES_A, BIG, ("SP-B1",), HISTORY_START) in ok.outbound
    late = decide_customer_rescission(view, CAL, account_number=BIG, requested_at=cpt("2026-03-06T08:00"))
    rejected(late, RejectionCode.OTHER)


def test_customer_rescission_off_cycle_uses_the_requested_date() -> None:
    """Tariff 10.B(5): "… or requested enrollment effective date (for an off-cycle enrollment)": off-cycle on
    Friday 2026-02-20, last day Wednesday 02-18."""
    view = world()
    pending(view, DS3A, RES_B, "2026-02-20", off_cycle=True)
    accepted(decide_customer_rescission(view, CAL, account_number=DS3A, requested_at=cpt("2026-02-18T12:00")))
    rejected(decide_customer_rescission(view, CAL, account_number=DS3A, requested_at=cpt("2026-02-19T12:00")),
             RejectionCode.OTHER)


def test_customer_rescission_of_one_res() -> None:
    """Tariff 10.B(5): the customer objects to "the pending enrollment" — the operator may name the RES."""
    view = world()
    pending(view, BIG, RES_B, "2026-03-09", service_point="SP-B2")
    rejected(decide_customer_rescission(view, CAL, account_number=BIG, requested_at=cpt("2026-02-02T12:00"),
                                        supplier=RES_A), RejectionCode.OTHER)
    rejected(decide_customer_rescission(view, CAL, account_number="4040404040", requested_at=cpt("2026-02-02T12:00")),
             RejectionCode.ACCOUNT_NOT_FOUND)
