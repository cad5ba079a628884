"""The checks every RES request goes through first: who sent it, is it a duplicate, which account.

Each returns the thing it looked up, or a :class:`Rejected`; the rules run them in the order of the
spec's code table (UND, ABN, API, A76, 008).
"""

from __future__ import annotations

from collections.abc import Sequence

from edi.messages import Commodity, Party, RejectionCode, ServiceType, SourceRef
from processor.calendar import CPT
from processor.rules.history import LIVE
from processor.rules.verdict import Rejected
from processor.rules.view import SwitchingView
from processor.store.records import (
    Account,
    AccountStatus,
    Direction,
    RequestKind,
    ServicePoint,
    Supplier,
    SwitchRequest,
)


def check_supplier(view: SwitchingView, party: Party) -> Supplier | Rejected:
    """``UND``: "DUNS/DUNS+4 in N104 not recognised" (spec 3.1, Ameren CPWG table)."""
    duns = (party.id or "").strip()
    if not duns:
        return Rejected(RejectionCode.UNKNOWN_DUNS, "supplier N1 SJ has no DUNS in N104")
    supplier = view.get_supplier(duns)
    if supplier is None:
        return Rejected(RejectionCode.UNKNOWN_DUNS, f"supplier DUNS {duns} is not registered with the utility")
    return supplier


def check_duplicate(
    view: SwitchingView,
    *,
    supplier: str,
    kind: RequestKind,
    request_ref: str,
    line_ref: str,
    account_number: str,
    source: SourceRef | None,
) -> Rejected | None:
    """``ABN``, "duplicate request received" (spec 3.1).

    Spec 2.0: BGN02 is "unique over time", and LIN01 "must be unique over time (alone or together with
    BGN02)". So a BGN02 this RES has used before is a duplicate whatever it asked; a LIN01 is a duplicate
    only for the same kind of request on the same account while the earlier one still stands (a RES
    that numbers LIN01 per BGN02 reuses it legitimately). The same transaction set seen again (same
    ISA13, GS06, ST02 and LIN01: a resumed run) is not a duplicate of itself.
    """

    def same_set(r: SwitchRequest) -> bool:
        return source is not None and r.line_ref == line_ref and (r.isa13, r.gs06, r.st02) == (
            source.isa13,
            source.gs06,
            source.st02,
        )

    for r in view.find_requests(supplier=supplier, request_ref=request_ref):
        if r.direction is Direction.INBOUND and not same_set(r):
            return Rejected(
                RejectionCode.DUPLICATE,
                f"duplicate: BGN02 {request_ref} was already received on {r.received_at.astimezone(CPT).date()}",
            )
    for r in view.find_requests(supplier=supplier, account_number=account_number):
        if (
            r.direction is Direction.INBOUND
            and r.kind is kind
            and r.line_ref == line_ref
            and r.status in LIVE
            and not same_set(r)
        ):
            return Rejected(
                RejectionCode.DUPLICATE,
                f"duplicate: LIN01 {line_ref} is already pending for account {account_number}",
            )
    return None


def check_line(commodity: Commodity, service: ServiceType) -> Rejected | None:
    """``A13`` unless the line is about electric supply (``LIN*…*SH*EL*SH*CE``, spec 2.0): the tariff's
    switching rules (section 10) are for electric power and energy supply; a historical-usage (HU) or
    meter-information (MI) line, or gas, is not an enrollment or drop to judge here."""
    if commodity is not Commodity.ELECTRIC or service is not ServiceType.SUPPLY:
        return Rejected(RejectionCode.OTHER, f"only electric supply (LIN EL CE) is handled, not {commodity} {service}")
    return None


def check_account(view: SwitchingView, account_number: str) -> Account | Rejected:
    """``API`` when REF*12 is empty, ``A76`` "account not found", ``008`` "account exists but is not
    active" (spec 3.1; tariff 10.B(1): "The enrollment DASR must include a valid account number")."""
    number = account_number.strip()
    if not number:
        return Rejected(RejectionCode.MISSING_INFORMATION, "the utility account number (REF 12) is missing")
    account = view.get_account(number)
    if account is None:
        return Rejected(RejectionCode.ACCOUNT_NOT_FOUND, f"account {number} not found")
    if account.status is not AccountStatus.ACTIVE:
        return Rejected(RejectionCode.ACCOUNT_INACTIVE, f"account {number} is {account.status}, not active")
    return account


def check_points(
    view: SwitchingView, account: Account, service_point: str | None
) -> tuple[Sequence[ServicePoint], tuple[ServicePoint, ...]] | Rejected:
    """The account's service points, and those the request names (all of them for an account-level one).

    Tariff 10.B(1): a service point-level request "must include a valid account number and a valid
    service point number associated with the account". A point that is not on the account is ``A76``
    (spec 3.3 files "invalid account" under A76: the thing the RES named does not exist there).
    """
    points = view.service_points_of(account.account_number)
    if not points:
        return Rejected(RejectionCode.OTHER, f"account {account.account_number} has no service points")
    if service_point is None or not service_point.strip():
        return points, tuple(points)
    named = [sp for sp in points if sp.service_point_id == service_point.strip()]
    if not named:
        return Rejected(
            RejectionCode.ACCOUNT_NOT_FOUND,
            f"service point {service_point.strip()} is not on account {account.account_number}",
        )
    return points, tuple(named)
