"""Regression tests for issue 15 (robustness), one or more per numbered item.

Each reproduces the smallest input the fuzzing campaign found and asserts
the behaviour we want now: a clean error naming file:line:col (exit 2), or
the right result — never a traceback, a hang or unbounded memory.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivr.cli import cli
from ivr.errors import IvrError

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real_menus"
MENUS = ROOT / "menus"


def run(*args: str):
    """ivr ARGS in-process; a traceback (any exception but SystemExit) fails the test."""
    out = CliRunner().invoke(cli, list(args), catch_exceptions=True)
    if out.exception is not None and not isinstance(out.exception, SystemExit):
        raise AssertionError(f"ivr {' '.join(args)} crashed") from out.exception
    return out


def refused(path: Path, *words: str, command: str = "validate") -> str:
    out = run(command, str(path))
    assert out.exit_code == 2, out.output
    assert f"{path}:" in out.output and all(w in out.output for w in words), out.output
    return out.output


# ---- 2: YAML scalars a tag cannot hold ---------------------------------------------------
@pytest.mark.parametrize("line", ["a: !!int x", "title: 2024-02-30", "a: !!timestamp x", "a: !!bool maybe",
                                  "a: !!map x", "a: !!seq x", "a: !!float x", "a: [1, !!int y]",
                                  "a: 99999999999999999999"])
def test_2_bad_yaml_scalars_are_clean_errors_in_every_yaml_reader(tmp_path, line):
    from ivr.config import load_config
    from ivr.knowledge import load_knowledge
    from ivr.orders.rules import load_rules
    path = tmp_path / "x.yaml"
    path.write_text(line + "\n")
    refused(path, "not valid YAML", ":1:")
    for reader in (load_config, load_rules, load_knowledge):
        with pytest.raises(IvrError) as caught:
            reader(str(path))
        assert "not valid YAML" in str(caught.value) and caught.value.where.line == 1


# ---- 3: JSON nested ~1000 deep ----------------------------------------------------------------
def test_3_deeply_nested_json_is_a_clean_error(tmp_path):
    deep = "[" * 1000 + "]" * 1000
    flow = json.dumps({"Version": "2019-10-30", "StartAction": "a", "Actions": [
        {"Identifier": "a", "Type": "DisconnectParticipant", "Parameters": {"x": "DEEP"}}]})
    cases = {"bare.json": deep, "actions.json": '{"Actions":' + deep + "}",
             "content.json": json.dumps({"Name": "n", "Content": flow.replace('"DEEP"', deep)})}
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        out = run("validate", str(path))
        assert out.exit_code == 2 and f"{path}:1:1:" in out.output, out.output
    out = run("import", str(tmp_path / "content.json"), "--from", "connect")
    assert out.exit_code == 2 and "nested too deeply" in out.output


def test_3_yaml_brackets_nested_deeper_than_any_menu_are_a_clean_error_in_every_yaml_reader(tmp_path):
    """Found by benchmarks/fuzz.py: PyYAML's pure-Python scanner rescanned every
    open bracket per token (6 KB of `[` took 2.8 s); libyaml refuses depth
    over 1000 as it scans, with the place."""
    from ivr.config import load_config
    from ivr.knowledge import load_knowledge
    from ivr.orders.rules import load_rules
    from ivr.yaml_source import parse_yaml
    assert parse_yaml("a: " + "[" * 100 + "]" * 100)[0]["a"] is not None
    path = tmp_path / "x.yaml"
    path.write_text("title: t\nx: " + "[{a: " * 3000 + "}]" * 3000 + "\n")
    refused(path, "nesting depth", f"{path}:2:", "flatten")
    for reader in (load_config, load_rules, load_knowledge):
        with pytest.raises(IvrError) as caught:
            reader(str(path))
        assert "nesting depth" in str(caught.value) and caught.value.where.line == 2


# ---- 4: Asterisk -----------------------------------------------------------------------------------
def test_4_asterisk_general_only_goto_chain_and_huge_read_numbers(tmp_path):
    general = tmp_path / "general.conf"
    general.write_text("[general]\nstatic=yes\n")
    refused(general, "no [context] with extensions")
    chain = tmp_path / "chain.conf"
    chain.write_text("".join(f"[c{i}]\nexten => s,1,Goto(c{i + 1},s,1)\n" for i in range(490))
                     + "[c490]\nexten => s,1,Hangup()\n")
    out = run("validate", str(chain))                         # built from a worklist: no recursion
    assert out.exit_code == 0 and "491 nodes" in out.output, out.output
    read = tmp_path / "read.conf"
    read.write_text("[ivr]\nexten => s,1,Read(choice,hello,1e999,,1e999,1e999)\n same => n,Hangup()\n")
    assert run("validate", str(read)).exit_code == 0
    assert run("audit", str(read)).exit_code in (0, 1)


# ---- 5: numbers from platform files -------------------------------------------------------------
@pytest.mark.parametrize("value", ["1e999", "99999999999999999999", "nan", "-1e999"])
def test_5_huge_and_non_finite_freeswitch_numbers_give_bounded_menus(tmp_path, value):
    text = (REAL / "freeswitch" / "demo_ivr.xml").read_text()
    for attr in ("max-failures", "max-timeouts", " timeout", "digit-len"):
        text = re.sub(f'{attr}="[^"]*"', f'{attr}="{value}"', text)
    path = tmp_path / "demo_ivr.xml"
    path.write_text(text)
    assert run("validate", str(path)).exit_code == 0
    out = run("audit", str(path), "--format", "json")
    assert out.exit_code in (0, 1), out.output
    from ivr.importers import load_any
    menu = load_any(path)
    assert all(n.no_match.retries <= 10 and n.timeout_s <= 86400 for n in menu.nodes.values())


# ---- 6: Connect Name that is not text ----------------------------------------------------------
def test_6_connect_name_of_any_json_type(tmp_path):
    data = json.loads((REAL / "amazon_connect" / "acme_main_AUTO.json").read_text())
    for name in (1, None, [1], {"a": 1}, True):
        data["Name"] = name
        path = tmp_path / "flow.json"
        path.write_text(json.dumps(data))
        assert run("validate", str(path)).exit_code == 0


# ---- 10: special files ------------------------------------------------------------------------------
def test_10_devices_fifos_and_symlinks_to_devices_are_refused_at_once(tmp_path):
    fifo = tmp_path / "menu.yaml"
    os.mkfifo(fifo)
    for path in (Path("/dev/zero"), fifo):
        out = run("validate", str(path))
        assert out.exit_code == 2 and "not a regular file" in out.output, out.output
    folder = tmp_path / "fs"
    folder.mkdir()
    (folder / "demo_ivr.xml").write_text((REAL / "freeswitch" / "demo_ivr.xml").read_text())
    (folder / "zero.xml").symlink_to("/dev/zero")
    (folder / "pipe.xml").symlink_to(fifo)
    assert run("audit", str(folder / "demo_ivr.xml")).exit_code in (0, 1)
    out = run("call", str(MENUS / "maze.yaml"), "--script", str(fifo))
    assert out.exit_code == 2 and "not a regular file" in out.output


# ---- 7: dispatch rules that validate would have let through ---------------------------------------
@pytest.mark.parametrize("bad", ["early_warning: {calls: 3, window_days: .nan}", "deadlines_h: {accepted: .inf}",
                                 "categories: x", "deadlines_h: [1]", "early_warning: 5",
                                 "early_warning: {calls: true, window_days: 7}"])
def test_7_bad_dispatch_rules_stop_the_call_before_it_starts(tmp_path, bad):
    folder = tmp_path / "m"
    (folder / "dispatch").mkdir(parents=True)
    (folder / "knowledge").mkdir()
    (folder / "12351-hotline.yaml").write_text((MENUS / "12351-hotline.yaml").read_text("utf-8"), "utf-8")
    (folder / "knowledge" / "12351-faq.yaml").write_text((MENUS / "knowledge" / "12351-faq.yaml").read_text("utf-8"),
                                                         "utf-8")
    (folder / "dispatch" / "12351-hotline.yaml").write_text(bad + "\n")
    from ivr.orders.rules import load_rules
    with pytest.raises(IvrError) as caught:
        load_rules(folder / "dispatch" / "12351-hotline.yaml")
    assert caught.value.where.line == 1
    out = run("call", str(folder / "12351-hotline.yaml"), "--db", str(tmp_path / "r.db"), "--script", "-")
    assert out.exit_code == 2 and "dispatch" in out.output and "12351-hotline.yaml:1:" in out.output, out.output


# ---- 8: text that reaches a terminal or XML ---------------------------------------------------------
HOSTILE = r'"[/x] \e]0;pwned\a \e[2J [link=https://evil.example]click[/link] \0 \x9b"'


def _hostile_menu(tmp_path) -> Path:
    path = tmp_path / "hostile.yaml"
    path.write_text(f"""id: hostile
