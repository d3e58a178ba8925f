"""Text normalisation shared by matching, the audit and the engine."""
from ivr.matching import normalise, tidy
from ivr.timing import estimate_seconds


def test_spaces_between_chinese_characters_go_others_stay():
    assert normalise("我 要 找  人工, please  Press 1") == "我要找人工 please press 1"
    assert normalise("Talk to an Agent!") == "talk to an agent"
    assert tidy("欢迎 致电。 工会 hello  world") == "欢迎致电。工会 hello world"
    assert tidy("Hello,  world.") == "Hello, world."


def test_estimates_count_chinese_characters_and_words():
    rates = {"words_per_minute": 120, "cjk_chars_per_second": 4.0, "pause_s": 0.0}
    assert estimate_seconds("hello world", rates) == 1.0
    assert estimate_seconds("欢迎致电 hello world", rates) == 2.0
