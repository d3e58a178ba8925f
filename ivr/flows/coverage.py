"""Which nodes and transitions of each menu a suite exercised.

The transitions come from the menu's design, not from the calls:
  option i     each option of a node (key or phrase) — to its target
  next         each `next` of an announcement, input, self-service, work order, goto
  no_input     each waiting node's silence policy firing (retries used up)
  no_match     each waiting node's wrong-input policy firing (not where the
               never-stranded guard always acts first: ivr.guard)
  command X    each global command (human, repeat, back, main_menu) at each
               node where the caller is asked (menu, input, knowledge-base
               answer) and the command is on; an early command during a
               barge-in announcement works but is not counted as designed
  route X      each priority route
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..config import DEFAULTS
from ..guard import guard_for
from ..model import COMMAND_TARGETS, GLOBAL_COMMANDS, Menu, Node, Policy

ROUTE_SOURCE = "@ringing"  # the engine's state before the call is answered


@dataclass
class Transition:
    node: str
    label: str
    target: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.node, self.label)

    def __str__(self) -> str:
        return f"{self.node}: {self.label} → {self.target}"


def _guarded(menu: Menu, node: Node, policy: Policy, guard) -> bool:
    """Does the guard take the caller to a person before this policy can ever
    fire (its retries reach the guard's count, and it does not lead to a person)?"""
    target = menu.resolve(policy.then, node.id)
    to_person = target in menu.nodes and menu.nodes[target].kind == "human"
    return guard.enabled and not to_person and policy.retries + 1 >= guard.max_failures


def menu_transitions(menu: Menu, config: dict = DEFAULTS) -> list[Transition]:
    """Every transition the menu's design has, in file order."""
    guard = guard_for(menu, config)
    out = [Transition(ROUTE_SOURCE, f"route {r['name']}", r["to"]) for r in menu.priority_routes]
    for node in menu.nodes.values():
        for i, opt in enumerate(node.options):
            out.append(Transition(node.id, f"option {i}", opt.target))
        if node.next:
            out.append(Transition(node.id, "next", node.next))
        if not node.waits_for_caller():
            continue
        for label, policy in (("no_input", node.no_input), ("no_match", node.no_match)):
            if not _guarded(menu, node, policy, guard):
                out.append(Transition(node.id, label, policy.then))
        for name in GLOBAL_COMMANDS:
            cmd = menu.command(name, node)
            if cmd is None or (name == "human" and not menu.resolve("@human")):
                continue
            out.append(Transition(node.id, f"command {name}", COMMAND_TARGETS[name]))
    return out


@dataclass
class MenuCoverage:
    menu_id: str
    menu_path: str
    nodes: list[str]
    transitions: list[Transition]
    visited: set = field(default_factory=set)
    fired: set = field(default_factory=set)
    scenarios: int = 0

    def add(self, path: list[str], fired: list[tuple[str, str]]) -> None:
        self.scenarios += 1
        self.visited.update(path)
        self.fired.update(tuple(f) for f in fired)

    @property
    def node_ratio(self) -> float:
        return len(self.visited & set(self.nodes)) / len(self.nodes) if self.nodes else 1.0

    @property
    def transition_ratio(self) -> float:
        return self.covered / len(self.transitions) if self.transitions else 1.0

    @property
    def covered(self) -> int:
        return sum(1 for t in self.transitions if t.key in self.fired)

    def missed_nodes(self) -> list[str]:
        return [n for n in self.nodes if n not in self.visited]

    def missed_transitions(self) -> list[Transition]:
        return [t for t in self.transitions if t.key not in self.fired]

    def to_dict(self) -> dict:
        return {"menu": self.menu_id, "source": self.menu_path, "scenarios": self.scenarios,
                "nodes": {"total": len(self.nodes), "covered": len(self.visited & set(self.nodes)),
                          "percent": round(100 * self.node_ratio, 1), "missed": self.missed_nodes()},
                "transitions": {"total": len(self.transitions), "covered": self.covered,
                                "percent": round(100 * self.transition_ratio, 1),
                                "missed": [str(t) for t in self.missed_transitions()]}}


def coverage(results: list, menus: dict) -> list[MenuCoverage]:
    """Coverage per menu (keyed by menu path) from scenario results."""
    by_menu: dict[str, MenuCoverage] = {}
    for result in results:
        cov = by_menu.get(result.menu_path)
        if cov is None:
            menu = menus[result.menu_path]
            cov = by_menu[result.menu_path] = MenuCoverage(menu.id, result.menu_path, list(menu.nodes),
                                                           menu_transitions(menu))
        cov.add(result.path, result.fired)
    return list(by_menu.values())


def format_coverage(covs: list[MenuCoverage], show_missed: int = 10) -> str:
    lines = []
    for cov in covs:
        lines.append(f"coverage {cov.menu_id} ({cov.menu_path}): "
                     f"nodes {len(cov.visited & set(cov.nodes))}/{len(cov.nodes)} ({100 * cov.node_ratio:.1f} %), "
                     f"transitions {cov.covered}/{len(cov.transitions)} ({100 * cov.transition_ratio:.1f} %)")
        missed = cov.missed_transitions()
        for t in missed[:show_missed]:
            lines.append(f"  not exercised: {t}")
        if len(missed) > show_missed:
            lines.append(f"  … and {len(missed) - show_missed} more (see --format json)")
    return "\n".join(lines)