title: {HOSTILE}
start: main
commands: {{human: {{key: "0", say: [agent], to: agent}}}}
nodes:
  main:
    kind: menu
    prompt: {HOSTILE}
    options:
      - {{key: "1", say: [bill], to: bill, label: {HOSTILE}}}
  bill:
    kind: announcement
    prompt: {HOSTILE}
    next: main
  agent:
    kind: human
    prompt: Connecting you.
""", "utf-8")
    return path


def test_8_menu_text_cannot_drive_the_terminal_or_break_the_report(tmp_path):
    from ivr.audit import audit_files, resolve_packs
    from ivr.config import DEFAULTS
    from ivr.reports import envelope
    from ivr.reports.text import text
    path = _hostile_menu(tmp_path)
    out = run("audit", str(path))
    assert out.exit_code == 1 and "[/x]" in out.output and "[link=https://evil.example]" in out.output
    assert "\x1b" not in out.output and "\x00" not in out.output and "\x9b" not in out.output
    packs = resolve_packs(None, DEFAULTS)
    coloured = text(envelope(audit_files([str(path)], packs, suggestions=True), [], packs, None), color=True)
    assert "\x1b]" not in coloured and "\x1b[2J" not in coloured and "[/x]" in coloured   # no OSC 8 link, no clear
    call = run("call", str(path), "--no-record", "--script", "-")
    assert "\x1b" not in call.output and "\\x1b]0;pwned" in call.output


def test_8_control_characters_never_make_exported_xml_malformed(tmp_path):
    from xml.dom import minidom
    path = _hostile_menu(tmp_path)
    for target in ("vxml", "freeswitch"):
        out_file = tmp_path / f"out.{target}.xml"
        assert run("export", str(path), "--to", target, "-o", str(out_file)).exit_code == 0
        minidom.parse(str(out_file))                      # well-formed
        assert run("validate", str(out_file)).exit_code == 0   # and it re-imports


def test_8_errors_quoting_file_text_show_control_characters_inert(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text('id: m\ntitle: M\nstart: a\n"\\e]0;x\\a": 1\nnodes: {a: {kind: hangup}}\n')
    out = run("validate", str(path))
    assert out.exit_code == 2 and "\x1b" not in out.output and "\\x1b" in out.output, out.output


# ---- 13: whatever ivr import writes, ivr validate accepts ------------------------------------------
def test_13_freeswitch_menu_without_entries_imports_to_a_file_that_validates(tmp_path):
    src = tmp_path / "empty.xml"
    src.write_text('<configuration name="ivr.conf"><menus><menu name="m" greet-long="say:hello"/>'
                   "</menus></configuration>")
    out_file = tmp_path / "out.yaml"
    out = run("import", str(src), "-o", str(out_file))
    if out.exit_code == 0:
        assert run("validate", str(out_file)).exit_code == 0
    else:
        assert out.exit_code == 2 and f"{src}" in out.output and not out_file.exists(), out.output


# ---- 14: atomic writes; a full disk or read-only database is a clean error --------------------------
def test_14_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    from ivr import files
    target = tmp_path / "out.yaml"
    target.write_text("old content\n")

    def full_disk(fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(files.os, "fsync", full_disk)    # ENOSPC at the moment data reaches the disk
    out = run("import", str(REAL / "freeswitch" / "demo_ivr.xml"), "-o", str(target))
    assert out.exit_code == 2 and "No space left" in out.output, out.output
    assert target.read_text() == "old content\n" and [p.name for p in tmp_path.iterdir()] == ["out.yaml"]


def test_14_sqlite_errors_at_the_cli_boundary_are_clean(tmp_path, monkeypatch):
    import sqlite3
    from ivr.records import capture

    def disk_full(*a, **k):
        raise sqlite3.OperationalError("database or disk is full")
    monkeypatch.setattr(capture, "save_call", disk_full)
    from ivr.cli import call as call_cli
    monkeypatch.setattr(call_cli, "save_call", disk_full)
    out = CliRunner().invoke(cli, ["call", str(MENUS / "maze.yaml"), "--db", str(tmp_path / "r.db"),
                                   "--script", "-"], input="press 1\n", catch_exceptions=False)
    assert out.exit_code == 2 and "disk is full" in out.output and "call ended" not in out.output or \
        out.exit_code == 2 and "records database" in out.output, out.output
    assert "[" in out.output.split("error:")[0]   # the transcript was printed before the failed save


# ---- 15: concurrent advance_order -------------------------------------------------------------------
def _advance(args):
    db, order_id = args
    from ivr.orders import advance_order
    from ivr.records import connect
    conn = connect(db)
    try:
        advance_order(conn, order_id, note="concurrent")
        return "ok"
    except IvrError as err:
        return err.problem


def test_15_concurrent_advances_never_lose_a_step(tmp_path):
    import multiprocessing
    from ivr.orders import Rules, create_order, get_order
    from ivr.records import connect
    db = str(tmp_path / "r.db")
    conn = connect(db)
    with conn:
        order = create_order(conn, Rules(), "wage_arrears", {"employer": "X"})
    conn.close()
    with multiprocessing.get_context("fork").Pool(4) as pool:
        answers = pool.map(_advance, [(db, order["id"])] * 4)
    history = get_order(connect(db), order["id"])["history"]
    assert len(history) == 1 + answers.count("ok"), (answers, history)
    assert [h["state"] for h in history] == ["reported", "accepted", "assigned", "supervised", "feedback"][:len(history)]


# ---- 16: silence adds up across waits ------------------------------------------------------------
def test_16_silence_accumulates_across_consecutive_waits():
    from ivr.engine import Call
    from ivr.loader import load_menu
    maze = load_menu(MENUS / "maze.yaml")
    one, many = Call(maze), Call(maze)
    one.wait(90)
    for _ in range(30):
        many.wait(3)
    assert one.outcome == many.outcome == "disconnected" and one.clock == pytest.approx(60.5)
    assert many.events[-1]["t"] == pytest.approx(60.5)
    service = load_menu(MENUS / "consumer-service.yaml")
    call = Call(service)
    for _ in range(30):
        call.wait(4)
    assert any(e["type"] == "no_input" for e in call.events)
    pressed = Call(maze)        # an action resets the silence: only silence after it counts
    pressed.wait(59)
    assert not pressed.ended


# ---- 17: simulate --calls is bounded ------------------------------------------------------------------
def test_17_simulate_refuses_an_unbounded_number_of_calls():
    out = run("simulate", str(MENUS / "maze.yaml"), "--calls", "1000000000000", "--no-record")
    assert out.exit_code == 2 and "--calls" in out.output and "500000" in out.output


# ---- 18: a menu cannot read (or probe) files outside its folder ----------------------------------------
@pytest.mark.parametrize("kb", ["../../../other/kb.yaml", "ABS", "../secret/kb.yaml", "knowledge/../../x.yaml"])
def test_18_knowledge_base_paths_stay_in_the_menu_folder(tmp_path, kb):
    other = tmp_path / "other"
    other.mkdir()
    (other / "kb.yaml").write_text((MENUS / "knowledge" / "12351-faq.yaml").read_text("utf-8"), "utf-8")
    folder = tmp_path / "a" / "b" / "c"
    folder.mkdir(parents=True)
    kb = str(other / "kb.yaml") if kb == "ABS" else kb
    menu = folder / "m.yaml"
    menu.write_text(f"id: m\ntitle: M\nstart: faq\nnodes:\n  faq:\n    kind: self_service\n    prompt: Ask.\n"
                    f"    knowledge_base: {json.dumps(kb)}\n    next: agent\n  agent:\n    kind: human\n"
                    "    prompt: Connecting.\n")
    out = run("validate", str(menu))
    assert out.exit_code == 2 and "outside the menu's folder" in out.output, out.output
    assert "not found" not in out.output          # the same answer whether the file exists or not
    from ivr.engine import Call
    from ivr.loader import build_menu
    from ivr.yaml_source import load_yaml
    data, _ = load_yaml(menu)
    call = Call(build_menu(data, str(menu)))     # bypassing validate, the engine still refuses to read it
    call.say("how do I join a union")
    assert not any(e["type"] == "answer" for e in call.events)


@pytest.mark.parametrize("kb", ["k" * 300 + ".yaml", "knowledge" + "[" * 400 + "/faq.yaml"])
def test_18_a_knowledge_base_name_the_os_refuses_is_not_found_not_a_traceback(tmp_path, kb):
    """Found by benchmarks/fuzz.py (20 min): a 300-byte path part made stat() raise ENAMETOOLONG."""
    menu = tmp_path / "m.yaml"
    menu.write_text(f"id: m\ntitle: M\nstart: faq\nnodes:\n  faq:\n    kind: self_service\n    prompt: Ask.\n"
                    f"    knowledge_base: {json.dumps(kb)}\n    next: agent\n  agent:\n    kind: human\n"
                    "    prompt: Connecting.\n")
    out = run("validate", str(menu))
    assert out.exit_code == 2 and "not found" in out.output and "Traceback" not in out.output, out.output
    from ivr.knowledge.base import load_knowledge
    with pytest.raises(IvrError, match="no such knowledge-base file"):
        load_knowledge(tmp_path / kb)


# ---- 11: FreeSWITCH phrases come from the paired file only ----------------------------------------------
def test_11_freeswitch_reads_only_the_paired_phrase_file(tmp_path):
    from ivr.importers import load_any
    menu_text = (REAL / "freeswitch" / "demo_ivr.xml").read_text()
    phrases = (REAL / "freeswitch" / "demo-ivr.xml").read_text()
    (tmp_path / "demo_ivr.xml").write_text(menu_text)
    (tmp_path / "demo-ivr.xml").write_text(phrases)         # the pair: same stem, - and _ alike
    paired = load_any(tmp_path / "demo_ivr.xml")
    other = tmp_path / "other"
    other.mkdir()
    (other / "demo_ivr.xml").write_text(menu_text)
    (other / "acme.xml").write_text(phrases.replace("Welcome", "EVIL COMPANY") if "Welcome" in phrases
                                    else phrases)          # another company's phrases in the same folder
    alone = load_any(other / "demo_ivr.xml")
    start = paired.nodes[paired.start].prompt
    assert start != alone.nodes[alone.start].prompt        # acme.xml was not read
    (other / "acme.xml").rename(other / "demo_ivr_phrases.xml")
    again = load_any(other / "demo_ivr.xml")
    assert again.nodes[again.start].prompt != alone.nodes[alone.start].prompt
    assert load_any(other / "demo_ivr.xml", phrases=[str(tmp_path / "demo-ivr.xml")]).nodes[paired.start].prompt \
        == start


# ---- 20: a fixed-length entry's own `#`; Asterisk picks the IVR context ---------------------------------
def test_20_the_hash_that_ends_a_full_entry_is_not_back_at_the_next_node():
    from ivr.engine import Call
    from ivr.loader import load_menu_text
    menu = load_menu_text("""id: m
