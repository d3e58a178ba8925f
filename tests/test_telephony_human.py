"""Reaching a person on a served line: blind transfer (REFER) to an agent
softphone, or the built-in queue (wait announcement, call-back, hold music,
a simulated agent)."""
import json
import time

from telephony_peers import Baresip, Serve, dial, press, wait_for

MENU = "menus/consumer-service.yaml"


def test_human_node_refers_the_caller_to_the_agent(tmp_path):
    agent = Baresip(tmp_path, name="agent", user="agent", auto_answer=True)
    agent_port = agent.sip_port
    server = Serve(tmp_path, [MENU], "--no-speech", "--agent-uri", f"sip:agent@127.0.0.1:{agent_port}")
    caller = Baresip(tmp_path, name="caller")
    try:
        dial(caller, server)
        refer = press(caller, server, "0", 1.0, "refer")
        assert refer["to"] == f"sip:agent@127.0.0.1:{agent_port}"
        # the caller's phone now calls the agent's phone itself
        wait_for(lambda: "Call established" in agent.log.read_text(), 20, "the agent to be called by the caller")
        server.wait("recorded", timeout=20)
        [rec] = server.records()
        assert rec["outcome"] == "human" and rec["end_reason"] == "transfer"
        assert json.loads(rec["detail"])["queue"]["transferred_to"] == refer["to"]
    finally:
        caller.stop()
        agent.stop()
        server.stop()


def test_builtin_queue_holds_then_a_simulated_agent_answers(tmp_path):
    server = Serve(tmp_path, [MENU], "--no-speech", "--agent-after", "3")
    caller = Baresip(tmp_path)
    try:
        dial(caller, server)
        queued = press(caller, server, "0", 1.0, "queue")
        assert queued["queue"] == "general" and queued["callback_offered"] is True
        assert 0 < queued["estimated_wait_s"] < 600           # Erlang C for 150 calls/h, 14 agents, 240 s
        server.wait("recorded", timeout=60)                  # wait + offer + 3 s hold + "an agent is..." + BYE
        [rec] = server.records()
        queue = json.loads(rec["detail"])["queue"]
        assert rec["end_reason"] == "agent" and queue["agent_answered_after_s"] >= 3.0
        assert queue["hold_s"] >= 3.0 and rec["outcome"] == "human"
        # hold music reached the caller: the last seconds before the agent are not silent
        heard, rate = caller.heard()
        assert float(abs(heard).mean()) > 0.005
    finally:
        caller.stop()
        server.stop()


def test_callback_offer_in_the_queue(tmp_path):
    server = Serve(tmp_path, [MENU], "--no-speech")
    caller = Baresip(tmp_path)
    try:
        dial(caller, server)
        press(caller, server, "0", 1.0, "queue")
        press(caller, server, "1", 9.0, "recorded")   # after the agent prompt, the wait and the call-back offer
        [rec] = server.records()
        assert rec["end_reason"] == "callback"
        assert json.loads(rec["detail"])["queue"]["callback_requested"] is True
    finally:
        caller.stop()
        server.stop()
