"""Unit tests for edi.guide: one small hand-written set per AK3/AK4 code, on a tiny map.

The map is written by the tests themselves (``write_tiny_maps``) so that these tests do not
move when the Illinois maps in ``maps/`` are edited; ``test_guide_vs_pyx12`` reuses it to show
pyx12 agrees on the same cases.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from edi.findings import Finding, Level
from edi.guide import SEGMENT_LEVEL_RULES, GuideValidator, MapError
from edi.guide_compile import CompositeSpec, SegmentSpec, canon_path, valid_date, valid_time, valid_type
from edi.segments import Segment

# --------------------------------------------------------------------------- the tiny map


def el(xid: str, de: str, usage: str, seq: int, codes: list[str] | None = None,
       external: str | None = None, regex: str | None = None) -> str:
    inner = ""
    if codes is not None:
        inner += "<valid_codes>" + "".join(f"<code>{c}</code>" for c in codes) + "</valid_codes>"
    if external is not None:
        inner += f'<valid_codes external="{external}"/>'
    if regex is not None:
        inner += f"<regex>{regex}</regex>"
    return f'<element xid="{xid}" data_ele="{de}" usage="{usage}" seq="{seq:02d}" name="{xid} name">{inner}</element>'


def seg(xid: str, pos: int, usage: str, max_use: str, *body: str, syntax: tuple[str, ...] = ()) -> str:
    syn = "".join(f"<syntax>{s}</syntax>" for s in syntax)
    return (f'<segment xid="{xid}" pos="{pos:03d}" usage="{usage}" max_use="{max_use}" name="{xid} segment">'
            f"{syn}{''.join(body)}</segment>")


def loop(xid: str, pos: int, usage: str, repeat: str, *body: str, wrapper: bool = False) -> str:
    kind = ' type="wrapper"' if wrapper else ""
    head = f'<loop xid="{xid}"{kind} pos="{pos:03d}" usage="{usage}" repeat="{repeat}" name="{xid} loop">'
    return head + "".join(body) + "</loop>"


ISA = seg("ISA", 10, "R", "1", *(el(f"ISA{i:02d}", f"I{i:02d}", "R", i, ["00401"] if i == 12 else None)
                                   for i in range(1, 17)))
GS = seg("GS", 10, "R", "1", *(el(f"GS{i:02d}", de, "R", i, ["TS"] if i == 1 else None)
                                 for i, de in enumerate(["479", "142", "124", "373", "337", "28", "455", "480"], 1)))
GE = seg("GE", 30, "R", "1", el("GE01", "97", "R", 1), el("GE02", "28", "R", 2))
IEA = seg("IEA", 30, "R", "1", el("IEA01", "I16", "R", 1), el("IEA02", "I13", "R", 2))
TA1 = seg("TA1", 25, "S", "1", *(el(f"TA1{i:02d}", "I13", "R", i) for i in range(1, 6)))


def n1_loop(xid: str, usage: str, code: str, *more: str) -> str:
    n1 = seg("N1", 60, "R", "1", el("N101", "98", "R", 1, [code]), el("N102", "93", "S", 2),
             el("N103", "66", "S", 3, ["1", "9"]), el("N104", "67", "S", 4), syntax=("P0304",))
    return loop(xid, 60, usage, "1", n1, *more)


BODY = (
    seg("ST", 5, "R", "1", el("ST01", "143", "R", 1, ["999"]), el("ST02", "329", "R", 2)),
    loop("HEADER", 10, "R", "1",
         seg("BGN", 20, "R", "1", el("BGN01", "353", "R", 1, ["00", "13"]), el("BGN02", "127", "R", 2),
             el("BGN03", "373", "R", 3), el("BGN04", "337", "S", 4), el("BGN05", "623", "S", 5),
             el("BGN06", "127", "N", 6), syntax=("C0504",)),
         seg("REF", 30, "R", "1", el("REF01", "128", "R", 1, ["12"]), el("REF02", "127", "R", 2),
             el("REF03", "352", "N", 3)),
         seg("REF", 30, "S", "2", el("REF01", "128", "R", 1, ["AB", "CD"]), el("REF02", "127", "S", 2),
             el("REF03", "352", "S", 3), syntax=("R0203",)),
         seg("NTE", 40, "N", "1", el("NTE01", "363", "S", 1), el("NTE02", "352", "R", 2)),
         seg("DTM", 50, "S", "&gt;1", el("DTM01", "374", "R", 1, ["007", "150"]), el("DTM02", "373", "S", 2),
             el("DTM03", "337", "S", 3), el("DTM04", "623", "S", 4), el("DTM05", "1250", "S", 5, ["D8", "RD8"]),
             el("DTM06", "1251", "S", 6), syntax=("R020305", "C0403", "P0506")),
         n1_loop("N1_A", "R", "8S",
                 seg("N3", 70, "S", "2", el("N301", "166", "R", 1), el("N302", "166", "S", 2)),
                 seg("N4", 80, "S", "1", el("N401", "19", "R", 1), el("N402", "156", "R", 2, external="states"),
                     el("N403", "116", "R", 3, regex="^[0-9]{5}$"))),
         n1_loop("N1_B", "S", "SJ"),
         wrapper=True),
    loop("DETAIL", 20, "R", "1",
         loop("LIN_LOOP", 10, "R", "2",
              seg("LIN", 10, "R", "1", el("LIN01", "350", "R", 1), el("LIN02", "235", "R", 2, ["SH"]),
                  el("LIN03", "234", "R", 3)),
              seg("QTY", 20, "R", "1", el("QTY01", "673", "R", 1, ["QD"]), el("QTY02", "380", "R", 2),
                  '<composite xid="QTY03" data_ele="C001" usage="S" seq="03" name="Unit">'
                  + el("QTY03-01", "355", "R", 1, ["KH", "K1"]) + el("QTY03-02", "649", "S", 2) + "</composite>"),
              seg("MEA", 30, "S", "1", el("MEA01", "737", "S", 1, ["AA"]), el("MEA02", "738", "S", 2),
                  el("MEA03", "739", "S", 3), syntax=("E0203", "L010203")),
              seg("CTT", 40, "S", "1", el("CTT01", "354", "R", 1), el("CTT02", "347", "S", 2)),
              seg("UIT", 50, "S", "1",
                  '<composite xid="UIT01" data_ele="C001" usage="R" seq="01" name="Unit">'
                  + el("UIT01-01", "649", "R", 1) + el("UIT01-02", "355", "S", 2, ["KH"]) + "</composite>",
                  '<composite xid="UIT02" data_ele="C001" usage="N" seq="02" name="Unused unit">'
                  + el("UIT02-01", "355", "S", 1) + "</composite>")),
         wrapper=True),
    seg("SE", 555, "R", "1", el("SE01", "96", "R", 1), el("SE02", "329", "R", 2)),
)

TX_MAP = ('<?xml version="1.0" encoding="UTF-8"?><transaction xid="999"><name>Tiny test map</name>'
          + loop("ISA_LOOP", 1, "R", "&gt;1", ISA, loop("GS_LOOP", 20, "R", "&gt;1", GS,
                                                         loop("ST_LOOP", 20, "R", "&gt;1", *BODY), GE), TA1, IEA)
          + "</transaction>")
CONTROL_MAP = ('<?xml version="1.0" encoding="UTF-8"?><transaction xid="X12"><name>Control</name>'
               + loop("ISA_LOOP", 1, "R", "&gt;1", ISA, loop("GS_LOOP", 20, "R", "&gt;1", GS, GE), TA1, IEA)
               + "</transaction>")
DATAELE = {
    **{f"I{i:02d}": ("AN", 1, 20) for i in range(1, 17)}, "I12": ("ID", 5, 5), "I13": ("AN", 1, 20),
    "I02": ("AN", 10, 10), "I04": ("AN", 10, 10), "I06": ("AN", 15, 15), "I08": ("AN", 15, 15),
    "479": ("ID", 2, 2), "142": ("AN", 2, 15), "124": ("AN", 2, 15), "373": ("DT", 8, 8), "337": ("TM", 4, 8),
    "28": ("N0", 1, 9), "455": ("ID", 1, 2), "480": ("AN", 1, 12), "97": ("N0", 1, 6), "143": ("ID", 3, 3),
    "329": ("AN", 4, 9), "96": ("N0", 1, 10), "353": ("ID", 2, 2), "127": ("AN", 1, 30), "623": ("ID", 2, 2),
    "128": ("ID", 2, 3), "352": ("AN", 1, 80), "363": ("ID", 3, 3), "374": ("ID", 3, 3), "1250": ("ID", 2, 3),
    "1251": ("AN", 1, 35), "98": ("ID", 2, 3), "93": ("AN", 1, 60), "66": ("ID", 1, 2), "67": ("AN", 2, 80),
    "166": ("AN", 1, 55), "19": ("AN", 2, 30), "156": ("ID", 2, 2), "116": ("ID", 3, 15), "350": ("AN", 1, 20),
    "235": ("ID", 2, 2), "234": ("AN", 1, 48), "673": ("ID", 2, 2), "380": ("R", 1, 15), "355": ("ID", 2, 2),
    "649": ("R", 1, 10), "737": ("ID", 2, 2), "738": ("ID", 1, 3), "739": ("R", 1, 20), "354": ("N0", 1, 6),
    "347": ("R", 1, 10),
}
CODES = ('<?xml version="1.0" encoding="UTF-8"?><codesets><codeset><id>states</id><name>States</name>'
         "<data_ele>156</data_ele><version><code>IL</code><code>IN</code></version></codeset></codesets>")
INDEX = ('<?xml version="1.0" encoding="UTF-8"?><maps><version icvn="00401">'
         '<map vriic="004010" fic="TS" abbr="999">999.tiny.xml</map></version></maps>')


def write_tiny_maps(directory: Path) -> Path:
    """A complete pyx12 map directory (pyx12 can load it too) for the cases below."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "999.tiny.xml").write_text(TX_MAP)
    (directory / "x12.control.00401.xml").write_text(CONTROL_MAP)
    (directory / "codes.xml").write_text(CODES)
    (directory / "maps.xml").write_text(INDEX)
    rows = "".join(f'<data_ele ele_num="{k}" data_type="{t}" min_len="{lo}" max_len="{hi}" name="{k}"/>'
                   for k, (t, lo, hi) in DATAELE.items())
    xml = f'<?xml version="1.0" encoding="UTF-8"?><data_elements>{rows}</data_elements>'
    (directory / "dataele.xml").write_text(xml)
    return directory


