"""Load on `ivr serve`: sipp places N concurrent calls of D seconds each.

    .venv/bin/python benchmarks/sip_load.py            # 100 calls x 30 s
    .venv/bin/python benchmarks/sip_load.py --quick    # 20 calls x 10 s
    .venv/bin/python benchmarks/sip_load.py --calls 300

Each call: INVITE (PCMU + telephone-event), caller RTP streamed by sipp the
whole call (quiet line noise, so no speech is recognised), key 1 by SIP
INFO at 2 s, key 0 as RFC 4733 packets (sipp's dtmf_2833_0.pcap) at 4 s:
the caller reaches the agent queue and holds (hold music) until sipp hangs
up at D seconds. The server's RTP to the callers goes to a receiver in
this script that timestamps every packet per SSRC.

Prints, measured in the same run: calls completed (sipp + records),
digits counted (records), p50/p99/max RTP inter-packet gap, and the
server's CPU per call against the same server idle before the calls.
Pass: every call completed, every digit counted, p99 gap <= 30 ms.
sipp runs with -nr (no UDP retransmissions: loopback loses nothing, and a
starved sipp retransmitting INFO then aborts on the second 200 it asked for);
the server's handling of retransmissions is tested in tests/test_telephony_faults.py.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from sipp_scenarios import call  # noqa: E402
from telephony_peers import free_port, need, wait_for  # noqa: E402

PCAP = "/usr/share/sip-tester/dtmf_2833_0.pcap"
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)


def receiver(port: int, stop, out) -> None:
    """Arrival times per SSRC of the server's RTP (a separate process). The
    times are the kernel's receive timestamps (SO_TIMESTAMPNS), so this
    process being descheduled on a busy machine does not show up as gaps."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    sock.bind(("127.0.0.1", port))
    sock.settimeout(0.2)
    times: dict[int, list[float]] = {}
    while not stop.is_set():
        try:
            data, ancillary, _, _ = sock.recvmsg(2048, 64)
        except socket.timeout:
            continue
        now = next((sec + nsec / 1e9 for level, kind, raw in ancillary
                    if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS
                    for sec, nsec in [struct.unpack("qq", raw[:16])]), time.time())
        if len(data) >= 12:
            times.setdefault(int.from_bytes(data[8:12], "big"), []).append(now)
    gaps, late = [], {}
    first = min((a[0] for a in times.values()), default=0.0)
    for arrivals in times.values():
        for a, b in zip(arrivals, arrivals[1:]):
            gaps.append(b - a)
            if b - a > 0.03:  # where the late packets were, by second of the run
                late[int(b - first)] = late.get(int(b - first), 0) + 1
    out.put({"streams": len(times), "packets": sum(len(a) for a in times.values()), "gaps": gaps,
             "late_by_second": dict(sorted(late.items()))})


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_cpu(pid: int, seconds: float) -> float:
    """Share of one core the process used over `seconds`."""
    start, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - start) / (time.monotonic() - t0)


