"""Documented constructs of each platform that the real samples do not use."""
import json

from ivr.importers import import_text
from ivr.importers import report as R


def fs(menus: str):
    return import_text(f'<configuration name="ivr.conf"><menus>{menus}</menus></configuration>',
                       "freeswitch", "ivr.conf.xml")


def test_freeswitch_exec_on_max_failures_and_callcenter():
    m = fs('<menu name="main" greet-long="say:Press 0 for an agent" max-failures="2" timeout="4000" '
           'exec-on-max-failures="callcenter support@default" exec-on-max-timeouts="hangup">'
           '<entry action="menu-exec-app" digits="0" param="callcenter support@default"/>'
           '<entry action="menu-play-sound" digits="1" param="say:We are open 9 to 5"/>'
           '<entry action="menu-exit" digits="#"/></menu>')
    main = m.nodes["main"]
    assert main.prompt == "Press 0 for an agent" and main.timeout_s == 4.0
    assert main.no_match.retries == 1 and m.nodes[main.no_match.then].kind == "human"
    assert main.no_input.retries == 1 and main.no_input.then == "@hangup"   # max-timeouts defaults to max-failures
    keys = {o.key: o.target for o in main.options}
    assert m.nodes[keys["0"]].queue.name == "support@default"
    hours = m.nodes[keys["1"]]
    assert hours.kind == "announcement" and hours.next == "main" and hours.prompt == "We are open 9 to 5"
    assert keys["#"] == "@hangup"


def test_freeswitch_menu_back_in_sub_menu_and_missing_phrase():
    m = fs('<menu name="top" greet-long="phrase:nowhere"><entry action="menu-sub" digits="1" param="sub"/></menu>'
           '<menu name="sub" greet-long="say:sub"><entry action="menu-back" digits="*"/>'
           '<entry action="menu-sub" digits="2" param="elsewhere"/></menu>')
    assert {o.key: o.target for o in m.nodes["sub"].options}["*"] == "@back"
    assert any("nowhere" in n.what for n in m.import_report)
    missing = m.nodes[{o.key: o.target for o in m.nodes["sub"].options}["2"]]
    assert missing.kind == "unknown" and "elsewhere" in missing.note


VXML = """<?xml version="1.0"?>
<vxml version="2.1" xmlns="http://www.w3.org/2001/vxml" xml:lang="en-US">
  <link dtmf="0" next="#agent"><grammar mode="voice" root="r"><rule id="r"><one-of>
    <item>agent</item><item>operator</item></one-of></rule></grammar></link>
  <menu id="main" dtmf="true">
    <prompt>Say or press: <enumerate/></prompt>
    <choice next="#billing">billing</choice>
    <choice next="#order">orders</choice>
    <noinput count="2"><goto next="#agent"/></noinput>
    <nomatch><reprompt/></nomatch>
    <nomatch count="3"><disconnect/></nomatch>
  </menu>
  <form id="billing">
    <field name="choice">
      <prompt>Balance or payment?</prompt>
      <option dtmf="1" value="balance">balance</option>
      <option dtmf="2" value="pay">payment</option>
      <filled>
        <if cond="choice == 'balance'"><goto next="#balance"/>
        <elseif cond="choice == 'pay'"/><goto next="#payline"/>
        </if>
      </filled>
    </field>
  </form>
  <form id="order">
    <field name="order_number" type="digits?minlength=6;maxlength=10"><prompt>Order number?</prompt>
      <filled><goto next="#agent"/></filled></field>
  </form>
  <form id="payline"><transfer name="p" dest="tel:+18005550100"/></form>
  <form id="balance"><block>Your balance is 10 dollars.</block></form>
  <form id="agent"><transfer name="t" dest="sip:support-queue@example.com"><prompt>Connecting you</prompt></transfer></form>
</vxml>"""


