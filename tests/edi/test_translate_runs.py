"""X12 -> JSON translates whole runs of body segments at once; the text must be what one
``json.dumps`` per segment gives, whatever the formatting, the characters and the chunking."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from edi import translate as tr
from edi.reader import X12Reader
from tests.edi.test_guide_vs_pyx12 import MUTANTS, SAMPLES, mutant
from tests.support import ENROLL, interchange

FORMATS = {
    "plain": lambda t: t,
    "lf": lambda t: t.replace("~", "~\n"),
    "crlf": lambda t: t.replace("~", "~\r\n"),
    "blank-lines": lambda t: "\n\n" + t.replace("~", "~\n\n"),
    "mixed": lambda t: t.replace("~", "~\n", 5).replace("~N", "~ \tN"),
    "newline-terminator": lambda t: t.replace("~", "\n"),
    "crlf-terminator": lambda t: t.replace("~", "\r\n"),
    "newline-blank-lines": lambda t: t.replace("~", "\n\n"),
    "newline-indented": lambda t: t.replace("~", "\n  "),
    "newline-cr-inside": lambda t: t.replace("~", "\n").replace("N1*8R*", "N1*8R*\r"),
}
VALUES = {
    "quote": 'JANE "Q" CUSTOMER',
    "backslash": "C:\\TEMP",
    "non-ascii": "JOSÉ CUSTOMER",
    "tab": "JANE\tQ",
    "newline-inside": "JANE\nQ",
    "component": "JANE>Q",
    "empty": "",
}


def translate(data: bytes, runs: bool, chunk: int | None = None, monkeypatch: pytest.MonkeyPatch | None = None
              ) -> str:
    out = io.StringIO()
    if chunk is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(tr, "_reader", lambda stream, name: X12Reader(stream, name, chunk_size=chunk))
    if runs:
        tr.x12_to_json(io.BytesIO(data), out, "t.x12")
    else:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(tr._JsonRuns, "hook", lambda self, buf, start, end, final: None)
            tr.x12_to_json(io.BytesIO(data), out, "t.x12")
    return out.getvalue()


def same(data: bytes) -> None:
    try:
        expected = translate(data, runs=False)
    except tr.TranslateError as exc:
        with pytest.raises(tr.TranslateError, match="^" + re.escape(str(exc)) + "$"):
            translate(data, runs=True)
        return
    assert translate(data, runs=True) == expected


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_samples(path: Path) -> None:
    same(path.read_bytes())


@pytest.mark.parametrize(("source", "index"), MUTANTS[::4], ids=[f"{p.stem}-m{i:02d}" for p, i in MUTANTS[::4]])
def test_mutants(source: Path, index: int) -> None:
    same(mutant(source, index)[1].encode("latin-1"))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("value", sorted(VALUES))
def test_formats_and_values(fmt: str, value: str) -> None:
    body = ENROLL.replace("JANE Q CUSTOMER~N3", VALUES[value] + "~N3")
    same(FORMATS[fmt](interchange(body, body.replace("0001", "0002"), ge="GE*2*101~")).encode())


@pytest.mark.parametrize("chunk", [7, 64, 1000])
def test_chunks(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    data = (interchange(ENROLL) + "\n" + interchange(ENROLL).replace("*", "|")).replace("~", "~\n").encode()
    expected = translate(data, runs=False)
    assert translate(data, runs=True, chunk=chunk, monkeypatch=monkeypatch) == expected


# --------------------------------------------------------------------------- JSON -> X12, streamed


def _json_of(data: bytes) -> str:
    out = io.StringIO()
    tr.x12_to_json(io.BytesIO(data), out, "t.x12")
    return out.getvalue()


def _x12_of(doc: str) -> str:
    out = io.StringIO()
    tr.json_to_x12(io.StringIO(doc), out, "t.json")
    return out.getvalue()


def _reordered(doc: str) -> str:
    """The same document with every object's keys in reverse order."""
    def flip(value: object) -> object:
        if isinstance(value, dict):
            return {k: flip(v) for k, v in reversed(list(value.items()))}
        if isinstance(value, list):
            return [flip(v) for v in value]
        return value
    return json.dumps(flip(json.loads(doc)))


@pytest.mark.parametrize("path", [p for p in SAMPLES if "valid" in p.parts], ids=lambda p: p.name)
@pytest.mark.parametrize("chunk", [5, 1 << 16])
def test_json_streams_back_in_any_key_order_and_chunking(path: Path, chunk: int,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tr._JsonReader, "_CHUNK", chunk)
    doc = _json_of(path.read_bytes())
    expected = _x12_of(doc)
    assert _x12_of(_reordered(doc)) == expected
    assert _x12_of(json.dumps(json.loads(doc), indent=None, separators=(",", ":"))) == expected


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d[: len(d) // 2], "not valid JSON"),
    (lambda d: d.replace('"segments": [', '"segments": [,', 1), "not valid JSON"),
    (lambda d: d + " []", "Extra data"),
    (lambda d: d.replace('{"format"', '{"interchanges": [], "format"', 1), "repeated"),
    (lambda d: d.replace('"x12-json/1"', '"x12-json/2"'), "format"),
    (lambda d: d.replace('"groups": [', '"groups": 7, "x": [', 1), "'groups' must be a list"),
    (lambda d: d.replace('["ST"', '[1, "ST"', 1), "segment must be a list"),
])
def test_json_errors_are_explained_when_streamed(change: Callable[[str], str], message: str) -> None:
    doc = change(_json_of(interchange(ENROLL).encode()))
    with pytest.raises(tr.TranslateError, match=message):
        _x12_of(doc)


def test_peek_kind_gives_the_bytes_back() -> None:
    data = interchange(ENROLL).encode() * 50
    kind, stream = tr.peek_kind(io.BytesIO(data))
    assert kind == "x12" and stream.read() == data


@pytest.mark.parametrize("sets", [
    ["ST*814*0001~SE*2*0001~"],  # no body
    ["ST*814*0001~REF*12*1~"],  # no SE: the GE comes right after a body segment
    ["ST*814*0001~"],  # no body, no SE
    ["ST*814*0001~REF*12*1~GS*GE*1*2*20240301*0930*102*X*004010~ST*814*0002~REF*12*2~SE*3*0002~"],
])
@pytest.mark.parametrize("fmt", ["plain", "lf", "crlf"])
def test_sets_that_end_early(sets: list[str], fmt: str) -> None:
    same(FORMATS[fmt](interchange(*sets)).encode())
