"""Writing X12: body segments in, a complete interchange out.

Control numbers come from an injected :class:`ControlNumbers` (the batch backs it
with the database so a number is never reused); counts are computed, never
typed; separators and the ISA identity come from the partner's profile.
"""

from __future__ import annotations

import itertools
from abc import abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TextIO, overload

from edi.envelope import FUNCTIONAL_IDS, VERSION
from edi.segments import Segment, Separators, seg

_ST_FOR_GS = {st: gs for gs, st in FUNCTIONAL_IDS.items()}


class ControlNumbers(Protocol):
    """Hands out control numbers; ``scope`` is e.g. ``"ISA:012345678>987654321"``."""

    def next(self, scope: str) -> int: ...


@dataclass
class CounterControlNumbers:
    """In-memory control numbers, for the CLI and tests: each scope counts from ``start``.

    ``shared`` makes every scope draw from one counter: for a single file holding
    interchanges to several partners, whose ISA13s must still differ.
    """

    start: int = 1
    shared: bool = False
    _counters: dict[str, Iterator[int]] = field(default_factory=dict)

    def next(self, scope: str) -> int:
        key = "" if self.shared else scope
        counter = self._counters.setdefault(key, itertools.count(self.start))
        return next(counter)


@dataclass(frozen=True, slots=True)
class Party:
    """An interchange identity: ISA qualifier and id (also used for GS02/GS03)."""

    qualifier: str
    id: str


@dataclass(frozen=True, slots=True)
class Profile:
    """How to write to one trading partner."""

    sender: Party
    receiver: Party
    separators: Separators = field(default_factory=Separators)
    usage: str = "T"  #: ISA15: T test, P production
    ack_requested: str = "0"  #: ISA14


@dataclass(frozen=True, slots=True)
class Transaction:
    """One transaction set to be written: its ST01 and the segments between ST and SE.

    ``body`` may be any iterable, e.g. a generator that renders the set only when the writer reaches it.
    """

    st01: str
    body: Iterable[Segment]


class Run(Sequence[Segment]):
    """Segments the writer takes as text in one piece: an 867's hourly ``QTY`` + ``DTM*582`` pairs are 1,440 a
    meter and month, 14.4 million for 10,000 points, where a :class:`Segment` each and their joining were
    most of writing them (867 production profile, README). Iterating gives the same segments one by one."""

    __slots__ = ()

    @abstractmethod
    def text(self, separators: Separators) -> str:
        """What :meth:`Separators.render_all` makes of the segments, refusing a separator inside a value as it does."""


@dataclass(frozen=True, slots=True, eq=False)
class Body(Sequence[Segment]):
    """A transaction set's body (between ST and SE) in pieces, lists of segments and :class:`Run` objects: as
    a sequence, the segments of every piece in turn; :func:`write` writes a run as its text."""

    pieces: tuple[Sequence[Segment], ...]

    def __len__(self) -> int:
        return sum(map(len, self.pieces))

    @overload
    def __getitem__(self, index: int) -> Segment: ...

    @overload
    def __getitem__(self, index: slice) -> list[Segment]: ...

    def __getitem__(self, index: int | slice) -> Segment | list[Segment]:
        if isinstance(index, slice):
            return list(self)[index]
        i = index + len(self) if index < 0 else index
        for piece in self.pieces:
            if 0 <= i < len(piece):
                return piece[i]
            i -= len(piece)
        raise IndexError("body index out of range")

    def __iter__(self) -> Iterator[Segment]:
        return itertools.chain.from_iterable(self.pieces)


def interchange(profile: Profile, groups: Iterable[Iterable[Transaction]], numbers: ControlNumbers,
                at: datetime, ta1s: Sequence[Segment] = ()) -> Iterator[Segment]:
    """The segments of one interchange, ISA to IEA, one functional group per element of ``groups``.

    All transactions of a group must share the same ST01; TA1s go right after the
    ISA. Generates lazily: a group may be a generator of transactions and a body a
    generator of segments, so a group of many large 867s is never held whole (SE01
    and GE01 are counted on the way). A group given as a sequence is checked for
    mixed ST01s before anything of it is written; a lazy one when the odd set comes.
    Given to :func:`write`, a :class:`Body`'s runs are written as text in one piece.
    """
    return _Interchange(_pieces(profile, groups, numbers, at, ta1s))