def noise_wav(path: Path, seconds: float = 10.0) -> Path:
    import numpy as np
    import soundfile as sf
    rng = np.random.default_rng(1)
    sf.write(str(path), (rng.standard_normal(int(8000 * seconds)) * 0.002).astype("float32"), 8000, subtype="ULAW")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per call")
    parser.add_argument("--rate", type=float, default=25.0, help="new calls per second while ramping up")
    parser.add_argument("--quick", action="store_true", help="20 calls x 10 s")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    args = parser.parse_args()
    if args.quick:
        args.calls, args.duration = 20, 10.0
    need("sipp")
    tmp = Path(tempfile.mkdtemp(prefix="ivr-sip-load-"))
    port, rtp_port = free_port(), free_port()
    db = tmp / "load.db"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    server = subprocess.Popen([sys.executable, "-m", "ivr", "serve", "menus/consumer-service.yaml",
                               "--listen", f"127.0.0.1:{port}", "--db", str(db), "--format", "json",
                               "--max-calls", str(args.calls + 10), "--media-timeout", "10"],
                              cwd=ROOT, env=env, stdout=open(tmp / "serve.out", "w"),
                              stderr=open(tmp / "serve.err", "w"))
    stop, out = mp.Event(), mp.Queue()
    rx = mp.Process(target=receiver, args=(rtp_port, stop, out))
    rx.start()
    try:
        wait_for(lambda: "listening" in (tmp / "serve.out").read_text() or server.poll() is not None, 120,
                 "ivr serve to listen")
        assert server.poll() is None, (tmp / "serve.err").read_text()[-2000:]
        time.sleep(1.0)
        idle = measure_cpu(server.pid, 5.0)
        hold_ms = int(args.duration * 1000) - 4000
        scenario = call("consumer-service", [("pause", 2000), ("info", "1"), ("pause", 2000), ("pcap", PCAP),
                                             ("pause", hold_ms)],
                        media_port=str(rtp_port), rtp_stream=f"{noise_wav(tmp / 'noise.wav')},-1,0")
        (tmp / "load.xml").write_text(scenario)
        started = time.monotonic()
        sipp = subprocess.Popen(["sipp", f"127.0.0.1:{port}", "-sf", str(tmp / "load.xml"), "-m", str(args.calls),
                                 "-l", str(args.calls), "-r", str(args.rate), "-i", "127.0.0.1",
                                 "-p", str(free_port()), "-mi", "127.0.0.1", "-mp", str(free_port() // 2 * 2),
                                 "-nostdin", "-nr", "-trace_stat", "-trace_err", "-timeout", f"{int(args.duration + 60)}s",
                                 "-timeout_error", "-fd", "1"],
                                cwd=tmp, stdout=subprocess.DEVNULL, stderr=open(tmp / "sipp.err", "w"))
        ramp = args.calls / args.rate
        time.sleep(ramp + 1.0)
        window = max(2.0, args.duration - ramp - 6.0)
        loaded = measure_cpu(server.pid, window)
        sipp_rc = sipp.wait(args.duration + 120)
        elapsed = time.monotonic() - started
        wait_for(lambda: _recorded(db) >= args.calls, 60, "every call recorded")
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
        stop.set()
        rx.join(30)
    rtp = out.get(timeout=10)
    import numpy as np
    gaps = np.array(rtp["gaps"]) * 1000
    rows = _rows(db)
    digits = sum(len(json.loads(r["detail"])["digits"]) for r in rows)
    methods = sorted({m for r in rows for m in json.loads(r["dtmf_methods"])})
    complete = [r for r in rows if r["end_reason"] == "bye" and json.loads(r["path"]) == ["language", "main", "agent"]]
    result = {
        "calls": args.calls, "duration_s": args.duration, "sipp_exit": sipp_rc, "elapsed_s": round(elapsed, 1),
        "recorded": len(rows), "completed_to_agent": len(complete),
        "digits_sent": 2 * args.calls, "digits_counted": digits, "dtmf_methods": methods,
        "rtp_streams": rtp["streams"], "rtp_packets": rtp["packets"],
        "gap_ms": {"p50": round(float(np.percentile(gaps, 50)), 2), "p99": round(float(np.percentile(gaps, 99)), 2),
                   "max": round(float(gaps.max()), 2)} if len(gaps) else {},
        "late_packets_by_second": rtp["late_by_second"],
        "machine_load_avg_1m": round(os.getloadavg()[0], 1), "cores": os.cpu_count(),
        "cpu_idle_core": round(idle, 4), "cpu_loaded_core": round(loaded, 4),
        "cpu_per_call_pct_of_core": round(100 * (loaded - idle) / args.calls, 3),
    }
    result["pass"] = (sipp_rc == 0 and len(complete) == args.calls and digits == 2 * args.calls
                      and result["gap_ms"].get("p99", 1e9) <= 30.0)
    if args.format == "json":
        print(json.dumps(result, indent=2))
    else:
        g = result["gap_ms"]
        print(f"ivr serve under sipp: {args.calls} concurrent calls x {args.duration:g} s")
        print(f"  calls: sipp exit {sipp_rc}, {len(rows)} recorded, {len(complete)} reached the agent and hung up")
        print(f"  digits: {digits} of {2 * args.calls} counted ({'+'.join(methods)})")
        print(f"  RTP to callers: {rtp['streams']} streams, {rtp['packets']} packets; inter-packet gap "
              f"p50 {g.get('p50')} ms, p99 {g.get('p99')} ms, max {g.get('max')} ms (goal p99 <= 30)")
        print(f"  server CPU: idle {100 * idle:.2f} % of a core, loaded {100 * loaded:.1f} %: "
              f"{result['cpu_per_call_pct_of_core']:.3f} % of a core per call")
        print(f"  machine: load average {result['machine_load_avg_1m']} on {result['cores']} cores "
              f"(other work on the machine shows up as gaps)")
        print(f"  gaps > 30 ms by second of the run: {rtp['late_by_second'] or 'none'}")
        print("  PASS" if result["pass"] else f"  FAIL (logs in {tmp})")
    return 0 if result["pass"] else 1


def _recorded(db: Path) -> int:
    try:
        conn = sqlite3.connect(db)
        try:
            return conn.execute("SELECT count(*) FROM sip_calls").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def _rows(db: Path) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM calls c JOIN sip_calls s ON s.call_id = c.id")]
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