#: the header every case shares (ST is segment 3 of the file: ISA = 1, GS = 2)
VALID_HEAD = ["ST*999*0001", "BGN*13*REF001*20240115", "REF*12*ACCT1", "N1*8S*UTILITY*1*123456789"]
VALID_TAIL = ["LIN*1*SH*EL", "QTY*QD*12.5*KH", "SE*7*0001"]


def segments(lines: list[str]) -> list[Segment]:
    """``Segment`` s as the reader would give them, positioned after an ISA and a GS."""
    out = []
    for i, line in enumerate(lines):
        parts = line.split("*")
        out.append(Segment(parts[0], tuple(parts[1:]), i + 3))
    return out


@pytest.fixture(scope="module")
def guide(tmp_path_factory: pytest.TempPathFactory) -> GuideValidator:
    return GuideValidator.from_map_dir(write_tiny_maps(tmp_path_factory.mktemp("tiny")))


def check(guide: GuideValidator, lines: list[str]) -> list[Finding]:
    return guide.validate("TS", "004010", segments(lines), ">", file="t.x12")


def codes(found: list[Finding]) -> set[tuple[str, int | None, str | None, str | None]]:
    """(segment id, element, AK3, AK4) of each finding."""
    return {(f.segment_id, f.element, f.ak3, f.ak4) for f in found}


