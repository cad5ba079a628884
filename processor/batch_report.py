"""The run report, saved as sorted JSON beside the others so the morning shift can read it."""

from __future__ import annotations

import json
from pathlib import Path

from processor.batch import Report
from processor.privacy import mask_report


def save_report(report: Report, folder: str | Path) -> Path:
    directory = Path(folder)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"run-{report.run_id}.json"
    tmp = path.with_suffix(".json.part")
    tmp.write_text(json.dumps(mask_report(report.to_json()), indent=2, sort_keys=True) + "\n")  # read by people
    tmp.replace(path)
    return path
