"""``settle``: what is alive at start-up is frozen out of the collector's walks, and still collectable later."""

from __future__ import annotations

import gc

from processor.startup import settle


def test_settle_freezes_what_is_alive_and_collection_still_works() -> None:
    gc.unfreeze()
    try:
        settle()
        assert gc.get_freeze_count() > 1000  # at least the loaded modules' objects

        class Cycle:
            me: object

        cycle = Cycle()
        cycle.me = cycle
        del cycle
        assert gc.collect() >= 1  # new garbage, cycles included, is still found
    finally:
        gc.unfreeze()
