"""ivr crawl without a network: option extraction, prompt ends, fingerprints
on real recordings, and whole crawls of menus played by the call engine as
telephone audio (espeak-ng prompts through G.711, Asterisk music on hold)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ivr.crawl import fingerprint as fpr
from ivr.crawl.options import extract
from telephony_peers import MOH as MOH_DIR, SOUNDS, need_sounds

ROOT = Path(__file__).resolve().parent.parent
MOH = MOH_DIR / "macroform-robot_dity.wav"


@pytest.fixture
def sounds():
    need_sounds()   # a missing package fails naming it, never a skip


@pytest.mark.parametrize("text, options", [
    ("For billing press 1. Press 0 for an agent.", {"1": "billing", "0": "an agent"}),
    ("For your account, press 1. For sales and new offers, press 2.", {"1": "your account", "2": "sales and new offers"}),
    ("To speak to an agent, press 0 or say agent.", {"0": "speak to an agent"}),
    ("for billing press one, for sales press two", {"1": "billing", "2": "sales"}),
    ("按1", {"1": ""}),
    ("查询话费请按1，请按0转人工。", {"1": "查询话费", "0": "转人工"}),
    ("人工服务请按零", {"0": "人工服务"}),
    ("Thank you for calling. Goodbye.", {}),
    # Whisper writes no punctuation (tiny.en on consumer-service's main menu, "press 3" heard as "press free")
    ("The main menu press 0 or say agent for a person at any time for billing press 1 or say billing "
     "to report an outage press 2 or say outage to check an order press free or say order for opening hours "
     "press 4 or say hours", {"0": "The main menu", "1": "billing", "2": "report an outage", "4": "opening hours"}),
    ("欠薪请按1劳动合同请按2转人工请按0", {"1": "欠薪", "2": "劳动合同", "0": "转人工"}),
    # by sound: Whisper base on espeak-ng's 请按 over μ-law (the hotline's `more` prompt, heard by the crawler)
    ("加入工会千岸一，其他问题迁安三，转人东千万零。", {"1": "加入工会", "3": "其他问题", "0": "转人东"}),
    ("其他轮机千岸临", {"0": "其他轮机"}),
    # not a key: 千安 before a word that is not a digit, 千万 in a number
    ("一千安全，五千万元", {}),
])
def test_options_are_read_from_english_and_chinese_prompts(text, options):
    assert extract(text) == options


@pytest.mark.parametrize("text, words", [
    ("Main menu. Press 0 or say agent for a person at any time. For billing, press 1 or say billing.",
     {"0": "agent", "1": "billing"}),
    # tiny.en's unpunctuated form of consumer-service's main menu
    ("The main menu press 0 or say agent for a person at any time for billing press 1 or say billing to report "
     "an outage press 2 or say outage", {"0": "agent", "1": "billing", "2": "outage"}),
    ("Say opening hours or press 4.", {"4": "opening hours"}),
    ("查询话费请按1或说查询。", {"1": "查询"}),
    ("For billing, press 1. Press 0 for an agent.", {}),
])
def test_words_offered_instead_of_a_key_are_found(text, words):
    from ivr.crawl.options import spoken
    assert spoken(text) == words


def phone(samples, offset=0, gain=1.0, seed=0):
    from ivr.crawl.engine_line import ulaw_roundtrip
    noise = np.random.default_rng(seed).normal(0, 0.002, len(samples) + offset).astype(np.float32)
    return ulaw_roundtrip(np.concatenate([np.zeros(offset, np.float32), samples]) * gain + noise)


def speak(text):
    from ivr.speech.audio import resample
    from ivr.speech.tts import synthesize
    return resample(synthesize(text, "en"), 16000, 8000)


@pytest.mark.usefixtures("sounds")
def test_fingerprint_tells_prompts_apart_and_finds_replays_on_real_recordings():
    from ivr.crawl.engine_line import load_phone_audio
    recorded = [load_phone_audio(SOUNDS / f"{n}.wav") for n in ("vm-instructions", "dir-instr", "privacy-prompt")]
    tts = [speak("Account menu. To hear your balance, press 1. To pay by card, press 2."),
           speak("Account menu. To hear your balance, press 1. To pay by card, press 3.")]
    clips = recorded + tts
    prints = [fpr.fingerprint(c) for c in clips]
    for clip, fp in zip(clips, prints):   # the same prompt over a line: offset, level, noise, u-law
        assert fpr.same(fp, fpr.fingerprint(phone(clip, offset=77, gain=0.5)))
    for i in range(len(clips)):
        for j in range(len(clips)):
            if i != j:
                assert not fpr.same(prints[i], prints[j]), (i, j)   # incl. "press 2" vs "press 3"
    invalid = load_phone_audio(SOUNDS / "invalid.wav")
    replay = fpr.fingerprint(phone(np.concatenate([invalid, np.zeros(2000, np.float32), clips[3]])))
    assert fpr.match(replay, {"a": prints[3], "b": prints[4]}) == ("a", "replay")


@pytest.mark.usefixtures("sounds")
def test_listener_hears_a_prompt_end_music_and_a_hang_up():
    from ivr.crawl.engine_line import EngineLine
    from ivr.crawl.listen import ListenSettings, listen
    from ivr.sources import open_menu
    line = EngineLine(open_menu(str(ROOT / "menus/consumer-service.yaml")))
    call = line.dial(5)
    first = listen(call, ListenSettings())
    assert first.end == "gap" and 8 < first.duration_s < 11      # the language menu, ~9.5 s
    call.press("0")                                               # the global human key
    held = listen(call, ListenSettings())
    assert held.end == "music"
    call.hangup()
    maze = EngineLine(open_menu(str(ROOT / "menus/maze.yaml"))).dial(5)
    start = listen(maze, ListenSettings())
    assert start.end == "gap" and 50 < start.duration_s < 60      # 30 s intro + 15 s advert + the menu
    maze.press("7")                                               # address, then goodbye, then the line hangs up
    assert listen(maze, ListenSettings()).end == "hangup"


def crawl_menu(path, **budget):
    from ivr.crawl.engine_line import EngineLine
    from ivr.crawl.explore import Budget, Crawler
    from ivr.sources import open_menu
    menu = open_menu(str(path))
    crawler = Crawler(EngineLine(menu), Budget(pace_s=0, **budget))
    crawler.run()
    return menu, crawler


@pytest.mark.usefixtures("sounds")
def test_engine_line_crawl_recovers_consumer_service_by_keys(tmp_path):
    from ivr.crawl import write
    from ivr.crawl.truth import key_findings, score
    from ivr.sources import open_menu
    menu, crawler = crawl_menu(ROOT / "menus/consumer-service.yaml", concurrent=2)
    names = write.node_names(crawler)
    out = tmp_path / "crawled.yaml"
    out.write_text(write.dump(crawler, "sim:consumer-service", "en"))
    crawled = open_menu(str(out))                 # ivr's own loader accepts it (validate)
    result = score(menu, crawled, {names[n.id]: n.path for n in crawler.nodes.values()})
    assert result["node_recall"] >= 0.95 and result["edge_recall"] >= 0.95, result
    assert result["steps_to_human"] == result["crawled_steps_to_human"] == 1
    assert crawled.commands["human"].key == "0"   # 0 reaches the same person from every menu
    assert key_findings(crawled) == key_findings(menu)
    start = crawled.nodes[crawled.start]
    assert start.no_input.retries == 2 and crawled.nodes[start.no_input.then].kind == "human"
    assert 4.5 < start.timeout_s < 6.5           # configured 5 s, measured by listening
    assert "# crawled by ivr crawl from sim:consumer-service" in out.read_text()


@pytest.mark.usefixtures("sounds")
def test_budget_stops_the_crawl_and_keeps_a_valid_partial_map(tmp_path):
    out, report = tmp_path / "line.yaml", tmp_path / "crawl.json"
    run = subprocess.run([sys.executable, "-m", "ivr", "crawl", f"sim:{ROOT / 'menus/consumer-service.yaml'}",
                          "-o", str(out), "--report", str(report), "--max-calls", "6", "--pace", "0",
                          "--no-transcribe"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr
    data = json.loads(report.read_text())
    assert data["calls"] == 6 and not data["finished"] and "call budget" in data["stopped"]
    assert any(u.startswith("not tried") for u in data["unsure"])
    assert "PARTIAL MAP" in out.read_text()
    check = subprocess.run([sys.executable, "-m", "ivr", "validate", str(out)], cwd=ROOT, capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stderr


@pytest.mark.usefixtures("sounds")
@pytest.mark.parametrize("max_calls", [16, 40])
def test_every_partial_map_of_the_maze_is_a_menu_ivr_reads(max_calls):
    """A crawl stopped by its budget anywhere still writes a menu the loader
    accepts: nodes whose probes were not all tried are `unknown` (an end the
    audit names), not a menu with no way out, and no node is left unreachable.
    (Over SIP the maze once stopped at its minute budget and wrote a map with
    `next: @human` and no human node.)"""
    from ivr.crawl import write
    from ivr.loader import load_menu_text
    menu, crawler = crawl_menu(ROOT / "menus/maze.yaml", concurrent=2, max_calls=max_calls)
    assert crawler.stopped and crawler.unexplored
    crawled = load_menu_text(write.dump(crawler, "sim:maze", "en"), "crawled.yaml")
    unknown = [n for n in crawled.nodes.values() if n.kind == "unknown"]
    assert unknown and all("not fully explored" in n.note for n in unknown)


def test_cli_refuses_bad_targets_and_keys_cleanly():
    for args, what in ((["http://example.com"], "not a line"), (["sip:"], "not a SIP address"),
                       (["sip:1@127.0.0.1:99999"], "out of range"), (["sip:1@127.0.0.1", "--keys", "1x"], "--keys"),
                      (["sip:1@127.0.0.1", "--try-speech", "--no-transcribe"], "needs transcripts")):
        run = subprocess.run([sys.executable, "-m", "ivr", "crawl", *args], cwd=ROOT, capture_output=True,
                             text=True, timeout=60)
        assert run.returncode == 2 and what in run.stderr and "Traceback" not in run.stderr, run.stderr


@pytest.mark.usefixtures("sounds")
def test_many_lines_on_a_dask_local_cluster(tmp_path):
    """Two lines crawled concurrently on Dask workers, a bad row reported, one budget shared."""
    lines = tmp_path / "lines.csv"
    vxml = ROOT.parent / "shared/real_menus/voicexml/jvoicexml_dtmf.vxml"
    small = tmp_path / "small.yaml"
    from ivr.menu_yaml import dump_menu
    from ivr.sources import open_menu
    small.write_text(dump_menu(open_menu(str(vxml))))
    other = tmp_path / "other.yaml"
    other.write_text(small.read_text())
    lines.write_text(f"target,language\nsim:{small},en\nsim:{other},en\nhttp://nope,en\nsim:{small},en\n")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "ivr", "crawl", "--targets", str(lines), "-o", str(out),
                          "--max-calls", "40", "--pace", "0", "--no-transcribe", "--format", "json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    results = json.loads(run.stdout)
    assert run.returncode == 1, run.stderr   # the bad rows
    errors = [r["error"] for r in results if "error" in r]
    assert any("not sip:" in e for e in errors) and any("listed twice" in e for e in errors)
    crawled = [r for r in results if "error" not in r]
    assert len(crawled) == 2
    for r in crawled:
        assert r["finished"] and r["nodes"] == 3 and r["calls"] <= 20   # half of the shared 40 calls each
        assert Path(r["yaml"]).is_file() and Path(r["report"]).is_file()


TWINS = """
id: twins
title: Two requests that ask for the same code
language: en
start: main
commands:
  human: {key: "0", to: agent}
