"""``edi.toml``: every key optional, defaults that run the samples out of the box.

See ../shared/spec/interfaces.md for the contract; unknown keys are refused so a
typo does not silently fall back to a default.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from datetime import time
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and key."""


@dataclass(frozen=True, slots=True)
class Utility:
    name: str = "AMEREN ILLINOIS"
    duns: str = "012345678"  #: our ISA/GS/N1*8S identity (fictional default)
    timezone: str = "America/Chicago"
    cutoff: time = time(18, 45)  #: later (CPT) counts as received the next business day
    usage_indicator: str = "T"  #: ISA15 on what we send: T test, P production
    #: what "received" means for the cut-off: "arrival" (the inbox file's modification time, capped at the
    #: run's clock) or "run" (the run's clock, for drop folders whose partners can set file times)
    received_time: str = "arrival"


@dataclass(frozen=True, slots=True)
class Paths:
    inbox: str = "var/inbox"
    outbox: str = "var/outbox"
    archive: str = "var/archive"
    quarantine: str = "var/quarantine"
    reports: str = "var/reports"  #: local directory for the run reports (JSON)
    lock: str = "var/batch.lock"  #: local lock file: one batch at a time


@dataclass(frozen=True, slots=True)
class Sftp:
    known_hosts: str = "~/.ssh/known_hosts"
    key_file: str = "~/.ssh/id_ed25519"


@dataclass(frozen=True, slots=True)
class Billing:
    #: the bill-ready window: business days after the 867 is sent that the RES's 810 may count as
    #: received and still be billed (spec 2.8; the Illinois length is not published, so it is ours to set)
    window_business_days: int = 5


DEFAULT_DB = "sqlite:///var/edi.db"


@dataclass(frozen=True, slots=True)
class Config:
    utility: Utility = field(default_factory=Utility)
    paths: Paths = field(default_factory=Paths)
    database_url: str = DEFAULT_DB
    sftp: Sftp = field(default_factory=Sftp)
    billing: Billing = field(default_factory=Billing)
    maps: str = ""  #: map directory; empty = the packaged maps/
    source: str = "(defaults)"


def _section(cls: type[Any], raw: Any, where: str) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table")
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(raw) - names)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    values = dict(raw)
    if cls is Utility and "cutoff" in values:
        try:
            values["cutoff"] = time.fromisoformat(str(values["cutoff"]))
        except ValueError:
            raise ConfigError(f"{where}.cutoff must be HH:MM, got {values['cutoff']!r}") from None
    for f in fields(cls):
        if f.name not in values or f.name == "cutoff":
            continue
        wanted = int if f.type == "int" else str
        value = values[f.name]
        if not isinstance(value, wanted) or isinstance(value, bool):
            raise ConfigError(f"{where}.{f.name} must be {'a whole number' if wanted is int else 'a string'}")
        if isinstance(value, int) and value < 0:
            raise ConfigError(f"{where}.{f.name} cannot be negative, got {value}")
    if cls is Utility and values.get("received_time", "arrival") not in ("arrival", "run"):
        raise ConfigError(f"{where}.received_time must be \"arrival\" or \"run\", got {values['received_time']!r}")
    return cls(**values)


def load_config(path: str | Path | None) -> Config:
    """Read ``edi.toml``; ``None`` means all defaults."""
    if path is None:
        return Config()
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{p}: configuration file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None
    known = {"utility", "paths", "database", "sftp", "billing", "maps"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{p}: unknown section(s) {', '.join(unknown)}")
    database = raw.get("database", {})
    if not isinstance(database, dict) or set(database) - {"url"}:
        raise ConfigError(f"{p}: [database] takes only 'url'")
    maps = raw.get("maps", {})
    if not isinstance(maps, dict) or set(maps) - {"dir"}:
        raise ConfigError(f"{p}: [maps] takes only 'dir'")
    return Config(
        utility=_section(Utility, raw.get("utility", {}), f"{p} [utility]"),
        paths=_section(Paths, raw.get("paths", {}), f"{p} [paths]"),
        database_url=str(database.get("url", DEFAULT_DB)),
        sftp=_section(Sftp, raw.get("sftp", {}), f"{p} [sftp]"),
        billing=_section(Billing, raw.get("billing", {}), f"{p} [billing]"),
        maps=str(maps.get("dir", "")),
        source=str(p),
    )
