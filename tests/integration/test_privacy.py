"""No customer's data in what the batch writes for people: logs, run report, summary, error files.

A full `edi batch --log-format json` run over every inbound sample (names, service addresses, phone
numbers, account numbers in N1/N3/N4/PER/REF) and over broken files built to make our messages
repeat that data (a name where a code belongs, an account number as a segment qualifier, a street as a
state, a phone number as a qualifier, an account number in a file name). Every log line, the run
report, the printed summary and every quarantine ``.error.json`` is scanned for the sample customers'
names, street addresses, phone numbers and full account numbers (``samples/master``, the samples'
PER segments). The last four digits of an account may show; nothing more.

The files themselves (archive, quarantine) keep their content: that is what they are for; their
folders are private (0o700, files 0o600, see test_bad_inbox.py).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from processor.privacy import mask_finding, mask_identifier, mask_report, mask_sensitive, redact_secrets, scrub
from tests.fuzz.batch_harness import template_db
from tests.integration.batch_env import EDI, BatchEnv, inbound_samples, make_env
from tests.support import SAMPLES

AS_OF = "2026-10-22T08:00:00"


def customers() -> dict[str, set[str]]:
    with (SAMPLES / "master" / "accounts.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    phones = set()
    for path in (SAMPLES / "valid").glob("*.x12"):
        phones |= set(re.findall(r"PER\W\w+\W[^~\n]*?\W(?:TE|FX)\W(\d{10})", path.read_text(errors="replace")))
    return {
        "name": {r["customer_name"] for r in rows},
        "street": {r["service_address"] for r in rows},
        "account": {r["account_number"] for r in rows},
        "phone": phones,
    }


def leaky_files() -> dict[str, bytes]:
    """Broken files whose findings would quote a customer's data if messages were not masked."""
    base = (SAMPLES / "valid" / "814_enroll_request_billready.x12").read_text()
    return {
        "name-as-qualifier.x12": base.replace("N1*8R*JANE Q SAMPLE", "N1*JANE Q SAMPLE*JANE Q SAMPLE"),
        "account-as-qualifier.x12": base.replace("REF*12*2000000011", "REF*2000000011*2000000011"),
        "street-as-state.x12": base.replace("N4*SPRINGFIELD*IL*62701", "N4*SPRINGFIELD*100 MAIN ST*62701"),
        "phone-as-qualifier.x12": base.replace("PER*IC*JANE Q SAMPLE*TE*2175550100",
                                               "PER*IC*JANE Q SAMPLE*2175550100"),
        "name-too-long.x12": base.replace("N1*8R*JANE Q SAMPLE", "N1*8R*" + "JANE Q SAMPLE " * 6 + "X"),
        "2000000029-account-in-name.x12": (SAMPLES / "valid" / "814_enroll_request_oncycle.x12").read_text(),
    }
    # (the last one is a valid file: only its name carries an account number)


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> tuple[BatchEnv, subprocess.CompletedProcess[str]]:
    root = tmp_path_factory.mktemp("privacy")
    template = BatchEnv(root / "template")
    template.root.mkdir()
    shutil.copy(template_db(), template.db)
    env = make_env(root / "site", template=template)
    env.drop(*inbound_samples())
    for name, text in leaky_files().items():
        (env.folder("inbox") / name).write_text(text)
    done = env.edi("--log-level", "debug", "batch", "--as-of", AS_OF)  # every line there is, masked
    assert done.returncode == 1, done.stderr[-3000:]
    return env, done


def leaks(text: str, data: dict[str, set[str]]) -> list[str]:
    found = []
    upper = text.upper()
    for kind in ("name", "street"):
        found += [f"{kind} {v!r}" for v in data[kind] if v.upper() in upper]
    digits = re.sub(r"\D", "", text)  # a number split by punctuation is still the number
    found += [f"account {v}" for v in data["account"] if v in text or v in digits]
    found += [f"phone {v}" for v in data["phone"] if v in text or v in digits
              or f"{v[:3]}-{v[3:6]}-{v[6:]}" in text or f"({v[:3]}) {v[3:6]}-{v[6:]}" in text]
    return found


