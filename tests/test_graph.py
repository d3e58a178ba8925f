"""ivr graph: colours by steps to a person, labelled edges, safe text."""
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivr.cli import cli
from ivr.graph import NO_HUMAN, colour, to_dot, to_mermaid, to_svg
from ivr.loader import load_menu
from ivr.model import Menu, Node, Option

ROOT = Path(__file__).resolve().parents[1]


def _menu(prompt="Press 1 for an agent"):
    return Menu(id="t", title="t", language="en", start="m", nodes={
        "m": Node("m", "menu", prompt=prompt, options=[Option("a", key="1", phrases=["agent"]),
                                                       Option("sub", key="2")]),
        "sub": Node("sub", "menu", prompt="Press 1 to go back", options=[Option("@start", key="1")]),
        "a": Node("a", "human", prompt="Connecting"),
    })


def test_dot_colours_by_steps_and_labels_edges():
    dot = to_dot(_menu())
    assert '"m" [label="m\\n[menu] 1 to person' in dot and colour(1) in dot.split('"m" [')[1].split("\n")[0]
    assert colour(2) in dot.split('"sub" [')[1].split("\n")[0]      # sub -> start -> agent: 2 steps
    assert '"m" -> "a" [label="1 / \\"agent\\""' in dot
    assert 'style=dashed' in dot                                       # silence / wrong-input policies


def test_no_person_is_grey():
    menu = _menu()
    del menu.nodes["a"]
    menu.nodes["m"].options[0].target = "@hangup"
    menu.nodes["m"].no_input.then = menu.nodes["m"].no_match.then = "@hangup"
    menu.nodes["sub"].no_input.then = menu.nodes["sub"].no_match.then = "@hangup"
    assert NO_HUMAN in to_dot(menu) and "hang up" in to_dot(menu)


def test_hostile_text_is_escaped():
    evil = 'Say "x" ]; "injected" -> "m" <script>|'
    menu = _menu(evil)
    dot = to_dot(menu)
    assert '"injected" -> "m"' not in dot
    mer = to_mermaid(menu)
    assert "<script>" not in mer and '"x"' not in mer


@pytest.mark.skipif(not shutil.which("dot"), reason="Graphviz not installed")
def test_svg_is_drawn():
    svg = to_svg(load_menu(ROOT / "menus" / "consumer-service.yaml"))
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg


def test_svg_without_graphviz_says_what_to_do(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = CliRunner().invoke(cli, ["graph", str(ROOT / "menus" / "consumer-service.yaml"), "--format", "svg"])
    assert result.exit_code == 2 and "apt-get install graphviz" in result.output


def test_knowledge_base_nodes_show_their_silence_and_wrong_input_edges():
    from ivr.graph import edges
    hotline = load_menu(ROOT / "menus" / "12351-hotline.yaml")
    assert {(a, b, label) for a, b, label, _ in edges(hotline) if a == "ask"} >= {
        ("ask", "agent", "silence ×3"), ("ask", "agent", "wrong ×3")}


@pytest.mark.parametrize("fmt", ["dot", "svg"])
def test_unwritable_output_is_a_clean_error(tmp_path, fmt):
    if fmt == "svg" and not shutil.which("dot"):
        pytest.skip("Graphviz not installed")
    menu = tmp_path / "m.vxml"
    menu.write_text('<vxml version="2.1"><menu id="m"><choice dtmf="1" next="#m">again</choice></menu></vxml>')
    result = CliRunner().invoke(cli, ["graph", str(menu), "--format", fmt, "-o", str(tmp_path / "no" / "x.svg")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"cannot write {tmp_path / 'no' / 'x.svg'}: No such file or directory" in result.output
    assert "give a writable -o path" in result.output
