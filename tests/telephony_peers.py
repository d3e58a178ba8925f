"""Real SIP peers for the telephony tests: `ivr serve` itself, baresip
(ctrl_tcp to dial and send DTMF, aufile as its microphone, sndfile to keep
what it hears) and sipp. Each runs on free loopback ports and is stopped by
its PID. A missing binary is a failure naming the package, never a skip:
scripts/setup.sh installs them."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"baresip": "baresip-core", "sipp": "sip-tester"}
# real recorded IVR prompts and hold music; `en` is the link that
# asterisk-core-sounds-en makes to the -wav package's voice (not a recommends-free
# install of -wav alone)
SOUNDS = Path("/usr/share/asterisk/sounds/en")
MOH = Path("/usr/share/asterisk/moh")
SOUND_PACKAGES = "asterisk-core-sounds-en asterisk-core-sounds-en-wav asterisk-moh-opsound-wav"


def need(binary: str) -> str:
    path = shutil.which(binary)
    assert path, (f"{binary} is not installed: scripts/setup.sh installs it "
                  f"(apt-get install {PACKAGES.get(binary, binary)})")
    return path


def need_sounds() -> None:
    assert (SOUNDS / "invalid.wav").is_file() and (MOH / "macroform-robot_dity.wav").is_file(), (
        f"the recorded Asterisk prompts are not installed: scripts/setup.sh installs them "
        f"(apt-get install {SOUND_PACKAGES})")


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port
    raise AssertionError("no free loopback port")


def wait_for(check: Callable[[], object], timeout: float, what: str, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Serve:
    """`ivr serve` in a subprocess with JSON events on stdout."""

    def __init__(self, tmp: Path, menus: list[str], *args: str):
        self.port = free_port()
        self.db = str(tmp / "serve.db")
        self.out, self.err = tmp / "serve.out", tmp / "serve.err"
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        cmd = [sys.executable, "-m", "ivr", "serve", *menus, "--listen", f"127.0.0.1:{self.port}",
               "--db", self.db, "--format", "json", *args]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(self.out, "w"), stderr=open(self.err, "w"))
        wait_for(lambda: self.find("listening") or self._died(), 120, "ivr serve to listen")

    def _died(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"ivr serve exited {self.proc.returncode}: {self.err.read_text()[-2000:]}")

    def events(self) -> list[dict]:
        out = []
        for line in self.out.read_text().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
        return out

    def find(self, event: str, **match) -> Optional[dict]:
        for item in self.events():
            if item["event"] == event and all(item.get(k) == v for k, v in match.items()):
                return item
        return None

    def wait(self, event: str, timeout: float = 20, **match) -> dict:
        return wait_for(lambda: self.find(event, **match) or self._died(), timeout, f"event {event} {match}")

    def records(self) -> list[dict]:
        conn = sqlite3.connect(self.db)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(
                "SELECT * FROM calls c JOIN sip_calls s ON s.call_id = c.id ORDER BY c.id")]
        finally:
            conn.close()

    def stop(self, sig=signal.SIGTERM, timeout: float = 20) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode


BARESIP_CONFIG = """poll_method epoll
sip_listen 127.0.0.1:{sip_port}
net_interface 127.0.0.1
audio_player aubridge,nil
audio_source aufile,{source}
audio_alert aubridge,nil
ausrc_srate 8000
auplay_srate 8000
ausrc_channels 1
auplay_channels 1
rtp_ports {rtp_lo}-{rtp_hi}
jitter_buffer_delay 1-4
module_path /usr/lib/baresip/modules
module g711.so
module aufile.so
module aubridge.so
module sndfile.so
module_app account.so
module_app menu.so
module_app ctrl_tcp.so
ctrl_tcp_listen 127.0.0.1:{ctrl_port}
snd_path {dump}
"""


def write_wav(path: Path, samples: np.ndarray, rate: int = 8000) -> Path:
    sf.write(str(path), np.asarray(samples, dtype=np.float32), rate, subtype="PCM_16")
    return path


class Baresip:
    """A baresip softphone: its microphone plays `source` (8 kHz mono WAV,
    silence by default); what it hears is dumped to dump/*-dec.wav."""

    def __init__(self, tmp: Path, source: Optional[Path] = None, name: str = "baresip", user: str = "tester",
                 auto_answer: bool = False, password: Optional[str] = None):
        need("baresip")
        self.dir = tmp / name
        self.dump = self.dir / "dump"
        self.dump.mkdir(parents=True)
        if source is None:
            source = write_wav(self.dir / "silence.wav", np.zeros(8000 * 120))
        self.ctrl = free_port()
        rtp = free_port() // 2 * 2
        self.sip_port = free_port()
        (self.dir / "config").write_text(BARESIP_CONFIG.format(
            sip_port=self.sip_port, source=source, rtp_lo=rtp, rtp_hi=rtp + 40, ctrl_port=self.ctrl, dump=self.dump))
        params = (";answermode=auto" if auto_answer else "") + (f";auth_pass={password}" if password else "")
        (self.dir / "accounts").write_text(f"<sip:{user}@127.0.0.1>;regint=0{params}\n")
        self.log = self.dir / "baresip.log"
        self.proc = subprocess.Popen(["baresip", "-f", str(self.dir)], cwd=self.dir, stdin=subprocess.DEVNULL,
                                     stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        wait_for(self._ctrl_ready, 15, "baresip ctrl_tcp")

    def _ctrl_ready(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.ctrl), timeout=0.5).close()
            return True
        except OSError:
            return False

    def command(self, command: str, params: str = "") -> dict:
        data = json.dumps({"command": command, "params": params, "token": "t"}).encode()
        with socket.create_connection(("127.0.0.1", self.ctrl), timeout=5) as sock:
            sock.sendall(str(len(data)).encode() + b":" + data + b",")
            reply = b""
            deadline = time.monotonic() + 5
            while b'"response":true' not in reply and time.monotonic() < deadline:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                reply += chunk
        return {"raw": reply.decode(errors="replace")}

    def dial(self, uri: str) -> None:
        self.command("dial", uri)

    def key(self, digit: str) -> None:
        self.command("sndcode", digit)

    def hangup(self) -> None:
        self.command("hangup")

    def heard(self) -> tuple[np.ndarray, int]:
        """What baresip received and decoded, as float samples."""
        files = sorted(self.dump.glob("*-dec.wav"))
        assert files, f"baresip dumped no audio: {self.log.read_text()[-1500:]}"
        data, rate = sf.read(str(files[-1]), dtype="float32")
        return data, rate

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def prompt_audio(text: str, language: str = "en") -> np.ndarray:
    """The prompt as the server plays it (same cache), decoded through G.711 µ-law."""
    sys.path.insert(0, str(ROOT))
    from ivr.config import load_config
    from ivr.telephony.codecs import CODECS
    from ivr.telephony.prompts import Prompts
    prompts = Prompts(load_config(None))
    codec = CODECS["PCMU"]
    pcm = codec.decode(prompts.encoded(text, language, codec))
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def align(heard: np.ndarray, expected: np.ndarray, search_s: float = 1.0, rate: int = 8000,
          window_s: float = 1.5) -> tuple[int, float]:
    """Where `expected` starts in `heard` (lag in samples) and the normalised
    correlation of its first `window_s` seconds there."""
    n = int(window_s * rate)
    ref = expected[:n]
    best = (0, -1.0)
    for lag in range(0, int(search_s * rate), 8):
        seg = heard[lag:lag + n]
        if len(seg) < n:
            break
        score = float(np.dot(seg, ref) / (np.linalg.norm(seg) * np.linalg.norm(ref) + 1e-9))
        if score > best[1]:
            best = (lag, score)
    lag = best[0]
    for fine in range(max(0, lag - 8), lag + 8):  # refine to the sample
        seg = heard[fine:fine + n]
        if len(seg) == n:
            score = float(np.dot(seg, ref) / (np.linalg.norm(seg) * np.linalg.norm(ref) + 1e-9))
            if score > best[1]:
                best = (fine, score)
    return best


class Sipp:
    """One sipp run of a scenario file against the server (UAC)."""

    def __init__(self, tmp: Path, scenario: str, target: str, *args: str, timeout: float = 60):
        need("sipp")
        self.path = tmp / "scenario.xml"
        self.path.write_text(scenario)
        port = free_port()
        media = free_port()
        self.proc = subprocess.run(
            ["sipp", target, "-sf", str(self.path), "-m", "1", "-i", "127.0.0.1", "-p", str(port),
             "-mi", "127.0.0.1", "-mp", str(media), "-bg" if False else "-nostdin", "-trace_err",
             "-timeout", f"{int(timeout)}s", *args],
            cwd=tmp, capture_output=True, text=True, timeout=timeout + 15)
        self.returncode = self.proc.returncode


def frame_similarity(heard: np.ndarray, expected: np.ndarray, lag: int, frame: int) -> float:
    """Normalised correlation of one 20 ms frame of what was heard with the expected audio."""
    got = heard[lag + frame * 160:lag + (frame + 1) * 160]
    want = expected[frame * 160:(frame + 1) * 160]
    if len(got) < 160 or len(want) < 160:
        return 0.0
    return float(np.dot(got, want) / (np.linalg.norm(got) * np.linalg.norm(want) + 1e-9))


def prompt_stopped(heard: np.ndarray, expected: np.ndarray, lag: int, after_s: float, until_s: float) -> tuple:
    """(seconds, similarities): when the expected prompt stopped being heard after
    `after_s` (the first loud frame that no longer matches), and the similarity
    of every loud frame from there to `until_s`."""
    loud = [f for f in range(int(after_s * 50), int(until_s * 50))
            if f * 160 + 160 <= len(expected) and np.sqrt(np.mean(expected[f * 160:(f + 1) * 160] ** 2)) >= 0.03]
    sims = [(f, frame_similarity(heard, expected, lag, f)) for f in loud]
    stop = next((f for f, sim in sims if sim < 0.5), None)
    return (None if stop is None else stop / 50, sims)


def dial(phone: "Baresip", server: "Serve", user: str = "consumer-service") -> dict:
    """Call `user` on the server from the softphone; the server's `answered` event."""
    phone.dial(f"sip:{user}@127.0.0.1:{server.port}")
    return server.wait("answered")


def press(phone: "Baresip", server: "Serve", key: str, after_s: float, event: str, timeout: float = 20,
          **match) -> dict:
    """Listen `after_s` seconds, press `key`, wait for the server's `event`."""
    time.sleep(after_s)
    phone.key(key)
    return server.wait(event, timeout=timeout, **match)
