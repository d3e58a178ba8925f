"""Acceptance: `ivr audit` on the real platform files finds what a careful
reader of each file finds, and a VoiceXML round trip audits the same."""
from pathlib import Path


from ivr.audit import audit_files, audit_menu, resolve_packs
from ivr.config import DEFAULTS
from ivr.exporters import export_menu
from ivr.importers import import_text, load_any
from ivr.loader import load_menu

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real_menus"
PACKS = ["ivr-core", "gethuman"]


def _findings(rel: str) -> set[tuple[str, str]]:
    path = REAL / rel
    assert path.is_file(), f"missing test data {path}"
    result = audit_menu(load_any(path), PACKS)
    return {(f.rule, f.node or "") for f in result.findings}


def test_every_real_file_audits_without_error():
    files = [str(p) for p in sorted(REAL.glob("*/*")) if p.name != "demo-ivr.xml"]
    assert len(files) == 4
    for result in audit_files(files, resolve_packs(None, DEFAULTS)):
        assert "error" not in result, result


def test_freeswitch_demo_no_operator_and_drops_caller():
    found = _findings("freeswitch/demo_ivr.xml")
    assert ("human-reachable", "demo_ivr") in found
    assert ("no-match-outcome", "demo_ivr") in found and ("no-input-outcome", "demo_ivr") in found


def test_connect_speech_only_and_disconnects_on_no_match():
    found = _findings("amazon_connect/acme_main_AUTO.json")
    rules = {r for r, _ in found}
    assert "keypad-fallback" in rules and "no-match-outcome" in rules


def test_twilio_never_reaches_a_person():
    found = _findings("twilio/basic_example_ivr.json")
    assert ("human-reachable", "voice_greeting") in found


def test_hotline_vxml_round_trip_audits_the_same():
    menu = load_menu(ROOT / "menus" / "12351-hotline.yaml")
    back = import_text(export_menu(menu, "vxml")[0], "vxml", "hotline.vxml")
    packs = resolve_packs(None, DEFAULTS)
    a, b = audit_menu(menu, packs), audit_menu(back, packs)
    assert a.metrics.summary() == b.metrics.summary()
    assert sorted((f.rule, f.node) for f in a.findings) == sorted((f.rule, f.node) for f in b.findings)


def test_freeswitch_transfers_are_named_not_called_dead_ends():
    found = _findings("freeswitch/demo_ivr.xml")
    transfers = {node for rule, node in found if rule == "leaves-menu"}
    assert transfers == {"demo_ivr_1", "demo_ivr_2", "demo_ivr_3", "demo_ivr_4", "demo_ivr_5"}
    assert not {node for rule, node in found if rule == "dead-end"} & transfers


def test_voicexml_endless_reprompt_is_not_called_zero_retries():
    result = audit_menu(load_any(REAL / "voicexml" / "jvoicexml_dtmf.vxml"), PACKS)
    messages = [f.message for f in result.findings if f.rule in ("no-input-outcome", "no-match-outcome")]
    assert messages and all("for ever" in m and "0 retries" not in m for m in messages)