def test_voicexml_menu_dtmf_true_handlers_links():
    m = import_text(VXML, "vxml", "doc.vxml")
    main = m.nodes["main"]
    assert [(o.key, o.phrases, o.target) for o in main.options] == \
        [("1", ["billing"], "billing"), ("2", ["orders"], "order")]
    assert main.prompt == "Say or press: billing, orders"
    assert (main.no_input.retries, main.no_input.then) == (1, "agent")
    assert (main.no_match.retries, main.no_match.then) == (2, "@hangup")
    human = m.commands["human"]
    assert human.key == "0" and human.phrases == ["agent", "operator"] and human.target == "agent"
    assert m.nodes["agent"].kind == "human" and m.language == "en" and m.languages == ["en-US"]


def test_voicexml_field_routes_and_input():
    m = import_text(VXML, "vxml", "doc.vxml")
    billing = m.nodes["billing"]
    assert billing.kind == "menu"
    targets = {o.key: o.target for o in billing.options}
    assert targets["1"] == "balance" and m.nodes[targets["2"]].kind == "unknown"   # external number
    order = m.nodes["order"]
    assert order.kind == "input" and order.input_digits == (6, 10) and order.next == "agent"
    assert m.nodes["balance"].kind == "hangup"             # the form ends: the document exits


def studio(states):
    return json.dumps({"description": "T", "initial_state": "Trigger", "states": [
        {"name": "Trigger", "type": "trigger", "transitions": [{"event": "incomingCall", "next": "menu"}]}] + states})


def test_twilio_digits_split_enqueue_and_flex():
    flow = studio([
        {"name": "menu", "type": "gather-input-on-call", "properties": {"say": "Press 1 for sales, 2 for help", "timeout": 7},
         "transitions": [{"event": "keypress", "next": "split"}, {"event": "speech", "next": "split_voice"},
                         {"event": "timeout", "next": "menu"}]},
        {"name": "split", "type": "split-based-on", "properties": {"input": "{{widgets.menu.Digits}}"},
         "transitions": [{"event": "noMatch", "next": "menu"},
                         {"event": "match", "next": "sales", "conditions": [{"type": "equal_to", "value": "1"}]},
                         {"event": "match", "next": "help", "conditions": [{"type": "equal_to", "value": "2"}]}]},
        {"name": "split_voice", "type": "split-based-on", "properties": {"input": "{{widgets.menu.SpeechResult}}"},
         "transitions": [{"event": "noMatch"},
                         {"event": "match", "next": "sales", "conditions": [{"type": "matches_any_of", "value": "sales,buy"}]}]},
        {"name": "sales", "type": "enqueue-call", "properties": {"queue_name": "sales"}, "transitions": []},
        {"name": "help", "type": "send-to-flex", "properties": {"workflow": "WW123"}, "transitions": []},
    ])
    m = import_text(flow, "twilio", "flow.json")
    menu = m.nodes["menu"]
    assert menu.kind == "menu" and menu.timeout_s == 7
    assert [(o.key, o.phrases, o.target) for o in menu.options] == [("1", ["sales", "buy"], "sales"), ("2", [], "help")]
    assert menu.no_input.then == "@repeat" or menu.no_input.then == "menu"
    assert menu.no_match.then == "menu"
    assert m.nodes["sales"].queue.name == "sales" and m.nodes["help"].kind == "human"


def test_twilio_connect_call_to_number_is_external():
    flow = studio([{"name": "menu", "type": "connect-call-to", "properties": {"noun": "number", "to": "+15550001111"},
                    "transitions": []}])
    m = import_text(flow, "twilio", "flow.json")
    assert m.nodes["menu"].kind == "unknown"
    assert [n.status for n in m.import_report].count(R.TRANSFER) == 1


def connect(actions, start):
    return json.dumps({"Version": "2019-10-30", "StartAction": start, "Actions": actions})


