"""The loader reports every kind of menu error at file:line:col with a fix."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ivr.errors import MenuError
from ivr.loader import load_menu, load_menu_text
from ivr.yaml_source import MAX_BYTES

ROOT = Path(__file__).resolve().parents[1]

GOOD = """\
id: tiny
title: Tiny line
language: en
start: main
commands:
  human: {key: "0", say: [agent], to: agent}
nodes:
  main:
    kind: menu
    prompt: For sales press 1. For a person press 0.
    options:
      - {key: "1", say: [sales], to: sales}
  sales:
    kind: self_service
    answer: Sales are open 9 to 5.
    next: main
  agent:
    kind: human
    prompt: Connecting you.
"""


def errors_of(text: str) -> list:
    with pytest.raises(MenuError) as caught:
        load_menu_text(textwrap.dedent(text), "menu.yaml")
    return caught.value.errors


def only_error(text: str, code: str):
    errs = [e for e in errors_of(text) if e.code == code]
    assert errs, f"expected a {code} error, got {[e.code for e in errors_of(text)]}"
    err = errs[0]
    assert err.where.file == "menu.yaml" and err.where.line > 0 and err.where.column > 0
    assert err.fix, "every error says how to fix it"
    return err


def test_good_menu_loads_into_the_model():
    menu = load_menu_text(GOOD, "menu.yaml")
    assert menu.start == "main"
    assert menu.nodes["main"].options[0].target == "sales"
    assert menu.commands["human"].target == "agent"
    assert menu.nodes["main"].options[0].where.line == 12


@pytest.mark.parametrize("name", ["12351-hotline.yaml", "consumer-service.yaml", "maze.yaml"])
def test_bundled_menus_are_valid(name):
    menu = load_menu(ROOT / "menus" / name)
    assert menu.human_nodes(), "every bundled menu has a person somewhere"


def test_unknown_target_names_line_and_suggests():
    err = only_error(GOOD.replace("to: sales}", "to: sails}"), "unknown-target")
    assert err.where.line == 12
    assert "sails" in err.problem and "sales" in err.fix


def test_duplicate_yaml_key_is_reported_not_silently_overwritten():
    text = GOOD + "  sales:\n    kind: hangup\n    prompt: bye\n"
    err = only_error(text, "duplicate-key")
    assert err.where.line == 20 and "first at line 13" in err.problem


def test_unreachable_node():
    text = GOOD + "  orphan:\n    kind: hangup\n    prompt: Bye.\n"
    err = only_error(text, "unreachable")
    assert err.where.line == 20 and "orphan" in err.problem


def test_missing_start():
    err = only_error(GOOD.replace("start: main", "start: mian"), "missing-start")
    assert "main" in err.fix


def test_loop_with_no_way_out():
    text = """\
    id: loop
    title: Loop
    start: a
    nodes:
      a: {kind: menu, prompt: Press 1., options: [{key: "1", to: b}], no_input: {then: b}, no_match: {then: b}}
      b: {kind: goto, next: a}
    """
    err = only_error(text, "loop-no-exit")
    assert err.where.line == 5


def test_empty_prompt():
    err = only_error(GOOD.replace("prompt: For sales press 1. For a person press 0.", "prompt: '  '"), "empty-prompt")
    assert err.where.line == 8


def test_key_used_twice_in_one_node():
    text = GOOD.replace('      - {key: "1", say: [sales], to: sales}',
                        '      - {key: "1", say: [sales], to: sales}\n      - {key: "1", say: [help], to: agent}')
    err = only_error(text, "key-twice")
    assert err.where.line == 13


def test_option_key_clashing_with_global_command():
    err = only_error(GOOD.replace('{key: "1", say: [sales]', '{key: "0", say: [sales]'), "key-twice")
    assert "global command 'human'" in err.problem


def test_phrase_used_twice():
    text = GOOD.replace("say: [sales]", "say: [Agent]")
    err = only_error(text, "phrase-twice")
    assert err.where.line == 12


def test_unknown_field_suggests_spelling():
    err = only_error(GOOD.replace("    next: main", "    nxt: main"), "unknown-field")
    assert err.where.line == 16 and "next" in err.fix


def test_bad_kind_lists_choices():
    err = only_error(GOOD.replace("kind: hangup", "kind: hangup").replace("kind: human", "kind: person"), "bad-value")
    assert "human" in err.fix


def test_plain_word_target_without_at_sign_is_unknown_with_hint():
    err = only_error(GOOD.replace("    next: main", "    next: hangup"), "unknown-target")
    assert "@hangup" in err.fix


def test_missing_next_on_announcement():
    text = GOOD.replace("  sales:\n    kind: self_service\n    answer: Sales are open 9 to 5.\n    next: main",
                        "  sales:\n    kind: announcement\n    prompt: Sales are open 9 to 5.")
    only_error(text, "missing-next")


def test_menu_without_options():
    only_error(GOOD.replace('    options:\n      - {key: "1", say: [sales], to: sales}\n', ""), "no-options")


def test_policy_to_human_without_human_node():
    text = """\
    id: nohuman
    title: No person
    start: a
    nodes:
      a: {kind: menu, prompt: Press 1., options: [{key: "1", to: b}]}
      b: {kind: hangup, prompt: Bye.}
    """
    err = only_error(text, "no-human-target")
    assert err.where.line == 5


def test_yaml_syntax_error_has_position():
    err = only_error("id: x\ntitle: [unclosed\nstart: a\n", "yaml-syntax")
    assert err.where.line >= 2


def test_not_a_mapping():
    only_error("- just\n- a list\n", "not-a-menu")


def test_alias_bomb_is_refused_quickly():
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i-1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    only_error("\n".join(lines) + "\n", "alias-bomb")


def test_recursive_alias_is_refused():
    errs = errors_of("a: &a [*a]\n")
    assert errs[0].code in ("alias-bomb", "yaml-syntax")


def test_oversized_file_is_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * (MAX_BYTES + 10) + "\n")
    with pytest.raises(MenuError) as caught:
        load_menu(big)
    assert caught.value.errors[0].code == "too-large"


def test_non_utf8_file(tmp_path):
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("title: caf\xe9\n".encode("latin-1"))
    with pytest.raises(MenuError) as caught:
        load_menu(bad)
    assert caught.value.errors[0].code == "encoding"


def test_python_object_tags_are_not_executed():
    errs = errors_of("id: !!python/object/apply:os.system ['echo pwned']\n")
    assert errs[0].code == "yaml-syntax" and "remove the tag" in errs[0].fix


def test_unquoted_numeric_keys_are_accepted():
    menu = load_menu_text(GOOD.replace('{key: "1"', "{key: 1"), "menu.yaml")
    assert menu.nodes["main"].options[0].key == "1"


def test_all_errors_are_reported_at_once():
    text = GOOD.replace("to: sales}", "to: nowhere}").replace("    next: main", "    next: nothere")
    codes = [e.code for e in errors_of(text)]
    assert codes.count("unknown-target") == 2


def test_control_character_is_a_clean_error_with_position():
    err = only_error("id: x\ntitle: a\x1fb\n", "yaml-syntax")
    assert (err.where.line, err.where.column) == (2, 9)


def test_imported_unknown_nodes_load_back_with_their_note():
    menu = load_menu_text("""\
