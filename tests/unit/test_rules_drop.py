"""RES drop (814 ASI 7*024), tariff 10.D, and drop cancel (ASI 7*026)."""

from __future__ import annotations

from edi.messages import RejectionCode
from processor.rules.drop import judge_drop
from processor.rules.drop_cancel import judge_drop_cancel
from processor.rules.verdict import Accepted, Rejected, Verdict
from processor.rules.view import InMemoryView
from processor.store.records import RequestKind, RequestStatus, SwitchRequest
from tests.unit.test_rules_world import (
    BIG,
    CAL,
    DS3A,
    MASS_2,
    MONTHLY,
    RES_A,
    RES_B,
    UNKNOWN_RES,
    D,
    cpt,
    drop,
    drop_cancel,
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


# ------------------------------------------------------------------------------------------ drop


def test_drop_without_date_takes_the_next_read_seven_days_out() -> None:
    """Tariff 10.D: "If the drop is on-cycle and no date is specified in the drop DASR, then the drop effective
    date … will be the next scheduled meter reading date that is at least seven calendar days from the date
    in which the drop DASR is processed". Processed 2026-02-02: 02-06 is four days out, so 03-09."""
    verdict = accepted(judge_drop(drop(MASS_2), world(), CAL, cpt("2026-02-02T09:00")))
    assert verdict.effective_date == D("2026-03-09")
    assert {p.service_point.service_point_id for p in verdict.points} == {"SP-M2", "SP-M2L"}


def test_drop_on_requested_read_date() -> None:
    """Tariff 10.D: "If the drop is on-cycle and a scheduled meter reading date is specified … at least seven
    calendar days but no more than 45 calendar days …, then the drop effective date … will be the requested
    scheduled meter reading date"."""
    verdict = accepted(judge_drop(drop(MASS_2, requested_date=D("2026-03-09")), world(), CAL, cpt("2026-02-02T09:00")))
    assert verdict.effective_date == D("2026-03-09") and verdict.notes == ()


def test_drop_on_a_non_read_date_takes_the_next_read_even_beyond_45_days() -> None:
    """Tariff 10.D: "If the drop is on-cycle and an effective date other than a scheduled meter reading date is
    specified …, then the drop effective date … will be the next scheduled meter reading date even if such
    date is more than 45 calendar days after"."""
    request = drop(MASS_2, requested_date=D("2026-03-19"))
    verdict = accepted(judge_drop(request, world(), CAL, cpt("2026-02-02T09:00")))
    assert verdict.effective_date == D("2026-04-08")
    assert any("not a scheduled read" in note for note in verdict.notes)


def test_drop_45_days_accepted_46_div() -> None:
    """Tariff 10.D: "Company must receive and process the drop DASR at least seven calendar days but not more
    than 45 calendar days before the requested termination date"; spec 3.1 ``DIV`` (col. 3 allows it)."""
    accepted(judge_drop(drop(MASS_2, requested_date=D("2026-03-19")), world(), CAL, cpt("2026-02-02T09:00")))
    verdict = judge_drop(drop(MASS_2, requested_date=D("2026-03-20")), world(), CAL, cpt("2026-02-02T09:00"))
    assert "46 days" in rejected(verdict, RejectionCode.DATE_TOO_FAR).text


def test_drop_seven_days_accepted_six_a13() -> None:
    """Tariff 10.D: "at least seven calendar days … before the requested termination date"; unlike 10.B(3)
    there is no default for a late drop, and spec 3.3 gives A13 + text for an invalid date."""
    verdict = accepted(judge_drop(drop(MASS_2, requested_date=D("2026-02-09")), world(), CAL, cpt("2026-02-02T09:00")))
    assert verdict.effective_date == D("2026-03-09")
    late = judge_drop(drop(MASS_2, requested_date=D("2026-02-08")), world(), CAL, cpt("2026-02-02T09:00"))
    assert "min 7" in rejected(late, RejectionCode.OTHER).text


def test_off_cycle_drop_non_mass_market() -> None:
    """Tariff 10.D: "If the drop is off-cycle and a drop effective date is specified … at least seven calendar
    days but no more than 45 …, then the drop effective date communicated in the EDI response to the RES will
    be the actual drop effective date"; it ends at 23:59:59 like an off-cycle enrollment (10.B(3))."""
    request = drop(BIG, requested_date=D("2026-02-20"), off_cycle=True)
    verdict = accepted(judge_drop(request, world(), CAL, cpt("2026-02-02T09:00")))
    assert verdict.off_cycle and verdict.effective_date == D("2026-02-20")
    assert verdict.effective_at == cpt("2026-02-20T23:59:59")
    assert [p.service_point.service_point_id for p in verdict.points] == ["SP-B1"]  # RES A's point only
    assert any("covers only" in note for note in verdict.notes)


def test_off_cycle_drop_without_date_is_api() -> None:
    """Tariff 10.D: "If the drop is off-cycle and no effective date is specified in the off-cycle drop DASR,
    then the drop will be rejected."""
    rejected(judge_drop(drop(BIG, off_cycle=True), world(), CAL, cpt("2026-02-02T09:00")),
             RejectionCode.MISSING_INFORMATION)


def test_mass_market_off_cycle_drop_turned_on_cycle() -> None:
    """Tariff 10.D: "If an off-cycle drop is submitted for a Mass Market account, then the drop request will be
    processed, but the drop effective date will default to the next scheduled meter reading date (after the
    requested off-cycle drop date)"; "A Mass Market account may only be dropped on-cycle."""
    request = drop(MASS_2, requested_date=D("2026-02-20"), off_cycle=True)
    verdict = accepted(judge_drop(request, world(), CAL, cpt("2026-02-02T09:00")))
    assert not verdict.off_cycle and verdict.effective_at is None
    assert verdict.effective_date == D("2026-03-09")
    assert any("off-cycle turned on-cycle" in note for note in verdict.notes)


def test_mass_market_service_point_drop_is_a13() -> None:
    """Tariff 10.D: "A RES may terminate service to a Mass Market account by submitting an account level drop
    DASR to the Company.\""""
    verdict = judge_drop(drop(MASS_2), world(), CAL, cpt("2026-02-02T09:00"), service_point="SP-M2")
    assert "Mass Market" in rejected(verdict, RejectionCode.OTHER).text


def test_non_mass_market_service_point_drop() -> None:
    """Tariff 10.D: "Both a service point level drop DASR and an account level drop DASR will be accepted by
    the Company for a non-Mass Market account.\""""
    verdict = accepted(judge_drop(drop(BIG), world(), CAL, cpt("2026-02-02T09:00"), service_point="SP-B1"))
    assert [p.service_point.service_point_id for p in verdict.points] == ["SP-B1"]


def test_drop_by_a_res_that_does_not_supply_is_a13() -> None:
    """Tariff 10.D: "A RES may terminate service" — its own service. A RES dropping a point it neither supplies
    nor has pending is told so (A13: the account exists, so not A76)."""
    verdict = judge_drop(drop(BIG, RES_B), world(), CAL, cpt("2026-02-02T09:00"))
    assert "does not supply" in rejected(verdict, RejectionCode.OTHER).text
    verdict = judge_drop(drop(BIG, RES_A), world(), CAL, cpt("2026-02-02T09:00"), service_point="SP-B2")
    rejected(verdict, RejectionCode.OTHER)


def test_drop_of_a_pending_enrollment_after_it_starts() -> None:
    """Tariff 10.D applies to a RES's service once it starts: a RES whose enrollment is pending for 03-09 may
    drop the account from a later read (04-08)."""
    view = world()
    view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_B, account_number=DS3A, effective_date=D("2026-03-09"))
    verdict = accepted(judge_drop(drop(DS3A, RES_B, requested_date=D("2026-04-08")), view, CAL,
                                  cpt("2026-03-02T09:00")))
    assert verdict.effective_date == D("2026-04-08")


