"""The 12351 hotline's AI seat: a self_service node answering from the knowledge base."""
from pathlib import Path

import pytest

from ivr.config import DEFAULTS
from ivr.engine import Call
from ivr.loader import load_menu

HOTLINE = Path(__file__).resolve().parents[1] / "menus" / "12351-hotline.yaml"


@pytest.fixture(scope="module")
def menu():
    return load_menu(HOTLINE)


def ask(menu, question):
    call = Call(menu, DEFAULTS)
    call.press("53")  # more services → other questions (the AI seat)
    assert call.node == "ask"
    call.say(question)
    return call


def test_a_known_question_is_answered_with_its_law(menu):
    call = ask(menu, "单位不跟我签劳动合同怎么办")
    answer = next(e for e in call.events if e["type"] == "answer")
    assert "二倍的工资" in answer["text"] and "第八十二条" in answer["source"]
    assert call.node == "welcome" and not call.ended


@pytest.mark.parametrize("question", ["帮我订一张去北京的火车票", "转人工", "欠薪的事转人工"])
def test_unknown_questions_and_asking_for_a_person_reach_a_person(menu, question):
    call = ask(menu, question)
    assert call.outcome == "human" and call.node == "agent"
    assert not any(e["type"] == "answer" for e in call.events)
