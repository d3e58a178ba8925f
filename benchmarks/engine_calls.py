"""Call set-up and a short scripted call on menus of growing size.

Compares the engine as shipped (no auto transitions; `back` declares its one
transition when needed) with transitions' auto_transitions=True, which
declares a jump from every node to every node — measured in the same run.

    .venv/bin/python benchmarks/engine_calls.py
"""
from __future__ import annotations

import time

from ivr.engine import Call
from ivr.model import Command, Menu, Node, Option


class AutoTransitionsCall(Call):
    auto_transitions = True


def chain_menu(n: int) -> Menu:
    """n menu nodes in a chain (key 1 goes deeper), a person on key 0 everywhere."""
    nodes = {f"m{i}": Node(f"m{i}", "menu", prompt=f"Level {i}. Press 1.",
                           options=[Option(target=f"m{i + 1}" if i + 1 < n else "p", key="1")]) for i in range(n)}
    nodes["p"] = Node("p", "human", prompt="Connecting.")
    return Menu("chain", "Chain", "en", "m0", nodes,
                {"human": Command("human", "0", ["agent"], "p"), "back": Command("back", "#", ["back"])})


def per_call_ms(cls, menu: Menu, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        call = cls(menu)
        call.press("11#1")
        call.say("agent")
    return (time.perf_counter() - start) / calls * 1000


def main() -> None:
    print(f"{'nodes':>6} {'shipped ms/call':>16} {'auto_transitions ms/call':>25} {'speed-up':>9}")
    for n in (10, 30, 100, 300):
        menu = chain_menu(n)
        calls = max(5, 2000 // n)
        shipped = per_call_ms(Call, menu, calls)
        baseline = per_call_ms(AutoTransitionsCall, menu, max(3, calls // 4))
        print(f"{n + 1:>6} {shipped:>16.2f} {baseline:>25.2f} {baseline / shipped:>8.1f}×")


if __name__ == "__main__":
    main()
