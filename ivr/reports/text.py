"""Text report for people at a terminal: one menu in detail (plain lines, ANSI
colour on a terminal), many as a summary table (rich, imported only then: it is
a tenth of a one-menu `ivr audit`)."""
from __future__ import annotations

import io

from ..safe_text import for_terminal

ANSI = {"error": "1;31", "bold red": "1;31", "warning": "33", "yellow": "33", "bold yellow": "1;33",
        "note": "36", "green": "32", "bold": "1"}


def _paint(text: str, style: str, color: bool) -> str:
    return f"\x1b[{ANSI[style]}m{text}\x1b[0m" if color and style in ANSI else text


def _fmt(x) -> str:
    return "never" if x is None else str(x)


def _secs(x) -> str:
    return "never" if x is None else f"{x} s"


def _verdict(r: dict, short: bool = False) -> tuple[str, str]:
    """The verdict's word and its style."""
    if r.get("not_checked"):
        return ("not checked", "yellow") if short else ("NOT CHECKED", "bold yellow")
    if r["passed"]:
        return ("pass" if short else "PASSED"), "green"
    return ("fail" if short else "FAILED"), "bold red"


def _error_line(e: dict, color: bool) -> str:
    head = "internal error" if e["error"] == "internal" else "cannot audit"
    return f"{_paint(head, 'bold red', color)} {e['file']}: {e['message']}"


def _baseline(r: dict) -> list[str]:
    b = r["baseline"]
    before = b["verdict_before"] or "not in the baseline"
    change = f"{before} → {b['verdict']}" if b["changed"] else f"still {b['verdict']}"
    lines = [f"  since the baseline: {change}; {b['new']} new, {len(b['fixed'])} fixed, "
             f"{b['unchanged']} unchanged finding(s)"]
    for f in [f for f in r["findings"] if f.get("baseline") == "new"] + b["fixed"]:
        lines.append(f"    {f['baseline']}: {f['rule']} ({f['pack']}) at {f['node'] or 'menu'}: {f['message']}")
    return lines


def _one(r: dict, color: bool) -> list[str]:
    m = r["metrics"]
    lines = [f"{_paint(*_verdict(r), color)} {r['source']} — menu {_paint(r['menu'], 'bold', color)} ({r['title']})"]
    if r.get("not_checked"):
        lines.append(f"  {r['not_checked']}: no rule was run (--all-languages applies them anyway)")
    lines.append(f"  packs: {', '.join(r['packs']) or 'none'}"
                 + (f" (not applicable: {', '.join(r['packs_not_applicable'])})" if r["packs_not_applicable"] else ""))
    lines.append(f"  steps to a person (max): {_fmt(m['max_steps_to_human'])} "
                 f"(key {_fmt(m['max_steps_to_human_key'])}, voice {_fmt(m['max_steps_to_human_voice'])}); "
                 f"no person from {len(m['no_human_from'])} node(s); depth {m['depth']}; "
                 f"options per menu ≤ {m['max_options_per_menu']}; prompts before a person is offered: "
                 f"{_fmt(m['prompts_before_human'])}; time to a person from the start: "
                 f"{_secs(m['time_to_human_from_start_s'])} (listening {_secs(m['listening_to_human_from_start_s'])})")
    if r.get("baseline"):
        lines += _baseline(r)
    guard = m.get("guard")
    if guard:
        state = (f"on: a person ({guard['to']}) after {guard['max_failures']} failed turns in a row or a complaint; "
                 "a safety net, not counted as a way to a person" if guard["enabled"] else "off")
        lines.append(f"  never-stranded guard (run time): {state}")
    if not r["findings"]:
        return lines
    lines += _finding_lines(r, color)
    for s in r.get("fix_suggestions", []):
        lines.append(f"  suggestion ({', '.join(s['rules'])}): {s['why']}")
        lines.append("    " + s["yaml"].replace("\n", "\n    "))
    return lines


def _finding_lines(r: dict, color: bool = False) -> list[str]:
    """One line per finding, as ruff and yamllint print them (FILE:LINE severity rule
    (pack) node: message): greppable, and a tenth of the time of a wrapped rich table,
    which was half of a one-menu `ivr audit`."""
    findings = r["findings"]
    place = [f"{r['source']}:{f['where']['line']}" if f["where"]["line"] else r["source"] for f in findings]
    place_w, rule_w = max(map(len, place)), max(len(f["rule"]) for f in findings)
    lines = []
    for p, f in zip(place, findings):
        severity = _paint(f"{f['severity']:<7}", f["severity"], color)
        lines.append(f"  {p:<{place_w}}  {severity} {f['rule']:<{rule_w}}  ({f['pack']}) {f['node'] or 'menu'}: "
                     f"{f['message']}")
    return lines


def summary_table(doc: dict, color: bool) -> str:
    """The many-menu summary as a rich table, rendered to text."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table
    table = Table(title=f"ivr audit: {len(doc['menus'])} menu(s), {len(doc['errors'])} input error(s), "
                        f"{len(doc['skipped'])} skipped")
    changes = doc.get("baseline") is not None
    for col in ("file", "title", "menu", "result", "errors", "warnings", "max steps", "depth") + \
            (("new", "fixed") if changes else ()):
        table.add_column(col)
    for r in doc["menus"]:
        m = r["metrics"]
        word, style = _verdict(r, short=True)
        row = [escape(r["source"]), escape(r["title"]), escape(r["menu"]), f"[{style}]{word}[/]",
               str(r["counts"]["error"]), str(r["counts"]["warning"]), _fmt(m["max_steps_to_human"]), _fmt(m["depth"])]
        if changes:
            row += [str(r["baseline"]["new"]), str(len(r["baseline"]["fixed"]))]
        table.add_row(*row)
    for e in doc["errors"]:
        table.add_row(escape(e["file"]), "", "", f"[bold red]{e['error']} error[/]", *[""] * (4 + 2 * changes))
    buf = io.StringIO()
    Console(file=buf, force_terminal=color, width=160, color_system="standard" if color else None).print(table)
    return buf.getvalue()


def _plain(data):
    """A copy of report data without control characters (the summary table,
    the only part rich prints, escapes its markup too)."""
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
    lines: list[str] = []
    shown = [r for r in doc["menus"] if not quiet or not r["passed"]]
    if len(shown) <= detail_limit:
        for r in shown:
            lines += _one(r, color)
    lines += [_error_line(e, color) for e in doc["errors"]]
    if doc["skipped"] and not quiet:
        lines.append(f"skipped {len(doc['skipped'])} file(s) that are not menus:")
        lines += [f"  {s['file']}: {s['reason']}" for s in doc["skipped"][:detail_limit]]
        if len(doc["skipped"]) > detail_limit:
            lines.append(f"  … and {len(doc['skipped']) - detail_limit} more (all in --format json/csv)")
    gone = (doc.get("baseline") or {}).get("menus_not_in_this_run", [])
    lines += [f"in the baseline, not in this run: {g['source']} ({g['menu']})" for g in gone if not quiet]
    report = "".join(line + "\n" for line in lines)
    if len(doc["menus"]) + len(doc["errors"]) > 1 and not quiet:
        report += summary_table(doc, color)
    return report