_HEADER_ORDER = ("BGN", "REF*12", "REF", "ZZZ", "NTE", "DTM", "N1*8S", "N3", "N4", "N1")


def body(*lines: str) -> list[str]:
    """A valid set with ``lines`` slotted into the header where the map wants them."""
    def rank(line: str) -> int:
        return next(i for i, p in enumerate(_HEADER_ORDER) if line.startswith(p))
    return ["ST*999*0001", *sorted([*VALID_HEAD[1:], *lines], key=rank), *VALID_TAIL]


# --------------------------------------------------------------------------- clean input


def test_a_valid_set_has_no_findings(guide: GuideValidator) -> None:
    assert check(guide, body()) == []
    full = body("REF*AB*X", "REF*CD*Y", "DTM*150*20240101*1200", "DTM*007****RD8*20240101-20240131",
                "N3*1 MAIN ST", "N4*SPRINGFIELD*IL*62701", "N1*SJ*SUPPLIER")[:-3]
    detail = ["LIN*1*SH*EL", "QTY*QD*-1.5*K1>2", "MEA*AA*X", "CTT*1*10", "LIN*2*SH*EL", "QTY*QD*1"]
    assert check(guide, [*full, *detail, "SE*17*0001"]) == []


def test_findings_carry_location_and_context(guide: GuideValidator) -> None:
    (f,) = check(guide, body("REF*AB*" + "X" * 31))
    assert (f.file, f.position, f.set_position, f.segment_id) == ("t.x12", 6, 4, "REF")
    assert (f.element, f.data_ele, f.value, f.loop, f.st02) == (2, "127", "X" * 31, "HEADER", "0001")
    assert (f.ak3, f.ak4, f.rule, f.level) == ("8", "5", "map.element-too-long", Level.TRANSACTION)


