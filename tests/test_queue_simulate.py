"""The simulator: reproducible, agrees with Erlang C / Erlang A, walks menus by weight."""
import numpy as np
import pytest

from ivr.config import DEFAULTS
from ivr.errors import IvrError
from ivr.model import Command, Menu, Node, Option, Policy, Queue
from ivr.queueing import erlang_a, erlang_c
from ivr.queueing.simulate import simulate_menu, simulate_queue
from ivr.timing import prompt_seconds

QUIET = {"p_zero_out": 0.0, "p_no_input": 0.0, "p_no_match": 0.0, "menu_patience_s": 1e12,
         "reaction_s": 1.0, "done_after_answer": 1.0}


def config(**sim):
    return {**DEFAULTS, "simulation": {**QUIET, **sim}}


def small_menu(agents=50, patience=None, callback=False) -> Menu:
    nodes = {
        "main": Node("main", "menu", prompt="For billing press 1. For hours press 2.",
                     options=[Option("agent", key="1", weight=3.0), Option("hours", key="2", weight=1.0)],
                     no_input=Policy(2, "@human"), no_match=Policy(2, "@human")),
        "hours": Node("hours", "self_service", prompt="Hours", answer="We are open 8 to 8.", next="main"),
        "agent": Node("agent", "human", prompt="Connecting you",
                      queue=Queue("general", agents=agents, aht_s=180, calls_per_hour=200,
                                  patience_s=patience, callback=callback)),
    }
    return Menu("m", "Small", "en", "main", nodes,
                commands={"human": Command("human", key="0", target="agent")})


def test_queue_with_infinite_patience_agrees_with_erlang_c_within_1_percent():
    runs = [simulate_queue(2_000_000, 200, 180, 14, None, seed=s)["summary"] for s in range(8)]
    model = erlang_c(200, 180, 14, 20)
    for key in ("p_wait", "service_level", "asa_s", "occupancy"):
        pooled = np.mean([r[key] for r in runs])
        assert pooled == pytest.approx(model[key], rel=0.01), key


def test_queue_abandonment_agrees_with_erlang_a():
    sim = simulate_queue(2_000_000, 200, 180, 10, 120, seed=3)["summary"]
    model = erlang_a(200, 180, 10, 120)
    assert sim["abandon_rate"] == pytest.approx(model["p_abandon"], rel=0.03)
    assert sim["occupancy"] == pytest.approx(model["occupancy"], rel=0.01)


def test_callbacks_take_callers_off_the_line():
    plain = simulate_queue(100_000, 200, 180, 10, 120, seed=1)["summary"]
    offered = simulate_queue(100_000, 200, 180, 10, 120, seed=1, callback_after_s=30,
                             callback_accept=1.0)["summary"]
    assert offered["callbacks"] > 0
    assert offered["abandoned"] < plain["abandoned"]


def test_same_seed_same_result_and_other_seed_differs():
    menu = small_menu(agents=12, patience=120)
    a = simulate_menu(menu, {**DEFAULTS}, 20_000, seed=5)
    b = simulate_menu(menu, {**DEFAULTS}, 20_000, seed=5)
    c = simulate_menu(menu, {**DEFAULTS}, 20_000, seed=6)
    for r in (a, b, c):
        r.pop("_calls")
    assert a == b and a != c


def test_options_are_chosen_by_weight():
    r = simulate_menu(small_menu(), config(done_after_answer=1.0), 40_000, seed=2)
    share = r["outcomes"]["human"] / 40_000
    assert share == pytest.approx(0.75, abs=0.01)
    assert r["outcomes"]["self_served"] + r["outcomes"]["human"] == 40_000


def test_time_to_human_is_prompt_time_plus_reaction_when_nobody_waits():
    menu = small_menu(agents=500)
    cfg = config()
    r = simulate_menu(menu, cfg, 5_000, seed=1)
    expected = prompt_seconds(menu.nodes["main"], "en", cfg) + 1.0
    assert r["time_to_human_s"]["p50"] == pytest.approx(expected, abs=0.01)
    assert r["time_to_human_s"]["p99"] == pytest.approx(expected, abs=0.01)


def test_menu_abandonment_is_counted_at_the_node():
    r = simulate_menu(small_menu(), config(menu_patience_s=2.0), 20_000, seed=1)
    assert r["abandonment"]["by_node"]["main"] > 10_000
    assert r["outcomes"]["abandoned_menu"] == sum(r["abandonment"]["by_node"].values())


def test_silent_callers_reach_a_person_after_retries():
    r = simulate_menu(small_menu(), config(p_no_input=1.0), 1_000, seed=1)
    assert r["outcomes"]["human"] == 1_000
    # three timeouts of 5 s and three prompts before the policy sends them on
    assert r["menu_time_s"]["p50"] > 15


def test_loops_and_dead_ends_are_reported():
    menu = small_menu()
    menu.nodes["hours"].next = "nowhere"
    r = simulate_menu(menu, config(done_after_answer=0.0), 4_000, seed=1)
    assert r["outcomes"]["dead_end"] > 0
    menu.nodes["hours"].next = "main"
    menu.nodes["main"].options = [Option("hours", key="2")]
    r = simulate_menu(menu, config(done_after_answer=0.0), 100, seed=1, calls_per_hour=100)
    assert r["outcomes"]["loop"] == 100


def test_no_arrival_rate_is_a_clean_error():
    menu = small_menu()
    menu.nodes["agent"].queue.calls_per_hour = 0
    with pytest.raises(IvrError, match="calls-per-hour"):
        simulate_menu(menu, config(), 100, seed=1)


