"""Segments and separators: the smallest shared vocabulary of the format layer.

A segment is kept as text exactly as it was read (composites unsplit), so that
writing it back with the same separators gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple


class Segment(NamedTuple):
    """One X12 segment.

    ``elements[0]`` is element 01. Composite elements stay joined with the
    interchange's component separator; use :meth:`components` to split one.
    ``pos`` is the 1-based ordinal of the segment in its file (the first ISA is 1);
    it is 0 for a segment that was built rather than read.
    """

    id: str
    elements: tuple[str, ...]
    pos: int = 0

    def get(self, n: int) -> str:
        """Element ``n`` (1-based), or ``""`` when the segment is shorter."""
        return self.elements[n - 1] if 0 < n <= len(self.elements) else ""

    def components(self, n: int, separator: str) -> list[str]:
        return self.get(n).split(separator)

    def same_as(self, other: Segment) -> bool:
        """Equal id and elements, whatever the positions."""
        return self.id == other.id and self.elements == other.elements


_new = tuple.__new__


def seg(id_: str, *elements: str) -> Segment:
    """Build a segment, dropping trailing empty elements as X12 writers must."""
    if elements and elements[-1] == "":
        n = len(elements) - 1
        while n and elements[n - 1] == "":
            n -= 1
        elements = elements[:n]
    return _new(Segment, (id_, elements, 0))  # Segment(id_, elements) without the Python-level __new__


@dataclass(frozen=True, slots=True)
class Separators:
    """The delimiters of one interchange.

    ``suffix`` is what follows each segment terminator on output (``""``, ``"\\n"``
    or ``"\\r\\n"``); it is not part of X12 syntax but partners care about it.
    """

    element: str = "*"
    component: str = ">"
    segment: str = "~"
    suffix: str = "\n"

    def __post_init__(self) -> None:
        chars = [self.element, self.component, self.segment]
        if any(len(c) != 1 for c in chars):
            raise ValueError(f"separators must be single characters: {chars!r}")
        if len(set(chars)) != 3:
            raise ValueError(f"separators must differ: {chars!r}")
        if self.suffix not in ("", "\n", "\r\n"):
            raise ValueError(f"segment suffix must be empty, LF or CRLF: {self.suffix!r}")
        if self.segment in "\r\n" and self.suffix:
            raise ValueError("a newline segment terminator takes no suffix")

    def render(self, segment: Segment) -> str:
        """The segment as text, terminator and suffix included.

        A separator inside a value would silently shift every element after it, so
        it is refused here, at the last point before bytes leave us.
        """
        element = self.element
        elements = segment[1]
        body = segment[0] + element + element.join(elements) if elements else segment[0]
        if self.segment in body or body.count(element) != len(elements):
            raise ValueError(f"a value of segment {segment.id} contains a separator: {body[:80]!r}")
        return body + self.segment + self.suffix

    def render_all(self, segments: Iterable[Segment]) -> str:
        """``"".join(render(s) for s in segments)``, the separator check made once over the whole text
        (and segment by segment only when it fails, to name the culprit)."""
        segments = segments if isinstance(segments, list | tuple) else list(segments)
        if not segments:
            return ""
        element, terminator = self.element, self.segment
        tail = terminator + self.suffix  # the suffix never holds the terminator (see __post_init__)
        text = tail.join([element.join((s[0], *s[1])) for s in segments])
        if text.count(terminator) != len(segments) - 1 or text.count(element) != sum(len(s[1]) for s in segments):
            for s in segments:
                self.render(s)  # raises for the segment at fault
        return text + tail


ENVELOPE_IDS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE", "TA1"})
