"""The tariff's switching rules: pure functions of (message, state, calendar, receipt time) → verdict.

"The tariff is the law of this product: when code and tariff disagree, the tariff wins." Sources: the
Ameren Illinois tariff, Customer Terms and Conditions (``reference/003``; "10.B(3)" = section 10, part
B, paragraph (3)), the Ameren RES FAQ (``reference/004``), the project spec (``spec/il-edi-4010.md``).
Dates come from :mod:`processor.calendar`; nothing here reads the clock or writes the store.

Interpretations we had to make, each with the sentence it rests on:

Receipt, processing and order of checks
 1. The date the tariff counts from is :meth:`Calendar.received_date` of the receipt time: 10.B(3) "from the
    date that the enrollment DASR is processed by the Company"; FAQ "submitted before 6:45 p.m. Central
    Prevailing Time". Every transaction is processed in the run that claims it.
 2. ``ABN`` comes right after ``UND``, before the account checks: spec 2.1 "Reject ABN for a duplicate
    request". A re-sent request gets "duplicate" whatever else is wrong with it, and a duplicate of an
    accepted enrollment must not be answered ``NFI`` by its own original.
 3. Duplicate = the RES's BGN02 seen before (any status, any kind), or the same LIN01 for the same kind and
    account while the first still stands. Spec 2.0: BGN02 "unique over time"; LIN01 "must be unique over
    time (alone or together with BGN02)" — so a RES may reuse LIN01 under a new BGN02 once the first line
    is settled. The same ISA13/GS06/ST02/LIN01 recorded by an interrupted run is not its own duplicate.
 4. An empty REF*12 is ``API`` before the ``A76`` lookup (spec 3.1 API "required information missing").
 5. A service point the account does not have is ``A76``: 10.B(1) "a valid service point number associated
    with the account"; spec 3.3 files "invalid account" under A76. ``API`` is kept for absent data.
 6. A line that is not electric supply (``LIN…EL…CE``) is ``A13``: spec 2.0 "LIN05 … CE generation/supply
    service (enrollment, drop, reinstatement), HU historical usage, MI meter information".
 7. An account without service points is ``A13`` and not Mass Market: section 4 "any account containing one
    or more of only …" needs at least one.
 8. The canonical 814 messages carry no REF*LU yet, so ``judge_enrollment`` and ``judge_drop`` take the
    named service point as a keyword argument (None = account level).

Mass Market and billing
 9. Mass Market = every service point DS1, DS2 or DS5 (section 4). A service point-level enrollment or drop
    of a Mass Market account is ``A13``: 10.B(1) "For Mass Market accounts, the RES must submit one
    enrollment DASR per account number"; 10.D "A RES may terminate service to a Mass Market account by
    submitting an account level drop DASR".
10. UCB/POR eligibility is the account's, even for a service point-level request: FAQ "UCB/POR may only be
    utilized on accounts that contain one or more of only … DS1, DS2, DS3A, and/or DS5". ``BLT*LDC`` with
    ``PC*DUAL`` is bill-ready, with ``PC*LDC`` rate-ready (spec 2.0); without REF*PC it is ``API``. Dual
    billing is always allowed (FAQ "required – at minimum – to have the ability to utilize dual
    billing"); ``PC*LDC`` outside UCB/POR is ``FRB``; ``BLT*ESP`` needs an SBO agreement (3.C "dependent on
    whether the RES has registered … to offer the Single Billing Option"). 3.C's past-due-balance bar on
    SBO and 10.A's Rider BGS/RTP minimum terms are not checked: the master data has neither.
11. Off-cycle needs Company metering (10.B(3) "If the Company is providing Metering Service"); the records
    have no MSP flag, so every point counts as Company-metered.

Enrollment dates (10.B(3))
12. A requested date that is too soon, even one already past, is defaulted, not rejected: "An on-cycle
    enrollment DASR submitted less than the minimum number of days … will default to the following scheduled
    meter reading date"; off-cycle "will default to the next business day that is at least seven calendar
    days". Spec 3.3's "A13 for past dates" is not used for enrollments.
13. "The next scheduled meter reading date after the requested … date" includes the requested date when it
    is itself a read (as :meth:`Calendar.earliest_enrollment_read` reads it).
14. An off-cycle request without a date is ``API`` for every account, Mass Market included: "If no enrollment
    effective date is specified in an off-cycle enrollment DADR, then the enrollment will be rejected"; the
    Mass Market conversion ("the next valid scheduled meter reading date after the requested off-cycle
    enrollment effective date") presupposes a date. Its 45-day limit applies to the requested date (``DIV``).
15. Calendar-month accounts (``calendar_billing`` bom/mom/eom, whatever the rate class): non-lighting points
    take the calendar-month read and the FAQ deadline ("any non-lighting electric service points on such
    accounts are billed in calendar-month increments"); lighting points keep the bill group's schedule.
    For a Mass Market account the rescission-window rule must also hold (10.B(3) "at least two business days
    plus the number of days allowed for a Customer rescission"): the FAQ cannot shorten 10.B(5).
16. Points of one request may get different dates ("could have a slightly different enrollment effective
    date for each service point", FAQ); ``Accepted.effective_date`` (DTM*150) is the earliest, each
    :class:`PointEffect` has its own, and the caller records one switch request per point.

First in, already supplied, replaced RES
17. ``NFI`` only for the same point and the same effective date: 10.B(6) "reject any subsequent conflicting
    enrollment DASR it receives for the same enrollment effective date". Pending enrollments for other dates
    do not block; a later one replaces the earlier RES on its own date. The RES's own pending enrollment for
    the same date is also ``NFI``; for another date ``A13``.
18. A point this RES already supplies is left out of an account-level enrollment of a non-Mass Market account;
    if nothing is left it is ``A13`` (10.A: a switch is "between supply options").
19. Accepting an enrollment sends a drop to the RES it replaces: spec 2.4 use 1 "utility-initiated drop
    (final bill, switch to another RES)"; FAQ "the account will revert to its current RES, who will receive
    an EDI 814R-Request (reinstatement)" presupposes that RES was told. "Who supplies on that date" projects
    the accepted requests onto the history (:mod:`processor.rules.history`).

Rescission and reinstatement
20. A RES's rescission of its own enrollment follows the FAQ, the tariff having no rule for it: "prior to the
    start of the account's billing window (for an on-cycle enrollment) or prior to the requested effective
    date (for an off-cycle enrollment)" — the processing date strictly before. Several pending enrollments of
    the RES on the account are rescinded together or not at all (``A13``).
21. The reinstatement goes to the RES that supplies the point once the rescinded request is left out, with
    DTM*150 = the start of that RES's supply period (spec Q16 "the original start date"); none when utility
    supply (BGS/RTP/HSS) stays. The drop sent to that RES (a request with ``related_request_id`` = the
    enrollment) is cancelled with it.
22. A customer's rescission (10.B(5)) counts on the CPT calendar date of the call, with no 6:45 p.m. cut-off
    (the FAQ's cut-off is for EDI transactions). Mass Market: "within ten calendar days of the Company's
    processing of the enrollment DASR", extended over a non-business tenth day; non-Mass Market: "at least two
    business days prior to the account's scheduled meter reading date … or requested enrollment effective
    date". The enrolling RES is told (spec 2.4 use 3).

Drops (10.D) and drop cancels
23. Under seven days is ``A13``, over 45 ``DIV``: "Company must receive and process the drop DASR at least
    seven calendar days but not more than 45 calendar days before the requested termination date" — 10.D,
    unlike 10.B(3), gives no default for a late drop.
24. A RES drops only what it supplies or has pending (``A13``, not ``A76``: the account exists); an
    account-level drop of a non-Mass Market account covers the points it supplies. A drop dated before its
    own pending supply starts is ``A13`` ("rescind the enrollment (EB3)").
25. A second drop of the same point for the same date is ``ABN``; for another date ``A13`` (cancel first).
26. An off-cycle drop ends at 23:59:59 CPT, like the off-cycle enrollment that may meet it (10.B(3)).
27. A drop cancel must be processed by :meth:`Calendar.rescind_by` (inclusive): 10.D "at least two business
    days prior to the scheduled meter reading date (for an on-cycle drop) or the requested … effective date
    (for an off-cycle drop)". BGN06 names the drop; without it every pending drop of the RES on the account
    (spec Q4). One already cancelled is ``ABN``; none pending is ``A13`` (spec 2.4).

Utility-initiated
28. Finaling: each RES supplying the account on the final date gets a drop effective that date (FAQ
    "triggering the generation of one or more EDI 814D-Request transactions to the customer’s RES"); requests
    dated later are withdrawn (enrollments rescinded with a notice to their RES, drops cancelled). Deciding
    it again sends nothing more, since the recorded drops already end the supply.
29. Utility-initiated enrollment: ``BNK`` needs the old account finaled ("each Ameren account … will be
    finaled"), ``UIE`` ("for any reason other than a bankruptcy", e.g. a split) does not. The RES is the one
    supplying the old account on its final date; several RESs need an explicit point mapping, and a Mass
    Market new account can take only one (10.B(2) "Only one RES shall provide service to any Mass Market
    account").

Statuses and effectuation
30. ``pending`` = recorded, not yet answered; ``accepted`` = accepted, waiting for its date. Both stand for
    conflicts and matching; only ``accepted`` ones take effect; ``effective`` ones are in the history.
31. On-cycle requests take effect once the scheduled read day is over (midnight CPT after it): the tariff's
    "anytime during the day that the meter data is collected" cannot be observed here. Off-cycle at 23:59:59
    CPT ("as of the very end of the day (i.e. 23:59:59) of the date requested").
32. The new supply period starts on the effective date the 814 carried (DTM*150/151) and supersedes the old
    one from that day (the store's "latest start wins"), as an 867's end read date is the next period's start.
    A drop goes to Rider BGS for DS-1/DS-2/DS-5 and Rider HSS otherwise (10.A(1)(b), 10.A(2)(a) "will be
    defaulted to …"), unless an enrollment takes the point the same day; a finaled account's supply ends.
33. A rejection's text is one sentence with the dates and the paragraph; :attr:`Rejected.ref03` is what fits
    REF03 (AN 1/80, no separators).
"""

