import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from ivr.cli import cli
from ivr.errors import IvrError
from ivr.speech.audio import RATE, load_audio

from speech_support import shared


def test_telephone_audio_is_resampled_to_16k():
    path = shared("speech/fsdd/3_george_0.wav")
    raw, rate = sf.read(path)
    assert rate == 8000
    samples = load_audio(path)
    assert samples.dtype == np.float32
    assert len(samples) == 2 * len(raw)
    assert np.abs(samples).max() <= 1.0


def test_stereo_44k_becomes_mono_16k_keeping_pitch(tmp_path):
    t = np.arange(44100) / 44100
    left, right = np.sin(2 * np.pi * 440 * t), 0.5 * np.sin(2 * np.pi * 440 * t)
    path = tmp_path / "stereo.wav"
    sf.write(path, np.stack([left, right], axis=1), 44100)
    samples = load_audio(path)
    assert len(samples) == RATE
    spectrum = np.abs(np.fft.rfft(samples))
    assert abs(np.argmax(spectrum) * RATE / len(samples) - 440) < 2
    assert abs(samples.max() - 0.75) < 0.02   # the mean of both channels


def test_flac_and_other_rates(tmp_path):
    path = tmp_path / "tone.flac"
    sf.write(path, np.zeros(11025), 11025)
    assert len(load_audio(path)) == RATE


@pytest.mark.parametrize("content,code", [
    (b"RIFF\x10\x00\x00\x00WAVEgarbage-not-a-chunk", "audio-corrupt"),
    (b"this is a text file, not audio\n", "audio-corrupt"),
])
def test_corrupt_audio_is_a_clean_error_naming_the_file(tmp_path, content, code):
    path = tmp_path / "caller.wav"
    path.write_bytes(content)
    with pytest.raises(IvrError) as err:
        load_audio(path)
    assert err.value.code == code
    assert "caller.wav" in str(err.value) and err.value.fix


def test_empty_and_missing_audio(tmp_path):
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0), 8000)
    with pytest.raises(IvrError) as err:
        load_audio(empty)
    assert err.value.code == "audio-empty"
    with pytest.raises(IvrError) as err:
        load_audio(tmp_path / "nope.wav")
    assert err.value.code == "audio-missing"


def test_cli_reports_corrupt_audio_without_traceback(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"\x00\x01garbage")
    result = CliRunner().invoke(cli, ["recognize", str(bad)])
    assert result.exit_code == 2
    assert "bad.wav" in result.output and "Traceback" not in result.output
