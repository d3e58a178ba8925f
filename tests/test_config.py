"""config.yaml: overrides merge into the defaults; a bad file is a clean input error."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ivr.config import DEFAULTS, load_config
from ivr.errors import IvrError

ROOT = Path(__file__).resolve().parents[1]


def test_overrides_merge_into_the_defaults(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("timing: {words_per_minute: 120}\n")
    config = load_config(str(path))
    assert config["timing"]["words_per_minute"] == 120
    assert config["timing"]["pause_s"] == DEFAULTS["timing"]["pause_s"]


@pytest.mark.parametrize("content, line", [
    (b"timing: {words_per_minute: 120\n", 2),          # unclosed flow mapping
    (b"tts: {enabled: caf\xe9}\n", 1),                   # not UTF-8
    (b"- a\n- list\n", 1),                               # not a mapping
    (b"language: en\nlanguage: zh-CN\n", 2),             # duplicate key
])
def test_a_bad_config_names_file_and_line(tmp_path, content, line):
    path = tmp_path / "c.yaml"
    path.write_bytes(content)
    with pytest.raises(IvrError) as caught:
        load_config(str(path))
    assert caught.value.where.file == str(path) and caught.value.where.line == line and caught.value.fix


def test_cli_reports_a_bad_config_without_a_traceback(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_bytes(b"tts: {enabled: caf\xe9}\n")
    run = subprocess.run([sys.executable, "-m", "ivr", "call", "menus/maze.yaml", "--config", str(path),
                          "--script", "-"], input="press 1\n", capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2 and f"{path}:1:" in run.stderr and "Traceback" not in run.stderr


def test_a_missing_config_file_is_named():
    with pytest.raises(IvrError) as caught:
        load_config("/nonexistent/config.yaml")
    assert "/nonexistent/config.yaml" in str(caught.value)
