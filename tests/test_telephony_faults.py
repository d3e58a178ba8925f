"""Faults on a served line: each is handled and the other call (a real
baresip call running throughout) still reaches a person afterwards."""
import json
import socket
import time
import uuid

import pytest

from sipp_scenarios import call
from telephony_peers import Baresip, Serve, Sipp, dial, press, wait_for

MENU = "menus/consumer-service.yaml"


class RawSip:
    """A UDP socket that sends hand-written (even broken) SIP and collects replies."""

    def __init__(self, port: int):
        self.server = ("127.0.0.1", port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]

    def invite(self, sdp: str, call_id: str = None, branch: str = None, user: str = "consumer-service",
               drop: tuple = ()) -> tuple[str, str]:
        call_id = call_id or uuid.uuid4().hex
        branch = branch or "z9hG4bK" + uuid.uuid4().hex[:12]
        headers = {"Via": f"SIP/2.0/UDP 127.0.0.1:{self.port};branch={branch}",
                   "From": f"<sip:raw@127.0.0.1:{self.port}>;tag=r{call_id[:6]}",
                   "To": f"<sip:{user}@127.0.0.1>", "Call-ID": call_id, "CSeq": "1 INVITE",
                   "Contact": f"<sip:raw@127.0.0.1:{self.port}>", "Max-Forwards": "70",
                   "Content-Type": "application/sdp", "Content-Length": str(len(sdp.encode()))}
        lines = [f"INVITE sip:{user}@127.0.0.1:{self.server[1]} SIP/2.0"]
        lines += [f"{k}: {v}" for k, v in headers.items() if k not in drop]
        self.send("\r\n".join(lines) + "\r\n\r\n" + sdp)
        return call_id, branch

    def cancel(self, call_id: str, branch: str) -> None:
        self.send("\r\n".join([
            f"CANCEL sip:consumer-service@127.0.0.1:{self.server[1]} SIP/2.0",
            f"Via: SIP/2.0/UDP 127.0.0.1:{self.port};branch={branch}",
            f"From: <sip:raw@127.0.0.1:{self.port}>;tag=r{call_id[:6]}", "To: <sip:consumer-service@127.0.0.1>",
            f"Call-ID: {call_id}", "CSeq: 1 CANCEL", "Max-Forwards: 70", "Content-Length: 0"]) + "\r\n\r\n")

    def send(self, text) -> None:
        self.sock.sendto(text.encode() if isinstance(text, str) else text, self.server)

    def replies(self, call_id: str, want: int, timeout: float = 5.0) -> list[str]:
        """Status lines + CSeq of replies for `call_id` until one with status `want`."""
        got = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                data = self.sock.recv(65535).decode(errors="replace")
            except socket.timeout:
                continue
            if call_id not in data:
                continue
            cseq = next((line.split(":", 1)[1].strip() for line in data.splitlines()
                         if line.lower().startswith("cseq:")), "")
            got.append(f"{data.splitlines()[0].split(' ', 2)[1]} {cseq}")
            self.last = data
            if got[-1].startswith(str(want)):
                break
        return got


def sdp(formats: str, rtpmaps: str) -> str:
    return ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            f"m=audio 40000 RTP/AVP {formats}\r\n{rtpmaps}")


@pytest.fixture
def served(tmp_path):
    server = Serve(tmp_path, [MENU], "--no-speech", "--media-timeout", "3", "--max-calls", "3",
                   "--answer-after", "0.5")
    phone = Baresip(tmp_path)
    yield server, phone
    phone.stop()
    server.stop()


