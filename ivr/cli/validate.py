"""ivr validate: check menu files; every problem at file:line:col with a fix."""
from __future__ import annotations

from typing import Optional

import click

from ..config import load_config
from ..errors import IvrError, MenuError
from ..sources import open_menu
from .common import EXIT_INPUT, EXIT_OK, config_option, format_option, print_json, user_errors


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@config_option
@format_option("text", "json")
@user_errors
def command(files: tuple[str, ...], config_path: Optional[str], fmt: str) -> None:
    """Check that each menu FILE is a valid, runnable menu (what a menu leaves
    out, its language and timeouts, comes from config.yaml).

    Exit 0 when every file is valid, 2 when any is not.
    """
    config = load_config(config_path)
    results = []
    for path in files:
        try:
            menu = open_menu(path, config=config)
            results.append({"file": path, "valid": True, "menu": menu.id, "nodes": len(menu.nodes), "errors": []})
        except IvrError as err:
            errors = err.errors if isinstance(err, MenuError) else [err]
            results.append({"file": path, "valid": False, "errors": [e.to_dict() for e in errors]})
            if fmt == "text":
                for e in errors:
                    click.echo(f"{IvrError.__str__(e)}", err=True)
    if fmt == "json":
        print_json(results)
    else:
        for r in results:
            if r["valid"]:
                click.echo(f"{r['file']}: ok ({r['menu']}, {r['nodes']} nodes)")
    raise SystemExit(EXIT_OK if all(r["valid"] for r in results) else EXIT_INPUT)
