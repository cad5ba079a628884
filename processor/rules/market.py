"""What an account is in the tariff's terms: Mass Market or not, UCB/POR eligible or not, default supply."""

from __future__ import annotations

from collections.abc import Iterable

from processor.store.records import RateClass, ServicePoint, UtilitySupply

#: Tariff 4, Mass Market: "any account containing one or more of only the following types of service
#: points: DS-1, DS-2, and DS-5."
MASS_MARKET_CLASSES = frozenset({RateClass.DS1, RateClass.DS2, RateClass.DS5})
#: FAQ, billing options: "UCB/POR may only be utilized on accounts that contain one or more of only the
#: following types of service points: DS1, DS2, DS3A, and/or DS5." (checked in :mod:`processor.rules.billing`)
UCB_POR_CLASSES = frozenset({RateClass.DS1, RateClass.DS2, RateClass.DS3A, RateClass.DS5})


def is_mass_market(points: Iterable[ServicePoint]) -> bool:
    """Tariff 4: "Mass Market includes any account containing one or more of only the following types of
    service points: DS-1, DS-2, and DS-5." An account without service points is not Mass Market."""
    classes = {sp.rate_class for sp in points}
    return bool(classes) and classes <= MASS_MARKET_CLASSES


def is_res(supplier: str | None) -> bool:
    """Whether a service point's supplier is a RES (a DUNS), not the utility's BGS, RTP or HSS."""
    return supplier is not None and supplier not in {s.value for s in UtilitySupply}


def default_supply(point: ServicePoint) -> UtilitySupply:
    """Where a point goes when its RES's supply ends and no other RES takes over.

    Tariff 10.A(1)(b), for DS-1, DS-2 and DS-5: "A Customer, whose service has been terminated by a RES
    and who has not provided the proper advanced notice of a switch … will be defaulted to Rider BGS";
    10.A(2)(a), for DS-3, DS-4 and DS-6: "… will be defaulted to Rider HSS".
    """
    return UtilitySupply.BGS if point.rate_class in MASS_MARKET_CLASSES else UtilitySupply.HSS
