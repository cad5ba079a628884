"""Which read event ends which period, for whom, from when, and whether it is the last 867."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from processor.usage.intervals import CENTRAL
from processor.usage.periods import SupplySpan, is_res, plan_period, supply_at, switch_instant

BRIGHT, PRAIRIE = "987654321", "123456789"


def cpt(day: date, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm, ss), tzinfo=CENTRAL).astimezone(UTC)


SWITCH = date(2026, 9, 15)


def test_switch_instants() -> None:
    """Tariff 10.B(3): off-cycle 'as of the very end of the day (i.e. 23:59:59)'; on-cycle at the read."""
    assert switch_instant(SWITCH, off_cycle=True, effective_at=None, read_events=[]) == cpt(SWITCH, 23, 59, 59)
    at = cpt(SWITCH, 23, 59, 59)
    assert switch_instant(SWITCH, off_cycle=True, effective_at=at, read_events=[cpt(SWITCH, 9)]) == at
    reads = [cpt(SWITCH, 9, 48), cpt(date(2026, 10, 15), 9, 30)]
    assert switch_instant(SWITCH, off_cycle=False, effective_at=None, read_events=reads) == cpt(SWITCH, 9, 48)
    assert switch_instant(SWITCH, off_cycle=False, effective_at=None, read_events=[]) == cpt(SWITCH)


def test_the_latest_switch_wins_and_ties_go_to_the_later_recorded() -> None:
    spans = [SupplySpan(BRIGHT, cpt(date(2026, 1, 1)), order=0), SupplySpan(PRAIRIE, cpt(SWITCH), order=1),
             SupplySpan("BGS", cpt(SWITCH), order=2)]
    assert supply_at(spans, "HSS", cpt(date(2025, 12, 1))).supplier == "HSS"  # before the history: master data
    assert supply_at(spans, "HSS", cpt(date(2026, 6, 1))).supplier == BRIGHT
    assert supply_at(spans, "HSS", cpt(SWITCH, 12)).supplier == "BGS"
    bounded = [SupplySpan(BRIGHT, cpt(date(2026, 1, 1)), until=cpt(date(2026, 2, 1)))]
    assert supply_at(bounded, "BGS", cpt(date(2026, 2, 1))).supplier == "BGS"


def test_a_period_starts_at_the_previous_read_and_belongs_to_the_supplier_before_the_read() -> None:
    reads = [cpt(date(2026, 8, 14), 9), cpt(SWITCH, 9, 48), cpt(date(2026, 10, 15), 9, 30)]
    spans = [SupplySpan(PRAIRIE, reads[1], order=0)]
    first = plan_period(reads[1], reads, spans, BRIGHT, account_final=False, last_event=False)
    assert (first.start, first.supplier, first.final) == (reads[0], BRIGHT, True)  # dropped at the read: final
    second = plan_period(reads[2], reads, spans, BRIGHT, account_final=False, last_event=True)
    assert (second.start, second.supplier, second.final) == (reads[1], PRAIRIE, False)


def test_a_supply_start_after_the_previous_read_starts_the_period() -> None:
    reads = [cpt(date(2026, 8, 14), 9), cpt(date(2026, 10, 15), 9, 30)]
    spans = [SupplySpan(PRAIRIE, cpt(SWITCH, 23, 59, 59))]
    plan = plan_period(reads[1], reads, spans, BRIGHT, account_final=False, last_event=True)
    assert (plan.start, plan.supplier) == (cpt(SWITCH, 23, 59, 59), PRAIRIE)


def test_the_first_read_ever_has_no_start_and_a_final_account_ends_with_f() -> None:
    read = cpt(SWITCH, 9)
    plan = plan_period(read, [read], [], BRIGHT, account_final=True, last_event=True)
    assert plan.start is None and plan.final
    assert not plan_period(read, [read], [], BRIGHT, account_final=True, last_event=False).final


def test_res_or_utility_supply() -> None:
    assert is_res(BRIGHT) and is_res("1234567890123")
    assert not any(is_res(code) for code in ("BGS", "RTP", "HSS"))
