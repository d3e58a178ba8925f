"""load_any: detection, YAML delegation, hostile and broken input."""
from pathlib import Path

import pytest

from ivr.errors import IvrError
from ivr.importers import load_any
from ivr.importers.detect import sniff

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real_menus"


def test_real_menus_present():
    assert REAL.is_dir(), f"missing test data {REAL}: see ../shared/README.md"


@pytest.mark.parametrize("path,fmt", [
    ("freeswitch/demo_ivr.xml", "freeswitch"),
    ("twilio/basic_example_ivr.json", "twilio"),
    ("amazon_connect/acme_main_AUTO.json", "connect"),
    ("voicexml/jvoicexml_dtmf.vxml", "vxml"),
])
def test_sniff_real_files(path, fmt):
    assert sniff((REAL / path).read_text("utf-8")) == fmt


def test_sniff_ignores_extension(tmp_path):
    src = (REAL / "voicexml/jvoicexml_dtmf.vxml").read_text("utf-8")
    renamed = tmp_path / "menu.json"
    renamed.write_text(src, "utf-8")
    menu = load_any(renamed)
    assert menu.start == "mainmenu"


def test_asterisk_sniffed():
    assert sniff("[ivr-main]\nexten => s,1,Answer()\n") == "asterisk"


def test_yaml_goes_to_the_yaml_loader():
    menu = load_any(ROOT / "menus" / "consumer-service.yaml")
    assert menu.import_report == []
    assert menu.nodes[menu.start].kind in ("menu", "announcement")


def test_phrase_file_alone_is_explained():
    with pytest.raises(IvrError) as err:
        load_any(REAL / "freeswitch" / "demo-ivr.xml")
    assert "phrase-macro" in err.value.problem


@pytest.mark.parametrize("data,code,line", [
    (b'<?xml version="1.0"?>\n<!DOCTYPE v [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>\n<vxml>&b;</vxml>',
     "hostile-xml", 2),
    (b'<?xml version="1.0"?>\n<!DOCTYPE v SYSTEM "file:///etc/passwd">\n<vxml/>', "hostile-xml", 2),
    (b'<vxml version="2.1">\n<menu id="m">\n<choice dtmf="1" next="#a">\n</menu></vxml>', "bad-xml", 4),
])
def test_hostile_and_broken_xml(tmp_path, data, code, line):
    path = tmp_path / "bad.vxml"
    path.write_bytes(data)
    with pytest.raises(IvrError) as err:
        load_any(path, fmt="vxml")
    assert err.value.code == code
    assert err.value.where.file == str(path) and err.value.where.line == line


def test_size_limit(tmp_path, monkeypatch):
    import ivr.importers as imp
    monkeypatch.setattr(imp, "MAX_BYTES", 100)
    path = tmp_path / "big.vxml"
    path.write_text("<vxml>" + " " * 200 + "</vxml>")
    with pytest.raises(IvrError) as err:
        load_any(path)
    assert err.value.code == "too-large"


def test_unknown_format_says_how_to_force(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("hello")
    with pytest.raises(IvrError) as err:
        load_any(path)
    assert "--from" in err.value.fix


def test_not_utf8(tmp_path):
    path = tmp_path / "x.vxml"
    path.write_bytes(b"<vxml>\n\xff\xfe</vxml>")
    with pytest.raises(IvrError) as err:
        load_any(path)
    assert err.value.where.line == 2
