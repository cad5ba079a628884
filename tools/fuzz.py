#!/usr/bin/env python3
"""The long fuzz run behind ``make fuzz``: fresh hypothesis examples, many of them, counted.

Every input (a valid interchange generated from our maps, a mutant of one or of a sample, or noise) goes
through ``tests/fuzz/harness.py``'s ``check`` (read, validate, the batch's second pass, the
acknowledgments the batch would write, translation both ways) under a wall-clock limit; every
``--batch-every`` inputs, the last few go through a whole in-process batch (two nights) as well.
Nothing is stopped at the first failure: each failing input is saved under ``--out`` with its
traceback, and the run goes on.

    python tools/fuzz.py                       # 100,000 inputs on every core
    python tools/fuzz.py -n 5000 --jobs 1      # a quick look

Prints: inputs, valid, with findings, exceptions (must be 0), hangs (must be 0), batch runs, and the
slowest input. Exit status 1 if any exception or hang was seen.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import sys
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


#: inputs per hypothesis run (each with a fresh seed)
ROUND = 500


@dataclass
class Tally:
    counts: Counter[str] = field(default_factory=Counter)
    slowest: float = 0.0
    slowest_input: str = ""
    failures: list[str] = field(default_factory=list)


def _quiet_logs() -> None:
    import structlog

    structlog.configure(processors=[], logger_factory=structlog.ReturnLoggerFactory(), cache_logger_on_first_use=True)


def _save(out: Path, data: bytes, what: str, tb: str) -> str:
    out.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()[:16]
    (out / f"{digest}.x12").write_bytes(data)
    (out / f"{digest}.txt").write_text(f"{what}\n\n{tb}", encoding="utf-8", errors="backslashreplace")
    return str(out / f"{digest}.x12")


def worker(args: tuple[int, int, int, float, str]) -> Tally:
    index, examples, batch_every, limit, out_dir = args
    _quiet_logs()
    from hypothesis import HealthCheck, Phase, given, seed, settings

    from tests.fuzz.batch_harness import run_batch
    from tests.fuzz.harness import Hang, bounded, check
    from tests.fuzz.mutate import Mutant, files

    out = Path(out_dir)
    tally = Tally()
    recent: list[Mutant] = []

    def one(m: Mutant) -> None:
        tally.counts["inputs"] += 1
        try:
            result, seconds = bounded(lambda: check(m.data), limit)
        except Hang:
            tally.counts["hangs"] += 1
            tally.failures.append(_save(out, m.data, repr(m), "hang"))
            return
        except Exception:
            tally.counts["exceptions"] += 1
            tally.failures.append(_save(out, m.data, repr(m), traceback.format_exc()))
            return
        tally.counts["valid" if result.valid else "with findings"] += 1
        if seconds > tally.slowest:
            tally.slowest, tally.slowest_input = seconds, repr(m)
        recent.append(m)
        if len(recent) >= batch_every:
            batch = recent[-5:]
            recent.clear()
            tally.counts["batch runs"] += 1
            try:
                run_batch([(f"in-{i:02d}.x12", b.data) for i, b in enumerate(batch)])
            except Exception:
                tally.counts["batch exceptions"] += 1
                joined = b"".join(b.data for b in batch)
                tally.failures.append(_save(out, joined, "batch of: " + "; ".join(map(repr, batch)),
                                            traceback.format_exc()))

    left = examples
    while left > 0:  # rounds of fresh seeds: one hypothesis run slows down as it grows (its tree of choices)
        n = min(ROUND, left)
        run = seed(int.from_bytes(os.urandom(8), "big") + index)(
            settings(max_examples=n, deadline=None, database=None, derandomize=False, phases=[Phase.generate],
                     suppress_health_check=list(HealthCheck))(given(files())(one)))
        before = tally.counts["inputs"]
        run()
        left -= max(1, tally.counts["inputs"] - before)
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--inputs", type=int, default=100_000, help="inputs in all (default 100000)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--batch-every", type=int, default=200, help="a whole batch run every N inputs")
    parser.add_argument("--limit", type=float, default=10.0, help="seconds one input may take (a hang)")
    parser.add_argument("--out", default=str(ROOT / "var" / "fuzz"), help="where failing inputs are saved")
    opts = parser.parse_args(argv)
    jobs = max(1, min(opts.jobs, opts.inputs))
    per = [opts.inputs // jobs + (1 if i < opts.inputs % jobs else 0) for i in range(jobs)]
    started = time.monotonic()
    print(f"fuzz: {opts.inputs} inputs on {jobs} worker(s); failing inputs go to {opts.out}", flush=True)
    tasks = [(i, n, opts.batch_every, opts.limit, opts.out) for i, n in enumerate(per)]
    if jobs == 1:
        tallies = [worker(tasks[0])]
    else:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            tallies = pool.map(worker, tasks)
    total: Counter[str] = Counter()
    for t in tallies:
        total.update(t.counts)
    slow = max(tallies, key=lambda t: t.slowest)
    elapsed = time.monotonic() - started
    bad = total["exceptions"] + total["hangs"] + total["batch exceptions"]
    print(f"fuzz: done in {elapsed:.0f} s")
    print(f"  inputs:           {total['inputs']}")
    print(f"  valid:            {total['valid']}")
    print(f"  with findings:    {total['with findings']}")
    print(f"  exceptions:       {total['exceptions']}  (must be 0)")
    print(f"  hangs:            {total['hangs']}  (must be 0; limit {opts.limit:g} s per input)")
    print(f"  batch runs:       {total['batch runs']}  ({total['batch exceptions']} with an exception, must be 0)")
    print(f"  slowest input:    {slow.slowest:.3f} s  {slow.slowest_input[:300]}")
    for path in [f for t in tallies for f in t.failures][:20]:
        print(f"  FAILED: {path} (traceback beside it, .txt)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
