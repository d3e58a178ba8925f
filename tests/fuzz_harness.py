"""The fuzz harness of issue 15, shared by tests/test_fuzz_harness.py (a short
run in the test suite) and benchmarks/fuzz.py (a long run with a watchdog and
a memory cap in a worker process).

Seeds: every real platform file in ../shared/real_menus, every bundled file
in menus/ (menus, dispatch rules, knowledge bases), the Asterisk dialplan of
the tests, config.yaml and a scenario. Each seed goes to each reader that
reads its kind of file, mutated by `mutate` (byte edits, hostile tokens,
extreme numbers, deep nesting, growth).

Properties checked by `check(reader, path)`:
- the reader returns or raises IvrError naming the file — never another exception;
- a menu that loads is run through validate, `ivr import`'s YAML (which must
  load again: whatever import writes, validate accepts) and both exports
  (which must re-import).
"""
from __future__ import annotations

import random
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real_menus"


def _seeds() -> dict[str, list[Path]]:
    menus = sorted((ROOT / "menus").glob("*.yaml"))
    real = sorted(p for p in REAL.rglob("*") if p.is_file())
    asterisk = [ROOT / "tests" / "data" / "asterisk" / "extensions.conf"]
    return {
        "sniff": menus + real + asterisk,                         # format detection + the importer it picks
        "freeswitch": sorted((REAL / "freeswitch").glob("*.xml")),
        "vxml": sorted((REAL / "voicexml").glob("*")),
        "twilio": sorted((REAL / "twilio").glob("*.json")),
        "connect": sorted((REAL / "amazon_connect").glob("*.json")),
        "asterisk": asterisk,
        "yaml": menus,
        "rules": sorted((ROOT / "menus" / "dispatch").glob("*.yaml")),
        "knowledge": sorted((ROOT / "menus" / "knowledge").glob("*.yaml")) + sorted(
            (ROOT / "tests" / "data" / "knowledge").glob("*.yaml")),
        "config": [ROOT / "config.yaml"],
    }


SEEDS = _seeds()
READERS = list(SEEDS)
SUFFIX = {"freeswitch": ".xml", "vxml": ".vxml", "twilio": ".json", "connect": ".json", "asterisk": ".conf"}

HOSTILE = [b"1e999", b"-1e999", b"99999999999999999999", b"nan", b"NaN", b"-0", b"0", b"", b"!!int x",
           b"!!timestamp x", b"2024-02-30", b"!!bool maybe", b"!!map x", b"!!seq x", b"[/x]",
           b"[link=https://evil.example]x[/link]", b"\x1b]0;t\x07", b"\x1b[2J", b"\x00", b"\x7f", b"\xc2\x9b",
           b"\xff\xfe", b"\xef\xbb\xbf", b"../../../etc/passwd", b"/dev/zero", b"${X}", b"&amp;", b"&#0;",
           b"<!--", b"]]>", b"<![CDATA[", b"\\", b'"', b"'", b"{", b"}", b"[", b"]", b"<", b">", b"&",
           b"\n", b"\r\n", b"\t", b"  ", b":", b"- ", b"*a", b"&a ", b"<<: *a", b"#", b",", b"=>",
           b"Goto(s,1)", b"WaitExten(1e999)", b"Read(x,y,1e999,,1e999,1e999)", b"[general]", b"[ctx]",
           b'<menu name="m"/>', b"<entry/>", b'"Type": 1', b'"Name": 1', b"null", b"true", b"[]", b"{}"]


def _numbers(data: bytes, rnd: random.Random) -> bytes:
    """Replace a run of digits by an extreme number."""
    spots = [i for i in range(min(len(data), 200_000)) if 48 <= data[i] <= 57]
    if not spots:
        return data
    i = rnd.choice(spots)
    j = i
    while j < len(data) and 48 <= data[j] <= 57:
        j += 1
    return data[:i] + rnd.choice([b"1e999", b"99999999999999999999", b"0", b"-1", b"nan", b"1e-999"]) + data[j:]


def _nest(data: bytes, rnd: random.Random, suffix: str) -> bytes:
    """Deep nesting of the file's own kind of brackets somewhere."""
    depth = rnd.choice([50, 400, 1200, 3000])
    i = rnd.randrange(len(data) + 1)
    if suffix in (".xml", ".vxml"):
        chunk = b"<a>" * depth + b"</a>" * depth
    elif suffix == ".json":
        chunk = b"[" * depth + b"]" * depth
    else:
        chunk = b"[" * depth + b"]" * depth if rnd.random() < 0.5 else b"{a: " * depth + b"}" * depth
    return data[:i] + chunk + data[i:]


