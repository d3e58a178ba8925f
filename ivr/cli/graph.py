"""ivr graph: draw a menu (dot, mermaid, svg, png), nodes coloured by steps to a person."""
from __future__ import annotations

import click

from ..graph import RENDER
from ..sources import open_menu
from .common import EXIT_OK, progress, user_errors
from .output import write_output


@click.command("graph")
@click.argument("menu_file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(list(RENDER)), default="dot", show_default=True,
              help="dot (Graphviz source), mermaid, svg or png (svg and png need Graphviz installed).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (default: stdout).")
@user_errors
def command(menu_file: str, fmt: str, output: str | None) -> None:
    """Draw MENU_FILE (any format ivr reads). Top-down from the start; colours:
    blue = a person, green 1 step to a person, yellow 2, orange 3, red 4+,
    grey = none. Thick red border: a forced prompt (with its seconds); AD: an
    advert; thick blue arrows: ways to a person; dashed: silence / wrong input
    after the retries. The picture carries this legend."""
    write_output(RENDER[fmt](open_menu(menu_file)), output)
    if output:
        progress(f"wrote {output}")
    raise SystemExit(EXIT_OK)
