"""ivr graph: colours by steps to a person, labelled edges, safe text."""
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivr.cli import cli
from ivr.graph import FORCED, NO_HUMAN, PAGE_PT, TO_HUMAN, colour, to_dot, to_mermaid, to_png, to_svg
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


def _node_line(dot: str, nid: str) -> str:
    return next(line for line in dot.splitlines() if line.startswith(f'  "{nid}" ['))


def test_dot_is_top_down_coloured_by_steps_with_ways_to_a_person_marked():
    dot = to_dot(_menu())
    assert "rankdir=TB" in dot
    assert f'fillcolor="{colour(1)}"' in _node_line(dot, "m") and "1 step" in _node_line(dot, "m")
    assert f'fillcolor="{colour(2)}"' in _node_line(dot, "sub")      # sub -> start -> agent: 2 steps
    to_person = next(line for line in dot.splitlines() if line.startswith('  "m" -> "a"'))
    assert 'label="1 / \\"agent\\""' in to_person and TO_HUMAN in to_person and "penwidth=2.5" in to_person
    assert "peripheries=2" in _node_line(dot, "a")
    assert "4+ steps" in dot and "none reachable" in dot and "thick red border" in dot   # the legend


def test_forced_prompts_and_adverts_are_marked_with_their_seconds():
    menu = _menu()
    menu.start = "ad"
    menu.nodes["ad"] = Node("ad", "announcement", prompt="Buy our fibre.", next="m", advert=True, barge_in=False,
                            duration_s=15)
    dot = to_dot(menu)
    line = _node_line(dot, "ad")
    assert "<B>AD</B>" in line and "forced 15 s" in line and f'color="{FORCED}"' in line and "penwidth=3" in line
    assert "forced" not in _node_line(dot, "m")       # barge-in: the caller may choose at once
    assert "▶&#160;start" in line


def test_silence_and_wrong_input_are_written_in_nodes_not_drawn():
    menu = _menu()
    menu.nodes["m"].no_input.then = "@hangup"
    dot = to_dot(menu)
    assert "style=dashed" not in dot            # no arrows for them: one line in the node
    assert "silence ×3 → ✕ hang up" in _node_line(dot, "m")
    # what most nodes do is said once, in the heading
    maze = to_dot(load_menu(ROOT / "menus" / "maze.yaml"))
    assert "says nothing else: <FONT" in maze and "silence ×1 → ✕ hang up; wrong ×1 → ↺ intro" in maze
    assert "silence" not in _node_line(maze, "main")


def test_no_person_is_grey_and_says_so():
    menu = _menu()
    del menu.nodes["a"]
    menu.nodes["m"].options[0].target = "@hangup"
    menu.nodes["m"].no_input.then = menu.nodes["m"].no_match.then = "@hangup"
    menu.nodes["sub"].no_input.then = menu.nodes["sub"].no_match.then = "@hangup"
    dot = to_dot(menu)
    assert f'fillcolor="{NO_HUMAN}"' in _node_line(dot, "m") and "no person" in _node_line(dot, "m")
    assert "→ ✕ hang up" in _node_line(dot, "m")


def test_hostile_text_is_escaped():
    evil = 'Say "x" ]; "injected" -> "m" <script>|'
    menu = _menu(evil)
    dot = to_dot(menu)
    assert '"injected" -> "m"' not in dot and "<script>" not in dot and "&lt;script&gt;" in dot
    mer = to_mermaid(menu)
    assert "<script>" not in mer and '"x"' not in mer
    if shutil.which("dot"):
        assert "&lt;script&gt;" in to_svg(menu)


def test_mermaid_is_top_down_with_the_same_marks():
    mer = to_mermaid(load_menu(ROOT / "menus" / "maze.yaml"))
    assert mer.startswith("flowchart TD") and "AD · forced 15 s" in mer and f"stroke:{FORCED}" in mer


@pytest.mark.skipif(not shutil.which("dot"), reason="Graphviz not installed")
def test_svg_is_drawn():
    svg = to_svg(load_menu(ROOT / "menus" / "consumer-service.yaml"))
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg


@pytest.mark.skipif(not shutil.which("dot"), reason="Graphviz not installed")
def test_a_wide_menu_is_drawn_to_page_width_and_a_deep_one_top_down():
    import re
    hotline = to_svg(load_menu(ROOT / "menus" / "12351-hotline.yaml"))
    width, height = (float(x) for x in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', hotline).groups())
    assert width == PAGE_PT and "viewBox" in hotline and "转人工" in hotline
    maze = to_svg(load_menu(ROOT / "menus" / "maze.yaml"))
    width, height = (float(x) for x in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', maze).groups())
    assert width < PAGE_PT and height > width     # 15 nodes, one below the other


@pytest.mark.skipif(not shutil.which("dot"), reason="Graphviz not installed")
def test_png_is_written_with_o(tmp_path):
    out = tmp_path / "maze.png"
    result = CliRunner().invoke(cli, ["graph", str(ROOT / "menus" / "maze.yaml"), "--format", "png", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    assert to_png(load_menu(ROOT / "menus" / "maze.yaml"))[:8] == data[:8]


@pytest.mark.skipif(not shutil.which("fc-match"), reason="fontconfig not installed")
def test_a_font_for_chinese_is_installed_so_the_hotline_is_not_empty_boxes():
    """scripts/setup.sh installs fonts-wqy-microhei; Graphviz (pango) and Chromium find it by fontconfig."""
    import subprocess
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30).stdout
    assert fonts.strip(), "no font covers Chinese: run scripts/setup.sh (apt-get install fonts-wqy-microhei)"


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
