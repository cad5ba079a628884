"""The injected clock: rules never ask the system for the time, they are given it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

CENTRAL = ZoneInfo("America/Chicago")


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime."""
        ...


@dataclass(frozen=True, slots=True)
class SystemClock:
    zone: ZoneInfo = CENTRAL

    def now(self) -> datetime:
        return datetime.now(self.zone)


@dataclass(frozen=True, slots=True)
class FixedClock:
    """A clock stopped at one instant: ``--as-of`` runs and tests."""

    at: datetime

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("a FixedClock needs an aware datetime")

    def now(self) -> datetime:
        return self.at


def parse_as_of(text: str, zone: ZoneInfo = CENTRAL) -> datetime:
    """ISO 8601; a date or a datetime without offset is Central prevailing time."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO 8601 date or datetime: {text!r}") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)