defaults:
  timeout_s: 3
  no_input: {retries: 1, then: "@human"}
  no_match: {retries: 1, then: "@human"}
nodes:
  main:
    kind: menu
    prompt: Main menu. For repairs press 1. For a new line press 2. For help press 3. For a person press 0.
    options: [{key: "1", to: repairs}, {key: "2", to: service}, {key: "3", to: help}]
  repairs:
    kind: menu
    prompt: Repairs. To book a repair press 1. For help press 2.
    options: [{key: "1", to: repair_code}, {key: "2", to: help}]
  service:
    kind: menu
    prompt: New lines. To order a new line press 1. For help press 2.
    options: [{key: "1", to: service_code}, {key: "2", to: help}]
  help:
    kind: menu
    prompt: Help desk. For our opening hours press 1.
    options: [{key: "1", to: hours}]
  hours: {kind: self_service, prompt: Opening hours., answer: We are open every day from eight to eight., next: main}
  repair_code: {kind: input, name: area, digits: [3, 4], prompt: Please key in your area code then press hash., next: repair_done}
  service_code: {kind: input, name: area, digits: [3, 4], prompt: Please key in your area code then press hash., next: service_done}
  repair_done: {kind: hangup, prompt: Your repair is booked. An engineer will call you. Goodbye.}
  service_done: {kind: hangup, prompt: Your new line is ordered. We will send you a letter. Goodbye.}
  agent: {kind: human, prompt: Connecting you to a person.}
