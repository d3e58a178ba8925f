"""JUnit XML for CI servers: one <testsuite> per scenario file, one
<testcase> per scenario, a <failure> with the diff and transcript; with
--min-coverage, a `coverage` suite with one testcase per menu, so a CI that
reads only JUnit sees a coverage failure too."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Optional

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


def junit_xml(results: list, coverage: Optional[list] = None, min_coverage: Optional[float] = None
              ) -> ET.ElementTree:
    """`coverage` (MenuCoverage list) is checked against `min_coverage` percent when both are given."""
    checks = coverage if coverage is not None and min_coverage is not None else []
    low = [c for c in checks if below(c, min_coverage)]
    root = ET.Element("testsuites", name="ivr test", tests=str(len(results) + len(checks)),
                      failures=str(sum(not r.passed for r in results) + len(low)),
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
    if checks:
        suite = ET.SubElement(root, "testsuite", name="coverage", tests=str(len(checks)),
                              failures=str(len(low)), errors="0", time="0")
        for c in checks:
            case = ET.SubElement(suite, "testcase", name=f"transition coverage of {c.menu_id} >= {min_coverage:g} %",
                                 classname=f"{c.menu_id}.coverage", time="0")
            if c in low:
                ET.SubElement(case, "failure", message=_clean(low_coverage_text(c, min_coverage)), type="coverage")
    ET.indent(root)
    return ET.ElementTree(root)


def below(cov, min_coverage: Optional[float]) -> bool:
    return min_coverage is not None and 100 * cov.transition_ratio < min_coverage - 1e-9


def low_coverage_text(cov, min_coverage: float) -> str:
    return f"coverage of {cov.menu_id} is {100 * cov.transition_ratio:.1f} %, below --min-coverage {min_coverage:g} %"


def write_junit(results: list, path: str, coverage: Optional[list] = None,
                min_coverage: Optional[float] = None) -> None:
    try:
        junit_xml(results, coverage, min_coverage).write(path, encoding="utf-8", xml_declaration=True)
    except OSError as err:
        raise IvrError(f"cannot write JUnit file {path}: {err.strerror}", "give a writable --junit path",
                       Where(path, 0, 0), "unwritable") from None
