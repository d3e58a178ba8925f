"""config.yaml: defaults for language, speech, timing, rule packs, database."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Optional

from .errors import IvrError
from .model import Where
from .yaml_source import load_yaml

DEFAULTS: dict[str, Any] = {
    "language": "en",
    "speech": {"engine": "auto", "models_dir": "audio_models",
               "models": {"en": "vosk-model-small-en-us-0.15", "zh-CN": "vosk-model-small-cn-0.22"},
               "min_confidence": 0.5},
    "tts": {"enabled": False, "rate_wpm": 160,
            "voices": {"en": "en-us", "zh-CN": "cmn-latn-pinyin"}, "cache_dir": ".cache/tts"},
    "timing": {"words_per_minute": 150, "cjk_chars_per_second": 4.0, "pause_s": 0.5},
    "timeouts": {"default_s": 5, "max_call_s": 7200},
    "rules": {"packs": ["ivr-core", "cn", "es", "us-bills", "gethuman", "design"]},
    "database": "ivr.db",
}


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
    return _merge(DEFAULTS, data)
