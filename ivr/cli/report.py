"""`ivr report`: what the recorded calls say."""
from __future__ import annotations

from typing import Optional

import click

from ..config import load_config
from ..records import connect, database_path
from ..records.report import build_report, render_html, render_text
from .common import config_option, format_option, print_json, user_errors


@click.command("report")
@click.option("--db", "db", type=click.Path(dir_okay=False),
              help="SQLite records file (default: `database` in config.yaml).")
@click.option("--source", type=click.Choice(["call", "simulate", "live", "sip"]),
              help="Only calls from `ivr call`, `ivr simulate`, live audio or `ivr serve` (sip).")
@click.option("--menu", help="Only calls to this menu id.")
@config_option
@format_option("text", "json", "html")
@user_errors
def command(db: Optional[str], source: Optional[str], menu: Optional[str],
            config_path: Optional[str], fmt: str) -> None:
    """Time to a person, abandonment by node, top reasons, hot spots by
    region and category, work orders and early warnings, from the records."""
    report = build_report(connect(database_path(load_config(config_path), db), create=False),
                          source, menu)
    if fmt == "json":
        print_json(report)
    elif fmt == "html":
        click.echo(render_html(report))
    else:
        click.echo(render_text(report))