def test_the_run_logged_what_it_did(night: tuple[BatchEnv, subprocess.CompletedProcess[str]]) -> None:
    _, done = night
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    events = {line["event"] for line in lines}
    assert {"transaction set handled", "quarantined", "archived", "outbound file written"} <= events
    handled = [line for line in lines if line["event"] == "transaction set handled"]
    assert {line["level"] for line in handled} == {"debug", "info"}, "accepted sets at debug, rejected at info"
    assert all(line["level"] == "info" for line in handled if line["code"])
    assert len(lines) >= 20
    assert any(line.get("isa13") == "000002101" for line in lines), "control numbers must stay readable"


def test_no_log_line_holds_a_customers_data(night: tuple[BatchEnv, subprocess.CompletedProcess[str]]) -> None:
    _, done = night
    data = customers()
    bad = [(line[:200], found) for line in done.stderr.splitlines() if (found := leaks(line, data))]
    assert bad == [], "\n".join(f"{found}: {line}" for line, found in bad[:10])


def test_the_summary_and_the_run_report_hold_no_customers_data(
        night: tuple[BatchEnv, subprocess.CompletedProcess[str]]) -> None:
    env, done = night
    data = customers()
    assert leaks(done.stdout, data) == []
    reports = list(env.folder("reports").glob("run-*.json"))
    assert reports
    for report in reports:
        assert leaks(report.read_text(), data) == [], report.name


def test_no_error_file_holds_a_customers_data(night: tuple[BatchEnv, subprocess.CompletedProcess[str]]) -> None:
    env, _ = night
    data = customers()
    errors = {n: d for n, d in env.files("quarantine").items() if n.endswith(".error.json")}
    assert len(errors) >= 5
    for name, raw in errors.items():
        assert leaks(raw.decode(), data) == [], name


# ----------------------------------------------------------------------------------------- the masking rules


def test_account_numbers_keep_their_last_four_digits() -> None:
    assert mask_identifier("2000000094") == "******0094"
    assert scrub("REF*12*2000000094~") == "REF*12*******0094~"
    assert scrub("account 2000000094, service point 7000000011") == "account ******0094, service point ******0011"


def test_control_numbers_duns_and_dates_are_kept() -> None:
    text = "ISA13 000002201 GS06 2201 DUNS 987654321 date 20261028 file 987654321_997_000000001.x12"
    assert scrub(text) == text


def test_customer_segments_names_phones_and_emails_are_masked() -> None:
    got = scrub("N1*8R*JANE Q SAMPLE~N3*100 MAIN ST~N4*SPRINGFIELD*IL*62701~PER*IC*JANE*TE*2175550100~"
                "N1*SJ*BRIGHT ENERGY LLC*1*987654321~ call 217-555-0100 or (217) 555-0137, jane@example.com")
    assert "JANE" not in got and "MAIN" not in got and "SPRINGFIELD" not in got and "555" not in got
    assert "example.com" not in got
    assert "N1*SJ*BRIGHT ENERGY LLC*1*987654321" in got  # market participants are not private
    assert scrub("N1|8R|JANE Q SAMPLE") == "N1|8R|[masked]"


def test_the_structlog_processor_masks_by_key_and_by_pattern() -> None:
    event = {"event": "x", "customer_name": "JANE Q SAMPLE", "account": "2000000011", "password": "hunter2",
             "isa13": "000002101", "reason": "'2000000011' is not a valid code", "nested": {"phone": "2175550100"},
             "exception": "Traceback ...\nValueError: N1*8R*JANE Q SAMPLE"}
    got = mask_sensitive(None, "info", dict(event))
    assert got["customer_name"] == "[masked]" and got["account"] == "******0011" and got["password"] == "[secret]"
    assert got["isa13"] == "000002101"
    assert got["reason"] == "'******0011' is not a valid code"
    assert got["nested"] == {"phone": "[masked]"}
    assert "JANE" not in got["exception"]


def test_a_findings_value_from_a_customer_segment_is_masked() -> None:
    got = mask_finding({"segment_id": "N1", "element": 2, "value": "JANE Q SAMPLE", "message": "too long"})
    assert got["value"] == "[masked]" and got["element"] == 2
    got = mask_finding({"segment_id": "REF", "value": "2000000011", "message": "Segment REF*2000000011 not found"})
    assert got["value"] == "******0011" and got["message"] == "Segment REF*******0011 not found"


