"""``edi bill``: the RES charges the utility's consolidated bills carry. A thin click layer, registered on the
main command with ``main.add_command(bill)`` (``from processor.billing.cli import bill``).

- ``edi bill show ACCOUNT [--period START/END|END|YYYY-MM] [--json]``: the RES lines of the account's bills
  (:mod:`processor.billing.statement`), by bill date, each with the invoice and file it came from. Exit 0
  (also when there are none), 1 when the account is unknown, 2 usage, 3 database.

The global options (``--config``, ``--db``) are the main command's; they reach here through the root context,
so this module does not import :mod:`processor.cli` (which imports it).
"""

from __future__ import annotations

import json
import sys

import click

from processor.billing.statement import period_filter, statement, to_json, to_text
from processor.subcommand import app_of, store_of


@click.group("bill")
def bill() -> None:
    """Bill-ready UCB/POR: the RES charges (accepted 810s) on the utility's consolidated bills."""


@bill.command("show")
@click.argument("account")
@click.option("--period", default=None, metavar="START/END|END|YYYY-MM",
              help="Only charges for these service periods: within START/END, the period ending on the read "
                   "date END, or periods ending in the month YYYY-MM (dates ISO 8601). Default: every bill.")
@click.option("--json", "as_json", is_flag=True, help="Print the bills as JSON.")
@click.pass_context
def show_cmd(ctx: click.Context, account: str, period: str | None, as_json: bool) -> None:
    """Print the RES charges that appear on ACCOUNT's consolidated bills, bill by bill."""
    try:
        keep = period_filter(period)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from None
    app = app_of(ctx)
    with store_of(app) as store, store.unit_of_work() as uow:  # read only: never committed
        found = uow.master.get_account(account.strip())
        if found is None:
            click.echo(f"error: no account {account} in the store", err=True)
            sys.exit(1)
        lines = uow.bills.lines(account_number=found.account_number)
        invoices = {i.id: i for i in uow.bills.find_invoices(account_number=found.account_number)}
        names = {duns: s.name for duns in {line.supplier for line in lines}
                 if (s := uow.master.get_supplier(duns)) is not None}
    result = statement(found, lines, invoices, names, keep=keep, period=period)
    if as_json:
        click.echo(json.dumps(to_json(result), indent=2, sort_keys=True))
    else:
        for text in to_text(result):
            click.echo(text)
