"""Importer fixes from a review on realistic files: unwritable -o, advice a
command can follow, JSON syntax errors, VoiceXML DTMF grammars and boolean
fields, Asterisk one-digit patterns and `e`, declared XML encodings."""
import pytest
from click.testing import CliRunner

from ivr.cli import cli
from ivr.errors import IvrError
from ivr.importers import import_text, load_any


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_import_to_a_missing_folder_is_a_clean_error(tmp_path):
    src = tmp_path / "m.vxml"
    src.write_text('<vxml version="2.1"><menu id="m"><prompt>Press 1.</prompt><choice dtmf="1" next="#m">again'
                   '</choice><choice dtmf="9" next="#bye"/></menu><form id="bye"><block><prompt>Bye.</prompt>'
                   '<exit/></block></form></vxml>')
    target = tmp_path / "missing" / "x.yaml"
    result = run("import", src, "-o", target)
    assert result.exit_code == 2 and not isinstance(result.exception, FileNotFoundError)
    assert f"cannot write {target}: No such file or directory — give a writable -o path" in result.output


# --- advice that can be followed --------------------------------------------
def test_unknown_platform_advice_names_ivr_import_not_a_missing_flag(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("hello\n")
    for cmd in ("audit", "graph", "import"):
        result = run(cmd, f)
        assert result.exit_code == 2 and "cannot tell which platform" in result.output
        assert "pass --from" not in result.output and f"`ivr import {f} --from FORMAT" in result.output
        assert "yaml, freeswitch" not in result.output      # yaml is no --from choice


def test_empty_file_says_so(tmp_path):
    f = tmp_path / "empty.xml"
    f.write_text("")
    with pytest.raises(IvrError, match="the file is empty"):
        load_any(f)


def test_json_syntax_error_names_line_and_column(tmp_path):
    f = tmp_path / "flow.json"
    f.write_text('{"Version":"2019-10-30",\n"StartAction":"a",\n"Actions":[{"Identifier":"a",,}]}')
    with pytest.raises(IvrError) as err:
        load_any(f)
    assert "malformed JSON" in str(err.value) and (err.value.where.line, err.value.where.column) == (3, 30)
    truncated = tmp_path / "t.json"
    truncated.write_text('{"states": [ {"name": "Trigger"}, ')
    with pytest.raises(IvrError, match=r"t.json:1:\d+: malformed JSON"):
        load_any(truncated)


def test_json_of_no_known_platform_keeps_the_platform_message(tmp_path):
    f = tmp_path / "other.json"
    f.write_text('{"a": 1}')
    with pytest.raises(IvrError, match="cannot tell which platform"):
        load_any(f)


# --- VoiceXML DTMF grammars ---------------------------------------------------
DTMF_FIELD = """<?xml version="1.0" encoding="UTF-8"?>
<vxml xmlns="http://www.w3.org/2001/vxml" version="2.1">
  <link next="#agent">
    <grammar mode="dtmf" version="1.0" root="zero"><rule id="zero"><item>0</item></rule></grammar>
    <grammar mode="voice" version="1.0" root="op"><rule id="op"><item>agent</item></rule></grammar>
  </link>
  <form id="main">
    <field name="choice">
      <grammar mode="dtmf" version="1.0" root="keys">
        <rule id="keys"><one-of><item>1</item><item>2</item><item>0</item></one-of></rule>
      </grammar>
      <prompt>For opening hours press 1. For your order press 2. For an agent press 0.</prompt>
      <filled>
        <if cond="choice == '1'"><goto next="#hours"/>
        <elseif cond="choice == '2'"/><goto next="#order"/>
        <else/><goto next="#agent"/>
        </if>
      </filled>
    </field>
  </form>
  <form id="hours"><block>We are open 9 to 5.<goto next="#main"/></block></form>
  <form id="order"><block>Your order has shipped. Goodbye.</block></form>
  <form id="agent"><transfer name="x" dest="sip:agent-queue@pbx" bridge="true"/></form>
</vxml>"""


def test_vxml_field_with_dtmf_grammar_is_a_menu_routed_by_filled():
    m = import_text(DTMF_FIELD, "vxml", "d.vxml")
    main = m.nodes["main"]
    assert main.kind == "menu"
    assert [(o.key, o.target) for o in main.options] == [("1", "hours"), ("2", "order"), ("0", "agent")]
    assert not any("first branch" in n.what for n in m.import_report)


def test_vxml_link_key_from_dtmf_grammar_or_attribute():
    m = import_text(DTMF_FIELD, "vxml", "d.vxml")
    assert m.commands["human"].key == "0" and m.commands["human"].phrases == ["agent"]
    attr = DTMF_FIELD.replace('<link next="#agent">', '<link next="#agent" dtmf="9">')
    assert import_text(attr, "vxml", "d.vxml").commands["human"].key == "9"


def test_vxml_external_dtmf_grammar_is_reported_not_guessed():
    doc = DTMF_FIELD.replace('<grammar mode="dtmf" version="1.0" root="keys">',
                             '<grammar mode="dtmf" src="keys.grxml"/><grammar mode="voice" root="keys">')
    m = import_text(doc, "vxml", "d.vxml")
    assert any("DTMF grammar we cannot read" in n.what for n in m.import_report)


BOOLEAN = """<vxml version="2.1">
  <form id="cards">
    <field name="confirm" type="boolean">
      <prompt>Block your card now? Say yes or no.</prompt>
      <filled>
        <if cond="COND"><goto next="#blocked"/>
        <else/><goto next="#back"/>
        </if>
      </filled>
    </field>
  </form>
  <form id="blocked"><block>Your card is blocked.<disconnect/></block></form>
  <form id="back"><block>Back to the menu.<goto next="#cards"/></block></form>
</vxml>"""


@pytest.mark.parametrize("cond,yes,no", [("confirm", "blocked", "back"), ("!confirm", "back", "blocked"),
                                         ("confirm == true", "blocked", "back")])
def test_vxml_boolean_field_yes_and_no(cond, yes, no):
    m = import_text(BOOLEAN.replace("COND", cond), "vxml", "b.vxml")
    node = m.nodes["cards"]
    assert node.kind == "menu"
    assert [(o.key, o.phrases, o.target) for o in node.options] == [("1", ["yes"], yes), ("2", ["no"], no)]


def test_vxml_condition_we_cannot_read_is_an_unknown_node():
    m = import_text(BOOLEAN.replace("COND", "confirm &amp;&amp; balance &gt; 0"), "vxml", "b.vxml")
    targets = {o.key: o.target for o in m.nodes["cards"].options}
    assert targets["1"] == targets["2"] and m.nodes[targets["1"]].kind == "unknown"
    assert any("not understood" in n.what and n.status == "unmapped" for n in m.import_report)


# --- Asterisk ------------------------------------------------------------------
DIALPLAN = """[ivr-1]
exten => s,1,Background(custom/main-ivr)
exten => s,n,WaitExten(5)
exten => _[1-3],1,Goto(queues,${EXTEN}00,1)
exten => 2,1,Hangup()
exten => _X,1,Playback(other)
exten => e,1,Playback(sorry)
exten => e,n,Goto(ivr-1,s,1)

[queues]
exten => 100,1,Queue(sales)
exten => 300,1,Queue(support)
"""


def test_asterisk_one_digit_patterns_expand_to_keys():
    m = import_text(DIALPLAN, "asterisk", "e.conf")
    main = m.nodes[m.start]
    keys = {o.key: m.nodes[o.target] for o in main.options}
    assert sorted(keys) == sorted("0123456789")
    assert keys["1"].kind == "goto" and m.nodes[keys["1"].next].queue.name == "sales"   # ${EXTEN} filled in
    assert keys["2"].kind == "hangup"                                     # an explicit key wins
    assert m.nodes[keys["3"].next].queue.name == "support"
    assert keys["4"].prompt == "other" and keys["0"].prompt == "other"    # _X takes the rest
    assert not any("is a pattern" in n.what for n in m.import_report)


def test_asterisk_e_extension_stands_in_for_missing_i_and_t():
    m = import_text(DIALPLAN, "asterisk", "e.conf")
    main = m.nodes[m.start]
    assert main.no_match.then == main.no_input.then and m.nodes[main.no_match.then].prompt == "sorry"
    with_i = DIALPLAN.replace("exten => e,1", "exten => i,1,Hangup()\nexten => e,1")
    main = (mm := import_text(with_i, "asterisk", "e.conf")).nodes[mm.start]
    assert mm.nodes[main.no_match.then].kind == "hangup" and mm.nodes[main.no_input.then].prompt == "sorry"


@pytest.mark.parametrize("ext,keys", [("_N", "23456789"), ("_Z", "123456789"), ("_x", "0123456789"),
                                      ("_[1-3*]", "123*")])
def test_asterisk_pattern_classes(ext, keys):
    from ivr.importers.asterisk import pattern_keys
    assert "".join(pattern_keys(ext)) == keys
    assert pattern_keys("_1XX") is None and pattern_keys("100") is None


# --- encodings -------------------------------------------------------------------
def test_xml_declared_latin1_is_read(tmp_path):
    f = tmp_path / "latin1.vxml"
    f.write_bytes('<?xml version="1.0" encoding="ISO-8859-1"?>\n<vxml version="2.1"><menu id="m">'
                  '<prompt>Pulse 1 para información</prompt><choice dtmf="1" next="#m">información</choice>'
                  '</menu></vxml>'.encode("latin-1"))
    m = load_any(f)
    assert m.nodes["m"].prompt == "Pulse 1 para información"


def test_yaml_and_undeclared_xml_stay_utf8(tmp_path):
    y = tmp_path / "m.yaml"
    y.write_bytes("start: m\nnodes: {}  # caf\xe9\n".encode("latin-1"))
    with pytest.raises(IvrError, match="not UTF-8 text"):
        load_any(y)
    x = tmp_path / "m.vxml"
    x.write_bytes("<vxml><menu id='m'><prompt>caf\xe9</prompt></menu></vxml>".encode("latin-1"))
    with pytest.raises(IvrError, match="declare its encoding"):
        load_any(x)
    bad = tmp_path / "bad.vxml"
    bad.write_bytes(b'<?xml version="1.0" encoding="no-such-codec"?><vxml/>')
    with pytest.raises(IvrError, match="unknown encoding"):
        load_any(bad)


# --- ivr import -o always writes a menu that loads ---------------------------------
BANK = """<vxml version="2.1">
  <menu id="main"><prompt>Press 1 for an operator.</prompt><choice dtmf="1" next="#operator">operator</choice></menu>
  <form id="operator">
    <transfer name="xfer" dest="sip:operator-queue@pbx" bridge="true"/>
    <block>Sorry, nobody is available. Goodbye.</block>
  </form>
</vxml>"""


def test_import_output_without_unreachable_nodes_validates(tmp_path):
    src = tmp_path / "bank.vxml"
    src.write_text(BANK)
    out = tmp_path / "bank.yaml"
    result = run("import", src, "-o", out)
    assert result.exit_code == 0 and "operator_block" in result.output and "left out" in result.output
    assert "operator_block:" not in out.read_text("utf-8")
    check = run("validate", out)
    assert check.exit_code == 0, check.output


HINTED = """<vxml version="2.1">
  <meta name="ivr.node.ask" content='{"kind": "self_service", "knowledge_base": "kb/faq.yaml"}'/>
  <menu id="main"><prompt>Press 1 for answers, 0 for an agent.</prompt>
    <choice dtmf="1" next="#ask">answers</choice><choice dtmf="0" next="#agent">agent</choice></menu>
  <form id="ask"><block>Ask your question.<goto next="#main"/></block></form>
  <form id="agent"><transfer name="a" dest="sip:agent-queue@pbx"/></form>
</vxml>"""


def test_import_output_knowledge_base_path_follows_the_output(tmp_path):
    src = tmp_path / "src" / "m.vxml"
    (tmp_path / "src" / "kb").mkdir(parents=True)
    src.write_text(HINTED)
    missing = tmp_path / "out" / "missing.yaml"
    missing.parent.mkdir()
    result = run("import", src, "-o", missing)
    assert result.exit_code == 0 and "knowledge base 'kb/faq.yaml' not found" in result.output
    assert run("validate", missing).exit_code == 0
    (tmp_path / "src" / "kb" / "faq.yaml").write_text("")
    out = tmp_path / "out" / "m.yaml"
    result = run("import", src, "-o", out)       # a menu reads files in its own folder tree only (issue 15.18)
    assert result.exit_code == 0 and "is not in the folder of" in result.output
    assert "knowledge_base: " not in out.read_text("utf-8") and run("validate", out).exit_code == 0
    beside = tmp_path / "src" / "m.yaml"
    assert run("import", src, "-o", beside).exit_code == 0
    assert "knowledge_base: kb/faq.yaml" in beside.read_text("utf-8")
