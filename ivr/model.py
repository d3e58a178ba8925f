"""The in-memory menu model every part of ivr shares.

Loaders (YAML, importers of other platforms) build it; the call engine, the
metrics, the audit rules, the simulator and the exporters read it. It is plain
data: no behaviour beyond small look-ups, so it is easy to build in tests.

Targets are node ids, or one of the special targets in SPECIAL_TARGETS:
``@start`` (back to the start node), ``@repeat`` (replay the current node),
``@back`` (previous node), ``@human`` (the menu's human target) and
``@hangup`` (disconnect).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

NODE_KINDS = (
    "menu",          # prompt + options
    "announcement",  # a prompt the caller just hears (intro, advert, info), then `next`
    "input",         # collect digits/speech (e.g. an order number), then `next`
    "self_service",  # an answer read to the caller (optionally from a knowledge base)
    "human",         # an agent queue: the caller reaches a person here
    "work_order",    # a case is created and dispatched, then `next` (or end)
    "hangup",        # the call ends
    "goto",          # jump to `next` immediately (no prompt)
    "unknown",       # an importer met something it cannot express; never a guess
)
TERMINAL_KINDS = ("human", "hangup")
SPECIAL_TARGETS = ("@start", "@repeat", "@back", "@human", "@hangup")
GLOBAL_COMMANDS = ("human", "repeat", "back", "main_menu")
COMMAND_TARGETS = {"human": "@human", "repeat": "@repeat", "back": "@back", "main_menu": "@start"}
DTMF_KEYS = tuple("0123456789*#")
# Who runs a line decides which rules bind it (ivr/rules: packs scope by these).
SECTORS = ("carrier", "bank", "insurance", "utility", "retail", "transport", "health", "government",
           "public-service", "other")
NUMBER_TYPES = ("toll-free", "geographic", "national", "mobile", "premium", "short-code", "other")
VOICES = ("synthesised", "recorded", "mixed")


@dataclass
class Where:
    """A place in a source file, 1-based, for error messages and findings."""
    file: str = "<memory>"
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:  # the file as a whole (missing, unreadable): no made-up 0:0
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass
class Option:
    """One choice in a menu: a DTMF key and/or spoken phrases, and a target."""
    target: str
    key: Optional[str] = None
    phrases: list[str] = field(default_factory=list)
    label: str = ""
    weight: float = 1.0          # relative chance a simulated caller picks it
    where: Where = field(default_factory=Where)


@dataclass
class Policy:
    """What happens on silence (no_input) or a wrong key/phrase (no_match):
    replay the node `retries` times, then go to `then`."""
    retries: int = 2
    then: str = "@human"
    where: Where = field(default_factory=Where)


@dataclass
class Queue:
    """Queue parameters of a human node, for wait-time models."""
    name: str = ""
    agents: int = 1
    aht_s: float = 180.0             # average handle time
    calls_per_hour: float = 0.0      # arrival rate
    patience_s: Optional[float] = None  # mean caller patience; None = infinite
    skills: list[str] = field(default_factory=list)
    hours: str = "24x7"
    priority: bool = False           # e.g. an elderly callers' direct route
    announce_wait: bool = False      # says the estimated wait on entry
    callback: bool = False           # offers a call-back instead of waiting


@dataclass
class Command:
    """A global command: works from every node unless the node opts out."""
    name: str                        # one of GLOBAL_COMMANDS
    key: Optional[str] = None
    phrases: list[str] = field(default_factory=list)
    target: str = ""                 # for `human`: the human node id
    where: Where = field(default_factory=Where)


@dataclass
class Node:
    id: str
    kind: str
    prompt: str = ""
    options: list[Option] = field(default_factory=list)
    next: Optional[str] = None       # announcement / input / self_service / work_order / goto
    barge_in: bool = True
    timeout_s: float = 5.0
    no_input: Policy = field(default_factory=Policy)
    no_match: Policy = field(default_factory=Policy)
    duration_s: Optional[float] = None   # fixed length (recorded audio, hold music)
    advert: bool = False             # an announcement that is advertising
    queue: Optional[Queue] = None    # human nodes
    answer: str = ""                 # self_service: the text read out
    source: str = ""                 # self_service: where the answer comes from (law, article)
    knowledge_base: str = ""         # self_service: path to a KB file to match questions
    input_name: str = ""             # input: the name of what is collected
    input_digits: tuple[int, int] = (1, 20)  # input: min, max digits
    input_mode: str = "digits"       # input: "digits" (keys) or "speech" (free words, e.g. a name)
    category: str = ""               # work_order: case category
    globals_off: list[str] = field(default_factory=list)  # global commands disabled here
    note: str = ""                   # importers: what could not be mapped
    where: Where = field(default_factory=Where)

    def spoken_text(self) -> str:
        """What the caller hears here: the prompt, and a self-service node's answer after it."""
        if self.kind == "self_service":
            return " ".join(t for t in (self.prompt, self.answer) if t)
        return self.prompt or self.answer

    def takes_commands(self) -> bool:
        """Can global commands be given here? Where the call waits for the
        caller, or during a prompt the caller may cut in on. A goto or a forced
        prompt moves on first (so a loop of them has no way out)."""
        if self.kind in TERMINAL_KINDS:
            return False
        if self.waits_for_caller():
            return True
        return (self.kind in ("announcement", "self_service", "work_order") and self.barge_in
                and self.duration_s != 0 and bool(self.spoken_text().strip()))

    def waits_for_caller(self) -> bool:
        """Does the call stop here for the caller (so silence/no-match apply)?"""
        return self.kind in ("menu", "input") or (self.kind == "self_service" and bool(self.knowledge_base))

    def targets(self) -> list[str]:
        """Every target this node can send the caller to by its own design
        (options, next, policies); global commands are not included."""
        out = [o.target for o in self.options]
        if self.next:
            out.append(self.next)
        if self.waits_for_caller():
            out += [self.no_input.then, self.no_match.then]
        return out


