"""What the `edi` commands share: one-line errors, the composition root built from the global options, and a
store whose failure ends the command with exit 3 and one line (never a traceback)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import click

from processor.bootstrap import App, bootstrap
from processor.config import ConfigError
from processor.privacy import redact_secrets
from processor.store import Store, StoreError


def fail(message: str, code: int = 1) -> NoReturn:
    """``error: MESSAGE`` on one line, and exit: an exception's further lines (a driver's hints, the SQL and
    its parameters, which may hold customers' data) are left out, a URL's password is never shown."""
    lines = redact_secrets(message).strip().splitlines()
    click.echo(f"error: {lines[0] if lines else message}", err=True)
    sys.exit(code)


def app_of(ctx: click.Context) -> App:
    """The App for the root command's ``--config`` and ``--db``; a bad configuration is a usage error."""
    options = ctx.find_root().obj or {}
    try:
        return bootstrap(options.get("config_path"), options.get("db_url"), None)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


@contextmanager
def store_of(app: App) -> Iterator[Store]:
    """The app's store, closed at the end; a database failure, opening it or in the block, exits 3."""
    try:
        store = Store.open(app.db_url)
    except StoreError as exc:
        fail(f"database {app.db_url}: {exc}", 3)
    try:
        yield store
    except StoreError as exc:
        fail(f"database {app.db_url}: {exc}", 3)
    finally:
        store.close()