title: M
start: account
commands: {back: {key: "#"}, human: {key: "0", to: agent}}
nodes:
  account:
    kind: input
    prompt: Enter your 8 digit account number, then press pound.
    digits: [8, 8]
    name: account
    next: main
  main:
    kind: menu
    prompt: Press 1 for bills.
    options: [{key: "1", to: agent}]
  agent:
    kind: human
    prompt: Connecting.
""")
    call = Call(menu)
    call.press("12345678#")
    assert call.collected == {"account": "12345678"} and call.node == "main"
    call.press("#")                  # a second `#` is the caller's own: back
    assert call.node == "account"


def test_20_asterisk_enters_at_the_ivr_context_not_the_first(tmp_path):
    conf = tmp_path / "extensions.conf"
    conf.write_text("[general]\nstatic=yes\n[globals]\n"
                    "[dundi-e164]\nexten => s,1,Dial(IAX2/dundi/${EXTEN})\n same => n,Hangup()\n"
                    "[demo]\nexten => s,1,Answer()\n same => n,Background(welcome)\n same => n,WaitExten(5)\n"
                    "exten => 1,1,Playback(bills)\n same => n,Hangup()\nexten => 0,1,Queue(support)\n")
    from ivr.importers import load_any
    menu = load_any(conf)
    assert menu.id == "demo" and menu.nodes[menu.start].kind == "menu"
    out = run("import", str(conf), "--start", "dundi-e164", "--format", "json", "-o", str(tmp_path / "x.yaml"))
    assert out.exit_code in (0, 2) and "dundi" in out.output


# ---- 12: audio bounds -------------------------------------------------------------------------------------
def test_12_implausible_sample_rates_and_overlong_turns_are_refused_before_decoding(tmp_path):
    import numpy as np
    import soundfile as sf
    from ivr.speech import load_audio
    tone = tmp_path / "one_hz.wav"
    sf.write(tone, (0.3 * np.sin(np.arange(4000) / 3)).astype("float32"), 1, subtype="PCM_16")   # header: 1 Hz
    with pytest.raises(IvrError) as caught:
        load_audio(tone)
    assert "sample rate is 1 Hz" in str(caught.value) and caught.value.where.file == str(tone)
    noise = tmp_path / "noise.wav"
    sf.write(noise, np.random.default_rng(0).normal(0, 0.1, 8000 * 600).astype("float32"), 8000, subtype="PCM_16")
    with pytest.raises(IvrError) as caught:
        load_audio(noise)
    assert caught.value.code == "audio-too-long"
    out = run("call", str(MENUS / "maze.yaml"), "--audio-in", str(noise), "--no-record")
    assert out.exit_code == 2 and "one caller turn is at most" in out.output, out.output


def test_8_export_refuses_what_the_target_cannot_hold_instead_of_writing_an_unloadable_file(tmp_path):
    menu = tmp_path / "m.yaml"
    menu.write_text("id: m\ntitle: M\nstart: hello\nnodes:\n  hello:\n    kind: announcement\n"
                    "    prompt: Hello.\n    next: bye\n  bye:\n    kind: hangup\n    prompt: Bye.\n")
    out = run("export", str(menu), "--to", "freeswitch", "-o", str(tmp_path / "x.xml"))
    assert out.exit_code == 2 and "no menu node" in out.output and not (tmp_path / "x.xml").exists()


# ---- 19: ivr test --generate on a wide menu ---------------------------------------------------------------
def _wide_menu_text() -> str:
    lines = ["id: wide", "title: Wide", "start: n0", "commands: {human: {key: '0', say: [agent], to: agent}}",
             "nodes:"]
    for i in range(12):
        lines += [f"  n{i}:", "    kind: menu", f"    prompt: Menu {i}.", "    options:"]
        for j, k in enumerate("123456789*#"):
            to = f"n{(i + j + 1) % 12}" if j < 9 else ("agent" if j == 9 else "bye")
            lines.append(f"      - {{key: '{k}', say: [word{i}x{j}], to: {to}}}")
    lines += ["  agent:", "    kind: human", "    prompt: Connecting.", "  bye:", "    kind: hangup", "    prompt: Bye."]
    return "\n".join(lines) + "\n"


def test_19_generate_replays_share_one_state_machine(monkeypatch):
    """Declaring a call's state machine was 80 % of the crawl: every replay now reuses one."""
    import transitions
    from ivr.config import DEFAULTS
    from ivr.flows.generate import crawl
    from ivr.loader import load_menu_text
    menu = load_menu_text(_wide_menu_text(), "wide.yaml")
    built = []
    original = transitions.Machine.__init__

    def counting(self, *a, **k):
        built.append(1)
        original(self, *a, **k)
    monkeypatch.setattr(transitions.Machine, "__init__", counting)
    generated = crawl(menu, DEFAULTS, max_paths=15)
    assert len(generated.paths) >= 15 and not generated.unreached
    assert len(built) == 1
    again = crawl(load_menu_text(_wide_menu_text(), "wide2.yaml"), DEFAULTS, max_paths=5)   # another menu:
    assert len(built) == 2 and again.paths                                                   # its own machine


