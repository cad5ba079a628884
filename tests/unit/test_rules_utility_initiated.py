"""Operator commands the utility originates: an account finaled, a new account inheriting its RES (FAQ)."""

from __future__ import annotations

from edi.messages import RejectionCode, StatusCode
from processor.rules.utility_initiated import MANUAL, decide_account_final, decide_utility_enrollment
from processor.rules.verdict import (
    Accepted,
    DropNotice,
    EnrollmentNotice,
    Rejected,
    RescissionNotice,
    Verdict,
    Withdrawal,
)
from processor.rules.view import InMemoryView
from processor.store.records import AccountStatus, Direction, RateClass, RequestKind, RequestStatus
from tests.unit.test_rules_world import BIG, MASS_2, RES_A, RES_B, RES_C, D, account, point, world


def accepted(verdict: Verdict) -> Accepted:
    assert isinstance(verdict, Accepted), verdict
    return verdict


def rejected(verdict: Verdict, code: RejectionCode) -> Rejected:
    assert isinstance(verdict, Rejected), verdict
    assert verdict.code is code, verdict
    return verdict


FINAL = D("2026-02-15")


def test_finaled_account_sends_each_res_a_drop_on_the_final_date() -> None:
    """FAQ, bankruptcy: "each Ameren account associated with that customer will be finaled (closed) - thus
    triggering the generation of one or more EDI 814D-Request transactions to the customer’s RES"."""
    verdict = accepted(decide_account_final(world(), account_number=BIG, final_date=FINAL))
    assert verdict.effective_date == FINAL
    assert verdict.outbound == (DropNotice(RES_A, BIG, ("SP-B1",), FINAL, None, "account finaled"),)
    assert {p.service_point.service_point_id: p.supplier_before for p in verdict.points} == {
        "SP-B1": RES_A,
        "SP-B2": "HSS",
    }


def test_finaled_account_withdraws_what_can_no_longer_happen() -> None:
    """Spec 2.4, use 3, "utility-initiated enrollment rescission (Ameren only): utility → RES": a RES's enrollment
    dated after the final date is rescinded and its RES told; a pending drop after it is cancelled (the
    utility's drop ends the supply first)."""
    view = world()
    enrollment = view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_B, account_number=BIG,
                                  service_point_id="SP-B2", effective_date=D("2026-03-09"))
    own_drop = view.add_request(kind=RequestKind.DROP, supplier=RES_A, account_number=BIG,
                                service_point_id="SP-B1", effective_date=D("2026-03-09"))
    verdict = accepted(decide_account_final(view, account_number=BIG, final_date=FINAL))
    assert verdict.withdraws == (
        Withdrawal(enrollment, RequestStatus.RESCINDED),
        Withdrawal(own_drop, RequestStatus.CANCELLED),
    )
    assert RescissionNotice(RES_B, BIG, enrollment, "account finaled") in verdict.outbound


def test_finaling_again_sends_nothing_more() -> None:
    """FAQ, bankruptcy: the finaled account triggers "one or more EDI 814D-Request transactions to the customer’s
    RES" — once: with the drop recorded, the RES no longer supplies the account on the final date."""
    view = world()
    view.add_request(kind=RequestKind.DROP, direction=Direction.OUTBOUND, supplier=RES_A, account_number=BIG,
                     service_point_id="SP-B1", effective_date=FINAL)
    verdict = accepted(decide_account_final(view, account_number=BIG, final_date=FINAL))
    assert verdict.outbound == ()


def test_finaling_an_unknown_account_is_a76() -> None:
    """Spec 3.1 ``A76`` — "account not found"."""
    rejected(decide_account_final(world(), account_number="4040404040", final_date=FINAL),
             RejectionCode.ACCOUNT_NOT_FOUND)


def bankrupt_world() -> InMemoryView:
    """MASS_2 (RES A) finaled on 2026-02-15; new account 7000000001 with one DS2 point on BGS."""
    view = world()
    view.accounts[MASS_2] = account(MASS_2, status=AccountStatus.FINAL)
    view.add_account(account("7000000001"), point("SP-N1", "7000000001", RateClass.DS2, "BGS"), since=FINAL)
    return view


def test_new_account_after_bankruptcy_inherits_the_res() -> None:
    """FAQ, bankruptcy: "The new account(s) will automatically be assigned to the RES that was supplying the
    finaled account(s)… BGN06 will be noted with “MANUAL”, the REF*45 segment will show the old account number,
    and the REF*1P segment will reveal a descriptive code … "BNK" (for a customer bankruptcy)"."""
    verdict = accepted(decide_utility_enrollment(
        bankrupt_world(), old_account=MASS_2, new_account="7000000001", reason=StatusCode.BANKRUPTCY,
        start_date=D("2026-02-16"), old_final_date=FINAL,
    ))
    assert verdict.outbound == (
        EnrollmentNotice(RES_A, "7000000001", MASS_2, StatusCode.BANKRUPTCY, ("SP-N1",), D("2026-02-16")),
    )
    assert MANUAL == "MANUAL"
    assert verdict.points[0].supplier_before == "BGS"


