"""Caller-flow tests: scenario files, the runner, coverage, generated path
tests and JUnit output (`ivr test`). See docs/flows.md."""
