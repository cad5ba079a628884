"""pyx12 as a reference oracle: run it on a file and read its findings as :class:`Finding` s.

This module is the only place that touches pyx12 objects. It exists so that tests and the
differential benchmark can prove that :mod:`edi.guide` finds the same problems as pyx12 on the
same maps; it is far too slow (~0.3 MB/s) for the production path.

``x12n_document`` builds its error tree internally and only hands it to visitors that write
JSON/997 text, which loses the ST/SE element errors and every exact position. We therefore
capture the ``err_handler`` it creates (a subclass swapped in for the duration of one call, under
a lock) and read the tree directly. pyx12 logs every error at ERROR on the ``pyx12`` logger; those
records are routed to our own logger at DEBUG so a run does not spam stderr.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from edi.findings import Finding, Level, shorten

_log = logging.getLogger(__name__)
_lock = threading.Lock()

#: AK304 codes pyx12 may put on a segment; "SEG1" (trailing element separators) becomes 8 in its 997.
_AK3_CODES = frozenset("12345678")
_AK4_CODES = frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"})
#: how pyx12's 997 writer turns ST/SE element errors into AK5 codes (by element position)
_ST_ELE_AK5 = {1: "6", 2: "7"}
#: errors pyx12's tokenizer (X12Reader) raises; its error cursor, not the segment, decides where they land
_READER_TEXT = re.compile(r'^Segment ".*" is empty$|^Segment identifier ".*" is invalid$|leading space', re.S)
_REFDES = re.compile(r"\(([A-Z][A-Z0-9]{1,2})(\d\d)(?:-\d+)?\)")


class _Forward(logging.Handler):
    """Re-emit pyx12's ERROR records on our logger at DEBUG: kept, but not on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        _log.debug("pyx12: %s", record.getMessage())


@contextmanager
def _quiet_pyx12() -> Iterator[None]:
    logger = logging.getLogger("pyx12")
    handler = _Forward()
    saved = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = saved


@contextmanager
def _captured_errh() -> Iterator[list[Any]]:
    """Swap pyx12's ``err_handler`` class for a subclass that remembers its instances."""
    import pyx12.error_handler as eh

    created: list[Any] = []
    original = eh.err_handler

    class _Capturing(original):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            created.append(self)

    eh.err_handler = _Capturing
    try:
        yield created
    finally:
        eh.err_handler = original


def pyx12_findings(path: str, map_dir: str) -> list[Finding]:
    """Validate ``path`` with pyx12 4.0.0 against the maps in ``map_dir``.

    Exceptions pyx12 raises (map not found, a non-numeric GE01, its own IndexError on an
    over-long composite, a non-ASCII byte) become one FILE-level finding with rule ``pyx12.*``:
    the oracle must never crash the test that consults it.
    """
    import pyx12.errors
    import pyx12.params
    import pyx12.x12n_document

    with _lock, _quiet_pyx12(), _captured_errh() as created:
        try:
            ok = pyx12.x12n_document.x12n_document(
                param=pyx12.params.params(),
                src_file=path,
                fd_997=io.StringIO(),
                fd_html=None,
                fd_xmldoc=None,
                fd_json=None,
                map_path=map_dir,
            )
        except pyx12.errors.EngineError as exc:
            rule = "pyx12.map-not-found" if "Map not found" in str(exc) else "pyx12.engine-error"
            ak5 = "1" if rule == "pyx12.map-not-found" else None
            return [Finding(path, 0, "", rule, str(exc), level=Level.FILE, ak5=ak5)]
        except (ValueError, IndexError, KeyError, TypeError, UnicodeDecodeError, OSError) as exc:
            return [Finding(path, 0, "", "pyx12.crash", f"{type(exc).__name__}: {exc}", level=Level.FILE)]
    if not created:
        return [Finding(path, 0, "", "pyx12.crash", "pyx12 created no error handler", level=Level.FILE)]
    found = _read_tree(path, created[0])
    if not ok and not found:
        found.append(Finding(path, 0, "", "pyx12.invalid", "pyx12 rejected the file", level=Level.FILE))
    return found


