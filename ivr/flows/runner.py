"""Run scenarios on the call engine and check their expectations.

Each scenario is one `TracedCall`: the engine's Call, unchanged, with a note
taken after every state-machine transition so coverage knows exactly which
designed transition fired (an option, `next`, a no_input/no_match policy, a
global command, a priority route). Files run in parallel processes.
"""
from __future__ import annotations

import difflib
import functools
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ..transcript import describe
from ..engine import Call
from ..errors import IvrError
from ..matching import normalise
from ..model import Menu
from ..script import run_step
from .scenario import Scenario, Step, load_scenarios, scenario_config

DEFAULT_SIMILARITY = 0.8


class TracedCall(Call):
    """A Call that records each designed transition as (node, label)."""

    def __init__(self, *args: Any, **kwargs: Any):
        self.fired: list[tuple[str, str]] = []
        super().__init__(*args, **kwargs)

    def _transitions(self) -> list[dict]:
        self.fired: list[tuple[str, str]] = []
        out = super()._transitions()
        for t in out:
            after = t.get("after")
            t["after"] = ([after] if isinstance(after, str) else list(after or [])) + ["_note_fired"]
        return out

    def _note_fired(self, event: Any) -> None:
        label = transition_label(event.event.name, bool(event.transition.conditions))
        if label:
            self.fired.append((event.transition.source, label))


def transition_label(trigger: str, retried: bool) -> Optional[str]:
    """Coverage label of an engine trigger (see ivr.flows.coverage)."""
    if trigger.startswith("choose_"):
        return f"option {trigger[7:]}"
    if trigger in ("prompt_done", "input_done"):
        return "next"
    if trigger in ("silence", "wrong_input"):
        return None if retried else ("no_input" if trigger == "silence" else "no_match")
    if trigger.startswith("cmd_"):
        return f"command {trigger[4:]}"
    if trigger.startswith("route_"):
        return f"route {trigger[6:]}"
    return None


@dataclass
class ScenarioResult:
    name: str
    file: str
    line: int
    menu_id: str
    menu_path: str
    passed: bool
    failures: list[str]
    path: list[str]
    outcome: str
    elapsed_s: float
    steps: int
    transcript: list[str]
    fired: list[tuple[str, str]]
    seconds: float = 0.0          # real time spent

    def to_dict(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k != "fired"}
        out["fired"] = [list(f) for f in self.fired]
        return out


