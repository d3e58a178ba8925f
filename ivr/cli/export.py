"""ivr export: write a menu for a platform (VoiceXML 2.1 or FreeSWITCH ivr XML)."""
from __future__ import annotations

import click

from ..exporters import export_menu
from ..sources import open_menu
from .common import EXIT_OK, progress, user_errors
from .output import write_output


@click.command("export")
@click.argument("menu_file", type=click.Path(dir_okay=False))
@click.option("--to", "target", type=click.Choice(["vxml", "freeswitch"]), required=True,
              help="Platform format to write.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (default: stdout).")
@user_errors
def command(menu_file: str, target: str, output: str | None) -> None:
    """Export MENU_FILE (any format ivr reads) to VoiceXML or FreeSWITCH.

    What the platform cannot express is listed on stderr. `ivr import` reads
    the result back to an equivalent menu.
    """
    menu = open_menu(menu_file)
    text, notes = export_menu(menu, target)
    write_output(text, output)
    if output:
        progress(f"wrote {output}")
    for note in notes:
        progress(f"note: {note}")
    raise SystemExit(EXIT_OK)
