"""Billing periods: which read event ends which period, who supplied it, where it starts, whether it is the last.

Pure functions over instants; :mod:`processor.usage.produce` reads the store and calls them.

- **Supply in instants.** The supply history holds dates ("the day the previous period ends, as one 867
  period's end read is the next one's start", :mod:`processor.rules.effectuation`). A supply period begins at
  its *switch instant*: an off-cycle switch "as of the very end of the day (i.e. 23:59:59)" (tariff
  10.B(3)), an on-cycle one "when the service point's meter data is collected" (10.B(3)), i.e. at the read
  event of that day, or at the day's start when no read event was loaded for it. On an instant, the supply
  period with the latest switch instant at or before it wins, ties going to the one recorded last (the
  store's rule for dates, :class:`processor.store.records.NewSupplyPeriod`); with no period, the master
  data's ``supplier``.
- **Who gets the 867.** The supplier just before the read that ends the period: the one whose customer used
  the energy. It gets an 867 when it is a RES (a DUNS, not ``BGS``/``RTP``/``HSS``).
- **Where the period starts.** At the later of the service point's previous read event and that supplier's
  switch instant (FAQ, interval data: the next 867 starts "from the time of the end read of the previous
  billing period"). With neither (the first read event the gateway ever sees for a point), where the meter
  data starts; see :mod:`processor.usage`.
- **The last one.** BPT07 ``F`` "when this is the final 867 for the service point (account finaled or
  dropped)" (spec 2.7): the supplier at the read itself is another one (a drop, or a switch to another
  RES: the old RES was dropped), or the account is final and this is the point's last read event.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from processor.store.records import UtilitySupply
from processor.usage.intervals import CENTRAL, END_OF_DAY, local_day_bounds, utc

#: Just before an instant: the supplier "at the period end" is the one in force up to the read.
TICK = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class SupplySpan:
    """A supplier from its switch instant (None: from the beginning) until an instant (None: open)."""

    supplier: str
    since: datetime | None
    until: datetime | None = None
    order: int = 0  #: recording order: on equal ``since`` the later recorded wins

    def covers(self, moment: datetime) -> bool:
        return (self.since is None or self.since <= moment) and (self.until is None or moment < self.until)


def is_res(supplier: str) -> bool:
    """Whether ``supplier`` is a RES (a DUNS) rather than one of the utility's own supply services."""
    return supplier not in {s.value for s in UtilitySupply}


def switch_instant(start_date: date, *, off_cycle: bool, effective_at: datetime | None,
                   read_events: Iterable[datetime]) -> datetime:
    """When a supply period that starts on ``start_date`` begins (see the module docstring)."""
    if off_cycle:
        if effective_at is not None:
            return utc(effective_at)
        return utc(datetime.combine(start_date, END_OF_DAY, tzinfo=CENTRAL))
    begin, end = local_day_bounds(start_date)
    that_day = [utc(moment) for moment in read_events if begin <= utc(moment) < end]
    return max(that_day) if that_day else begin


def supply_at(spans: Sequence[SupplySpan], default: str, moment: datetime) -> SupplySpan:
    """The span that decides who supplies at ``moment``; the master data's supplier when none covers it."""
    covering = [span for span in spans if span.covers(moment)]
    if not covering:
        return SupplySpan(default, None)
    return max(covering, key=lambda span: (span.since is not None, span.since or moment, span.order))


@dataclass(frozen=True, slots=True)
class PeriodPlan:
    """What a read event ends: the period (start None: not known from reads and supply), its supplier, final."""

    end: datetime
    start: datetime | None
    supplier: str
    final: bool


def plan_period(end: datetime, earlier_events: Iterable[datetime], spans: Sequence[SupplySpan], default: str, *,
                account_final: bool, last_event: bool) -> PeriodPlan:
    """The period the read event at ``end`` ends (see the module docstring)."""
    end = utc(end)
    span = supply_at(spans, default, end - TICK)
    previous = max((utc(moment) for moment in earlier_events if utc(moment) < end), default=None)
    candidates = [moment for moment in (previous, span.since) if moment is not None and moment < end]
    start = max(candidates) if candidates else None
    after = supply_at(spans, default, end)
    final = after.supplier != span.supplier or (account_final and last_event)
    return PeriodPlan(end=end, start=start, supplier=span.supplier, final=final)


def until_of(end_date: date | None) -> datetime | None:
    """The instant a supply period with an inclusive ``end_date`` stops covering (local midnight after it)."""
    return None if end_date is None else local_day_bounds(end_date)[1]
