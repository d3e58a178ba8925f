"""Hostile-safe XML with a line and column on every element.

defusedxml's parser refuses DTDs, entity declarations and external
references (no billion laughs, no XXE); we add a size limit and record the
expat position of each start tag, which plain ElementTree throws away.
Namespaces are dropped from tag names (`{ns}menu` -> `menu`) because every
format we read uses one vocabulary per file.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from xml.parsers.expat import ExpatError

import defusedxml
import defusedxml.ElementTree as DET

from .. import files
from ..errors import IvrError
from ..model import Where

MAX_BYTES = 5_000_000   # real IVR files are a few kB; refuse anything absurd


class Element(ET.Element):
    """An ElementTree element that remembers where it started."""
    where: Where


class _Builder(ET.TreeBuilder):
    def __init__(self, file: str):
        super().__init__(element_factory=Element)
        self.file = file
        self.expat = None   # set once the parser exists

    def start(self, tag, attrs):
        local = tag.rsplit("}", 1)[-1]
        attrs = {k.rsplit("}", 1)[-1]: v for k, v in attrs.items()}
        elem = super().start(local, attrs)
        elem.where = Where(self.file, self.expat.CurrentLineNumber, self.expat.CurrentColumnNumber + 1)
        return elem

    def end(self, tag):
        return super().end(tag.rsplit("}", 1)[-1])


def read_limited(path: str | Path, limit: int = MAX_BYTES) -> bytes:
    """A regular file of at most `limit` bytes (ivr.files: devices and FIFOs refused)."""
    return files.read_limited(path, limit)


def parse_xml(data: bytes, file: str) -> Element:
    """The root element of `data`; IvrError with the line for anything wrong."""
    if len(data) > MAX_BYTES:
        raise IvrError(f"XML is {len(data)} bytes; the limit is {MAX_BYTES}", "check the file",
                       Where(file, 1, 1), "too-large")
    builder = _Builder(file)
    parser = DET.DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.expat = parser.parser
    try:
        parser.feed(data)
        return parser.close()
    except (defusedxml.DTDForbidden, defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden) as err:
        raise IvrError(f"refused XML construct: {type(err).__name__} ({err})",
                       "remove the DOCTYPE/ENTITY declarations; menus never need them",
                       Where(file, parser.parser.CurrentLineNumber, parser.parser.CurrentColumnNumber + 1),
                       "hostile-xml") from None
    except (ET.ParseError, ExpatError) as err:
        line, col = getattr(err, "position", (parser.parser.CurrentLineNumber, parser.parser.CurrentColumnNumber))
        msg = str(err).split(":", 1)[0] if ": line" in str(err) else str(err)
        raise IvrError(f"malformed XML: {msg}", "fix the XML syntax at this place",
                       Where(file, line, col + 1), "bad-xml") from None
    except (ValueError, LookupError, RecursionError) as err:
        raise IvrError(f"unreadable XML: {err}", "check the file's encoding and syntax",
                       Where(file, parser.parser.CurrentLineNumber, 1), "bad-xml") from None


def text_of(elem: ET.Element) -> str:
    """All text inside `elem` (children included), whitespace collapsed."""
    return " ".join("".join(elem.itertext()).split())