@dataclass
class _Checker:
    """Compares a call with expectations; collects readable failures."""
    call: TracedCall
    failures: list[str] = field(default_factory=list)
    heard_from: int = 0   # index in events where "since the last caller action" starts

    def path(self) -> list[str]:
        return [e["node"] for e in self.call.events if e["type"] == "enter"]

    def heard(self, since: int = 0) -> list[str]:
        return [e.get("prompt") or e.get("text", "") for e in self.call.events[since:]
                if e["type"] in ("enter", "answer") and (e.get("prompt") or e.get("text"))]

    def fail(self, where: Any, what: str, expected: Any, actual: Any) -> None:
        self.failures.append(f"{where}: {what}\n    expected: {expected}\n    actual:   {actual}")

    def expect(self, exp: dict, where: Any) -> None:
        call = self.call
        node = call.menu.nodes.get(call.node)
        kind = node.kind if node else "disconnected"
        path = self.path()
        places = getattr(exp, "key_where", {})

        def at(key: str) -> Any:  # the failing expectation's own line
            return places.get(key, where)

        if "node" in exp and call.node != exp["node"]:
            self.fail(at("node"), "caller is at the wrong node", exp["node"], call.node)
        if "kind" in exp and kind != exp["kind"]:
            self.fail(at("kind"), "caller is at the wrong kind of node", exp["kind"], f"{kind} ({call.node})")
        wanted = exp.get("reaches_kind", [])
        kinds = {e["kind"] for e in call.events if e["type"] == "enter"}
        missing = [k for k in ([wanted] if isinstance(wanted, str) else wanted) if k not in kinds]
        if missing:
            self.fail(at("reaches_kind"), "the caller never reached a node of this kind", ", ".join(missing),
                      "kinds passed: " + ", ".join(sorted(kinds)))
        outcome = call.outcome or "in_progress"
        if "outcome" in exp and outcome != exp["outcome"]:
            self.fail(at("outcome"), "the call ended differently", exp["outcome"], outcome)
        if "path" in exp and path != list(exp["path"]):
            self.failures.append(f"{at('path')}: the caller took another path\n" + path_diff(list(exp["path"]), path))
        if "visits" in exp and not is_subsequence(list(exp["visits"]), path):
            self.fail(at("visits"), "the caller did not visit these nodes in this order", " → ".join(exp["visits"]),
                      " → ".join(path))
        entered = [n for n in exp.get("avoids", []) if n in path]
        if entered:
            self.fail(at("avoids"), "the caller entered a node to avoid", f"never {', '.join(entered)}",
                      " → ".join(path))
        if "within_s" in exp and call.clock > exp["within_s"] + 1e-9:
            self.fail(at("within_s"), "too slow (virtual seconds)", f"≤ {exp['within_s']} s", f"{call.clock} s")
        if "within_steps" in exp and call.steps > exp["within_steps"]:
            self.fail(at("within_steps"), "too many caller actions", f"≤ {exp['within_steps']}", call.steps)
        if "hear" in exp:
            self.hear(exp["hear"], at("hear"))
        for name, value in exp.get("collected", {}).items():
            if call.collected.get(name) != str(value):
                self.fail(at("collected"), f"collected {name!r} differs", str(value),
                          call.collected.get(name, "(nothing)"))
        if "work_order" in exp:
            self.work_order(exp["work_order"], at("work_order"))

    def hear(self, spec: Any, where: Any) -> None:
        prompts = self.heard(self.heard_from)
        if isinstance(spec, str):
            spec = {"contains": spec}
        if "contains" in spec:
            want = normalise(spec["contains"])
            if not any(want in normalise(p) for p in prompts):
                self.fail(where, "no prompt since the last action contains the text", repr(spec["contains"]),
                          _quote(prompts))
            return
        least = spec.get("min", DEFAULT_SIMILARITY)
        best = max((similarity(spec["similar"], p) for p in prompts), default=0.0)
        if best < least:
            self.fail(where, f"no prompt since the last action is similar enough (best {best:.2f} < {least})",
                      repr(spec["similar"]), _quote(prompts))

    def work_order(self, spec: dict, where: Any) -> None:
        orders = [e for e in self.call.events if e["type"] == "work_order"]
        for order in orders:
            if "category" in spec and order["category"] != spec["category"]:
                continue
            if any(order["facts"].get(k) != str(v) for k, v in spec.get("facts", {}).items()):
                continue
            if any(s not in order["said"] for s in spec.get("said", [])):
                continue
            return
        actual = [{k: o[k] for k in ("category", "facts", "said")} for o in orders] or "no work order"
        self.fail(where, "no work order matches", dict(spec), actual)


def _quote(prompts: list[str]) -> str:
    return " | ".join(repr(p[:120]) for p in prompts) or "(no prompt played)"


def similarity(expected: str, prompt: str) -> float:
    """0..1: how closely `expected` matches the best same-length stretch of
    `prompt` (normalised), so a sentence can be checked inside a long prompt."""
    want, have = normalise(expected), normalise(prompt)
    if not want or not have:
        return 0.0
    if len(have) <= len(want):
        return difflib.SequenceMatcher(None, want, have).ratio()
    best = 0.0
    for start in range(len(have) - len(want) + 1):
        best = max(best, difflib.SequenceMatcher(None, want, have[start:start + len(want)]).ratio())
        if best == 1.0:
            break
    return best


def is_subsequence(wanted: list[str], path: list[str]) -> bool:
    it = iter(path)
    return all(node in it for node in wanted)


def path_diff(expected: list[str], actual: list[str]) -> str:
    """The two paths side by side as a unified diff, one node a line."""
    lines = difflib.unified_diff(expected, actual, "expected path", "actual path", lineterm="", n=2)
    return "\n".join("    " + line for line in lines)