def test_a_reference_keeps_its_last_four_and_its_qualifier_stays_readable() -> None:
    got = mask_finding({"segment_id": "REF", "element": 2, "value": "LK901021", "message": "'LK901021' too long"})
    assert got["value"] == "****1021" and got["message"] == "'****1021' too long"
    got = mask_finding({"segment_id": "REF", "element": 1, "value": "ZZ", "message": "'ZZ' is not a valid code"})
    assert got["value"] == "ZZ" and got["message"] == "'ZZ' is not a valid code"


def test_outbound_file_names_in_a_report_stay_readable() -> None:
    """They are ours: a partner's DUNS (+4) and control numbers, never a customer's data."""
    report = {"outbound_files": ["0123456780000_814_000000001.x12"],
              "quarantined": [{"file": "2000000029.x12", "reason": "N1*8R*JANE Q SAMPLE"}]}
    assert mask_report(report) == {"outbound_files": ["0123456780000_814_000000001.x12"],
                                   "quarantined": [{"file": "******0029.x12", "reason": "N1*8R*[masked]"}]}


# ----------------------------------------------------------------------------------------- secrets


def test_a_urls_user_and_host_stay_readable() -> None:
    assert scrub("sftp://edi@sftp.example.net:22/inbound: connection lost") == \
        "sftp://edi@sftp.example.net:22/inbound: connection lost"


def test_url_passwords_are_redacted_wherever_they_appear() -> None:
    assert redact_secrets("database postgresql://edi:S3cret@db:5432/edi: refused") == \
        "database postgresql://edi:***@db:5432/edi: refused"
    assert scrub("sftp://edi:pw@host/inbox") == "sftp://edi:***@host/inbox"
    assert redact_secrets("sqlite:////srv/edi/edi.db and postgresql://edi@db/edi") == \
        "sqlite:////srv/edi/edi.db and postgresql://edi@db/edi"


def test_a_database_password_is_never_printed(tmp_path: Path) -> None:
    """The password in a database URL (better: PGPASSWORD or ~/.pgpass) never reaches a message."""
    env = make_env(tmp_path / "site", template=_template(tmp_path))
    done = env.edi("--db", "postgresql://edi:S3cret-Pw-4711@127.0.0.1:1/edi", "batch", "--as-of", AS_OF)
    assert done.returncode == 3, done.stderr[-2000:]
    assert "S3cret-Pw-4711" not in done.stdout + done.stderr
    assert "127.0.0.1" in done.stderr  # the message still says which database


def test_an_sftp_password_is_refused_and_never_printed(tmp_path: Path) -> None:
    env = make_env(tmp_path / "site", template=_template(tmp_path))
    config = env.config.read_text().replace(f'inbox = "{env.folder("inbox")}"',
                                            'inbox = "sftp://edi:Hunter2-Pw-0815@127.0.0.1:1/inbox"')
    env.config.write_text(config)
    done = env.edi("batch", "--as-of", AS_OF)
    assert done.returncode in (2, 3), done.stderr[-2000:]
    assert "Hunter2-Pw-0815" not in done.stdout + done.stderr
    assert "password" in done.stderr.lower()


def test_what_a_run_creates_is_private_whatever_the_umask(tmp_path: Path) -> None:
    """The database (customers' data), its WAL, the reports and the lock: 0o600 files in 0o700 folders."""
    root = tmp_path / "site"
    env = make_env(root, template=_template(tmp_path))
    env.db.unlink()
    var = root / "var"
    env.config.write_text(env.config.read_text().replace(str(root / "reports"), str(var / "reports"))
                          .replace(f"sqlite:///{env.db}", f"sqlite:///{var / 'edi.db'}"))

    def edi(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([EDI, "--config", str(env.config), *args], capture_output=True, text=True,
                              preexec_fn=lambda: os.umask(0o002), timeout=120)

    for kind in ("suppliers", "accounts"):
        assert edi("load", kind, str(SAMPLES / "master" / f"{kind}.csv")).returncode == 0
    done = edi("batch", "--as-of", AS_OF)
    assert done.returncode == 0, done.stderr[-2000:]
    created = list(var.rglob("*"))
    assert {p.name for p in created} >= {"edi.db", "reports"} and any(p.suffix == ".json" for p in created)
    for path in [var, *created]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


def _template(tmp_path: Path) -> BatchEnv:
    template = BatchEnv(tmp_path / "template")
    template.root.mkdir()
    shutil.copy(template_db(), template.db)
    return template
