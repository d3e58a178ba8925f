"""Metrics on the bundled menus, on hand-built menus, and against networkx."""
from __future__ import annotations

import math
import random
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from ivr.loader import load_menu
from ivr.metrics import AUTO, POLICY, compute
from ivr.queueing.erlang import erlang_c
from ivr.model import Command, Menu, Node, Option, Policy, Queue

ROOT = Path(__file__).resolve().parents[1]


def menu_of(nodes: list[Node], start: str = "main", commands=None, **kw) -> Menu:
    return Menu(id="t", title="t", language="en", start=start, nodes={n.id: n for n in nodes},
                commands={c.name: c for c in (commands or [])}, **kw)


def test_consumer_service_is_one_step_from_a_person_everywhere():
    m = compute(load_menu(ROOT / "menus" / "consumer-service.yaml"))
    s = m.summary()
    assert s["max_steps_to_human"] == s["max_steps_to_human_key"] == s["max_steps_to_human_voice"] == 1
    assert s["depth"] == 3 and s["prompts_before_human"] == 0
    assert s["no_human_from"] == [] and s["loops_without_exit"] == [] and s["unreachable"] == []
    assert m.path_from_start("balance") == ["language", "main", "billing", "balance"]
    assert m.path_to_human("balance") == ["balance", "agent"]
    assert all(v == {"retries": 2, "then": "@human", "outcome": "human"} for v in m.silence.values())


def test_maze_metrics():
    m = compute(load_menu(ROOT / "menus" / "maze.yaml"))
    s = m.summary()
    assert m.steps_key[m.node("intro")] == 4          # 1 -> 3 -> 5 -> 9
    assert math.isinf(m.steps_voice[m.node("intro")])  # no words reach a person
    assert s["max_steps_to_human"] >= 4
    assert m.silence["main"]["outcome"] == "disconnect"
    assert m.wrong_input["main"]["outcome"] == "restart"
    # 30 s intro + 15 s advert are forced before the first choice; the main prompt cannot be barged in on
    assert m.listening_s[m.node("intro")] >= 45 + m.forced_s[m.node("main")] > 45
    # 75 calls/h x 420 s on 9 agents is 8.75 Erlangs: an Erlang C wait of about 25 minutes on top
    wait = erlang_c(75, 420, 9, 20)["asa_s"]
    assert 20 * 60 < wait < 30 * 60 and m.queues["agent"]["stable"]
    assert m.time_to_human_s[m.node("intro")] == pytest.approx(m.listening_s[m.node("intro")] + wait, abs=0.01)


def test_overloaded_queue_means_no_finite_time_to_a_person():
    menu = load_menu(ROOT / "menus" / "maze.yaml")
    menu.nodes["agent"].queue.agents = 8  # 8.75 Erlangs on 8 agents: the queue grows without end
    m = compute(menu)
    assert math.isinf(m.time_to_human_s[m.node("intro")])
    assert not m.queues["agent"]["stable"]


def test_global_human_command_counts_one_step_except_where_switched_off():
    nodes = [Node("main", "menu", prompt="Press 1.", options=[Option("sub", key="1")]),
             Node("sub", "menu", prompt="Press 1.", options=[Option("main", key="1")], globals_off=["human"]),
             Node("agent", "human", prompt="Hi.")]
    m = compute(menu_of(nodes, commands=[Command("human", key="0", phrases=["agent"], target="agent")]))
    assert m.steps_key[m.node("main")] == 1 and m.steps_voice[m.node("main")] == 1
    assert m.steps_key[m.node("sub")] == 2        # back to main, then 0
    assert m.steps_voice[m.node("sub")] == math.inf  # option "1" has no words


def test_announcements_cost_seconds_not_steps():
    nodes = [Node("main", "announcement", prompt="x", duration_s=12.0, next="menu"),
             Node("menu", "menu", prompt="y", duration_s=3.0, barge_in=False, options=[Option("agent", key="0")]),
             Node("agent", "human", prompt="z", duration_s=2.0,
                  queue=Queue(agents=2, aht_s=100, calls_per_hour=36))]
    m = compute(menu_of(nodes))
    assert m.steps[m.node("main")] == 1
    assert m.listening_s[m.node("main")] == pytest.approx(12 + 3 + 2)
    asa = m.queues["agent"]["asa_s"]
    assert m.time_to_human_s[m.node("main")] == pytest.approx(17 + asa, abs=0.01)


def test_unreachable_dead_end_and_trap_on_unvalidated_menus():
    nodes = [Node("main", "menu", prompt="p", options=[Option("a", key="1"), Option("dead", key="2")],
                  no_input=Policy(1, "@repeat"), no_match=Policy(1, "@repeat")),
             Node("a", "announcement", prompt="a", next="main"),
             Node("dead", "goto"),
             Node("lost", "announcement", prompt="l", next="main")]
    m = compute(menu_of(nodes))
    s = m.summary()
    assert s["unreachable"] == ["lost"]
    assert s["dead_ends"] == ["dead"]
    assert set(s["loops_without_exit"]) == {"main", "a", "lost"}


