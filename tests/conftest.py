"""Test-session set-up: keep call records out of the working tree."""
import os
import tempfile

# `ivr call` / `ivr simulate` record every call; tests must not write ./ivr.db
os.environ.setdefault("IVR_DATABASE", os.path.join(tempfile.mkdtemp(prefix="ivr-test-"), "ivr.db"))


import pytest


@pytest.fixture(autouse=True)
def _prompt_timing_back_to_estimates():
    """ivr.timing.measured_duration is process-wide (a crawl of an engine line or
    TTS timing sets it, as `ivr serve` does for its one process); a test that set it
    must not change the prompt lengths the next tests expect."""
    yield
    from ivr import timing
    timing.measured_duration = None
