"""ivr.schemas: the quick generated check passes exactly what jsonschema passes."""
from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import pytest
from ivr import schemas
from ivr.loader import _coerce_keys
from ivr.yaml_source import load_yaml

ROOT = Path(__file__).resolve().parents[1]
MENUS = sorted(ROOT.glob("menus/*.yaml")) + sorted(ROOT.glob("tests/data/**/*.yaml"))


def _slow_ok(name: str, data) -> bool:
    return not list(jsonschema.Draft202012Validator(schemas.bundled_schema(name)).iter_errors(data))


def _quick_ok(name: str, data) -> bool:
    try:
        schemas._quick_check(name)(data)
        return True
    except Exception:
        return False


def _variants(data: dict):
    """The menu broken in the ways people break menus (and left alone)."""
    yield data
    for key in ("id", "start", "nodes"):
        broken = copy.deepcopy(data)
        broken.pop(key, None)
        yield broken
    for value in (None, 7, "x", [], {"": 1}, True, 1.5, {"a": {"kind": "nope"}}):
        broken = copy.deepcopy(data)
        broken["nodes"] = value
        yield broken
    for node_id in list(data.get("nodes") or {})[:3]:
        for field, value in (("kind", "menu?"), ("prompt", 5), ("timeout_s", -1), ("options", "1"),
                             ("extra_field", 1), ("barge_in", "yes"), ("retries", 1.5)):
            broken = copy.deepcopy(data)
            broken["nodes"][node_id][field] = value
            yield broken


@pytest.mark.parametrize("path", MENUS, ids=lambda p: p.name)
def test_quick_check_agrees_with_jsonschema(path):
    data, _ = load_yaml(path)
    if not isinstance(data, dict) or "nodes" not in data:
        pytest.skip("not a menu")
    _coerce_keys(data)                         # as the loader does before checking
    assert _quick_ok("menu", data) == _slow_ok("menu", data)   # the quick path is the usual one
    for variant in _variants(data):
        if _quick_ok("menu", variant):         # never passes what jsonschema refuses
            assert _slow_ok("menu", variant)
        assert (schemas.schema_errors("menu", variant) == []) == _slow_ok("menu", variant)


def test_quick_check_does_not_fill_in_defaults():
    data, _ = load_yaml(ROOT / "config.yaml")
    before = copy.deepcopy(dict(data))
    assert schemas.schema_errors("config", data) == []
    assert dict(data) == before


def test_an_unwritable_cache_only_costs_the_compile(tmp_path, monkeypatch):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    schemas._quick_check.cache_clear()
    try:
        data, _ = load_yaml(ROOT / "menus" / "maze.yaml")
        assert schemas.schema_errors("menu", data) == []
        assert schemas.schema_errors("menu", {"id": 1})      # still checks
    finally:
        schemas._quick_check.cache_clear()


def test_a_corrupt_cache_is_compiled_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    schemas._quick_check.cache_clear()
    schemas._quick_check("menu")
    [cached] = (tmp_path / "ivr").glob("schema-menu-*.marshal")
    cached.write_bytes(b"not marshal data")
    schemas._quick_check.cache_clear()
    try:
        assert schemas.schema_errors("menu", {"id": 1})
        assert cached.read_bytes() != b"not marshal data"
    finally:
        schemas._quick_check.cache_clear()
