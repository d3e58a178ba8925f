"""The `ivr` command. Each sub-command lives in its own module in this folder
and exposes a click command named `command`; list it in COMMANDS to register."""
from __future__ import annotations

import importlib

import click

from .. import __version__

# module name in ivr/cli/ for each sub-command, in --help order
COMMANDS = [
    "validate",
    "call",
    "demo",
    "queue",
    "simulate",
    "import_",
    "export",
    "graph",
    "kb",
    "orders",
    "report",
    "recognize",
    "models",
    "audit",
    "test",
    "crawl",
    "serve",
]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ivr")
def cli() -> None:
    """Phone voice menus (IVR) as YAML state machines: run, measure, audit.

    Exit codes: 0 ok, 1 findings or failures, 2 usage or input error.
    """


for _name in COMMANDS:
    cli.add_command(importlib.import_module(f"{__name__}.{_name}").command)


def main() -> None:
    cli(prog_name="ivr")
