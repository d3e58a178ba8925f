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


def _fuzz_benchmark():
    import importlib.util
    spec = importlib.util.spec_from_file_location("fuzz_benchmark", fz.ROOT / "benchmarks" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_fuzz_pool_counts_hangs_memory_hogs_crashes_and_deaths_and_replaces_the_worker():
    """benchmarks/fuzz.py's guarantees are real: a worker over the watchdog is
    killed, one over the memory cap gets a MemoryError, an exception is a
    traceback, a dying worker is counted — and each is replaced, so the
    inputs after it still run (each alone in its worker's folder)."""
    import os
    import time
    from pathlib import Path

    def check(reader, path, deep):
        assert os.listdir(os.path.dirname(path)) == [os.path.basename(path)]
        if reader == "slow":
            time.sleep(30)
        elif reader == "big":
            bytearray(800 * 2**20)
        elif reader == "crash":
            raise ValueError("boom")
        elif reader == "die":
            os._exit(3)
        return "ok" if Path(path).read_bytes() == b"data" else "wrong bytes"

    readers = ["ok", "slow", "ok", "big", "ok", "crash", "ok", "die", "ok", "ok"]
    seen = []
    done = _fuzz_benchmark().run_pool(
        iter([(r, f"in{i}.txt", b"data", False) for i, r in enumerate(readers)]), 60, 2, check,
        lambda job, outcome, detail, took, rss: seen.append((job[0], outcome, took, rss)), watchdog_s=1.5)
    assert done == len(readers)
    outcomes = {}
    for reader, outcome, took, rss in seen:
        outcomes.setdefault(reader, set()).add(outcome)
        if reader == "slow":
            assert 1.5 <= took < 10
        if reader == "ok":
            assert rss < 500
    assert outcomes == {"ok": {"ok"}, "slow": {"timeout"}, "big": {"memory"}, "crash": {"traceback"},
                        "die": {"died"}}


def test_the_fuzz_pool_runs_real_inputs_through_the_real_readers():
    bench = _fuzz_benchmark()
    bench._warm_up()          # as the benchmark does: imports happen before the fork and the watchdog
    draw = fz.inputs(random.Random(3))

    def jobs():
        for n in range(40):
            reader, seed, data = draw()
            yield reader, f"input{fz.SUFFIX.get(reader, seed.suffix)}", data, n % 4 == 0
    seen = []
    bench.run_pool(jobs(), 120, 2, on_result=lambda job, outcome, *_: seen.append((job[0], outcome)))
    assert len(seen) == 40 and {o for _, o in seen} <= {"ok", "refused", "import-refused"}, seen
    assert len({r for r, _ in seen}) >= 5 and any(o == "refused" for _, o in seen)
