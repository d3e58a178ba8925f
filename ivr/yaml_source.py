"""Safe YAML loading that remembers where every key and item came from.

Mappings load as MarkedDict and sequences as MarkedList, which carry the
file:line:column of each key/item, so later checks can point at the exact
place. Duplicate keys are collected (YAML silently keeps the last one).
Oversized files and alias bombs ("billion laughs") are refused before any
data is built.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml

from .errors import IvrError
from .files import read_limited
from .model import Where

MAX_BYTES = 2 * 1024 * 1024      # a hand-written menu is far smaller
MAX_EXPANDED_NODES = 200_000     # YAML nodes after expanding every alias, beyond ...
MAX_INT = 2 ** 53                # whole numbers beyond this lose precision as floats
ALIAS_GROWTH = 10                # ... this many times the nodes actually written: a big
                                 # generated menu is fine, a few lines that multiply are not


class MarkedDict(dict):
    """A dict with `where` (its own place) and `key_where[key]`."""
    where: Where
    key_where: dict


class MarkedList(list):
    """A list with `where` and `item_where[i]`."""
    where: Where
    item_where: list


def _where(mark: Any, file: str) -> Where:
    return Where(file, mark.line + 1, mark.column + 1)


# libyaml's parser (same marks, same errors) is 5-10x faster than the pure-Python one:
# the rule packs alone took 0.2 s of every `ivr audit`
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _MarkedLoader(_SAFE_LOADER):
    """SafeLoader that builds MarkedDict/MarkedList and notes duplicate keys."""

    def __init__(self, stream: str, file: str):
        super().__init__(stream)
        self.file = file
        self.duplicates: list[IvrError] = []

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """A scalar its tag cannot hold (`!!int x`, `2024-02-30`, `!!bool maybe`,
        `!!seq x`) is a YAML error at that place, not a Python exception; a
        whole number beyond what any menu, rule or config needs is refused
        here once for every YAML reader (numpy and sqlite cannot hold it)."""
        try:
            value = super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError):
            shown = node.value if isinstance(node, yaml.ScalarNode) else node.id
            raise yaml.constructor.ConstructorError(
                None, None, f"{shown!r} cannot be read as {node.tag.rsplit(':', 1)[-1]}",
                node.start_mark) from None
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
            raise yaml.constructor.ConstructorError(
                None, None, f"the number {node.value} is too large (the limit is {MAX_INT})", node.start_mark)
        return value


def _construct_mapping(loader: _MarkedLoader, node: yaml.MappingNode) -> MarkedDict:
    own = {id(k) for k, _ in node.value}  # keys written here; merged ones may be overridden
    loader.flatten_mapping(node)  # resolves `<<` merge keys (merged pairs come first)
    out = MarkedDict()
    out.where, out.key_where = _where(node.start_mark, loader.file), {}
    written: set = set()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise IvrError("a mapping key must be a plain value", "use a string key",
                           _where(key_node.start_mark, loader.file)) from None
        here = _where(key_node.start_mark, loader.file)
        if id(key_node) in own and key in written:
            first = out.key_where[key]
            loader.duplicates.append(IvrError(
                f"duplicate key {key!r} (first at line {first.line})",
                "give each key once; YAML would silently keep only the last", here, "duplicate-key"))
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_where[key] = here
        if id(key_node) in own:
            written.add(key)
    return out


def _construct_sequence(loader: _MarkedLoader, node: yaml.SequenceNode) -> MarkedList:
    out = MarkedList(loader.construct_object(child, deep=True) for child in node.value)
    out.where = _where(node.start_mark, loader.file)
    out.item_where = [_where(child.start_mark, loader.file) for child in node.value]
    return out


_MarkedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_MarkedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _sizes(root: yaml.Node) -> tuple[int, float]:
    """(nodes written, nodes once every alias is expanded). Memoised per
    node, so a bomb costs no more than its few written lines; a recursive
    alias expands to infinity."""
    sizes: dict[int, float] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> float:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            return math.inf
        active.add(key)
        children = ([part for pair in node.value for part in pair] if isinstance(node, yaml.MappingNode)
                    else node.value if isinstance(node, yaml.SequenceNode) else [])
        sizes[key] = total = 1 + sum(size(child) for child in children)
        active.discard(key)
        return total

    expanded = size(root)
    return len(sizes), expanded


def _syntax_error(err: yaml.YAMLError, file: str) -> IvrError:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    where = _where(mark, file) if mark else Where(file, 1, 1)
    problem = getattr(err, "problem", None) or str(err)
    fix = "fix the YAML syntax at that place (indentation, quotes, colons)"
    if "cannot be read as" in problem or "too large" in problem:
        fix = "write a plain value (quote text that looks like a date or number; remove the !!tag)"
    if "nesting depth" in problem:
        fix = "flatten the structure (libyaml stops at 1000 levels; a menu needs a few)"
    if "could not determine a constructor for the tag" in problem:
        fix = "remove the tag (!!python/…, !custom): a menu holds plain text, numbers, lists and mappings"
    return IvrError(f"not valid YAML: {problem}", fix, where, "yaml-syntax")


def _reader_error(err: yaml.reader.ReaderError, text: str, file: str) -> IvrError:
    line = text.count("\n", 0, err.position) + 1
    column = err.position - (text.rfind("\n", 0, err.position) + 1) + 1
    return IvrError(f"character U+{int(err.character):04X} is not allowed in YAML",
                    "delete it (control characters cannot appear in a menu file)",
                    Where(file, line, column), "yaml-syntax")


def load_yaml(path: str | Path) -> tuple[Any, list[IvrError]]:
    """Parse `path` safely. Returns (data, duplicate-key errors); raises
    IvrError for unreadable, oversized, non-YAML or alias-bomb files."""
    file = str(path)
    try:
        data = read_limited(path, MAX_BYTES)
    except IvrError as err:
        if err.code == "too-large":
            err.fix = "split the file; a menu file is normally a few kilobytes"
        raise
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise IvrError(f"not UTF-8 text (byte {err.start})", "save the file as UTF-8",
                       Where(file, 1, 1), "encoding") from None
    return parse_yaml(text, file)


def parse_yaml(text: str, file: str = "<string>") -> tuple[Any, list[IvrError]]:
    """Parse YAML text; see load_yaml."""
    try:
        loader = _MarkedLoader(text, file)
    except yaml.reader.ReaderError as err:  # a control character (pure-Python reader: before parsing)
        raise _reader_error(err, text, file) from None
    try:
        root = loader.get_single_node()
        if root is None:
            return None, []
        written, expanded = _sizes(root)
        limit = MAX_EXPANDED_NODES + ALIAS_GROWTH * written
        if expanded > limit:
            raise IvrError(f"the document's aliases expand it to over {limit} nodes (an alias bomb?)",
                           "remove the nested aliases (*name) that multiply the content",
                           _where(root.start_mark, file), "alias-bomb")
        data = loader.construct_document(root)
    except yaml.reader.ReaderError as err:  # a control character (libyaml: while parsing)
        raise _reader_error(err, text, file) from None
    except yaml.YAMLError as err:
        raise _syntax_error(err, file) from None
    except RecursionError:
        raise IvrError("the document is nested too deeply", "flatten the structure",
                       Where(file, 1, 1), "too-deep") from None
    finally:
        loader.dispose()
    return data, loader.duplicates
