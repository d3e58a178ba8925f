"""`ivr simulate MENU`: many virtual callers through the menu into its queues."""
from __future__ import annotations

from typing import Optional

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from ..config import load_config
from ..records import connect, database_path, record_simulation
from ..sources import open_menu
from .common import FiniteFloat, config_option, format_option, print_json, user_errors

MAX_CALLS = 500_000   # measured: 200 000 calls of the maze take 300 MB and 24 s


@click.command("simulate")
@click.argument("menu_file", metavar="MENU", type=click.Path(dir_okay=False))
@click.option("--calls", type=click.IntRange(min=1, max=MAX_CALLS), default=10_000, show_default=True,
              help=f"Number of simulated callers (at most {MAX_CALLS:,}: memory grows with the calls, "
                   "about 1.5 KB each; for more, run several --seed values).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True,
              help="Same seed, same result.")
@click.option("--calls-per-hour", type=FiniteFloat(min=0, min_open=True), default=None,
              help="Arrival rate (default: from the queues' calls_per_hour).")
@config_option
@click.option("--db", "db", type=click.Path(dir_okay=False),
              help="Record the run here (default: `database` in config.yaml).")
@click.option("--record-sample", type=click.IntRange(min=0), default=1000, show_default=True,
              help="Simulated calls stored as call records, a seeded sample (the summary is always stored).")
@click.option("--no-record", is_flag=True, help="Do not write to the records database.")
@format_option("text", "json")
@user_errors
def command(menu_file: str, calls: int, seed: int, calls_per_hour: Optional[float],
            config_path: Optional[str], db: Optional[str], record_sample: int, no_record: bool,
            fmt: str) -> None:
    """Simulate callers walking MENU (options chosen by `weight`), waiting in its
    human queues and hanging up when out of patience. Prints time to a person,
    abandonment per node and in queue, and service level.

    Caller behaviour (patience, silence, wrong keys) comes from the
    `simulation:` section of config.yaml; see docs/routing.md. The run's
    summary and a sample of its calls are recorded for `ivr report`.
    """
    from ..queueing.simulate import sample_records, simulate_menu  # numba: load only when used

    config = load_config(config_path)
    menu = open_menu(menu_file, config=config)
    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("callers", total=calls)
        result = simulate_menu(menu, config, calls, seed=seed, calls_per_hour=calls_per_hour,
                               tick=lambda n: bar.advance(task, n))
    if not no_record:  # one transaction: the run summary and its sampled calls
        path = database_path(config, db)
        summary = {k: v for k, v in result.items() if k != "_calls"}
        run_id = record_simulation(connect(path), summary, sample_records(result, record_sample, seed))
        click.echo(f"recorded simulation run #{run_id} in {path}", err=True)
    result.pop("_calls")
    if fmt == "json":
        print_json(result)
        return
    click.echo(render_text(result))


def render_text(r: dict) -> str:
    t, m, ab = r["time_to_human_s"], r["menu_time_s"], r["abandonment"]
    lines = [f"{r['menu']}: {r['calls']} callers at {r['calls_per_hour']:.1f}/h, seed {r['seed']}",
             "outcomes: " + ", ".join(f"{k} {v}" for k, v in r["outcomes"].items() if v),
             f"reached a person: {r['reached_human']} ({r['callbacks']} by call-back)"]
    if t["p50"] is not None:
        lines.append("time to a person (s): " + ", ".join(f"{k} {v}" for k, v in t.items()))
    lines.append("time in the menu (s): " + ", ".join(f"{k} {v}" for k, v in m.items()))
    lines.append(f"abandoned: {ab['menu']} in the menu, {ab['queue']} in queue "
                 f"({ab['rate']:.1%} of callers)")
    for node, count in list(ab["by_node"].items())[:10]:
        lines.append(f"  {node:<20} {count}")
    if r["service_level"] is not None:
        lines.append(f"service level: {r['service_level']:.1%} answered within {r['target_s']:g} s")
    for name, q in r["queues"].items():
        if "arrivals" not in q:
            why = "no agents: nobody answers" if q["agents"] == 0 else "business hours"
            lines.append(f"queue {name}: closed for all {q['closed']} callers ({why})")
            continue
        line = (f"queue {name}: {q['arrivals']} calls, {q['agents']} agents, answered {q['answered']}, "
                f"abandoned {q['abandon_rate']:.1%}, ASA {q['asa_s']:.1f} s, "
                f"service level {q['service_level']:.1%}, occupancy {q['occupancy']:.2f}"
                + (f", {q['closed']} outside hours {q['hours']}" if q["closed"] else ""))
        model = []
        if "erlang_c" in q:
            model.append(f"ASA {q['erlang_c']['asa_s']:.1f} s, SL {q['erlang_c']['service_level']:.1%}")
        if "agents_for_80_percent" in q:
            model.append(f"{q['agents_for_80_percent']} agents answer 80 % within {r['target_s']:g} s")
        if model:
            line += f" (Erlang C: {'; '.join(model)})"
        lines.append(line)
    return "\n".join(lines)
