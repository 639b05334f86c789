#!/usr/bin/env python3
"""Messages per second against the round-trip time: the pool clients of
pool_compare.py (lettre's pooled async transport, smtp-source -s N -d,
Nodemailer's pool, Python's smtplib) send the same small message to one
smtp-sink through lettre_rtt_proxy, which adds RTT/2 each way; at 0, 5,
20 and 50 ms by default. Real relays and MX hosts are 5-100 ms away, where
the round trips per message, not CPU, decide throughput.

Called by bench/rtt_compare.sh (which builds lettre_pool_bench,
lettre_smtp_bench and lettre_rtt_proxy and installs Nodemailer first).

Per run: msg/s = messages / wall-clock seconds of the whole client process;
CPU us/msg = the client's user + sys CPU / messages; turns/msg = the round
trips the client waited for per message, counted by the proxy (how often
the client sent after the server had sent; connection set-up included).

Environment: RTTS (default "0 5 20 50", milliseconds), CLIENTS (default
every client below), RUN_SECONDS (default 5; each client's count is sized
from a probe), ROUNDS (default 1), MESSAGE (default small), CHART (default
docs/rtt-benchmark.svg; "none": no chart), RESULTS (append raw JSON
records), CHECK_TARGETS=1 (exit 1 when a target is missed).
"""
import html
import json
import math
import os
import signal
import statistics
import subprocess
import sys

import pool_compare as pc
import smtp_compare as sc

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)
PROXY = sc.env("LETTRE_RTT_PROXY", "")
RTTS = [float(x) for x in sc.env("RTTS", "0 5 20 50").split()]
CLIENTS = sc.env("CLIENTS", " ".join(pc.CLIENTS)).split()
RUN_SECONDS = float(sc.env("RUN_SECONDS", "5"))
ROUNDS = int(sc.env("ROUNDS", "1"))
MESSAGE = sc.env("MESSAGE", "small")
CHART = sc.env("CHART", os.path.join(ROOT, "docs", "rtt-benchmark.svg"))
RESULTS = sc.env("RESULTS", "")
CHECK_TARGETS = sc.env("CHECK_TARGETS", "0") == "1"
# (lettre client, other client, RTT in ms, target on the msg/s ratio): the
# issue-13 targets at 20 ms.
TARGETS = [("lettre-1", "smtp-source-1", 20.0, 3.5), ("lettre-10", "smtp-source-10", 20.0, 3.0)]


class Proxy:
    """lettre_rtt_proxy in front of the sink, stopped by its PID."""

    def __init__(self, sink_port, rtt_ms):
        self.proc = subprocess.Popen(
            [PROXY, "--listen", "127.0.0.1:0", "--to", f"127.0.0.1:{sink_port}", "--rtt-ms",
             str(rtt_ms)], stdout=subprocess.PIPE, text=True)
        first = self.proc.stdout.readline().split()
        if len(first) != 3 or first[:2] != ["listening", "on"]:
            self.proc.kill()
            raise SystemExit(f"lettre_rtt_proxy did not start: {first}")
        self.port = int(first[2])

    def stop(self):
        """The proxy's counts (connections, bytes, turns)."""
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=10)
        return json.loads(out.strip().splitlines()[-1])


def run_through_proxy(client, msg, count, sink, rtt):
    proxy = Proxy(sink.port, rtt)
    try:
        cmd, cwd = pc.command(client, msg, count, proxy.port)
        out, wall, cpu, rss = sc.run_measured(cmd, cwd)
    finally:
        counts = proxy.stop()
    line = out.strip().splitlines()[-1] if out.strip() else ""
    if line.startswith("{"):
        inner = json.loads(line)
        if inner.get("count") != count:
            raise SystemExit(f"{client} sent {inner.get('count')} of {count} messages")
    return {"client": client, "rtt_ms": rtt, "message": msg.name, "count": count,
            "wall_s": wall, "cpu_s": cpu, "maxrss_kb": rss, "msg_per_s": count / wall,
            "cpu_us_per_msg": cpu * 1e6 / count, "turns_per_msg": counts["turns"] / count,
            "connections": counts["connections"]}


def probe_count(client, msg, sink, rtt):
    """Messages for RUN_SECONDS, from a short run at this RTT."""
    per_conn = 1000.0 / max(rtt * 4, 0.5)  # a guess of 4 round trips per message
    guess = max(20, min(400, int(per_conn * pc.connections(client) * 0.5)))
    r = run_through_proxy(client, msg, guess, sink, rtt)
    return max(20, min(pc.MAX_COUNT, int(r["msg_per_s"] * RUN_SECONDS)))


def med(values):
    return statistics.median(values) if values else None


