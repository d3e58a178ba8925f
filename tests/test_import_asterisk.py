"""Asterisk extensions.conf IVRs, on a dialplan written from the documentation."""
from pathlib import Path

import pytest

from ivr.errors import IvrError
from ivr.importers import import_text, load_any
from ivr.importers import report as R

CONF = Path(__file__).resolve().parent / "data" / "asterisk" / "extensions.conf"


@pytest.fixture(scope="module")
def menu():
    return load_any(CONF)


def test_background_waitexten_menu(menu):
    main = menu.nodes[menu.start]
    assert menu.start == "main_menu" and main.kind == "menu"
    assert main.prompt == "welcome main options" and main.timeout_s == 6.0
    assert [o.key for o in main.options] == ["1", "2", "3", "0", "9"]
    assert main.where.line == 18            # the Background line


def test_i_and_t_extensions_are_policies(menu):
    main = menu.nodes[menu.start]
    invalid = menu.nodes[main.no_match.then]
    assert invalid.kind == "announcement" and invalid.next == "main_menu"   # Goto(s,loop): same menu
    assert menu.nodes[main.no_input.then].kind == "hangup"


def test_queue_and_operator_are_people_external_dial_is_not(menu):
    keys = {o.key: menu.nodes[o.target] for o in menu.nodes[menu.start].options}
    assert keys["2"].kind == "human" and keys["2"].queue.name == "support"
    assert keys["0"].kind == "human" and keys["0"].queue.name == "PJSIP/reception"   # Dial(${OPERATOR}) from [globals]
    assert keys["9"].kind == "unknown" and "+15551230000" in keys["9"].note
    assert any(n.status == R.TRANSFER and "+15551230000" in n.what for n in menu.import_report)


def test_read_with_gotoif_is_a_menu(menu):
    sales = menu.nodes["sales"]
    assert sales.kind == "menu" and {o.key for o in sales.options} == {"1", "2"}
    assert sales.no_match.retries == 2                    # Read attempts=3
    assert menu.nodes[menu.nodes[sales.no_match.then].next].id == "main_menu"


def test_time_branch_and_patterns_are_reported(menu):
    existing = menu.nodes["sales_existing"]
    assert existing.kind == "unknown" and "branches" in existing.note
    assert any("_1XX" in n.what and n.status == R.UNMAPPED for n in menu.import_report)


def test_missing_i_extension_hangs_up():
    m = import_text("[ivr]\nexten => s,1,Background(hello)\n same => n,WaitExten()\n"
                    "exten => 1,1,Queue(help)\n", "asterisk", "x.conf")
    node = m.nodes[m.start]
    assert node.no_match.then == "@hangup" and node.no_input.then == "@hangup" and node.timeout_s == 10.0


def test_bad_line_has_its_number():
    with pytest.raises(IvrError) as err:
        import_text("[ivr]\nexten => s,1,Answer()\nthis is not a dialplan line\n", "asterisk", "x.conf")
    assert err.value.where.line == 3


def test_goto_loop_terminates():
    m = import_text("[a]\nexten => s,1,Goto(b,s,1)\n[b]\nexten => s,1,Goto(a,s,1)\n", "asterisk", "x.conf")
    assert all(n.kind == "goto" for n in m.nodes.values())
