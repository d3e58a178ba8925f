"""Text report for people at a terminal (rich): one menu in detail, many as a summary table."""
from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..safe_text import for_terminal

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


def _error_line(console: Console, e: dict) -> None:
    head = "internal error" if e["error"] == "internal" else "cannot audit"
    console.print(f"[bold red]{head}[/] {escape(e['file'])}: {escape(e['message'])}", highlight=False)


def _baseline(console: Console, r: dict) -> None:
    b = r["baseline"]
    before = b["verdict_before"] or "not in the baseline"
    change = f"{before} → {b['verdict']}" if b["changed"] else f"still {b['verdict']}"
    console.print(f"  since the baseline: {change}; {b['new']} new, {len(b['fixed'])} fixed, "
                  f"{b['unchanged']} unchanged finding(s)", highlight=False, markup=False)
    for f in [f for f in r["findings"] if f.get("baseline") == "new"] + b["fixed"]:
        console.print(f"    {f['baseline']}: {f['rule']} ({f['pack']}) at {f['node'] or 'menu'}: {f['message']}",
                      highlight=False, markup=False)


def _one(console: Console, r: dict) -> None:
    m = r["metrics"]
    console.print(f"{_verdict(r)} {escape(r['source'])} — menu [bold]{escape(r['menu'])}[/] ({escape(r['title'])})",
                  highlight=False)
    if r.get("not_checked"):
        console.print(f"  {r['not_checked']}: no rule was run (--all-languages applies them anyway)",
                      highlight=False, markup=False)
    console.print(f"  packs: {', '.join(r['packs']) or 'none'}"
                  + (f" (not applicable: {', '.join(r['packs_not_applicable'])})" if r["packs_not_applicable"] else ""),
                  highlight=False, markup=False)
    console.print(f"  steps to a person (max): {_fmt(m['max_steps_to_human'])} "
                  f"(key {_fmt(m['max_steps_to_human_key'])}, voice {_fmt(m['max_steps_to_human_voice'])}); "
                  f"no person from {len(m['no_human_from'])} node(s); depth {m['depth']}; "
                  f"options per menu ≤ {m['max_options_per_menu']}; prompts before a person is offered: "
                  f"{_fmt(m['prompts_before_human'])}; time to a person from the start: "
                  f"{_secs(m['time_to_human_from_start_s'])} (listening {_secs(m['listening_to_human_from_start_s'])})",
                  highlight=False)
    if r.get("baseline"):
        _baseline(console, r)
    guard = m.get("guard")
    if guard:
        state = (f"on: a person ({guard['to']}) after {guard['max_failures']} failed turns in a row or a complaint; "
                 "a safety net, not counted as a way to a person" if guard["enabled"] else "off")
        console.print(f"  never-stranded guard (run time): {state}", highlight=False, markup=False)
    if not r["findings"]:
        return
    console.print(_finding_lines(r), highlight=False, soft_wrap=True)
    for s in r.get("fix_suggestions", []):
        console.print(f"  suggestion ({', '.join(s['rules'])}): {s['why']}", highlight=False, markup=False)
        console.print("    " + s["yaml"].replace("\n", "\n    "), markup=False, highlight=False)


def _finding_lines(r: dict) -> str:
    """One line per finding, as ruff and yamllint print them (FILE:LINE severity rule
    (pack) node: message): greppable, and a tenth of the time of a wrapped rich table,
    which was half of a one-menu `ivr audit`."""
    findings = r["findings"]
    place = [f"{r['source']}:{f['where']['line']}" if f["where"]["line"] else r["source"] for f in findings]
    place_w, rule_w = max(map(len, place)), max(len(f["rule"]) for f in findings)
    return "\n".join(
        f"  {escape(p):<{place_w}}  [{STYLE.get(f['severity'], '')}]{f['severity']:<7}[/] {f['rule']:<{rule_w}}  "
        f"({f['pack']}) {escape(f['node'] or 'menu')}: {escape(f['message'])}"
        for p, f in zip(place, findings))


def summary_table(doc: dict) -> Table:
    table = Table(title=f"ivr audit: {len(doc['menus'])} menu(s), {len(doc['errors'])} input error(s), "
                        f"{len(doc['skipped'])} skipped")
    changes = doc.get("baseline") is not None
    for col in ("file", "title", "menu", "result", "errors", "warnings", "max steps", "depth") + \
            (("new", "fixed") if changes else ()):
        table.add_column(col)
    for r in doc["menus"]:
        m = r["metrics"]
        row = [escape(r["source"]), escape(r["title"]), escape(r["menu"]), _verdict(r, short=True),
               str(r["counts"]["error"]), str(r["counts"]["warning"]), _fmt(m["max_steps_to_human"]), _fmt(m["depth"])]
        if changes:
            row += [str(r["baseline"]["new"]), str(len(r["baseline"]["fixed"]))]
        table.add_row(*row)
    for e in doc["errors"]:
        table.add_row(escape(e["file"]), "", "", f"[bold red]{e['error']} error[/]", *[""] * (4 + 2 * changes))
    return table


def _plain(data):
    """A copy of report data without control characters (markup is escaped where printed)."""
    if isinstance(data, str):
        return for_terminal(data)
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return data


def text(doc: dict, color: bool = False, detail_limit: int = 20, quiet: bool = False) -> str:
    """Details for up to `detail_limit` menus (with `quiet`: only menus that fail),
    input errors, skipped files, and a summary table when there are several."""
    doc = _plain(doc)   # control characters (ESC, title changes) never reach the terminal
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, width=160, color_system="standard" if color else None)
    shown = [r for r in doc["menus"] if not quiet or not r["passed"]]
    if len(shown) <= detail_limit:
        for r in shown:
            _one(console, r)
    for e in doc["errors"]:
        _error_line(console, e)
    if doc["skipped"] and not quiet:
        console.print(f"skipped {len(doc['skipped'])} file(s) that are not menus:", highlight=False)
        for s in doc["skipped"][:detail_limit]:
            console.print(f"  {s['file']}: {s['reason']}", highlight=False, markup=False)
        if len(doc["skipped"]) > detail_limit:
            console.print(f"  … and {len(doc['skipped']) - detail_limit} more (all in --format json/csv)",
                          highlight=False, markup=False)
    gone = (doc.get("baseline") or {}).get("menus_not_in_this_run", [])
    for g in gone if not quiet else []:
        console.print(f"in the baseline, not in this run: {g['source']} ({g['menu']})", highlight=False, markup=False)
    if len(doc["menus"]) + len(doc["errors"]) > 1 and not quiet:
        console.print(summary_table(doc))
    return buf.getvalue()