def write_svg(path, by):
    """msg/s against RTT, one line per client, log scale."""
    width, height, left, right, top, bottom = 760, 440, 70, 250, 50, 50
    pw, ph = width - left - right, height - top - bottom
    rates = {c: [(rtt, med([r["msg_per_s"] for r in by.get((c, rtt), [])])) for rtt in RTTS]
             for c in CLIENTS}
    values = [v for pts in rates.values() for _, v in pts if v]
    lo, hi = math.log10(max(1.0, min(values))), math.log10(max(values) * 1.2)
    x_of = {rtt: left + pw * i / max(1, len(RTTS) - 1) for i, rtt in enumerate(RTTS)}

    def y_of(v):
        return top + ph - ph * (math.log10(v) - lo) / max(1e-9, hi - lo)

    colors = {"lettre": "#d9480f", "smtp-source": "#1c7ed6", "nodemailer": "#37b24d",
              "smtplib": "#7048e8"}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           '<text x="10" y="22" font-size="16" font-weight="bold">Messages per second against '
           'round-trip time (log scale, higher is better)</text>',
           '<text x="10" y="40" fill="#555">bench/rtt_compare.sh: smtp-sink behind '
           'lettre_rtt_proxy; the same small message for every client</text>']
    for e in range(int(math.floor(lo)), int(math.ceil(hi)) + 1):
        v = 10 ** e
        if lo <= e <= hi:
            out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y_of(v):.1f}" '
                       f'y2="{y_of(v):.1f}" stroke="#ddd"/>')
            out.append(f'<text x="{left - 6}" y="{y_of(v) + 4:.1f}" text-anchor="end">'
                       f'{v:,}</text>')
    for rtt, x in x_of.items():
        out.append(f'<text x="{x:.1f}" y="{top + ph + 18}" text-anchor="middle">{rtt:g} ms</text>')
    for i, c in enumerate(CLIENTS):
        pts = [(x_of[rtt], y_of(v)) for rtt, v in rates[c] if v]
        family = c.rsplit("-", 1)[0]
        dash = "" if c.endswith("-10") else ' stroke-dasharray="6 3"'
        color = colors.get(family, "#888")
        out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2"{dash} points="'
                   + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>')
        ly = top + 14 + i * 18
        out.append(f'<line x1="{left + pw + 16}" x2="{left + pw + 40}" y1="{ly - 4}" '
                   f'y2="{ly - 4}" stroke="{color}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{left + pw + 46}" y="{ly}">{html.escape(pc.LABELS[c])}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def report(records, msg):
    by = {}
    for r in records:
        by.setdefault((r["client"], r["rtt_ms"]), []).append(r)

    def m(c, rtt, field):
        return med([r[field] for r in by.get((c, rtt), [])])

    print()
    print(f"## Messages per second against RTT ({msg.name} message, {msg.bytes:,} bytes; "
          f"median of {ROUNDS} round(s))")
    print()
    print("| client | " + " | ".join(f"{rtt:g} ms" for rtt in RTTS) + " | turns/msg at "
          f"{RTTS[-1]:g} ms | CPU us/msg at {RTTS[-1]:g} ms |")
    print("|---|" + "---:|" * (len(RTTS) + 2))
    for c in CLIENTS:
        cells = [pc.fmt(m(c, rtt, "msg_per_s")) for rtt in RTTS]
        print(f"| {pc.LABELS[c]} | " + " | ".join(cells)
              + f" | {pc.fmt(m(c, RTTS[-1], 'turns_per_msg'), 2)} "
              f"| {pc.fmt(m(c, RTTS[-1], 'cpu_us_per_msg'), 1)} |")
    missed = False
    print()
    print("| lettre / other | RTT | msg/s ratio | target |")
    print("|---|---:|---:|---|")
    for a, b, rtt, target in TARGETS:
        ra, rb = m(a, rtt, "msg_per_s"), m(b, rtt, "msg_per_s")
        if ra is None or rb is None:
            continue
        ok = ra / rb >= target
        missed |= not ok
        print(f"| {pc.LABELS[a]} / {pc.LABELS[b]} | {rtt:g} ms | {ra / rb:.2f}x "
              f"| >= {target:g}x: {'met' if ok else 'MISSED'} |")
    print()
    print(f"machine: {os.cpu_count()} CPUs, load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    if CHART and CHART != "none":
        write_svg(CHART, by)
        print(f"chart: {os.path.relpath(CHART, ROOT)}")
    return missed


def main():
    for prog, what in ((pc.POOL_BENCH, "LETTRE_POOL_BENCH"), (sc.LETTRE, "LETTRE_SMTP_BENCH"),
                       (PROXY, "LETTRE_RTT_PROXY")):
        if not prog or not os.access(prog, os.X_OK):
            raise SystemExit(f"set {what} to the built program")
    for c in CLIENTS:
        if c not in pc.LABELS:
            raise SystemExit(f"unknown client {c} (clients: {' '.join(pc.CLIENTS)})")
    work = sc.tempfile.mkdtemp(prefix="lettre-rtt-bench-")
    records = []
    try:
        msg = sc.Message(MESSAGE, work)
        sink = sc.Sink().start()
        sc.say(f"smtp-sink pid {sink.proc.pid} on 127.0.0.1:{sink.port}")
        try:
            for rtt in RTTS:
                counts = {c: probe_count(c, msg, sink, rtt) for c in CLIENTS}
                for rnd in range(1, ROUNDS + 1):
                    k = (rnd - 1) % len(CLIENTS)
                    for c in CLIENTS[k:] + CLIENTS[:k]:
                        r = run_through_proxy(c, msg, counts[c], sink, rtt)
                        r["round"] = rnd
                        records.append(r)
                        sc.say(f"{rtt:g} ms {c}: {r['msg_per_s']:,.0f} msg/s, "
                               f"{r['turns_per_msg']:.2f} turns/msg, "
                               f"{r['cpu_us_per_msg']:.1f} us CPU/msg")
        finally:
            sink.stop()
        sc.append_results(RESULTS, records)
        missed = report(records, msg)
    finally:
        sc.shutil.rmtree(work, ignore_errors=True)
    if CHECK_TARGETS and missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
