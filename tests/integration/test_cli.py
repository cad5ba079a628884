"""The `edi` command end to end, as a user types it: exit codes, messages, files written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from processor.cli import main
from tests.support import ROOT, SAMPLES

MASTER = SAMPLES / "master"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_the_console_script_is_installed() -> None:
    edi = Path(sys.executable).parent / "edi"
    done = subprocess.run([str(edi), "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    for command in ("translate", "validate", "load"):
        assert command in done.stdout


def test_validate_valid_file_exits_0() -> None:
    code, out, _ = run("validate", str(SAMPLES / "valid" / "814_enroll_request_oncycle.x12"))
    assert code == 0 and "valid" in out


def test_validate_bad_file_exits_1_and_names_the_segment(tmp_path: Path) -> None:
    ack = tmp_path / "ack.x12"
    code, out, _ = run("validate", str(SAMPLES / "bad" / "bad_se01_count.x12"), "--ack", str(ack))
    assert code == 1
    assert "segment 14 (SE01)" in out and "[envelope.se01-count] (AK5 4)" in out
    assert "AK5*R*4" in ack.read_text()


def test_validate_json_output() -> None:
    code, out, _ = run("validate", str(SAMPLES / "bad" / "bad_asi_code.x12"), "--json")
    doc = json.loads(out)
    assert code == 1 and doc["valid"] is False
    assert {"segment_id": "ASI", "element": 1, "ak4": "7"}.items() <= doc["findings"][0].items()


def test_validate_empty_file_writes_no_ack(tmp_path: Path) -> None:
    ack = tmp_path / "ack.x12"
    code, out, err = run("validate", str(SAMPLES / "bad" / "bad_empty.x12"), "--ack", str(ack))
    assert code == 1 and "the file is empty" in out and not ack.exists()
    assert "no 997 or TA1 can be addressed" in err


@pytest.mark.parametrize("args", [["validate", "/no/such/file.x12"], ["validate", "--bogus", "x"],
                                  ["translate", str(ROOT)]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    code, _, _ = run(*args)
    assert code == 2


def test_translate_round_trip_through_files(tmp_path: Path) -> None:
    src = SAMPLES / "valid" / "867_interval_fallback.x12"
    as_json, as_xml, back = tmp_path / "a.json", tmp_path / "a.xml", tmp_path / "b.x12"
    assert run("translate", str(src), "-o", str(as_json))[0] == 0
    assert run("translate", str(src), "--to", "xml", "-o", str(as_xml))[0] == 0
    assert run("translate", str(as_json), "-o", str(back))[0] == 0
    assert back.read_bytes() == src.read_bytes()
    assert run("translate", str(as_xml), "-o", str(back))[0] == 0
    assert back.read_bytes() == src.read_bytes()
    assert not list(tmp_path.glob(".*.part"))  # no temporary file left behind


def test_translate_unreadable_input_exits_1(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x1f\x8b\x08\x00binary")
    code, _, err = run("translate", str(junk))
    assert code == 1 and "not X12" in err


def test_translate_refuses_an_xml_bomb(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x12 format="x12-xml/1">&a;</x12>')
    code, _, err = run("translate", str(bomb), "-o", str(tmp_path / "out.x12"))
    assert code == 1 and "DOCTYPE" in err and not (tmp_path / "out.x12").exists()


def test_load_every_kind_then_a_bad_file_loads_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'edi.db'}"
    for kind in ("suppliers", "accounts", "service-points", "meters", "schedule", "holidays"):
        code, out, err = run("--db", db, "load", kind, str(MASTER / f"{kind}.csv"))
        assert code == 0, err
        assert "loaded" in out
    bad = tmp_path / "accounts.csv"
    good = (MASTER / "accounts.csv").read_text().splitlines()
    bad.write_text("\n".join([*good[:3], good[3].replace(",active", ",sleeping")]) + "\n")
    code, _, err = run("--db", db, "load", "accounts", str(bad))
    assert code == 1 and f"{bad}:4: status:" in err and "nothing loaded" in err


def test_a_bad_config_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "edi.toml"
    config.write_text('[utility]\nnmae = "typo"\n')
    code, _, err = run("--config", str(config), "validate", str(SAMPLES / "valid" / "997_from_res.x12"))
    assert code == 2 and "unknown key(s) nmae" in err
