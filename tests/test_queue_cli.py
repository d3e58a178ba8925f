"""Acceptance: `ivr queue erlang-c` reproduces the published vector; `ivr simulate`
prints the same numbers for the same seed."""
import json
from pathlib import Path

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
    assert out.exit_code == 2 and "handle time" in out.output


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