from __future__ import annotations

from processor.rules.drop import judge_drop
from processor.rules.drop_cancel import judge_drop_cancel
from processor.rules.effectuation import Effectuation, SupplyChange, effective_instant, effectuate
from processor.rules.enrollment import judge_enrollment
from processor.rules.rescission import decide_customer_rescission, judge_rescission
from processor.rules.utility_initiated import MANUAL, decide_account_final, decide_utility_enrollment
from processor.rules.verdict import (
    Accepted,
    DropNotice,
    EnrollmentNotice,
    Outbound,
    PointEffect,
    ReinstatementNotice,
    Rejected,
    RescissionNotice,
    Verdict,
    Withdrawal,
)
from processor.rules.view import InMemoryView, SwitchingView

__all__ = [
    "MANUAL",
    "Accepted",
    "DropNotice",
    "Effectuation",
    "EnrollmentNotice",
    "InMemoryView",
    "Outbound",
    "PointEffect",
    "ReinstatementNotice",
    "Rejected",
    "RescissionNotice",
    "SupplyChange",
    "SwitchingView",
    "Verdict",
    "Withdrawal",
    "decide_account_final",
    "decide_customer_rescission",
    "decide_utility_enrollment",
    "effective_instant",
    "effectuate",
    "judge_drop",
    "judge_drop_cancel",
    "judge_enrollment",
    "judge_rescission",
]
