"""ivr audit: metrics and cited compliance rules for menu files."""
from __future__ import annotations

import contextlib
import sys
from typing import Optional

import click

from ..reports import FORMATS
from ..rules import pack_names
from .common import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, config_option, format_option, quiet_option, user_errors
from .inputs import expand, report_skipped
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
@click.argument("menus", nargs=-1, required=True)
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
              help="Audit files in this many parallel processes (with --dask local: Dask workers).")
@click.option("--dask", "dask", metavar="ADDRESS",
              help="Audit on a Dask distributed cluster: `local` starts one on 127.0.0.1 with --jobs "
                   "workers; tcp://HOST:PORT uses a running scheduler (its workers need ivr and the files).")
@click.option("--fix-suggestions", is_flag=True,
              help="Add the YAML changes that would restore the 1-step guarantee.")
@click.option("--fix", "fix", is_flag=True,
              help="Write each corrected menu to NAME.fixed.yaml next to it (the menu itself is not touched).")
@click.option("--fix-output", type=click.Path(dir_okay=False), metavar="FILE",
              help="With --fix and one MENU: write the corrected menu here instead.")
@click.option("--in-place", is_flag=True, help="With --fix: replace the YAML menu itself with the corrected one.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Print the corrections as a unified diff on stdout instead of the report "
                   "(the report still goes to --output); without --fix nothing is written.")
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
            dask: Optional[str],
            fix_suggestions: bool, fix: bool, fix_output: Optional[str], in_place: bool, show_diff: bool,
            all_languages: bool, baseline: Optional[str], db: Optional[str],
            quiet: bool, config_path: Optional[str]) -> None:
    """Audit each MENU against rule packs: how far a caller is from a
    person (steps by key and by voice, seconds, queue wait), what silence and
    wrong input do, and which cited rules the design breaks.

    MENU is a file, a folder (every menu file under it, recognised by its
    content; other files are listed as skipped), a glob ('menus/**/*.xml')
    or @LIST (a file naming one of those per line).

    Packs scoped to a language apply only to menus in it; a menu no chosen
    pack applies to is reported NOT CHECKED (with a warning on stderr).

    --fix writes each corrected menu to NAME.fixed.yaml (--fix-output FILE
    for one menu, --in-place to replace it) and re-audits it; --diff prints
    the correction as a unified diff.

    Exit 0 when no finding has severity error (or nothing was checked), 1 when
    some do, 2 when some input could not be audited (the others are still
    reported) or on a usage error.
    """
    # imported here, not at the top: `ivr audit --help` needs none of numpy or the rules
    from ..audit import audit_files, resolve_packs
    from ..config import load_config
    from ..reports import render
    if (fix_output or in_place) and not fix:
        raise click.UsageError("--fix-output and --in-place go with --fix")
    if fix_output and in_place:
        raise click.UsageError("give --fix-output or --in-place, not both")
    config = load_config(config_path)
    chosen = resolve_packs(packs, config)
    previous = None
    if baseline:
        from ..reports.baseline import load
        previous = load(baseline)
    inputs = expand(menus)
    report_skipped(inputs, quiet)
    with _progress_bar(len(inputs.paths), quiet) as tick:
        results = audit_files(inputs.paths, chosen, config, jobs=jobs, nodes=fmt in ("json", "html"),
                              suggestions=fix_suggestions, tick=tick,
                              all_languages=all_languages, dask=dask, diagram=fmt == "html")
    from ..reports import envelope
    doc = envelope(results, inputs.skipped, chosen, previous)
    for e in doc["errors"]:
        click.echo(f"{'internal error' if e['error'] == 'internal' else 'error'}: {e['message']}", err=True)
    for r in doc["menus"] if not quiet else []:
        if r.get("not_checked"):
            click.echo(f"warning: {r['source']}: nothing checked: {r['not_checked']}; "
                       "give --all-languages to apply the packs anyway", err=True)
    report = render(doc, fmt, color=fmt == "text" and output is None and sys.stdout.isatty(), quiet=quiet)
    if not show_diff or output:
        write_output(report, output, "--output")
    if output and not quiet:
        click.echo(f"wrote {output}", err=True)
    if db:   # after the report: a history that cannot be written never hides the results
        from ..audit_store import save_run
        save_run(db, doc)
    if fix or show_diff:
        from .fix import fix_menus
        diff = fix_menus(list(inputs.paths), chosen, config, all_languages, write=fix, in_place=in_place,
                         fix_output=fix_output, show_diff=show_diff)
        if show_diff:
            click.echo(diff, nl=False)
    if doc["errors"]:
        raise SystemExit(EXIT_INPUT)
    raise SystemExit(EXIT_OK if all(r["passed"] for r in doc["menus"]) else EXIT_FINDINGS)


@contextlib.contextmanager
def _progress_bar(total: int, quiet: bool):
    """A transient bar on a terminal for two or more files (yields its tick), else
    nothing: rich is not even imported for one menu or a pipe."""
    if quiet or total < 2 or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    with Progress(TextColumn("auditing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("audit", total=total)
        yield lambda _result: bar.advance(task)
