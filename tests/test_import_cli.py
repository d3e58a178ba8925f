"""ivr import / export on the command line: files, report, exit codes."""
import json
from pathlib import Path

from click.testing import CliRunner

from ivr.cli import cli
from ivr.loader import load_menu

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real_menus"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_import_writes_yaml_and_reports_on_stderr(tmp_path):
    out = tmp_path / "demo.yaml"
    result = run("import", REAL / "freeswitch" / "demo_ivr.xml", "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert text.startswith("# imported from") and "kind: unknown" in text and "then: '@hangup'" in text
    assert "transfer to external number '9196'" in result.output          # stderr is mixed in by CliRunner


def test_import_json_report_and_strict(tmp_path):
    result = run("import", REAL / "amazon_connect" / "acme_main_AUTO.json", "--format", "json",
                 "-o", tmp_path / "c.yaml")
    assert result.exit_code == 0
    report = json.loads(result.output[result.output.index("{"):])
    assert report["nodes"] == 6 and any(n["status"] == "assumed" for n in report["report"])
    strict = run("import", REAL / "freeswitch" / "demo_ivr.xml", "--strict", "-o", tmp_path / "d.yaml")
    assert strict.exit_code == 1


def test_import_forced_format_mismatch_is_a_clean_error():
    result = run("import", REAL / "twilio" / "basic_example_ivr.json", "--from", "vxml")
    assert result.exit_code == 2 and "Traceback" not in result.output and "malformed XML" in result.output


def test_export_then_import_cli(tmp_path):
    vxml = tmp_path / "hotline.vxml"
    assert run("export", ROOT / "menus" / "12351-hotline.yaml", "--to", "vxml", "-o", vxml).exit_code == 0
    yaml_out = tmp_path / "back.yaml"
    assert run("import", vxml, "-o", yaml_out).exit_code == 0
    original = load_menu(ROOT / "menus" / "12351-hotline.yaml")
    assert "<vxml" in vxml.read_text("utf-8")
    back_text = yaml_out.read_text("utf-8")
    for nid in original.nodes:
        assert f"\n  {nid}:\n" in back_text


def test_export_freeswitch_notes_what_is_dropped(tmp_path):
    result = run("export", ROOT / "menus" / "consumer-service.yaml", "--to", "freeswitch")
    assert result.exit_code == 0 and "<menu name=" in result.output and "note:" in result.output


def test_freeswitch_phrases_next_to_the_file_or_given(tmp_path):
    alone = tmp_path / "alone"
    alone.mkdir()
    menu_file = alone / "demo_ivr.xml"
    menu_file.write_bytes((REAL / "freeswitch" / "demo_ivr.xml").read_bytes())
    out = tmp_path / "a.yaml"
    result = run("import", menu_file, "-o", out)
    assert result.exit_code == 0 and "phrase macro 'demo_ivr_main_menu' not found" in result.output
    assert "prompt: demo ivr main menu" in out.read_text("utf-8")      # only the macro's name to go on
    given = run("import", menu_file, "--phrases", REAL / "freeswitch" / "demo-ivr.xml", "-o", out)
    assert given.exit_code == 0 and "to call the freeswitch conference" in out.read_text("utf-8")


def test_imported_yaml_of_every_real_file_loads_back_with_the_same_nodes(tmp_path):
    from ivr.importers import load_any
    for source in ["freeswitch/demo_ivr.xml", "twilio/basic_example_ivr.json",
                   "amazon_connect/acme_main_AUTO.json", "voicexml/jvoicexml_dtmf.vxml"]:
        out = tmp_path / (Path(source).stem + ".yaml")
        assert run("import", REAL / source, "-o", out).exit_code == 0, source
        imported, reloaded = load_any(REAL / source), load_menu(out)
        assert {n: m.kind for n, m in imported.nodes.items()} == {n: m.kind for n, m in reloaded.nodes.items()}
        assert [n.note for n in imported.nodes.values()] == [n.note for n in reloaded.nodes.values()]
