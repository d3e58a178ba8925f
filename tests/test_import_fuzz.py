"""Fuzz every importer with mutated real files: the result is a Menu or a
clean IvrError (with a place), never a traceback."""
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivr.errors import IvrError
from ivr.importers import import_text
from ivr.importers.detect import sniff
from ivr.model import Menu

HERE = Path(__file__).resolve().parent
REAL = HERE.parents[0].parent / "shared" / "real_menus"
SOURCES = {
    "freeswitch": REAL / "freeswitch" / "demo_ivr.xml",
    "vxml": REAL / "voicexml" / "jvoicexml_dtmf.vxml",
    "twilio": REAL / "twilio" / "basic_example_ivr.json",
    "connect": REAL / "amazon_connect" / "acme_main_AUTO.json",
    "asterisk": HERE / "data" / "asterisk" / "extensions.conf",
}
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _text(fmt: str) -> str:
    path = SOURCES[fmt]
    assert path.is_file(), f"missing test data {path}"
    return path.read_text("utf-8")


def _check(text: str, fmt: str) -> None:
    try:
        menu = import_text(text, fmt, f"fuzz.{fmt}")
    except IvrError as err:
        assert err.problem and err.where is None or err.where.file
        return
    assert isinstance(menu, Menu) and menu.start in menu.nodes
    for node in menu.nodes.values():
        for target in node.targets():
            assert target.startswith("@") or target in menu.nodes, (node.id, target)
    sniff(text)


@st.composite
def mutated(draw, fmt):
    text = _text(fmt)
    for _ in range(draw(st.integers(1, 4))):
        n = len(text)
        i = draw(st.integers(0, n))
        j = draw(st.integers(i, min(n, i + 40)))
        op = draw(st.sampled_from(["delete", "insert", "duplicate", "swap"]))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + draw(st.text(alphabet=st.sampled_from(list('<>/"=&;[](),{}:# \n0123456789*abcXYZ')),
                                           max_size=12)) + text[i:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        else:
            k = draw(st.integers(0, n))
            text = text[:i] + text[k:k + (j - i)] + text[j:]
    return text


@pytest.mark.parametrize("fmt", list(SOURCES))
def test_fuzz_text_mutations(fmt):
    @FUZZ
    @given(mutated(fmt))
    def run(text):
        _check(text, fmt)
    run()


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                           lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=5), kids, max_size=3),
                           max_leaves=6)


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, prefix + (i,))


@pytest.mark.parametrize("fmt", ["twilio", "connect"])
def test_fuzz_json_structure(fmt):
    data = json.loads(_text(fmt))
    if fmt == "connect":
        data = json.loads(data["Content"])     # mutate the flow itself
    paths = [p for p in _paths(data) if p]

    @FUZZ
    @given(st.lists(st.tuples(st.sampled_from(paths), JSON_VALUES), min_size=1, max_size=3))
    def run(changes):
        doc = json.loads(json.dumps(data))
        for path, value in changes:
            node = doc
            try:
                for step in path[:-1]:
                    node = node[step]
                node[path[-1]] = value
            except (KeyError, IndexError, TypeError):
                continue
        _check(json.dumps(doc), fmt)
    run()
