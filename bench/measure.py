"""One measurement, in a process of its own: ``python -m bench.measure NAME JSON-ARGS``.

The process pins itself to CPU 0 (a 2-core machine: the other core is left to the OS and to whatever
else runs), does one thing, and prints one JSON line: wall and CPU seconds (its children's included),
peak resident memory (``ru_maxrss`` of this process, or of its children when the work runs in one), and
what the measurement counted. A process per measurement keeps one measurement's memory and caches out of
the next one's figures.
"""

from __future__ import annotations

import codecs
import contextlib
import importlib
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

CHUNK = 1 << 20
ROOT = Path(__file__).resolve().parents[1]
MAPS = ROOT / "maps"
Result = dict[str, Any]


def pin() -> None:
    """Run on one core (CPU 0), as the targets are stated; a no-op where affinity cannot be set."""
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {0})


# ------------------------------------------------------------------------------------------ floors


def m_read(path: str) -> Result:
    """Read the bytes, 1 MB at a time: the floor of anything that reads the file."""
    n = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            n += len(chunk)
    return {"bytes": n}


def m_split(path: str) -> Result:
    """Decode and split into segments and elements, 1 MB at a time, keeping nothing: the floor of
    anything that looks at every element."""
    with open(path, "rb") as f:
        head = f.read(106).decode("latin-1")
        f.seek(0)
        element, terminator = head[3], head[105]
        decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        rest, n = "", 0
        while chunk := f.read(CHUNK):
            parts = (rest + decoder.decode(chunk)).split(terminator)
            rest = parts.pop()
            for part in parts:
                part.split(element)
            n += len(parts)
    return {"segments": n}


# ------------------------------------------------------------------------------------------ validation


def m_pyx12(path: str) -> Result:
    """pyx12 4.0.0 on our maps, through :func:`edi.pyx12_ref.pyx12_findings` (what the differential test runs)."""
    from edi.pyx12_ref import pyx12_findings

    found = pyx12_findings(path, str(MAPS))
    return {"findings": len(found)}


def m_validate(path: str, lane: bool = True) -> Result:
    """What ``edi validate`` does: compile the maps (cached per process), read, check the envelope, check
    every set against the guide. ``lane=False`` turns the fast lane off (the exact path alone)."""
    from edi.guide import GuideValidator
    from edi.validate import validate_stream

    guide = GuideValidator.from_map_dir(MAPS)
    with open(path, "rb") as f:
        result = validate_stream(f, path, guide, on_set=None if lane else (lambda ts: None))
    return {"segments": result.segments, "sets": result.transaction_sets, "findings": len(result.findings)}


# ------------------------------------------------------------------------------------------ translation


def m_translate(path: str, target: str, out: str) -> Result:
    """``edi translate IN -o OUT --to json|xml``: streamed from the file to the file."""
    from edi import translate as tr

    with open(path, "rb") as src:
        if target == "json":
            with open(out, "w", encoding="utf-8", errors="surrogateescape", newline="") as dst:
                tr.x12_to_json(src, dst, path)
        else:
            with open(out, "wb") as bdst:
                tr.x12_to_xml(src, bdst, path)
    size = os.path.getsize(out)
    os.unlink(out)
    return {"out_bytes": size}


# ------------------------------------------------------------------------------------------ the batch


def m_batch(root: str, as_of: str) -> Result:
    """``edi batch`` over ``root`` (config, SQLite database and folders made by :mod:`bench.run`), as a
    child process: what the night runs. Memory is the child's peak."""
    edi = str(Path(sys.executable).parent / "edi")
    cmd = [edi, "--config", str(Path(root) / "edi.toml"), "--log-format", "json", "batch", "--as-of", as_of]
    with open(Path(root) / "batch.log", "wb") as log:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=log, check=False)
    summary = proc.stdout.decode(errors="replace").splitlines()
    return {"exit_code": proc.returncode, "summary": summary[:8], "child_memory": True}


# ------------------------------------------------------------------------------------------ 867 production


def m_produce(hourly: str, out: str) -> Result:
    """867s for every service point of ``hourly`` (``bench.gen.write_hourly``): usage built, rendered,
    enveloped and written as one interchange, then the file read back and validated against our maps (the
    batch's self-check of every outbound file). Streams: one service point in memory at a time."""
    from bench import gen
    from edi.canonical import render_body
    from edi.guide import GuideValidator
    from edi.validate import validate_stream
    from processor.startup import settle

    producer, reports = _usage_reports(hourly)
    settle()  # as the `edi` command does once its modules are loaded
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with open(out, "w", encoding="ascii", newline="") as dst:
        segments = gen.write_interchange(dst, "867", (render_body(r) for r in reports), gen.UTILITY_DUNS,
                                         gen.SUPPLIER_DUNS)
    t1 = time.perf_counter()
    guide = GuideValidator.from_map_dir(MAPS)
    with open(out, "rb") as f:
        check = validate_stream(f, out, guide)
    t2 = time.perf_counter()
    size = os.path.getsize(out)
    os.unlink(out)
    return {"producer": producer, "segments": segments, "out_bytes": size, "valid": check.valid,
            "sets": check.transaction_sets, "write_s": t1 - t0, "check_s": t2 - t1}