class _Interchange(Iterator[Segment]):
    """An interchange's segments, generated from its pieces (lists of segments, runs): iterating gives the
    segments; :func:`write` takes the pieces instead, one or the other."""

    __slots__ = ("_pieces", "_segments")

    def __init__(self, pieces: Iterator[Sequence[Segment]]) -> None:
        self._pieces = pieces
        self._segments = itertools.chain.from_iterable(pieces)

    def __iter__(self) -> Iterator[Segment]:
        return self._segments

    def __next__(self) -> Segment:
        return next(self._segments)

    def pieces(self) -> Iterator[Sequence[Segment]]:
        return self._pieces


def _pieces(profile: Profile, groups: Iterable[Iterable[Transaction]], numbers: ControlNumbers,
            at: datetime, ta1s: Sequence[Segment]) -> Iterator[Sequence[Segment]]:
    """:func:`interchange`'s segments, a piece at a time: a list of segments, a rendered body, or a run."""
    pair = f"{profile.sender.id}>{profile.receiver.id}"
    isa13 = numbers.next(f"ISA:{pair}")
    if not 0 < isa13 < 10**9:
        raise ValueError(f"ISA13 {isa13} does not fit 9 digits")
    yield [isa_segment(profile, isa13, at), *ta1s]
    n_groups = 0
    for group in groups:
        transactions = iter(group)
        first = next(transactions, None)
        if first is None:
            continue
        n_groups += 1
        st01 = first.st01
        if isinstance(group, Sequence) and any(t.st01 != st01 for t in group):
            raise ValueError("a functional group holds one transaction set type")
        gs06 = numbers.next(f"GS:{pair}")
        yield [seg("GS", _ST_FOR_GS[st01], profile.sender.id, profile.receiver.id, at.strftime("%Y%m%d"),
                   at.strftime("%H%M"), str(gs06), "X", VERSION)]
        n = 0
        for transaction in itertools.chain((first,), transactions):
            if transaction.st01 != st01:
                raise ValueError("a functional group holds one transaction set type")
            n += 1
            st02 = f"{n:04d}"
            yield [seg("ST", st01, st02)]
            body = transaction.body
            if isinstance(body, Body):  # its runs go on whole
                count = 1 + len(body)
                yield from body.pieces
            elif isinstance(body, list | tuple):  # a rendered set: counted at once, passed on whole
                count = 1 + len(body)
                yield body
            else:  # a generator: taken 4,096 segments at a time, never held whole
                count, segments = 1, iter(body)
                while batch := list(itertools.islice(segments, 4096)):
                    count += len(batch)
                    yield batch
            yield [seg("SE", str(count + 1), st02)]
        yield [seg("GE", str(n), str(gs06))]
    yield [seg("IEA", str(n_groups), f"{isa13:09d}")]


def isa_segment(profile: Profile, isa13: int, at: datetime) -> Segment:
    """The fixed-width ISA: ids padded to 15, control number to 9 digits."""
    return Segment("ISA", (
        "00", " " * 10, "00", " " * 10,
        profile.sender.qualifier, profile.sender.id.ljust(15),
        profile.receiver.qualifier, profile.receiver.id.ljust(15),
        at.strftime("%y%m%d"), at.strftime("%H%M"), "U", "00401", f"{isa13:09d}",
        profile.ack_requested, profile.usage, profile.separators.component,
    ))


def write(segments: Iterable[Segment], separators: Separators, out: TextIO, batch: int = 4096) -> int:
    """Write segments as text, ``batch`` at a time (one separator check and one write per batch, memory
    flat whatever the length of ``segments``); returns how many were written. The runs of an
    :func:`interchange`'s bodies are written as their text, in one piece each."""
    if not isinstance(segments, _Interchange):
        return _write_batches(segments, separators, out, batch)
    n = 0
    pending: list[Segment] = []
    for piece in segments.pieces():
        if isinstance(piece, Run):
            n += _write_batches(pending, separators, out, batch)
            pending = []
            out.write(piece.text(separators))
            n += len(piece)
            continue
        pending += piece
        if len(pending) >= batch:
            n += _write_batches(pending, separators, out, batch)
            pending = []
    return n + _write_batches(pending, separators, out, batch)


def _write_batches(segments: Iterable[Segment], separators: Separators, out: TextIO, batch: int) -> int:
    n = 0
    render_all, it = separators.render_all, iter(segments)
    while pending := list(itertools.islice(it, batch)):  # taken a batch at a time in C, not one by one
        out.write(render_all(pending))
        n += len(pending)
    return n


def to_text(segments: Iterable[Segment], separators: Separators) -> str:
    return separators.render_all(segments)
