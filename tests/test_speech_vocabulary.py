"""What the recogniser is constrained to at each node."""
from pathlib import Path

from ivr.loader import load_menu
from ivr.model import Command, Menu, Node, Option
from ivr.speech import vocabulary

MENUS = Path(__file__).resolve().parents[1] / "menus"


def test_menu_node_options_commands_and_its_keys():
    menu = load_menu(MENUS / "consumer-service.yaml")
    words = vocabulary(menu, "main")
    assert {"billing", "pay my bill", "agent", "go back", "main menu"} <= set(words)
    assert {"one", "two", "three", "four", "zero", "star"} <= set(words)   # keys 1-4, 0 agent, * repeat
    assert "five" not in words and "nine" not in words                      # no such keys here
    assert len(words) == len(set(words))


def test_input_node_takes_every_digit_and_chinese_menus_chinese_digits():
    menu = Menu(id="m", title="t", language="zh-CN", start="a", nodes={
        "a": Node(id="a", kind="input", prompt="请输入", next="b"),
        "b": Node(id="b", kind="menu", prompt="p", options=[Option(target="a", key="1", phrases=["工资"])],
                  globals_off=["human"]),
        "c": Node(id="c", kind="input", prompt="name", next="b", input_mode="speech")},
        commands={"human": Command(name="human", key="0", phrases=["转人工"], target="a")})
    assert {"零", "一", "九", "转人工"} <= set(vocabulary(menu, "a"))
    assert "one" not in vocabulary(menu, "a")
    assert vocabulary(menu, "b") == ["工资", "一", "幺"]       # human is off at b
    assert vocabulary(menu, "c") is None                      # free speech: no grammar


def test_live_vocabulary_adds_the_lexicons_spoken_person_requests_where_a_person_is_offered():
    from ivr.intents import classify, spoken_phrases
    menu = load_menu(MENUS / "consumer-service.yaml")
    spoken = spoken_phrases("human", "en")
    assert {"operator", "attendant", "real person"} <= set(spoken)
    # each one, recognised, goes to a person: the engine classifies it as the human command
    assert all((c := classify(p)) and c.name == "human" for p in spoken), spoken
    live = vocabulary(menu, "main", paraphrases=True)
    assert set(spoken) <= set(live) and set(vocabulary(menu, "main")) <= set(live)
    assert "attendant" not in vocabulary(menu, "main")                     # only on request
    zh = Menu(id="m", title="t", language="en", start="b", nodes={
        "b": Node(id="b", kind="menu", prompt="p", options=[Option(target="b", key="1", phrases=["wages"])],
                  globals_off=["human"])},
        commands={"human": Command(name="human", key="0", phrases=["agent"], target="b")})
    assert vocabulary(zh, "b", paraphrases=True) == ["wages", "one"]      # no person offered at b


def test_each_phrase_says_where_it_leads():
    menu = load_menu(MENUS / "12351-hotline.yaml")
    routes = vocabulary(menu, "welcome").routes
    assert {routes[p] for p in ("返回", "上一级", "返回上一级", "井号")} == {"#"}
    assert routes["欠薪"] == routes["一"] == routes["幺"] == "1"
    assert routes["回到主菜单"] == "main_menu"          # a command without a key: its name
    assert list(vocabulary(menu, "welcome")) == list(routes)
