"""The small world the rule tests share: a tariff calendar with a hand-made schedule, suppliers, accounts.

Imported by the other ``test_rules_*`` modules; its own tests only check that the world is what they
assume. Every builder returns fresh objects, so tests never share state.

The 2026 calendar, tariff holidays only (Memorial Day is Mon 2026-05-25); DST starts Sun 2026-03-08 and
ends Sun 2026-11-01. Bill group 05 reads on the dates in ``READS_05``; bill group 21 (the calendar-month
account's lighting point) on ``READS_21``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from edi.messages import (
    DropCancelRequest,
    DropRequest,
    EnrollmentRequest,
    EntityCode,
    IdQualifier,
    Party,
    RescissionRequest,
)
from processor.calendar import CPT, Calendar, CalendarBilling
from processor.rules.view import InMemoryView
from processor.store.records import (
    Account,
    AccountStatus,
    Metering,
    RateClass,
    Sbo,
    ServicePoint,
    Supplier,
    UcbPor,
)

D = date.fromisoformat

READS_05 = tuple(
    D(day)
    for day in (
        "2025-12-08", "2026-01-08", "2026-02-06", "2026-03-09", "2026-04-08", "2026-05-28", "2026-06-08",
        "2026-07-09", "2026-08-07", "2026-09-09", "2026-10-08", "2026-11-06", "2026-12-08", "2027-01-08",
        "2027-02-08",
    )
)
READS_21 = tuple(D(day) for day in ("2025-12-29", "2026-01-28", "2026-02-26", "2026-03-27", "2026-04-28", "2026-05-27"))
CAL = Calendar.from_tariff(range(2025, 2028), {"05": READS_05, "21": READS_21})

RES_A = "111111111"  #: UCB/POR both, SBO agent
RES_B = "222222222"  #: UCB/POR bill-ready only, no SBO
RES_C = "333333333"  #: no UCB/POR, no SBO
UNKNOWN_RES = "999999999"

MASS = "1000000001"  #: Mass Market: one DS1 point on BGS, bill group 05
MASS_2 = "1000000002"  #: Mass Market: DS2 + DS5 lighting, RES_A, bill group 05
BIG = "2000000001"  #: non-Mass Market: DS3B on RES_A, DS4 on HSS, bill group 05
DS3A = "2000000002"  #: non-Mass Market but UCB/POR eligible: one DS3A point on HSS
MONTHLY = "3000000001"  #: end-of-month calendar billing: DS3B (non-lighting) + DS5 lighting, bill group 21
INACTIVE = "9000000001"
HISTORY_START = D("2025-01-01")


def cpt(text: str) -> datetime:
    """An aware instant written in Central Prevailing Time."""
    return datetime.fromisoformat(text).replace(tzinfo=CPT)


def account(number: str, *, bill_group: str = "05", billing: CalendarBilling = CalendarBilling.NONE,
            status: AccountStatus = AccountStatus.ACTIVE) -> Account:
    return Account(number, "CUSTOMER " + number, "1 MAIN ST", "SPRINGFIELD", "IL", "62701", bill_group, billing, status)


def point(sp_id: str, number: str, rate: RateClass, supplier: str, *, lighting: bool = False,
          metering: Metering = Metering.SCALAR) -> ServicePoint:
    return ServicePoint(sp_id, number, rate, metering, supplier, lighting)


def world() -> InMemoryView:
    """A fresh view: three RESs, the accounts above, supply on record since 2025-01-01."""
    view = InMemoryView()
    view.add_supplier(Supplier(RES_A, "ALPHA ENERGY", UcbPor.BOTH, Sbo.AGENT))
    view.add_supplier(Supplier(RES_B, "BETA POWER", UcbPor.BILL_READY, Sbo.NONE))
    view.add_supplier(Supplier(RES_C, "GAMMA ELECTRIC", UcbPor.NONE, Sbo.NONE))
    view.add_account(account(MASS), point("SP-M1", MASS, RateClass.DS1, "BGS"), since=HISTORY_START)
    view.add_account(
        account(MASS_2),
        point("SP-M2", MASS_2, RateClass.DS2, RES_A),
        point("SP-M2L", MASS_2, RateClass.DS5, RES_A, lighting=True),
        since=HISTORY_START,
    )
    view.add_account(
        account(BIG),
        point("SP-B1", BIG, RateClass.DS3B, RES_A, metering=Metering.INTERVAL),
        point("SP-B2", BIG, RateClass.DS4, "HSS", metering=Metering.INTERVAL),
        since=HISTORY_START,
    )
    view.add_account(account(DS3A), point("SP-D1", DS3A, RateClass.DS3A, "HSS"), since=HISTORY_START)
    view.add_account(
        account(MONTHLY, bill_group="21", billing=CalendarBilling.EOM),
        point("SP-CM", MONTHLY, RateClass.DS3B, "HSS"),
        point("SP-CL", MONTHLY, RateClass.DS5, "BGS", lighting=True),
        since=HISTORY_START,
    )
    view.add_account(
        account(INACTIVE, status=AccountStatus.INACTIVE),
        point("SP-I1", INACTIVE, RateClass.DS1, "BGS"),
        since=HISTORY_START,
    )
    return view


def _party(entity: EntityCode, duns: str | None) -> Party:
    return Party(entity, "PARTY " + (duns or ""), IdQualifier.DUNS if duns else None, duns)


_COMMON: dict[str, Any] = {"created": D("2026-01-01"), "utility": _party(EntityCode.UTILITY, "012345678")}


def enrollment(ldc_account: str, supplier: str = RES_A, *, reference: str = "ENR-1", line_id: str = "L1",
               **fields: Any) -> EnrollmentRequest:
    return EnrollmentRequest(reference=reference, line_id=line_id, ldc_account=ldc_account,
                             supplier=_party(EntityCode.SUPPLIER, supplier), **_COMMON, **fields)


def drop(ldc_account: str, supplier: str = RES_A, *, reference: str = "DRP-1", line_id: str = "D1",
         **fields: Any) -> DropRequest:
    return DropRequest(reference=reference, line_id=line_id, ldc_account=ldc_account,
                       supplier=_party(EntityCode.SUPPLIER, supplier), **_COMMON, **fields)


def rescission(ldc_account: str, supplier: str = RES_A, *, reference: str = "RSC-1", line_id: str = "R1",
               **fields: Any) -> RescissionRequest:
    return RescissionRequest(reference=reference, line_id=line_id, ldc_account=ldc_account,
                             supplier=_party(EntityCode.SUPPLIER, supplier), **_COMMON, **fields)


def drop_cancel(ldc_account: str, supplier: str = RES_A, *, reference: str = "CXL-1", line_id: str = "C1",
                **fields: Any) -> DropCancelRequest:
    return DropCancelRequest(reference=reference, line_id=line_id, ldc_account=ldc_account,
                             supplier=_party(EntityCode.SUPPLIER, supplier), **_COMMON, **fields)


# ------------------------------------------------------------------------------ the world's own checks


def test_scheduled_reads_are_business_days() -> None:
    """FAQ, billing window: the window is counted in business days around "an account’s scheduled meter
    reading date"; the hand-made schedule keeps every read on a business day, as the calendar assumes."""
    assert all(CAL.is_business_day(day) for day in READS_05 + READS_21)


def test_memorial_day_2026_is_a_holiday() -> None:
    """Tariff 4, On-Peak: "except New Year's Day, Memorial Day, …" — the holiday tests rely on it."""
    assert CAL.holiday_name(D("2026-05-25")) == "Memorial Day"


def test_world_accounts_are_classified_as_the_tests_assume() -> None:
    """Tariff 4, Mass Market: "any account containing one or more of only the following types of service
    points: DS-1, DS-2, and DS-5."""
    from processor.rules.market import is_mass_market

    view = world()
    assert is_mass_market(view.service_points_of(MASS))
    assert is_mass_market(view.service_points_of(MASS_2))
    assert not is_mass_market(view.service_points_of(BIG))
    assert not is_mass_market(view.service_points_of(DS3A))
    assert not is_mass_market(view.service_points_of(MONTHLY))
