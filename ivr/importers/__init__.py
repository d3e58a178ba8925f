"""Read menus that real platforms run into the ivr model.

`load_any(path)` is the one entry point: it detects the format (content
first, extension second), runs the matching importer and attaches what was
mapped and what could not be as `menu.import_report` (ImportNote list).
Our own YAML goes to ivr.loader.load_menu unchanged.
"""
from __future__ import annotations

import codecs
import gc
import importlib
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

from ..errors import IvrError
from ..model import Menu, Where
from .detect import FORMATS, detect, normalise_format
from .report import ImportReport
from .safe_xml import MAX_BYTES, read_limited

__all__ = ["load_any", "import_text", "FORMATS"]

MODULES = {"freeswitch": "freeswitch", "asterisk": "asterisk", "vxml": "voicexml",
           "twilio": "twilio", "connect": "amazon_connect"}
# Platforms that speak a prompt's text through their TTS engine (Amazon Connect
# Text/SSML, Twilio Studio `say`, VoiceXML <prompt> text); recorded audio is
# imported as "[audio …]" / "[recorded prompt …]". Dialplans (FreeSWITCH,
# Asterisk) play sound files: their prompt text says nothing about the voice.
TTS_FORMATS = ("vxml", "twilio", "connect")
_RECORDED = re.compile(r"^\s*(\[(audio|recorded prompt) [^\]]*\]\s*)+$")


def _voice(menu: Menu) -> str:
    """What the platform file tells about how prompts are spoken."""
    prompts = [n.prompt for n in menu.nodes.values() if n.prompt.strip()]
    recorded = [bool(_RECORDED.match(p)) for p in prompts]
    if not prompts:
        return ""
    return "recorded" if all(recorded) else "mixed" if any(recorded) else "synthesised"


XML_DECL = re.compile(rb"""^(\xef\xbb\xbf)?<\?xml[^>]*?\bencoding\s*=\s*(["'])([A-Za-z][\w.:-]*)\2""")


def _decode(data: bytes, file: str) -> str:
    """Text of a menu file: UTF-8, or for XML the encoding its declaration
    names (`<?xml ... encoding="ISO-8859-1"?>`); the declaration is then
    rewritten to UTF-8, the encoding the importers hand the XML parser."""
    m = XML_DECL.match(data)
    encoding = m.group(3).decode("ascii") if m else "utf-8"
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise IvrError(f"the XML declaration names an unknown encoding {encoding!r}",
                       "declare a standard encoding (UTF-8, ISO-8859-1, windows-1252) or save as UTF-8",
                       Where(file, 1, 1), "bad-encoding") from None
    if codec == "utf-8" or codec.startswith("utf-16") or codec.startswith("utf-32"):
        codec, encoding = "utf-8-sig", "UTF-8"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        xml = not m and data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
        raise IvrError(f"not {encoding} text (byte {err.start})", f"save the file as {encoding}"
                       + (" (or declare its encoding in <?xml ...?>)" if xml else ""),
                       Where(file, line, 1), "bad-encoding") from None
    if codec != "utf-8-sig":
        text = re.sub(r"""^(<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""", r"\1\2UTF-8\2", text, count=1)
    return text


def too_deep(file: str) -> IvrError:
    return IvrError("the file is nested too deeply to read (hundreds of levels of brackets, elements "
                    "or Goto chains)", "flatten it: a real menu is a few levels deep", Where(file, 1, 1),
                    "too-deep")


@contextmanager
def _gc_paused():
    """No cyclic garbage collection while an importer builds the model.
    Python's collector re-walks every live object as allocations pile up, so
    a 2 MB dialplan (~60 000 nodes, steps and places) paid for its own size
    again and again: Asterisk's time per KB grew x1.6-2.2 from 10 KB to 2 MB
    with the collector on, flat (x0.9) with it off. An import makes no
    garbage cycles worth collecting mid-way; collection resumes after."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def import_text(text: str, fmt: str, file: str = "<string>", **options) -> Menu:
    """Import `text` of a known platform format (not YAML) into a Menu."""
    fmt = normalise_format(fmt)
    if fmt == "yaml":
        from ..loader import load_menu_text
        return load_menu_text(text, file)
    module = importlib.import_module(f"{__name__}.{MODULES[fmt]}")
    report = ImportReport(file, fmt)
    try:
        with _gc_paused():
            menu = module.import_menu(text, file, report, **options)
    except RecursionError:  # the one nesting guard: JSON/XML/Goto chains deeper than Python's stack
        raise too_deep(file) from None
    if menu.start in menu.nodes:  # the start node first, whatever order the platform file uses
        menu.nodes = {menu.start: menu.nodes[menu.start], **menu.nodes}
    menu.source = file
    menu.import_report = report.notes
    if fmt in TTS_FORMATS and not menu.voice:
        menu.voice = _voice(menu)
    return menu


def load_any(path: str | Path, fmt: Optional[str] = None, config: Optional[dict] = None, **options) -> Menu:
    """A Menu from any supported file: our YAML, FreeSWITCH, Asterisk,
    VoiceXML, Twilio Studio or Amazon Connect. Raises IvrError (clean message
    with file:line:col) for anything it cannot read."""
    path = Path(path)
    file = str(path)
    if path.is_dir():
        raise IvrError("this is a folder, not a menu file", "give the path of one file", Where(file), "usage")
    data = read_limited(path, MAX_BYTES)
    text = _decode(data, file)
    fmt = normalise_format(fmt) if fmt else detect(path, text)
    if fmt == "yaml":
        from ..loader import load_menu
        return load_menu(path, config)  # config fills in what our YAML leaves out
    return import_text(text, fmt, file, **options)
