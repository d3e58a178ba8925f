"""config.yaml: defaults for language, speech, timing, rule packs, database."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Optional

import yaml

from .errors import IvrError

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
    try:
        data = yaml.safe_load(candidate.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{candidate}:{mark.line + 1}:{mark.column + 1}" if mark else str(candidate)
        raise IvrError(f"{where}: config is not valid YAML", "fix the YAML syntax") from None
    if not isinstance(data, dict):
        raise IvrError(f"{candidate}: config must be a mapping", "see config.yaml in the repository")
    return _merge(DEFAULTS, data)
