"""Fast start: the `ivr` command imports a sub-command's module, and heavy
libraries, only when that command runs. Checked by what a fresh interpreter
has in sys.modules (a behaviour, not a timing: benchmarks/cli_start.py times it)."""
from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from ivr.cli import COMMANDS, cli

HEAVY = ("scipy", "numpy", "numba", "sklearn", "jinja2", "soundfile", "transitions", "rich")


def _loaded_after(code: str, *argv: str) -> set[str]:
    """Top-level modules (and ivr.cli.* modules) a fresh interpreter has loaded after `code`."""
    probe = (f"import sys\nsys.argv = ['ivr', *{list(argv)!r}]\n{code}\n"
             "import json\nprint(json.dumps(sorted(sys.modules)), file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", f"try:\n    exec({probe!r})\nexcept SystemExit:\n"
                          "    import sys, json; print(json.dumps(sorted(sys.modules)), file=sys.stderr)"],
                         capture_output=True, text=True, timeout=120)
    mods = json.loads(run.stderr.strip().splitlines()[-1])
    return {m.split(".")[0] for m in mods} | {m for m in mods if m.startswith("ivr.cli.")}


def test_importing_the_cli_loads_no_heavy_library():
    loaded = _loaded_after("import ivr.cli")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert not {m for m in loaded if m.startswith("ivr.cli.")}, "no sub-command module is imported"


def test_help_lists_every_command_without_importing_one():
    loaded = _loaded_after("from ivr.cli import main; main()", "--help")
    assert not loaded & set(HEAVY)
    assert not {m for m in loaded if m.startswith("ivr.cli.")}


def test_audit_help_needs_neither_numpy_nor_scipy_nor_rich():
    loaded = _loaded_after("from ivr.cli import main; main()", "audit", "--help")
    assert "ivr.cli.audit" in loaded
    assert not loaded & {"numpy", "scipy", "rich", "jinja2", "numba"}


def test_a_run_imports_only_its_own_command_module():
    loaded = _loaded_after("from ivr.cli import main; main()", "queue", "erlang-c", "--calls-per-hour", "100",
                           "--aht", "180", "--agents", "6")
    assert {m for m in loaded if m.startswith("ivr.cli.") and m != "ivr.cli.common"} \
        <= {"ivr.cli.queue", "ivr.cli.output"}
    assert not loaded & {"scipy", "numba", "sklearn", "soundfile"}


def test_lazy_help_is_exactly_what_click_prints_for_the_imported_commands():
    """COMMANDS' one-line summaries stay in step with each command's own help."""
    lazy = CliRunner().invoke(cli, ["--help"]).output
    eager = click.Group(name=cli.name, help=cli.help, params=cli.params, context_settings=cli.context_settings)
    for name in COMMANDS:
        eager.add_command(cli.commands[name], name)
    assert lazy == CliRunner().invoke(eager, ["--help"], prog_name="cli").output
    for name in COMMANDS:   # the summary is the first sentence of the command's own help
        assert cli.commands[name].get_short_help_str(10_000) == COMMANDS[name][1], name


def test_commands_mapping_behaves_like_clicks():
    assert list(cli.commands) == list(COMMANDS) and "audit" in cli.commands and "nope" not in cli.commands
    assert cli.commands.get("nope") is None
    assert cli.commands["graph"].name == "graph"
    result = CliRunner().invoke(cli, ["nope"])
    assert result.exit_code == 2 and "No such command" in result.output


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_still_answers_help(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
