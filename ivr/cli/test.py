"""ivr test: run caller-flow scenarios, measure coverage, generate path tests."""
from __future__ import annotations

import sys
import time
from typing import Optional

import click
from rich.console import Console
from rich.progress import Progress

from ..config import load_config
from ..errors import IvrError
from ..flows.coverage import coverage, format_coverage
from ..flows.generate import crawl, write_scenarios
from ..flows.junit import below, failure_text, low_coverage_text, write_junit
from ..flows.runner import run_files
from ..flows.scenario import find_scenario_files
from ..model import Where
from ..sources import open_menu
from .common import EXIT_FINDINGS, EXIT_OK, format_option, print_json, user_errors


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--junit", "junit_file", type=click.Path(dir_okay=False), help="Also write JUnit XML to FILE.")
@click.option("--min-coverage", type=click.FloatRange(0, 100), default=None, metavar="P",
              help="Fail (exit 1) if any menu's transition coverage is below P percent.")
@click.option("--generate", "generate_menu", type=click.Path(dir_okay=False), metavar="MENU",
              help="Write one scenario per path through MENU (to -o DIR) instead of running tests.")
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False), help="Folder for --generate.")
@click.option("--max-visits", type=click.IntRange(1, 5), default=1, show_default=True,
              help="--generate: how often one path may enter the same node (bounds loops).")
@click.option("--max-paths", type=click.IntRange(1, 100000), default=500, show_default=True,
              help="--generate: stop crawling after this many paths.")
@click.option("--jobs", "-j", type=click.IntRange(0, 256), default=0, show_default=True,
              help="Processes to run scenario files in (0: one per CPU).")
@click.option("--verbose", "-v", is_flag=True, help="List passing scenarios too.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="config.yaml for scenario files that name no `config:` (default ./config.yaml); "
                   "with --generate, the config the crawl uses, named in every scenario written.")
@format_option("text", "json")
@user_errors
def command(paths: tuple[str, ...], junit_file: Optional[str], min_coverage: Optional[float],
            generate_menu: Optional[str], out_dir: Optional[str], max_visits: int, max_paths: int, jobs: int,
            verbose: bool, config_path: Optional[str], fmt: str) -> None:
    """Run the caller-flow scenarios in PATHS (files or folders of *.yaml).

    A scenario calls a menu, presses keys, says phrases, stays silent, and
    expects nodes, prompts, times, inputs and work orders; see docs/flows.md.
    Prints failures with the expected and actual path and the transcript,
    then the node and transition coverage of each menu.

    Exit codes: 0 all pass, 1 a scenario failed or coverage is below
    --min-coverage, 2 a bad scenario, menu or flag.
    """
    if generate_menu:
        if paths or not out_dir:
            raise IvrError("--generate takes a MENU and -o DIR, and no scenario PATHS",
                           "write e.g. `ivr test --generate menus/maze.yaml -o tests/flows/maze/generated`",
                           Where("<command line>", 0, 0), "usage")
        sys.exit(_generate(generate_menu, out_dir, max_visits, max_paths, config_path, fmt))
    if not paths:
        raise IvrError("no scenario files given", "write e.g. `ivr test tests/flows/`",
                       Where("<command line>", 0, 0), "usage")
    if out_dir:
        raise IvrError("-o DIR is only for --generate", "drop -o, or add --generate MENU",
                       Where("<command line>", 0, 0), "usage")
    sys.exit(_run(list(paths), junit_file, min_coverage, jobs, verbose, config_path, fmt))


def _run(paths: list[str], junit_file: Optional[str], min_coverage: Optional[float], jobs: int,
         verbose: bool, config_path: Optional[str], fmt: str) -> int:
    started = time.perf_counter()
    files = [str(f) for f in find_scenario_files(paths)]
    with Progress(console=Console(stderr=True), transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("scenario files", total=len(files))
        results, menus = run_files(files, jobs, on_file_done=lambda n: bar.advance(task, n),
                                   default_config=config_path)
    covs = coverage(results, menus)
    failed = [r for r in results if not r.passed]
    low = [c for c in covs if below(c, min_coverage)]
    if junit_file:
        write_junit(results, junit_file, covs, min_coverage)
    seconds = round(time.perf_counter() - started, 2)
    if fmt == "json":
        print_json({"passed": not failed and not low, "scenarios": len(results), "failed": len(failed),
                    "seconds": seconds, "min_coverage": min_coverage,
                    "results": [_result_json(r) for r in results], "coverage": [c.to_dict() for c in covs]})
    else:
        for r in results:
            if not r.passed:
                click.echo(f"FAIL {r.file}: {r.name}")
                click.echo("  " + failure_text(r).replace("\n", "\n  "))
            elif verbose:
                click.echo(f"ok   {r.file}: {r.name} ({r.elapsed_s} s, {r.steps} actions)")
        click.echo(f"{len(results)} scenarios in {len(files)} files: {len(results) - len(failed)} passed, "
                   f"{len(failed)} failed ({seconds} s)")
        click.echo(format_coverage(covs))
        for c in low:
            click.echo(low_coverage_text(c, min_coverage))
    return EXIT_FINDINGS if failed or low else EXIT_OK


def _result_json(result) -> dict:
    out = result.to_dict()
    if result.passed:
        out.pop("transcript")  # keep passing results short; failures carry the whole call
    return out


def _generate(menu_file: str, out_dir: str, max_visits: int, max_paths: int, config_path: Optional[str],
              fmt: str) -> int:
    config = load_config(config_path)
    menu = open_menu(menu_file, config=config)
    with Progress(console=Console(stderr=True), transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task(f"crawling {menu.id}", total=None)
        generated = crawl(menu, config, max_visits=max_visits, max_paths=max_paths,
                          tick=lambda: bar.advance(task))
    files = write_scenarios(menu, menu_file, out_dir, generated, config_path)
    if fmt == "json":
        print_json({"menu": menu.id, "files": files, "truncated": generated.truncated,
                    "unreached": [str(t) for t in generated.unreached]})
        return EXIT_OK
    click.echo(f"wrote {len(files)} scenarios for {menu.id} to {out_dir}")
    if generated.truncated:
        click.echo(f"the crawl stopped at --max-paths {max_paths}; raise it for every path", err=True)
    for t in generated.unreached:
        click.echo(f"no generated path exercises {t}", err=True)
    return EXIT_OK
