"""Speech: recognise callers (vosk, pocketsphinx), speak prompts (pyttsx3 /
espeak-ng), live audio (sounddevice) and speech models (audio_models/)."""
from .audio import RATE, load_audio
from .recognizer import Recognition, Recognizer, get_recognizer
from .vocabulary import vocabulary

__all__ = ["RATE", "Recognition", "Recognizer", "get_recognizer", "load_audio",
           "vocabulary"]
