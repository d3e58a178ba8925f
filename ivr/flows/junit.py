"""JUnit XML for CI servers: one <testsuite> per scenario file, one
<testcase> per scenario, a <failure> with the diff and transcript."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from ..errors import IvrError
from ..model import Where


# characters XML 1.0 cannot hold at all (YAML "\x01" escapes could put them in a prompt)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def failure_text(result) -> str:
    """The failures, the path taken and the call transcript, for people."""
    parts = list(result.failures)
    parts.append("path: " + " → ".join(result.path))
    parts.append("transcript:\n" + "\n".join("  " + line for line in result.transcript))
    return "\n".join(parts)


def junit_xml(results: list) -> ET.ElementTree:
    root = ET.Element("testsuites", name="ivr test", tests=str(len(results)),
                      failures=str(sum(not r.passed for r in results)),
                      time=f"{sum(r.seconds for r in results):.4f}")
    suites: dict[str, ET.Element] = {}
    for result in results:
        suite = suites.get(result.file)
        if suite is None:
            suite = suites[result.file] = ET.SubElement(root, "testsuite", name=result.file, tests="0",
                                                        failures="0", errors="0", time="0")
        suite.set("tests", str(int(suite.get("tests")) + 1))
        suite.set("time", f"{float(suite.get('time')) + result.seconds:.4f}")
        case = ET.SubElement(suite, "testcase", name=_clean(result.name), classname=f"{result.menu_id}.{Path(result.file).stem}",
                             file=result.file, line=str(result.line), time=f"{result.seconds:.4f}")
        if not result.passed:
            suite.set("failures", str(int(suite.get("failures")) + 1))
            node = ET.SubElement(case, "failure", message=_clean(result.failures[0].splitlines()[0]),
                                 type="expectation")
            node.text = _clean(failure_text(result))
        out = ET.SubElement(case, "system-out")
        out.text = _clean("\n".join(result.transcript))
    ET.indent(root)
    return ET.ElementTree(root)


def write_junit(results: list, path: str) -> None:
    try:
        junit_xml(results).write(path, encoding="utf-8", xml_declaration=True)
    except OSError as err:
        raise IvrError(f"cannot write JUnit file {path}: {err.strerror}", "give a writable --junit path",
                       Where(path, 0, 0), "unwritable") from None
