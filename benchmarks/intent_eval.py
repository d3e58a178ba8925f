""""A person, please" in any words: the intent layer against today's exact-phrase
matching, on the labelled set tests/data/intents/eval.tsv, in one run.

    .venv/bin/python benchmarks/intent_eval.py [--quick] [--speech] [--engine auto|pocketsphinx|...]

Every utterance is said (typed text) through the real call engine at every node
of a bundled menu where a caller can speak (English and Spanish at
menus/consumer-service.yaml, which offers both; Chinese at
menus/12351-hotline.yaml). Reported per split (dev: the lexicon was tuned on
it; test: held out):
- person requests that reach a person in that one step (goal >= 97 %);
- ordinary answers sent to a person by a global command or the guard (an
  option whose own target is a human node does not count; goal <= 1 %),
  for the set's ordinary answers and for every option phrase of the bundled menus;
- how often repeat / back / main menu / complaint paraphrases are recognised.
The baseline is today's matching (a command's listed phrases only, 人工 inside
人工智能 counting), in the same engine, same run.

--speech also synthesises the English utterances of a split with espeak-ng
(ivr.speech.tts), recognises them in free-text mode and as a live call at
consumer-service `main` (before spoken person paraphrases; with them but the
free-text pass not prompted with the node's phrases; and now), and says what
was heard at `main`, with the CPU per turn of each path.
"""
from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import ivr.intents as intents  # noqa: E402
import ivr.matching as matching  # noqa: E402
from ivr.config import DEFAULTS  # noqa: E402
from ivr.engine import AUTO_ADVANCE, PERSON_OUTCOMES, Call  # noqa: E402
from ivr.loader import load_menu  # noqa: E402

DATA = ROOT / "tests" / "data" / "intents" / "eval.tsv"
MENUS = {"en": "consumer-service", "es": "consumer-service", "zh": "12351-hotline"}


def load_set(path: Path = DATA) -> list[dict]:
    lines = [line.rstrip("\n") for line in path.open(encoding="utf-8") if line.strip() and not line.startswith("#")]
    head = lines[0].split("\t")
    return [dict(zip(head, line.split("\t"))) for line in lines[1:]]


@contextlib.contextmanager
def todays_matching():
    """The matching before the intent layer: listed phrases only, no false friends."""
    said, blank = matching.said_command, intents.blank_false_friends
    matching.said_command = lambda text, commands, paraphrases=(): matching.best_match(
        text, [(c.phrases, c.name) for c in commands])
    intents.blank_false_friends = lambda text, keep="": text
    try:
        yield
    finally:
        matching.said_command, intents.blank_false_friends = said, blank


def speaking_nodes(menu, quick: bool) -> list[str]:
    """Nodes where a caller's words are taken (asked, or a prompt one may cut in on)."""
    nodes = [nid for nid, n in menu.nodes.items() if n.takes_commands() and n.kind not in ("goto",)]
    return nodes[:3] if quick else nodes


def say_at(menu, node: str, text: str, config: dict, confidence: float = 1.0) -> Call:
    """A call put at `node` (as if just entered), where the caller says `text` once."""
    call = Call(menu, config)
    call.machine.set_state(node)
    call.entered(None)
    call.say(text, confidence, early=menu.nodes[node].kind in AUTO_ADVANCE)
    return call


def routed_by_command_or_guard(call: Call) -> bool:
    return any(e["type"] == "guard" or (e["type"] == "command" and e["command"] == "human") for e in call.events)


def reached_person(call: Call) -> bool:
    return call.outcome in PERSON_OUTCOMES


def command_given(call: Call) -> str:
    for event in call.events:
        if event["type"] == "command":
            return event["command"]
        if event["type"] == "guard":
            return "complaint" if event["reason"] == "complaint" else "guard"
    return "none"


def evaluate(rows: list[dict], menus: dict, nodes: dict, config: dict) -> dict:
    """Counts per (split, intent): trials, correct."""
    out: dict = {}
    for row in rows:
        menu = menus[MENUS[row["lang"]]]
        for node in nodes[menu.id]:
            call = say_at(menu, node, row["text"], config, float(row.get("confidence", 1.0)))
            intent = row["intent"]
            if intent == "human":
                ok = reached_person(call)
            elif intent == "complaint":  # a person, or the node's own option for complaints (12351 wages: 投诉)
                ok = reached_person(call) or any(e["type"] == "choose" for e in call.events)
            elif intent == "none":
                ok = not routed_by_command_or_guard(call)
            else:
                ok = command_given(call) == intent
            cell = out.setdefault((row["split"], intent), [0, 0])
            cell[0] += 1
            cell[1] += ok
    return out


