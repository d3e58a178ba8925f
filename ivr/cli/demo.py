"""ivr demo: the main job behind `make demo` (offline, bundled menus)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import click

from ..config import load_config
from ..demo import run_demo
from .common import config_option, user_errors


@click.command("demo")
@click.option("--menus", "menus_dir", type=click.Path(file_okay=False, exists=True), default=None,
              help="Folder with the bundled menus (default: menus/ of this checkout).")
@config_option
@user_errors
def command(menus_dir: Optional[str], config_path: Optional[str]) -> None:
    """Show what ivr does on the bundled menus, offline."""
    folder = Path(menus_dir) if menus_dir else Path(__file__).resolve().parents[2] / "menus"
    run_demo(folder, load_config(config_path))