def _usage_reports(hourly: str) -> tuple[str, Iterator[Any]]:
    """The 867 producer: :mod:`processor.usage.build` when it is there (the gateway's own), else the
    bench's direct :class:`~edi.messages.UsageReport` (``bench.gen.usage_report``)."""
    from bench import gen

    rows = _hourly_rows(hourly)
    try:
        from processor.config import Utility
        from processor.store.records import (
            Account,
            AccountStatus,
            CalendarBilling,
            Meter,
            Metering,
            MeterRole,
            RateClass,
            ServicePoint,
        )
        from processor.usage.build import IntervalGrid, IntervalMeterData, period_usage, usage_report
    except ImportError:
        return "bench.gen.usage_report", (gen.usage_report(n, values) for n, (_, values) in enumerate(rows, 1))

    utility = Utility()
    start, hours = gen.MONTH_START, gen.HOURS
    end = start + timedelta(hours=hours)
    first = start + timedelta(hours=1)

    def build() -> Iterator[Any]:
        for n, (point_id, values) in enumerate(rows, 1):
            account = Account(f"2{n:09d}", f"CUSTOMER {n} INC", "1 MAIN ST", "SPRINGFIELD", "IL", "62701", "01",
                              CalendarBilling.NONE, AccountStatus.ACTIVE)
            point = ServicePoint(point_id, account.account_number, RateClass.DS4, Metering.INTERVAL,
                                 gen.SUPPLIER_DUNS, False, rate_zone="ZONE1")
            meter = Meter(f"4{n:07d}", point_id, MeterRole.ADDITIVE, 60)
            if len(values) != hours:
                raise ValueError(f"{point_id}: {len(values)} hourly values, expected {hours}")
            data = IntervalMeterData(meter, IntervalGrid(first, 60, tuple(values)))
            usage = period_usage(point, start, end, [data])
            yield usage_report(usage, reference=f"UTL867{gen.AT:%Y%m%d}{n:06d}", created=gen.AT.date(), final=False,
                               utility=utility, supplier_duns=gen.SUPPLIER_DUNS, supplier=None, account=account)

    return "processor.usage.build (period_usage + usage_report)", build()


def _hourly_rows(path: str) -> Iterator[tuple[str, list[Decimal]]]:
    """Each line's service point and its kWh as ``Decimal``s (a value that is no number fails here)."""
    with open(path, encoding="ascii") as f:
        next(f)  # header
        for line in f:
            point, _, rest = line.rstrip("\n").partition(",")
            yield point, list(map(Decimal, rest.split(",")))


# ------------------------------------------------------------------------------------------ workers


def m_workers(database: str, workers: int, files: int) -> Result:
    """``bench/workers.py: batch_throughput`` (written with the batch workers): ``edi batch --workers N`` over
    ``files`` small inbound files, on a new SQLite file or a throwaway PostgreSQL server. Its own timing
    (the batch command alone) is the figure."""
    w = importlib.import_module("bench.workers")
    if database == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            got: dict[str, Any] = w.batch_throughput(f"sqlite:///{folder}/edi.db", workers, files)
    else:
        with w.postgres() as new_database:
            got = w.batch_throughput(new_database(), workers, files)
    return {**got, "batch_s": got["seconds"], "child_memory": True}


MEASUREMENTS: dict[str, Callable[..., Result]] = {
    "read": m_read, "split": m_split, "pyx12": m_pyx12, "validate": m_validate, "translate": m_translate,
    "batch": m_batch, "produce": m_produce, "workers": m_workers,
}


def main(argv: list[str]) -> None:
    name, args = argv[0], json.loads(argv[1]) if len(argv) > 1 else {}
    if name != "workers":  # workers are about using every core
        pin()
    wall, cpu = time.perf_counter(), time.process_time()
    got = MEASUREMENTS[name](**args)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu += children.ru_utime + children.ru_stime
    who = resource.RUSAGE_CHILDREN if got.pop("child_memory", False) else resource.RUSAGE_SELF
    peak = resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"name": name, "wall": wall, "cpu": cpu, "peak_mb": peak, **got}))


if __name__ == "__main__":
    sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", line_buffering=True)
    main(sys.argv[1:])
