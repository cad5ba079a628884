"""A streaming X12 reader: bytes in, :class:`Segment` objects out, memory flat.

Separators are taken from each ISA (element separator at byte 4, component
separator ISA16, segment terminator right after ISA16), so one file may hold
several interchanges with different separators. Real partners' files are messy,
so the reader tolerates what does not change the meaning: a UTF-8 BOM, blank
lines, CR/LF/CRLF after terminators, a newline used as the terminator itself,
and a final segment without a terminator. Anything else it cannot read becomes a
:class:`Finding`, never an exception: the caller decides what a bad file means.

Bytes are decoded as UTF-8 with ``surrogateescape``, so any byte sequence reads
and writes back unchanged; the validator reports characters outside the X12 set.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

from edi.findings import Finding, Level, shorten
from edi.segments import Segment, Separators

CHUNK = 1 << 20
#: A segment longer than this is not X12 but a broken or hostile file; it is
#: skipped (and reported) instead of being held in memory.
MAX_SEGMENT = 1 << 20
ISA_LENGTH = 106  # characters, terminator included
_WHITESPACE = " \t\r\n"
#: Rules after which the reader stopped: the rest of the file was not read.
FATAL_RULES = frozenset({
    "read.empty", "read.no-isa", "read.isa-truncated", "read.isa-element-separator", "read.isa-elements",
    "read.isa-component-separator", "read.isa-segment-terminator",
})
_BOM = "\ufeff"
#: The most text a :data:`Hook` may ask to see at once (from the segment it was called after).
MAX_RAW = 8 << 20

Hook = Callable[[str, int, int, bool], "tuple[Any, ...] | None"]
"""Called once, right after the reader yielded a segment, as ``hook(buf, start, end, final)``:
``buf[start:end]`` is that segment's text and terminator (and maybe the line break after it: only
``buf[start:]`` up to the first terminator is the segment), what follows is the rest of the file as
read so far (``final``: nothing more will be read for the hook). It returns None to let the reader
go on, ``(index, n, ...)`` when it has consumed ``n`` complete segments (exactly as the reader would
have split them) from ``end`` up to ``buf[index]`` (the reader keeps that tuple and the text it was
computed on as :attr:`X12Reader.hooked` for the consumer), or :data:`MORE` to see more text first.
This is how the envelope and the translator process whole runs of segments without a Python object
each."""
MORE: tuple[Any, ...] = (-1, -1)
_ALWAYS = re.compile("")
_SMALL = 16  #: after a hook, this many segments (doubling) are read one by one before splitting in bulk again


class ByteSource(Protocol):
    """What the reader reads from: a binary file, or anything else with ``read(size)``."""

    def read(self, size: int = -1, /) -> bytes: ...


class X12Reader:
    """Iterate over the segments of one file.

    After an ISA has been yielded, :attr:`separators` holds that interchange's
    separators. Problems found while reading are appended to :attr:`findings`.
    """

    def __init__(self, stream: ByteSource, name: str, chunk_size: int = CHUNK,
                 max_segment: int = MAX_SEGMENT) -> None:
        self._stream = stream
        self.name = name
        self._chunk = chunk_size
        self._max_segment = max_segment
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
        self._eof = False
        self.separators: Separators | None = None
        self.findings: list[Finding] = []
        self.segment_count = 0
        #: one-shot :data:`Hook`, set by a consumer between two segments
        self.hook: Hook | None = None
        #: (what the last hook returned, the buffer it read, where in it the consumed text starts), until the
        #: consumer takes it
        self.hooked: tuple[tuple[Any, ...], str, int] | None = None

    @property
    def stopped(self) -> Finding | None:
        """The finding that made the reader stop before the end of the file, if any."""
        return next((f for f in self.findings if f.rule in FATAL_RULES), None)

    # -- buffer handling -------------------------------------------------------------
    def _read(self) -> str:
        if self._eof:
            return ""
        data = self._stream.read(self._chunk)
        if not data:
            self._eof = True
            return self._decoder.decode(b"", final=True)
        return self._decoder.decode(data)

    def _problem(self, position: int, segment_id: str, rule: str, message: str,
                 level: Level = Level.INTERCHANGE, value: str | None = None, element: int | None = None,
                 ta1: str | None = None, ak3: str | None = None) -> None:
        self.findings.append(Finding(self.name, position, segment_id, rule, message, level=level,
                                     value=shorten(value) if value is not None else None,
                                     element=element, ta1=ta1, ak3=ak3))

    # -- the ISA ---------------------------------------------------------------------
    def _parse_isa(self, buf: str, i: int) -> tuple[Separators, int] | None:
        """Separators from the ISA starting at ``buf[i]``; returns them and the index
        just past the terminator, or None (with a finding) when the ISA is unreadable."""
        position = self.segment_count + 1
        if len(buf) < i + 4:
            self._problem(position, "ISA", "read.isa-truncated", "the file ends inside the ISA segment",
                          ta1="024")
            return None
        element = buf[i + 3]
        if element.isalnum() or element in _WHITESPACE:
            self._problem(position, "ISA", "read.isa-element-separator",
                          f"ISA byte 4 must be the element separator, found {element!r}", ta1="026")
            return None
        p = i + 3
        for _ in range(15):
            p = buf.find(element, p + 1, i + 4 * ISA_LENGTH)
            if p < 0:
                self._problem(position, "ISA", "read.isa-elements",
                              "the ISA segment does not have 16 elements", ta1="024")
                return None
        if len(buf) < p + 3:
            self._problem(position, "ISA", "read.isa-truncated", "the file ends inside the ISA segment",
                          ta1="024")
            return None
        component, terminator = buf[p + 1], buf[p + 2]
        end = p + 3
        if terminator == "\r" and buf.startswith("\n", end):
            terminator, end = "\n", end + 1
        if component in (element, terminator) or component.isalnum() or component in " \r\n":
            self._problem(position, "ISA", "read.isa-component-separator",
                          f"ISA16 component separator {component!r} is not usable", element=16, ta1="027")
            return None
        if terminator == element or terminator.isalnum() or terminator == " ":
            self._problem(position, "ISA", "read.isa-segment-terminator",
                          f"the segment terminator after ISA16 is not usable: {terminator!r}", ta1="024")
            return None
        if terminator in buf[i:p]:  # an ISA value holding the terminator could never be written back
            self._problem(position, "ISA", "read.isa-segment-terminator",
                          f"the segment terminator {terminator!r} also occurs inside the ISA", ta1="024")
            return None
        length = p + 3 - i
        if length != ISA_LENGTH:
            self._problem(position, "ISA", "read.isa-length",
                          f"the ISA segment is {length} characters long, not {ISA_LENGTH}", ta1="024")
        suffix = ""
        if terminator != "\n":
            if buf.startswith("\r\n", end):
                suffix = "\r\n"
            elif buf.startswith("\n", end):
                suffix = "\n"
        return Separators(element, component, terminator, suffix), end

    # -- iteration -------------------------------------------------------------------
    def __iter__(self) -> Iterator[Segment]:
        buf = self._read()
        while not buf.strip(_WHITESPACE + _BOM) and not self._eof:
            buf += self._read()
        buf = buf.lstrip(_BOM + _WHITESPACE)
        while len(buf) < 4 * ISA_LENGTH and not self._eof:
            buf += self._read()
        if not buf:
            self._problem(0, "", "read.empty", "the file is empty", level=Level.FILE, ta1="024")
            return
        if not buf.startswith("ISA"):
            self._problem(0, "", "read.no-isa", "the file does not start with an ISA segment",
                          level=Level.FILE, value=buf[:20], ta1="024")
            return
        yield from self._segments(buf)

    def _segments(self, buf: str) -> Iterator[Segment]:
        """The segments of ``buf`` and of what is read after it.

        Two paths with one result: whole runs of complete segments are split at once (the usual
        case, ~0.3 us a segment), and the segment-by-segment path takes everything at the edges (an
        ISA, a segment cut by the end of a chunk, the end of the file). After each segment a
        :attr:`hook`, when set, may consume raw text (see :data:`Hook`).
        """
        i = 0
        term = element = ""
        newline_term = False
        blank_skip = False  # the terminator is whitespace: blank "segments" are skipped, not read
        isa_ahead: re.Pattern[str] | None = None
        uneven: re.Pattern[str] | None = None
        joint, width, span = "", 0, CHUNK
        new = tuple.__new__
        while True:
            # skip whatever separates segments visually (newlines, blank lines)
            n = len(buf)
            while i < n and buf[i] in _WHITESPACE:
                i += 1
            if i >= n:
                buf, i = self._read(), 0
                if not buf and self._eof:
                    return
                continue
            if buf.startswith("ISA", i) or not term:
                if len(buf) - i < 4 * ISA_LENGTH and not self._eof:
                    buf, i = buf[i:] + self._read(), 0
                    continue
                parsed = self._parse_isa(buf, i)
                if parsed is None:
                    return
                seps, end = parsed
                self.separators = seps
                term, element = seps.segment, seps.element
                newline_term = term == "\n"
                blank_skip = term in _WHITESPACE
                isa_ahead = re.compile(re.escape(term) + "[" + re.escape(_WHITESPACE) + "]*ISA")
                joint = term + seps.suffix
                width = len(joint)
                # a terminator not followed by exactly the suffix and then a segment
                uneven = re.compile(re.escape(term) + "(?!" + re.escape(seps.suffix) + "[^" + re.escape(_WHITESPACE)
                                    + "])") if not blank_skip else _ALWAYS
                text = buf[i:end].rstrip("\r\n")
                if not newline_term:
                    text = text[:-1]
                start, i = i, end
                self.segment_count += 1
                parts = text.split(element)
                yield Segment(parts[0], tuple(parts[1:]), self.segment_count)
                if self.hook is not None:
                    buf, i = self._call_hook(buf, start, i)
                    span = 1
                continue
            # the bulk path: every complete segment up to the last terminator or the next ISA, in
            # spans that grow; right after a hook (which may skip what follows) segment by segment
            last = buf.rfind(term, i, i + span) if span > _SMALL else -1
            if last > i:
                assert isa_ahead is not None and uneven is not None
                found = isa_ahead.search(buf, i, last + 4)
                stop = found.start() if found is not None else last
                if stop > i:
                    span = min(span * 4, CHUNK << 1)
                    pos = i
                    count = self.segment_count
                    if uneven.search(buf, i, stop) is None:  # every terminator followed by the suffix alone
                        for text in buf[i:stop].split(joint):
                            start = pos
                            pos += len(text) + width
                            sid, more_els, rest = text.partition(element)
                            count += 1
                            self.segment_count = count
                            yield new(Segment, (sid, tuple(rest.split(element)) if more_els else (), count))
                            if self.hook is not None:
                                buf, i = self._call_hook(buf, start, pos)
                                span = 1
                                break
                        else:
                            i = stop + 1
                        continue
                    for text in buf[i:stop].split(term):
                        start = pos
                        pos += len(text) + 1
                        if not text or text[0] in _WHITESPACE:
                            stripped = text.lstrip(_WHITESPACE)
                            if not stripped and blank_skip:
                                continue
                            start += len(text) - len(stripped)
                            text = stripped
                        if newline_term and text.endswith("\r"):
                            text = text[:-1]
                        count += 1
                        sid, more_els, rest = text.partition(element)
                        self.segment_count = count
                        yield new(Segment, (sid, tuple(rest.split(element)) if more_els else (), count))
                        if self.hook is not None:
                            buf, i = self._call_hook(buf, start, pos)
                            span = 1
                            break
                    else:
                        i = stop + 1
                    continue
            j = buf.find(term, i)
            if j < 0:
                if len(buf) - i > self._max_segment:
                    buf, i = self._skip_long_segment(buf[i:i + 3].split(element)[0], term), 0
                    continue
                more = self._read()
                if more:
                    buf, i = buf[i:] + more, 0
                    continue
                if not self._eof:
                    continue
                text = buf[i:].rstrip(_WHITESPACE)
                position = self.segment_count + 1
                parts = text.split(element)
                if parts[0] != "IEA":
                    self._problem(position, parts[0][:3], "read.unterminated",
                                  "the file ends in the middle of a segment (no segment terminator)",
                                  level=Level.TRANSACTION, value=text, ak3="8")
                self.segment_count = position
                yield Segment(parts[0], tuple(parts[1:]), position)
                return
            text = buf[i:j]
            start, i = i, j + 1
            if newline_term and text.endswith("\r"):
                text = text[:-1]
            self.segment_count += 1
            sid, more_els, rest = text.partition(element)
            yield new(Segment, (sid, tuple(rest.split(element)) if more_els else (), self.segment_count))
            span <<= 1
            if self.hook is not None:
                buf, i = self._call_hook(buf, start, i)
                span = 1

    def _call_hook(self, buf: str, start: int, i: int) -> tuple[str, int]:
        """Give the one-shot :attr:`hook` the text from the segment just yielded (at ``start``)
        on; read more while it asks for more, up to :data:`MAX_RAW` characters. Returns the
        buffer and the index to go on from."""
        hook, self.hook = self.hook, None
        assert hook is not None
        while True:
            final = self._eof or len(buf) - start >= MAX_RAW
            got = hook(buf, start, i, final)
            if got is None:
                return buf, i
            if got is not MORE:
                self.hooked = (got, buf, i)
                self.segment_count += got[1]
                return buf, got[0]
            if final:
                return buf, i
            more = self._read()
            buf, i, start = buf[start:] + more, i - start, 0

    def _skip_long_segment(self, head: str, term: str) -> str:
        """Discard a segment too long to be real X12, reading on to its terminator;
        returns what follows it."""
        self.segment_count += 1
        self._problem(self.segment_count, head, "read.segment-too-long",
                      f"a segment longer than {self._max_segment} characters was skipped",
                      level=Level.TRANSACTION, ak3="8")
        while True:
            chunk = self._read()
            if not chunk and self._eof:
                return ""
            k = chunk.find(term)
            if k >= 0:
                return chunk[k + 1:]


def read_segments(path: str | Path) -> Iterator[Segment]:
    """All segments of a file, for callers that do not need the findings."""
    with open(path, "rb") as f:
        yield from X12Reader(f, str(path))