id: imported
title: Imported
start: a
nodes:
  a: {kind: menu, prompt: Press 1., options: [{key: "1", to: x}], no_input: {then: "@hangup"}, no_match: {then: "@hangup"}}
  x: {kind: unknown, note: "transfer to external number 5000", options: [{to: a}]}
""", "menu.yaml")
    assert menu.nodes["x"].kind == "unknown" and "5000" in menu.nodes["x"].note


def test_overriding_a_merged_key_is_not_a_duplicate():
    from ivr.yaml_source import parse_yaml
    data, duplicates = parse_yaml("base: &b {a: 1, b: 2}\nmine:\n  <<: *b\n  a: 3\n")
    assert duplicates == [] and data["mine"] == {"a": 3, "b": 2}
    _, duplicates = parse_yaml("mine:\n  <<: {a: 1}\n  a: 3\n  a: 4\n")
    assert [e.where.line for e in duplicates] == [4]


def test_command_human_pointing_at_a_menu():
    err = only_error(GOOD.replace("human: {key: \"0\", say: [agent], to: agent}",
                                  "human: {key: \"0\", say: [agent], to: sales}"), "human-not-human")
    assert err.where.line == 6 and "self_service" in err.problem


def test_options_on_a_node_that_is_not_a_menu():
    text = GOOD.replace("    answer: Sales are open 9 to 5.\n",
                        "    answer: Sales are open 9 to 5.\n    options: [{key: \"1\", to: main}]\n")
    assert only_error(text, "stray-options").where.line == 13


def test_missing_required_field():
    err = only_error(GOOD.replace("title: Tiny line\n", ""), "missing-field")
    assert "title" in err.problem


def test_digit_range_the_wrong_way_round():
    text = GOOD.replace("  agent:\n", "  order:\n    kind: input\n    prompt: Key in your order number.\n"
                        "    digits: [8, 4]\n    next: main\n  agent:\n") \
               .replace('{key: "1", say: [sales], to: sales}', '{key: "1", say: [sales], to: sales}\n'
                        '      - {key: "2", say: [order], to: order}')
    err = only_error(text, "bad-value")
    assert "8 to 4 digits" in err.problem


def test_option_with_neither_key_nor_words_cannot_be_chosen():
    err = only_error(GOOD.replace('{key: "1", say: [sales], to: sales}', "{to: sales}"), "unchoosable-option")
    assert err.where.line == 12


@pytest.mark.parametrize("kind", ["self_service", "work_order"])
def test_answer_or_work_order_without_next_would_end_in_silence(kind):
    text = GOOD.replace("    kind: self_service\n    answer: Sales are open 9 to 5.\n    next: main\n",
                        f"    kind: {kind}\n    prompt: Sales are open 9 to 5.\n"
                        + ("    category: sales\n" if kind == "work_order" else ""))
    err = only_error(text, "missing-next")
    assert "silence" in err.problem and "@hangup" in err.fix


def test_loop_of_forced_announcements_has_no_way_out_even_with_a_human_command():
    """Global commands cannot be given during a goto or a forced announcement,
    so a loop of them never ends although the menu has a `human` command."""
    text = GOOD.replace('{key: "1", say: [sales], to: sales}', '{key: "1", say: [sales], to: sales}\n'
                        '      - {key: "2", say: [hold], to: spin}') + """\
  spin:
    kind: announcement
    prompt: Please hold.
    barge_in: false
    next: again
  again:
    kind: goto
    next: spin
