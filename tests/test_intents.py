"""The intent layer: paraphrases of the global commands, complaints, false friends,
measured on the held-out split of tests/data/intents/eval.tsv (never tuned on)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ivr.config import DEFAULTS
from ivr.engine import Call
from ivr.intents import classify, is_complaint
from ivr.loader import load_menu, load_menu_text
from ivr.matching import best_match

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from intent_eval import MENUS, load_set, reached_person, routed_by_command_or_guard, say_at  # noqa: E402

HELD_OUT = [r for r in load_set() if r["split"] == "test"]


@pytest.fixture(scope="module")
def menus():
    return {name: load_menu(ROOT / "menus" / f"{name}.yaml") for name in set(MENUS.values())}


def _rate(rows, menus, node_of, good) -> float:
    hits = [good(say_at(menus[MENUS[r["lang"]]], node_of[MENUS[r["lang"]]], r["text"], DEFAULTS)) for r in rows]
    return sum(hits) / len(hits)


@pytest.mark.parametrize("where", [{"consumer-service": "main", "12351-hotline": "welcome"},
                                   {"consumer-service": "order_number", "12351-hotline": "wages"}],
                         ids=["top menus", "deeper nodes"])
def test_held_out_person_requests_reach_a_person_in_one_step(menus, where):
    asks = [r for r in HELD_OUT if r["intent"] == "human"]
    assert len(asks) >= 50 and {r["lang"] for r in asks} == {"en", "zh", "es"}
    assert _rate(asks, menus, where, reached_person) >= 0.97


@pytest.mark.parametrize("where", [{"consumer-service": "main", "12351-hotline": "welcome"},
                                   {"consumer-service": "billing", "12351-hotline": "contract"}],
                         ids=["top menus", "deeper nodes"])
def test_held_out_ordinary_answers_do_not_go_to_a_person(menus, where):
    answers = [r for r in HELD_OUT if r["intent"] == "none"]
    assert len(answers) >= 30
    assert _rate(answers, menus, where, routed_by_command_or_guard) <= 0.01


def test_held_out_navigation_and_complaints_are_recognised():
    rows = [r for r in HELD_OUT if r["intent"] in ("repeat", "back", "main_menu", "complaint")]
    right = sum((found := classify(r["text"])) is not None and found.name == r["intent"] for r in rows)
    assert right / len(rows) >= 0.9


@pytest.mark.parametrize("text", ["人工智能", "我在人工智能公司上班", "人工费怎么算", "human resources"])
def test_false_friends_of_a_person_word_do_not_match(text):
    assert best_match(text, [(["人工", "human"], "human")]) is None
    assert classify(text) is None


def test_a_menu_may_still_list_a_false_friend_as_its_own_phrase():
    assert best_match("我想学人工智能", [(["人工"], "human"), (["人工智能"], "ai")]) == "ai"


def test_hotline_sends_rengong_to_a_person_but_not_rengong_zhineng(menus):
    hotline = menus["12351-hotline"]
    call = Call(hotline)
    call.say("人工智能")
    assert call.outcome is None and call.node == "welcome"
    call = Call(hotline)
    call.say("帮我接通客服人员")
    assert call.outcome == "human" and call.steps == 1


def test_a_paraphrase_only_uses_commands_the_menu_has(menus):
    maze = load_menu(ROOT / "menus" / "maze.yaml")   # no global commands at all
    call = Call(maze)
    call.say("I want to talk to a real person")
    assert call.outcome is None and not any(e["type"] == "command" for e in call.events)


def test_navigation_paraphrases_yield_to_the_node_own_options():
    menu = load_menu_text("""
id: nav
title: an option that sounds like navigation
start: main
commands:
  human: {key: "0", say: [agent], to: agent}
  back: {key: "#", say: [back]}
  repeat: {key: "*", say: [repeat]}
nodes:
  main:
    kind: menu
    prompt: Say previous orders, or repeat.
    options:
      - {key: "1", say: [previous orders], to: orders}
  orders: {kind: hangup, prompt: Your orders.}
  agent: {kind: human, prompt: Connecting you.}