def option_phrases(menus: dict) -> list[tuple[object, str, str]]:
    """(menu, node, phrase): every option phrase of the bundled menus, said where it is offered."""
    return [(menu, nid, phrase) for menu in menus.values() for nid, node in menu.nodes.items()
            for opt in node.options for phrase in opt.phrases]


def pct(cell) -> str:
    return f"{100.0 * cell[1] / cell[0]:6.1f} % ({cell[1]}/{cell[0]})" if cell and cell[0] else "   n/a"


class BeforeParaphrases:
    """The live path before spoken person paraphrases (the baseline): the
    node's phrases only, and the free-text pass only where they found nothing."""

    def __init__(self, inner, min_confidence: float):
        self.inner, self.min_confidence = inner, min_confidence

    def recognize(self, samples, choices):
        from ivr.intents import classify
        result = self.inner.recognize(samples, choices)
        if result.text and result.confidence >= self.min_confidence:
            return result
        free = self.inner.recognize(samples, None)
        if free.text and classify(free.text):
            free.engine = f"{free.engine} (free text: a paraphrase)"
            return free
        return result


class WithoutContext:
    """The engine with its free-text pass told nothing of the node (the live
    call before the node's phrases were given to it as a prompt)."""

    def __init__(self, inner):
        self.inner, self.name, self.rate = inner, inner.name, inner.rate

    def recognize(self, samples, choices=None, sequence=False):
        return self.inner.recognize(samples, choices, sequence)

    def free_text(self, samples, context=None):
        return self.inner.free_text(samples)


