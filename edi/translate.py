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

import json
from collections.abc import Iterator
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
    fatal = reader.stopped
    if fatal is not None:
        raise TranslateError(f"{reader.name}: segment {fatal.position}: {fatal.message}")


# -- X12 -> JSON -------------------------------------------------------------------------
def _json_segment(s: Segment, component: str) -> list[Any]:
    if s.id == "ISA":
        return [s.id, *s.elements]
    return [s.id, *(e.split(component) if component in e else e for e in s.elements)]


def x12_to_json(stream: BinaryIO, out: TextIO, name: str = "-") -> None:
    """Stream X12 into JSON, one segment per line."""
    reader = _reader(stream, name)
    dump = json.dumps
    component = ">"
    w = out.write
    w('{"format": "' + JSON_FORMAT + '", "interchanges": [')
    first_isa = True
    first_group = first_set = first_seg = first_trail = True
    for kind, s, seps in structure(reader):
        if kind == "isa":
            assert s is not None and seps is not None
            component = seps.component
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
        elif kind == "seg":
            assert s is not None
            w(("" if first_seg else ",") + "\n      " + dump(_json_segment(s, component)))
            first_seg = False
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


# -- X12 -> XML ---------------------------------------------------------------------------
def _xml_segment(xf: Any, s: Segment, component: str) -> None:
    el = etree.Element("seg", id=s.id)
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
    try:
        doc = json.load(src)
    except json.JSONDecodeError as exc:
        raise TranslateError(f"{name}: not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != JSON_FORMAT:
        raise TranslateError(f"{name}: not an {JSON_FORMAT} document (format key missing or different)")
    for i, isa in enumerate(_list(doc, "interchanges", name), start=1):
        where = f"{name}: interchange {i}"
        if not isinstance(isa, dict):
            raise TranslateError(f"{where}: must be an object")
        seps = _separators_from(isa.get("separators"), where)
        for s in _json_interchange(isa, seps.component, where):
            out.write(seps.render(s))


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
    if not seg_id:
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