def test_bankruptcy_needs_a_finaled_old_account_uie_does_not() -> None:
    """FAQ: "BNK" (for a customer bankruptcy, whose accounts "will be finaled") or "UIE" (Utility Initiated
    Enrollment - for any reason other than a bankruptcy), e.g. an account split while the old one lives on."""
    view = world()
    view.add_account(account("7000000002"), point("SP-N2", "7000000002", RateClass.DS2, "BGS"), since=FINAL)
    bnk = decide_utility_enrollment(view, old_account=MASS_2, new_account="7000000002", reason=StatusCode.BANKRUPTCY,
                                    start_date=FINAL, old_final_date=FINAL)
    assert "not final" in rejected(bnk, RejectionCode.OTHER).text
    uie = accepted(decide_utility_enrollment(view, old_account=MASS_2, new_account="7000000002",
                                             reason=StatusCode.UTILITY_INITIATED, start_date=FINAL,
                                             old_final_date=FINAL))
    assert uie.outbound[0] == EnrollmentNotice(RES_A, "7000000002", MASS_2, StatusCode.UTILITY_INITIATED,
                                               ("SP-N2",), FINAL)


def test_utility_enrollment_rejections() -> None:
    """Spec 3.1: A76 "account not found", 008 "account exists but is not active"; the reason is REF*1P "BNK" or
    "UIE" only (FAQ)."""
    view = bankrupt_world()

    def decide(old: str, new: str, reason: StatusCode = StatusCode.BANKRUPTCY) -> Verdict:
        return decide_utility_enrollment(view, old_account=old, new_account=new, reason=reason, start_date=FINAL,
                                         old_final_date=FINAL)

    rejected(decide(MASS_2, "7000000001", StatusCode.RESCISSION), RejectionCode.OTHER)
    rejected(decide("4040404040", "7000000001"), RejectionCode.ACCOUNT_NOT_FOUND)
    rejected(decide(MASS_2, "4040404040"), RejectionCode.ACCOUNT_NOT_FOUND)
    view.accounts["7000000001"] = account("7000000001", status=AccountStatus.INACTIVE)
    rejected(decide(MASS_2, "7000000001"), RejectionCode.ACCOUNT_INACTIVE)


def test_nothing_to_inherit_is_a13() -> None:
    """FAQ: the new account is assigned "to the RES that was supplying the finaled account(s)" — if none did,
    there is no RES to assign."""
    view = world()
    view.add_account(account("7000000003"), point("SP-N3", "7000000003", RateClass.DS1, "BGS"), since=FINAL)
    verdict = decide_utility_enrollment(view, old_account="1000000001", new_account="7000000003",
                                        reason=StatusCode.UTILITY_INITIATED, start_date=FINAL, old_final_date=FINAL)
    assert "no RES" in rejected(verdict, RejectionCode.OTHER).text


def test_split_of_an_account_with_several_res_needs_a_mapping() -> None:
    """Tariff 10.B(2): "A non-Mass Market account with multiple electric service points may have multiple RESs";
    which new point takes which RES must then be said (``inherit``)."""
    view = world()
    view.add_period("SP-B2", RES_C, D("2026-01-08"))
    view.add_account(account("7000000004"), point("SP-N4", "7000000004", RateClass.DS3B, "HSS"),
                     point("SP-N5", "7000000004", RateClass.DS4, "HSS"), since=FINAL)
    def decide(inherit: dict[str, str] | None) -> Verdict:
        return decide_utility_enrollment(view, old_account=BIG, new_account="7000000004",
                                         reason=StatusCode.UTILITY_INITIATED, start_date=FINAL,
                                         old_final_date=FINAL, inherit=inherit)

    assert "several RESs" in rejected(decide(None), RejectionCode.OTHER).text
    verdict = accepted(decide({"SP-N4": "SP-B1", "SP-N5": "SP-B2"}))
    assert {(n.supplier, n.service_point_ids) for n in verdict.outbound if isinstance(n, EnrollmentNotice)} == {
        (RES_A, ("SP-N4",)),
        (RES_C, ("SP-N5",)),
    }
    assert "SP-B9" in rejected(decide({"SP-N4": "SP-B9"}), RejectionCode.ACCOUNT_NOT_FOUND).text


def test_new_account_with_an_enrollment_pending_is_nfi() -> None:
    """Tariff 10.B(6): "The Company shall accept and process the first valid enrollment DASR that it receives";
    a RES that already enrolled the new account got there first."""
    view = bankrupt_world()
    view.add_request(kind=RequestKind.ENROLLMENT, supplier=RES_B, account_number="7000000001",
                     effective_date=D("2026-03-09"))
    verdict = decide_utility_enrollment(view, old_account=MASS_2, new_account="7000000001",
                                        reason=StatusCode.BANKRUPTCY, start_date=FINAL, old_final_date=FINAL)
    rejected(verdict, RejectionCode.NOT_FIRST_IN)


def test_mass_market_new_account_takes_one_res() -> None:
    """Tariff 10.B(2): "Only one RES shall provide service to any Mass Market account.\""""
    view = world()
    view.add_period("SP-B2", RES_C, D("2026-01-08"))
    view.add_account(account("7000000005"), point("SP-N6", "7000000005", RateClass.DS1, "BGS"),
                     point("SP-N7", "7000000005", RateClass.DS2, "BGS"), since=FINAL)
    verdict = decide_utility_enrollment(view, old_account=BIG, new_account="7000000005",
                                        reason=StatusCode.UTILITY_INITIATED, start_date=FINAL, old_final_date=FINAL,
                                        inherit={"SP-N6": "SP-B1", "SP-N7": "SP-B2"})
    assert "one RES" in rejected(verdict, RejectionCode.OTHER).text
