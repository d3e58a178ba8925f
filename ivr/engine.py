"""The call engine: one menu call as a `transitions` state machine.

One state per node, plus `@ringing` (before the call is answered) and
`@disconnected` (the line hung up). Triggers, declared up front from the menu:

    answer / route_<name>        start the call (a priority route skips the menu)
    choose_<i>                   option i of the current node was picked
    cmd_human, cmd_repeat,
    cmd_back, cmd_main_menu      global commands, from every state that has them on
    back_to_<node>               added when first needed: `back` to where this caller came from
    silence, wrong_input         no_input / no_match: replay while retries last, then the policy
    prompt_done                  an announcement/answer/work order finished: go to `next`
                                 (a work order is filed on the way out)
    input_done                   an input node got its digits: go to `next`
    caller_hangup                the caller hung up
    guard_to_person              added when needed: the never-stranded guard (ivr.guard) takes
                                 the caller to the human node, or to `@fallback_agent`

Time is virtual: `clock` advances by prompt durations (ivr.timing) and by the
caller's waits; nothing sleeps. Callers listen to each prompt to its end
unless they act `early` on a node that allows barge-in.

An announcement, a self-service node that asks nothing, or a work order is
*playing* while its prompt lasts: the call stays in that node's state until
`prompt_end` (a goto or a zero-length prompt moves on at once). There an
`early` caller (barge-in on) can use the global commands; other keys and
words are ignored. Any other action first plays the prompt out and moves on
(repeatedly), `wait` lets time pass through it, `hangup` ends the call there
and then, and `settle()` plays everything out for a caller who keeps listening.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from transitions import Machine, State

from . import matching
from .config import DEFAULTS
from .files import inside_folder
from .guard import guard_for
from .intents import COMMAND_INTENTS, is_complaint
from .model import GLOBAL_COMMANDS, TERMINAL_KINDS, Menu, Node
from .timing import estimate_seconds, prompt_seconds

RINGING, DISCONNECTED = "@ringing", "@disconnected"
FALLBACK = "@fallback_agent"  # the guard's agent line (config.yaml) where the menu has no human node
PERSON_OUTCOMES = ("human", "fallback_agent")
PLAYED = ("announcement", "self_service", "work_order")  # play their prompt, then move on
AUTO_ADVANCE = PLAYED + ("goto",)
MAX_AUTO_MOVES = 1000  # goto/announcement chains without a caller action


class Call:
    """A single call through `menu`. Drive it with press/say/wait/hangup."""

    auto_transitions = False  # transitions' to_<state> jumps: n² to declare; benchmarks/engine_calls.py

    def __init__(self, menu: Menu, config: Optional[dict] = None, route: Optional[str] = None,
                 machine: Optional[Machine] = None):
        self.menu = menu
        self.config = config or DEFAULTS
        self.clock = 0.0
        self.steps = 0                  # caller actions taken
        self.events: list[dict] = []
        self.collected: dict[str, str] = {}
        self.heard: list[str] = []      # what the caller said, in order
        self.history: list[str] = []    # nodes where the caller chose, for `back`
        self.tries = {"no_input": 0, "no_match": 0}
        self.outcome: Optional[str] = None
        self.digits = ""                # input node buffer
        self.prompt_end = 0.0
        self.silent_since = 0.0         # the caller's last action: silence adds up across waits
        self._entry_just_filled = False  # a fixed-length entry just completed: a `#` next only ends it
        self._auto_moves = 0
        self._last_node: Optional[str] = None
        self.guard = guard_for(menu, self.config)
        self.failures = 0               # failed turns in a row, across nodes (the guard's count)
        if machine is None:
            self.machine = Machine(model=self, states=self._states(), initial=RINGING,
                                   transitions=self._transitions(), send_event=True, queued=True,
                                   auto_transitions=self.auto_transitions, ignore_invalid_triggers=False)
        else:   # another call's machine for the same menu and class (declaring one costs ~200 transitions):
            self._human = menu.resolve("@human")   # the crawl of `ivr test --generate` replays thousands
            self.machine = machine
            machine.add_model(self, initial=RINGING)
        self.route_used = route
        if route:
            self.trigger(f"route_{route}")
        else:
            self.answer()

    # ---- declaration ------------------------------------------------------
    def _states(self) -> list[State]:
        states = [State(nid, on_enter=["entered"]) for nid in self.menu.nodes]
        return states + [State(RINGING), State(DISCONNECTED, on_enter=["disconnected"]),
                         State(FALLBACK, on_enter=["fallback_reached"])]

    def _dest(self, target: str, source: str) -> str:
        if target == "@repeat":
            return "="
        if target == "@hangup":
            return DISCONNECTED
        if target == "@human":
            return self._human or DISCONNECTED
        return self.menu.resolve(target, source) or DISCONNECTED

    def _transitions(self) -> list[dict]:
        menu, out = self.menu, []
        self._human = menu.resolve("@human")  # once: finding the human node scans the menu
        out.append({"trigger": "answer", "source": RINGING, "dest": menu.start})
        for route in menu.priority_routes:
            out.append({"trigger": f"route_{route['name']}", "source": RINGING,
                        "dest": self._dest(route["to"], RINGING)})
        for node in menu.nodes.values():
            src = node.id
            for i, opt in enumerate(node.options):
                if opt.target == "@back":
                    out.append({"trigger": f"choose_{i}", "source": src, "dest": None, "after": "go_back"})
                else:
                    out.append({"trigger": f"choose_{i}", "source": src, "dest": self._dest(opt.target, src),
                                "before": "remember"})
            for trigger, policy in (("silence", node.no_input), ("wrong_input", node.no_match)):
                if not node.waits_for_caller():
                    break
                kind = "no_input" if trigger == "silence" else "no_match"
                out.append({"trigger": trigger, "source": src, "dest": "=", "conditions": f"can_retry_{kind}",
                            "before": f"count_{kind}"})
                if policy.then == "@back":
                    out.append({"trigger": trigger, "source": src, "dest": None, "after": "go_back"})
                else:
                    out.append({"trigger": trigger, "source": src, "dest": self._dest(policy.then, src)})
            filed = ["file_work_order"] if node.kind == "work_order" else []
            if node.next:
                done = "input_done" if node.kind == "input" else "prompt_done"
                out.append({"trigger": done, "source": src, "dest": self._dest(node.next, src), "before": filed})
            if node.kind in ("self_service", "work_order") and not node.next:
                out.append({"trigger": "prompt_done", "source": src, "dest": DISCONNECTED, "before": filed})
            out += self._command_transitions(node)
        live = [s for s in menu.nodes] + [RINGING]
        out.append({"trigger": "caller_hangup", "source": live, "dest": DISCONNECTED, "before": "mark_caller_hangup"})
        return out

    def _command_transitions(self, node: Node) -> list[dict]:
        if node.kind in TERMINAL_KINDS:
            return []
        out = []
        if self.menu.command("human", node) and self._human:
            out.append({"trigger": "cmd_human", "source": node.id, "dest": self._human})
        if self.menu.command("main_menu", node):
            out.append({"trigger": "cmd_main_menu", "source": node.id, "dest": self.menu.start})
        if self.menu.command("repeat", node):
            out.append({"trigger": "cmd_repeat", "source": node.id, "dest": "="})
        if self.menu.command("back", node):
            out.append({"trigger": "cmd_back", "source": node.id, "dest": None, "after": "go_back"})
        return out

    # ---- callbacks (named in the declarations above) ------------------------
    @property
    def node(self) -> str:
        return self.state

    @property
    def ended(self) -> bool:
        return self.outcome is not None

    @property
    def playing(self) -> bool:
        """Is an announcement-like prompt playing (the call moves on when it ends)?"""
        node = self.menu.nodes.get(self.state)
        return not self.ended and node is not None and node.kind in PLAYED and not node.waits_for_caller()

    def log(self, type_: str, **detail: Any) -> None:
        if type_ in ("choose", "command", "input", "answer"):
            self.failures = 0  # a turn that worked ends a run of failures
        self.clock = round(self.clock, 3)
        self.events.append({"t": round(self.clock, 2), "type": type_, "node": self.state, **detail})

    def entered(self, event: Any) -> None:
        node = self.menu.nodes[self.state]
        if self.state != self._last_node:
            self.tries = {"no_input": 0, "no_match": 0}
        self._last_node = self.state
        self.digits = ""
        seconds = prompt_seconds(node, self.menu.language, self.config)
        self.log("enter", kind=node.kind, prompt=node.spoken_text(), prompt_s=seconds, barge_in=node.barge_in,
                 advert=node.advert)
        self.prompt_end = self.clock + seconds
        if node.waits_for_caller() or (self.playing and seconds > 0):
            return  # the caller is asked, or listens until prompt_end
        if node.kind in AUTO_ADVANCE:
            self._move_on()
        elif node.kind in ("human", "hangup", "unknown"):
            self.clock = self.prompt_end
            self.finish(node.kind)

    def _move_on(self) -> None:
        """The prompt is over: go to `next` (the loop guard stops announcement/goto cycles)."""
        self.clock = self.prompt_end
        self._auto_moves += 1
        if self._auto_moves > MAX_AUTO_MOVES:
            self.finish("loop")
        else:
            self.prompt_done()

    def settle(self) -> None:
        """The caller keeps listening: play out whatever is playing, up to a
        node that asks the caller (or the end of the call)."""
        while self.playing:
            self._move_on()

    def file_work_order(self, event: Any) -> None:
        node = self.menu.nodes[self.state]
        self.log("work_order", category=node.category, facts=dict(self.collected), said=list(self.heard))

    def disconnected(self, event: Any) -> None:
        self.finish(self.outcome or "disconnected")

    def mark_caller_hangup(self, event: Any) -> None:
        self.outcome = "caller_hangup"

    def finish(self, outcome: str) -> None:
        self.outcome = outcome
        self.log("end", outcome=outcome, kind=self._kind())

    def remember(self, event: Any) -> None:
        self.history.append(self.state)

    def go_back(self, event: Any) -> None:
        """`back` goes wherever the caller came from, which only the call knows:
        its one transition is declared the first time it is needed (declaring
        every node-to-node jump up front costs n² per call)."""
        target = self.history.pop() if self.history else self.menu.start
        trigger = f"back_to_{target}"
        if trigger not in self.machine.get_triggers(self.state):
            self.machine.add_transition(trigger, self.state, target)
        self.trigger(trigger)

    def can_retry_no_input(self, event: Any) -> bool:
        return self.tries["no_input"] < self.menu.nodes[self.state].no_input.retries

    def can_retry_no_match(self, event: Any) -> bool:
        return self.tries["no_match"] < self.menu.nodes[self.state].no_match.retries

    def count_no_input(self, event: Any) -> None:
        self.tries["no_input"] += 1

    def count_no_match(self, event: Any) -> None:
        self.tries["no_match"] += 1

    def _kind(self) -> str:
        node = self.menu.nodes.get(self.state)
        if self.state == FALLBACK:
            return "human"
        return node.kind if node else "disconnected"

    # ---- never stranded (ivr.guard) -----------------------------------------
    def _failed(self, trigger: str, complaint: bool = False) -> None:
        """A failed turn (`silence` or `wrong_input`): the node's own policy,
        unless the guard takes over — on a complaint, or after N failures in a
        row where the policy itself would not now send the caller to a person."""
        self.failures += 1
        node = self.menu.nodes[self.state]
        kind = "no_input" if trigger == "silence" else "no_match"
        policy = node.no_input if kind == "no_input" else node.no_match
        policy_to_person = (self.tries[kind] >= policy.retries
                            and self._kind_of(self._dest(policy.then, self.state)) == "human")
        if self.guard.enabled and (complaint or (self.failures >= self.guard.max_failures and not policy_to_person)):
            self._guard_to_person("complaint" if complaint else f"{self.failures} failed turns in a row")
        else:
            self.trigger(trigger)

    def _kind_of(self, state: str) -> str:
        node = self.menu.nodes.get(state)
        return node.kind if node else state

    def _guard_to_person(self, reason: str) -> None:
        dest = self._human or FALLBACK
        self.log("guard", reason=reason, to=dest)
        if "guard_to_person" not in self.machine.get_triggers(self.state):
            self.machine.add_transition("guard_to_person", self.state, dest)
        self.trigger("guard_to_person")

    def fallback_reached(self, event: Any) -> None:
        line = self.guard.fallback_agent
        self.log("fallback_agent", name=line.get("name", ""), number=line.get("number", ""))
        self.finish("fallback_agent")

    # ---- what the caller does ---------------------------------------------
    def _act(self, early: bool) -> Optional[Node]:
        """Move the clock (and the call, past prompts the caller cannot
        interrupt) to when the caller acts; None if the call is over."""
        while self.playing and not (early and self.menu.nodes[self.state].barge_in):
            self._move_on()
        if self.ended:
            return None
        node = self.menu.nodes[self.state]
        if not (early and node.barge_in):
            self.clock = max(self.clock, self.prompt_end)
        self.steps += 1
        self._auto_moves = 0
        self.silent_since = self.clock
        return node

    def press(self, keys: str, early: bool = False) -> None:
        """Press one or more DTMF keys; keys after a move go to the next node."""
        for key in keys:
            if key == "#" and self._entry_just_filled:   # the `#` the prompt asked to end the entry with
                self._entry_just_filled = False            # closes the entry, it is not `back` at the next node
                self.log("key", key=key, ignored="ends the entry that was already complete")
                continue
            node = self._act(early)
            if node is None:
                return
            self._entry_just_filled = False
            self.log("key", key=key)
            if node.kind == "input" and node.input_mode == "digits":
                self._input_key(node, key)
            else:
                self._menu_key(node, key)

    def _commands_here(self, node: Node) -> list:
        """The global commands that have a transition from the current state."""
        triggers = set(self.machine.get_triggers(self.state))
        return [cmd for name in GLOBAL_COMMANDS
                if (cmd := self.menu.command(name, node)) and f"cmd_{name}" in triggers]

    def _command(self, name: str) -> None:
        self.log("command", command=name)
        self.trigger(f"cmd_{name}")

    def _store_input(self, node: Node, value: str) -> None:
        self.collected[node.input_name or node.id] = value
        self.log("input", name=node.input_name or node.id, value=value)
        self.history.append(self.state)
        self.input_done()

    def _menu_key(self, node: Node, key: str) -> None:
        for cmd in self._commands_here(node):
            if cmd.key == key:
                self._command(cmd.name)
                return
        for i, opt in enumerate(node.options):
            if opt.key == key:
                self.log("choose", option=i, target=opt.target)
                self.trigger(f"choose_{i}")
                return
        self._no_match(key=key)

    def _no_match(self, **detail: Any) -> None:
        """Input that fits nothing here: a wrong input, or ignored while a prompt plays
        (a complaint is heard even then: the guard takes the caller to a person)."""
        complaint = bool("text" in detail and "reason" not in detail and self.guard.enabled
                         and is_complaint(detail["text"]))
        if self.playing:
            self.log("ignored", **detail)
            if complaint:
                self._guard_to_person("complaint")
            return
        self.log("no_match", **detail)
        self._failed("wrong_input", complaint=complaint)

    def _input_key(self, node: Node, key: str) -> None:
        if key == "#" or len(self.digits) + 1 > node.input_digits[1]:
            if key != "#":
                self.digits += key
            self._complete_input(node)
        elif key in "0123456789":
            self.digits += key
            if len(self.digits) == node.input_digits[1]:
                self._complete_input(node)
                self._entry_just_filled = True
        else:
            self._menu_key(node, key)  # * and other command keys

    def _complete_input(self, node: Node) -> None:
        entry, self.digits = self.digits, ""
        human = self.menu.command("human", node)
        if human and human.key and entry == human.key and node.input_digits[0] > 1:
            self._command("human")
        elif node.input_digits[0] <= len(entry) <= node.input_digits[1]:
            self._store_input(node, entry)
        else:
            self.log("no_match", entry=entry, reason=f"want {node.input_digits[0]}-{node.input_digits[1]} digits")
            self._failed("wrong_input")

    def say(self, text: str, confidence: float = 1.0, early: bool = False) -> None:
        """The caller said `text` (already recognised) with `confidence`."""
        node = self._act(early)
        if node is None:
            return
        self.heard.append(text)
        self.log("say", text=text, confidence=round(confidence, 3))
        if confidence < self.config.get("speech", {}).get("min_confidence", 0.5):
            self._no_match(text=text, reason="low confidence")
            return
        commands = self._commands_here(node)
        # a person beats everything; "say that again", "take me back" yield to the node's own choices
        name = matching.said_command(text, commands, paraphrases=COMMAND_INTENTS if not node.options else ["human"])
        if name:
            self._command(name)
            return
        if self.playing:
            self._no_match(text=text)
            return
        if node.kind == "input" and node.input_mode == "speech":
            self._store_input(node, text)
            return
        if node.kind == "self_service":
            if self.guard.enabled and is_complaint(text):  # not a question for the knowledge base
                self.log("no_match", text=text, reason="complaint")
                self._guard_to_person("complaint")
            else:
                self._ask_knowledge_base(node, text)
            return
        if node.kind == "input":
            digits = "".join(k for w in text.split() if (k := matching.spoken_key(w)) and k.isdigit())
            if digits:
                self.digits = digits
                self._complete_input(node)
                return
        choice = matching.best_match(text, [(o.phrases, i) for i, o in enumerate(node.options)])
        if choice is None:  # "say that again", "take me back": after the node's own choices
            name = matching.said_command(text, commands, paraphrases=COMMAND_INTENTS)
            if name:
                self._command(name)
                return
            key = matching.spoken_key(text)
            choice = next((i for i, o in enumerate(node.options) if key and o.key == key), None)
        if choice is None:
            self._no_match(text=text)
        else:
            self.log("choose", option=choice, target=node.options[choice].target)
            self.trigger(f"choose_{choice}")

    def _ask_knowledge_base(self, node: Node, question: str) -> None:
        """Answer from the node's knowledge base; unsure answers go to a person."""
        from .knowledge import answer  # optional heavy import, only for KB nodes

        kb_path = inside_folder(Path(self.menu.source).parent, node.knowledge_base)  # never another folder's
        found = answer(str(kb_path), question) if kb_path else None
        if found is None:  # asked for a person, or no confident match: never a dead end
            self.log("no_match", text=question, reason="knowledge base not confident")
            if "cmd_human" in self.machine.get_triggers(self.state):
                self.cmd_human()
            else:
                self._failed("wrong_input")
            return
        text, confidence, source = found
        self.log("answer", text=text, confidence=round(confidence, 3), source=source)
        self.clock += estimate_seconds(text, self.config.get("timing", {}))
        self.prompt_done()

    def wait(self, seconds: float) -> None:
        """The caller stays silent for `seconds`: prompts that end meanwhile
        move on, timeouts fire on the way."""
        until = self.clock + seconds
        while not self.ended:
            node = self.menu.nodes[self.state]
            if self.playing:
                if self.prompt_end > until:
                    break
                self._move_on()
                continue
            deadline = max(self.silent_since, self.prompt_end) + node.timeout_s
            if deadline > until:
                break
            self.clock = deadline
            if node.kind == "input" and self.digits:
                self._complete_input(node)  # a timeout ends a partial entry
                continue
            self.log("no_input", waited_s=node.timeout_s)
            self._failed("silence")
        self.clock = max(self.clock, until) if not self.ended else self.clock

    def caller_talking(self) -> None:
        """The caller is speaking now (words not recognised yet): silence is
        timed from here, so no-input cannot fire under them."""
        self.silent_since = self.clock

    def hangup(self) -> None:
        """The caller hangs up now, where they are (a prompt may be playing)."""
        if not self.ended:
            self.caller_hangup()

    # ---- results -----------------------------------------------------------
    def to_dict(self) -> dict:
        """The call's result. Reading it means the caller has stopped acting,
        so it settle()s first: whatever plays is heard out (a no-op once ended)."""
        self.settle()
        return {"menu": self.menu.id, "source": self.menu.source, "final_node": self.state,
                "final_kind": self._kind(), "outcome": self.outcome or "in_progress",
                "elapsed_s": round(self.clock, 2), "steps": self.steps, "collected": self.collected,
                "events": self.events}
