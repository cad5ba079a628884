"""``make bench``: generate the inputs, take every measurement in its own process, print one table and
save it as ``bench/results.md``.

    python -m bench.run            # 50 MB 867, 100,000 814s, 10,000 interval service points (~25 min)
    python -m bench.run --quick    # the same, inputs scaled down 10x (~3 min), saved in var/bench/

Inputs are generated once into ``--work`` (default ``var/bench``) and reused while their parameters and
the generator are unchanged. All figures of a table come from one run on the same files. Wall time is
what the targets are about; CPU time is shown too, because on a shared machine the two differ.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import gen

ROOT = Path(__file__).resolve().parents[1]
EDI = str(Path(sys.executable).parent / "edi")
AS_OF = "2026-10-05T12:00"  # the day the generated enrollments are received, before the 18:45 cut-off
MASTER_KINDS = ("suppliers", "accounts", "service-points", "meters", "schedule", "holidays")
BATCH_TIMEOUT = 300  # s: the target is 60 s for 100,000; past this the rate is what matters


@dataclass(frozen=True)
class Sizes:
    mb_867: float
    requests: int
    points: int

    @classmethod
    def of(cls, quick: bool) -> Sizes:
        scale = 0.1 if quick else 1.0
        return cls(50 * scale, round(100_000 * scale), round(10_000 * scale))


@dataclass
class Measured:
    name: str
    label: str
    got: dict[str, Any]
    bytes: int = 0
    segments: int = 0

    @property
    def wall(self) -> float:
        return float(self.got.get("wall", float("nan")))

    @property
    def failed(self) -> bool:
        return "error" in self.got


@dataclass
class Section:
    title: str
    rows: list[Measured] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------ inputs


def _stamp(sizes: Sizes) -> str:
    source = (Path(gen.__file__).read_bytes() + json.dumps(sizes.__dict__).encode())
    return hashlib.sha256(source).hexdigest()[:16]


def inputs(work: Path, sizes: Sizes) -> dict[str, Path]:
    """The generated files, made again only when the sizes or ``bench/gen.py`` changed."""
    files = {"867": work / "867.x12", "814": work / "814" / "inbox" / "814_enroll.x12",
             "master": work / "814" / "master", "hourly": work / "hourly.csv"}
    stamp = work / "inputs.stamp"
    if stamp.exists() and stamp.read_text() == _stamp(sizes) and all(p.exists() for p in files.values()):
        return files
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    t = time.perf_counter()
    gen.write_867(files["867"], mb=sizes.mb_867)
    gen.write_814(work / "814", sizes.requests, ROOT / "samples")
    gen.write_hourly(files["hourly"], sizes.points)
    stamp.write_text(_stamp(sizes))
    print(f"inputs generated in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return files


def batch_root(work: Path, master: Path, inbound: Sequence[Path]) -> Path:
    """A fresh installation for ``edi batch``: config, SQLite database with the master data (loaded once
    into a template, copied each time), empty folders, ``inbound`` in the inbox."""
    template = work / "template.db"
    if not template.exists():
        root = work / "template"
        shutil.rmtree(root, ignore_errors=True)
        _config(root, template)
        for kind in MASTER_KINDS:
            subprocess.run([EDI, "--config", str(root / "edi.toml"), "load", kind, str(master / f"{kind}.csv")],
                           check=True, capture_output=True)
    root = work / "batch"
    shutil.rmtree(root, ignore_errors=True)
    _config(root, root / "edi.db")
    shutil.copy(template, root / "edi.db")
    for path in inbound:
        shutil.copy(path, root / "inbox" / path.name)
    return root


def _config(root: Path, db: Path) -> None:
    folders = ("inbox", "outbox", "archive", "quarantine", "reports")
    for name in folders:
        (root / name).mkdir(parents=True, exist_ok=True)
    (root / "edi.toml").write_text(
        "[paths]\n" + "".join(f'{k} = "{root / k}"\n' for k in folders) + f'lock = "{root / "batch.lock"}"\n'
        + f'[database]\nurl = "sqlite:///{db}"\n')


# ------------------------------------------------------------------------------------------ measuring


def measure(name: str, label: str, timeout: float | None = None, **args: Any) -> Measured:
    cmd = [sys.executable, "-m", "bench.measure", name, json.dumps(args)]
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    print(f"  {label} ...", end="", flush=True, file=sys.stderr)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own process group: a timeout stops its children too
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        print(f" over {timeout:.0f} s, stopped", file=sys.stderr)
        return Measured(name, label, {"error": f"stopped after {timeout:.0f} s", "wall": float("nan")})
    lines = [ln for ln in stdout.splitlines() if ln.startswith("{")]
    if proc.returncode or not lines:
        tail = (stderr.strip().splitlines() or ["(no output)"])[-1]
        print(f" failed: {tail}", file=sys.stderr)
        return Measured(name, label, {"error": tail[:120], "wall": float("nan")})
    got = json.loads(lines[-1])
    print(f" {got['wall']:.2f} s", file=sys.stderr)
    return Measured(name, label, got)


def x12_section(title: str, path: Path, pyx12: bool, extra: Sequence[Measured] = ()) -> Section:
    size = path.stat().st_size
    section = Section(title)
    split = measure("split", "plain split (floor)", path=str(path))
    segments = int(split.got.get("segments", 0))
    rows = [measure("read", "read the bytes (floor)", path=str(path)), split]
    if pyx12:
        rows.append(measure("pyx12", "pyx12 4.0.0 validation (same maps)", timeout=1800, path=str(path)))
    rows.append(measure("validate", "**ours: `edi validate`** (compiled maps + fast lane)", path=str(path)))
    rows.append(measure("validate", "ours, exact path only (fast lane off)", path=str(path), lane=False))
    for row in rows:
        row.bytes, row.segments = size, int(row.got.get("segments", segments)) or segments
    section.rows = rows + list(extra)
    for row in extra:
        row.bytes, row.segments = size, segments
    return section


# ------------------------------------------------------------------------------------------ the table


def _num(x: float, digits: int = 2) -> str:
    if x != x:  # nan
        return "—"
    return f"{x:,.{digits}f}"


def _ratio(x: float) -> str:
    return "—" if x != x or x == 0 else (f"{x:,.0f}×" if x >= 10 else f"{x:.2f}×")


def table(sections: Sequence[Section]) -> list[str]:
    out = ["| input | measurement | wall s | CPU s | MB/s | segments/s | peak MB | ours ÷ pyx12 | ours ÷ split |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for section in sections:
        split = next((r for r in section.rows if r.name == "split"), None)
        pyx12 = next((r for r in section.rows if r.name == "pyx12"), None)
        for i, r in enumerate(section.rows):
            wall = r.wall
            mb = r.bytes / 1e6 / wall if r.bytes and wall == wall else float("nan")
            seg = r.segments / wall if r.segments and wall == wall else float("nan")
            vs_pyx12 = pyx12.wall / wall if pyx12 and r.name in ("validate",) and not pyx12.failed else float("nan")
            vs_split = split.wall / wall if split and r.name in ("validate", "translate") else float("nan")
            what = r.label + (f" ({r.got['error']})" if r.failed else "")
            cpu, peak = r.got.get("cpu", float("nan")), r.got.get("peak_mb", float("nan"))
            out.append(f"| {section.title if i == 0 else ''} | {what} | {_num(wall)} | {_num(cpu)} | {_num(mb, 1)}"
                       f" | {_num(seg, 0)} | {_num(peak, 0)} | {_ratio(vs_pyx12)} | {_ratio(vs_split)} |")
    return out


def targets(found: dict[str, Measured], sizes: Sizes, quick: bool) -> list[str]:
    """The issue's targets, each with the figure it is judged on (QUICK: absolute times scaled up 10x)."""
    lines = ["| target | measured | |", "|---|---|---|"]

    def add(what: str, figure: str, good: bool | None) -> None:
        lines.append(f"| {what} | {figure} | {'—' if good is None else ('met' if good else '**not met**')} |")

    def usable(*rows: Measured | None) -> bool:
        return all(r is not None and not r.failed for r in rows)

    v, p, s, t = found.get("867 validate"), found.get("867 pyx12"), found.get("867 split"), found.get("867 json")
    if usable(v, p) and v and p:
        add("guide-level validation ≥ 100× pyx12 (867 file)", _ratio(p.wall / v.wall), p.wall / v.wall >= 100)
    if usable(v, s) and v and s:
        add("… and ≥ ¼ of the plain split's MB/s", f"{s.wall / v.wall:.2f} of it", s.wall / v.wall >= 0.25)
    v4, p4 = found.get("814 validate"), found.get("814 pyx12")
    if usable(v4, p4) and v4 and p4:
        add("(the same on the 814 file) ≥ 100× pyx12", _ratio(p4.wall / v4.wall), p4.wall / v4.wall >= 100)
    if usable(t, s) and t and s:
        add("translate to JSON ≥ ⅕ of the plain split's MB/s", f"{s.wall / t.wall:.2f} of it",
            s.wall / t.wall >= 0.2)
    for key, what, full, limit in (
        ("814 batch", "100,000 enrollment requests through `edi batch` (SQLite) ≤ 60 s", 100_000 / sizes.requests, 60),
        ("produce", "867s for 10,000 interval points × 1 month written and self-checked ≤ 15 s",
         10_000 / sizes.points, 15),
    ):
        r = found.get(key)
        if r is None:
            continue
        if r.failed:
            error = str(r.got["error"])
            stopped = error.startswith("stopped after ")
            add(what, error, False if stopped and float(error.split()[2]) > limit else None)
            continue
        scaled = r.wall * full
        add(what, f"{_num(r.wall)} s" + (f" (×{full:g} = {scaled:,.0f} s)" if quick else ""), scaled <= limit)
    peaks = [r.got.get("peak_mb", 0.0) for r in found.values() if not r.failed and r.name != "pyx12"]
    if peaks:
        add("peak memory < 200 MB (ours, every measurement)", f"{max(peaks):,.0f} MB", max(peaks) < 200)
    return lines


