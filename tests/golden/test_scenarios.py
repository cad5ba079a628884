"""Golden switching scenarios: a RES's 814s in, the utility's answers and its state out, compared whole.

One directory per scenario under ``scenarios/``:

- ``case.toml``: ``description``; ``tariff`` (the tariff or FAQ sentence it tests, quoted); either ``as_of``
  (one run of ``edi batch --as-of``, Central time, with every file of ``inbound/``) or ``[[step]]`` tables,
  each with its own ``as_of`` and ``inbound = [...]`` (file names in ``inbound/``; empty for a run that only
  lets the clock pass); optional ``arrived`` (beside ``as_of``): when the inbound files arrived in the
  inbox, the received time of the cut-off rules (default: ``as_of``); optional ``[master]``: extra CSV
  rows per kind (``accounts = ["…", …]``), loaded after the samples so that they add rows or replace
  rows by key; optional ``exit_code`` (default 0);
  ``[[expect]]`` tables (``step``, ``to``, ``segments``): segments reasoned out by hand from the tariff
  and the schedule that the 814s sent to ``to`` in that step must contain (the answer and its date).
  They are checked before anything is compared or rewritten, so ``GOLDEN_UPDATE`` cannot bless a wrong
  date.
- ``master/<kind>.csv`` (optional): replaces ``samples/master/<kind>.csv`` wholesale.
- ``inbound/``: the 814 files the RES sends, written by hand from the spec's layouts (5.1, 5.3).
- ``expected/``: per step ``stepN/report.json`` (the run report, sorted, without run id and timestamps)
  and every outbound file of that run, one segment per line; after the last step ``switch_requests.json``
  and ``supply_history.json`` (the final state, sorted).

Each scenario runs in a fresh temporary directory: an ``edi.toml`` whose folders and SQLite database
are inside it, ``edi load`` for the master data, then ``edi batch --as-of`` per step, through click's
``CliRunner`` (in process). ``GOLDEN_UPDATE=1`` (``make golden-update``) rewrites ``expected/``; review
the diff like code, and never edit an expected file to make a failure go away.

Effectuation (pending switches whose date has passed take effect) is the first thing ``edi batch`` does,
so a step with no inbound file is how a scenario lets the clock pass a date.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from processor.store import Store, schema
from tests.golden.sandbox import Sandbox, as_json, one_segment_per_line
from tests.support import arrive

SCENARIOS = Path(__file__).parent / "scenarios"
UPDATE = os.environ.get("GOLDEN_UPDATE") == "1"
#: Load order: each kind's rows refer only to kinds loaded before it.
KINDS = ("suppliers", "accounts", "service-points", "meters", "schedule", "holidays")
#: Report fields that differ from run to run.
VOLATILE = ("run_id", "started_at")


@dataclass(frozen=True, slots=True)
class Step:
    as_of: str  #: the run's clock
    inbound: tuple[Path, ...]
    arrived: str | None = None  #: when the files arrived in the inbox (default: ``as_of``)


def scenarios() -> list[Path]:
    return sorted(p for p in SCENARIOS.iterdir() if (p / "case.toml").exists()) if SCENARIOS.exists() else []


def read_case(case: Path) -> dict[str, Any]:
    return tomllib.loads((case / "case.toml").read_text(encoding="utf-8"))


def steps_of(case: Path, spec: dict[str, Any]) -> list[Step]:
    inbound = case / "inbound"
    if "step" in spec:
        return [Step(s["as_of"], tuple(inbound / name for name in s.get("inbound", [])), s.get("arrived"))
                for s in spec["step"]]
    files = tuple(sorted(p for p in inbound.iterdir() if p.is_file())) if inbound.exists() else ()
    return [Step(spec["as_of"], files, spec.get("arrived"))]


class ScenarioSandbox(Sandbox):
    def state(self) -> dict[str, str]:
        """The final ``switch_requests`` and ``supply_history`` as sorted JSON (by id)."""
        with Store.open(self.db_url) as store, store.unit_of_work() as uow:
            requests = [dataclasses.asdict(r) for r in uow.switching.find_requests()]
            points = sorted(_points_with_history(self.db_url))
            periods = sorted((dataclasses.asdict(p) for sp in points for p in uow.switching.supply_history(sp)),
                             key=lambda p: p["id"])
        return {"switch_requests.json": as_json(requests), "supply_history.json": as_json(periods)}


def _points_with_history(db_url: str) -> set[str]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return set(connection.execute(select(schema.supply_history.c.service_point_id).distinct()).scalars())
    finally:
        engine.dispose()


def run_scenario(case: Path, root: Path) -> dict[str, str]:
    """Run every step of ``case`` in ``root``; returns {path under expected/: content}."""
    spec = read_case(case)
    box = ScenarioSandbox(root)
    box.load(case, spec)
    produced: dict[str, str] = {}
    for n, step in enumerate(steps_of(case, spec), start=1):
        for file in step.inbound:
            assert file.is_file(), f"{case.name}: no inbound file {file.name}"
            shutil.copyfile(file, box.folders["inbox"] / file.name)
            arrive(box.folders["inbox"] / file.name, step.arrived or step.as_of)
        sent_before = set(os.listdir(box.folders["outbox"]))
        reports_before = set(os.listdir(box.folders["reports"]))
        code, output = box.edi("batch", "--as-of", step.as_of)
        assert code == spec.get("exit_code", 0), f"{case.name} step {n}: exit {code}\n{output}"
        (report_name,) = set(os.listdir(box.folders["reports"])) - reports_before
        report = json.loads((box.folders["reports"] / report_name).read_text())
        for key in VOLATILE:
            report.pop(key, None)
        produced[f"step{n}/report.json"] = as_json(report)
        for name in sorted(set(os.listdir(box.folders["outbox"])) - sent_before):
            produced[f"step{n}/{name}"] = one_segment_per_line(box.folders["outbox"] / name)
    produced.update(box.state())
    return produced


def check_expectations(case: Path, spec: dict[str, Any], produced: dict[str, str]) -> None:
    """Every ``[[expect]]`` segment is in an 814 the step sent to its receiver."""
    assert spec.get("expect"), f"{case.name}: case.toml needs at least one [[expect]]"
    for want in spec["expect"]:
        prefix = f"step{want['step']}/{want['to']}_814_"
        sent = "".join(content for name, content in produced.items() if name.startswith(prefix))
        lines = set(sent.splitlines())
        missing = [segment for segment in want["segments"] if segment not in lines]
        assert not missing, f"{case.name}: step {want['step']} sent {want['to']} no {missing}:\n{sent}"


def expected_of(case: Path) -> dict[str, str]:
    folder = case / "expected"
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", scenarios(), ids=lambda p: p.name)
def test_scenario(case: Path, tmp_path: Path) -> None:
    spec = read_case(case)
    for key in ("description", "tariff"):
        assert spec.get(key), f"{case.name}: case.toml needs a {key}"
    produced = run_scenario(case, tmp_path)
    check_expectations(case, spec, produced)
    if UPDATE:
        shutil.rmtree(case / "expected", ignore_errors=True)
        for name, content in produced.items():
            target = case / "expected" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
        return
    expected = expected_of(case)
    assert sorted(produced) == sorted(expected), f"{case.name}: outputs differ (run make golden-update?)"
    for name, content in produced.items():
        assert content == expected[name], f"{case.name}/expected/{name} differs from the golden copy"


def test_there_are_enough_scenarios() -> None:
    assert len(scenarios()) >= 40
