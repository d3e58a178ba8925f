"""The main job behind `make demo`: works offline on the bundled menus.

Each part is a function taking (menus_dir, config) and printing what it
shows; PARTS lists them in order. A part that needs something missing says
so and the demo goes on.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import click

from .engine import Call
from .errors import IvrError
from .loader import load_menu
from .script import parse_script, run_script
from .speech.demo import part_spoken_call

MENUS = ("consumer-service.yaml", "12351-hotline.yaml", "maze.yaml")

# the same need — "let me talk to a person" — in each menu's own terms
REACH_A_HUMAN = {
    "maze.yaml": "press 1\npress 3\npress 5\npress 9",
    "12351-hotline.yaml": "say 转人工",
    "consumer-service.yaml": "say agent",
}


def heading(text: str) -> None:
    click.secho(f"\n== {text}", bold=True)


def part_validate(menus_dir: Path, config: dict) -> None:
    heading("Bundled menus")
    for name in MENUS:
        menu = load_menu(menus_dir / name)
        click.echo(f"{name:<24} valid  {len(menu.nodes):>3} nodes  language {menu.language:<6} {menu.title}")


def part_reach_human(menus_dir: Path, config: dict) -> None:
    heading("Reaching a person (virtual time, nothing sleeps)")
    for name, script in REACH_A_HUMAN.items():
        call = run_script(Call(load_menu(menus_dir / name), config), parse_script(script, name))
        result = call.to_dict()
        steps = " → ".join(script.splitlines())
        click.echo(f"{name:<24} {steps:<40} {result['steps']} step(s), {result['elapsed_s']:>6.1f} s"
                   f" → {result['final_node']} ({result['final_kind']})")


def part_audit(menus_dir: Path, config: dict) -> None:
    from .audit import audit_menu, resolve_packs

    heading("Audit against the rule packs (ivr audit)")
    packs = resolve_packs(None, config)
    worst = None
    for name in MENUS:
        result = audit_menu(load_menu(menus_dir / name), packs, config)
        m = result.metrics.to_dict(nodes=False)
        counts = {s: sum(f.severity == s for f in result.findings) for s in ("error", "warning")}
        verdict = "pass" if result.passed else "FAIL"
        key, voice = (m[f"max_steps_to_human_{how}"] for how in ("key", "voice"))
        click.echo(f"{name:<24} {verdict:<5} {counts['error']:>3} errors {counts['warning']:>3} warnings   "
                   f"max steps to a person: key {key if key is not None else 'never'}, "
                   f"voice {voice if voice is not None else 'never'}")
        if not result.passed:
            worst = result
    if worst is not None:
        click.echo(f"first findings in {worst.menu.id}, one per rule:")
        seen: set[str] = set()
        for f in worst.findings:
            if f.rule in seen or len(seen) == 6:
                continue
            seen.add(f.rule)
            click.echo(f"  [{f.rule}] {f.message}\n      {f.citation['law']} — {f.citation['status']}")


def part_simulate(menus_dir: Path, config: dict) -> None:
    from .queueing.simulate import simulate_menu  # numba compiles on first use

    heading("20 000 simulated callers per menu (seeded, virtual time)")
    for name in MENUS:
        r = simulate_menu(load_menu(menus_dir / name), config, 20_000, seed=1)
        reached = r["reached_human"] / r["calls"]
        median = r["time_to_human_s"].get("p50")
        median_text = f"{median:6.1f} s" if median is not None else "     —"
        click.echo(f"{name:<24} reached a person {reached:6.1%}   median time to a person {median_text}   "
                   f"hung up in the menu {r['abandonment']['menu'] / r['calls']:6.1%}")


PARTS: list[Callable[[Path, dict], None]] = [part_validate, part_reach_human, part_audit, part_simulate,
                                             part_spoken_call]


def run_demo(menus_dir: Path, config: dict) -> None:
    for part in PARTS:
        try:
            part(menus_dir, config)
        except IvrError as err:
            click.echo(f"  (skipped: {err})", err=True)