# --------------------------------------------------------------------------- AK3 codes


def test_ak3_1_unknown_segment_and_walker_stays(guide: GuideValidator) -> None:
    found = check(guide, body("ZZZ*1", "REF*AB*X"))
    assert codes(found) == {("ZZZ", None, "1", None)}
    assert found[0].rule == "map.segment-not-found"


def test_ak3_1_a_bad_discriminating_code_makes_the_segment_unknown(guide: GuideValidator) -> None:
    # REF01 is ID, required and has valid codes: pyx12 matches REF nodes on it, so a bad
    # code is "segment not found", not AK4 7
    assert codes(check(guide, body("REF*ZZ*X"))) == {("REF", None, "1", None)}


def test_ak3_1_out_of_order_segment(guide: GuideValidator) -> None:
    lines = body()
    lines.insert(2, lines.pop(3))  # N1 before REF*12: REF can no longer be reached
    found = check(guide, lines)
    assert ("REF", None, "1", None) in codes(found)


def test_ak3_2_segment_not_used(guide: GuideValidator) -> None:
    (f,) = check(guide, body("NTE*ABC*A NOTE"))
    assert (f.segment_id, f.ak3, f.rule, f.position) == ("NTE", "2", "map.segment-not-used", 6)


def test_ak3_3_mandatory_segment_reported_at_the_next_segment_read(guide: GuideValidator) -> None:
    lines = [ln for ln in body() if not ln.startswith("REF*12")]
    (f,) = check(guide, lines)
    # the walker notices at N1 (file position 5, set position 3) and names the missing REF
    assert (f.segment_id, f.ak3, f.position, f.set_position, f.rule) == ("REF", "3", 5, 3, "map.segment-missing")


def test_ak3_3_sibling_with_the_same_id_hides_the_gap_until_the_next_segment(guide: GuideValidator) -> None:
    # pyx12 compares nodes by (id, parent id): matching REF*AB discards the pending
    # "REF*12 missing", which is found again (and reported) when the following segment is read
    lines = body("REF*AB*X")
    lines.remove("REF*12*ACCT1")
    found = check(guide, lines)
    assert [(f.segment_id, f.ak3, f.position) for f in found] == [("REF", "3", 6)]


def test_ak3_3_mandatory_loop(guide: GuideValidator) -> None:
    found = check(guide, [*VALID_HEAD, "SE*5*0001"])
    assert [(f.segment_id, f.ak3, f.message) for f in found] == [
        ("LIN", "3", 'Mandatory loop "LIN_LOOP loop" (LIN_LOOP) missing')]
    assert found[0].position == 7  # at SE


def test_ak3_3_missing_first_segment_of_a_loop_makes_the_loop_unreachable(guide: GuideValidator) -> None:
    lines = body()
    lines.remove("BGN*13*REF001*20240115")
    found = check(guide, lines)
    assert {(f.segment_id, f.ak3) for f in found} == {("REF", "1"), ("N1", "1"), ("BGN", "3")}


def test_ak3_4_loop_over_max(guide: GuideValidator) -> None:
    found = check(guide, body("N1*8S*AGAIN"))
    assert codes(found) == {("N1", None, "4", None)}
    lins = ["LIN*1*SH*EL", "QTY*QD*1", "LIN*2*SH*EL", "QTY*QD*1", "LIN*3*SH*EL", "QTY*QD*1"]
    found = check(guide, [*VALID_HEAD, *lins, "SE*11*0001"])
    assert [(f.segment_id, f.ak3, f.position) for f in found] == [("LIN", "4", 11)]


