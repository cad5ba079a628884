"""The ``edi`` command: a thin click layer over the format and business layers.

Exit codes (../shared/spec/interfaces.md): translate 0 ok / 1 unreadable input;
validate 0 valid / 1 findings / 2 usage; batch 0 / 1 quarantined / 2 config / 3
infrastructure.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO

import click

from edi import translate as tr
from edi.acks import acknowledge
from edi.canonical import render
from edi.findings import Finding
from edi.validate import Validation, validate_stream
from edi.writer import CounterControlNumbers, Party, Profile, Transaction, interchange
from processor import logs
from processor.batch import OutboundInvalid
from processor.batch_lock import BatchRunning, acquire_lock
from processor.batch_report import save_report
from processor.billing.cli import bill
from processor.bootstrap import App, bootstrap
from processor.channels import ChannelError
from processor.clock import FixedClock, parse_as_of
from processor.config import ConfigError
from processor.load import KINDS, load_csv
from processor.privacy import scrub
from processor.startup import settle
from processor.store import Store, StoreError
from processor.subcommand import fail
from processor.usage.cli import usage
from processor.workers import WorkersNeedPostgres, check_workers


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="edi.toml (every key optional).")
@click.option("--db", "db_url", default=None, help="Database URL (default sqlite:///var/edi.db).")
@click.option("--log-format", type=click.Choice(["json", "console"]), default=None,
              help="JSON when not a terminal.")
@click.option("--log-level", type=click.Choice(logs.LEVELS), default="info", show_default=True,
              help="debug: also a line per accepted transaction set.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, db_url: str | None, log_format: str | None,
         log_level: str) -> None:
    """The Illinois retail-electric EDI gateway (ANSI X12 4010, utility side)."""
    os.umask(0o077)  # all we create is private, whatever the caller's umask: the database, reports, lock (SECURITY.md)
    logs.configure(log_format, log_level)
    settle()
    ctx.obj = {"config_path": config_path, "db_url": db_url}


def _app(ctx: click.Context, as_of: str | None = None) -> App:
    clock = None
    if as_of:
        try:
            clock = FixedClock(parse_as_of(as_of))
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    try:
        return bootstrap(ctx.obj["config_path"], ctx.obj["db_url"], clock)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


@contextmanager
def _binary_input(path: str) -> Iterator[tuple[BinaryIO, str]]:
    if path == "-":
        yield sys.stdin.buffer, "<stdin>"
        return
    try:
        with open(path, "rb") as f:
            yield f, path
    except IsADirectoryError:
        raise click.UsageError(f"{path} is a directory, not a file") from None
    except OSError as exc:
        raise click.UsageError(f"cannot open {path}: {exc.strerror}") from None


@contextmanager
def _atomic_output(path: str | None, binary: bool) -> Iterator[IO[Any]]:
    """stdout, or a file written under a temporary name and renamed when complete."""
    if path is None or path == "-":
        yield sys.stdout.buffer if binary else sys.stdout
        return
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or Path("."))
    try:
        out: IO[Any]
        if binary:
            out = os.fdopen(fd, "wb")
        else:
            out = os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape", newline="")
        with out:
            yield out
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


@main.command("translate")
@click.argument("source", metavar="IN")
@click.option("-o", "--output", default=None, help="Output file (default stdout).")
@click.option("--to", "target", type=click.Choice(["json", "xml", "x12"]), default=None,
              help="Target format: json (default for X12 input), xml, or x12 (default for JSON/XML input).")
def translate_cmd(source: str, output: str | None, target: str | None) -> None:
    """Translate X12 to JSON or XML of the whole interchange, or JSON/XML back to X12 (lossless)."""
    with _binary_input(source) as (stream, name):
        data = stream.read()
    kind = tr.sniff(data[:64])
    if kind == "unknown":
        fail(f"{name}: not X12 (no ISA), JSON or XML")
    target = target or ("json" if kind == "x12" else "x12")
    if (kind == "x12") == (target == "x12"):
        raise click.UsageError(f"{name} is {kind}; translate it to {'json or xml' if kind == 'x12' else 'x12'}")
    converters: dict[tuple[str, str], tuple[Callable[..., None], bool, bool]] = {
        ("x12", "json"): (tr.x12_to_json, True, False),
        ("x12", "xml"): (tr.x12_to_xml, True, True),
        ("json", "x12"): (tr.json_to_x12, False, False),
        ("xml", "x12"): (tr.xml_to_x12, True, False),
    }
    convert, binary_in, binary_out = converters[(kind, target)]
    src: IO[Any] = io.BytesIO(data) if binary_in else io.StringIO(data.decode("utf-8", "surrogateescape"))
    try:
        with _atomic_output(output, binary_out) as out:
            convert(src, out, name)
    except tr.TranslateError as exc:
        fail(str(exc))


def _codes(f: Finding) -> str:
    names = (("TA1", f.ta1), ("AK9", f.ak9), ("AK5", f.ak5), ("AK3", f.ak3), ("AK4", f.ak4))
    return ", ".join(f"{k} {v}" for k, v in names if v)


@main.command("validate")
@click.argument("source", metavar="IN")
@click.option("--ack", "ack_path", default=None, help="Write the 997 (and TA1) answering IN to this file.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--as-of", default=None, help="Date/time stamped on the acknowledgment (ISO 8601, Central).")
@click.option("--control-number", default=1, type=click.IntRange(1, 999_999_999),
              help="First ISA13/GS06 of the acknowledgment.")
@click.pass_context
def validate_cmd(ctx: click.Context, source: str, ack_path: str | None, as_json: bool, as_of: str | None,
                 control_number: int) -> None:
    """Check envelope, structure and the Illinois guide rules; exit 0 valid, 1 findings, 2 usage."""
    app = _app(ctx, as_of)
    with _binary_input(source) as (stream, name):
        result = validate_stream(stream, name, app.guide)
    if as_json:
        click.echo(json.dumps({"file": name, "valid": result.valid, "segments": result.segments,
                               "transaction_sets": result.transaction_sets,
                               "findings": [f.to_json() for f in result.findings]}, indent=2, sort_keys=True))
    else:
        for f in result.findings:
            codes = _codes(f)
            click.echo(f"{f}" + (f" ({codes})" if codes else ""))
        n = len(result.findings)
        click.echo(f"{name}: {'valid' if result.valid else f'{n} finding' + ('s' if n != 1 else '')}"
                   f" in {result.transaction_sets} transaction set(s), {result.segments} segment(s)",
                   err=not result.valid)
    if ack_path is not None:
        _write_acks(app, result, ack_path, control_number)
    sys.exit(0 if result.valid else 1)


def _write_acks(app: App, result: Validation, ack_path: str, first: int) -> None:
    if not result.interchanges:
        click.echo(f"{result.file}: no readable ISA, so no 997 or TA1 can be addressed; none written", err=True)
        return
    numbers = CounterControlNumbers(start=first, shared=True)
    at = app.clock.now()
    with _atomic_output(ack_path, binary=False) as out:
        for isa in result.interchanges:
            ta1, acks = acknowledge(isa, isa.separators)
            seps = isa.separators
            profile = Profile(sender=Party(*isa.receiver), receiver=Party(*isa.sender), separators=seps,
                              usage=isa.isa.get(15) or "T")
            bodies = [render(ack, component_separator=seps.component) for ack in acks]
            groups = [[Transaction("997", body) for body in bodies]] if bodies else []
            for segment in interchange(profile, groups, numbers, at, ta1s=[ta1] if ta1 else []):
                out.write(seps.render(segment))


@main.command("load")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("csv_path", metavar="CSV", type=click.Path(dir_okay=False))
@click.pass_context
def load_cmd(ctx: click.Context, kind: str, csv_path: str) -> None:
    """Load master data (suppliers, accounts, service-points, meters, schedule, holidays) into the store.

    Every row is checked; a file with any bad row loads nothing. Re-loading updates rows by key.
    """
    app = _app(ctx)
    with _open_store(app) as store:
        result = load_csv(store, kind, csv_path)
    for line in result.error_lines():
        click.echo(line, err=True)
    click.echo(result.summary(), err=not result.ok)
    sys.exit(0 if result.ok else 1)


@contextmanager
def _open_store(app: App, create: bool = True) -> Iterator[Store]:
    """The store, or exit 3 naming the database when it cannot be opened (infrastructure)."""
    try:
        store = Store.open(app.db_url, create=create)
    except StoreError as exc:
        fail(f"database {app.db_url}: {exc}", code=3)
        raise  # unreachable: _fail exits
    try:
        yield store
    finally:
        store.close()


@main.command("batch")
@click.option("--as-of", default=None, help="Run as if it were this time (ISO 8601, Central if no offset).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes sharing the inbox through the database (more than 1 needs PostgreSQL).")
@click.pass_context
def batch_cmd(ctx: click.Context, as_of: str | None, workers: int) -> None:
    """The nightly run: claim, validate, process, answer, archive or quarantine every inbound file.

    With --workers N the run forks N processes that claim files through the database and apply them in
    the order one process would: the outcome is the same, only sooner. Runs on other machines may share
    the same PostgreSQL database and drop folders; the batch lock stops a second run on this machine.

    Exit 0 all processed, 1 something quarantined, 2 config/usage error (or another batch running),
    3 infrastructure failure (database, folders, SFTP).
    """
    app = _app(ctx, as_of)
    paths = app.config.paths
    try:
        lock = acquire_lock(paths.lock)
    except BatchRunning as exc:
        fail(str(exc), code=2)
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)  # a stop, like Ctrl-C: exit 3, not killed mid-word
    try:
        with _open_store(app, create=False) as store:  # never a new, empty database: it would reject everything
            try:
                check_workers(store.shared, workers)
            except WorkersNeedPostgres as exc:
                fail(str(exc), code=2)
                return
            try:
                channels = app.channels()
            except ChannelError as exc:
                fail(scrub(f"folders: {exc}"), code=3)
                return
            try:
                batch = app.batch(store, channels)
                batch.workers = workers
                batch.reopen_channels = app.channels
                if sys.stderr.isatty() and workers == 1:
                    batch.progress = _progress_bar()
                report = batch.run()
            except (ChannelError, StoreError, OSError, OutboundInvalid) as exc:  # OutboundInvalid: ours, never sent
                fail(scrub(f"infrastructure failure, the run stopped (a rerun resumes safely): {exc}"), code=3)
                return
            finally:
                for folder in (channels.inbox, channels.outbox, channels.archive, channels.quarantine):
                    folder.close()
    except (KeyboardInterrupt, Interrupted) as exc:
        why = exc.args[0] if isinstance(exc, Interrupted) else "SIGINT"
        fail(f"interrupted by {why}, the run stopped (a rerun resumes safely)", code=3)
    finally:
        signal.signal(signal.SIGTERM, previous)
        lock.release()
    saved = save_report(report, paths.reports)
    for line in report.summary_lines():
        click.echo(line)
    click.echo(f"report: {saved}")
    sys.exit(report.exit_code)


class Interrupted(BaseException):
    """SIGTERM during a batch: unwinds like Ctrl-C (a BaseException, so no ``except Exception`` swallows it)."""


def _interrupt(signum: int, frame: object) -> None:
    raise Interrupted(signal.Signals(signum).name)


def _progress_bar() -> Callable[[int, int, str], None]:
    """A one-line bar on stderr for a person watching; cron (no terminal) gets none."""
    def show(done: int, total: int, name: str) -> None:
        width = 30
        filled = width * done // max(total, 1)
        click.echo(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name[:40]:<40}", err=True,
                   nl=done == total)
    return show


main.add_command(usage)
main.add_command(bill)
