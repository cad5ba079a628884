"""The crash test: SIGKILL at random points, then rerun; the result equals one clean run.

Nothing lost (every inbound file ends archived or quarantined, every accepted set answered) and
nothing sent twice (the outbound folder holds exactly the files of a clean run, byte for byte).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from tests.integration.batch_env import BatchEnv, inbound_samples, make_env
from tests.support import SAMPLES

AS_OF = "2026-10-22T08:00:00"
TRIALS = 50
BROKEN = ["bad_se01_count.x12", "bad_mixed.x12", "bad_empty.x12", "bad_truncated.x12"]


def fill(env: BatchEnv) -> None:
    env.drop(*inbound_samples(), *(SAMPLES / "bad" / name for name in BROKEN))
    env.drop(inbound_samples()[0], rename="zz-resent-copy.x12")


def snapshot(env: BatchEnv) -> dict[str, object]:
    visible = {name: data for name, data in env.files("outbox").items() if not Path(name).name.startswith(".")}
    return {
        "outbox": visible,
        "inbox": sorted(env.files("inbox")),
        "archive": sorted(n for n in env.files("archive") if not Path(n).name.startswith(".")),
        "quarantine": sorted(n for n in env.files("quarantine")
                             if not Path(n).name.startswith(".") and not n.endswith(".error.json")),
        "error_files": sorted(n for n in env.files("quarantine") if n.endswith(".error.json")),
        "state": env.state(),
    }


def finish(env: BatchEnv) -> None:
    """Rerun until a run completes, as the next night's cron would."""
    for _ in range(3):
        done = env.edi("batch", "--as-of", AS_OF)
        if done.returncode in (0, 1):
            return
    raise AssertionError(f"the rerun did not complete: {done.returncode} {done.stderr[-2000:]}")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> BatchEnv:
    return make_env(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory, loaded: BatchEnv) -> tuple[dict[str, object], float]:
    env = make_env(tmp_path_factory.mktemp("clean"), template=loaded)
    fill(env)
    started = time.monotonic()
    env.edi("batch", "--as-of", AS_OF)
    return snapshot(env), time.monotonic() - started


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(TRIALS))
def test_sigkill_at_a_random_point_then_rerun_equals_one_clean_run(
        trial: int, tmp_path: Path, loaded: BatchEnv, clean: tuple[dict[str, object], float]) -> None:
    expected, duration = clean
    rng = random.Random(trial)
    env = make_env(tmp_path / "site", template=loaded)
    fill(env)
    kills = 1 + (trial % 3 == 0)  # every third trial is killed twice
    for _ in range(kills):
        process = env.start_batch(AS_OF)
        time.sleep(rng.uniform(0.0, duration))
        process.kill()  # SIGKILL: no cleanup, no finally blocks
        process.wait()
    finish(env)
    got = snapshot(env)
    assert got["inbox"] == [], "an inbound file was left behind"
    assert sorted(got["outbox"]) == sorted(expected["outbox"]), "outbound files differ from a clean run"  # type: ignore[call-overload]
    assert got["outbox"] == expected["outbox"], "an outbound file's bytes differ from a clean run"
    assert got["archive"] == expected["archive"]
    assert got["quarantine"] == expected["quarantine"] and got["error_files"] == expected["error_files"]
    assert got["state"] == expected["state"]


def test_the_clean_run_did_something(clean: tuple[dict[str, object], float]) -> None:
    expected, _ = clean
    outbox = expected["outbox"]
    assert isinstance(outbox, dict) and len(outbox) >= 3
    assert len(expected["quarantine"]) == len(BROKEN)  # type: ignore[arg-type]
