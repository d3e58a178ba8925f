"""Telephony: `ivr serve` answers SIP calls and runs menus over RTP.

Small reusable parts (usable by a caller/UAC too):
    rtp.py      RTP header pack/unpack and a UDP endpoint
    codecs.py   G.711 µ-law / A-law (aiortp's tables) as 8 kHz int16 <-> payload
    sdp.py      SDP offer/answer for one audio stream (+ telephone-event)
    udp.py      the SIP-over-UDP transport (aiosipua, made to start on Python 3.11)
    dtmf.py     RFC 4733 events (acting on the first packet) and SIP INFO bodies
    prompts.py  prompts synthesised once, kept as 8 kHz audio (memory + disk)
Server side:
    session.py  one engine Call per SIP call, on a real-time clock
    server.py   the SIP user agent (aiosipua), limits, auth, logging, records
"""