def run_scenario(scenario: Scenario, menu: Menu, config: dict,
                 speech: Optional[Callable[..., tuple[str, float]]] = None) -> ScenarioResult:
    """Play the scenario's steps on a fresh call and check every expectation.
    `speech(said, menu, config, node)` recognises audio/tts steps (default:
    ivr.flows.speech.recognise_step)."""

    started = time.perf_counter()
    call = TracedCall(menu, config, route=scenario.route)
    check = _Checker(call)
    for step in scenario.steps:
        _run_step(check, step, speech)
    call.settle()  # the caller listens on after the last step
    if scenario.expect is not None:
        check.expect(scenario.expect, scenario.expect_where)
    return ScenarioResult(
        name=scenario.name, file=scenario.file, line=scenario.where.line, menu_id=menu.id,
        menu_path=scenario.menu_path, passed=not check.failures, failures=check.failures, path=check.path(),
        outcome=call.outcome or "in_progress", elapsed_s=call.clock, steps=call.steps,
        transcript=[describe(e) for e in call.events], fired=call.fired,
        seconds=round(time.perf_counter() - started, 4))


def _run_step(check: _Checker, step: Step, speech: Optional[Callable]) -> None:
    call = check.call
    if step.verb in ("expect", "hear") or (step.verb in ("press", "say") and not step.early):
        call.settle()  # what plays now is heard to its end (as a press or say would anyway)
    if step.verb == "expect":
        check.expect(step.arg, step.where)
        return
    if step.verb == "hear":
        check.hear(step.arg, step.where)
        return
    if call.ended:
        check.fail(step.where, f"the call already ended before this {step.verb} step",
                   f"a live call for `{step.verb}`", f"ended: {call.outcome} at {call.node}")
        return
    check.heard_from = len(call.events)
    if step.verb != "say":
        run_step(call, step)  # press, wait, hangup: exactly as in `ivr call --script`
    else:
        said = step.arg
        if "text" in said:
            text, confidence = said["text"], float(said.get("confidence", 1.0))
        else:
            if speech is None:
                from .speech import recognise_step as speech
            try:
                text, confidence = speech(said, call.menu, call.config, call.node)
            except IvrError as err:  # no model, no voice, bad audio: name the step too
                raise IvrError(f"{err.problem} (in this `say` step)", err.fix, step.where, err.code) from None
            confidence = float(said.get("confidence", confidence))
        call.say(text, confidence=confidence, early=step.early)


_MENUS: dict = {}  # menus loaded in this process (each worker keeps its own)


def run_file(file: str, default_config: Optional[str] = None) -> tuple[list[ScenarioResult], Menu]:
    """Load one scenario file (input errors raise IvrError) and run it."""
    scenarios, menu = load_scenarios(file, _MENUS, default_config)
    return [run_scenario(s, menu, scenario_config(s.config_path, _MENUS)) for s in scenarios], menu


def _run_file_safely(file: str, default_config: Optional[str] = None
                     ) -> tuple[tuple[list[ScenarioResult], Optional[Menu]], Optional[str]]:
    """run_file for a worker process: an input error comes back as its text."""
    try:
        return run_file(file, default_config), None
    except IvrError as err:
        return ([], None), str(err)


def _worker_context():
    """Workers fork from a clean forkserver process, not from this one: after a
    speech scenario this process holds pyttsx3/espeak-ng's (or vosk's, Whisper's)
    threads and locks, and a forked copy of a held lock hangs the worker forever."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["ivr.flows.runner"])   # imported once, in the server
    return context


def run_files(files: list[str], jobs: int = 0, on_file_done: Optional[Callable[[int], None]] = None,
              default_config: Optional[str] = None) -> tuple[list[ScenarioResult], dict]:
    """Run every file, in `jobs` processes (0: one per CPU). Any input error
    (bad scenario or menu) raises IvrError once all files were read, so no
    partial result is reported. Returns (results in file order, menus by path).
    `default_config` serves the files that name no `config:`."""
    jobs = jobs or os.cpu_count() or 1
    run_one = functools.partial(_run_file_safely, default_config=default_config)
    outcomes: list = []
    if jobs == 1 or len(files) < 2:
        for file in files:
            outcomes.append(run_one(file))
            if on_file_done:
                on_file_done(1)
    else:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=_worker_context()) as pool:
            for outcome in pool.map(run_one, files, chunksize=max(1, len(files) // (jobs * 4))):
                outcomes.append(outcome)
                if on_file_done:
                    on_file_done(1)
    errors = list(dict.fromkeys(err for _, err in outcomes if err))  # a bad menu: once, not per file
    if errors:
        raise IvrError("\n".join(errors), code="bad-scenario")
    results = [r for (batch, _), _ in outcomes for r in batch]
    menus = {r.menu_path: menu for (batch, menu), _ in outcomes for r in batch}
    return results, menus
