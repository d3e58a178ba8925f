"""Acceptance: `ivr queue erlang-c` reproduces the published vector; `ivr simulate`
prints the same numbers for the same seed."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivr.cli import cli

HOTLINE = Path(__file__).resolve().parents[1] / "menus" / "12351-hotline.yaml"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_erlang_c_acceptance_vector():
    out = run("queue", "erlang-c", "--calls-per-hour", 200, "--aht", 180, "--agents", 14,
              "--target", 20, "--format", "json")
    assert out.exit_code == 0
    r = json.loads(out.stdout)
    assert (round(r["p_wait"], 5), round(r["service_level"], 5), round(r["asa_s"], 2),
            round(r["occupancy"], 3)) == (0.17413, 0.88835, 7.84, 0.714)


def test_overloaded_queue_prints_valid_json():
    r = json.loads(run("queue", "erlang-c", "--calls-per-hour", 400, "--aht", 180, "--agents", 14,
                       "--format", "json").stdout)
    assert r["stable"] is False and r["asa_s"] is None


def test_bad_queue_input_is_exit_2():
    out = run("queue", "erlang-c", "--calls-per-hour", 200, "--aht", 0, "--agents", 14)
    assert out.exit_code == 2 and "--aht" in out.output


def test_simulate_same_seed_same_output():
    args = ("simulate", HOTLINE, "--calls", 100000, "--seed", 1, "--format", "json", "--no-record")
    first, second = run(*args), run(*args)
    assert first.exit_code == 0 and first.stdout == second.stdout
    r = json.loads(first.stdout)
    assert set(r["time_to_human_s"]) == {"p50", "p80", "p90", "p95", "p99", "mean"}
    assert 0 < r["abandonment"]["rate"] < 1 and 0 < r["service_level"] <= 1
    assert r["abandonment"]["menu"] == sum(r["abandonment"]["by_node"].values())
    other = run("simulate", HOTLINE, "--calls", 100000, "--seed", 2, "--format", "json", "--no-record")
    assert other.stdout != first.stdout


def test_simulate_missing_menu_is_exit_2(tmp_path):
    out = run("simulate", tmp_path / "nope.yaml", "--no-record")
    assert out.exit_code == 2 and "no such file" in out.output


ERLANG = ("queue", "erlang-c", "--calls-per-hour", 200, "--aht", 180, "--agents", 14)
AGENTS = ("queue", "agents", "--calls-per-hour", 200, "--aht", 180)
SIMULATE = ("simulate", HOTLINE, "--calls", 50, "--no-record", "--format", "json")


@pytest.mark.parametrize("args, flag", [
    (("queue", "erlang-c", "--calls-per-hour", "nan", "--aht", 180, "--agents", 14), "--calls-per-hour"),
    (("queue", "erlang-c", "--calls-per-hour", "inf", "--aht", 180, "--agents", 14), "--calls-per-hour"),
    (("queue", "erlang-c", "--calls-per-hour", -5, "--aht", 180, "--agents", 14), "--calls-per-hour"),
    (("queue", "erlang-c", "--calls-per-hour", 200, "--aht", "nan", "--agents", 14), "--aht"),
    (ERLANG + ("--target", -1), "--target"),
    (ERLANG + ("--target", "nan"), "--target"),
    (ERLANG + ("--patience", "inf"), "--patience"),
    (ERLANG[:-1] + (0,), "--agents"),
    (AGENTS + ("--target", -5), "--target"),
    (AGENTS + ("--service-level", 1), "--service-level"),
    (AGENTS + ("--service-level", "nan"), "--service-level"),
    (SIMULATE + ("--seed", -1), "--seed"),
    (SIMULATE + ("--seed", 2 ** 63), "--seed"),
    (SIMULATE + ("--calls-per-hour", -5), "--calls-per-hour"),
    (SIMULATE + ("--calls-per-hour", 0), "--calls-per-hour"),
    (SIMULATE + ("--calls-per-hour", "nan"), "--calls-per-hour"),
    (SIMULATE + ("--calls-per-hour", "inf"), "--calls-per-hour"),
])
def test_a_bad_number_is_a_usage_error_naming_the_flag(args, flag):
    out = run(*args)
    assert out.exit_code == 2, out.output
    assert flag in out.output and "NaN" not in out.stdout and "nan" not in out.stdout


def test_agents_for_a_huge_load_answers_quickly():
    # the linear search over agent counts (each an O(agents) Erlang B) did not finish in 100 s
    run_ = subprocess.run([sys.executable, "-m", "ivr", "queue", "agents", "--calls-per-hour", "1e9",
                           "--aht", "180", "--target", "20", "--format", "json"],
                          capture_output=True, text=True, timeout=90, cwd=HOTLINE.parents[1])
    assert run_.returncode == 0, run_.stderr
    r = json.loads(run_.stdout)
    assert r["agents"] > 50_000_000 and r["service_level"] >= 0.8