# ------------------------------------------------------------------------------------------ main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="inputs scaled down 10x")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench", help="where inputs are generated")
    parser.add_argument("--out", type=Path, default=None,
                        help="where the table is saved (default bench/results.md; QUICK: WORK/results-quick.md)")
    parser.add_argument("--no-pyx12", action="store_true", help="skip pyx12 (minutes on the full inputs)")
    args = parser.parse_args(argv)
    sizes = Sizes.of(args.quick)
    work = args.work / ("quick" if args.quick else "full")
    started = datetime.now(UTC)
    files = inputs(work, sizes)
    found: dict[str, Measured] = {}
    sections: list[Section] = []

    size867 = files["867"].stat().st_size
    print(f"867 file, {size867 / 1e6:.1f} MB", file=sys.stderr)
    json_row = measure("translate", "translate → JSON (`x12_to_json`, file to file)", path=str(files["867"]),
                       target="json", out=str(work / "867.json"))
    xml_row = measure("translate", "translate → XML (`x12_to_xml`, file to file)", path=str(files["867"]),
                      target="xml", out=str(work / "867.xml"))
    s867 = x12_section(f"867 interval usage, {size867 / 1e6:.1f} MB", files["867"], not args.no_pyx12,
                       [json_row, xml_row])
    sections.append(s867)
    for r in s867.rows:
        key = {"read": "read", "split": "split", "pyx12": "pyx12", "translate": r.got.get("target", "")}.get(r.name)
        if r.name == "validate":
            key = "validate" if "fast lane off" not in r.label else "exact"
        if r.name == "translate":
            key = "json" if "JSON" in r.label else "xml"
        found[f"867 {key}"] = r

    size814 = files["814"].stat().st_size
    print(f"814 file, {sizes.requests:,} enrollment requests, {size814 / 1e6:.1f} MB", file=sys.stderr)
    root = batch_root(work, files["master"], [files["814"]])
    batch = measure("batch", f"`edi batch`: {sizes.requests:,} requests validated, judged, stored, answered (SQLite)",
                    timeout=BATCH_TIMEOUT, root=str(root), as_of=AS_OF)
    s814 = x12_section(f"814 enrollment requests, {sizes.requests:,} sets, {size814 / 1e6:.1f} MB", files["814"],
                       not args.no_pyx12, [batch])
    batch.segments = 0
    sections.append(s814)
    for r in s814.rows:
        key = r.name if r.name != "validate" else ("validate" if "fast lane off" not in r.label else "exact")
        found[f"814 {key}"] = r
    if not batch.failed:
        s814.notes.append("`edi batch`: " + "; ".join(batch.got.get("summary", [])[1:4]))

    if (ROOT / "bench" / "workers.py").exists():
        n_files = 100 if args.quick else 500
        rows = []
        for database, workers in (("sqlite", 1), ("postgresql", 1), ("postgresql", 2), ("postgresql", 4)):
            row = measure("workers", f"`edi batch --workers {workers}`, {database}, {n_files:,} small files",
                          timeout=900, database=database, workers=workers, files=n_files)
            if not row.failed:
                row.got["wall"] = row.got["batch_s"]
                row.label += f": {row.got['files_per_second']:,} files/s"
            rows.append(row)
        sections.append(Section("batch workers (`bench/workers.py`)", rows, [
            "Batch workers: `bench.workers.batch_throughput` (samples renumbered into many small files, a few "
            "broken or re-sent); wall = the `edi batch` command alone, on every core (not pinned)."]))
    else:
        s814.notes.append("Worker throughput: `bench/workers.py` (`batch_throughput`) is not there: skipped.")

    print(f"867 production, {sizes.points:,} interval service points", file=sys.stderr)
    files = inputs(work, sizes)  # made again if the folder went meanwhile (a `make clean` during a 25-min run)
    produce = measure("produce", f"867s written and self-checked, {sizes.points:,} points × {gen.HOURS} h",
                      timeout=3600, hourly=str(files["hourly"]), out=str(work / "produced.x12"))
    if not produce.failed:
        produce.bytes, produce.segments = int(produce.got["out_bytes"]), int(produce.got["segments"])
    sections.append(Section(f"867 production, {sizes.points * gen.HOURS:,} hourly values", [produce]))
    found["produce"] = produce
    if not produce.failed:
        sections[-1].notes.append(
            f"867 production: producer {produce.got['producer']}; writing {produce.got['write_s']:.1f} s, "
            f"self-check {produce.got['check_s']:.1f} s; output {produce.bytes / 1e6:.0f} MB (MB/s = written).")

    lines = report(sections, targets(found, sizes, args.quick), sizes, args.quick, started)
    text = "\n".join(lines) + "\n"
    print(text)
    out = args.out or (args.work / "results-quick.md" if args.quick else ROOT / "bench" / "results.md")
    out.write_text(text)
    print(f"saved {out}", file=sys.stderr)
    return 0


