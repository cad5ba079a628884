"""Validation of a whole file: read, check the envelope, check each set against the guide.

Streams: one transaction set is in memory at a time. The result keeps every
finding and the envelope summaries the 997 and TA1 are built from.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

from edi.envelope import Envelope, InterchangeSummary, TransactionSet
from edi.findings import Finding, Level
from edi.guide import GuideValidator, SetWalk
from edi.presence import Presence
from edi.reader import X12Reader
from edi.segments import Segment

#: segments of a set held at most while it is validated (the rest is checked as it is read): a 997 answering
#: 100,000 sets is one set of 200,000 (~45 MB as segments); the fast lane learns only from sets held whole
SPILL_AT = 50_000


class Guide(Protocol):
    """Checks one transaction set (ST..SE) against the implementation guide (our maps), fed its segments in
    one piece or several (:class:`edi.guide.SetWalk`)."""

    def walk(self, gs01: str, gs08: str, st: Segment | None, component_separator: str) -> SetWalk: ...


@dataclass
class Validation:
    """What validating one file found."""

    file: str
    interchanges: list[InterchangeSummary] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    transaction_sets: int = 0
    segments: int = 0

    @property
    def valid(self) -> bool:
        return not self.findings

    @property
    def unreadable(self) -> bool:
        """Nothing in the file could be read as X12 (empty, not X12, broken ISA)."""
        return any(f.level is Level.FILE and f.rule.startswith("read.") for f in self.findings)


def check_sets(envelope: Envelope, guide: Guide | None) -> Iterator[TransactionSet]:
    """The envelope's transaction sets, each checked against the guide as it passes.

    Guide findings are filed with the set's summary (so the 997 sees them) and carry
    the set's control numbers. A set the envelope gives out in pieces (``spill_at``) is checked piece by
    piece and comes out once, with its last piece.
    """
    walk: tuple[SetWalk, Presence] | None = None  #: the checks of the set being read (it may come in pieces)
    for ts in envelope:
        # A set in the wrong group (ST01 not what GS01 groups) would be checked against the
        # wrong map and bury its one real problem (AK5 6) under dozens of false ones.
        misplaced = any(f.ak5 == "6" for f in ts.summary.findings)
        if guide is None or misplaced or ts.prevalidated:  # prevalidated: clean, by the fast lane
            if ts.complete:
                yield ts
            continue
        if walk is None:
            walk = guide.walk(ts.group.gs01, ts.group.gs08, ts.segments[0], ts.separators.component), Presence()
        found = walk[0].feed(ts.segments)
        walk[1].feed(ts.segments)
        if not ts.complete:
            continue
        found, walk = [*found, *walk[1].findings()], None
        for f in found:
            f = dataclasses.replace(f, file=envelope.file, isa13=ts.interchange.isa13,
                                    gs06=ts.group.gs06, st02=ts.summary.st02)
            ts.summary.add(f)
            envelope.findings.append(f)
        yield ts


def validate_stream(stream: BinaryIO, name: str, guide: Guide | None,
                    on_set: Callable[[TransactionSet], None] | None = None) -> Validation:
    """Validate everything in ``stream``; ``on_set`` sees each set after its checks."""
    return validate_reader(X12Reader(stream, name), guide, on_set)


def validate_reader(reader: X12Reader, guide: Guide | None,
                    on_set: Callable[[TransactionSet], None] | None = None, *, digests: bool = False,
                    keep_sets: bool = True) -> Validation:
    """Validate what ``reader`` reads.

    Without ``on_set`` (nobody needs the segments of a clean set), sets go through the guide's fast
    lane first (:class:`edi.guide.FastLane`): same findings, a fraction of the time; and a set of more
    than :data:`SPILL_AT` segments is checked as it is read, never held whole. ``digests``: each
    interchange summary gets its content digest; without ``keep_sets`` the group summaries hold no set summaries
    (:class:`edi.envelope.Envelope`).
    """
    ours = guide if on_set is None and isinstance(guide, GuideValidator) else None
    envelope = Envelope(reader, ours, digests=digests, keep_sets=keep_sets,
                        spill_at=SPILL_AT if ours is not None else None)
    name = reader.name
    result = Validation(name)
    for ts in check_sets(envelope, guide):
        result.transaction_sets += 1
        if on_set is not None:
            on_set(ts)
    result.interchanges = envelope.interchanges
    result.segments = envelope.reader.segment_count
    result.findings = sorted(envelope.findings, key=lambda f: (f.position, f.element or 0))
    return result


def validate_file(path: str | Path, guide: Guide | None) -> Validation:
    with open(path, "rb") as f:
        return validate_stream(f, str(path), guide)
