"""ivr recognize: speech files to text, one line per file."""
from __future__ import annotations

import json
from typing import Optional

import click

from ..config import load_config
from ..speech import get_recognizer, load_audio
from .common import config_option, format_option, user_errors


@click.command("recognize")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--engine", type=click.Choice(["auto", "whisper", "vosk", "pocketsphinx"]), default=None,
              help="Recogniser (default: speech.engine in config.yaml, normally auto).")
@click.option("--lang", "language", default=None, help="Language: en, zh-CN, ... (default: config).")
@click.option("--choices", help="Comma-separated phrases to choose from (grammar mode); "
                                "without it, free text.")
@click.option("--sequence", is_flag=True, help="Allow a string of the choices (e.g. digits).")
@click.option("--model", help="Model: a name from `ivr models list` or a model folder (vosk or, with "
                               "--engine whisper, faster-whisper).")
@config_option
@format_option("text", "json")
@user_errors
def command(files: tuple[str, ...], engine: Optional[str], language: Optional[str],
            choices: Optional[str], sequence: bool, model: Optional[str], config_path: Optional[str], fmt: str) -> None:
    """Recognise speech in WAV/FLAC FILES (any rate or channels; 8 kHz phone audio works).

    json: one line per file {"file","text","confidence","engine","seconds"}
    (seconds = time spent recognising; audio_seconds = length of the audio).
    """
    config = load_config(config_path)
    language = language or config.get("language", "en")
    phrases = [c for c in choices.split(",")] if choices is not None else None
    recognizer = get_recognizer(engine, language, config, model)
    for path in files:
        result = recognizer.recognize(load_audio(path, recognizer.rate), phrases, sequence)
        if fmt == "json":
            click.echo(json.dumps({"file": path, "text": result.text, "confidence": result.confidence,
                                   "engine": result.engine, "seconds": result.seconds,
                                   "audio_seconds": result.audio_seconds}, ensure_ascii=False))
        else:
            heard = result.text or "(nothing recognised)"
            click.echo(f"{path}: {heard}  [{result.engine}, confidence {result.confidence:.2f}, "
                       f"{result.seconds:.2f}s for {result.audio_seconds:.2f}s of audio]")