def test_knowledge_base_node_answers_or_puts_through_to_a_person():
    menu = small_menu(agents=500)
    menu.nodes["hours"].knowledge_base = "knowledge/faq.yaml"
    menu.nodes["main"].options = [Option("hours", key="2")]
    r = simulate_menu(menu, config(kb_answered=0.8), 20_000, seed=4)
    assert r["outcomes"]["human"] / 20_000 == pytest.approx(0.2, abs=0.01)
    assert r["outcomes"]["self_served"] / 20_000 == pytest.approx(0.8, abs=0.01)


def test_business_hours_close_the_queue():
    from ivr.queueing.hours import is_open, parse_hours
    spans = parse_hours("Mon-Fri 08:00-20:00; Sat 09:00-13:00")
    day = 86400
    t = np.array([8 * 3600, 7 * 3600, 4 * day + 19 * 3600, 5 * day + 12 * 3600, 5 * day + 14 * 3600,
                  6 * day + 10 * 3600, 7 * day + 9 * 3600])
    assert is_open(spans, t).tolist() == [True, False, True, True, False, False, True]
    assert parse_hours("24x7") is None
    with pytest.raises(IvrError, match="not understood"):
        parse_hours("weekdays nine to five")
    menu = small_menu(agents=500)
    menu.nodes["agent"].queue.hours = "08:00-20:00"
    r = simulate_menu(menu, config(), 50_000, seed=1)
    # 12 of 24 hours closed: about half of those who reach the queue find it closed
    assert r["outcomes"]["queue_closed"] / r["outcomes"]["human"] == pytest.approx(0.5, abs=0.03)
    assert r["queues"]["general"]["closed"] == r["outcomes"]["queue_closed"]


def test_kernel_matches_the_simpy_model_caller_by_caller():
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "queue_sim.py"
    spec = importlib.util.spec_from_file_location("queue_sim", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    entry, service, patience = bench.draws(5_000, 11, 60.0)
    w1, s1, b1 = bench.run_ivr(entry, service, patience)
    w2, s2, b2 = bench.run_simpy(entry, service, patience)
    assert (s1 == s2).all() and np.allclose(w1, w2, atol=1e-6) and b1 == pytest.approx(b2)
    assert 0 < (s1 == 1).sum() < 5_000   # some callers did hang up


def test_queue_with_hours_is_compared_with_erlang_at_the_open_hours_rate():
    # closed 12 of 24 hours: averaged over the day the rate halves and Erlang C predicted
    # an ASA of 0.02 s next to a simulated 1.9 s
    menu = small_menu(agents=14)
    menu.nodes["agent"].queue.hours = "08:00-20:00"
    q = simulate_menu(menu, config(), 50_000, seed=1)["queues"]["general"]
    assert q["calls_per_hour"] == pytest.approx(200, rel=0.05)
    assert q["occupancy"] == pytest.approx(200 * 180 / 3600 / 14, rel=0.05)
    assert q["erlang_c"]["asa_s"] == pytest.approx(q["asa_s"], rel=0.35)
    assert q["agents_for_80_percent"] in (13, 14)    # at ~100 calls/h it said 8


def test_open_seconds_counts_only_business_hours():
    from ivr.queueing.hours import open_seconds, parse_hours
    day = 86400
    weekdays = parse_hours("Mon-Fri 08:00-20:00; Mon 07:00-09:00")   # overlapping spans count once
    assert open_seconds(weekdays, 0, 7 * day) == 5 * 12 * 3600 + 3600
    assert open_seconds(weekdays, 2 * 7 * day + 9 * 3600, 2 * 7 * day + day) == 11 * 3600
    assert open_seconds(None, 5.0, 65.0) == 60.0


@pytest.mark.parametrize("field", ["aht_s", "calls_per_hour", "patience_s"])
def test_a_non_finite_queue_value_in_a_menu_names_the_node(tmp_path, field):
    from click.testing import CliRunner
    from ivr.cli import cli
    queue = {"agents": 3, "aht_s": 180, "calls_per_hour": 100, "patience_s": 60} | {field: ".inf"}
    path = tmp_path / "m.yaml"
    path.write_text("id: m\ntitle: M\nstart: agent\nnodes:\n  agent:\n    kind: human\n"
                    "    prompt: Connecting you.\n"
                    f"    queue: {{{', '.join(f'{k}: {v}' for k, v in queue.items())}}}\n")
    out = CliRunner().invoke(cli, ["simulate", str(path), "--calls", "20", "--no-record",
                                   "--calls-per-hour", "50"], catch_exceptions=False)
    assert out.exit_code == 2 and f"{path}:5:" in out.output and field in out.output, out.output


@pytest.mark.parametrize("args", [
    dict(calls_per_hour=float("nan")), dict(aht_s=float("inf")), dict(patience_s=float("inf")),
    dict(target_s=float("nan"))])
def test_simulate_queue_refuses_non_finite_values(args):
    with pytest.raises(ValueError, match="finite"):
        simulate_queue(**{"calls": 10, "calls_per_hour": 200, "aht_s": 180, "agents": 3, **args})


@pytest.mark.parametrize("rate", [0, -5, float("nan"), float("inf")])
def test_simulate_menu_refuses_a_bad_arrival_rate(rate):
    with pytest.raises(IvrError, match="calls-per-hour"):
        simulate_menu(small_menu(), config(), 100, calls_per_hour=rate)
