"""Text report for people at a terminal (rich): one menu in detail, many as a summary table."""
from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

STYLE = {"error": "bold red", "warning": "yellow", "note": "cyan"}


def _fmt(x) -> str:
    return "never" if x is None else str(x)


def _secs(x) -> str:
    return "never" if x is None else f"{x} s"


def _verdict(r: dict, short: bool = False) -> str:
    if r.get("not_checked"):
        return "[yellow]not checked[/]" if short else "[bold yellow]NOT CHECKED[/]"
    if r["passed"]:
        return "[green]pass[/]" if short else "[green]PASSED[/]"
    return "[bold red]fail[/]" if short else "[bold red]FAILED[/]"


def _one(console: Console, r: dict) -> None:
    if "error" in r:
        console.print(f"[bold red]cannot audit[/] {r['source']}: {r['error']}", markup=True, highlight=False)
        return
    m = r["metrics"]
    console.print(f"{_verdict(r)} {r['source']} — menu [bold]{r['menu']}[/] ({r['title']})", highlight=False)
    if r.get("not_checked"):
        console.print(f"  {r['not_checked']}: no rule was run (--all-languages applies them anyway)",
                      highlight=False, markup=False)
    console.print(f"  packs: {', '.join(r['packs']) or 'none'}"
                  + (f" (not applicable: {', '.join(r['packs_not_applicable'])})" if r["packs_not_applicable"] else ""),
                  highlight=False)
    console.print(f"  steps to a person (max): {_fmt(m['max_steps_to_human'])} "
                  f"(key {_fmt(m['max_steps_to_human_key'])}, voice {_fmt(m['max_steps_to_human_voice'])}); "
                  f"no person from {len(m['no_human_from'])} node(s); depth {m['depth']}; "
                  f"options per menu ≤ {m['max_options_per_menu']}; prompts before a person is offered: "
                  f"{_fmt(m['prompts_before_human'])}; time to a person from the start: "
                  f"{_secs(m['time_to_human_from_start_s'])} (listening {_secs(m['listening_to_human_from_start_s'])})",
                  highlight=False)
    guard = m.get("guard")
    if guard:
        state = (f"on: a person ({guard['to']}) after {guard['max_failures']} failed turns in a row or a complaint; "
                 "a safety net, not counted as a way to a person" if guard["enabled"] else "off")
        console.print(f"  never-stranded guard (run time): {state}", highlight=False, markup=False)
    if not r["findings"]:
        return
    table = Table(show_lines=False, expand=False)
    for col in ("severity", "rule", "pack", "node", "line", "message"):
        table.add_column(col, overflow="fold")
    for f in r["findings"]:
        table.add_row(f"[{STYLE.get(f['severity'], '')}]{f['severity']}[/]", f["rule"], f["pack"],
                      f["node"] or "", str(f["where"]["line"] or ""), f["message"])
    console.print(table)
    for s in r.get("fix_suggestions", []):
        console.print(f"  suggestion ({', '.join(s['rules'])}): {s['why']}", highlight=False)
        console.print("    " + s["yaml"].replace("\n", "\n    "), markup=False, highlight=False)


def summary_table(results: list[dict]) -> Table:
    table = Table(title=f"ivr audit: {len(results)} file(s)")
    for col in ("file", "menu", "result", "errors", "warnings", "max steps", "depth"):
        table.add_column(col)
    for r in results:
        if "error" in r:
            table.add_row(r["source"], "", "[bold red]input error[/]", "", "", "", "")
            continue
        m = r["metrics"]
        table.add_row(r["source"], r["menu"], _verdict(r, short=True),
                      str(r["counts"]["error"]), str(r["counts"]["warning"]),
                      _fmt(m["max_steps_to_human"]), _fmt(m["depth"]))
    return table


def text(results: list[dict], color: bool = False, detail_limit: int = 20) -> str:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, width=160, color_system="standard" if color else None)
    if len(results) <= detail_limit:
        for r in results:
            _one(console, r)
    if len(results) > 1:
        console.print(summary_table(results))
    return buf.getvalue()