def test_ak3_5_segment_over_max_use(guide: GuideValidator) -> None:
    found = check(guide, body("REF*AB*1", "REF*CD*2", "REF*AB*3"))
    assert [(f.segment_id, f.ak3, f.position) for f in found] == [("REF", "5", 8)]


# --------------------------------------------------------------------------- AK4 codes


def test_ak4_1_mandatory_element_and_composite(guide: GuideValidator) -> None:
    assert codes(check(guide, body("REF*12"))) >= {("REF", 2, "8", "1")}
    # an optional composite's first component may be empty (pyx12's rule); a required one's not
    found = check(guide, [*VALID_HEAD, "LIN*1*SH", "QTY*QD*1*>5", "UIT*>KH", "SE*8*0001"])
    assert codes(found) == {("LIN", 3, "8", "1"), ("UIT", 1, "8", "1")}
    uit = next(f for f in found if f.segment_id == "UIT")
    assert (uit.component, uit.data_ele, uit.rule) == (1, "649", "map.element-missing")
    found = check(guide, [*VALID_HEAD, "LIN*1*SH*EL", "QTY*QD*1", "UIT**X", "SE*8*0001"])
    assert {(f.element, f.ak3, f.ak4, f.rule) for f in found} == {
        (1, "8", "1", "map.composite-missing"), (2, "8", "10", "map.composite-not-used")}
    assert all(f.rule in SEGMENT_LEVEL_RULES for f in found)


def test_ak4_2_syntax_rules_name_the_missing_element(guide: GuideValidator) -> None:
    cases = {
        "N1*SJ*NAME*9": ("N1", 4),  # P0304
        "REF*AB": ("REF", 2),  # R0203
        "DTM*150***CT": ("DTM", 3),  # C0403 (and R020305 holds through DTM05? no: see below)
    }
    for line, (sid, ele) in cases.items():
        found = check(guide, body(line))
        assert (sid, ele, "8", "2") in codes(found), line
        assert all(f.rule in SEGMENT_LEVEL_RULES for f in found if f.ak4 == "2")
    found = check(guide, [*VALID_HEAD, "LIN*1*SH*EL", "QTY*QD*1", "MEA*AA", "SE*8*0001"])
    assert codes(found) == {("MEA", 2, "8", "2")}  # L010203


def test_ak4_3_too_many_elements_and_components(guide: GuideValidator) -> None:
    found = check(guide, [*VALID_HEAD, "LIN*1*SH*EL*EXTRA", "QTY*QD*1*KH>2>3", "SE*7*0001"])
    assert codes(found) == {("LIN", 4, "8", "3"), ("QTY", 3, "8", "3")}
    assert {f.value for f in found} == {"EXTRA", "3"}


def test_ak4_4_and_5_lengths_ignore_sign_and_point_for_numbers(guide: GuideValidator) -> None:
    assert codes(check(guide, body("N1*SJ*N*9*1"))) == {("N1", 4, "8", "4")}
    ok = [*VALID_HEAD, "LIN*1*SH*EL", "QTY*QD*-1234567890.12345", "SE*7*0001"]
    assert check(guide, ok) == []  # 15 digits
    long = [*VALID_HEAD, "LIN*1*SH*EL", "QTY*QD*1234567890.123456", "SE*7*0001"]
    assert codes(check(guide, long)) == {("QTY", 2, "8", "5")}


@pytest.mark.parametrize("value", ["A^B", "A\x07B", "AB ", "A>B"])
def test_ak4_6_invalid_characters(guide: GuideValidator, value: str) -> None:
    found = check(guide, body(f"REF*AB*{value}"))
    assert codes(found) == {("REF", 2, "8", "6")}
    if value == "A\x07B":
        assert found[0].value == "<BEL>"


def test_ak4_6_letters_in_a_number(guide: GuideValidator) -> None:
    found = check(guide, [*VALID_HEAD, "LIN*1*SH*EL", "QTY*QD*1.2X", "SE*7*0001"])
    assert codes(found) == {("QTY", 2, "8", "6")}


@pytest.mark.parametrize(("line", "ele"), [
    ("N1*SJ*NAME*7*12345", 3),  # valid_codes
    ("N4*SPRINGFIELD*ZZ*62701", 2),  # external list from codes.xml
    ("N4*SPRINGFIELD*IL*6270", 3),  # <regex>
])
def test_ak4_7_invalid_codes(guide: GuideValidator, line: str, ele: int) -> None:
    lines = body(line) if line.startswith("N1") else [*VALID_HEAD, line, *VALID_TAIL]
    assert codes(check(guide, lines)) == {(line[:2], ele, "8", "7")}


