"""sipp scenarios (UAC) used by the telephony tests and benchmarks/sip_load.py."""
from __future__ import annotations

HEAD = """Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:{user}@[remote_ip]:[remote_port]>{peer}
Call-ID: [call_id]
Contact: <sip:sipp@[local_ip]:[local_port]>
Max-Forwards: 70"""

SDP = """v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio {media_port} RTP/AVP {formats}
{rtpmaps}"""


def _request(method: str, user: str, cseq: int, body: str = "", ctype: str = "", retrans: bool = True) -> str:
    head = HEAD.format(user=user, peer="" if method == "INVITE" else "[peer_tag_param]")
    lines = [f"{method} sip:{user}@[remote_ip]:[remote_port] SIP/2.0", head, f"CSeq: {cseq} {method}"]
    if ctype:
        lines.append(f"Content-Type: {ctype}")
    lines.append("Content-Length: [len]")
    attr = ' retrans="500"' if retrans else ""
    return f"  <send{attr}><![CDATA[\n\n" + "\n".join(lines) + "\n\n" + body + "\n\n  ]]></send>\n"


def call(user: str, steps: list, formats: str = "0 101", media_port: str = "[media_port]",
         rtpmaps: str = "a=rtpmap:0 PCMU/8000\na=rtpmap:101 telephone-event/8000",
         rtp_stream: str = "", hangup: bool = True) -> str:
    """INVITE, ACK, then `steps`: ("pause", ms) | ("info", digit) | ("info-dtmf", digit) | ("pcap", file)."""
    sdp = SDP.format(media_port=media_port, formats=formats, rtpmaps=rtpmaps)
    out = ['<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="ivr">\n',
           _request("INVITE", user, 1, sdp, "application/sdp"),
           '  <recv response="100" optional="true"/>\n  <recv response="180" optional="true"/>\n',
           '  <recv response="200" rtd="true"/>\n',
           _request("ACK", user, 1, retrans=False)]
    if rtp_stream:
        out.append(f'  <nop><action><exec rtp_stream="{rtp_stream}"/></action></nop>\n')
    cseq = 2
    for kind, value in steps:
        if kind == "pause":
            out.append(f'  <pause milliseconds="{value}"/>\n')
        elif kind in ("info", "info-dtmf"):
            body, ctype = ((f"Signal={value}\nDuration=160", "application/dtmf-relay") if kind == "info"
                           else (value, "application/dtmf"))
            out.append(_request("INFO", user, cseq, body, ctype))
            out.append('  <recv response="200"/>\n')
            cseq += 1
        elif kind == "pcap":
            out.append(f'  <nop><action><exec play_pcap_audio="{value}"/></action></nop>\n')
    if hangup:
        out.append(_request("BYE", user, cseq))
        out.append('  <recv response="200" crlf="true"/>\n')
    else:
        out.append('  <recv request="BYE"/>\n')
        out.append('  <send><![CDATA[\n\nSIP/2.0 200 OK\n[last_Via:]\n[last_From:]\n[last_To:]\n[last_Call-ID:]\n'
                   '[last_CSeq:]\nContent-Length: 0\n\n  ]]></send>\n')
    out.append("</scenario>\n")
    return "".join(out)
