"""config.yaml: defaults for language, speech, timing, rule packs, database.

A file is checked against ivr/schema/config.schema.json (types, ranges,
unknown keys in `timing:` and `simulation:`), with every problem at
file:line:col, as menus are.
"""
from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any, Optional

from .errors import IvrError, MenuError
from .loader import _schema_error, _where_of
from .schemas import bundled_schema, schema_errors
from .model import Where
from .yaml_source import load_yaml

DEFAULTS: dict[str, Any] = {
    "language": "en",
    "speech": {"engine": "auto", "models_dir": "audio_models",
               "models": {"en": "vosk-model-small-en-us-0.15", "zh-CN": "vosk-model-small-cn-0.22"},
               "whisper_models": {"en": "whisper-tiny.en", "zh-CN": "whisper-base"},
               "whisper": {"compute_type": "int8", "threads": 1, "window_s": 10,
                           "beam_size": {"zh-CN": 5, "*": 1}},
               "min_confidence": 0.5},
    "tts": {"enabled": False, "rate_wpm": 160,
            "voices": {"en": "en-us", "zh-CN": "cmn-latn-pinyin"}, "cache_dir": ".cache/tts"},
    "timing": {"words_per_minute": 150, "cjk_chars_per_second": 4.0, "pause_s": 0.5},
    "timeouts": {"default_s": 5},
    "rules": {"packs": ["ivr-core", "cn", "es", "eu", "trai", "us-bills", "gethuman", "design"]},
    "database": "ivr.db",
    "guard": {"enabled": True, "max_failures": 3,
              "fallback_agent": {"name": "fallback agent line", "number": ""}},
}


def config_schema() -> dict:
    return bundled_schema("config")


def _non_finite(data: Any, path: list) -> list[tuple[list, float]]:
    """(path, value) of .nan / .inf values: JSON Schema's `number` lets them through."""
    if isinstance(data, float) and not math.isfinite(data):
        return [(path, data)]
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _non_finite(v, path + [k])]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in _non_finite(v, path + [i])]
    return []


def check_config(data: dict, file: str) -> None:
    """Raise MenuError (an IvrError) listing every problem in a parsed config file."""
    schema = config_schema()
    errors = [_schema_error(e, data, file) for e in schema_errors("config", data)]
    seen = {str(e.where) for e in errors}  # .inf above a maximum is already reported
    errors += [IvrError(f"{'.'.join(map(str, path))}: {value} is not a finite number",
                        "give a real number (not .nan or .inf)", where, "bad-value")
               for path, value in _non_finite(data, [])
               if str(where := _where_of(data, path, file)) not in seen]
    sim = data.get("simulation")
    if not errors and isinstance(sim, dict):  # the three menu-node behaviours share one draw
        props = schema["properties"]["simulation"]["properties"]
        shares = {k: sim.get(k, props[k]["default"]) for k in ("p_zero_out", "p_no_input", "p_no_match")}
        if sum(shares.values()) > 1:
            errors.append(IvrError(
                f"simulation: p_zero_out + p_no_input + p_no_match is {sum(shares.values()):g}, over 1",
                "they are shares of the same callers at a menu node: make them add up to 1 or less",
                _where_of(data, ["simulation"], file), "bad-value"))
    if errors:
        errors.sort(key=lambda e: (e.where.line, e.where.column) if e.where else (0, 0))
        raise MenuError(errors)


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_config(path: Optional[str] = None) -> dict:
    """The defaults, overlaid with `path` (or ./config.yaml when it exists)."""
    candidate = Path(path) if path else Path("config.yaml")
    if not candidate.exists():
        if path:
            raise IvrError(f"config file {path} not found", "give an existing --config file")
        return copy.deepcopy(DEFAULTS)
    data, duplicates = load_yaml(candidate)  # safe, size-limited, positions in every error
    if duplicates:
        raise duplicates[0]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise IvrError("config must be a mapping of settings", "see config.yaml in the repository",
                       getattr(data, "where", Where(str(candidate), 1, 1)), "bad-config")
    check_config(data, str(candidate))
    return _merge(DEFAULTS, data)
