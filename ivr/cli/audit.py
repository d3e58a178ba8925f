"""ivr audit: metrics and cited compliance rules for menu files."""
from __future__ import annotations

import sys
from typing import Optional

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..audit import audit_files, resolve_packs
from ..config import load_config
from ..reports import FORMATS, envelope, render
from ..rules import pack_names
from .common import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, config_option, format_option, quiet_option, user_errors
from .inputs import expand, report_skipped
from .output import write_output


@click.command("audit")
@click.argument("menus", nargs=-1, required=True)
@click.option("--rules", "packs", multiple=True, metavar="PACKS",
              help=f"Rule packs, comma-separated ({', '.join(pack_names())}) or a pack .yaml; "
                   "default: rules.packs in config.yaml (all).")
@format_option(*FORMATS)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to this file instead of stdout.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Audit files in this many parallel processes.")
@click.option("--fix-suggestions", is_flag=True,
              help="Add the YAML changes that would restore the 1-step guarantee.")
@click.option("--all-languages", is_flag=True,
              help="Apply every chosen pack whatever the menu's language (cn is otherwise only for "
                   "Chinese menus, es for menus offering Spanish).")
@click.option("--baseline", type=click.Path(dir_okay=False),
              help="An earlier `--format json` report: mark each finding new or unchanged, list the fixed "
                   "ones and each menu's verdict change.")
@click.option("--db", "db", type=click.Path(dir_okay=False),
              help="Keep this run (menus, content hashes, findings) in this SQLite file; "
                   "`ivr report --audits FILE` shows the trend.")
@quiet_option
@config_option
@user_errors
def command(menus: tuple[str, ...], packs: tuple[str, ...], fmt: str, output: Optional[str], jobs: int,
            fix_suggestions: bool, all_languages: bool, baseline: Optional[str], db: Optional[str],
            quiet: bool, config_path: Optional[str]) -> None:
    """Audit each MENU against rule packs: how far a caller is from a
    person (steps by key and by voice, seconds, queue wait), what silence and
    wrong input do, and which cited rules the design breaks.

    MENU is a file, a folder (every menu file under it, recognised by its
    content; other files are listed as skipped), a glob ('menus/**/*.xml')
    or @LIST (a file naming one of those per line).

    Packs scoped to a language apply only to menus in it; a menu no chosen
    pack applies to is reported NOT CHECKED (with a warning on stderr).

    Exit 0 when no finding has severity error (or nothing was checked), 1 when
    some do, 2 when some input could not be audited (the others are still
    reported) or on a usage error.
    """
    config = load_config(config_path)
    chosen = resolve_packs(packs, config)
    previous = None
    if baseline:
        from ..reports.baseline import load
        previous = load(baseline)
    inputs = expand(menus)
    report_skipped(inputs, quiet)
    stderr = Console(stderr=True)
    with Progress(TextColumn("auditing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=stderr, transient=True,
                  disable=quiet or len(inputs.paths) < 2 or not stderr.is_terminal) as bar:
        task = bar.add_task("audit", total=len(inputs.paths))
        results = audit_files(inputs.paths, chosen, config, jobs=jobs, nodes=fmt in ("json", "html"),
                              suggestions=fix_suggestions, tick=lambda _r: bar.advance(task),
                              all_languages=all_languages, diagram=fmt == "html")
    doc = envelope(results, inputs.skipped, chosen, previous)
    for e in doc["errors"]:
        click.echo(f"{'internal error' if e['error'] == 'internal' else 'error'}: {e['message']}", err=True)
    for r in doc["menus"] if not quiet else []:
        if r.get("not_checked"):
            click.echo(f"warning: {r['source']}: nothing checked: {r['not_checked']}; "
                       "give --all-languages to apply the packs anyway", err=True)
    report = render(doc, fmt, color=fmt == "text" and output is None and sys.stdout.isatty(), quiet=quiet)
    write_output(report, output, "--output")
    if output and not quiet:
        click.echo(f"wrote {output}", err=True)
    if db:   # after the report: a history that cannot be written never hides the results
        from ..audit_store import save_run
        save_run(db, doc)
    if doc["errors"]:
        raise SystemExit(EXIT_INPUT)
    raise SystemExit(EXIT_OK if all(r["passed"] for r in doc["menus"]) else EXIT_FINDINGS)
