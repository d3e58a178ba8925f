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


PARTS: list[Callable[[Path, dict], None]] = [part_validate, part_reach_human, part_spoken_call]


def run_demo(menus_dir: Path, config: dict) -> None:
    for part in PARTS:
        try:
            part(menus_dir, config)
        except IvrError as err:
            click.echo(f"  (skipped: {err})", err=True)
