"""Test-session set-up: keep call records out of the working tree."""
import os
import tempfile

# `ivr call` / `ivr simulate` record every call; tests must not write ./ivr.db
os.environ.setdefault("IVR_DATABASE", os.path.join(tempfile.mkdtemp(prefix="ivr-test-"), "ivr.db"))