def random_menu(n: int, rng: random.Random) -> Menu:
    nodes = []
    for i in range(n):
        kind = rng.choice(["menu", "menu", "announcement", "input"])
        if i == n - 1 or rng.random() < 0.05:
            nodes.append(Node(f"n{i}", "human", prompt="h"))
            continue
        opts = [Option(f"n{rng.randrange(n)}", key=str(k) if rng.random() < 0.7 else None,
                       phrases=["w"] if rng.random() < 0.5 else []) for k in range(rng.randint(1, 4))]
        if kind == "menu":
            nodes.append(Node(f"n{i}", "menu", prompt="m", options=opts,
                              no_input=Policy(1, "@hangup"), no_match=Policy(1, "@start"),
                              globals_off=["human"] if rng.random() < 0.5 else []))
        else:
            nodes.append(Node(f"n{i}", kind, prompt="a", next=f"n{rng.randrange(n)}",
                              no_input=Policy(1, "@hangup"), no_match=Policy(1, "@hangup")))
    return menu_of(nodes, start="n0", commands=[Command("human", key="0", target=f"n{n - 1}")])


@pytest.mark.parametrize("seed", range(8))
def test_steps_match_networkx(seed):
    """Fewest key actions to a person, cross-checked with networkx's Dijkstra on the same edges."""
    menu = random_menu(300, random.Random(seed))
    m = compute(menu)
    g = m.graph
    keep = (g.kind != POLICY) & (g.kind != 2)   # key, input and automatic moves
    G = nx.DiGraph()
    for u, v, k in zip(g.src[keep], g.dst[keep], g.kind[keep]):
        w = 0 if k == AUTO else 1
        if not G.has_edge(v, u) or G[v][u]["w"] > w:
            G.add_edge(int(v), int(u), w=w)
    sink = g.n + 1
    dist = nx.single_source_dijkstra_path_length(G, sink, weight="w") if sink in G else {}
    expect = np.array([dist.get(i, math.inf) for i in range(g.n)])
    assert np.array_equal(expect, m.steps_key)


def test_degenerate_menus_audit_cleanly():
    """No person anywhere, or a line that is only a queue: findings, never a crash."""
    from ivr.audit import audit_menu
    packs = ["ivr-core", "cn", "es", "us-bills", "gethuman", "design"]
    no_human = menu_of([Node("main", "menu", prompt="p", options=[Option("bye", key="1")]),
                        Node("bye", "hangup", prompt="bye")])
    a = audit_menu(no_human, packs)
    assert not a.passed and a.metrics.summary()["max_steps_to_human"] is None
    assert a.metrics.summary()["no_human_from"] == ["main"]
    only_queue = menu_of([Node("h", "human", prompt="hi")], start="h")
    a = audit_menu(only_queue, packs)
    assert a.metrics.summary()["depth"] == 0 and a.to_dict()["metrics"]["per_node"]["h"]["steps_to_human"] == 0


def test_an_imported_transfer_is_an_end_not_a_loop_or_dead_end():
    from ivr.loader import load_menu_text
    menu = load_menu_text("""\
id: out
title: Transfers out
start: intro
nodes:
  intro: {kind: announcement, prompt: Hello., next: xfer}
  xfer: {kind: unknown, note: "transfer to external number 9196"}
""", "out.yaml")
    m = compute(menu)
    assert m.to_dict(nodes=False)["loops_without_exit"] == [] and m.to_dict(nodes=False)["dead_ends"] == []


def test_branches_on_data_are_followed_not_dead_stops():
    """An imported hours check or lookup is an `unknown` node whose options are
    the file's branches: the caller takes no action there, and the menu behind
    it is measured (it was 'no way to a person' and every node 'unreachable')."""
    nodes = [Node("hours", "unknown", note="CheckHoursOfOperation",
                  options=[Option("main", phrases=[]), Option("closed", phrases=[])]),
             Node("main", "menu", prompt="For sales press 1, for a person 0.",
                  options=[Option("sales", key="1"), Option("agent", key="0")],
                  no_input=Policy(1, "@human"), no_match=Policy(1, "@human")),
             Node("sales", "human", prompt="Sales."),
             Node("agent", "human", prompt="Connecting."),
             Node("closed", "hangup", prompt="We are closed.")]
    s = compute(menu_of(nodes, start="hours")).summary()
    assert s["unreachable"] == [] and s["dead_ends"] == []
    assert s["max_steps_to_human_key"] == 1 and s["depth"] == 1     # the branch costs no action
    alone = compute(menu_of([Node("hours", "unknown", note="transfer to external number 5000")],
                            start="hours")).summary()
    assert alone["no_human_from"] == ["hours"]          # without branches it still leaves the menu


@pytest.mark.parametrize("seed", range(4))
def test_small_menus_heapq_and_big_menus_scipy_measure_the_same(seed, monkeypatch):
    """Menus people write are searched with heapq (no scipy import), big ones with
    scipy's csgraph: every measure is the same, and both paths are real paths."""
    import ivr.metrics as metrics
    menu = random_menu(300, random.Random(seed))
    results = []
    for threshold in (10 ** 9, 0):                      # heapq, then scipy
        monkeypatch.setattr(metrics, "SCIPY_FROM_EDGES", threshold)
        results.append(compute(menu))
    small, big = results
    for name in ("steps_key", "steps_voice", "steps", "time_to_human_s", "listening_s", "depth", "reachable",
                 "trapped", "dead_end"):
        assert np.array_equal(getattr(small, name), getattr(big, name)), name
    assert small.prompts_before_human == big.prompts_before_human
    for m in results:
        for nid in menu.nodes:
            path = m.path_to_human(nid)
            if path:
                assert path[0] == nid and all(m.steps[m.node(a)] >= m.steps[m.node(b)] for a, b in zip(path, path[1:]))