@dataclass
class Menu:
    id: str
    title: str
    language: str
    start: str
    nodes: dict[str, Node] = field(default_factory=dict)
    commands: dict[str, Command] = field(default_factory=dict)  # name -> Command
    priority_routes: list[dict] = field(default_factory=list)   # e.g. elderly direct line
    languages: list[str] = field(default_factory=list)          # all languages offered
    # who runs the line and for whom (optional; the audit scopes packs by them)
    operator: str = ""                 # the company or body callers know the line by
    sector: str = ""                   # one of SECTORS, "" = not said
    jurisdictions: list[str] = field(default_factory=list)  # e.g. ["cn"], ["es"], ["us-ia"], ["in"]
    number_type: str = ""              # one of NUMBER_TYPES, "" = not said
    voice: str = ""                    # prompts: one of VOICES (synthesised speech is AI-generated audio)
    source: str = "<memory>"
    where: Where = field(default_factory=Where)
    import_report: list = field(default_factory=list)  # importers: ImportNote list (ivr.importers.report)
    guard: dict = field(default_factory=dict)  # the menu's own never-stranded settings (ivr.guard): enabled, max_failures

    def human_nodes(self) -> list[str]:
        return [n.id for n in self.nodes.values() if n.kind == "human"]

    def command(self, name: str, node: Optional[Node] = None) -> Optional[Command]:
        """The global command `name` as it applies at `node` (None if off)."""
        cmd = self.commands.get(name)
        if cmd is None or (node is not None and name in node.globals_off):
            return None
        return cmd

    def resolve(self, target: str, current: Optional[str] = None) -> Optional[str]:
        """A target as a node id: special targets resolved where they can be
        without call history (`@back` cannot; it returns None)."""
        if target == "@start":
            return self.start
        if target == "@repeat":
            return current
        if target == "@human":
            cmd = self.commands.get("human")
            if cmd and cmd.target:
                return cmd.target
            humans = self.human_nodes()
            return humans[0] if humans else None
        if target in ("@hangup", "@back"):
            return None
        return target
