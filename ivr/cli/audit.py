"""ivr audit: metrics and cited compliance rules for menu files."""
from __future__ import annotations

import sys
from typing import Optional

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..audit import audit_files, resolve_packs
from ..config import load_config
from ..reports import FORMATS, render
from ..rules import pack_names
from .common import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, config_option, format_option, user_errors
from .output import write_output


def _explain(ctx: click.Context, _param: click.Parameter, rule: Optional[str]) -> None:
    """Print a rule's rationale, per-pack thresholds, citations and fix, then stop."""
    if rule is None or ctx.resilient_parsing:
        return
    from ..errors import IvrError
    from ..rules._explain import explain
    try:
        click.echo(explain(rule), nl=False)
    except IvrError as err:
        click.echo(f"error: {err}", err=True)
        ctx.exit(EXIT_INPUT)
    ctx.exit(EXIT_OK)


@click.command("audit")
@click.argument("menus", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--explain", metavar="RULE", is_eager=True, expose_value=False, callback=_explain,
              help="Print what RULE checks, why, its thresholds and citation in each pack, and the fix; "
                   "no MENU needed.")
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
@config_option
@user_errors
def command(menus: tuple[str, ...], packs: tuple[str, ...], fmt: str, output: Optional[str], jobs: int,
            fix_suggestions: bool, all_languages: bool, config_path: Optional[str]) -> None:
    """Audit each MENU file against rule packs: how far a caller is from a
    person (steps by key and by voice, seconds, queue wait), what silence and
    wrong input do, and which cited rules the design breaks.

    Packs scoped to a language apply only to menus in it; a menu no chosen
    pack applies to is reported NOT CHECKED (with a warning on stderr).

    Exit 0 when no finding has severity error (or nothing was checked), 1 when
    some do, 2 on input errors.
    """
    config = load_config(config_path)
    chosen = resolve_packs(packs, config)
    nodes = fmt in ("json", "html")
    stderr = Console(stderr=True)
    with Progress(TextColumn("auditing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=stderr, transient=True, disable=len(menus) < 2 or not stderr.is_terminal) as bar:
        task = bar.add_task("audit", total=len(menus))
        results = audit_files(list(menus), chosen, config, jobs=jobs, nodes=nodes,
                              suggestions=fix_suggestions, tick=lambda _r: bar.advance(task),
                              all_languages=all_languages)
    failed_input = [r for r in results if "error" in r]
    for r in failed_input:
        click.echo(f"error: {r['error']}", err=True)
    for r in results:
        if r.get("not_checked"):
            click.echo(f"warning: {r['source']}: nothing checked: {r['not_checked']}; "
                       "give --all-languages to apply the packs anyway", err=True)
    report = render(results, fmt, color=fmt == "text" and output is None and sys.stdout.isatty())
    write_output(report, output, "--output")
    if output:
        click.echo(f"wrote {output}", err=True)
    if failed_input:
        raise SystemExit(EXIT_INPUT)
    raise SystemExit(EXIT_OK if all(r["passed"] for r in results) else EXIT_FINDINGS)