def speech_rows(rows: list[dict], engine: str, config: dict, every: int, menu, split: str = "test",
                model=None) -> dict:
    """English utterances of `split`, synthesised, then recognised (1) in
    free-text mode, and as a live call at consumer-service `main` (2) before
    and (3, 4) with spoken person paraphrases (ivr.speech.paraphrase: the node's
    phrases plus the lexicon's short person requests, and a free transcript
    asking for a person before the closed set's answer), (3) without and (4)
    with the node's phrases as the free-text pass's prompt."""
    from ivr.speech import tts
    from ivr.speech.paraphrase import ParaphraseRecognizer
    from ivr.speech.recognizer import get_recognizer
    from ivr.speech.vocabulary import vocabulary

    recognizer = get_recognizer(engine, "en", config, model=model)
    gate = config["speech"]["min_confidence"]
    paths = {"free text": (recognizer, None),
             "live call before (node phrases, then free text if nothing)": (
                 BeforeParaphrases(recognizer, gate), vocabulary(menu, "main")),
             "live call, free pass without the node's phrases as prompt (before)": (
                 ParaphraseRecognizer(WithoutContext(recognizer), gate), vocabulary(menu, "main", paraphrases=True)),
             "live call now (node phrases + person requests, free-text person first, "
             "its prompt the node's phrases)": (
                 ParaphraseRecognizer(recognizer, gate), vocabulary(menu, "main", paraphrases=True))}
    picked = [r for r in rows if r["lang"] == "en" and r["split"] == split and r["intent"] in ("human", "none")]
    picked = picked[::every]
    heard = {path: [] for path in paths}
    cpu = dict.fromkeys(paths, 0.0)
    for row in picked:
        audio = tts.synthesize(row["text"], "en", config)
        for path, (rec, phrases) in paths.items():
            if hasattr(recognizer, "_last_encoded"):     # Whisper keeps the last encoding: each path pays its own
                recognizer._last_encoded = (None, None)
            start = time.process_time()
            got = rec.recognize(audio, phrases)
            cpu[path] += time.process_time() - start
            heard[path].append(dict(row, text=got.text, said=row["text"], engine=got.engine,
                                    confidence=got.confidence))
    n = max(len(picked), 1)
    print(f"  ({len(picked)} utterances through {recognizer.name}; CPU each: "
          + ", ".join(f"{path.split(' (')[0]} {cpu[path] / n:.2f} s" for path in paths) + ")", file=sys.stderr)
    return heard


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 nodes per menu (speech: every 4th utterance)")
    parser.add_argument("--speech", action="store_true", help="also the English test set through TTS + recogniser")
    parser.add_argument("--engine", default="auto", help="recogniser for --speech (free-text mode)")
    parser.add_argument("--speech-every", type=int, help="--speech: every Nth utterance (default 1; 4 with --quick)")
    parser.add_argument("--model", help="speech model for --speech (e.g. whisper-base; default: config.yaml)")
    parser.add_argument("--speech-split", choices=["dev", "test"], default="test",
                        help="the split --speech synthesises (test: the figure; dev: to look at errors)")
    parser.add_argument("--show-errors", choices=["dev", "test"], help="list the misses of that split")
    args = parser.parse_args()
    config = dict(DEFAULTS)
    rows = load_set()
    menus = {name: load_menu(ROOT / "menus" / f"{name}.yaml", config=config)
             for name in ("consumer-service", "12351-hotline")}
    nodes = {m.id: speaking_nodes(m, args.quick) for m in menus.values()}
    started = time.perf_counter()
    with todays_matching():
        base = evaluate(rows, menus, nodes, {**config, "guard": {**config["guard"], "enabled": False}})
        base_opts = sum(routed_by_command_or_guard(say_at(m, n, p, config)) for m, n, p in option_phrases(menus))
    new = evaluate(rows, menus, nodes, config)
    new_opts = sum(routed_by_command_or_guard(say_at(m, n, p, config)) for m, n, p in option_phrases(menus))
    n_opts = len(option_phrases(menus))
    print(f"{len(rows)} utterances × the speaking nodes of their menu "
          f"({', '.join(f'{k}: {len(v)}' for k, v in nodes.items())}); {time.perf_counter() - started:.1f} s")
    print(f"{'':44} {'exact phrases (today)':>24} {'intent layer':>24}")
    labels = [("human", "person requests reaching a person"), ("none", "ordinary answers NOT sent to a person"),
              ("repeat", "'repeat' paraphrases"), ("back", "'back' paraphrases"),
              ("main_menu", "'main menu' paraphrases"), ("complaint", "complaints: a person (or their option)")]
    for split in ("dev", "test"):
        for intent, label in labels:
            key = (split, intent)
            print(f"{split:<5} {label:<38} {pct(base.get(key)):>24} {pct(new.get(key)):>24}")
    print(f"{'all':<5} {'menu option phrases sent to a person':<38} "
          f"{pct([n_opts, base_opts]):>24} {pct([n_opts, new_opts]):>24}")
    if args.show_errors:
        for row in rows:
            if row["split"] != args.show_errors:
                continue
            menu = menus[MENUS[row["lang"]]]
            for node in nodes[menu.id]:
                call = say_at(menu, node, row["text"], config)
                ok = (reached_person(call) or (row["intent"] == "complaint" and "choose" in {e["type"] for e in call.events})
                      if row["intent"] in ("human", "complaint") else
                      not routed_by_command_or_guard(call) if row["intent"] == "none" else
                      command_given(call) == row["intent"])
                if not ok:
                    print(f"  miss: {row['intent']:<9} at {node:<16} {row['text']!r} -> {command_given(call)}")
    if args.speech:
        heard = speech_rows(rows, args.engine, config, args.speech_every or (4 if args.quick else 1),
                            menus["consumer-service"], args.speech_split, args.model)
        split = args.speech_split
        at_main = {m: ["main"] for m in nodes}
        for label, said in heard.items():
            with todays_matching():
                sb = evaluate(said, menus, at_main, {**config, "guard": {"enabled": False}})
            sn = evaluate(said, menus, at_main, config)
            engine = said[0]["engine"].split(" (")[0] if said else args.engine
            print(f"speech, English {split} split: espeak-ng -> {engine} ({args.model or 'config.yaml model'}), "
                  f"{label} -> consumer-service main")
            print(f"{split:<5} {'person requests reaching a person':<38} {pct(sb.get((split, 'human'))):>24} "
                  f"{pct(sn.get((split, 'human'))):>24}")
            print(f"{split:<5} {'ordinary answers NOT sent to a person':<38} {pct(sb.get((split, 'none'))):>24} "
                  f"{pct(sn.get((split, 'none'))):>24}")
        if args.show_errors:
            for said in zip(*heard.values()):
                print(f"  {said[0]['intent']:<6} {said[0]['said']!r}: "
                      + "; ".join(f"{h['text']!r} ({h['confidence']:.2f})" for h in said))
    return 0


if __name__ == "__main__":
    sys.exit(main())
