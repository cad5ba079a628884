"""``edi usage`` end to end, as a user types it: loading files, exit codes, the plot."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from processor.cli import main
from processor.load import KINDS
from tests.support import SAMPLES

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def edi(tmp_path: Path) -> Run:
    config = tmp_path / "edi.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "edi.db"}"\n')

    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, ["--config", str(config), *args], catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    for kind in KINDS:
        assert run("load", kind, str(SAMPLES / "master" / f"{kind}.csv"))[0] == 0
    return run


def test_usage_loads_every_kind_told_by_its_header(edi: Run) -> None:
    meter = SAMPLES / "meter"
    code, out, _ = edi("usage", str(meter / "interval.csv"), str(meter / "scalar.csv"), str(meter / "read-events.csv"))
    assert code == 0
    assert "loaded 392 rows of interval reads" in out and "loaded 8 rows of register reads" in out
    assert "loaded 5 rows of read events" in out


def test_bad_rows_are_reported_by_line_and_nothing_of_that_file_loads(edi: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("meter_number,interval_end,kwh,quality\n40000052,2026-10-31T00:15:00-05:00,1.0,A\n"
                   "40000052,2026-10-31 00:30,1.0,A\n")
    code, out, err = edi("usage", str(bad), str(SAMPLES / "meter" / "read-events.csv"))
    assert code == 1
    assert f"{bad}:3: interval_end: '2026-10-31 00:30' is not an ISO 8601 date and time with offset" in err
    assert f"{bad}: 1 error, nothing loaded" in err
    assert "loaded 5 rows of read events" in out  # the other file loads all the same


def test_an_unknown_header_or_a_missing_file_exits_1(edi: Run, tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n")
    code, _, err = edi("usage", "load", str(odd), str(tmp_path / "none.csv"))
    assert code == 1 and "not a meter-data file" in err and "no such file" in err


def test_the_plot_marks_the_estimated_hours(edi: Run, tmp_path: Path) -> None:
    meter = SAMPLES / "meter"
    assert edi("usage", str(meter / "interval.csv"), str(meter / "read-events.csv"))[0] == 0
    png = tmp_path / "profile.png"
    code, out, _ = edi("usage", "plot", "7000000052", "-o", str(png))
    assert code == 0 and "net 6233.259 kWh" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, out, _ = edi("usage", "plot", "7000000052", "--period", "2026-11-01/2026-11-02", "-o", str(png))
    assert code == 0 and "2026-11-01 00:00 to 2026-11-02 00:00 CPT" in out
    code, out, _ = edi("usage", "plot", "7000000052", "--period", "2026-11-02", "-o", str(png))
    assert code == 0


def test_the_plot_refuses_what_it_cannot_draw(edi: Run, tmp_path: Path) -> None:
    png = tmp_path / "x.png"
    assert edi("usage", "plot", "7000000029", "-o", str(png))[0] == 1  # scalar
    assert edi("usage", "plot", "7999999999", "-o", str(png))[0] == 1  # unknown
    assert edi("usage", "plot", "7000000052", "-o", str(png))[0] == 2  # no read event: --period needed
    assert not png.exists()


def test_usage_imports_neither_pandas_nor_matplotlib_until_used() -> None:
    code = ("import sys; import processor.cli; from processor.usage.cli import usage; "
            "print('pandas' in sys.modules, 'matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False False"
