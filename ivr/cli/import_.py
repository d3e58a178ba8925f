"""ivr import: read a FreeSWITCH / Asterisk / VoiceXML / Twilio Studio /
Amazon Connect menu and write it as our YAML, with what could not be mapped."""
from __future__ import annotations

import click

from ..errors import IvrError, MenuError
from ..importers import FORMATS, load_any
from ..importers.reach import drop_unreachable
from ..importers.relocate import relocate_files
from ..loader import load_menu_text
from ..menu_yaml import dump_menu
from ..model import Where
from .common import EXIT_FINDINGS, EXIT_OK, format_option, print_json, progress, user_errors
from .output import write_output


def loads(text: str, file: str, output: str | None) -> None:
    """The promise of `ivr import`: what it writes, `ivr validate` accepts. A
    mapping this cannot keep is refused here, before anything is written."""
    try:
        load_menu_text(text, output or file)   # knowledge bases resolve from where the YAML goes
    except MenuError as err:
        first = err.errors[0]
        raise IvrError(f"the imported menu would not load: {first.problem}",
                       f"nothing was written; `ivr audit {file}` still audits the platform file as it is "
                       "(`ivr import --format json -o x.yaml` shows the mapping)", Where(file, 1, 1),
                       "import-invalid") from None


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--from", "source", type=click.Choice([f for f in FORMATS if f != "yaml"]),
              help="Platform of FILE (default: detected from its content).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the YAML menu here (default: stdout).")
@click.option("--phrases", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="FreeSWITCH phrase-macro file(s) for prompt text (beside FILE only its pair is read: "
                   "the same name with - and _ alike, or NAME_phrases.xml).")
@click.option("--start", help="FreeSWITCH: the menu callers enter (default: the first in the file); Asterisk: "
              "the context (default: the first that answers callers with Background/WaitExten/Read).")
@click.option("--strict", is_flag=True, help="Exit 1 when anything could not be mapped.")
@format_option("text", "json")
@user_errors
def command(file: str, source: str | None, output: str | None, phrases: tuple[str, ...], start: str | None,
            strict: bool, fmt: str) -> None:
    """Import FILE from another IVR platform into the ivr menu model.

    The YAML goes to -o (or stdout); the import report (what was mapped, what
    became an `unknown` node, transfers to external numbers) goes to stderr,
    or to stdout as JSON with --format json (YAML then needs -o).
    """
    options = {"phrases": list(phrases)} if phrases else {}
    if start:
        options["start"] = start
    menu = load_any(file, fmt=source, **options)
    relocate_files(menu, file, output)
    drop_unreachable(menu)   # the YAML must load: `ivr validate` refuses unreachable nodes
    text = dump_menu(menu)
    loads(text, file, output)
    if output:
        write_output(text, output)
        progress(f"wrote {output} ({len(menu.nodes)} nodes)")
    notes = menu.import_report
    if fmt == "json":
        print_json({"file": file, "menu": menu.id, "nodes": len(menu.nodes), "output": output,
                    "report": [n.to_dict() for n in notes]})
    else:
        if not output:
            write_output(text, None)
        for n in notes:
            progress(str(n))
    unmapped = [n for n in notes if n.status in ("unmapped", "transfer")]
    raise SystemExit(EXIT_FINDINGS if strict and unmapped else EXIT_OK)

