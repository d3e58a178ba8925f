"""Property-based: random and mutated menus give a valid Menu or a clean
MenuError — never another exception — and valid ones run without crashing."""
from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivr.engine import Call
from ivr.errors import MenuError
from ivr.loader import load_menu_text
from ivr.model import Menu

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = [(ROOT / "menus" / n).read_text("utf-8") for n in ("consumer-service.yaml", "12351-hotline.yaml", "maze.yaml")]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 99), st.floats(allow_nan=True),
                    st.text(max_size=12), st.sampled_from(["@human", "@start", "@back", "@hangup", "@repeat",
                                                           "menu", "human", "a", "b", "0", "1", "#"]))
anything = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(st.text(max_size=8) | st.sampled_from(
                                                             ["id", "title", "start", "nodes", "kind", "to",
                                                              "options", "key", "say", "next", "prompt"]),
                                                             inner, max_size=5)), max_leaves=25)

NODE_IDS = ["a", "b", "c", "p"]
TARGETS = NODE_IDS + ["@human", "@start", "@back", "@hangup", "@repeat", "zz"]
option = st.fixed_dictionaries({"to": st.sampled_from(TARGETS)},
                               optional={"key": st.sampled_from(list("0123456789*#")),
                                         "say": st.lists(st.sampled_from(["agent", "one", "转人工", "bill", "x"]),
                                                         max_size=2)})
policy = st.fixed_dictionaries({}, optional={"retries": st.integers(0, 3), "then": st.sampled_from(TARGETS)})
node = st.fixed_dictionaries(
    {"kind": st.sampled_from(["menu", "announcement", "input", "self_service", "human", "work_order",
                              "hangup", "goto"])},
    optional={"prompt": st.text(max_size=20), "options": st.lists(option, max_size=3),
              "next": st.sampled_from(TARGETS), "no_input": policy, "no_match": policy,
              "barge_in": st.booleans(), "timeout_s": st.floats(0, 30), "answer": st.text(max_size=10),
              "mode": st.sampled_from(["digits", "speech"]), "digits": st.sampled_from([[1, 4], [3, 3], [0, 2]])})
menus = st.fixed_dictionaries(
    {"id": st.just("fuzz"), "title": st.just("Fuzz"), "start": st.sampled_from(NODE_IDS),
     "nodes": st.dictionaries(st.sampled_from(NODE_IDS), node, min_size=1, max_size=4)},
    optional={"commands": st.fixed_dictionaries({}, optional={
        "human": st.fixed_dictionaries({"to": st.sampled_from(TARGETS)}, optional={"key": st.just("0"),
                                                                                    "say": st.just(["agent"])}),
        "back": st.fixed_dictionaries({}, optional={"key": st.just("#")})})})
actions = st.lists(st.one_of(st.tuples(st.just("press"), st.text("0123456789*#", min_size=1, max_size=3)),
                             st.tuples(st.just("say"), st.sampled_from(["agent", "one", "转人工", "bill", "huh"])),
                             st.tuples(st.just("wait"), st.floats(0, 60))), max_size=8)


def load_or_clean_error(text: str):
    try:
        return load_menu_text(text, "fuzz.yaml")
    except MenuError as err:
        for e in err.errors:  # each error is fully formed
            assert e.problem and e.where is not None and str(e)
        return None


@FUZZ
@given(anything)
def test_arbitrary_yaml_never_crashes_the_loader(data):
    load_or_clean_error(yaml.safe_dump(data, allow_unicode=True))


@FUZZ
@given(st.sampled_from(BUNDLED), st.data())
def test_mutated_bundled_menus_never_crash(text, data):
    lines = text.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        how = data.draw(st.sampled_from(["drop", "dup", "garble", "indent", "truncate"]))
        if how == "drop":
            del lines[i]
        elif how == "dup":
            lines.insert(i, lines[i])
        elif how == "garble":
            cut = data.draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:cut] + data.draw(st.text(max_size=6)) + lines[i][cut:]
        elif how == "indent":
            lines[i] = " " + lines[i]
        else:
            lines = lines[:i + 1]
        if not lines:
            lines = [""]
    load_or_clean_error("\n".join(lines))


@FUZZ
@given(menus, actions)
def test_random_menus_load_cleanly_and_valid_ones_run(raw, steps):
    menu = load_or_clean_error(yaml.safe_dump(raw, allow_unicode=True))
    if menu is None:
        return
    assert isinstance(menu, Menu)
    call = Call(menu)
    for verb, arg in steps:
        getattr(call, verb)(arg)
    assert call.clock >= 0
    assert call.to_dict()["outcome"]
