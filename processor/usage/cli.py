"""``edi usage``: load meter data, and draw a period for people. A thin click layer, registered on the main
command with ``main.add_command(usage)``.

- ``edi usage CSV…`` (the same as ``edi usage load CSV…``): each file is told apart by its header and loaded
  whole or not at all; bad rows are printed as ``FILE:LINE: column: message``. Exit 0 when every file
  loaded, 1 when any had bad rows (the good files are loaded all the same), 2 usage, 3 database.
- ``edi usage plot SERVICE_POINT [--period END|START/END] -o FILE.png``: the hourly net profile of a period
  with its estimated hours marked (:mod:`processor.usage.plot`). Exit 0, 1 when there is nothing to draw.

The global options (``--config``, ``--db``) are the main command's; they reach here through the root
context, so this module does not import :mod:`processor.cli` (which imports it).
"""

from __future__ import annotations

import sys
from datetime import datetime

import click

from processor.clock import parse_as_of
from processor.store.records import AccountStatus, Metering
from processor.subcommand import app_of, fail, store_of
from processor.usage.build import PeriodUsage, UsageError
from processor.usage.gather import data_start, supply_spans, usage_of
from processor.usage.intervals import CENTRAL, local_day_bounds, utc
from processor.usage.meter_csv import load_meter_csv
from processor.usage.periods import plan_period


class _UsageGroup(click.Group):
    """A first argument that names no subcommand is a file: ``edi usage a.csv`` is ``edi usage load a.csv``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["load", *args]
        return super().parse_args(ctx, args)


@click.group("usage", cls=_UsageGroup)
def usage() -> None:
    """Meter data for the 867s: `edi usage CSV…` loads it, `edi usage plot` draws a period.

    A file's header says what it holds: interval reads (meter_number,interval_end,kwh,quality), register
    reads (meter_number,read_at,register_kwh,read_type), read events (service_point_id,read_at) or a
    dynamic load profile (load_profile,interval_end,kwh). Times are ISO 8601 with an offset.
    """


@usage.command("load")
@click.argument("files", metavar="CSV...", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.pass_context
def load_cmd(ctx: click.Context, files: tuple[str, ...]) -> None:
    """Load meter-data CSVs; each file loads whole or not at all, bad rows are reported by line."""
    app = app_of(ctx)
    failed = False
    with store_of(app) as store:
        for path in files:
            loaded = load_meter_csv(store, path, at=app.clock.now())
            for line in loaded.result.error_lines():
                click.echo(line, err=True)
            click.echo(loaded.result.summary(), err=not loaded.result.ok)
            failed = failed or not loaded.result.ok
    sys.exit(1 if failed else 0)


@usage.command("plot")
@click.argument("service_point")
@click.option("--period", default=None, metavar="END|START/END",
              help="The period ending at the read event END (a date: that day's read event; a date-time: that "
                   "instant), or from START to END. ISO 8601, Central time without an offset. Default: the "
                   "period of the service point's latest read event.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The PNG file to write.")
@click.pass_context
def plot_cmd(ctx: click.Context, service_point: str, period: str | None, output: str) -> None:
    """Draw the hourly net profile of a period, estimated hours marked by how they were estimated."""
    from processor.usage.plot import plot_usage

    app = app_of(ctx)
    with store_of(app) as store:
        calendar = app.calendar(store)
        with store.unit_of_work() as uow:
            point = uow.master.get_service_point(service_point)
            if point is None:
                fail(f"no service point {service_point} in the store")
            if point.metering is Metering.SCALAR:
                fail(f"service point {service_point} is scalar metered: it has no hourly profile")
            account = uow.master.get_account(point.account_number)
            meters = uow.master.meters_of(service_point)
            events = uow.meter_data.read_events(service_point)
            try:
                start, end = _period(period, [e.read_at for e in events])
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="--period") from None
            if start is None:
                plan = plan_period(end, [e.read_at for e in events], supply_spans(uow, point, events),
                                   point.supplier, account_final=account is not None
                                   and account.status is AccountStatus.FINAL, last_event=True)
                start = plan.start or data_start(uow, point, meters, end)
            if start is None:
                fail(f"service point {service_point}: no read event or data before {end.isoformat()}")
            try:
                drawn: PeriodUsage = usage_of(uow, calendar, point, meters, start, end)
            except UsageError as exc:
                fail(str(exc))
    plot_usage(drawn, output)
    click.echo(f"{output}: service point {service_point}, {start.astimezone(CENTRAL):%Y-%m-%d %H:%M} to "
               f"{end.astimezone(CENTRAL):%Y-%m-%d %H:%M} CPT, net {drawn.net} kWh")


def _period(text: str | None, events: list[datetime]) -> tuple[datetime | None, datetime]:
    """(start or None: worked out from the read events, end) from ``--period``."""
    if text is None:
        if not events:
            raise ValueError("the service point has no read event: give --period START/END")
        return None, events[-1]
    if "/" in text:
        first, _, last = text.partition("/")
        start, end = _moment(first), _moment(last)
        if start >= end:
            raise ValueError(f"{text!r}: the start must be before the end")
        return start, end
    if "T" in text or " " in text:
        return None, _moment(text)
    day = _moment(text).astimezone(CENTRAL).date()
    begin, stop = local_day_bounds(day)
    that_day = [e for e in events if begin <= e < stop]
    if not that_day:
        raise ValueError(f"no read event on {day}")
    return None, that_day[-1]


def _moment(text: str) -> datetime:
    return utc(parse_as_of(text.strip()))


