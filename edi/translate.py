"""Lossless translation: X12 <-> JSON and X12 <-> XML.

The JSON and XML keep every segment in order, every element (empty ones too), the
separators and the line style of each interchange, so translating back gives the
same segments and separators. Composite elements become lists (JSON) or ``comp``
nodes (XML). The nesting (interchange > group > transaction) is for people; it is
built tolerantly, so a file with a broken envelope still translates: a missing
header or trailer is ``null`` (JSON) or simply absent (XML).

X12 -> JSON/XML streams, one segment at a time. XML input is parsed without DTDs,
entities or network access: a DOCTYPE is refused outright (XML bombs, XXE).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from typing import IO, Any, BinaryIO, TextIO

from lxml import etree

from edi.reader import X12Reader
from edi.segments import Segment, Separators

JSON_FORMAT = "x12-json/1"
XML_FORMAT = "x12-xml/1"
SUFFIX_NAMES = {"": "", "\n": "LF", "\r\n": "CRLF"}
SUFFIXES = {v: k for k, v in SUFFIX_NAMES.items()}


class TranslateError(Exception):
    """The input cannot be translated; the message says where and why."""


# -- the structure of a segment stream ------------------------------------------------------
# Events: ("isa", seg, seps) ("group", gs|None) ("set", st|None) ("seg", seg) ("end-set", se|None)
# ("end-group", ge|None) ("end-isa", iea|None) ("trail", seg) ("close-isa", None)
Event = tuple[str, Segment | None, Separators | None]


def structure(reader: X12Reader) -> Iterator[Event]:
    """Nest a flat segment stream into interchanges, groups and sets, tolerating any order."""
    in_isa = in_group = in_set = after_iea = False
    for s in reader:
        sid = s.id
        if sid == "ISA":
            if in_set:
                yield ("end-set", None, None)
            if in_group:
                yield ("end-group", None, None)
            if in_isa:
                if not after_iea:
                    yield ("end-isa", None, None)
                yield ("close-isa", None, None)
            yield ("isa", s, reader.separators)
            in_isa, in_group, in_set, after_iea = True, False, False, False
            continue
        if after_iea:
            yield ("trail", s, None)
            continue
        if sid == "GS":
            if in_set:
                yield ("end-set", None, None)
            if in_group:
                yield ("end-group", None, None)
            yield ("group", s, None)
            in_group, in_set = True, False
        elif sid == "ST":
            if in_set:
                yield ("end-set", None, None)
            if not in_group:
                yield ("group", None, None)
                in_group = True
            yield ("set", s, None)
            in_set = True
        elif sid == "SE":
            if not in_group:
                yield ("group", None, None)
                in_group = True
            if not in_set:
                yield ("set", None, None)
            yield ("end-set", s, None)
            in_set = False
        elif sid == "GE":
            if in_set:
                yield ("end-set", None, None)
                in_set = False
            if not in_group:
                yield ("group", None, None)
            yield ("end-group", s, None)
            in_group = False
        elif sid == "IEA":
            if in_set:
                yield ("end-set", None, None)
            if in_group:
                yield ("end-group", None, None)
            yield ("end-isa", s, None)
            in_group = in_set = False
            after_iea = True
        else:
            if not in_group:
                yield ("group", None, None)
                in_group = True
            if not in_set:
                yield ("set", None, None)
                in_set = True
            yield ("seg", s, None)
    if in_isa:
        if in_set:
            yield ("end-set", None, None)
        if in_group:
            yield ("end-group", None, None)
        if not after_iea:
            yield ("end-isa", None, None)
        yield ("close-isa", None, None)


def _reader(stream: BinaryIO, name: str) -> X12Reader:
    return X12Reader(stream, name)


def _check_readable(reader: X12Reader) -> None:
    """Refuse what could not be translated whole: a file the reader stopped in, or one with a segment it
    had to skip (too long to be X12): translation is lossless or refused."""
    fatal = reader.stopped or next((f for f in reader.findings if f.rule == "read.segment-too-long"), None)
    if fatal is not None:
        raise TranslateError(f"{reader.name}: segment {fatal.position}: {fatal.message}")


# -- X12 -> JSON -------------------------------------------------------------------------
def _json_segment(s: Segment, component: str) -> list[Any]:
    if s.id == "ISA":
        return [s.id, *s.elements]
    return [s.id, *(e.split(component) if component in e else e for e in s.elements)]


def x12_to_json(stream: BinaryIO, out: TextIO, name: str = "-") -> None:
    """Stream X12 into JSON, one segment per line.

    Inside a transaction set, whole runs of body segments are translated at once from the reader's
    buffer (:class:`_JsonRuns`), with the same text as one ``json.dumps`` per segment.
    """
    reader = _reader(stream, name)
    dump = json.dumps
    component = ">"
    runs: _JsonRuns | None = None
    w = out.write
    w('{"format": "' + JSON_FORMAT + '", "interchanges": [')
    first_isa = True
    first_group = first_set = first_seg = first_trail = True
    for kind, s, seps in structure(reader):
        if kind == "isa":
            assert s is not None and seps is not None
            component = seps.component
            runs = _JsonRuns(seps, w) if seps.segment not in _WS or seps.segment == "\n" else None
            w(("" if first_isa else ",") + "\n {\"separators\": " + dump({
                "element": seps.element, "component": seps.component, "segment": seps.segment,
                "suffix": SUFFIX_NAMES[seps.suffix]}))
            w(',\n  "ISA": ' + dump(_json_segment(s, component)) + ',\n  "groups": [')
            first_isa, first_group, first_trail = False, True, True
        elif kind == "group":
            w(("" if first_group else ",") + '\n   {"GS": ' + (dump(_json_segment(s, component)) if s else "null")
              + ',\n    "transactions": [')
            first_group, first_set = False, True
        elif kind == "set":
            w(("" if first_set else ",") + '\n     {"segments": [')
            first_set, first_seg = False, True
            if s is not None:
                w("\n      " + dump(_json_segment(s, component)))
                first_seg = False
                if runs is not None:
                    reader.hook = runs.hook
        elif kind == "seg":
            assert s is not None
            w(("" if first_seg else ",") + "\n      " + dump(_json_segment(s, component)))
            first_seg = False
            if runs is not None:
                reader.hook = runs.hook
        elif kind == "end-set":
            if s is not None:
                w(("" if first_seg else ",") + "\n      " + dump(_json_segment(s, component)))
            w("]}")
        elif kind == "end-group":
            w('],\n    "GE": ' + (dump(_json_segment(s, component)) if s else "null") + "}")
        elif kind == "end-isa":
            w('],\n  "IEA": ' + (dump(_json_segment(s, component)) if s else "null"))
        elif kind == "trail":
            assert s is not None
            w((',\n  "trailing": [' if first_trail else ",") + "\n   " + dump(_json_segment(s, component)))
            first_trail = False
        elif kind == "close-isa":
            w(("" if first_trail else "]") + "}")
    _check_readable(reader)
    w("\n]}\n")


_WS = " \t\r\n"
#: characters ``json.dumps`` writes as themselves (printable ASCII but the quote and the backslash)
_JSON_PLAIN = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) not in '"\\')
_ENVELOPE_IDS = ("GS", "GE", "ST", "SE", "IEA")


class _JsonRuns:
    """The reader hook (:data:`edi.reader.Hook`) that writes a run of body segments as JSON.

    Called after a segment inside a set: it takes the complete segments that follow, up to the next
    envelope segment (which :func:`structure` must see) or the last terminator read, and writes each
    as ``,\n      [...]``, exactly what :func:`x12_to_json` would write for it. When the run is written
    uniformly (every terminator followed by the suffix, no component separator, nothing JSON escapes)
    it is translated with a few ``str.replace`` over the whole run; otherwise segment by segment.
    """

    def __init__(self, seps: Separators, write: Callable[[str], object]) -> None:
        e, t, sfx = seps.element, seps.segment, seps.suffix
        self.e, self.c, self.t, self.joint, self.write = e, seps.component, t, t + sfx, write
        ws = "[" + re.escape(_WS) + "]"
        self.stop = re.compile(re.escape(t) + ws + "*(?:ISA|(?:" + "|".join(_ENVELOPE_IDS) + ")(?=["
                               + re.escape(e + t) + "]))")
        self.after_joint = re.compile(re.escape(self.joint) + ws)
        plain = set(_JSON_PLAIN) | set(sfx)
        self.unsafe = re.compile("[^" + re.escape("".join(sorted(plain))) + "]") if e in plain and t in plain \
            else re.compile("")
        self.sfx = sfx
        self.newline = t == "\n"  #: the newline as terminator (see X12Reader: blank lines, CRs)

    def hook(self, buf: str, start: int, end: int, final: bool) -> tuple[int, int] | None:
        found = self.stop.search(buf, start)  # from the segment itself: the first terminator is its own
        stop = found.start() if found is not None else buf.rfind(self.t, end)
        if stop < end:
            return None
        core = buf[end:stop].lstrip(_WS)  # the run without the last terminator
        if not core and self.newline:
            return None  # blank lines only: no segment
        n = core.count(self.t) + 1
        if self._uniform(core):
            text = core.replace(self.e, '", "').replace(self.joint, '"],\n      ["')
            self.write(',\n      ["' + text + '"]')
        else:
            dump = json.dumps
            pieces = []
            n = 0
            for raw in core.split(self.t):
                raw = raw.lstrip(_WS)
                if self.newline:  # as the reader: blank lines are no segments, a CR before the newline goes
                    if not raw:
                        continue
                    if raw.endswith("\r"):
                        raw = raw[:-1]
                parts = raw.split(self.e)
                pieces.append(dump([parts[0], *(v.split(self.c) if self.c in v else v for v in parts[1:])]))
                n += 1
            self.write(",\n      " + ",\n      ".join(pieces))
        return stop + 1, n

    def _uniform(self, core: str) -> bool:
        """Every terminator is followed by exactly the suffix and then a segment, and nothing in the run
        needs escaping or splitting (the suffix's characters only where the suffix stands)."""
        joints = core.count(self.joint)
        if core.count(self.t) != joints or self.c in core or self.unsafe.search(core) is not None:
            return False
        if self.after_joint.search(core) is not None:
            return False
        return all(core.count(ch) == joints * self.sfx.count(ch) for ch in set(self.sfx))


# -- X12 -> XML ---------------------------------------------------------------------------
def _xml_segment(xf: Any, s: Segment, component: str) -> None:
    el = etree.Element("seg", id=_xml_text(s.id, s))  # garbage read as a segment id may hold control bytes
    for n, value in enumerate(s.elements, start=1):
        ref = f"{s.id}{n:02d}"
        if s.id != "ISA" and component in value:
            comp = etree.SubElement(el, "comp", id=ref)
            for k, part in enumerate(value.split(component), start=1):
                etree.SubElement(comp, "sub", id=f"{ref}-{k}").text = _xml_text(part, s)
        else:
            etree.SubElement(el, "ele", id=ref).text = _xml_text(value, s)
    xf.write(el)
    xf.write("\n")


def _xml_text(value: str, s: Segment) -> str:
    try:
        etree.Element("x").text = value
    except ValueError:
        raise TranslateError(
            f"segment {s.pos} ({s.id}) holds characters XML cannot carry: {value[:40]!r}; translate to JSON"
        ) from None
    return value


def x12_to_xml(stream: BinaryIO, out: IO[bytes], name: str = "-") -> None:
    """Stream X12 into XML with lxml's incremental writer."""
    reader = _reader(stream, name)
    failure: TranslateError | None = None
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("x12", format=XML_FORMAT):
            xf.write("\n")
            contexts: list[Any] = []
            try:
                _xml_body(xf, reader, contexts)
            except TranslateError as exc:
                failure = exc
            while contexts:  # the incremental writer must be unwound in order, even on failure
                contexts.pop().__exit__(None, None, None)
    if failure is not None:
        raise failure
    _check_readable(reader)


def _xml_body(xf: Any, reader: X12Reader, contexts: list[Any]) -> None:
    component = ">"
    for kind, s, seps in structure(reader):
        if kind == "isa":
            assert s is not None and seps is not None
            component = seps.component
            for sep in (seps.element, seps.component, seps.segment):
                _xml_text(sep, s)  # a separator XML cannot carry (a control character) is refused like a value
            ctx = xf.element("interchange", element=seps.element, component=seps.component,
                             segment=_xml_attr(seps.segment), suffix=SUFFIX_NAMES[seps.suffix])
            ctx.__enter__()
            contexts.append(ctx)
            xf.write("\n")
            _xml_segment(xf, s, component)
        elif kind in ("group", "set"):
            ctx = xf.element("group" if kind == "group" else "transaction")
            ctx.__enter__()
            contexts.append(ctx)
            xf.write("\n")
            if s is not None:
                _xml_segment(xf, s, component)
        elif kind in ("seg", "trail", "end-isa"):
            if s is not None:
                _xml_segment(xf, s, component)
        elif kind in ("end-set", "end-group", "close-isa"):
            if s is not None:
                _xml_segment(xf, s, component)
            contexts.pop().__exit__(None, None, None)
            xf.write("\n")


def _xml_attr(terminator: str) -> str:
    return {"\n": "LF"}.get(terminator, terminator)


# -- JSON / XML -> X12 --------------------------------------------------------------------
def _element_text(value: Any, component: str, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return component.join(value)
    raise TranslateError(f"{where}: an element must be a string or a list of strings, got {value!r:.60}")


def _segment_from_json(raw: Any, component: str, where: str) -> Segment:
    if not (isinstance(raw, list) and raw and isinstance(raw[0], str)):
        raise TranslateError(f"{where}: a segment must be a list starting with its id, got {raw!r:.60}")
    return Segment(raw[0], tuple(_element_text(v, component, where) for v in raw[1:]))


def json_to_x12(src: TextIO, out: TextIO, name: str = "-") -> None:
    """JSON (``x12-json/1``) back to X12, streamed: one segment in memory at a time.

    Keys are read in the order they come. Where a part must be written before another that came
    first (the ``format`` after the ``interchanges``, an ``ISA``/``separators`` after the ``groups``, a
    ``GS`` after the ``transactions``), the part that came first is held whole until it can be written,
    exactly as the whole document used to be. A document that is not JSON is found out where the
    fault is: what was written before it stays written (``edi translate -o`` writes to a temporary
    file that only becomes OUT when all went well). A repeated ``interchanges`` key is refused (JSON
    would keep the last one, which would mean holding the whole document).
    """
    reader = _JsonReader(src, name)
    if reader.peek() != "{":
        doc = reader.rest()
        if not isinstance(doc, dict):
            raise TranslateError(f"{name}: not an {JSON_FORMAT} document (format key missing or different)")
        _json_document(doc, out, name)
        return
    fmt: Any = None
    held: Any = None
    streamed = False
    for key in reader.members():
        if key == "interchanges":
            if streamed or held is not None:
                raise TranslateError(f"{name}: the key 'interchanges' is repeated")
            if fmt == JSON_FORMAT and reader.peek() == "[":
                for i in reader.items():
                    _stream_interchange(reader, out, f"{name}: interchange {i}")
                streamed = True
            else:
                held = reader.value()
        elif key == "format":
            fmt = reader.value()
        else:
            reader.value()
    reader.end()
    if fmt != JSON_FORMAT:
        raise TranslateError(f"{name}: not an {JSON_FORMAT} document (format key missing or different)")
    if held is not None:
        _json_document({"format": fmt, "interchanges": held}, out, name)


def _json_document(doc: dict[str, Any], out: TextIO, name: str) -> None:
    """A JSON document read whole (the held parts of :func:`json_to_x12`)."""
    if doc.get("format") != JSON_FORMAT:
        raise TranslateError(f"{name}: not an {JSON_FORMAT} document (format key missing or different)")
    for i, isa in enumerate(_list(doc, "interchanges", name), start=1):
        where = f"{name}: interchange {i}"
        if not isinstance(isa, dict):
            raise TranslateError(f"{where}: must be an object")
        seps = _separators_from(isa.get("separators"), where)
        for s in _json_interchange(isa, seps.component, where):
            out.write(seps.render(s))


def _stream_interchange(reader: _JsonReader, out: TextIO, where: str) -> None:
    """One interchange object: its groups streamed when its separators and ISA came before them."""
    if reader.peek() != "{":
        reader.value()
        raise TranslateError(f"{where}: must be an object")
    light: dict[str, Any] = {}
    seps: Separators | None = None
    seen = False
    for key in reader.members():
        if key != "groups":
            light[key] = reader.value()
            continue
        if seen:
            raise TranslateError(f"{where}: the key 'groups' is repeated")
        seen = True
        if "separators" not in light or "ISA" not in light:
            light[key] = reader.value()  # what must be written first comes later: held whole
            continue
        seps = _separators_from(light["separators"], where)
        out.write(seps.render(_segment_from_json(light["ISA"], seps.component, where + " ISA")))
        if reader.peek() != "[":
            reader.value()
            raise TranslateError(f"{where}: 'groups' must be a list")
        for g in reader.items():
            _stream_group(reader, out, seps, f"{where} group {g}")
    if seps is None:
        seps = _separators_from(light.get("separators"), where)
        for s in _json_interchange(light, seps.component, where):
            out.write(seps.render(s))
        return
    if light.get("IEA") is not None:
        out.write(seps.render(_segment_from_json(light["IEA"], seps.component, where + " IEA")))
    for raw in _list(light, "trailing", where):
        out.write(seps.render(_segment_from_json(raw, seps.component, where + " trailing")))


def _stream_group(reader: _JsonReader, out: TextIO, seps: Separators, where: str) -> None:
    """One group object: its transactions streamed when its GS came before them."""
    if reader.peek() != "{":
        reader.value()
        raise TranslateError(f"{where}: must be an object")
    component = seps.component
    light: dict[str, Any] = {}
    streamed = seen = False
    for key in reader.members():
        if key != "transactions":
            light[key] = reader.value()
            continue
        if seen:
            raise TranslateError(f"{where}: the key 'transactions' is repeated")
        seen = True
        if "GS" not in light:
            light[key] = reader.value()  # the GS may still come: held whole until it has
            continue
        streamed = True
        if light["GS"] is not None:
            out.write(seps.render(_segment_from_json(light["GS"], component, where)))
        if reader.peek() != "[":
            reader.value()
            raise TranslateError(f"{where}: 'transactions' must be a list")
        for t in reader.items():
            twhere = f"{where} transaction {t}"
            if reader.peek() != "{":
                reader.value()
                raise TranslateError(f"{twhere}: must be an object")
            for tkey in reader.members():
                if tkey != "segments":
                    reader.value()
                elif reader.peek() != "[":
                    reader.value()
                    raise TranslateError(f"{twhere}: 'segments' must be a list")
                else:
                    for _ in reader.items():
                        out.write(seps.render(_segment_from_json(reader.value(), component, twhere)))
    if not streamed:
        if light.get("GS") is not None:
            out.write(seps.render(_segment_from_json(light["GS"], component, where)))
        for t, transaction in enumerate(_list(light, "transactions", where), start=1):
            twhere = f"{where} transaction {t}"
            if not isinstance(transaction, dict):
                raise TranslateError(f"{twhere}: must be an object")
            for raw in _list(transaction, "segments", twhere):
                out.write(seps.render(_segment_from_json(raw, component, twhere)))
    if light.get("GE") is not None:
        out.write(seps.render(_segment_from_json(light["GE"], component, where)))


class _JsonReader:
    """Just enough of a pull parser for :func:`json_to_x12`: objects and arrays are walked member by
    member, anything else (a segment, the separators) is read whole with ``json``'s own decoder."""

    _CHUNK = 1 << 16
    _WS = " \t\n\r"

    def __init__(self, src: TextIO, name: str) -> None:
        self.src, self.name = src, name
        self.buf, self.pos = "", 0
        self.eof = False
        self.done = 0  #: characters dropped from the front of ``buf``
        self.lines = 0  #: newlines among them
        self._decode = json.JSONDecoder().raw_decode

    def _fill(self) -> bool:
        if self.eof:
            return False
        more = self.src.read(self._CHUNK)
        if not more:
            self.eof = True
            return False
        if self.pos > self._CHUNK:
            dropped = self.buf[: self.pos]
            self.done += len(dropped)
            self.lines += dropped.count("\n")
            self.buf, self.pos = self.buf[self.pos :], 0
        self.buf += more
        return True

    def peek(self) -> str:
        """The next character that is not whitespace ("" at the end)."""
        while True:
            n = len(self.buf)
            while self.pos < n and self.buf[self.pos] in self._WS:
                self.pos += 1
            if self.pos < n or not self._fill():
                return self.buf[self.pos : self.pos + 1]

    def _fail(self, message: str, at: int | None = None) -> TranslateError:
        at = self.pos if at is None else at
        line = self.lines + self.buf.count("\n", 0, at) + 1
        col = at - (self.buf.rfind("\n", 0, at) + 1) + (0 if "\n" in self.buf[:at] or self.lines else self.done) + 1
        return TranslateError(
            f"{self.name}: not valid JSON: {message}: line {line} column {col} (char {self.done + at})")

    def _expect(self, chars: str) -> str:
        ch = self.peek()
        if not ch or ch not in chars:
            what = " or ".join(repr(c) for c in chars)
            raise self._fail(f"Expecting {what}" if ch else f"Expecting {what}, found the end of the input")
        self.pos += 1
        return ch

    def value(self) -> Any:
        """One whole JSON value."""
        self.peek()
        while True:
            try:
                value, end = self._decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self._fill():
                    continue
                raise self._fail(exc.msg, exc.pos) from None
            except RecursionError:  # thousands of nested brackets: no segment is built like that
                raise self._fail("nested too deeply") from None
            if end == len(self.buf) and self._fill():
                continue  # a number or literal may go on in the next chunk
            self.pos = end
            return value

    def members(self) -> Iterator[str]:
        """The keys of an object, each time with the reader at its value (which the caller must read)."""
        self._expect("{")
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            if self.peek() != '"':
                raise self._fail("Expecting property name enclosed in double quotes")
            key = self.value()
            self._expect(":")
            yield key
            if self._expect(",}") == "}":
                return

    def items(self) -> Iterator[int]:
        """The items of an array (numbered from 1), each time with the reader at the item."""
        self._expect("[")
        if self.peek() == "]":
            self.pos += 1
            return
        n = 0
        while True:
            n += 1
            yield n
            if self._expect(",]") == "]":
                return

    def end(self) -> None:
        if self.peek():
            raise self._fail("Extra data")

    def rest(self) -> Any:
        """Everything left, as one JSON value (a document that is not an object)."""
        while self._fill():
            pass
        try:
            return json.loads(self.buf[self.pos :])
        except json.JSONDecodeError as exc:
            raise TranslateError(f"{self.name}: not valid JSON: {exc}") from None
        except RecursionError:
            raise TranslateError(f"{self.name}: not valid JSON: nested too deeply") from None


def _list(obj: dict[str, Any], key: str, where: str) -> list[Any]:
    value = obj.get(key, [])
    if not isinstance(value, list):
        raise TranslateError(f"{where}: {key!r} must be a list")
    return value


def _json_interchange(isa: dict[str, Any], component: str, where: str) -> Iterator[Segment]:
    yield _segment_from_json(isa.get("ISA"), component, where + " ISA")
    for g, group in enumerate(_list(isa, "groups", where), start=1):
        gwhere = f"{where} group {g}"
        if not isinstance(group, dict):
            raise TranslateError(f"{gwhere}: must be an object")
        if group.get("GS") is not None:
            yield _segment_from_json(group["GS"], component, gwhere)
        for t, transaction in enumerate(_list(group, "transactions", gwhere), start=1):
            twhere = f"{gwhere} transaction {t}"
            if not isinstance(transaction, dict):
                raise TranslateError(f"{twhere}: must be an object")
            for raw in _list(transaction, "segments", twhere):
                yield _segment_from_json(raw, component, twhere)
        if group.get("GE") is not None:
            yield _segment_from_json(group["GE"], component, gwhere)
    if isa.get("IEA") is not None:
        yield _segment_from_json(isa["IEA"], component, where + " IEA")
    for raw in _list(isa, "trailing", where):
        yield _segment_from_json(raw, component, where + " trailing")


def _separators_from(raw: Any, where: str) -> Separators:
    if not isinstance(raw, dict):
        raise TranslateError(f"{where}: 'separators' must be an object")
    try:
        terminator = raw["segment"]
        return Separators(raw["element"], raw["component"], "\n" if terminator == "LF" else terminator,
                          SUFFIXES[raw.get("suffix", "")])
    except (KeyError, TypeError, ValueError) as exc:
        raise TranslateError(f"{where}: bad separators {raw!r:.80}: {exc}") from None


def xml_to_x12(src: BinaryIO, out: TextIO, name: str = "-") -> None:
    """Stream XML back into X12; DTDs, entities and network access are refused."""
    seps: Separators | None = None
    checked = False
    try:
        for event, el in etree.iterparse(src, events=("start", "end"), resolve_entities=False,
                                         no_network=True, load_dtd=False, huge_tree=False,
                                         remove_comments=True, remove_pis=True):
            if not checked:
                docinfo = el.getroottree().docinfo
                if docinfo.doctype or docinfo.internalDTD is not None:
                    raise TranslateError(f"{name}: XML with a DOCTYPE is refused (entities and DTDs are not allowed)")
                if el.tag != "x12" or el.get("format") != XML_FORMAT:
                    raise TranslateError(f"{name}: not an {XML_FORMAT} document (root <x12 format=...>)")
                checked = True
            if event == "start" and el.tag == "interchange":
                where = f"{name}: line {el.sourceline}"
                terminator = el.get("segment", "")
                seps = _separators_from({"element": el.get("element"), "component": el.get("component"),
                                         "segment": terminator, "suffix": el.get("suffix", "")}, where)
            elif event == "end" and el.tag == "seg":
                if seps is None:
                    raise TranslateError(f"{name}: line {el.sourceline}: <seg> outside an <interchange>")
                out.write(seps.render(_segment_from_xml(el, seps.component, name)))
                el.clear(keep_tail=False)
                parent = el.getparent()
                if parent is not None:
                    while el.getprevious() is not None:
                        del parent[0]
    except etree.XMLSyntaxError as exc:
        raise TranslateError(f"{name}: not well-formed XML: {exc}") from None


def _segment_from_xml(el: Any, component: str, name: str) -> Segment:
    seg_id = el.get("id")
    if seg_id is None:  # an empty id is an empty segment (``~~``), which translates like any other
        raise TranslateError(f"{name}: line {el.sourceline}: <seg> without an id")
    values: list[str] = []
    for child in el:
        if child.tag == "ele":
            values.append(child.text or "")
        elif child.tag == "comp":
            values.append(component.join((sub.text or "") for sub in child if sub.tag == "sub"))
        else:
            raise TranslateError(f"{name}: line {child.sourceline}: unexpected <{child.tag}> in a segment")
    return Segment(seg_id, tuple(values))


def sniff(head: bytes) -> str:
    """``x12``, ``json`` or ``xml`` from the first bytes of an input."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"ISA"):
        return "x12"
    if text.startswith(b"{"):
        return "json"
    if text.startswith(b"<"):
        return "xml"
    return "unknown"


def peek_kind(stream: BinaryIO) -> tuple[str, BinaryIO]:
    """What ``stream`` holds (:func:`sniff` on its first 64 bytes) and a stream that still yields those
    bytes, so that an input can be told apart and then translated without being read whole."""
    head = stream.read(64)
    return sniff(head), io.BufferedReader(_Prefixed(head, stream))


class _Prefixed(io.RawIOBase):
    """``head``, then the rest of ``rest``."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            n = min(len(view), len(self._head))
            view[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(view))
        view[: len(data)] = data
        return len(data)
