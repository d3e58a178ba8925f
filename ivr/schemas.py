"""The bundled JSON Schemas (ivr/schema/NAME.schema.json: menu, config,
scenario) and checking data against them.

Nearly every file is valid, so the check first runs fastjsonschema's code
generated from the schema: ~20x quicker than jsonschema and without its
0.1-0.2 s import, which every command paid. Only data that fails that check
goes through jsonschema, whose errors (path, keyword, message) are what ivr
reports; where the two disagree, jsonschema decides. The generated code is
compiled once per schema and Python version and kept in the user's cache
folder (like a .pyc); a cache that cannot be read or written is skipped.
"""
from __future__ import annotations

import hashlib
import json
import marshal
import os
import re
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable


@lru_cache(maxsize=None)
def bundled_schema(name: str) -> dict:
    """ivr/schema/NAME.schema.json (menu, scenario, config), read once per process."""
    return json.loads(resources.files("ivr").joinpath("schema", f"{name}.schema.json").read_text("utf-8"))


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ivr"


@lru_cache(maxsize=None)
def _quick_check(name: str) -> Callable[[Any], Any]:
    """fastjsonschema's validator for schema NAME (raises on invalid data)."""
    import fastjsonschema
    schema = bundled_schema(name)
    key = hashlib.sha256(f"{json.dumps(schema, sort_keys=True)} {fastjsonschema.VERSION} {sys.version}"
                         .encode()).hexdigest()[:16]
    cached = cache_dir() / f"schema-{name}-{key}.marshal"
    try:
        entry, code = marshal.loads(cached.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        # use_default=False: the generated code would otherwise fill defaults into the data
        source = fastjsonschema.compile_to_code(schema, use_default=False)
        entry = re.search(r"^def (\w+)", source, re.M).group(1)   # the first function checks the root
        code = compile(source, f"<{name} schema>", "exec")
        try:
            from .files import atomic_write
            cached.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(cached, marshal.dumps((entry, code)))
        except Exception:   # a read-only home or a full disk only costs the next run the compile
            pass
    namespace: dict = {}
    exec(code, namespace)
    return namespace[entry]


@lru_cache(maxsize=None)
def validator(name: str):
    """jsonschema's validator for schema NAME (imported only when needed)."""
    import jsonschema
    return jsonschema.Draft202012Validator(bundled_schema(name))


def schema_errors(name: str, data: Any) -> list:
    """jsonschema ValidationErrors of `data` against schema NAME; [] when valid."""
    try:
        _quick_check(name)(data)
        return []
    except Exception:   # invalid (or data the generated code cannot handle): jsonschema decides
        return list(validator(name).iter_errors(data))
