"""Export to VoiceXML / FreeSWITCH, import back: the same metrics."""
from pathlib import Path

import pytest

from ivr.exporters import export_menu
from ivr.importers import import_text
from ivr.loader import load_menu, load_menu_text
from ivr.menu_yaml import dump_menu
from ivr.metrics import compute

MENUS = sorted((Path(__file__).resolve().parents[1] / "menus").glob("*.yaml"))


def _comparable(metrics: dict) -> dict:
    """Metrics with policy targets reduced to their outcome (`@human` and the
    human node's id are the same place)."""
    out = dict(metrics)
    out["per_node"] = {nid: {k: ({kk: vv for kk, vv in v.items() if kk != "then"} if isinstance(v, dict) else v)
                             for k, v in facts.items()} for nid, facts in metrics["per_node"].items()}
    return out


@pytest.mark.parametrize("path", MENUS, ids=lambda p: p.stem)
def test_vxml_round_trip_same_metrics(path):
    menu = load_menu(path)
    text, notes = export_menu(menu, "vxml")
    back = import_text(text, "vxml", "roundtrip.vxml")
    assert notes == []
    assert set(back.nodes) == set(menu.nodes)
    assert _comparable(compute(back).to_dict()) == _comparable(compute(menu).to_dict())
    for nid, node in menu.nodes.items():
        assert back.nodes[nid].kind == node.kind, nid
        assert [(o.key, o.phrases) for o in back.nodes[nid].options] == [(o.key, o.phrases) for o in node.options]


def test_hotline_round_trip_steps_and_depth():
    menu = load_menu(MENUS[0].parent / "12351-hotline.yaml")
    back = import_text(export_menu(menu, "vxml")[0], "vxml", "x.vxml")
    a, b = compute(menu).per_node(), compute(back).per_node()
    assert {n: (f["steps_to_human"], f["depth"]) for n, f in a.items()} == \
           {n: (f["steps_to_human"], f["depth"]) for n, f in b.items()}
    assert back.commands["human"].key == menu.commands["human"].key
    assert back.language == menu.language == "zh-CN"


@pytest.mark.parametrize("path", MENUS, ids=lambda p: p.stem)
def test_yaml_dump_round_trip(path):
    menu = load_menu(path)
    back = load_menu_text(dump_menu(menu), str(path.parent / "dumped.yaml"))  # relative paths as the original
    assert compute(back).to_dict() == compute(menu).to_dict()


@pytest.mark.parametrize("path", MENUS, ids=lambda p: p.stem)
def test_freeswitch_round_trip_keeps_keypad_paths(path):
    """FreeSWITCH menus are keypad only: every menu keeps its keys, its depth
    and its key steps to a person; what was dropped is in the notes."""
    menu = load_menu(path)
    text, notes = export_menu(menu, "freeswitch")
    back = import_text(text, "freeswitch", "ivr.conf.xml")
    a, b = compute(menu).per_node(), compute(back).per_node()
    menus = [n for n in menu.nodes.values() if n.kind == "menu" and n.id in back.nodes]
    assert menus
    for node in menus:
        assert (a[node.id]["steps_to_human_key"], a[node.id]["depth"]) == \
               (b[node.id]["steps_to_human_key"], b[node.id]["depth"]), node.id
        keys = {o.key for o in node.options if o.key}
        assert keys <= {o.key for o in back.nodes[node.id].options}
    if any(n.kind == "input" for n in menu.nodes.values()):
        assert any("input" in note for note in notes)


@pytest.mark.parametrize("path", MENUS, ids=lambda p: p.stem)
def test_every_event_the_vxml_throws_is_caught(path):
    """On a real VoiceXML platform an uncaught event ends the call: `back`
    (thrown by choices and links) must have a handler, like repeat and hangup."""
    from defusedxml import ElementTree as SafeET
    root = SafeET.fromstring(export_menu(load_menu(path), "vxml")[0].encode())
    ns = "{http://www.w3.org/2001/vxml}"
    thrown = {e.get("event") for tag in ("choice", "link", "throw") for e in root.iter(ns + tag) if e.get("event")}
    caught = {c.get("event") for c in root.findall(ns + "catch")}
    assert thrown and thrown <= caught, thrown - caught