def test_drop_before_a_pending_enrollment_starts_is_a13() -> None:
    """FAQ, rescission: a pending enrollment is undone with "an EDI 814D-Request transaction … REF*1P*EB3", not
    with a drop dated when the supply has not begun."""
    view = world()
    view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_B, account_number=DS3A, effective_date=D("2026-03-09"))
    verdict = judge_drop(drop(DS3A, RES_B), view, CAL, cpt("2026-02-02T09:00"))
    assert "EB3" in rejected(verdict, RejectionCode.OTHER).text


def test_second_drop_for_the_same_date_is_abn_for_another_date_a13() -> None:
    """Spec 3.1 ``ABN`` — "duplicate request received" (allowed in the drop response); a drop for another
    date while one is pending is answered A13: cancel the first (tariff 10.D, "a RES may rescind their pending
    drop")."""
    view = world()
    view.add_request(kind=RequestKind.DROP, supplier=RES_A, account_number=MASS_2, effective_date=D("2026-03-09"))
    same = judge_drop(drop(MASS_2, reference="DRP-2", line_id="D2"), view, CAL, cpt("2026-02-02T09:00"))
    rejected(same, RejectionCode.DUPLICATE)
    other = judge_drop(drop(MASS_2, reference="DRP-3", line_id="D3", requested_date=D("2026-03-12")), view, CAL,
                       cpt("2026-02-02T09:00"))
    assert "cancel it first" in rejected(other, RejectionCode.OTHER).text


