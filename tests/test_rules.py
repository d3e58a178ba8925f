"""Every rule: its docstring's passing and failing examples, its metadata, and the packs."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ivr.errors import IvrError
from ivr.metrics import compute
from ivr.rules import STATUSES, SEVERITIES, all_rules, contexts, example_menu, examples, load_pack, pack_names, run_rule

ROOT = Path(__file__).resolve().parents[1]
RULES = sorted(all_rules().items())


@pytest.mark.parametrize("rid,rule", RULES, ids=[r for r, _ in RULES])
@pytest.mark.parametrize("kind", ["passing", "failing"])
def test_docstring_example(rid, rule, kind):
    text = examples(rule)[kind]
    menu = example_menu(text, f"{rid}-{kind}.yaml")
    found = run_rule(rule, menu, compute(menu))
    if kind == "passing":
        assert found == [], [f.message for f in found]
    else:
        assert found, f"{rid}: the failing example raised no finding"
        assert all(f.rule == rid and f.message and f.fix and f.citation["law"] for f in found)


@pytest.mark.parametrize("rid,rule", RULES, ids=[r for r, _ in RULES])
def test_rule_metadata(rid, rule):
    assert rule.SEVERITY in SEVERITIES
    assert rule.CITATION["status"] in STATUSES
    assert rule.CITATION["law"] and rule.CITATION["article"]
    assert rule.RATIONALE and rule.FIX
    assert isinstance(rule.DEFAULTS, dict)
    assert set(examples(rule)) == {"passing", "failing"}
    assert rule.__name__.rsplit(".", 1)[-1] == rid.replace("-", "_")


@pytest.mark.parametrize("name", pack_names())
def test_packs_load_and_cite_honestly(name):
    pack = load_pack(name)
    for ctx in contexts(pack):
        assert ctx.citation["status"] in STATUSES, (name, ctx.rule.ID)
        if name == "us-bills":   # proposals: marked as bills, never errors
            assert ctx.citation["status"] == "bill" and ctx.severity == "warning"


def test_pack_names_cover_the_issue():
    assert {"ivr-core", "cn", "es", "us-bills", "gethuman", "design"} <= set(pack_names())


def test_bad_pack_is_a_clean_input_error(tmp_path):
    with pytest.raises(IvrError, match="unknown rule pack"):
        load_pack("no-such-pack")
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - id: no-such-rule\n")
    with pytest.raises(IvrError, match="unknown rule 'no-such-rule'") as err:
        load_pack(str(bad))
    assert err.value.where.file == str(bad)
    bad.write_text("rules:\n  - id: menu-depth\n    options: {max_dept: 2}\n")
    with pytest.raises(IvrError, match="no option"):
        load_pack(str(bad))


def test_pack_thresholds_change_the_verdict(tmp_path):
    """The same rule, two thresholds from pack data: depth 4 passes at 4, fails at 3."""
    rule = all_rules()["menu-depth"]
    menu = example_menu(examples(rule)["failing"])
    metrics = compute(menu)
    assert run_rule(rule, menu, metrics, {"max_depth": 3})
    assert not run_rule(rule, menu, metrics, {"max_depth": 4})


@pytest.mark.parametrize("doc_path", ["docs/audit.md", "README.md"])
def test_docs_rule_table_lists_every_rule_and_citation(doc_path):
    doc = (ROOT / doc_path).read_text(encoding="utf-8")
    for rid, rule in RULES:
        assert f"`{rid}`" in doc, rid
    for name in pack_names():
        for ctx in contexts(load_pack(name)):
            assert ctx.citation["law"] in doc, (name, ctx.citation["law"])


def test_pack_files_are_plain_data():
    for path in (ROOT / "ivr" / "rules" / "packs").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data["rules"], list)


@pytest.mark.parametrize("content, line, words", [
    (b"rules:\n  - id: human-reachable\n  - id: no-such-rule\n", 3, "unknown rule"),
    (b"rules:\n  - id: dead-end\n    options: {bogus: 1}\n", 2, "no option"),
    (b"rules: [\n", 2, "not valid YAML"),
    (b"title: caf\xe9\nrules: []\n", 1, "UTF-8"),
])
def test_a_bad_pack_file_names_the_line(tmp_path, content, line, words):
    path = tmp_path / "mine.yaml"
    path.write_bytes(content)
    with pytest.raises(IvrError) as caught:
        load_pack(str(path))
    assert caught.value.where.file == str(path) and caught.value.where.line == line
    assert words in str(caught.value)


@pytest.mark.parametrize("rid,rule", RULES, ids=[r for r, _ in RULES])
def test_a_command_a_fix_quotes_has_those_options(rid, rule):
    """A fix that says `ivr queue agents --flag …` must name flags the command has."""
    import re
    from ivr.cli import cli
    for quoted in re.findall(r"`(ivr [^`]+)`", rule.FIX):
        words = quoted.split()[1:]
        command, i = cli, 0
        while i < len(words) and hasattr(command, "commands") and words[i] in command.commands:
            command, i = command.commands[words[i]], i + 1
        known = {opt for param in command.params for opt in param.opts}
        assert set(re.findall(r"--[\w-]+", quoted)) <= known, (rid, quoted, sorted(known))