def mutate(data: bytes, rnd: random.Random, suffix: str = "") -> bytes:
    """1-4 random edits of `data`."""
    for _ in range(rnd.randint(1, 4)):
        n = len(data)
        i = rnd.randrange(n + 1)
        j = min(n, i + rnd.choice([1, 2, 5, 20, 200]))
        op = rnd.random()
        if op < 0.2:
            data = data[:i] + data[j:]
        elif op < 0.45:
            data = data[:i] + rnd.choice(HOSTILE) + data[i:]
        elif op < 0.55:
            data = data[:j] + data[i:j] * rnd.choice([1, 2, 50]) + data[j:]
        elif op < 0.65:
            k = rnd.randrange(n + 1)
            data = data[:i] + data[k:k + (j - i)] + data[j:]
        elif op < 0.75:
            data = _numbers(data, rnd)
        elif op < 0.8:
            data = _nest(data, rnd, suffix)
        elif op < 0.85:
            data = data[:i]
        elif op < 0.95 and n:
            data = data[:i] + bytes([rnd.randrange(256)]) + data[i + 1:]
        else:
            data = data[:i] + data[i:j].upper() + data[j:]
    return data


class PropertyFailure(AssertionError):
    """A property (import output validates, exports re-import) does not hold."""


def _menu_properties(menu, path: str, imported: bool) -> str:
    """A menu that loaded: import's YAML loads (else `ivr import` refuses it:
    'import-refused'), exports re-import, the engine runs a short call."""
    from ivr.engine import Call
    from ivr.errors import IvrError
    from ivr.exporters import export_menu
    from ivr.importers import import_text
    from ivr.importers.reach import drop_unreachable
    from ivr.importers.relocate import relocate_files
    from ivr.loader import load_menu_text
    from ivr.menu_yaml import dump_menu

    outcome = "ok"
    if imported:
        relocate_files(menu, path, None)
        drop_unreachable(menu)
        try:
            menu = load_menu_text(dump_menu(menu), path)
        except IvrError:
            return "import-refused"
    for target, fmt in (("vxml", "vxml"), ("freeswitch", "freeswitch")):
        try:
            exported, _ = export_menu(menu, target)
        except IvrError as err:
            if err.code != "not-exportable":
                raise
            continue           # a clean refusal: the format cannot hold this menu
        try:
            import_text(exported, fmt, f"{path}.{target}")
        except IvrError as err:
            raise PropertyFailure(f"export to {target} does not re-import: {err}") from None
    call = Call(menu)
    for key in "1#0":
        call.press(key)
    call.wait(60)
    call.to_dict()
    return outcome


def read(reader: str, path: str, deep: bool = True) -> str:
    """Run `reader` on `path`: IvrError (a clean refusal) or an outcome; with
    `deep`, a menu that loads also goes through _menu_properties."""
    from ivr.importers import load_any
    if reader in ("rules", "knowledge", "config"):
        from ivr.config import load_config
        from ivr.knowledge import load_knowledge
        from ivr.orders.rules import load_rules
        {"rules": load_rules, "knowledge": load_knowledge, "config": load_config}[reader](path)
        return "ok"
    menu = load_any(path, fmt=None if reader == "sniff" else reader)
    imported = not str(path).endswith((".yaml", ".yml")) or reader not in ("sniff", "yaml")
    return _menu_properties(menu, path, imported) if deep else "ok"


def check(reader: str, path: str, deep: bool = True) -> str:
    """'ok', 'refused' (a clean IvrError naming the file), 'import-refused'
    (loads, but `ivr import` would refuse to write it) — anything else raises:
    AssertionError for an IvrError without the file, PropertyFailure, or the
    original exception (a traceback: the bug the harness looks for)."""
    from ivr.errors import IvrError, MenuError
    try:
        return read(reader, path, deep)
    except IvrError as err:
        errors = err.errors if isinstance(err, MenuError) else [err]
        for e in errors:
            if not (e.problem and e.where is not None and e.where.file):
                raise AssertionError(f"IvrError without a place: {e!r}") from None
        return "refused"


def inputs(rnd: random.Random) -> Callable[[], tuple[str, Path, bytes]]:
    """A generator of (reader, seed path, mutated bytes), round-robin over readers."""
    pairs = [(r, s) for r in READERS for s in SEEDS[r] if s.is_file()]
    cache = {s: s.read_bytes() for _, s in pairs}

    def draw() -> tuple[str, Path, bytes]:
        reader, seed = rnd.choice(pairs)
        return reader, seed, mutate(cache[seed], rnd, SUFFIX.get(reader, seed.suffix))
    return draw
