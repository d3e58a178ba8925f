"""`ivr queue`: wait-time models of a human queue (Erlang C, Erlang A)."""
from __future__ import annotations

import math

import click

from ..queueing import agents_needed, erlang_a, erlang_c
from .common import FiniteFloat, format_option, print_json, user_errors


@click.group("queue")
def command() -> None:
    """Human-queue wait-time models: Erlang C and the agents needed for a target."""


def _rate_options(func):
    func = click.option("--aht", "aht_s", type=FiniteFloat(min=0, min_open=True), required=True,
                        help="Average handle time in seconds.")(func)
    func = click.option("--calls-per-hour", type=FiniteFloat(min=0), required=True,
                        help="Arrival rate of calls to this queue.")(func)
    return func


@command.command("erlang-c")
@_rate_options
@click.option("--agents", type=click.IntRange(min=1), required=True, help="Agents answering this queue.")
@click.option("--target", "target_s", type=FiniteFloat(min=0), default=20.0, show_default=True,
              help="Service-level target: answered within this many seconds.")
@click.option("--patience", "patience_s", type=FiniteFloat(min=0, min_open=True), default=None,
              help="Mean caller patience in seconds: also show Erlang A (callers hang up).")
@format_option("text", "json")
@user_errors
def erlang_c_cmd(calls_per_hour: float, aht_s: float, agents: int, target_s: float,
                 patience_s: float | None, fmt: str) -> None:
    """Probability of waiting, service level, average speed of answer, occupancy.

    Example: ivr queue erlang-c --calls-per-hour 200 --aht 180 --agents 14 --target 20
    """
    result = erlang_c(calls_per_hour, aht_s, agents, target_s)
    result.update(calls_per_hour=calls_per_hour, aht_s=aht_s, agents=agents, target_s=target_s)
    if patience_s is not None:
        result["erlang_a"] = erlang_a(calls_per_hour, aht_s, agents, patience_s)
        result["erlang_a"]["patience_s"] = patience_s
    if fmt == "json":
        print_json({k: (None if isinstance(v, float) and math.isinf(v) else v)
                    for k, v in result.items()})
        return
    click.echo(f"load            {result['load_erlangs']:.3f} Erlangs on {agents} agents")
    if not result["stable"]:
        click.echo("overloaded: the load is at or above the agents; the queue grows without end")
    click.echo(f"P(wait)         {result['p_wait']:.5f}")
    click.echo(f"service level   {result['service_level']:.5f} answered within {target_s:g} s")
    click.echo(f"ASA             {result['asa_s']:.2f} s")
    click.echo(f"occupancy       {result['occupancy']:.3f}")
    if patience_s is not None:
        a = result["erlang_a"]
        click.echo(f"Erlang A (mean patience {patience_s:g} s): P(wait) {a['p_wait']:.5f}, "
                   f"abandon {a['p_abandon']:.5f}, mean wait {a['mean_wait_s']:.2f} s")


@command.command("agents")
@_rate_options
@click.option("--target", "target_s", type=FiniteFloat(min=0), default=20.0, show_default=True,
              help="Answered within this many seconds…")
@click.option("--service-level", type=FiniteFloat(0, 1, min_open=True, max_open=True), default=0.8,
              show_default=True,
              help="…for this share of callers (0-1).")
@format_option("text", "json")
@user_errors
def agents_cmd(calls_per_hour: float, aht_s: float, target_s: float, service_level: float,
               fmt: str) -> None:
    """The fewest agents that meet a service-level target (Erlang C)."""
    n = agents_needed(calls_per_hour, aht_s, target_s, service_level)
    result = erlang_c(calls_per_hour, aht_s, n, target_s)
    result["agents"] = n
    if fmt == "json":
        print_json(result)
    else:
        click.echo(f"{n} agents: service level {result['service_level']:.3f} within {target_s:g} s, "
                   f"ASA {result['asa_s']:.1f} s, occupancy {result['occupancy']:.3f}")