def test_ak4_8_invalid_date(guide: GuideValidator) -> None:
    bad = ["ST*999*0001", "BGN*13*REF001*20230229", *VALID_HEAD[2:], *VALID_TAIL]
    assert codes(check(guide, bad)) == {("BGN", 3, "8", "8")}
    assert codes(check(guide, body("DTM*150*20AB0101"))) == {("DTM", 2, "8", "8")}
    # DTM06 is checked against the formats DTM05 may name (pyx12's 1250/1251 rule)
    assert codes(check(guide, body("DTM*150****D8*2024013X"))) == {("DTM", 6, "8", "8")}


def test_ak4_9_invalid_time(guide: GuideValidator) -> None:
    assert codes(check(guide, body("DTM*150*20240101*2460"))) == {("DTM", 3, "8", "9")}


def test_ak4_10_not_used_element_and_exclusion(guide: GuideValidator) -> None:
    bad = ["ST*999*0001", "BGN*13*REF001*20240115***X", *VALID_HEAD[2:], *VALID_TAIL]
    assert codes(check(guide, bad)) == {("BGN", 6, "8", "10")}
    found = check(guide, [*VALID_HEAD, "LIN*1*SH*EL", "QTY*QD*1", "MEA*AA*X*1", "SE*8*0001"])
    assert codes(found) == {("MEA", 3, "8", "10")}  # E0203
    found = check(guide, [*VALID_HEAD, "LIN*1*SH*EL", "QTY*QD*1", "UIT*1*KH", "SE*8*0001"])
    assert {(f.element, f.ak4, f.rule) for f in found} == {(2, "10", "map.composite-not-used")}


def test_several_errors_on_one_element_are_all_reported(guide: GuideValidator) -> None:
    found = check(guide, body("DTM*150*2024"))
    assert {f.ak4 for f in found} == {"4", "8"}


# --------------------------------------------------------------------------- the set itself


def test_st_and_se_element_errors_are_transaction_set_errors(guide: GuideValidator) -> None:
    lines = body()
    lines[0] = "ST*999*01"
    lines[-1] = "SE*X*01"
    found = check(guide, lines)
    assert {(f.segment_id, f.element, f.ak3, f.ak4, f.ak5) for f in found} == {
        ("ST", 2, None, "4", "7"), ("SE", 1, None, "6", "4"), ("SE", 2, None, "4", "7")}


def test_no_map_for_the_group_means_set_not_supported(guide: GuideValidator) -> None:
    (f,) = guide.validate("XX", "004010", segments(body()), ">")
    assert (f.ak5, f.rule, f.segment_id, f.position) == ("1", "map.transaction-set-not-supported", "ST", 3)


def test_st01_of_another_transaction_is_not_supported(guide: GuideValidator) -> None:
    lines = body()
    lines[0] = "ST*814*0001"
    (f,) = check(guide, lines)
    assert (f.ak5, f.element, f.value) == ("1", 1, "814")


def test_tokenizer_level_problems(guide: GuideValidator) -> None:
    found = check(guide, body("REF*AB*X*"))
    assert [(f.rule, f.ak3) for f in found] == [("syntax.trailing-separator", "8")]
    found = check(guide, [*VALID_HEAD, "N3", *VALID_TAIL])
    assert {(f.rule, f.ak3, f.ak4) for f in found} == {
        ("syntax.segment-empty", "8", None), ("map.element-missing", "8", "1")}


def test_each_set_starts_afresh(guide: GuideValidator) -> None:
    # counts belong to one set: the same set twice is clean both times
    lines = body("REF*AB*1", "REF*CD*2")
    assert check(guide, lines) == [] and check(guide, lines) == []


# --------------------------------------------------------------------------- compiling and caching


