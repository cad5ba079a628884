"""structlog set-up: JSON lines for machines (cron, files), readable lines for people.

Every line goes through :func:`processor.privacy.mask_sensitive` last, tracebacks included (they are
formatted first so that they are masked too): a log is read by people who need not see customers'
data or secrets (SECURITY.md).
"""

from __future__ import annotations

import logging
import sys

import structlog

from processor.privacy import mask_sensitive

#: ``--log-level`` choices; ``debug`` adds a line per accepted transaction set (100,000 lines for one big file)
LEVELS = ("debug", "info", "warning")


def configure(fmt: str | None = None, level: str = "info") -> None:
    """``fmt`` is ``json`` or ``console``; by default JSON unless stderr is a terminal. Lines below ``level``
    cost nothing (structlog's filtering logger)."""
    if fmt is None:
        fmt = "console" if sys.stderr.isatty() else "json"
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(sort_keys=True) if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            mask_sensitive,
            renderer,
        ],
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level.upper()]),
        cache_logger_on_first_use=False,
    )
    # pyx12 logs every error it finds at ERROR; those are findings, not incidents.
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
