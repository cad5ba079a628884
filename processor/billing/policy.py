"""The bill-ready window: how long after an 867 the RES's 810 may arrive and still be billed.

Spec 2.8, timing: "the RES must return the 810 inside the utility's bill-ready window … If the 810 is late,
the bill goes out without RES charges". Neither the FAQ nor the tariff gives the window's length (the spec
marks the Illinois rule "not verified"), so it is a policy value, not a constant of the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from processor.calendar import CPT, Calendar

#: Default length of the window, in business days after the day the 867 was sent.
DEFAULT_WINDOW_BUSINESS_DAYS = 5


@dataclass(frozen=True, slots=True)
class BillReadyPolicy:
    """What the utility's bill-ready agreement leaves to configuration."""

    #: The 810 must count as received (:meth:`Calendar.received_date`: 6:45 p.m. CPT cut-off, business days)
    #: no later than this many business days after the Central date the 867 was sent.
    window_business_days: int = DEFAULT_WINDOW_BUSINESS_DAYS

    def __post_init__(self) -> None:
        if self.window_business_days < 0:
            raise ValueError(f"the bill-ready window cannot be negative, got {self.window_business_days}")

    def window_closes(self, calendar: Calendar, sent_at: datetime) -> date:
        """The last business day an 810 answering an 867 sent at ``sent_at`` may count as received."""
        return calendar.add_business_days(sent_at.astimezone(CPT).date(), self.window_business_days)
