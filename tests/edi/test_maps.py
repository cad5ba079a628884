"""Our pyx12 maps (maps/): schema-valid, loadable, complete, and behaving as their README says.

The behaviour tests pin the hand decisions recorded in maps/README.md (regex instead of valid_codes,
catch-all nodes, loops sharing a pos), each with a tiny 814 or 867 built here.
"""

from __future__ import annotations

import importlib.resources
import io
import json
import logging
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import pyx12.map_if
import pyx12.params
import pyx12.x12n_document
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
MAPS = ROOT / "maps"
XSD = importlib.resources.files("pyx12") / "map"
FIXED_SCHEMAS = {"maps.xml": "maps.xsd", "dataele.xml": "dataele.xsd", "codes.xml": "codes.xsd"}
MAP_FILES = sorted(p.name for p in MAPS.glob("*.xml"))
EXPECTED_INDEX = {"GE": ("814", "814.4010.IL.xml"), "PT": ("867", "867.4010.IL.xml"),
                  "IN": ("810", "810.4010.IL.xml"), "AG": ("824", "824.4010.IL.xml"),
                  "FA": ("997", "997.4010.IL.xml")}

logging.getLogger("pyx12").setLevel(logging.CRITICAL)


def index() -> list[dict[str, str]]:
    root = ET.parse(MAPS / "maps.xml").getroot()
    return [{"icvn": v.get("icvn", ""), "vriic": m.get("vriic", ""), "fic": m.get("fic", ""),
             "abbr": m.get("abbr", ""), "file": (m.text or "").strip()}
            for v in root.iter("version") for m in v.iter("map")]


TRANSACTION_MAPS = [e["file"] for e in index()]


@pytest.mark.parametrize("name", MAP_FILES)
def test_xml_validates_against_pyx12_schema(name: str) -> None:
    schema = etree.XMLSchema(etree.parse(str(XSD / FIXED_SCHEMAS.get(name, "map.v2.xsd"))))
    ok = schema.validate(etree.parse(str(MAPS / name)))
    assert ok, str(schema.error_log)[:2000]


def test_every_transaction_map_is_validated_with_the_map_schema() -> None:
    assert set(TRANSACTION_MAPS) | {"x12.control.00401.xml"} | set(FIXED_SCHEMAS) == set(MAP_FILES)


@pytest.mark.parametrize("name", [*TRANSACTION_MAPS, "x12.control.00401.xml"])
def test_map_loads(name: str) -> None:
    m = pyx12.map_if.load_map_file(name, pyx12.params.params(), str(MAPS))
    assert m.icvn == "00401"


def test_index_names_existing_files_for_our_functional_groups() -> None:
    entries = index()
    assert {e["fic"]: (e["abbr"], e["file"]) for e in entries} == EXPECTED_INDEX
    for e in entries:
        assert e["icvn"] == "00401" and e["vriic"] == "004010", e
        assert (MAPS / e["file"]).is_file(), e


def data_elements_used(name: str) -> set[str]:
    """data_ele of every <element> (composites are labels, their elements carry the numbers)."""
    return {el.get("data_ele", "") for el in ET.parse(MAPS / name).getroot().iter("element")}


@pytest.mark.parametrize("name", [*TRANSACTION_MAPS, "x12.control.00401.xml"])
def test_every_data_element_is_defined(name: str) -> None:
    defined = {d.get("ele_num") for d in ET.parse(MAPS / "dataele.xml").getroot().iter("data_ele")}
    assert data_elements_used(name) - defined == set()


def test_external_code_lists_exist() -> None:
    ids = {c.findtext("id") for c in ET.parse(MAPS / "codes.xml").getroot().iter("codeset")}
    for name in TRANSACTION_MAPS:
        for vc in ET.parse(MAPS / name).getroot().iter("valid_codes"):
            if vc.get("external"):
                assert vc.get("external") in ids, (name, vc.get("external"))


