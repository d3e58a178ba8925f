"""ivr export -o: an unwritable path is a clean error (exit 2), not a traceback."""
from click.testing import CliRunner

from ivr.cli import cli

VXML = '<vxml version="2.1"><menu id="m"><choice dtmf="1" next="#m">again</choice></menu></vxml>'


def test_export_to_a_missing_folder_is_a_clean_error(tmp_path):
    menu = tmp_path / "m.vxml"
    menu.write_text(VXML)
    target = tmp_path / "missing" / "x.vxml"
    result = CliRunner().invoke(cli, ["export", str(menu), "--to", "vxml", "-o", str(target)])
    assert result.exit_code == 2 and not isinstance(result.exception, FileNotFoundError)
    assert f"error: cannot write {target}: No such file or directory — give a writable -o path" in result.output


def test_export_still_writes_stdout_and_files(tmp_path):
    menu = tmp_path / "m.vxml"
    menu.write_text(VXML)
    assert "<vxml" in CliRunner().invoke(cli, ["export", str(menu), "--to", "vxml"]).output
    out = tmp_path / "out.xml"
    result = CliRunner().invoke(cli, ["export", str(menu), "--to", "freeswitch", "-o", str(out)])
    assert result.exit_code == 0 and "<menu" in out.read_text("utf-8")