""", "nav.yaml")
    call = Call(menu)
    call.say("previous orders please")
    assert call.node == "orders"
    call = Call(menu)
    call.say("sorry I didn't catch that")
    assert [e["command"] for e in call.events if e["type"] == "command"] == ["repeat"]


@pytest.mark.parametrize("text", ["我要投诉", "3·15", "this is useless", "queja", "stupid machine"])
def test_complaints(text):
    assert is_complaint(text)


@pytest.mark.parametrize("text", ["my service is not working", "billing", "我要查话费", "someone stole my card"])
def test_ordinary_answers_are_not_complaints(text):
    assert classify(text) is None


@pytest.mark.parametrize("engine,said,person", [
    ("whisper", "can I talk to somebody", True),
    ("whisper", "what is the weather like tomorrow", False),
    ("pocketsphinx", "what is the weather like tomorrow", False)])
def test_spoken_paraphrase_reaches_a_person_through_the_closed_set_second_pass(menus, tmp_path, engine, said, person):
    """Real speech path (espeak-ng -> WAV -> recogniser): "can I talk to somebody"
    is none of main's phrases; the free-text second pass hears it as a request
    for a person, in each of three takes (espeak's noise differs take to take).
    Whisper is what `speech.engine: auto` picks for English. PocketSphinx heard
    this one in 7 takes of 10 ("and all that some of the" in the others; the
    whole spoken set: benchmarks/intent_eval.py --speech), so only its
    rejection of off-topic speech is asserted here."""
    if engine == "whisper":
        from ivr.speech.whisper_engine import WhisperRecognizer
        inner = WhisperRecognizer("whisper-tiny.en", "en")
    else:
        from ivr.speech.sphinx_engine import SphinxRecognizer
        inner = SphinxRecognizer()
    _say_at_main(menus, tmp_path, said, inner, takes=3, person=person)


def _say_at_main(menus, tmp_path, said: str, inner, takes: int, person: bool, need: int = 0) -> None:
    """`said`, synthesised afresh per take, as the one turn of a live call at
    consumer-service `main` (`ivr call --audio-in`): a person, or not, on `need`
    takes (every take unless given)."""
    from ivr.speech import tts
    from ivr.speech.calls import audio_turns
    from ivr.speech.paraphrase import ParaphraseRecognizer
    right, missed = 0, []
    for take in range(takes):
        wav = tmp_path / f"turn{take}.wav"
        tts.synthesize(said, "en", path=wav)
        call = Call(menus["consumer-service"])
        call.press("1")                                  # English -> main
        turns = audio_turns(call, [str(wav)], ParaphraseRecognizer(inner))
        if (call.outcome == "human") is person:
            right += 1
        else:
            missed.append(turns)
    assert right >= (need or takes), missed


@pytest.mark.parametrize("said,person", [
    ("put a real person on", True),       # the closed set alone heard "oh" (0.5-0.6): a listed key word
    ("supervisor", True),                 # free text heard "Supermiter"; scored as a candidate it wins
    ("can I pay online", False),          # heard "oh" with 0.97: never a person
    ("thanks", False)])
def test_spoken_person_request_wins_over_a_wrong_listed_phrase(menus, tmp_path, said, person):
    """espeak-ng -> WAV -> Whisper tiny.en as `ivr call --audio-in` runs it at
    consumer-service `main`: the closed set scores the lexicon's short person
    requests too, and a free transcript asking for a person comes before the
    closed set's answer (as typed text: a person before the node's options).
    Before, these requests were taken for a listed phrase or lost (dev split
    of benchmarks/intent_eval.py --speech). Two takes each."""
    from ivr.speech.whisper_engine import WhisperRecognizer
    _say_at_main(menus, tmp_path, said, WhisperRecognizer("whisper-tiny.en", "en"), takes=2, person=person)


@pytest.mark.parametrize("said", ["get me an operator", "I want a manager", "is there anyone I can talk to"])
def test_free_pass_prompted_with_the_nodes_phrases_hears_person_words(menus, tmp_path, said):
    """espeak-ng -> WAV -> Whisper tiny.en at consumer-service `main`, as `ivr
    call --audio-in` runs it: the free-text pass is told the node's phrases
    ("Phone menu: billing, …, agent, operator, …", its prompt), so these dev
    requests come out as person words. Unprompted, tiny.en wrote "Get to the
    upper rigor." / "Get me a hot burger.", "I want to demand adjourned.", "Is
    there really one I can talk to?" and the closed set heard "oh": no person.
    Two takes of three: 30 / 30 here, but CI's machine once heard a take of
    the third as "oh" (0.26) with no person in the free text; espeak-ng's
    audio differs take to take (benchmarks/intent_eval.py --speech has the rate)."""
    from ivr.speech.whisper_engine import WhisperRecognizer
    _say_at_main(menus, tmp_path, said, WhisperRecognizer("whisper-tiny.en", "en"), takes=3, person=True, need=2)


def test_prompted_free_pass_does_not_make_noise_or_other_speech_a_person(menus, tmp_path):
    """The prompt names person words: the model must not write them for what
    has none. A prompt of person requests ("I'd like to speak to an agent, an
    operator, …") did: white noise and Mandarin speech came out as "I'd like to
    speak to an agent.". The node's phrases as a list do not: 2 s of white
    noise and a real Mandarin sentence at `main` reach no person."""
    import numpy as np

    from ivr.speech import load_audio
    from ivr.speech.audio import save_wav
    from ivr.speech.calls import audio_turns
    from ivr.speech.paraphrase import ParaphraseRecognizer
    from ivr.speech.whisper_engine import WhisperRecognizer
    sys.path.insert(0, str(Path(__file__).parent))
    from speech_support import shared
    recognizer = ParaphraseRecognizer(WhisperRecognizer("whisper-tiny.en", "en"))
    noise = (np.random.default_rng(0).standard_normal(32000) * 0.05).astype(np.float32)
    mandarin = load_audio(sorted(shared("speech/zh").glob("*.wav"))[0])[:32000]
    for name, audio in (("noise", noise), ("mandarin", mandarin)):
        wav = tmp_path / f"{name}.wav"
        save_wav(wav, audio)
        call = Call(menus["consumer-service"])
        call.press("1")
        turns = audio_turns(call, [str(wav)], recognizer)
        assert call.outcome != "human", (name, turns)
        assert not routed_by_command_or_guard(call), (name, turns)


def test_context_prompt_is_the_nodes_words_in_english_only():
    """The prompt lists the node's phrases without the key names (digits would
    pull a spoken "one" into every transcript), once each; none for Chinese,
    where it is not measured."""
    from ivr.speech.whisper_engine import WhisperRecognizer
    tiny = WhisperRecognizer("whisper-tiny.en", "en")
    assert tiny.context_prompt(["billing", "one", "agent", "star", "billing", "real person"]) == \
        "Phone menu: billing, agent, real person."
    assert tiny.context_prompt(["one", "two"]) is None and tiny.context_prompt(None) is None
    tiny.code = "zh"
    assert tiny.context_prompt(["转人工"]) is None