def test_from_map_dir_is_cached_until_a_file_changes(tmp_path: Path) -> None:
    d = write_tiny_maps(tmp_path / "maps")
    first = GuideValidator.from_map_dir(d)
    assert GuideValidator.from_map_dir(str(d)) is first
    st = os.stat(d / "codes.xml")
    os.utime(d / "codes.xml", ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert GuideValidator.from_map_dir(d) is not first


def test_an_undefined_data_element_is_a_map_error(tmp_path: Path) -> None:
    d = write_tiny_maps(tmp_path / "maps")
    (d / "999.tiny.xml").write_text(TX_MAP.replace('data_ele="234"', 'data_ele="9999"'))
    with pytest.raises(MapError, match="9999"):
        GuideValidator.from_map_dir(d)


def test_a_missing_map_directory_is_a_map_error(tmp_path: Path) -> None:
    with pytest.raises(MapError):
        GuideValidator.from_map_dir(tmp_path / "nowhere")


# --------------------------------------------------------------------------- value rules


@pytest.mark.parametrize(("value", "ok"), [
    ("20240229", True), ("20230229", False), ("21000229", False), ("20000229", True), ("240101", True),
    ("17991231", False), ("20241301", False), ("20240431", False), ("202401011230", True), ("2024010", False),
])
def test_dates_ccyymmdd_and_yymmdd(value: str, ok: bool) -> None:
    assert valid_date("DT", value) is ok


@pytest.mark.parametrize(("value", "ok"), [
    ("0000", True), ("2359", True), ("2400", False), ("1260", False), ("123059", True), ("12305", False),
    ("12305999", True), ("123059999", False), ("12a0", False),
])
def test_times(value: str, ok: bool) -> None:
    assert valid_time(value) is ok


@pytest.mark.parametrize(("value", "dtype", "ok"), [
    ("12", "N0", True), ("-12", "N2", True), ("1.2", "N0", False), ("1.25", "R", True), ("-.5", "R", True),
    ("1.", "R", False), ("abc DEF", "AN", True), ("A^B", "AN", False), ("A~B", "ID", True),
    ("20240101-20240131", "RD8", True), ("x", "B", True), ("x", "ZZ", False),
])
def test_data_types(value: str, dtype: str, ok: bool) -> None:
    assert valid_type(value, dtype) is ok


def test_counter_paths_are_canonical_like_pyx12s() -> None:
    assert canon_path("/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/LIN_LOOP/REF[12]") == (
        "/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/LIN_LOOP/REF[12]")
    assert canon_path("/A_LOOP/N100") == "/A_LOOP/N1"


# --------------------------------------------------------------------------- the fast paths are sound


def _random_elements(rng: random.Random, spec: SegmentSpec, pool: list[str]) -> tuple[str, ...]:
    """Elements that are mostly plausible for ``spec`` (its codes, typed values), sometimes not."""
    out = []
    for kid in spec.children[: rng.randint(0, len(spec.children) + 1)]:
        kids = kid.parts if isinstance(kid, CompositeSpec) else (kid,)
        comps = []
        for part in kids[: rng.randint(1, len(kids))]:
            codes = [c for c in part.codes if c]
            r = rng.random()
            if codes and r < 0.5:
                comps.append(rng.choice(codes))
            elif r < 0.9:
                comps.append(rng.choice(pool))
            else:
                comps.append("")
        out.append(">".join(comps))
    if rng.random() < 0.1:
        out.append(rng.choice(pool))
    return tuple(out)


POOL = ["", "A", "AB", "ABC", "12", "1.5", "-3", "1.", ".5", "20240229", "20230229", "240101", "2024010",
        "1200", "2460", "123059", "QD", "KH", "8S", "X" * 31, "A^B", "AB ", "A\x07", "A>B", "007", "150",
        "D8", "RD8", "20240101-20240131", "99999999999999999", "0.123", "62701", "IL", "ZZ", "SH", "EL"]


@pytest.mark.parametrize("which", ["tiny", "repo"])
def test_clean_never_vouches_for_a_segment_with_problems(which: str, guide: GuideValidator) -> None:
    if which == "repo":
        repo_maps = Path(__file__).resolve().parents[2] / "maps"
        if not (repo_maps / "maps.xml").is_file():
            pytest.skip("no maps/maps.xml yet")
        guide = GuideValidator.from_map_dir(repo_maps)
    rng = random.Random(7)
    vouched = 0
    for compiled in guide.guides.values():
        for spec in compiled.specs:
            for _ in range(300):
                els = _random_elements(rng, spec, POOL)
                if spec.clean(els, ">"):
                    vouched += 1
                    assert spec.problems(els, ">") == (), (spec.id, els)
    assert vouched > 100
