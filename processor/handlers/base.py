"""What a handler is: a function of (canonical message, context) that returns an outcome.

The batch owns the transaction: it opens a unit of work per inbound transaction set, gives it to
the handler through the context, enqueues the outcome's outbound messages and commits, so a state
change and its responses are kept together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from edi.messages import Message, SourceRef
from processor.calendar import Calendar
from processor.config import Utility

if TYPE_CHECKING:
    from processor.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Outbound:
    """A message to send, and to whom (the receiver's DUNS)."""

    receiver: str
    message: Message


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a transaction set was answered, for the outbox and the run report."""

    result: str  #: accepted | rejected | recorded
    code: str | None = None  #: the rejection code, when rejected
    outbound: tuple[Outbound, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Context:
    uow: UnitOfWork
    calendar: Calendar
    now: datetime  #: the run's clock
    received_at: datetime  #: when the inbound counts as received (cut-off rules)
    utility: Utility
    source: SourceRef
    sender: str  #: the ISA sender id of the inbound interchange


Handler = Callable[[Message, Context], Outcome]


def record_only(message: Message, ctx: Context) -> Outcome:
    """Inbound messages that change nothing here yet (997s, 824s, reinstatement responses) are kept on record."""
    return Outcome("recorded")
