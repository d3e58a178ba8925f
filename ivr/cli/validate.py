"""ivr validate: check menu files; every problem at file:line:col with a fix."""
from __future__ import annotations

from typing import Optional

import click

from .. import __version__
from ..audit import input_error
from ..config import load_config
from ..model import Where
from ..sources import open_menu
from .common import EXIT_INPUT, EXIT_OK, config_option, format_option, print_json, quiet_option, user_errors
from .inputs import expand, report_skipped


def check_file(path: str, config: dict) -> dict:
    """{'file', 'valid', 'menu', 'nodes', 'errors'}; a crash in ivr is an internal error of this file."""
    try:
        menu = open_menu(path, config=config)
        return {"file": path, "valid": True, "menu": menu.id, "title": menu.title, "nodes": len(menu.nodes),
                "errors": []}
    except Exception as err:   # one file never takes the others with it
        bad = input_error(path, err)
        return {"file": path, "valid": False, "internal": bad["error"] == "internal", "errors": bad["errors"],
                "message": bad["message"]}


@click.command("validate")
@click.argument("files", nargs=-1, required=True)
@config_option
@format_option("text", "json")
@quiet_option
@user_errors
def command(files: tuple[str, ...], config_path: Optional[str], fmt: str, quiet: bool) -> None:
    """Check that each menu FILE is a valid, runnable menu (what a menu leaves
    out, its language and timeouts, comes from config.yaml). Every problem of
    a file is reported in one run, file:line:col and the fix.

    FILE is a file, a folder (every menu file under it, recognised by its
    content; other files are listed as skipped), a glob or @LIST.

    JSON: {"format": "ivr-validate", "version": 1, "files": [...], "skipped": [...]}.
    Exit 0 when every file is valid, 2 when any is not.
    """
    config = load_config(config_path)
    inputs = expand(files)
    report_skipped(inputs, quiet)
    results = [check_file(path, config) for path in inputs.paths]
    for r in results:
        if not r["valid"] and fmt == "text":
            if r["internal"]:
                click.echo(f"internal error: {r['message']}", err=True)
            for e in [] if r["internal"] else r["errors"]:
                where = str(Where(e["file"], e["line"] or 0, e["column"] or 0)) if e["file"] else ""
                click.echo(f"{where + ': ' if where else ''}{e['problem']}{' — ' + e['fix'] if e['fix'] else ''}",
                           err=True)
    if fmt == "json":
        print_json({"format": "ivr-validate", "version": 1, "ivr": __version__, "files": results,
                    "skipped": inputs.skipped})
    elif not quiet:
        for r in results:
            if r["valid"]:
                click.echo(f"{r['file']}: ok ({r['menu']}, {r['nodes']} nodes)")
    raise SystemExit(EXIT_OK if all(r["valid"] for r in results) else EXIT_INPUT)
