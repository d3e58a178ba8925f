"""Live audio through PortAudio (sounddevice): prompts to the speaker, the
caller's speech from the microphone, cut at the end of speech."""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from ..errors import IvrError
from .audio import RATE, EndOfSpeech
from .recognizer import Recognition, Recognizer

BLOCK = RATE // 10  # 100 ms


def _sd():
    try:
        import sounddevice
    except OSError as err:  # libportaudio missing
        raise IvrError(f"live audio is unavailable ({err})",
                       "install PortAudio: sudo apt-get install libportaudio2") from None
    return sounddevice


def _device_error(err: Exception) -> IvrError:
    return IvrError(f"no usable audio device ({err})",
                    "check `python -m sounddevice` lists a microphone and speaker "
                    "(on a server, start PulseAudio)", code="audio-device")


def play(samples: np.ndarray, rate: int = RATE, device=None) -> None:
    """Play to the speaker and wait until done."""
    sd = _sd()
    try:
        with sd.OutputStream(samplerate=rate, channels=1, dtype="float32", device=device) as out:
            out.write(np.ascontiguousarray(samples, dtype=np.float32).reshape(-1, 1))
    except sd.PortAudioError as err:
        raise _device_error(err) from None


def listen(recognizer: Recognizer, choices: Optional[list[str]] = None, sequence: bool = False,
           timeout_s: float = 5.0, max_s: float = 10.0, device=None,
           on_partial: Callable[[str], None] = lambda text: None,
           on_ready: Callable[[], None] = lambda: None) -> Optional[Recognition]:
    """One caller turn from the microphone: None if nobody spoke within
    `timeout_s` (no-input), else the recognition of the utterance. Partial
    results stream to `on_partial` while the caller talks (for barge-in);
    `on_ready` is called once the microphone is open (e.g. to say "speak now")."""
    sd = _sd()
    # people pause between the digits of a number (0.65 s in the real recording
    # the live test plays): 0.7 s of quiet would cut a number after its 2nd digit
    eos = EndOfSpeech(silence_s=1.0 if sequence else 0.7)
    stream = recognizer.stream(choices, sequence)
    blocks: list[np.ndarray] = []
    streaming = False
    try:
        with sd.InputStream(samplerate=RATE, channels=1, dtype="float32", blocksize=BLOCK,
                            device=device) as mic:
            on_ready()
            while eos.heard < max_s:
                data, _ = mic.read(BLOCK)
                block = data[:, 0].copy()
                blocks.append(block)
                state = eos.feed(block)
                if state == "waiting" and eos.heard >= timeout_s:
                    return None
                if state != "waiting":
                    # the endpointer decides after 0.2 s of speech: the stream
                    # gets the utterance from its onset, as the final pass does
                    fed = stream.feed(block if streaming else _from_onset(blocks, eos))
                    streaming = True
                    if fed:
                        on_partial(fed)
                if state == "ended":
                    break
    except sd.PortAudioError as err:
        raise _device_error(err) from None
    finally:
        stream.close()  # end the streamed utterance before the final pass
    if eos.state == "waiting":
        return None
    # the whole-utterance path is the more accurate one (front end, batch CMN)
    return recognizer.recognize(_from_onset(blocks, eos), choices, sequence)


def _from_onset(blocks: list[np.ndarray], eos: EndOfSpeech) -> np.ndarray:
    """The audio heard so far from 0.3 s before the speech started."""
    start = max(0, int((eos.speech_start - 0.3) * RATE))
    return np.concatenate(blocks)[start:]
