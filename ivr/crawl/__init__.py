"""ivr crawl: map a live phone line by calling it.

Layout (each module short, one job):
    line.py       the `Line` a crawler calls: dial, read audio, press keys, hang up
    listen.py     where a prompt ends in the audio heard (silence, hang-up, endless music)
    fingerprint.py  "is this the same prompt again?" from the audio alone
    options.py    "for billing press 1" / "查询话费请按1" -> {key: label}
    explore.py    the breadth-first explorer: one fresh call per path, budgets, revisits
    write.py      the map as an ivr menu (YAML) and the crawl report (JSON)
    engine_line.py  a Line that plays an ivr menu through the call engine as audio
    sip_line.py   a Line over SIP/RTP (the caller side of `ivr serve`)
    batch.py      many lines at once on Dask distributed
"""