@pytest.mark.parametrize("fic", sorted(EXPECTED_INDEX))
def test_envelope_codes_of_each_map(fic: str) -> None:
    st01, name = EXPECTED_INDEX[fic]
    root = ET.parse(MAPS / name).getroot()
    elements = {e.get("xid"): e for e in root.iter("element")}
    assert [c.text for c in elements["GS01"].iter("code")] == [fic]
    assert [c.text for c in elements["GS08"].iter("code")] == ["004010"]
    assert [c.text for c in elements["ISA12"].iter("code")] == ["00401"]
    assert elements["ST01"].findtext("regex") == f"^{st01}$"
    control = {e.get("xid"): e for e in ET.parse(MAPS / "x12.control.00401.xml").getroot().iter("element")}
    assert fic in [c.text for c in control["GS01"].iter("code")]


def test_regexes_are_anchored() -> None:
    for name in TRANSACTION_MAPS:
        for rx in ET.parse(MAPS / name).getroot().iter("regex"):
            assert rx.text and rx.text.startswith("^") and rx.text.endswith("$"), (name, rx.text)


# --------------------------------------------------------------------------- behaviour of the hand decisions
ISA_BRIGHT = ("ISA*00*          *00*          *01*987654321      *01*012345678      "
              "*261028*0900*U*00401*000009001*0*T*>~")
ISA_UTILITY = ("ISA*00*          *00*          *01*012345678      *01*987654321      "
               "*261028*0900*U*00401*000009001*0*T*>~")
N1S_IN = ["N1*8S*AMEREN ILLINOIS*1*012345678**40", "N1*SJ*BRIGHT ENERGY LLC*1*987654321**41",
          "N1*8R*SUSAN P DROPPER"]
DROP = ["BGN*13*BRT20261028009001*20261028", *N1S_IN, "LIN*BRTD0009001*SH*EL*SH*CE", "ASI*7*024",
        "REF*1P*A13", "REF*11*BRT-940094", "REF*12*2000000094", "DTM*007*20261110"]
SCALAR_867 = ["BPT*00*AMI867202610009001*20261020*C1", "N1*8S*AMEREN ILLINOIS*1*012345678**41",
              "N1*SJ*BRIGHT ENERGY LLC*1*987654321**40", "N1*8R*ROBERT T EXAMPLE", "REF*12*2000000029",
              "PTD*SU", "DTM*150*20260917", "DTM*151*20261019", "QTY*QD*624.8*KH",
              "PTD*PM***MG*40000029", "DTM*150*20260917", "DTM*151*20261019", "REF*MG*40000029", "REF*JH*A",
              "QTY*QD*624.8*KH", "MEA**PRQ*624.8*KH*18234.6*18859.4*51"]


def document(gs01: str, st01: str, body: list[str]) -> str:
    isa = ISA_BRIGHT if gs01 == "GE" else ISA_UTILITY
    sender, receiver = isa[35:44], isa[54:63]
    segs = [f"ST*{st01}*0001", *body, f"SE*{len(body) + 2}*0001"]
    return (isa + f"GS*{gs01}*{sender}*{receiver}*20261028*0900*9001*X*004010~"
            + "".join(s + "~" for s in segs) + "GE*1*9001~IEA*1*000009001~")


def pyx12_errors(text: str) -> tuple[bool, list[dict[str, Any]]]:
    """Validate text with pyx12; segment and element errors from its JSON error document."""
    fd_json = io.StringIO()
    ok = pyx12.x12n_document.x12n_document(
        param=pyx12.params.params(), src_file=io.StringIO(text), fd_997=None, fd_html=None,
        fd_json=fd_json, map_path=str(MAPS))
    out: list[dict[str, Any]] = []
    for isa in json.loads(fd_json.getvalue())["interchanges"]:
        for gs in isa["groups"]:
            for st in gs["transactions"]:
                for seg in st["segments"]:
                    out += [{"seg": seg["seg_id"], "ak3": e["err_cde"]} for e in seg["errors"]]
                    out += [{"seg": seg["seg_id"], "element": el["ele_pos"], "ak4": e["err_cde"]}
                            for el in seg["elements"] for e in el["errors"]]
    return bool(ok), out


def test_baseline_documents_are_clean() -> None:
    assert pyx12_errors(document("GE", "814", DROP)) == (True, [])
    assert pyx12_errors(document("PT", "867", SCALAR_867)) == (True, [])


