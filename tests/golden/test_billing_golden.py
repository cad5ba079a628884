"""Golden bill-ready cases: the utility's 867s out, the RES's 810s in, the 824s and the bills out, compared whole.

One directory per case under ``billing/``:

- ``case.toml``: ``description``; ``source`` (the FAQ, tariff or spec sentence it tests, quoted); optional
  ``[master]`` extra master-data rows per kind, loaded after ``samples/master`` (they add rows or replace rows by
  key); ``accounts`` whose bills ``edi bill show`` prints after the last step; ``[[step]]`` tables, each with
  ``as_of`` (Central time), ``usage`` (files of ``billing/meter/`` given to one ``edi usage``) and ``inbound``
  (files of the case's ``inbound/`` dropped in the inbox), then one ``edi batch --as-of``; ``[[expect]]``
  tables (``step``, ``to``; ``segments`` that the files sent to ``to`` in that step must contain, ``absent``
  ones they must not) and ``[[bill]]`` tables (``account``, ``bill_date`` or ``next``, ``total``): reasoned
  out by hand and checked before anything is compared or rewritten, so ``GOLDEN_UPDATE`` cannot bless a wrong
  value.
- ``inbound/``: the 810s and 814s, written by ``billing/make_inputs.py``; ``billing/meter/``: the meter data of
  the 867s the 810s answer.
- ``expected/``: per step ``report.json`` (the run report without run id and start time) and every outbound
  file one segment per line; after the last step ``invoices.json`` (what the store recorded) and, per account,
  ``bill-<account>.txt`` and ``bill-<account>.json`` (``edi bill show``, text and ``--json``).

Each case runs in a fresh temporary directory: ``edi load`` master data, then per step ``edi usage`` and ``edi batch
--as-of`` through click's ``CliRunner`` (the batch produces the 867s). Before anything is compared, facts that do
not depend on the code under test are checked: every outbound file validates against our maps (``edi validate``);
every inbound 810 group has its 997; every 824 answers an 810 of its step (OTI03 = BIG02, ``OTI*TR*TN``) with one
TED whose code is one the spec allows for an 810 BR reject (008, A13, A76, ABN, API, UND); every accepted 810 has
its charges on a bill.

``GOLDEN_UPDATE=1`` (``make golden-update``) rewrites ``expected/``; review the diff like code, and never edit an
expected file to make a failure go away.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from edi.canonical import parse
from edi.envelope import Envelope
from edi.messages import ApplicationAdvice, BillReadyInvoice, FunctionalAck
from edi.reader import X12Reader
from processor.store import Store
from tests.golden.sandbox import Sandbox, as_json, one_segment_per_line
from tests.support import arrive

CASES = Path(__file__).parent / "billing"
METER = CASES / "meter"
UPDATE = os.environ.get("GOLDEN_UPDATE") == "1"
KINDS = ("suppliers", "accounts", "service-points", "meters", "schedule", "holidays")
VOLATILE = ("run_id", "started_at")
#: Spec 2.9 / 3.1 column 9: the codes an 824 rejecting an 810 bill-ready may carry.
REJECT_810_CODES = {"008", "A13", "A76", "ABN", "API", "UND"}


def cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "case.toml").exists())


def messages(path: Path) -> list[Any]:
    """Every transaction set of an X12 file as its canonical message."""
    out = []
    with open(path, "rb") as stream:
        for ts in Envelope(X12Reader(stream, path.name)):
            out.append(parse(ts.segments, None, ts.separators.component))
    return out


# ------------------------------------------------------------------------------------ sandbox


class BillingSandbox(Sandbox):
    def invoices(self) -> str:
        with Store.open(self.db_url) as store, store.unit_of_work() as uow:
            rows = [dataclasses.asdict(i) for i in uow.bills.find_invoices()]
        return as_json(rows)


# -------------------------------------------------------------------------------------- checks


def check_answers(case: str, n: int, inbound: list[Path], sent: dict[str, Path]) -> None:
    """Facts independent of the code under test: 997 per 810 group; every 824 answers one 810 of the step."""
    invoices = [m for path in inbound for m in messages(path) if isinstance(m, BillReadyInvoice)]
    groups = {(m.supplier.id, path.name) for path in inbound for m in messages(path)
              if isinstance(m, BillReadyInvoice)}
    acks = [m for path in sent.values() for m in messages(path) if isinstance(m, FunctionalAck)]
    assert len([a for a in acks if a.functional_id == "IN"]) >= len(groups), f"{case} step {n}: an 810 without 997"
    numbers = {i.number for i in invoices}
    for name, path in sent.items():
        for advice in (m for m in messages(path) if isinstance(m, ApplicationAdvice)):
            assert advice.status.value == "TR" and advice.reference_qualifier == "TN", f"{case}: {name}"
            assert advice.original_reference in numbers, f"{case}: {name} answers no 810 of step {n}"
            assert advice.original_set_id == "810", f"{case}: {name} OTI10"
            (ted,) = advice.rejections
            assert str(ted.code) in REJECT_810_CODES, f"{case}: {name} TED {ted.code} is not an 810 BR reject code"
            assert ted.text and len(ted.text) <= 60, f"{case}: {name} TED02 {ted.text!r}"


def check_expectations(case: Path, spec: dict[str, Any], produced: dict[str, str]) -> None:
    assert spec.get("expect"), f"{case.name}: case.toml needs at least one [[expect]]"
    for want in spec["expect"]:
        prefix = f"step{want['step']}/{want.get('to', '')}"
        sent = "".join(c for name, c in produced.items() if name.startswith(prefix) and name.endswith(".x12"))
        lines = set(sent.splitlines())
        missing = [s for s in want.get("segments", []) if s not in lines]
        assert not missing, f"{case.name}: step {want['step']} sent {want.get('to')} no {missing}:\n{sent}"
        present = [s for s in want.get("absent", []) if s in lines]
        assert not present, f"{case.name}: step {want['step']} sent {want.get('to')} {present}"
    for want in spec.get("bill", []):
        shown = json.loads(produced[f"bill-{want['account']}.json"])
        day = None if want["bill_date"] == "next" else want["bill_date"]
        bills = {b["bill_date"]: b for b in shown["bills"]}
        assert day in bills, f"{case.name}: account {want['account']} has no bill {want['bill_date']}: {list(bills)}"
        assert Decimal(bills[day]["total"]) == Decimal(want["total"]), (
            f"{case.name}: bill {want['bill_date']} of {want['account']} totals {bills[day]['total']}, "
            f"not {want['total']}")
        if "lines" in want:
            assert len(bills[day]["lines"]) == want["lines"], f"{case.name}: bill {want['bill_date']} lines"


def check_accepted_are_billed(case: str, produced: dict[str, str], accounts: list[str]) -> None:
    """Every accepted original's charges are on one of its account's bills (invoices.json against the bills)."""
    invoices = json.loads(produced["invoices.json"])
    shown = {a: json.loads(produced[f"bill-{a}.json"]) for a in accounts}
    for invoice in invoices:
        if invoice["status"] == "rejected":
            continue
        assert invoice["account_number"] in shown, f"{case}: list account {invoice['account_number']} in accounts"
        lines = [line for b in shown[invoice["account_number"]]["bills"] for line in b["lines"]
                 if line["invoice"] == invoice["number"]]
        billed = sum((Decimal(line["amount"]) for line in lines if line["indicator"] != "N"), Decimal(0))
        expected = Decimal(invoice["total"]) if invoice["purpose"] == "00" else -billed_total(invoices, invoice)
        assert lines and billed == expected, f"{case}: invoice {invoice['number']} billed {billed}, not {expected}"


def billed_total(invoices: list[dict[str, Any]], cancel: dict[str, Any]) -> Decimal:
    (original,) = [i for i in invoices if i["id"] == cancel["cancels_id"]]
    return Decimal(original["total"])


# ------------------------------------------------------------------------------------- the run


def run_case(case: Path, root: Path) -> tuple[dict[str, str], dict[str, Any]]:
    spec = tomllib.loads((case / "case.toml").read_text(encoding="utf-8"))
    box = BillingSandbox(root)
    box.load(case, spec)
    produced: dict[str, str] = {}
    for n, step in enumerate(spec["step"], start=1):
        files = [str(METER / name) for name in step.get("usage", [])]
        if files:
            code, output = box.edi("usage", *files)
            assert code == 0, f"{case.name} step {n}: edi usage exit {code}\n{output}"
        inbound = [case / "inbound" / name for name in step.get("inbound", [])]
        for file in inbound:
            shutil.copyfile(file, box.folders["inbox"] / file.name)
            arrive(box.folders["inbox"] / file.name, step["as_of"])
        sent_before = set(os.listdir(box.folders["outbox"]))
        reports_before = set(os.listdir(box.folders["reports"]))
        code, output = box.edi("batch", "--as-of", step["as_of"])
        assert code == 0, f"{case.name} step {n}: exit {code}\n{output}"
        (report_name,) = set(os.listdir(box.folders["reports"])) - reports_before
        report = json.loads((box.folders["reports"] / report_name).read_text())
        for key in VOLATILE:
            report.pop(key, None)
        produced[f"step{n}/report.json"] = as_json(report)
        sent = {name: box.folders["outbox"] / name for name in sorted(set(os.listdir(box.folders["outbox"])) -
                                                                          sent_before)}
        for name, path in sent.items():
            code, output = box.edi("validate", str(path))
            assert code == 0, f"{case.name} step {n}: {name} fails our maps:\n{output}"
            produced[f"step{n}/{name}"] = one_segment_per_line(path)
        check_answers(case.name, n, inbound, sent)
    produced["invoices.json"] = box.invoices()
    for account in spec.get("accounts", []):
        code, output = box.edi("bill", "show", account)
        assert code == 0, f"{case.name}: edi bill show {account}: {output}"
        produced[f"bill-{account}.txt"] = output
        code, output = box.edi("bill", "show", account, "--json")
        assert code == 0, f"{case.name}: edi bill show {account} --json: {output}"
        produced[f"bill-{account}.json"] = output
    check_accepted_are_billed(case.name, produced, spec.get("accounts", []))
    return produced, spec


def expected_of(case: Path) -> dict[str, str]:
    folder = case / "expected"
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_billing_golden(case: Path, tmp_path: Path) -> None:
    produced, spec = run_case(case, tmp_path)
    for key in ("description", "source"):
        assert spec.get(key), f"{case.name}: case.toml needs a {key}"
    check_expectations(case, spec, produced)
    expected_dir = case / "expected"
    if UPDATE:
        shutil.rmtree(expected_dir, ignore_errors=True)
        for name, content in produced.items():
            target = expected_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
        return
    expected = expected_of(case)
    assert sorted(produced) == sorted(expected), f"{case.name}: outputs differ (run make golden-update?)"
    for name, content in produced.items():
        assert content == expected[name], f"{case.name}/expected/{name} differs from the golden copy"


def test_the_cases_cover_the_issue() -> None:
    """Accepted invoice; each 824 code; cancel and re-bill; late; another RES's point; DS4; sum mismatch."""
    names = {p.name for p in cases()}
    assert {"accepted", "reject-und", "reject-abn", "reject-api", "reject-a76", "reject-008", "cancel-rebill",
            "late", "other-res", "ds4-account", "sum-mismatch"} <= names
    codes: set[str] = set()
    for case in cases():
        for want in tomllib.loads((case / "case.toml").read_text(encoding="utf-8")).get("expect", []):
            codes |= {s.split("*")[1] for s in want.get("segments", []) if s.startswith("TED*")}
    assert codes >= REJECT_810_CODES, f"no case rejects with {REJECT_810_CODES - codes}"
