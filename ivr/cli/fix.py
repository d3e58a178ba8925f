"""`ivr audit --fix` / `--diff`: correct each menu (ivr.fixes.fix_text), write the
corrected menu where it was asked for, and re-audit it.

Safe by default: `--fix` writes NAME.fixed.yaml next to the menu and never
touches the menu itself; only `--in-place` replaces a YAML menu (a platform's
file is never overwritten with YAML). `--diff` shows the change as a unified
diff and, without `--fix`, writes nothing.
"""
from __future__ import annotations

import difflib
from pathlib import Path
from typing import Optional

import click

from ..errors import IvrError, Where


def fixed_path(menu_path: str, in_place: bool, fix_output: Optional[str]) -> Path:
    path = Path(menu_path)
    if in_place:
        return path
    if fix_output:
        return Path(fix_output)
    return path.with_name(f"{path.name.split('.')[0] or path.stem}.fixed.yaml")


def fix_menus(paths: list[str], packs: list[str], config: dict, all_languages: bool, write: bool,
              in_place: bool, fix_output: Optional[str], show_diff: bool) -> str:
    """Fix every menu that can be read; return the unified diff of all of them (may be empty).
    Progress and the re-audit of each corrected menu go to stderr."""
    from ..audit import audit_menu
    from ..fixes import fix_text
    from ..importers.detect import detect
    from ..loader import load_menu_text
    from ..menu_yaml import dump_menu
    from ..sources import open_menu
    from .output import write_output

    if fix_output and len(paths) > 1:
        raise IvrError("--fix-output names one file, but several menus were given",
                       "give one MENU, or leave --fix-output out (each goes to NAME.fixed.yaml)", code="usage")
    diffs = []
    for path in paths:
        try:
            menu = open_menu(path, config=config)
        except IvrError:
            continue   # the audit has already reported it
        audit = audit_menu(menu, packs, config, all_languages)
        original = Path(path).read_text("utf-8", errors="replace")
        is_yaml = detect(Path(path), original) == "yaml"
        if in_place and not is_yaml:
            raise IvrError(f"--in-place would replace {path} (not a YAML menu) with YAML",
                           "leave --in-place out: the corrected menu goes to a new .fixed.yaml file",
                           Where(path, 0, 0), code="usage")
        source = original if is_yaml else dump_menu(menu)
        text, done = fix_text(menu, audit.findings, source)
        target = fixed_path(path, in_place, fix_output)
        if show_diff:
            diffs += difflib.unified_diff(original.splitlines(keepends=True) if is_yaml else [],
                                          text.splitlines(keepends=True), fromfile=path,
                                          tofile=str(target) if write else f"{path} (fixed)")
        if not done:
            click.echo(f"{path}: nothing to fix for {', '.join(audit.packs) or 'the chosen packs'}", err=True)
            continue
        if write:
            write_output(text, str(target), "--fix-output")
            click.echo(f"wrote {target}: {len(done)} change(s)", err=True)
        for line in done:
            click.echo(f"  {line}", err=True)
        after = audit_menu(load_menu_text(text, str(target), config), packs, config, all_languages)
        left = sorted({f.rule for f in after.findings if f.severity == "error"})
        click.echo(f"  re-audit of the corrected menu: {'no errors' if not left else 'errors left: ' + ', '.join(left)}"
                   f" ({len(after.findings)} finding(s) in {', '.join(after.packs)})", err=True)
    return "".join(diffs)