"""


@pytest.mark.usefixtures("sounds")
def test_same_words_in_two_places_are_told_apart_by_what_follows(tmp_path):
    """Two number entries say the very same sentence but lead to different
    requests: both are found (the second as a twin kept apart by the number it
    takes), and the help desk reached from three menus stays one node."""
    from ivr.crawl import write
    from ivr.crawl.truth import key_findings, score
    from ivr.sources import open_menu
    path = tmp_path / "twins.yaml"
    path.write_text(TWINS)
    from ivr.crawl.engine_line import EngineLine
    from ivr.crawl.explore import Budget, Crawler
    menu = open_menu(str(path))
    crawler = Crawler(EngineLine(menu), Budget(pace_s=0, concurrent=2), keys=("0", "1", "2", "3"))
    crawler.run()
    names = write.node_names(crawler)
    out = tmp_path / "crawled.yaml"
    out.write_text(write.dump(crawler, "sim:twins", "en"))
    crawled = open_menu(str(out))
    result = score(menu, crawled, {names[n.id]: n.path for n in crawler.nodes.values()})
    assert result["node_recall"] == 1.0 and result["edge_recall"] == 1.0, result
    inputs = [n for n in crawled.nodes.values() if n.kind == "input"]
    assert len(inputs) == 2 and all(n.input_digits == (4, 4) for n in inputs)
    ends = {crawled.nodes[n.next].kind for n in inputs}
    assert ends == {"hangup"} and len({n.next for n in inputs}) == 2      # each entry to its own request
    # the help desk, reached from main, repairs and new lines, was explored as a twin from the
    # two submenus and merged back: main, repairs, new lines, help
    assert sum(1 for n in crawled.nodes.values() if n.kind == "menu") == 4
    assert len(crawler.merged) == 2 and len({node for _, node in crawler.merged}) == 1
    assert key_findings(crawled) == key_findings(menu)
    assert result["steps_to_human"] == result["crawled_steps_to_human"] == 1


SPOKEN_ANSWER = """
id: spoken-answer
title: A node that wants words, where wrong keys end in a menu of their own
language: en
start: main
commands:
  human: {key: "0", to: agent}
  back: {key: "#"}