def _seg_of(err_str: str, candidates: tuple[str, str], default: str) -> tuple[str, int | None]:
    """The segment an envelope element error belongs to, read from the refdes in pyx12's text."""
    for seg_id, ele in reversed(_REFDES.findall(err_str)):
        if seg_id in candidates:
            return seg_id, int(ele)
    return default, None


def _read_tree(path: str, errh: Any) -> list[Finding]:
    out: list[Finding] = []
    for isa in errh.children:
        isa13 = isa.isa_trn_set_id
        for code, text in isa.errors:
            out.append(
                Finding(path, isa.get_cur_line(), "ISA", "pyx12.isa", text, Level.INTERCHANGE,
                        isa13=isa13, ta1=code)
            )
        out += _element_findings(path, isa, ("ISA", "IEA"), Level.INTERCHANGE, isa.cur_line_isa,
                                 isa.cur_line_iea, isa13=isa13)
        for gs in isa.children:
            gs06 = gs.gs_control_num
            for code, text in gs.errors:
                out.append(
                    Finding(path, gs.get_cur_line(), "GS", "pyx12.gs", text, Level.GROUP,
                            isa13=isa13, gs06=gs06, ak9=code)
                )
            out += _element_findings(path, gs, ("GS", "GE"), Level.GROUP, gs.cur_line_gs, gs.cur_line_ge,
                                     isa13=isa13, gs06=gs06)
            for st in gs.children:
                out += _st_findings(path, st, isa13, gs06)
    return out


def _element_findings(
    path: str, node: Any, ids: tuple[str, str], level: Level, open_line: int, close_line: int | None,
    **ids_kw: Any,
) -> list[Finding]:
    """Element errors pyx12 parks on an ISA/GS/ST node (they belong to its header or trailer)."""
    out: list[Finding] = []
    for ele in node.elements:
        for code, text, value in ele.errors:
            seg_id, _ = _seg_of(text, ids, ids[0])
            line = open_line if seg_id == ids[0] or close_line is None else close_line
            ak5 = _ST_ELE_AK5.get(ele.ele_pos) if ids[0] == "ST" else None
            out.append(
                Finding(path, line, seg_id, "pyx12.element", text, level,
                        element=ele.ele_pos, component=ele.subele_pos,
                        value=shorten(value) if value else None, data_ele=ele.ele_ref_num,
                        ak4=code if code in _AK4_CODES else None, ak5=ak5, **ids_kw)
            )
    return out


def _st_findings(path: str, st: Any, isa13: str | None, gs06: str | None) -> list[Finding]:
    out: list[Finding] = []
    st02 = st.trn_set_control_num
    kw: dict[str, Any] = {"isa13": isa13, "gs06": gs06, "st02": st02}
    for code, text in st.errors:
        at_st = code in ("1", "6", "7", "23")
        line = st.cur_line_st if at_st or not st.cur_line_se else st.cur_line_se
        out.append(Finding(path, line, "ST" if at_st else "SE", "pyx12.st", text, ak5=code, **kw))
    out += _element_findings(path, st, ("ST", "SE"), Level.TRANSACTION, st.cur_line_st, st.cur_line_se, **kw)
    for seg in st.children:
        for code, text, value in seg.errors:
            ak3 = "8" if code == "SEG1" else code
            rule = "pyx12.reader" if code == "SEG1" or _READER_TEXT.search(text) else "pyx12.segment"
            out.append(
                Finding(path, seg.cur_line, seg.seg_id or "", rule, text,
                        set_position=seg.seg_count, value=shorten(value) if value else None,
                        ak3=ak3 if ak3 in _AK3_CODES else None, **kw)
            )
        for ele in seg.elements:
            for code, text, value in ele.errors:
                out.append(
                    Finding(path, seg.cur_line, seg.seg_id or "", "pyx12.element", text,
                            set_position=seg.seg_count, element=ele.ele_pos, component=ele.subele_pos,
                            value=shorten(value) if value else None, data_ele=ele.ele_ref_num,
                            ak3="8", ak4=code if code in _AK4_CODES else None, **kw)
                )
    return out