def test_connect_keypad_input_and_queue():
    flow = connect([
        {"Identifier": "in", "Type": "GetParticipantInput",
         "Parameters": {"Text": "Press 1 for sales", "InputTimeLimitSeconds": "8", "StoreInput": "False"},
         "Transitions": {"NextAction": "bye", "Conditions": [
             {"NextAction": "setq", "Condition": {"Operator": "Equals", "Operands": ["1"]}}],
             "Errors": [{"NextAction": "in", "ErrorType": "InputTimeLimitExceeded"},
                        {"NextAction": "bye", "ErrorType": "NoMatchingCondition"}]}},
        {"Identifier": "setq", "Type": "UpdateContactTargetQueue", "Parameters": {"QueueId": "arn:aws:connect:x:queue/Sales"},
         "Transitions": {"NextAction": "xfer"}},
        {"Identifier": "xfer", "Type": "TransferContactToQueue", "Parameters": {}, "Transitions": {}},
        {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
    ], "in")
    m = import_text(flow, "connect", "flow.json")
    node = m.nodes[m.start]
    assert node.kind == "menu" and node.timeout_s == 8 and node.options[0].key == "1"
    assert node.no_input.then == m.start                      # timeout: the block again
    assert m.nodes[node.no_match.then].kind == "hangup"
    human = m.nodes[node.options[0].target]
    assert human.kind == "human" and human.queue.name == "Sales"


def test_connect_hours_check_keeps_the_queue_and_editor_names():
    flow = json.dumps({"Version": "2019-10-30", "StartAction": "q1", "Metadata": {"ActionMetadata": {
        "q1": {"parameters": {"QueueId": {"displayName": "Billing"}}, "queue": {"text": "Billing"}},
        "closed": {"promptName": "After hours"}}},
        "Actions": [
            {"Identifier": "q1", "Type": "UpdateContactTargetQueue",
             "Parameters": {"QueueId": "arn:aws:connect:r:1:instance/i/queue/0f1e2d"}, "Transitions": {"NextAction": "hours"}},
            {"Identifier": "hours", "Type": "CheckHoursOfOperation", "Parameters": {},
             "Transitions": {"NextAction": "closed", "Conditions": [
                 {"NextAction": "xfer", "Condition": {"Operator": "Equals", "Operands": ["True"]}},
                 {"NextAction": "closed", "Condition": {"Operator": "Equals", "Operands": ["False"]}}]}},
            {"Identifier": "closed", "Type": "MessageParticipant", "Parameters": {"PromptId": "arn:aws:connect:r:1:prompt/9"},
             "Transitions": {"NextAction": "bye"}},
            {"Identifier": "xfer", "Type": "TransferContactToQueue", "Parameters": {}, "Transitions": {}},
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}]})
    m = import_text(flow, "connect", "flow.json")
    hours = m.nodes[m.start]
    assert hours.kind == "unknown" and "CheckHoursOfOperation" in hours.note
    branches = {o.label: m.nodes[o.target] for o in hours.options}
    person = next(n for n in branches.values() if n.kind == "human")
    assert person.queue.name == "Billing"                      # the editor's name, not the ARN's id
    closed = next(n for n in branches.values() if n.kind == "announcement")
    assert closed.prompt == "[recorded prompt After hours]"


def test_twilio_number_named_operator_is_a_person():
    flow = studio([{"name": "menu", "type": "connect-call-to", "properties": {"noun": "number", "to": "+15550001111"},
                    "transitions": []}]).replace('"menu"', '"connect_to_operator"')
    m = import_text(flow, "twilio", "flow.json")
    node = m.nodes[m.start]
    assert node.kind == "human" and node.queue.name == "connect_to_operator"
    assert any("named" in n.what for n in m.import_report)


def test_voicexml_tapered_prompts_and_handlers_without_transition():
    doc = """<vxml version="2.1"><form id="f">
      <field name="PHONE" type="digits?length=10">
        <prompt count="1">Enter your phone number</prompt>
        <prompt count="2">Please enter all ten digits</prompt>
        <noinput count="1">Use your keypad</noinput>
        <noinput count="3">goodbye<exit/></noinput>
        <nomatch>Ten digits please</nomatch>
      </field>
      <block><goto next="other.vxml#start"/></block></form></vxml>"""
    m = import_text(doc, "vxml", "f.vxml")
    f = m.nodes["f"]
    assert f.prompt == "Enter your phone number" and f.input_digits == (10, 10)
    assert (f.no_input.retries, f.no_input.then) == (2, "@hangup")
    assert f.no_match.then == "@repeat"
    nxt = m.nodes[f.next]
    assert m.nodes[nxt.next].kind == "unknown" and "other.vxml" in m.nodes[nxt.next].note