defaults:
  timeout_s: 3
  no_input: {retries: 2, then: sorry}
  no_match: {retries: 2, then: sorry}
nodes:
  main:
    kind: menu
    prompt: Main menu. To report a problem press 1.
    options: [{key: "1", to: describe}]
  describe: {kind: input, mode: speech, name: problem, prompt: Please say what went wrong., next: thanks}
  sorry:
    kind: menu
    prompt: Sorry, we could not understand you. To end this call press 1.
    options: [{key: "1", to: bye}]
  thanks: {kind: hangup, prompt: Thank you. We will look into it.}
  bye: {kind: hangup, prompt: Goodbye.}
  agent: {kind: human, prompt: Connecting you to a person.}
"""


@pytest.mark.usefixtures("sounds")
def test_keys_refused_at_once_are_not_taken_for_a_number_being_keyed_in(tmp_path):
    """At a node that wants words, each digit is a wrong key, refused at once
    (the prompt replays without a wait). Keying in 1111# there runs the third
    wrong key into `sorry` and the fourth 1 ends the call: the crawler must
    not read that as "a 4-digit number was taken, then goodbye" (it did, over
    SIP at the 12351 hotline's spoken-answer nodes, and lost their `#`)."""
    from ivr.crawl import write
    from ivr.crawl.engine_line import EngineLine
    from ivr.crawl.explore import Budget, Crawler
    from ivr.crawl.truth import score
    from ivr.sources import open_menu
    path = tmp_path / "spoken.yaml"
    path.write_text(SPOKEN_ANSWER)
    menu = open_menu(str(path))
    crawler = Crawler(EngineLine(menu), Budget(pace_s=0, concurrent=2), keys=("0", "1", "2", "#"))
    crawler.run()
    describe = next(n for n in crawler.nodes.values() if n.path == ("1",))
    assert describe.entry is None and describe.entry_tries == 0
    assert all(describe.reaction_s[k] < 1.0 for k in ("1", "2"))
    out = tmp_path / "crawled.yaml"
    out.write_text(write.dump(crawler, "sim:spoken", "en"))
    crawled = open_menu(str(out))
    names = write.node_names(crawler)
    result = score(menu, crawled, {names[n.id]: n.path for n in crawler.nodes.values()})
    assert "describe #->main" not in result["missed_edges"], result["missed_edges"]
    assert crawled.nodes[names[describe.id]].kind != "input"


@pytest.mark.usefixtures("sounds")
def test_mandarin_hotline_options_carry_the_labels_heard():
    """The 12351 hotline's `more` menu heard over the engine line (espeak-ng
    Mandarin through μ-law), transcribed by the Mandarin recogniser installed
    (Whisper base, beam 5). Its confidence is borderline on this audio
    (0.48-0.52 measured), so the threshold alone keeps it on some runs only. A
    transcript below speech.min_confidence is kept when the keys it announces
    are the keys the probes found working (two or more, each leading
    elsewhere): then the keys carry the Chinese labels heard (measured: 请按三
    heard as 千万三 and read by sound; 1 "…入宫会", 2 "…劳动者", 0 "传人东";
    in one run of six 请按三 came out as 千岸滩 and key 3 went unlabelled),
    and a key it misses is never called a hidden way to a person. Before
    the keys are probed the same unsure transcript is dropped: no labels,
    listed as unsure, and no way to a person called hidden on its strength."""
    import re

    from ivr.config import DEFAULTS
    from ivr.crawl import write
    from ivr.crawl.engine_line import EngineLine
    from ivr.crawl.explore import Budget, Crawler
    from ivr.crawl.transcribe import transcribe
    from ivr.sources import open_menu
    from ivr.speech import models
    if not models.installed_path("whisper-base", DEFAULTS):
        pytest.skip("needs the whisper-base model (the dev extra installs it)")
    menu = open_menu(str(ROOT / "menus/12351-hotline.yaml"))
    crawler = Crawler(EngineLine(menu), Budget(pace_s=0))
    log = crawler.place(("5",))
    crawler.start_id = crawler._classify(log.heard[1], ("5",))
    node = crawler.nodes[crawler.start_id]
    node.edges["0"] = crawler._classify(crawler.place(("5", "0")).heard[2], ("5", "0"))
    assert node.kind == "menu" and crawler.nodes[node.edges["0"]].kind == "human"

    strict = {**DEFAULTS, "speech": {**DEFAULTS["speech"], "min_confidence": 0.99}}
    assert transcribe(crawler, "zh-CN", config=strict) == "whisper"    # only key 0 known to work yet
    assert node.transcript == "" and node.labels == {}
    assert any("below confidence 0.99" in u for u in crawler.unsure)
    assert [h["announced"] for h in write.hidden_humans(crawler)] == [None]    # undecidable, not "hidden"

    for key in "123":                                                  # the keys the prompt announces
        node.edges[key] = crawler._classify(crawler.place(("5", key)).heard[2], ("5", key), [], node.id)
    assert transcribe(crawler, "zh-CN", config=strict) == "whisper"
    heard = {k for k in "1230" if re.search(r"[\u4e00-\u9fff]", node.labels.get(k, ""))}
    assert len(heard) >= 3, (node.transcript, node.labels, crawler.unsure)   # one key may be misheard
    assert not node.transcript_sure       # kept for its labels; it accuses nobody of hiding a person:
    assert [h["announced"] for h in write.hidden_humans(crawler)] == ([] if "0" in heard else [None])


CRAWLED_OUTAGE = """
id: crawled
title: a crawl that heard the outage message first after the Spanish menu
start: start
nodes:
  start: {kind: menu, prompt: "(9 s)", options: [{key: "1", to: m}, {key: "2", to: es}, {key: "0", to: p}]}
  m: {kind: menu, prompt: "(16 s)", options: [{key: "2", to: msg}, {key: "0", to: p}]}
  es: {kind: menu, prompt: "(8 s)", options: [{key: "2", to: msg}, {key: "0", to: p}]}
  msg: {kind: announcement, prompt: "(9 s)", next: m}
  p: {kind: human, prompt: "(3 s)"}
"""


def test_an_announcement_is_scored_by_the_message_heard_whichever_path_found_it(tmp_path):
    """The outage message is heard after main's 2 and after the Spanish menu's 2,
    then the main menu; the one announcement node is the `outage` message
    (not the main menu it leads to), whichever of the two calls found it first."""
    from ivr.crawl.truth import score
    from ivr.sources import open_menu
    path = tmp_path / "crawled.yaml"
    path.write_text(CRAWLED_OUTAGE)
    menu, crawled = open_menu(str(ROOT / "menus/consumer-service.yaml")), open_menu(str(path))
    paths = {"start": (), "m": ("1",), "es": ("2",), "msg": ("2", "2"), "p": ("0",)}
    result = score(menu, crawled, paths)
    assert "outage" not in result["missed_nodes"]
    assert not {"main 2->outage", "main_es 2->main"} & set(result["missed_edges"]), result["missed_edges"]


@pytest.mark.usefixtures("sounds")
def test_try_speech_puts_the_words_the_line_understood_into_the_map(tmp_path):
    """--try-speech on consumer-service played by the call engine: the words a
    prompt offers ("or say agent", "or say billing") are synthesised and said
    at their menu, recognised by the line's own recogniser (Whisper closed
    set); those that lead where their key does become the options' phrases, so
    the audit finds a person one spoken step away. The transcripts are the
    menu's own prompt texts here (a perfect transcriber): tiny.en's transcript
    of espeak's prompt varies from take to take and sometimes loses "say
    agent", which is the transcriber's accuracy, not what this test is about."""
    from ivr.config import DEFAULTS
    from ivr.crawl import write
    from ivr.crawl.options import extract, spoken
    from ivr.crawl.run import speaker
    from ivr.crawl.truth import stop_after
    from ivr.loader import load_menu_text
    from ivr.metrics import compute
    menu, crawler = crawl_menu(ROOT / "menus/consumer-service.yaml", concurrent=2)
    for node in crawler.nodes.values():
        prompt = menu.nodes[stop_after(menu, node.path)].prompt if node.kind == "menu" else ""
        node.transcript, node.labels, node.said = prompt, extract(prompt), spoken(prompt)
    crawler.try_phrases(speaker("en", DEFAULTS))
    said = {(s["node"], s["said"]): s for s in write.report(crawler, "sim:consumer-service")["speech"]}
    assert said[("start", "agent")]["same_as_key"], said
    assert any(w == "billing" and s["same_as_key"] for (_, w), s in said.items()), said
    crawled = load_menu_text(write.dump(crawler, "sim:consumer-service", "en"), "crawled.yaml")
    assert crawled.nodes[said[("start", "agent")]["reached"]].kind == "human"
    assert "agent" in crawled.commands["human"].phrases
    assert any("billing" in o.phrases for n in crawled.nodes.values() for o in n.options)
    assert compute(crawled).summary()["max_steps_to_human_voice"] == 1


@pytest.mark.parametrize("transcript, announced", [
    ("Please key in your order number and press hash.", [False]),        # hidden: no word of a person
    # tiny.en on consumer-service's order prompt: "press 0 for a person" lost its key: unsure, not hidden
    ("Please keep in your fixed and rigid ordered hummer and press hash or press me over a person.", [None]),
    ("转人工请按零", []),                                                   # announced
])
def test_a_key_to_a_person_is_called_hidden_only_when_the_prompt_speaks_of_none(transcript, announced):
    from ivr.crawl import write
    from ivr.crawl.explore import Budget, Crawler, Node
    from ivr.crawl.listen import Heard
    from ivr.crawl.options import extract
    sound = Heard("gap", 0.0, 1.0, np.zeros(8000, np.float32))
    crawler = Crawler(None, Budget())
    crawler.nodes = {"m": Node("m", (), "menu", sound, edges={"0": "h"}, transcript=transcript,
                               labels=extract(transcript)),
                     "h": Node("h", ("0",), "human", sound)}
    assert [h["announced"] for h in write.hidden_humans(crawler)] == announced


@pytest.mark.usefixtures("sounds")
def test_phrases_left_unsaid_by_the_budget_leave_the_key_map_whole():
    """--try-speech after a complete key crawl, with no budget left for it:
    the phrases are listed as not tried, and no node becomes `unknown`."""
    from ivr.crawl import write
    from ivr.crawl.explore import SAY
    menu, crawler = crawl_menu(ROOT.parent / "shared/real_menus/voicexml/jvoicexml_dtmf.vxml", concurrent=2)
    assert not crawler.stopped
    start = crawler.nodes[crawler.start_id]
    start.labels = {k: f"option {k}" for k, t in start.edges.items() if t != start.id}
    crawler.budget.max_calls = len(crawler.calls)                     # nothing left
    crawler.try_phrases(lambda words: np.zeros(800, np.float32))
    assert crawler.stopped and any(SAY in u for u in crawler.unsure)
    assert not crawler.unexplored
    assert all(n.kind != "unknown" for n in write.to_menu(crawler, "sim:jvoicexml", "en").nodes.values())