def test_faults_leave_the_other_call_alone(tmp_path, served):
    server, phone = served
    phone.dial(f"sip:consumer-service@127.0.0.1:{server.port}")
    other = server.wait("answered")
    raw = RawSip(server.port)

    # garbage and a malformed INVITE (no Call-ID / CSeq): dropped or 400, never a crash
    raw.send(b"\x00\xff garbage \r\n\r\n")
    raw.send("INVITE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx\r\n\r\n")
    call_id, _ = raw.invite(sdp("0", "a=rtpmap:0 PCMU/8000\r\n"), drop=("CSeq",))
    assert raw.replies(call_id, 400)[-1].startswith("400")
    call_id, _ = raw.invite("this is not sdp at all\r\n")
    assert raw.replies(call_id, 400, 3)[-1][:3] in ("400", "488")

    # codec mismatch: opus only gets 488 (aiortp crashed on opus offers; we never decode it)
    call_id, _ = raw.invite(sdp("111", "a=rtpmap:111 opus/48000/2\r\n"))
    assert raw.replies(call_id, 488)[-1].startswith("488")
    assert server.wait("rejected", status=488)

    # CANCEL while ringing: 200 for the CANCEL, 487 for the INVITE, no call
    call_id, branch = raw.invite(sdp("0 8", "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"))
    assert any(r.startswith("180") for r in raw.replies(call_id, 180))
    raw.cancel(call_id, branch)
    got = raw.replies(call_id, 487)
    assert "200 1 CANCEL" in got and got[-1] == "487 1 INVITE"
    server.wait("cancelled", call=call_id)
    time.sleep(1.0)
    assert server.find("answered", call=call_id) is None

    # a retransmitted INVITE (same branch) is absorbed, not answered 481 (aiosipua did)
    call_id, branch = raw.invite(sdp("8", "a=rtpmap:8 PCMA/8000\r\n"))
    raw.invite(sdp("8", "a=rtpmap:8 PCMA/8000\r\n"), call_id=call_id, branch=branch)
    got = raw.replies(call_id, 200)
    assert got[-1] == "200 1 INVITE" and not any(r.startswith("481") for r in got)
    # ...and that caller sends no RTP at all: media timeout hangs up (BYE) and is recorded
    bye = wait_for(lambda: _bye(raw, call_id), 10, "BYE after the media timeout")
    assert bye
    server.wait("recorded", call=call_id)

    # the call limit: 3 calls at once (baresip + two more), the 4th is busy
    held = [raw.invite(sdp("0", "a=rtpmap:0 PCMU/8000\r\n"))[0] for _ in range(2)]
    for cid in held:
        raw.replies(cid, 200)
    call_id, _ = raw.invite(sdp("0", "a=rtpmap:0 PCMU/8000\r\n"))
    assert raw.replies(call_id, 486)[-1].startswith("486")

    # the baresip call lived through all of it
    press(phone, server, "1", 0, "enter", node="main", call=other["call"])
    press(phone, server, "0", 0, "end", outcome="human", call=other["call"])
    phone.hangup()
    server.wait("recorded", call=other["call"])
    records = {r["sip_call_id"]: r for r in server.records()}
    assert json.loads(records[other["call"]]["path"]) == ["language", "main", "agent"]
    timed_out = [r for r in records.values() if r["end_reason"] == "media-timeout"]
    assert timed_out and all(r["outcome"] == "caller_hangup" for r in timed_out)
    assert server.proc.poll() is None


def _bye(raw: RawSip, call_id: str) -> bool:
    try:
        data = raw.sock.recv(65535).decode(errors="replace")
    except socket.timeout:
        return False
    return data.startswith("BYE ") and call_id in data


def test_sigterm_mid_call_ends_and_records_it(tmp_path):
    server = Serve(tmp_path, [MENU], "--no-speech")
    phone = Baresip(tmp_path)
    try:
        answered = dial(phone, server)
        press(phone, server, "1", 1.5, "enter", node="main")
        assert server.stop() == 0
        [rec] = server.records()
        assert rec["sip_call_id"] == answered["call"] and rec["end_reason"] == "shutdown"
        assert json.loads(rec["path"]) == ["language", "main"]
        assert server.find("stopped")["recorded"] == 1
        wait_for(lambda: "terminated" in phone.log.read_text(), 5, "baresip to get the BYE")
    finally:
        phone.stop()
        server.stop()


def test_rtp_that_stops_is_a_recorded_hang_up(tmp_path):
    server = Serve(tmp_path, [MENU], "--no-speech", "--media-timeout", "2")
    try:
        # sipp answers our BYE; it never sends RTP
        run = Sipp(tmp_path, call("consumer-service", [], hangup=False), f"127.0.0.1:{server.port}", timeout=20)
        assert run.returncode == 0, run.proc.stderr[-1500:]
        server.wait("recorded")
        [rec] = server.records()
        assert rec["end_reason"] == "media-timeout" and 2.0 <= rec["real_duration_s"] < 4.0
    finally:
        server.stop()


def test_retransmitted_info_gets_the_same_answer(tmp_path):
    """sipp resends an INFO whose 200 it did not see: it must get 200 again
    (aiosipua answered 500, CSeq not increasing), and the key counts once."""
    server = Serve(tmp_path, [MENU], "--no-speech")
    raw = RawSip(server.port)
    try:
        call_id, _ = raw.invite(sdp("0 101", "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"))
        assert raw.replies(call_id, 200)[-1] == "200 1 INVITE"
        to = next(line for line in raw.last.splitlines() if line.lower().startswith("to:"))
        info = "\r\n".join([
            f"INFO sip:consumer-service@127.0.0.1:{server.port} SIP/2.0",
            f"Via: SIP/2.0/UDP 127.0.0.1:{raw.port};branch=z9hG4bKinfo1",
            f"From: <sip:raw@127.0.0.1:{raw.port}>;tag=r{call_id[:6]}", to, f"Call-ID: {call_id}",
            "CSeq: 2 INFO", "Max-Forwards: 70", "Content-Type: application/dtmf-relay",
            "Content-Length: 24", "", "Signal=1\r\nDuration=160\r\n"])
        for _ in range(2):  # the original and its retransmission (same branch and CSeq)
            raw.send(info)
            assert raw.replies(call_id, 200)[-1] == "200 2 INFO"
        time.sleep(0.5)
        assert [e["key"] for e in server.events() if e["event"] == "dtmf"] == ["1"]
    finally:
        server.stop()
