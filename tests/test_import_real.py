"""The real platform files in ../shared/real_menus carry the facts an auditor
reads from them (no operator, hang-up after failures, speech only, ...)."""
from pathlib import Path


from ivr.importers import load_any
from ivr.importers import report as R

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "real_menus"


def _load(rel):
    path = REAL / rel
    assert path.is_file(), f"missing test data {path}"
    return load_any(path)


def test_freeswitch_demo():
    m = _load("freeswitch/demo_ivr.xml")
    top, sub = m.nodes["demo_ivr"], m.nodes["demo_ivr_submenu"]
    assert m.start == "demo_ivr"
    # no operator anywhere: no human node, no human command
    assert m.human_nodes() == [] and "human" not in m.commands
    # 3 failures / 3 silences at the top menu drop the caller; the sub-menu returns to its parent
    assert (top.no_match.retries, top.no_match.then) == (2, "@hangup")
    assert (top.no_input.retries, top.no_input.then) == (2, "@hangup")
    assert sub.no_match.then == "@back" and sub.timeout_s == 15.0 and top.timeout_s == 10.0
    keys = {o.key: o.target for o in top.options}
    assert keys["6"] == "demo_ivr_submenu" and keys["9"] == "@repeat"
    assert {o.key: o.target for o in sub.options} == {"*": "@start"}
    # transfers to extensions are reported, never taken for a person
    assert m.nodes[keys["2"]].kind == "unknown" and "9196" in m.nodes[keys["2"]].note
    transfers = [n for n in m.import_report if n.status == R.TRANSFER]
    assert len(transfers) == 5
    # the regex entry cannot be a key: reported with its line
    regex = [n for n in m.import_report if "10[01]" in n.what]
    assert regex and regex[0].status == R.UNMAPPED and regex[0].where.line == 30
    # prompt text comes from the phrase-macro file next to it
    assert "to call the freeswitch conference please press 1" in top.prompt
    assert top.where.line == 4


def test_voicexml_jvoicexml():
    m = _load("voicexml/jvoicexml_dtmf.vxml")
    menu = m.nodes["mainmenu"]
    assert [(o.key, o.target) for o in menu.options] == [("1", "yes"), ("2", "no")]
    assert m.nodes["yes"].kind == "hangup" and m.nodes["yes"].prompt == "You like this example."
    # no handlers: VoiceXML's default re-prompts forever
    assert menu.no_match.then == "@repeat" and menu.no_input.then == "@repeat"
    assert menu.where.line == 4 and menu.options[1].where.line == 7


def test_amazon_connect_acme():
    m = _load("amazon_connect/acme_main_AUTO.json")
    lex = next(n for n in m.nodes.values() if n.kind == "menu")
    # speech only: phrases, no keypad keys
    assert sorted(p for o in lex.options for p in o.phrases) == ["finance", "sales"]
    assert all(o.key is None for o in lex.options)
    # no match -> "technical difficulties" message -> disconnect; no retry
    sorry = m.nodes[lex.no_match.then]
    assert lex.no_match.retries == 0 and "technical difficulties" in sorry.prompt
    assert m.nodes[sorry.next].kind == "hangup"
    assert sorted(m.nodes[h].queue.name for h in m.human_nodes()) == ["finance", "sales"]
    assert m.nodes[m.start].prompt == "Welcome to ACME corporation"


def test_twilio_basic_example():
    m = _load("twilio/basic_example_ivr.json")
    assert m.start == "voice_greeting" and m.human_nodes() == []
    gb, conf = m.nodes["get_branch"], m.nodes["voice_confirmation"]
    assert gb.kind == "input" and gb.next == "voice_confirmation"
    assert gb.no_input.then == "@hangup"      # timeout transition not connected: the flow ends
    assert {p: o.target for o in conf.options for p in o.phrases} == {"yes": "voice_thank_you", "no": "get_branch"}
    # "please wait while I connect your call" ... leads back to the start of the loop, not to a person
    assert m.nodes[m.nodes["voice_thank_you"].next].next == "voice_repeat"
    assert "sms_greeting" not in m.nodes
