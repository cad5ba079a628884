"""What the golden suites (switching scenarios, usage, billing) share: a fresh gateway to run cases in,
and the normalised forms their expected files are written in."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from edi.reader import read_segments
from processor.cli import main
from processor.load import KINDS
from tests.support import SAMPLES


def one_segment_per_line(path: Path) -> str:
    """X12 normalised for review: one segment per line, elements joined by '*'."""
    return "".join("*".join((s.id, *s.elements)) + "\n" for s in read_segments(path))


def as_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=_plain) + "\n"


def _plain(value: Any) -> str:
    """Dates and instants in ISO 8601 (instants in UTC, as stored), decimals and enums as text."""
    return value.isoformat() if isinstance(value, date) else str(value)


class Sandbox:
    """A fresh gateway in ``root``: config, folders, database; runs the CLI in process."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.db_url = f"sqlite:///{root / 'edi.db'}"
        self.folders = {name: root / name for name in ("inbox", "outbox", "archive", "quarantine", "reports")}
        paths = "\n".join(f'{name} = "{path}"' for name, path in self.folders.items())
        self.config = root / "edi.toml"
        self.config.write_text(f'[database]\nurl = "{self.db_url}"\n[paths]\n{paths}\nlock = "{root / "batch.lock"}"\n')
        for path in self.folders.values():
            path.mkdir()

    def edi(self, *args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, ["--config", str(self.config), *args], catch_exceptions=False)
        return result.exit_code, result.output

    def load(self, case: Path, spec: dict[str, Any]) -> None:
        """The sample master data (or the case's own ``master/KIND.csv``), then the case's ``[master]`` rows."""
        extra: dict[str, list[str]] = spec.get("master", {})
        unknown = set(extra) - set(KINDS)
        assert not unknown, f"{case.name}: [master] has unknown kinds {sorted(unknown)}"
        for kind in KINDS:
            own = case / "master" / f"{kind}.csv"
            base = own if own.exists() else SAMPLES / "master" / f"{kind}.csv"
            self._load(kind, base)
            if extra.get(kind):
                header = base.read_text(encoding="utf-8").splitlines()[0]
                more = self.root / f"extra-{kind}.csv"
                more.write_text("\n".join([header, *extra[kind]]) + "\n", encoding="utf-8")
                self._load(kind, more)

    def _load(self, kind: str, path: Path) -> None:
        code, output = self.edi("load", kind, str(path))
        assert code == 0, f"edi load {kind} {path}: {output}"