"""
    codes = [e.code for e in errors_of(text)]
    assert "loop-no-exit" in codes
    # with barge-in the caller can say "agent" during it: a way out, a valid menu
    load_menu_text(text.replace("    barge_in: false\n", ""), "menu.yaml")


def test_nesting_too_deep_is_refused_cleanly():
    errs = errors_of("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert errs[0].code in ("too-deep", "yaml-syntax") and "Traceback" not in str(errs[0])


def test_a_missing_file_is_named_once_without_a_made_up_position(tmp_path):
    from click.testing import CliRunner
    from ivr.cli import cli
    missing = tmp_path / "nonexist.yaml"
    result = CliRunner().invoke(cli, ["validate", str(missing)])
    assert result.exit_code == 2
    assert f"{missing}: no such file" in result.stderr
    assert ":0:0" not in result.stderr and result.stderr.count("nonexist.yaml") == 1


def test_alias_limit_grows_with_what_is_written_not_only_what_expands(monkeypatch):
    """A large generated menu (10^4 nodes is ~200 000 YAML nodes) must load;
    a few lines of aliases that multiply must not. Shown at a small scale."""
    from ivr import yaml_source
    monkeypatch.setattr(yaml_source, "MAX_EXPANDED_NODES", 100)
    big = "\n".join(f"k{i}: [a, b, c]" for i in range(60)) + "\n"        # ~300 nodes written
    data, _ = yaml_source.parse_yaml(big)
    assert len(data) == 60
    shared = "base: &b [a, b, c, d, e, f, g, h, i]\n" + "\n".join(f"k{i}: *b" for i in range(30)) + "\n"
    assert len(yaml_source.parse_yaml(shared)[0]) == 31                 # modest reuse is fine
    bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 5))
    with pytest.raises(Exception) as caught:
        yaml_source.parse_yaml(bomb)
    assert getattr(caught.value, "code", None) == "alias-bomb"


@pytest.mark.parametrize("field,value", [("aht_s", ".inf"), ("calls_per_hour", ".nan"), ("patience_s", ".inf")])
def test_non_finite_queue_values_are_refused_at_their_node(field, value):
    text = GOOD.replace("    prompt: Connecting you.\n", f"    prompt: Connecting you.\n    queue: {{{field}: {value}}}\n")
    err = only_error(text, "bad-value")
    assert field in err.problem and "agent" in err.problem and err.where.line == 17   # the node