def test_drop_same_bgn02_is_abn() -> None:
    """Spec 2.0: BGN02 "unique over time"; spec 3.1 ``ABN``."""
    view = world()
    view.add_request(kind=RequestKind.DROP, supplier=RES_A, account_number=MASS_2, request_ref="DRP-1",
                     effective_date=D("2026-03-09"), status=RequestStatus.REJECTED)
    rejected(judge_drop(drop(MASS_2), view, CAL, cpt("2026-02-02T09:00")), RejectionCode.DUPLICATE)


def test_drop_unknown_duns_and_account() -> None:
    """Spec 2.5: the utility's drop response may reject with "008, A13, A76, ABN, API, DIV, UND"."""
    rejected(judge_drop(drop(MASS_2, UNKNOWN_RES), world(), CAL, cpt("2026-02-02T09:00")), RejectionCode.UNKNOWN_DUNS)
    rejected(judge_drop(drop("4040404040"), world(), CAL, cpt("2026-02-02T09:00")), RejectionCode.ACCOUNT_NOT_FOUND)
    rejected(judge_drop(drop(" "), world(), CAL, cpt("2026-02-02T09:00")), RejectionCode.MISSING_INFORMATION)


def test_calendar_month_drop_uses_the_month_end() -> None:
    """FAQ, calendar-month billing: "an enrollment or drop transaction must be received by Ameren no later than
    6:45 p.m. Central Prevailing Time seven calendar days prior to the last calendar day of the month".
    March 2026: the deadline is Tuesday 03-24."""
    view = world()
    view.add_period("SP-CM", RES_A, D("2026-01-31"))
    on_time = accepted(judge_drop(drop(MONTHLY), view, CAL, cpt("2026-03-24T18:00")))
    late = accepted(judge_drop(drop(MONTHLY), view, CAL, cpt("2026-03-24T19:00")))
    assert on_time.effective_date == D("2026-03-31")
    assert late.effective_date == D("2026-04-30")


# ------------------------------------------------------------------------------------ drop cancel


def pending_drop(effective: str, *, off_cycle: bool = False, ref: str = "DRP-1") -> tuple[InMemoryView, SwitchRequest]:
    view = world()
    request = view.add_request(kind=RequestKind.DROP, supplier=RES_A, account_number=MASS_2, request_ref=ref,
                               effective_date=D(effective), off_cycle=off_cycle)
    return view, request


def test_cancel_two_business_days_before_the_read() -> None:
    """Tariff 10.D: "The EDI transaction must be received from the RES and processed by the Company at least two
    business days prior to the scheduled meter reading date (for an on-cycle drop)". Read Monday 2026-03-09:
    processed Thursday 03-05 is in time; 18:46 that day counts as Friday 03-06, too late."""
    view, request = pending_drop("2026-03-09")
    ok = accepted(judge_drop_cancel(drop_cancel(MASS_2), view, CAL, cpt("2026-03-05T18:44")))
    assert [(w.request, w.status) for w in ok.withdraws] == [(request, RequestStatus.CANCELLED)]
    late = judge_drop_cancel(drop_cancel(MASS_2), view, CAL, cpt("2026-03-05T18:46"))
    assert "2026-03-05" in rejected(late, RejectionCode.OTHER).text


def test_cancel_off_cycle_drop_two_business_days_before_its_date() -> None:
    """Tariff 10.D: "… or the requested enrollment effective date (for an off-cycle drop)". Off-cycle drop on
    Friday 2026-02-20: the last day is Wednesday 02-18."""
    view, _ = pending_drop("2026-02-20", off_cycle=True)
    accepted(judge_drop_cancel(drop_cancel(MASS_2), view, CAL, cpt("2026-02-18T12:00")))
    rejected(judge_drop_cancel(drop_cancel(MASS_2), view, CAL, cpt("2026-02-19T12:00")),
             RejectionCode.OTHER)


def test_cancel_names_the_drop_by_bgn06() -> None:
    """Spec 2.11: "BGN06 | the BGN02 of the drop being cancelled (optional; otherwise match by account and RES)".
    A BGN06 that names no drop of this RES on the account is A13."""
    view, request = pending_drop("2026-03-09", ref="DRP-7")
    ok = accepted(judge_drop_cancel(drop_cancel(MASS_2, cancelled_reference="DRP-7"), view, CAL,
                                    cpt("2026-02-02T12:00")))
    assert ok.withdraws[0].request == request
    wrong = judge_drop_cancel(drop_cancel(MASS_2, cancelled_reference="DRP-8"), view, CAL,
                              cpt("2026-02-02T12:00"))
    assert "DRP-8" in rejected(wrong, RejectionCode.OTHER).text


