"""The one composition root: configuration, maps, clock, store, channels, handlers, batch."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from edi.guide import GuideValidator
from edi.mapdir import default_map_dir
from processor.batch import Batch, Channels
from processor.billing.policy import BillReadyPolicy
from processor.calendar import Calendar
from processor.channels import open_folder
from processor.clock import CENTRAL, Clock, FixedClock, SystemClock
from processor.config import Config, load_config
from processor.handlers import handlers
from processor.load import load_holidays_default
from processor.store import Store


@dataclass
class App:
    config: Config
    clock: Clock
    db_url: str
    map_dir: Path = field(default_factory=default_map_dir)

    @cached_property
    def guide(self) -> GuideValidator:
        """Compiled once per process: the maps are read and compiled here, not per file."""
        return GuideValidator.from_map_dir(self.map_dir)

    def calendar(self, store: Store) -> Calendar:
        """The tariff calendar from the store; years without loaded holidays get the tariff's list."""
        year = self.clock.now().astimezone(CENTRAL).year
        load_holidays_default(store, range(year - 1, year + 3))
        holidays, schedule = store.calendar_inputs()
        return Calendar(holidays=holidays, schedule=schedule, cutoff=self.config.utility.cutoff)

    def channels(self) -> Channels:
        paths, sftp = self.config.paths, self.config.sftp
        return Channels(inbox=open_folder(paths.inbox, sftp), outbox=open_folder(paths.outbox, sftp),
                        archive=open_folder(paths.archive, sftp), quarantine=open_folder(paths.quarantine, sftp))

    def batch(self, store: Store, channels: Channels) -> Batch:
        return Batch(store=store, channels=channels, guide=self.guide, calendar=self.calendar(store),
                     utility=self.config.utility, now=self.clock.now(),
                     handlers=handlers(BillReadyPolicy(self.config.billing.window_business_days)))


def bootstrap(config_path: str | Path | None = None, db_url: str | None = None,
              as_of: FixedClock | None = None) -> App:
    config = load_config(config_path)
    map_dir = Path(config.maps) if config.maps else default_map_dir()
    return App(config=config, clock=as_of or SystemClock(), db_url=db_url or config.database_url,
               map_dir=map_dir)