# ---- 9: linear time: the cyclic collector is paused while an importer builds the model ---------
def test_9_imports_run_with_the_collector_paused_and_restore_it_even_on_error(monkeypatch):
    """benchmarks/import_scaling.py: a 2 MB dialplan's time per KB grew x1.4 (CPU
    time) with the collector re-walking the growing model, flat with it paused."""
    import gc
    from ivr.importers import asterisk, import_text
    seen = []
    real = asterisk.import_menu

    def spy(*args, **kw):
        seen.append(gc.isenabled())
        return real(*args, **kw)
    monkeypatch.setattr(asterisk, "import_menu", spy)
    dialplan = "[m]\nexten => s,1,Background(hello)\n same => n,WaitExten(5)\nexten => 0,1,Queue(support)\n"
    assert gc.isenabled()
    assert import_text(dialplan, "asterisk", "d.conf").nodes
    with pytest.raises(IvrError):
        import_text("[general]\n", "asterisk", "d.conf")
    assert seen == [False, False] and gc.isenabled()
    gc.disable()                      # a caller that had it off keeps it off
    try:
        import_text(dialplan, "asterisk", "d.conf")
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("args", [["audit", "{p}.yaml"], ["validate", "{p}.yaml"], ["recognize", "{p}.wav"],
                                  ["report", "--db", "{p}.db"]])
def test_a_path_the_os_refuses_is_a_clean_usage_error_in_every_command(args):
    """A file name over 255 bytes (ENAMETOOLONG) given on the command line: exit 2 and what to do, no traceback."""
    import subprocess
    import sys
    name = "a" * 300
    done = subprocess.run([sys.executable, "-m", "ivr", *[a.format(p=name) for a in args]], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-1500:]
    assert name in done.stderr and "255 bytes" in done.stderr
