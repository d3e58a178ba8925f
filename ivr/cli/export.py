"""ivr export: write a menu for a platform (VoiceXML 2.1 or FreeSWITCH ivr XML)."""
from __future__ import annotations

from pathlib import Path

import click

from ..exporters import export_menu
from ..sources import open_menu
from .common import EXIT_OK, progress, user_errors


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
    if output:
        Path(output).write_text(text, "utf-8")
        progress(f"wrote {output}")
    else:
        click.echo(text, nl=False)
    for note in notes:
        progress(f"note: {note}")
    raise SystemExit(EXIT_OK)
