"""Server options with real peers: digest authentication (baresip answers the
challenge), the source allow-list, SIP over TCP (sipp), re-INVITE."""
import json
import socket
import time

from sipp_scenarios import call
from telephony_peers import Baresip, Serve, Sipp, free_port
from test_telephony_faults import RawSip, sdp

MENU = "menus/consumer-service.yaml"


def test_digest_auth_lets_the_right_password_in(tmp_path):
    server = Serve(tmp_path, [MENU], "--no-speech", "--auth", "tester:s3cret")
    good = Baresip(tmp_path, name="good", password="s3cret")
    bad = Baresip(tmp_path, name="bad", password="wrong")
    try:
        bad.dial(f"sip:consumer-service@127.0.0.1:{server.port}")
        server.wait("rejected", status=401)
        time.sleep(2.0)
        assert server.find("answered") is None          # a wrong password is never answered
        good.dial(f"sip:consumer-service@127.0.0.1:{server.port}")
        answered = server.wait("answered")
        good.hangup()
        server.wait("recorded", call=answered["call"])
    finally:
        good.stop()
        bad.stop()
        server.stop()


def test_allow_list_refuses_other_sources(tmp_path):
    server = Serve(tmp_path, [MENU], "--no-speech", "--allow", "10.0.0.0/8")
    raw = RawSip(server.port)
    try:
        call_id, _ = raw.invite(sdp("0", "a=rtpmap:0 PCMU/8000\r\n"))
        assert raw.replies(call_id, 403)[-1].startswith("403")
    finally:
        server.stop()


def test_sip_over_tcp(tmp_path):
    server = Serve(tmp_path, [MENU], "--no-speech")
    try:
        scenario = call("consumer-service", [("pause", 1000), ("info", "1"), ("pause", 800), ("info", "0"),
                                             ("pause", 800)])
        run = Sipp(tmp_path, scenario, f"127.0.0.1:{server.port}", "-t", "t1")
        assert run.returncode == 0, run.proc.stderr[-1500:]
        server.wait("recorded")
        [rec] = server.records()
        assert json.loads(rec["path"]) == ["language", "main", "agent"]
    finally:
        server.stop()


def test_reinvite_moves_the_media(tmp_path):
    server = Serve(tmp_path, [MENU], "--no-speech")
    raw = RawSip(server.port)
    media = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    media.bind(("127.0.0.1", free_port()))
    media.settimeout(2.0)
    try:
        call_id, branch = raw.invite(sdp("0", "a=rtpmap:0 PCMU/8000\r\n"))
        assert raw.replies(call_id, 200)[-1] == "200 1 INVITE"
        to = next(line for line in raw.last.splitlines() if line.lower().startswith("to:"))
        moved = sdp("0", "a=rtpmap:0 PCMU/8000\r\na=sendonly\r\n").replace("40000", str(media.getsockname()[1]))
        raw.send("\r\n".join([
            f"INVITE sip:consumer-service@127.0.0.1:{server.port} SIP/2.0",
            f"Via: SIP/2.0/UDP 127.0.0.1:{raw.port};branch=z9hG4bKre1",
            f"From: <sip:raw@127.0.0.1:{raw.port}>;tag=r{call_id[:6]}", to, f"Call-ID: {call_id}", "CSeq: 2 INVITE",
            f"Contact: <sip:raw@127.0.0.1:{raw.port}>", "Content-Type: application/sdp",
            f"Content-Length: {len(moved)}", "", moved]))
        assert raw.replies(call_id, 200)[-1] == "200 2 INVITE"
        assert "a=recvonly" in raw.last               # we mirror the caller's hold
        data = media.recv(2048)                        # and the prompt now flows to the new port
        assert len(data) == 12 + 160 and data[1] & 0x7F == 0
        assert server.wait("reinvite")["direction"] == "sendonly"
    finally:
        media.close()
        server.stop()
