"""A phone line that is not ivr, for the crawler's tests: a sipp UAS scenario
built from a small menu description (tests/data/crawl/nonivr_line.yaml).

Each state plays one μ-law WAV with sipp's rtp_stream (recorded Asterisk
prompts, espeak-ng text, music on hold) and branches on the digit of each SIP
INFO; a state with `then` plays its audio followed by that state's (one file),
a silence of `timeout_ms` replays the state, a BYE ends the call anywhere.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import soundfile as sf
import yaml
from telephony_peers import MOH, SOUNDS

OK_INFO = """SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0
"""


def _response(status: str, tail: str = "Content-Length: 0\n") -> str:
    """A sipp UAS response to the last request; the first one sets our To tag."""
    return (f"SIP/2.0 {status}\n[last_Via:]\n[last_From:]\n[last_To:];tag=[pid]SIPpTag01[call_number]\n"
            f"[last_Call-ID:]\n[last_CSeq:]\n{tail}")


ANSWER = _response("200 OK", """Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Type: application/sdp
Content-Length: [len]

v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [rtpstream_audio_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000
""")


def _send(text: str) -> str:
    return f"  <send><![CDATA[\n\n{text}\n  ]]></send>\n"


def _audio(state: dict) -> np.ndarray:
    from ivr.crawl.engine_line import load_phone_audio
    from ivr.speech.audio import resample
    from ivr.speech.tts import synthesize

    if "say" in state:
        return resample(synthesize(state["say"], "en"), 16000, 8000)
    if "music" in state:
        return load_phone_audio(MOH / f"{state['music']}.wav")[: 8000 * 60]
    return np.concatenate([load_phone_audio(SOUNDS / f"{name}.wav") for name in state["play"]])


def _write_ulaw(path: Path, samples: np.ndarray) -> None:
    """A μ-law WAV: sipp's rtp_stream sends the file's bytes as PCMU as they are."""
    sf.write(str(path), np.clip(samples, -1, 1), 8000, format="WAV", subtype="ULAW")


def build(description: Path, folder: Path) -> Path:
    """The scenario XML (and its audio files) in `folder`; returns the XML path."""
    spec = yaml.safe_load(description.read_text())
    states = spec["states"]
    audio = {name: _audio(s) for name, s in states.items()}
    for name, s in states.items():
        if "then" in s:  # a message and then the next state's prompt, as one recording
            audio[name] = np.concatenate([audio[name], np.zeros(4000, np.float32), audio[s["then"]]])
    for name, samples in audio.items():
        _write_ulaw(folder / f"{name}.wav", samples)
    out = ['<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="not ivr">\n',
           '  <recv request="INVITE"/>\n', _send(ANSWER), '  <recv request="ACK" rtd="true" crlf="true"/>\n',
           f'  <nop next="{spec["start"]}"/>\n']
    for name, s in states.items():
        loops = "-1" if "music" in s else "1"
        out.append(f'  <label id="{name}"/>\n'
                   f'  <nop><action><exec rtp_stream="{folder / (name + ".wav")},{loops},0"/></action></nop>\n')
        if "music" in s:
            out.append('  <recv request="BYE" next="bye"/>\n')
            continue
        keys_of = states[s.get("then", name)]      # a message then main: keys work as at main
        replay = s.get("then", name)
        timeout = int(len(audio[name]) / 8 + keys_of.get("timeout_ms", 6000))
        out.append('  <recv request="BYE" optional="true" next="bye"/>\n'
                   f'  <recv request="INFO" timeout="{timeout}" ontimeout="{replay}">\n    <action>\n')
        tests = []
        for key, target in keys_of.get("keys", {}).items():
            var = f"{name}_k{ord(key)}"
            out.append(f'      <ereg regexp="Signal= *{re.escape(key)}" search_in="body" check_it="false" '
                       f'assign_to="{var}"/>\n')
            tests.append(f'  <nop test="{var}" next="{target}"/>\n')
        out.append("    </action>\n  </recv>\n")
        out.append(_send(OK_INFO))
        out += tests
        out.append(f'  <nop next="{keys_of.get("wrong", replay)}"/>\n')
    out.append('  <label id="bye"/>\n')
    out.append(_send(OK_INFO))
    out.append("</scenario>\n")
    path = folder / "nonivr_line.xml"
    path.write_text("".join(out))
    return path


def start_uas(scenario: Path, port: int, rtp_base: int) -> subprocess.Popen:
    """sipp as the line, on 127.0.0.1:`port` (stop it with .terminate())."""
    return subprocess.Popen(["sipp", "-sf", str(scenario), "-i", "127.0.0.1", "-p", str(port), "-mp", str(rtp_base),
                             "-nostdin", "-trace_err", "-error_file", str(scenario.parent / "sipp.err")],
                            cwd=scenario.parent, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)   # its errors go to -error_file


BYE_FROM_LINE = """BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:line@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
To: [$caller]
Call-ID: [call_id]
CSeq: 1 BYE
Max-Forwards: 70
Content-Length: 0
"""

RINGING = _response("180 Ringing")


def fault(kind: str, folder: Path) -> Path:
    """A misbehaving line: `never-answers` (rings for ever), `hangs-up` (answers
    and hangs up at once), `music` (answers with music on hold, for ever)."""
    out = ['<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="fault">\n']
    if kind == "never-answers":
        out += ['  <recv request="INVITE"/>\n', _send(RINGING), '  <pause milliseconds="120000"/>\n']
    else:
        keep_caller = ('    <action>\n      <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" '
                       'assign_to="caller"/>\n    </action>\n') if kind == "hangs-up" else ""  # sipp: no unused variables
        out += [f'  <recv request="INVITE" rrs="true">\n{keep_caller}  </recv>\n', _send(ANSWER),
                '  <recv request="ACK" crlf="true"/>\n']
        if kind == "hangs-up":
            out += [f'  <send retrans="500"><![CDATA[\n\n{BYE_FROM_LINE}\n  ]]></send>\n',
                    '  <recv response="200"/>\n']
        else:
            music = folder / "music.wav"
            from ivr.crawl.engine_line import load_phone_audio
            _write_ulaw(music, load_phone_audio(MOH / "macroform-robot_dity.wav")[: 8000 * 60])
            out += [f'  <nop><action><exec rtp_stream="{music},-1,0"/></action></nop>\n',
                    '  <recv request="BYE"/>\n', _send(OK_INFO)]
    out.append("</scenario>\n")
    path = folder / f"{kind}.xml"
    path.write_text("".join(out))
    return path
