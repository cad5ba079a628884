"""``edi bill show`` end to end through click: text, JSON, the period filter, and its exit codes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from processor.cli import main
from processor.load import KINDS
from processor.store import Store
from processor.store.records import InvoiceStatus, NewBillLine, NewInvoice
from tests.support import SAMPLES

AT = datetime(2026, 10, 21, 15, tzinfo=UTC)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "edi.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "edi.db"}"\n')
    for kind in KINDS:
        csv = SAMPLES / "master" / f"{kind}.csv"
        result = CliRunner().invoke(main, ["--config", str(path), "load", kind, str(csv)])
        assert result.exit_code == 0, result.output
    with Store.open(f"sqlite:///{tmp_path / 'edi.db'}") as store, store.unit_of_work() as uow:
        for number, start, end, cents in (("INV-AUG", date(2026, 8, 18), date(2026, 9, 17), "40.00"),
                                          ("INV-SEP", date(2026, 9, 17), date(2026, 10, 19), "45.67")):
            invoice = uow.bills.add_invoice(NewInvoice(
                supplier="987654321", number=number, invoice_date=end, purpose="00", account_number="2000000029",
                total=Decimal(cents), received_at=AT, status=InvoiceStatus.ACCEPTED, service_point_id="7000000029",
                period_start=start, period_end=end, bill_date=end, source_file=f"{number}.x12", isa13="000000001",
                gs06="1", st02="0001"))
            uow.bills.add_lines([NewBillLine(
                invoice_id=invoice.id, account_number="2000000029", service_point_id="7000000029",
                supplier="987654321", bill_date=end, period_start=start, period_end=end, seq=1, indicator="C",
                code="ENC001", amount=Decimal(cents), created_at=AT, description="SUPPLY CHARGE")])
        uow.commit()
    return path


def run(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(config), "bill", "show", *args])
    return result.exit_code, result.output


def test_show_prints_every_bill_with_its_res_charges(config: Path) -> None:
    code, output = run(config, "2000000029")
    assert code == 0
    assert "the bill of 2026-09-17: RES charges 40.00" in output
    assert "the bill of 2026-10-19: RES charges 45.67" in output
    assert "invoice INV-SEP (INV-SEP.x12 ISA13 000000001 GS06 1 ST02 0001)" in output


def test_show_json_and_the_period_filter(config: Path) -> None:
    code, output = run(config, "2000000029", "--json", "--period", "2026-09-17/2026-10-19")
    assert code == 0
    shown = json.loads(output)
    assert (shown["total"], [b["bill_date"] for b in shown["bills"]]) == ("45.67", ["2026-10-19"])
    code, output = run(config, "2000000029", "--json", "--period", "2026-09")
    assert [b["bill_date"] for b in json.loads(output)["bills"]] == ["2026-09-17"]


def test_an_account_without_res_charges_is_not_an_error(config: Path) -> None:
    code, output = run(config, "2000000011")
    assert (code, output.splitlines()[-1]) == (0, "  no RES charges")


def test_an_unknown_account_exits_1_and_a_bad_period_exits_2(config: Path) -> None:
    assert run(config, "2999999999")[0] == 1
    code, output = run(config, "2000000029", "--period", "last month")
    assert code == 2 and "--period" in output


@pytest.mark.parametrize("command", [["bill", "show", "2000000029"], ["usage", "plot", "7000000029", "-o", "x.png"]])
def test_an_unusable_database_exits_3_with_one_line(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "edi.db").write_bytes(b"not a database, " * 64)
    path = tmp_path / "edi.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "edi.db"}"\n')
    result = CliRunner().invoke(main, ["--config", str(path), *command])
    assert result.exit_code == 3, result.output
    assert result.output.startswith("error: database sqlite:///") and result.output.count("\n") == 1
