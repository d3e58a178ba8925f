"""The full speech loop for scenario `say` steps: a WAV file, or words
synthesised by TTS (ivr.speech.tts, espeak-ng), run through the recogniser
(ivr.speech: vosk or pocketsphinx) against what the current node
understands, as `ivr call --audio-in` does. The engine then gets the
recognised text and its confidence (low confidence is a no-match there)."""
from __future__ import annotations

from ..model import Menu

_recognizers: dict = {}  # loading a model takes seconds: one per language and speech config


def _recognizer(language: str, config: dict):
    from ..speech import get_recognizer  # heavy: only scenarios with audio/tts steps pay for it

    speech = config.get("speech", {})
    key = (language, repr(sorted(speech.items())))
    if key not in _recognizers:
        _recognizers[key] = get_recognizer(speech.get("engine", "auto"), language, config)
    return _recognizers[key]


def recognise_step(said: dict, menu: Menu, config: dict, node_id: str) -> tuple[str, float]:
    """(text, confidence) the recogniser hears for `said` ({audio: file} or
    {tts: words}) at node `node_id`. Raises IvrError for a missing model,
    unreadable audio or missing TTS voice."""
    from ..speech import load_audio, tts
    from ..speech.audio import RATE, resample
    from ..speech.vocabulary import vocabulary

    recognizer = _recognizer(menu.language, config)
    if "audio" in said:
        samples = load_audio(said["audio"], recognizer.rate)
    else:
        samples = resample(tts.synthesize(said["tts"], menu.language, config), RATE, recognizer.rate)
    node = menu.nodes[node_id]
    result = recognizer.recognize(samples, vocabulary(menu, node_id), node.kind == "input")
    return result.text, result.confidence
