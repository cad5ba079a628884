"""`make run`: the nightly batch over samples/, on a fresh SQLite database, as a user would run it.

1. a fresh database and folders in ``var/`` (inbox, outbox, archive, quarantine, reports);
2. ``edi load`` of every master-data CSV in samples/master/;
3. every inbound sample (a file addressed to the utility) and every broken sample into var/inbox;
4. ``edi batch --as-of …``: the broken files are quarantined (exit 1 is expected), the rest answered;
5. ``edi batch`` again over the same files: every interchange is a duplicate and nothing is sent twice.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
EDI = str(Path(sys.executable).parent / "edi")
AS_OF = "2026-10-22T08:00:00"
UTILITY = "012345678"


def edi(*args: str) -> int:
    print(f"$ edi {' '.join(args)}", flush=True)
    return subprocess.run([EDI, "--log-format", "json", *args], cwd=ROOT, check=False,
                          stderr=subprocess.DEVNULL).returncode


def receiver(path: Path) -> str:
    head = path.read_bytes()[:106].decode("latin-1")
    return head[54:69].strip() if head.startswith("ISA") else ""


def main() -> int:
    for name in ("inbox", "outbox", "archive", "quarantine", "reports"):  # not var/bench: its inputs are cached
        shutil.rmtree(VAR / name, ignore_errors=True)
    for db in VAR.glob("edi.db*"):
        db.unlink()
    (VAR / "inbox").mkdir(parents=True)
    for kind in ("suppliers", "accounts", "service-points", "meters", "schedule", "holidays"):
        if edi("load", kind, f"samples/master/{kind}.csv") != 0:
            return 1
    inbound = [p for p in sorted((ROOT / "samples" / "valid").glob("*.x12")) if receiver(p) == UTILITY]
    broken = sorted((ROOT / "samples" / "bad").glob("*.x12"))
    for path in [*inbound, *broken]:
        shutil.copy(path, VAR / "inbox" / path.name)
    copies = [VAR / "inbox" / p.name for p in inbound]
    first = edi("batch", "--as-of", AS_OF)
    outbox = sorted(p.name for p in (VAR / "outbox").iterdir())
    for path in [*inbound]:
        shutil.copy(path, VAR / "inbox" / path.name)
    second = edi("batch", "--as-of", AS_OF)
    again = sorted(p.name for p in (VAR / "outbox").iterdir())
    quarantined = sorted(p.name for p in (VAR / "quarantine").glob("*.x12"))
    print(f"\n{len(copies)} inbound samples and {len(broken)} broken ones; first run exit {first} "
          f"(1: something was quarantined), second run exit {second}")
    print(f"quarantined: {len(quarantined)} files, each with an .error.json beside it in var/quarantine/")
    print(f"outbound files: {len(outbox)} after the first run, {len(again)} after the second (no resend)")
    ok = first == 1 and second == 0 and again == outbox and len(quarantined) == len(broken)
    print("demo " + ("OK" if ok else "FAILED: see var/reports/"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
