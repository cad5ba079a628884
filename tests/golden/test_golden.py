"""Golden cases: one directory each under ``cases/``, compared whole.

``case.toml`` names the command, its input and its flags; ``expected/`` holds the
outputs: findings as sorted, indented JSON, X12 one segment per line. The
expected files are regenerated only on purpose, with ``make golden-update``
(``GOLDEN_UPDATE=1``), and reviewed like code.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi.reader import read_segments
from processor.cli import main
from tests.support import ROOT

CASES = Path(__file__).parent / "cases"
UPDATE = os.environ.get("GOLDEN_UPDATE") == "1"


def _cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "case.toml").exists())


def one_segment_per_line(path: Path) -> str:
    """X12 normalised for review: one segment per line, elements joined by '*'."""
    return "".join("*".join((s.id, *s.elements)) + "\n" for s in read_segments(path))


def run_case(case: Path, out: Path) -> dict[str, str]:
    """Run the case's command; returns {expected file name: content}."""
    spec = tomllib.loads((case / "case.toml").read_text())
    command = spec["command"]
    runner = CliRunner()
    produced: dict[str, str] = {}
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        if command == "validate":
            ack = out / "ack.x12"
            args = ["validate", spec["input"], "--json", "--ack", str(ack), "--as-of", spec["as_of"],
                    "--control-number", str(spec.get("control_number", 1))]
            result = runner.invoke(main, args, catch_exceptions=False)
            produced["exit_code.txt"] = f"{result.exit_code}\n"
            doc = json.loads(result.stdout)
            produced["findings.json"] = json.dumps(doc, indent=2, sort_keys=True) + "\n"
            if ack.exists():
                produced["ack.x12"] = one_segment_per_line(ack)
        elif command == "translate":
            args = ["translate", spec["input"], "--to", spec.get("to", "json")]
            result = runner.invoke(main, args, catch_exceptions=False)
            produced["exit_code.txt"] = f"{result.exit_code}\n"
            produced["output." + spec.get("to", "json")] = result.stdout
        else:
            raise AssertionError(f"{case.name}: unknown command {command!r}")
    finally:
        os.chdir(cwd)
    return produced


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
def test_golden(case: Path, tmp_path: Path) -> None:
    produced = run_case(case, tmp_path)
    expected_dir = case / "expected"
    if UPDATE:
        expected_dir.mkdir(exist_ok=True)
        for old in expected_dir.iterdir():
            old.unlink()
        for name, content in produced.items():
            (expected_dir / name).write_text(content)
        return
    expected = {p.name: p.read_text() for p in expected_dir.iterdir()} if expected_dir.exists() else {}
    assert sorted(produced) == sorted(expected), f"{case.name}: outputs differ (run make golden-update?)"
    for name, content in produced.items():
        assert content == expected[name], f"{case.name}/{name} differs from the golden copy"


def test_there_are_golden_cases() -> None:
    assert len(_cases()) >= 10
