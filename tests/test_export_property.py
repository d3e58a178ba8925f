"""Property: any menu exported to VoiceXML and imported back measures the same."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivr.exporters import export_menu
from ivr.importers import import_text
from ivr.metrics import compute
from ivr.model import Command, Menu, Node, Option, Policy, Queue

KINDS = ["menu", "menu", "announcement", "input", "human", "hangup", "goto", "self_service", "work_order"]
WORDS = ["billing", "agent", "orders", "重置密码", "hours", "back"]
TEXTS = ["Press 1 <now> & \"say\" it", "Welcome", "欢迎致电", "Goodbye"]


@st.composite
def menus(draw):
    n = draw(st.integers(2, 7))
    ids = [f"n{i}" for i in range(n)]
    targets = st.sampled_from(ids + ["@start", "@repeat", "@back", "@hangup"])
    nodes = {}
    for nid in ids:
        kind = draw(st.sampled_from(KINDS))
        node = Node(nid, kind, prompt=draw(st.sampled_from(TEXTS)), barge_in=draw(st.booleans()),
                    timeout_s=float(draw(st.integers(1, 9))))
        if kind == "menu":
            keys = draw(st.lists(st.sampled_from(list("0123456789*#")), min_size=1, max_size=4, unique=True))
            for key in keys:
                phrases = draw(st.lists(st.sampled_from(WORDS), max_size=2, unique=True))
                node.options.append(Option(draw(targets), key=draw(st.sampled_from([key, None])) if phrases else key,
                                           phrases=phrases))
        if kind in ("menu", "input"):
            node.no_input = Policy(draw(st.integers(0, 3)), draw(targets))
            node.no_match = Policy(draw(st.integers(0, 3)), draw(targets))
        if kind in ("announcement", "input", "goto", "self_service", "work_order"):
            node.next = draw(st.sampled_from(ids)) if kind in ("goto", "input") else draw(st.sampled_from(ids + [None]))
        if kind == "self_service":
            node.answer = "We are open 8 to 8."
        if kind == "human":
            node.queue = Queue(name=draw(st.sampled_from(["general", "billing"])), agents=draw(st.integers(1, 9)),
                               calls_per_hour=60.0)
        nodes[nid] = node
    menu = Menu(id="prop", title="Property menu", language="en", start=ids[0], nodes=nodes)
    humans = menu.human_nodes()
    if humans and draw(st.booleans()):
        menu.commands["human"] = Command("human", key="0", phrases=["operator"], target=humans[0])
    return menu


def _comparable(metrics: dict, start: str) -> dict:
    """Policy targets by outcome only; at the start node, starting over is a retry."""
    def policy(nid, v):
        v = {k: x for k, x in v.items() if k != "then"}
        if nid == start and v.get("outcome") == "restart":
            v["outcome"] = "retry"
        return v
    metrics["per_node"] = {nid: {k: (policy(nid, v) if isinstance(v, dict) else v) for k, v in facts.items()}
                           for nid, facts in metrics["per_node"].items()}
    return metrics


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(menus())
def test_vxml_round_trip_any_menu(menu):
    text, _ = export_menu(menu, "vxml")
    back = import_text(text, "vxml", "prop.vxml")
    assert set(back.nodes) == set(menu.nodes)
    for nid, node in menu.nodes.items():
        got = back.nodes[nid]
        assert got.kind == node.kind, nid
        assert [(o.key, o.phrases) for o in got.options] == [(o.key, o.phrases) for o in node.options], nid
    assert _comparable(compute(back).to_dict(), menu.start) == _comparable(compute(menu).to_dict(), menu.start)
