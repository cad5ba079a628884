"""Once per run: the accepted switches whose date has passed take effect, and the supply history grows.

Tariff 10.B(3): an on-cycle switch "shall be effectuated when the service point's meter data is
collected", an off-cycle one "as of the very end of the day (i.e. 23:59:59) of the date requested";
:func:`processor.rules.effectuate` decides which accepted requests are due at the run's clock (on-cycle:
once the scheduled read day is over, midnight CPT after it) and what each does to the history. This module
applies that: the requests become ``effective`` and each change appends a supply period from its
effective date. History is appended, never rewritten (the store's "latest start wins"), so a run that
repeats finds nothing due and writes nothing.
"""

from __future__ import annotations

from datetime import datetime

from processor.calendar import Calendar
from processor.config import Utility
from processor.handlers.base import Outbound
from processor.handlers.view import StoreView
from processor.rules import Effectuation, effectuate
from processor.store.records import RequestKind, RequestStatus
from processor.store.unit_of_work import UnitOfWork

#: The requests that change who supplies a point (the rules' ``STARTS`` and drops).
_EFFECTUATED = (RequestKind.ENROLLMENT, RequestKind.UTILITY_INITIATED, RequestKind.DROP)


def effectuate_pending(uow: UnitOfWork, calendar: Calendar, now: datetime, utility: Utility) -> list[Outbound]:
    """Make every accepted enrollment, utility-initiated enrollment and drop due by ``now`` effective.

    Appends the new supply periods and sets the requests' status, in ``uow`` (the caller commits, so the
    history and the statuses change together). Returns the 814s to send because of it: none, since the
    RES learned the date from the 814 response (tariff 10.B(4), 10.D) and the first and last 867s follow
    from the meter reads, not from this step. ``utility`` is there for the day a partner wants a notice.
    """
    accepted = uow.switching.find_requests(kinds=_EFFECTUATED, statuses=[RequestStatus.ACCEPTED])
    apply_effectuation(uow, effectuate(accepted, StoreView(uow), calendar, now))
    return []


def apply_effectuation(uow: UnitOfWork, result: Effectuation) -> int:
    """Write ``result``: the supply periods first (in order: one may end a period appended just before),
    then the statuses. Returns how many requests became effective.

    A finaled account's drop changes no period (``begins`` is None): the store keeps no "nobody" supplier
    and closes no period, and a final account has no further reads to settle.
    """
    for change in result.changes:
        if change.begins is not None:
            uow.switching.append_supply(change.begins)
    for request in result.effective:
        uow.switching.set_status(request.id, RequestStatus.EFFECTIVE, at=result.now)
    return len(result.effective)
