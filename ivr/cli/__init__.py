"""The `ivr` command. Each sub-command lives in its own module in this folder
and exposes a click command named `command`; list it in COMMANDS to register.

Sub-command modules are imported only when that command runs (or when its
`--help` is asked for): `ivr --help` and a quick `ivr audit` must not pay for
scipy, numba or the speech stack. `ivr --help` lists commands from the
one-line summaries below (tests/test_cli_start.py checks they match each
command's own help)."""
from __future__ import annotations

import importlib
import os

import click

from .. import __version__

# sub-command -> (module in ivr/cli/, its help's first sentence), in --help order
COMMANDS = {
    "validate": ("validate", "Check that each menu FILE is a valid, runnable menu (what a menu leaves out, "
                             "its language and timeouts, comes from config.yaml)."),
    "call": ("call", "Call MENU: hear the prompts, press keys or say words, see where you go."),
    "demo": ("demo", "Show what ivr does on the bundled menus, offline."),
    "queue": ("queue", "Human-queue wait-time models: Erlang C and the agents needed for a target."),
    "simulate": ("simulate", "Simulate callers walking MENU (options chosen by `weight`), waiting in its "
                             "human queues and hanging up when out of patience."),
    "import": ("import_", "Import FILE from another IVR platform into the ivr menu model."),
    "export": ("export", "Export MENU_FILE (any format ivr reads) to VoiceXML or FreeSWITCH."),
    "graph": ("graph", "Draw MENU_FILE (any format ivr reads)."),
    "kb": ("kb", "Self-service knowledge bases: answer questions, measure accuracy."),
    "orders": ("orders", "Work orders from calls: reported → accepted → assigned → supervised → feedback → "
                         "closed."),
    "report": ("report", "Time to a person, abandonment by node, top reasons, hot spots by region and "
                         "category, work orders and early warnings, from the records."),
    "recognize": ("recognize", "Recognise speech in WAV/FLAC FILES (any rate or channels; 8 kHz phone audio "
                               "works)."),
    "models": ("models", "Speech models (vosk, Whisper): list what exists, download, verify."),
    "audit": ("audit", "Audit each MENU against rule packs: how far a caller is from a person (steps by "
                       "key and by voice, seconds, queue wait), what silence and wrong input do, and which "
                       "cited rules the design breaks."),
    "test": ("test", "Run the caller-flow scenarios in PATHS (files or folders of *.yaml)."),
    "crawl": ("crawl", "Call TARGET (sip:LINE@HOST[:PORT]), explore its menu breadth-first by keys and "
                       "silence, and write what was found as an ivr menu (-o) that `ivr validate` and "
                       "`ivr audit` read, plus a report (--report)."),
    "serve": ("serve", "Answer SIP calls to MENU... and run each call through the menu."),
}


class LazyCommands(dict):
    """`group.commands` that imports a sub-command's module on first use
    (click and tests look commands up by name in this mapping)."""

    def __missing__(self, name: str) -> click.Command:
        if name not in COMMANDS:
            raise KeyError(name)
        command = importlib.import_module(f"{__name__}.{COMMANDS[name][0]}").command
        self[name] = command
        return command

    def get(self, name, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name) -> bool:
        return name in COMMANDS or dict.__contains__(self, name)

    def __iter__(self):
        return iter(list(COMMANDS) + [n for n in dict.keys(self) if n not in COMMANDS])

    def __len__(self) -> int:
        return len(list(iter(self)))

    def keys(self):
        return list(iter(self))

    def values(self):
        return [self[n] for n in self]

    def items(self):
        return [(n, self[n]) for n in self]


class LazyGroup(click.Group):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from COMMANDS' summaries, without importing any command."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = [(n, click.Command(n, help=COMMANDS[n][1]).get_short_help_str(limit)) for n in names]
        with formatter.section("Commands"):
            formatter.write_dl(sorted(rows))


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ivr")
def cli() -> None:
    """Phone voice menus (IVR) as YAML state machines: run, measure, audit.

    Exit codes: 0 ok, 1 findings or failures, 2 usage or input error.
    """


def main() -> None:
    # numpy's OpenBLAS starts a spinning thread per core on import (0.2 s of CPU,
    # 0.1 s of a one-menu audit); ivr's arrays are small and its recognisers bring
    # their own threads. An explicit setting from the user still wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    cli(prog_name="ivr")
