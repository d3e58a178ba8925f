"""A short run of the fuzz harness (tests/fuzz_harness.py) in the test suite:
mutations of every real and bundled file for every reader, plus hypothesis
strategies. The long run with a watchdog and a memory cap is
`benchmarks/fuzz.py --minutes N`."""
from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzz_harness as fz

SHORT = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@pytest.mark.parametrize("reader", fz.READERS)
def test_every_seed_reads_cleanly_as_is(reader, tmp_path):
    for seed in fz.SEEDS[reader]:
        path = tmp_path / seed.name
        path.write_bytes(seed.read_bytes())
        assert fz.check(reader, str(path)) in ("ok", "refused", "import-refused")


@pytest.mark.parametrize("reader", fz.READERS)
def test_mutated_seeds_never_give_a_traceback(reader, tmp_path):
    @SHORT
    @given(st.sampled_from(fz.SEEDS[reader]), st.integers(0, 2**32 - 1))
    def run(seed, salt):
        data = fz.mutate(seed.read_bytes(), random.Random(salt), fz.SUFFIX.get(reader, seed.suffix))
        path = tmp_path / seed.name
        path.write_bytes(data)
        fz.check(reader, str(path))
    run()


def test_the_mutator_makes_the_hostile_inputs_of_issue_15():
    rnd = random.Random(1)
    seen = [fz.mutate(b"max-failures=\"3\" a: 1", rnd, ".xml") for _ in range(400)]
    assert any(b"1e999" in s for s in seen) and any(b"<a>" * 50 in s for s in seen)
    assert any(b"\x1b" in s for s in seen) and any(len(s) < 5 for s in seen)
