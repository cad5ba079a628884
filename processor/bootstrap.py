"""The one composition root: configuration, maps, clock (and, as they land, store and channels)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from edi.guide import GuideValidator
from edi.mapdir import default_map_dir
from processor.clock import Clock, FixedClock, SystemClock
from processor.config import Config, load_config


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


def bootstrap(config_path: str | Path | None = None, db_url: str | None = None,
              as_of: FixedClock | None = None) -> App:
    config = load_config(config_path)
    map_dir = Path(config.maps) if config.maps else default_map_dir()
    return App(config=config, clock=as_of or SystemClock(), db_url=db_url or config.database_url,
               map_dir=map_dir)