def test_n1_loops_may_come_in_any_order() -> None:
    body = [DROP[0], N1S_IN[2], N1S_IN[1], N1S_IN[0], *DROP[4:]]
    assert pyx12_errors(document("GE", "814", body)) == (True, [])


def test_ref_order_inside_the_lin_loop_is_free() -> None:
    body = [*DROP[:6], "REF*12*2000000094", "REF*11*BRT-940094", "REF*1P*A13", DROP[-1]]
    assert pyx12_errors(document("GE", "814", body)) == (True, [])


@pytest.mark.parametrize(("old", "new", "seg", "element"), [
    ("ASI*7*024", "ASI*ZZ*024", "ASI", 1),  # regex instead of valid_codes
    ("ASI*7*024", "ASI*7*999", "ASI", 2),
    ("REF*11*BRT-940094", "REF*ZZ*BRT-940094", "REF", 1),  # catch-all REF
    ("DTM*007*20261110", "DTM*999*20261110", "DTM", 1),  # catch-all DTM
    ("N1*8R*SUSAN P DROPPER", "N1*ZZ*SUSAN P DROPPER", "N1", 1),  # catch-all N1 loop
    ("BGN*13*BRT20261028009001*20261028", "BGN*99*BRT20261028009001*20261028", "BGN", 1),
    ("LIN*BRTD0009001*SH*EL*SH*CE", "LIN*BRTD0009001*SH*WATER*SH*CE", "LIN", 3),
])
def test_a_bad_code_in_an_814_is_an_element_error(old: str, new: str, seg: str, element: int) -> None:
    ok, errors = pyx12_errors(document("GE", "814", [new if s == old else s for s in DROP]))
    assert not ok
    assert errors == [{"seg": seg, "element": element, "ak4": "7"}]


@pytest.mark.parametrize(("old", "new", "seg", "element", "code"), [
    ("PTD*PM***MG*40000029", "PTD*XX***MG*40000029", "PTD", 1, "7"),  # catch-all PTD loop
    ("QTY*QD*624.8*KH", "QTY*XY*624.8*KH", "QTY", 1, "7"),
    ("REF*JH*A", "REF*JH*X", "REF", 2, "7"),
    ("MEA**PRQ*624.8*KH*18234.6*18859.4*51", "MEA*AA*PRQ*624.8*KH*18234.6*18859.4*51", "MEA", 1, "10"),
])
def test_a_bad_code_in_an_867_is_an_element_error(old: str, new: str, seg: str, element: int, code: str) -> None:
    body = list(SCALAR_867)
    body[len(body) - 1 - body[::-1].index(old)] = new  # the last occurrence (inside the PM loop)
    ok, errors = pyx12_errors(document("PT", "867", body))
    assert not ok
    assert {"seg": seg, "element": element, "ak4": code} in errors


def test_qty04_is_not_used_in_illinois() -> None:
    ok, errors = pyx12_errors(document("PT", "867", [*SCALAR_867[:-2], "QTY*QD*624.8*KH*NOTE"]))
    assert not ok
    assert errors == [{"seg": "QTY", "element": 4, "ak4": "10"}]


def test_heading_refs_of_the_867_follow_the_n1_loops_in_any_n1_order() -> None:
    body = [SCALAR_867[0], SCALAR_867[3], SCALAR_867[2], SCALAR_867[1], *SCALAR_867[4:]]
    assert pyx12_errors(document("PT", "867", body)) == (True, [])


def test_missing_ref12_is_a_missing_mandatory_segment() -> None:
    ok, errors = pyx12_errors(document("GE", "814", [s for s in DROP if not s.startswith("REF*12")]))
    assert not ok
    assert errors == [{"seg": "REF", "ak3": "3"}]


def test_interval_pairs_need_one_qty_per_dtm_582() -> None:
    body = [*SCALAR_867[:9], "PTD*BO***MG*40000060", "REF*MG*40000060", "REF*JH*A",
            "QTY*QD*1.2*KH", "DTM*582*20261101*0100*CD", "DTM*582*20261101*0200*CD"]
    ok, errors = pyx12_errors(document("PT", "867", body))
    assert not ok
    assert errors == [{"seg": "DTM", "ak3": "5"}]
