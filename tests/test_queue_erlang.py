"""Erlang C against the published vector and against its own definitions."""
import math

import pytest

from ivr.errors import IvrError
from ivr.queueing import agents_needed, erlang_a, erlang_b, erlang_c


def test_published_vector():
    # 100 calls per 30 min, AHT 180 s, 14 agents, 20 s target
    r = erlang_c(200, 180, 14, 20)
    assert round(r["p_wait"], 5) == 0.17413
    assert round(r["service_level"], 5) == 0.88835
    assert round(r["asa_s"], 2) == 7.84
    assert round(r["occupancy"], 3) == 0.714


def test_erlang_b_matches_factorial_formula_for_small_n():
    load, n = 3.5, 6
    terms = [load ** k / math.factorial(k) for k in range(n + 1)]
    assert erlang_b(load, n) == pytest.approx(terms[-1] / sum(terms), rel=1e-12)


def test_stable_for_thousands_of_agents():
    r = erlang_c(3600 * 2000 / 180, 180, 2050, 20)   # 2000 Erlangs
    assert 0.0 < r["p_wait"] < 1.0 and math.isfinite(r["asa_s"])


def test_overload_waits_forever():
    r = erlang_c(400, 180, 14, 20)   # 20 Erlangs on 14 agents
    assert r["p_wait"] == 1.0 and r["asa_s"] == math.inf and not r["stable"]


def test_agents_needed_is_smallest_meeting_target():
    n = agents_needed(200, 180, 20, 0.8)
    assert erlang_c(200, 180, n, 20)["service_level"] >= 0.8
    assert erlang_c(200, 180, n - 1, 20)["service_level"] < 0.8
    assert agents_needed(200, 180, 20, 0.95) > n


def test_erlang_a_tends_to_erlang_c_with_infinite_patience():
    a, c = erlang_a(200, 180, 14, 1e9), erlang_c(200, 180, 14, 20)
    assert a["p_wait"] == pytest.approx(c["p_wait"], rel=1e-5)
    assert a["mean_wait_s"] == pytest.approx(c["asa_s"], rel=1e-5)
    impatient = erlang_a(200, 180, 14, 60)
    assert 0 < impatient["p_abandon"] < 0.1
    assert impatient["mean_wait_s"] < c["asa_s"]


@pytest.mark.parametrize("args", [(200, 0, 14), (200, 180, 0), (200, 180, 2.5), (-1, 180, 3)])
def test_bad_parameters_are_user_errors(args):
    with pytest.raises(IvrError):
        erlang_c(*args)


def _linear_agents_needed(cph, aht, target, level, occupancy=1.0):
    n = max(1, math.floor(cph * aht / 3600) + 1)
    while not (erlang_c(cph, aht, n, target)["service_level"] >= level
               and erlang_c(cph, aht, n, target)["occupancy"] <= occupancy):
        n += 1
    return n


@pytest.mark.parametrize("cph, aht, target, level, occupancy", [
    (200, 180, 20, 0.8, 1.0), (0, 180, 20, 0.8, 1.0), (3, 600, 0, 0.99, 1.0), (5000, 240, 30, 0.9, 1.0),
    (20000, 300, 60, 0.95, 0.85), (800, 45, 5, 0.5, 0.7)])
def test_agents_needed_by_bisection_matches_the_linear_search(cph, aht, target, level, occupancy):
    assert agents_needed(cph, aht, target, level, occupancy) == \
        _linear_agents_needed(cph, aht, target, level, occupancy)


def test_agents_needed_answers_fast_for_a_huge_load():
    # 50 million Erlangs: one Erlang B recursion alone took seconds, the linear search never ended
    n = agents_needed(1e9, 180, 20, 0.8)
    assert erlang_c(1e9, 180, n, 20)["service_level"] >= 0.8 > erlang_c(1e9, 180, n - 1, 20)["service_level"]


def test_erlang_b_closed_form_continues_the_recursion():
    from ivr.queueing import erlang as E
    n = E.RECURSION_MAX
    assert erlang_b(n + 0.5, n + 1) == pytest.approx((n + 0.5) * erlang_b(n + 0.5, n)
                                                     / (n + 1 + (n + 0.5) * erlang_b(n + 0.5, n)), rel=1e-9)


@pytest.mark.parametrize("call", [
    lambda: erlang_c(math.nan, 180, 14), lambda: erlang_c(200, math.inf, 14),
    lambda: erlang_c(200, 180, 14, math.nan), lambda: erlang_c(200, 180, 14, -1),
    lambda: erlang_a(200, 180, 14, math.inf), lambda: agents_needed(200, math.inf, 20),
    lambda: agents_needed(200, 180, -5), lambda: agents_needed(math.nan, 180, 20),
    lambda: agents_needed(1e20, 180, 20)])
def test_unusable_queue_values_are_refused_as_value_and_user_errors(call):
    with pytest.raises(ValueError) as caught:
        call()
    assert isinstance(caught.value, IvrError) and caught.value.fix


def test_an_overloaded_queue_is_overloaded_at_any_size():
    assert erlang_c(1e20, 180, 14)["stable"] is False     # no size limit needed to say so
    with pytest.raises(IvrError, match="beyond what the model can count"):
        erlang_c(1e15, 180, 10 ** 14)