def report(sections: Sequence[Section], goals: Sequence[str], sizes: Sizes, quick: bool,
           started: datetime) -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        model = next(ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                     if ln.startswith("model name"))
    except (OSError, StopIteration):
        model = cpu
    lines = [
        "# Benchmark results" + (" (QUICK: inputs scaled down 10x)" if quick else ""),
        "",
        f"`make bench{' QUICK=1' if quick else ''}`, {started:%Y-%m-%d %H:%M} UTC, {model}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}. Every measurement runs in a process of its own pinned to CPU 0; "
        "wall time; CPU time includes child processes; peak = max RSS of the measuring process (of `edi batch` "
        "for the batch). MB/s and segments/s are of the input file (of the output for 867 production). "
        "Ratios are speed ratios on the same file: ours ÷ pyx12 = pyx12's wall time ÷ ours; "
        "ours ÷ split = our MB/s as a fraction of the plain split's.",
        "",
        *table(sections),
        "",
        *(f"- {note}" for s in sections for note in s.notes),
        "",
        "## Targets" + (" (QUICK run: the batch and 867 production figures are scaled up 10x to compare)"
                         if quick else ""),
        "",
        *goals,
        "",
        f"Inputs (`python -m bench.gen`): an 867 file of {sizes.mb_867:g} MB (one month of hourly values per "
        "service point, values that almost never repeat), one 814 interchange of "
        f"{sizes.requests:,} enrollment requests with master data for their accounts, and one month of hourly "
        f"kWh for {sizes.points:,} interval service points.",
    ]
    return lines


if __name__ == "__main__":
    sys.exit(main())
