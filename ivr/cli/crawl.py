"""ivr crawl: map a live phone line by calling it (see docs/crawl.md)."""
from __future__ import annotations

import signal
from typing import Optional

import click

from ..config import load_config
from .common import EXIT_FINDINGS, EXIT_OK, config_option, format_option, print_json, progress, user_errors


@click.command("crawl")
@click.argument("target", required=False)
@click.option("-o", "--output", "out", type=click.Path(), help="The map as an ivr menu YAML (with --targets: a folder).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), help="The crawl report as JSON.")
@click.option("--targets", type=click.Path(dir_okay=False, exists=True),
              help="CSV of lines (column `target`, optional `language`) to crawl on Dask.")
@click.option("--scheduler", help="Dask scheduler address for --targets (default: a local cluster).")
@click.option("--calls", "concurrent", type=click.IntRange(1, 50), default=2, show_default=True,
              help="Calls at once.")
@click.option("--max-calls", type=click.IntRange(1, 100000), default=500, show_default=True, help="Call budget.")
@click.option("--max-minutes", type=click.FloatRange(0.1, 100000), default=60.0, show_default=True,
              help="Line-minute budget (all calls added up), also the wall-clock limit.")
@click.option("--pace", "pace_s", type=click.FloatRange(0, 3600), default=1.0, show_default=True,
              help="Seconds between two call starts.")
@click.option("--ring-timeout", type=click.FloatRange(1, 300), default=30.0, show_default=True,
              help="Give up on a call that rings this long.")
@click.option("--dtmf", type=click.Choice(["rfc4733", "info"]), default="rfc4733", show_default=True,
              help="How keys are sent.")
@click.option("--language", default="en", show_default=True, help="The line's language (BCP-47), for transcripts.")
@click.option("--keys", default="0123456789*#", show_default=True,
              help="The keys to try at each menu (fewer keys, fewer calls).")
@click.option("--no-transcribe", is_flag=True, help="Map by keys only; do not transcribe prompts.")
@click.option("--try-speech", is_flag=True,
              help="Then say, at each menu, the words heard for each key (synthesised speech, one call each).")
@config_option
@format_option("text", "json")
@user_errors
def command(target: Optional[str], out: Optional[str], report_path: Optional[str], targets: Optional[str],
            scheduler: Optional[str], concurrent: int, max_calls: int, max_minutes: float, pace_s: float,
            ring_timeout: float, dtmf: str, language: str, keys: str, no_transcribe: bool, try_speech: bool,
            config_path: Optional[str], fmt: str) -> None:
    """Call TARGET (sip:LINE@HOST[:PORT]), explore its menu breadth-first by
    keys and silence, and write what was found as an ivr menu (-o) that
    `ivr validate` and `ivr audit` read, plus a report (--report).

    Polite by default: at most --calls at once, --pace between calls, and
    budgets of calls and minutes; Ctrl-C or SIGTERM keeps the partial map.
    `sim:MENU.yaml` plays a menu file through the call engine instead of a
    network (to try the crawler). Exit 0 mapped, 1 partial map or no answer,
    2 usage error.
    """
    from ..crawl.explore import Budget
    from ..crawl.run import Job, crawl

    if try_speech and no_transcribe:
        raise click.UsageError("--try-speech says the words heard in the prompts: it needs transcripts "
                               "(drop --no-transcribe)")
    if bool(target) == bool(targets):
        raise click.UsageError("give one TARGET or --targets CSV")
    bad = sorted(set(keys) - set("0123456789*#"))
    if bad or not keys:
        raise click.UsageError(f"--keys takes DTMF keys 0-9 * # (got {''.join(bad) or 'none'})")
    config = load_config(config_path)
    budget = Budget(max_calls=max_calls, max_minutes=max_minutes, concurrent=concurrent, pace_s=pace_s,
                    ring_timeout_s=ring_timeout)
    if targets:
        from ..crawl.batch import crawl_many
        if not out:
            raise click.UsageError("--targets needs -o FOLDER")
        results = crawl_many(targets, out, budget, dtmf=dtmf, transcribe=not no_transcribe,
                             scheduler=scheduler, config=config, progress=progress, try_speech=try_speech)
        if fmt == "json":
            print_json(results)
        else:
            for r in results:
                click.echo(f"{r['target']}: {r.get('summary', '')}")
        raise SystemExit(EXIT_OK if all(r.get("finished") for r in results) else EXIT_FINDINGS)
    job = Job(target=target, out=out, report=report_path, language=language, dtmf=dtmf, budget=budget,
              transcribe=not no_transcribe, try_speech=try_speech, keys=tuple(dict.fromkeys(keys)))
    holder = []

    def on_signal(signum, frame) -> None:
        if holder:
            holder[0].interrupt(f"interrupted ({signal.Signals(signum).name}): partial map")
        else:
            raise KeyboardInterrupt

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        report = crawl(job, config, progress=progress, on_crawler=holder.append)
    except KeyboardInterrupt:
        click.echo("interrupted before the first call: nothing mapped", err=True)
        raise SystemExit(EXIT_FINDINGS)
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    if fmt == "json":
        print_json({k: v for k, v in report.items() if k != "yaml" or not out})
    else:
        if not out and report.get("yaml"):
            click.echo(report["yaml"], nl=False)
        click.echo(summary(report), err=bool(not out))
    raise SystemExit(EXIT_OK if report["finished"] else EXIT_FINDINGS)


def summary(report: dict) -> str:
    lines = [f"{report['target']}: {len(report['nodes'])} nodes, {len(report['edges'])} edges, "
             f"{report['calls']} calls, {report['line_minutes']} line minutes"
             + ("" if report["finished"] else f" — stopped: {report['stopped']}")]
    for h in report["hidden_human_options"]:
        lines.append(f"hidden human option: key {h['key']} at {h['node']} reaches a person ({h['to']}) "
                     "but the prompt never announces it")
    for s in report.get("speech", []):
        lines.append(f"said {s['said']!r} at {s['node']}: {s['reached']}"
                     + ("" if s["same_as_key"] else f" (key {s['key']} leads elsewhere)"))
    if report["unsure"]:
        lines.append(f"unsure of {len(report['unsure'])} things (see the report)")
    return "\n".join(lines)
