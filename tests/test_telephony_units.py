"""The small telephony parts on their own: RTP header, DTMF, SDP, timeline."""
import numpy as np
import pytest

from ivr.telephony import dtmf, rtp, sdp
from ivr.telephony.codecs import CODECS
from ivr.telephony.session import Timeline

OFFER = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
         "m=audio 4000 RTP/AVP 111 8 0 101\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:8 PCMA/8000\r\n"
         "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n"
         "m=video 4002 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n")


def test_rtp_round_trip_and_bad_packets():
    data = rtp.pack(8, 65535, 2**32 - 1, 1234, b"\xd5" * 160, marker=True)
    packet = rtp.unpack(data)
    assert (packet.payload_type, packet.seq, packet.timestamp, packet.ssrc, packet.marker) == (8, 65535, 2**32 - 1,
                                                                                               1234, True)
    assert packet.payload == b"\xd5" * 160
    assert rtp.unpack(b"\x80\x00") is None                      # too short
    assert rtp.unpack(b"\x40" + data[1:]) is None               # version 1
    assert rtp.unpack(b"\x8f" + data[1:20]) is None             # 15 CSRCs promised, none there
    padded = bytearray(rtp.pack(0, 1, 1, 1, b"abcd\x00\x00\x03"))
    padded[0] |= 0x20
    assert rtp.unpack(bytes(padded)).payload == b"abcd"


def test_first_event_packet_reports_the_digit_once():
    detector = dtmf.EventDetector()
    packets = [dtmf.event_payload("5", d, end=d >= 800) for d in (160, 320, 480, 640, 800, 800, 800)]
    digits = [detector.feed(p, 1000) for p in packets]
    assert digits == ["5", None, None, None, None, None, None]
    assert detector.feed(dtmf.event_payload("5", 160), 2600) == "5"    # the same key again: a new event
    assert detector.feed(dtmf.event_payload("#", 160), 4200) == "#"
    assert detector.feed(b"\x01", 5000) is None and detector.feed(b"\x20\x00\x00\xa0", 6000) is None


@pytest.mark.parametrize("ctype,body,digit", [
    ("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", "5"),
    ("application/dtmf-relay", "Signal= #\nDuration=100", "#"),
    ("application/dtmf-relay", "Signal=11\n", "#"),
    ("application/dtmf-relay; charset=x", "signal=*", "*"),
    ("application/dtmf", "7", "7"),
    ("application/dtmf-relay", "Duration=160", None),
    ("application/dtmf-relay", "Signal=55", None),
    ("text/plain", "Signal=5", None),
])
def test_info_bodies(ctype, body, digit):
    assert dtmf.info_digit(ctype, body) == digit


def test_sdp_takes_the_first_g711_the_caller_offers_and_mirrors_m_lines():
    media = sdp.parse_offer(OFFER)
    assert media.codec.name == "PCMA" and media.payload_type == 8 and media.dtmf_pt == 101
    assert media.remote == ("127.0.0.1", 4000)
    answer = sdp.answer(OFFER, media, "127.0.0.1", 5000)
    assert "m=audio 5000 RTP/AVP 8 101" in answer and "m=video 0 RTP/AVP 96" in answer
    assert "opus" not in answer and "a=sendrecv" in answer


def test_sdp_refusals():
    with pytest.raises(sdp.SdpError) as err:
        sdp.parse_offer(OFFER.replace(" 8 0 101", " 101"))
    assert err.value.status == 488 and "OPUS/48000" in str(err.value)
    with pytest.raises(sdp.SdpError) as err:
        sdp.parse_offer("v=0\r\ns=-\r\n")
    assert err.value.status in (400, 488)
    hold = sdp.parse_offer(OFFER.replace("a=sendrecv", "a=sendonly"))
    assert "a=recvonly" in sdp.answer(OFFER.replace("a=sendrecv", "a=sendonly"), hold, "127.0.0.1", 5000)


def test_offer_is_readable_by_our_own_answerer():
    media = sdp.parse_offer(sdp.offer("127.0.0.1", 6000))
    assert media.codec.name == "PCMU" and media.dtmf_pt == 101 and media.remote == ("127.0.0.1", 6000)


def test_timeline_plays_each_prompt_until_the_next_starts():
    codec = CODECS["PCMU"]
    line = Timeline(codec)
    first, second = bytes(range(100, 200)) * 16, b"\x01" * 800   # 0.2 s and 0.1 s
    line.add(0.0, first)
    assert line.frame(0.0) == first[:160] and line.frame(0.02) == first[160:320]
    line.add(0.1, second)                                            # barge-in at 0.1 s
    assert line.frame(0.1) == second[:160]
    assert line.frame(0.2) == codec.silence * 160                    # ended: silence
    line.add(0.3, b"\x02" * 200, loop=True)
    assert line.frame(0.3 + 0.02) == b"\x02" * 160 and line.ends_at() == float("inf")


def test_g711_round_trip_keeps_the_signal():
    t = np.arange(1600) / 8000
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    for codec in CODECS.values():
        back = np.frombuffer(codec.decode(codec.encode_samples(tone)), dtype="<i2") / 32768
        assert np.corrcoef(back, tone)[0, 1] > 0.999


@pytest.mark.parametrize("talking, fires", [(False, True), (True, False)])
def test_no_input_does_not_fire_while_the_caller_is_talking(talking, fires):
    """serve advances the engine every 20 ms; speech that started (or whose
    words are still being recognised) when the timeout comes is not silence.
    Found by --try-speech over SIP: "English" said near the timeout was taken
    as no-input (the prompt replayed) before its words arrived."""
    from ivr.config import load_config
    from ivr.sources import open_menu
    from ivr.speech.audio import EndOfSpeech
    from ivr.telephony.prompts import Prompts
    from ivr.telephony.session import Options, Session, Turn
    config = load_config(None)
    session = Session(open_menu("menus/consumer-service.yaml"), config, Prompts(config), CODECS["PCMU"],
                      Options())
    quiet_from = session.call.prompt_end                          # the menu's timeout is 5 s from here
    for tick in range(int((quiet_from + 8) / 0.02)):
        now = tick * 0.02
        if talking and now > quiet_from + 3 and session.turn is None:
            session.turn = Turn(EndOfSpeech(), busy=True)            # spoke at +3 s, being recognised
        session.advance(now)
    assert any(e["type"] == "no_input" for e in session.call.events) == fires


def test_a_fixed_length_prompt_is_spoken_for_its_whole_length():
    """The maze's intro is a 30 s recording (`duration_s: 30`): serve plays the
    synthesised words at a tempo that lasts 30 s, as the crawler's engine line
    does. It used to play ~8 s of words and then 22 s of dead air while the
    engine waited, which a caller, and `ivr crawl` over SIP, took for the end
    of the prompt (keys pressed into the intro, 180 calls for 55)."""
    from ivr.config import load_config
    from ivr.sources import open_menu
    from ivr.telephony.prompts import Prompts
    from ivr.telephony.session import Options, Session
    config = load_config(None)
    codec = CODECS["PCMU"]
    session = Session(open_menu("menus/maze.yaml"), config, Prompts(config), codec, Options())
    start, payload, _ = session.timeline.segments[0]
    assert start == 0 and abs(len(payload) / 8000 - 30.0) < 0.05
    pcm = np.frombuffer(codec.decode(payload), dtype="<i2").astype(np.float32) / 32768
    quiet_seconds = [s for s in range(30) if np.sqrt(np.mean(pcm[s * 8000:(s + 1) * 8000] ** 2)) < 0.01]
    assert len(quiet_seconds) <= 3, quiet_seconds      # words throughout, no long dead air
