"""`make run` until the nightly batch lands: translate and validate every sample, print a summary.

Runs in-process through the same functions the CLI uses, so the maps are compiled once.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from edi.reader import X12Reader, read_segments
from edi.translate import TranslateError, json_to_x12, x12_to_json
from edi.validate import validate_file
from processor.bootstrap import bootstrap

ROOT = Path(__file__).resolve().parent.parent


def _same_after_json(path: Path) -> bool:
    out = io.StringIO()
    with open(path, "rb") as f:
        x12_to_json(f, out, str(path))
    back = io.StringIO()
    json_to_x12(io.StringIO(out.getvalue()), back, str(path))
    tmp = io.BytesIO(back.getvalue().encode("utf-8", "surrogateescape"))
    original = list(read_segments(path))
    again = list(X12Reader(tmp, "back"))
    return [(s.id, s.elements) for s in original] == [(s.id, s.elements) for s in again]


def main() -> int:
    app = bootstrap()
    rows = []
    surprises = 0
    for folder in ("valid", "bad"):
        for path in sorted((ROOT / "samples" / folder).glob("*.x12")):
            rel = path.relative_to(ROOT)
            result = validate_file(rel, app.guide)
            try:
                round_trip = "yes" if _same_after_json(rel) else "NO"
            except TranslateError:
                round_trip = "n/a"
            expected_valid = folder == "valid"
            ok = result.valid == expected_valid
            surprises += not ok
            first = str(result.findings[0]).split(": ", 1)[1] if result.findings else ""
            rows.append((str(rel), result.transaction_sets, len(result.findings), round_trip,
                         "ok" if ok else "UNEXPECTED", first[:70]))
    width = max(len(r[0]) for r in rows)
    print(f"{'file':<{width}}  sets  findings  json-round-trip  verdict     first finding")
    for name, sets, findings, rt, verdict, first in rows:
        print(f"{name:<{width}}  {sets:>4}  {findings:>8}  {rt:>15}  {verdict:<10}  {first}")
    print(f"\n{len(rows)} files; {surprises} unexpected verdicts "
          "(valid samples must be clean, bad samples must have findings)")
    return 1 if surprises else 0


if __name__ == "__main__":
    sys.exit(main())