def test_cancel_naming_a_drop_of_another_account_says_so() -> None:
    """Spec Q4: a cancel matches "by account + RES (+ BGN06 = drop BGN02 when present)"; both must agree."""
    view, _ = pending_drop("2026-03-09", ref="DRP-7")
    verdict = judge_drop_cancel(drop_cancel(BIG, cancelled_reference="DRP-7"), view, CAL,
                                cpt("2026-02-02T12:00"))
    assert MASS_2 in rejected(verdict, RejectionCode.OTHER).text


def test_cancel_without_pending_drop_is_a13() -> None:
    """Spec 2.4: "Drop cancel must match a pending drop; if none is found, reject with A13 + text"."""
    verdict = judge_drop_cancel(drop_cancel(MASS_2), world(), CAL, cpt("2026-02-02T12:00"))
    assert "no pending drop" in rejected(verdict, RejectionCode.OTHER).text


def test_cancel_of_a_cancelled_drop_is_abn() -> None:
    """Spec 3.1 ``ABN`` ("duplicate request received", allowed in the cancel response, col. 8): the drop was
    already cancelled."""
    view, request = pending_drop("2026-03-09")
    view.set_status(request.id, RequestStatus.CANCELLED)
    verdict = judge_drop_cancel(drop_cancel(MASS_2, reference="CXL-2"), view, CAL,
                                cpt("2026-02-02T12:00"))
    rejected(verdict, RejectionCode.DUPLICATE)


def test_same_cancel_twice_is_abn() -> None:
    """Spec 2.0: BGN02 "unique over time"; spec 3.1 ``ABN``."""
    view, _ = pending_drop("2026-03-09")
    view.add_request(kind=RequestKind.DROP_CANCEL, supplier=RES_A, account_number=MASS_2,
                     request_ref="CXL-1")
    rejected(judge_drop_cancel(drop_cancel(MASS_2), view, CAL, cpt("2026-02-02T12:00")),
             RejectionCode.DUPLICATE)


def test_cancel_of_an_effective_drop_is_a13() -> None:
    """Tariff 10.D: a RES "may rescind their pending drop"; once effective it is no longer pending."""
    view, request = pending_drop("2026-03-09")
    view.set_status(request.id, RequestStatus.EFFECTIVE)
    verdict = judge_drop_cancel(drop_cancel(MASS_2), view, CAL, cpt("2026-03-20T12:00"))
    assert "effective" in rejected(verdict, RejectionCode.OTHER).text


def test_cancel_unknown_duns_and_account() -> None:
    """Spec 2.5: "A Cancel Response (utility → RES) may use 008, A13, A76, ABN, API, UND"."""
    rejected(judge_drop_cancel(drop_cancel(MASS_2, UNKNOWN_RES), world(), CAL, cpt("2026-02-02T12:00")),
             RejectionCode.UNKNOWN_DUNS)
    rejected(judge_drop_cancel(drop_cancel("4040404040"), world(), CAL, cpt("2026-02-02T12:00")),
             RejectionCode.ACCOUNT_NOT_FOUND)
    rejected(judge_drop_cancel(drop_cancel(DS3A, RES_B), world(), CAL, cpt("2026-02-02T12:00")), RejectionCode.OTHER)


def test_drop_after_another_res_takes_over_is_a13() -> None:
    """Tariff 10.D: the RES terminates its own service; if another RES's accepted enrollment takes the account
    on 03-09, RES A no longer supplies it on 04-08."""
    view = world()
    view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_B, account_number=MASS_2, effective_date=D("2026-03-09"))
    verdict = judge_drop(drop(MASS_2, requested_date=D("2026-04-08")), view, CAL, cpt("2026-03-02T09:00"))
    assert "not supplied by this RES on 2026-04-08" in rejected(verdict, RejectionCode.OTHER).text


def test_calendar_month_drop_ends_the_lighting_point_on_its_own_read() -> None:
    """FAQ, calendar-month billing: the non-lighting point bills through the month end, "the lighting service
    point may not necessarily": processed 2026-03-02, SP-CM ends 03-31, the lighting SP-CL on its bill group's
    03-27 read."""
    view = world()
    view.add_period("SP-CM", RES_A, D("2026-01-31"))
    view.add_period("SP-CL", RES_A, D("2026-01-28"))
    verdict = accepted(judge_drop(drop(MONTHLY), view, CAL, cpt("2026-03-02T09:00")))
    assert {p.service_point.service_point_id: p.effective_date for p in verdict.points} == {
        "SP-CM": D("2026-03-31"),
        "SP-CL": D("2026-03-27"),
    }
    assert any("different dates" in note for note in verdict.notes)


def test_drop_with_no_read_on_file_is_a13() -> None:
    """Tariff 10.D: the drop date "will be the next scheduled meter reading date"; none on file, none to give."""
    verdict = judge_drop(drop(MASS_2), world(), CAL, cpt("2027-02-02T09:00"))
    assert "no scheduled meter read" in rejected(verdict, RejectionCode.OTHER).text
