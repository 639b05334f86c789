#!/usr/bin/env python3
"""Many messages over several connections: lettre's pooled async transport
(1 and 10 connections), Postfix's smtp-source (-s 1 and -s 10), Nodemailer's
pooled transport (1 and 10 connections) and Python's smtplib (one
connection) against one smtp-sink on loopback, for ~1 KB and ~100 KB
messages; then lettre's peak RSS with 10,000 1 KB messages queued at once.
Prints markdown tables (stdout) and draws docs/pool-benchmark.svg.

Called by bench/pool_compare.sh (which builds lettre_pool_bench and
lettre_smtp_bench and installs Nodemailer first); reuses smtp_compare.py's
smtp-sink handling, process measurement and messages.

Every client sends the same bytes (lettre_smtp_bench --print): smtp-source
the LF file with -F (it sends each line with CRLF), the others the CRLF
file. lettre and Nodemailer keep at most 2 x connections sends in flight;
smtp-source's -s N sessions each send one message after another (-d: on
the same connection); smtplib sends one after another.

Figures per run (see smtp_compare.py): msg/s = messages / wall-clock
seconds of the whole client process; CPU us/msg = user + sys CPU of the
client process (wait4) / messages; peak RSS = GNU time's %M; loop msg/s =
the client's own timing of its sends (not smtp-source).

Environment: ROUNDS (default 1; medians over rounds), RUN_SECONDS (default
3; each client's count is sized from an untimed probe), MESSAGES (default
"small 100k"), QUEUED (default 10000: messages queued at once for the RSS
figure), CHART (default docs/pool-benchmark.svg; "none": no chart),
RESULTS (append raw JSON records to this file), CHECK_TARGETS=1 (exit 1
when a target is missed), MAX_COUNT (default 300000).
"""
import html
import json
import os
import statistics
import sys

import smtp_compare as sc

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)
POOL_BENCH = sc.env("LETTRE_POOL_BENCH", "")
PYTHON = sc.env("PYTHON", "/usr/bin/python3")
ROUNDS = int(sc.env("ROUNDS", "1"))
RUN_SECONDS = float(sc.env("RUN_SECONDS", "3"))
MESSAGES = sc.env("MESSAGES", "small 100k").split()
QUEUED = int(sc.env("QUEUED", "10000"))
CHART = sc.env("CHART", os.path.join(ROOT, "docs", "pool-benchmark.svg"))
RESULTS = sc.env("RESULTS", "")
CHECK_TARGETS = sc.env("CHECK_TARGETS", "0") == "1"
MAX_COUNT = int(sc.env("MAX_COUNT", "300000"))

CLIENTS = ["lettre-10", "lettre-1", "smtp-source-10", "smtp-source-1", "nodemailer-10",
           "nodemailer-1", "smtplib-1"]
LABELS = {
    "lettre-10": "lettre pool, 10 connections",
    "lettre-1": "lettre pool, 1 connection",
    "smtp-source-10": "smtp-source -s 10",
    "smtp-source-1": "smtp-source -s 1",
    "nodemailer-10": "Nodemailer pool, 10 connections",
    "nodemailer-1": "Nodemailer pool, 1 connection",
    "smtplib-1": "Python smtplib, 1 connection",
}
# (lettre client, other client, target on the msg/s ratio or None)
RATIOS = [("lettre-10", "smtp-source-10", 0.9), ("lettre-10", "nodemailer-10", 5.0),
          ("lettre-1", "smtp-source-1", None), ("lettre-1", "nodemailer-1", None),
          ("lettre-1", "smtplib-1", None), ("lettre-10", "smtplib-1", None),
          ("lettre-10", "lettre-1", None)]
PROBE = {"small": 3000, "100k": 400, "typical": 300}
RSS_TARGET_MB = 16


def connections(client):
    return int(client.rsplit("-", 1)[1])


def command(client, msg, count, port):
    n = connections(client)
    envelope = ["--from", msg.mail_from]
    for r in msg.rcpt_to:
        envelope += ["--to", r]
    if client.startswith("lettre-"):
        return [POOL_BENCH, msg.crlf, str(count), "--port", str(port), "--connections", str(n),
                *envelope], None
    if client.startswith("smtp-source-"):
        cmd = [sc.SMTP_SOURCE, "-s", str(n), "-m", str(count), "-d", "-F", msg.lf, "-M",
               "localhost", "-f", msg.mail_from, "-t", msg.rcpt_to[0]]
        if len(msg.rcpt_to) > 1:
            cmd += ["-r", str(len(msg.rcpt_to))]
        return cmd + [f"127.0.0.1:{port}"], None
    if client.startswith("nodemailer-"):
        return [sc.NODE, "pool_nodemailer.js", msg.crlf, str(count), "--port", str(port),
                "--connections", str(n), *envelope], BENCH_DIR
    return [PYTHON, os.path.join(BENCH_DIR, "pool_smtplib.py"), msg.crlf, str(count), "--port",
            str(port), *envelope], None


def run_client(client, msg, count, sink):
    cmd, cwd = command(client, msg, count, sink.port)
    sink_cpu0 = sink.cpu_seconds()
    out, wall, cpu, rss = sc.run_measured(cmd, cwd)
    sink_cpu = sink.cpu_seconds() - sink_cpu0
    rec = {"client": client, "message": msg.name, "bytes": msg.bytes, "count": count,
           "wall_s": wall, "cpu_s": cpu, "maxrss_kb": rss, "msg_per_s": count / wall,
           "cpu_us_per_msg": cpu * 1e6 / count, "sink_cpu_us_per_msg": sink_cpu * 1e6 / count}
    line = out.strip().splitlines()[-1] if out.strip() else ""
    if line.startswith("{"):
        inner = json.loads(line)
        if inner.get("count") != count:
            raise SystemExit(f"{client} sent {inner.get('count')} of {count} messages")
        rec["loop_msg_per_s"] = inner["msg_per_s"]
        rec["version"] = inner.get("version", "") + (
            f" ({inner['runtime']})" if inner.get("runtime") else "")
    return rec


def queued_rss(msg, sink):
    """lettre_pool_bench --queue-all: QUEUED sends started at once."""
    cmd = [POOL_BENCH, msg.crlf, str(QUEUED), "--port", str(sink.port), "--connections", "10",
           "--queue-all", "--from", msg.mail_from]
    for r in msg.rcpt_to:
        cmd += ["--to", r]
    out, wall, _, rss = sc.run_measured(cmd)
    inner = json.loads(out.strip().splitlines()[-1])
    inner["gnu_time_maxrss_kb"] = rss
    inner["wall_s"] = wall
    return inner


def med(values):
    return statistics.median(values) if values else None


def fmt(x, digits=0):
    return "-" if x is None else f"{x:,.{digits}f}"


def write_svg(path, by, messages):
    """A horizontal bar chart of msg/s, one panel per message size."""
    clients = CLIENTS
    bar_h, gap, label_w, plot_w, panel_gap = 18, 6, 230, 420, 40
    top = 56
    panel_h = len(clients) * (bar_h + gap) + 28
    height = top + len(messages) * (panel_h + panel_gap) + 24
    width = label_w + plot_w + 120
    colors = {"lettre": "#d9480f", "smtp-source": "#1c7ed6", "nodemailer": "#37b24d",
              "smtplib": "#7048e8"}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           '<text x="10" y="22" font-size="16" font-weight="bold">SMTP to smtp-sink on '
           'loopback: messages per second (higher is better)</text>',
           '<text x="10" y="40" fill="#555">bench/pool_compare.sh; whole client process, '
           'wall clock; same message bytes for every client</text>']
    y = top
    for msg in messages:
        rates = {c: med([r["msg_per_s"] for r in by.get((msg.name, c), [])]) for c in clients}
        top_rate = max([v for v in rates.values() if v] or [1])
        out.append(f'<text x="10" y="{y + 14}" font-weight="bold">{html.escape(msg.name)} '
                   f'message ({msg.bytes:,} bytes)</text>')
        y += 24
        for c in clients:
            v = rates[c]
            family = c.rsplit("-", 1)[0]
            w = 0 if not v else max(1.0, plot_w * v / top_rate)
            out.append(f'<text x="{label_w - 8}" y="{y + bar_h - 5}" text-anchor="end">'
                       f'{html.escape(LABELS[c])}</text>')
            out.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                       f'fill="{colors.get(family, "#888")}"/>')
            out.append(f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h - 5}">{fmt(v)}</text>')
            y += bar_h + gap
        y += panel_gap - 4
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    for prog, what in ((POOL_BENCH, "LETTRE_POOL_BENCH"), (sc.LETTRE, "LETTRE_SMTP_BENCH")):
        if not prog or not os.access(prog, os.X_OK):
            raise SystemExit(f"set {what} to the built program")
    work = sc.tempfile.mkdtemp(prefix="lettre-pool-bench-")
    records, rss_records = [], []
    try:
        messages = [sc.Message(m, work) for m in MESSAGES]
        for m in messages:
            sc.say(f"message {m.name}: {m.bytes} bytes, {m.mail_from} -> {', '.join(m.rcpt_to)}")
        sink = sc.Sink().start()
        sc.say(f"smtp-sink pid {sink.proc.pid} on 127.0.0.1:{sink.port}")
        try:
            counts = {}
            for msg in messages:
                for c in CLIENTS:
                    r = run_client(c, msg, PROBE[msg.name], sink)
                    rate = r.get("loop_msg_per_s", r["msg_per_s"])
                    counts[(msg.name, c)] = max(200, min(MAX_COUNT, int(rate * RUN_SECONDS)))
                    sc.say(f"probe {msg.name} {c}: {rate:,.0f} msg/s -> "
                           f"{counts[(msg.name, c)]} messages per run")
            for rnd in range(1, ROUNDS + 1):
                for msg in messages:
                    k = (rnd - 1) % len(CLIENTS)
                    for c in CLIENTS[k:] + CLIENTS[:k]:
                        r = run_client(c, msg, counts[(msg.name, c)], sink)
                        r["round"] = rnd
                        records.append(r)
                        sc.say(f"round {rnd}/{ROUNDS} {msg.name} {c}: "
                               f"{r['msg_per_s']:,.0f} msg/s, {r['cpu_us_per_msg']:.1f} us "
                               f"CPU/msg, RSS {sc.rss_cell([r['maxrss_kb']])} MB")
            small = next((m for m in messages if m.name == "small"), messages[0])
            for _ in range(ROUNDS):
                q = queued_rss(small, sink)
                rss_records.append(q)
                sc.say(f"{QUEUED} queued {small.name} messages: peak RSS "
                       f"{q['maxrss_kb'] / 1024:.1f} MB, {q['overhead_kb'] / 1024:.1f} MB beyond "
                       f"the messages")
        finally:
            sink.stop()
        sc.append_results(RESULTS, records + rss_records)
        missed = report(records, rss_records, messages)
    finally:
        sc.shutil.rmtree(work, ignore_errors=True)
    if CHECK_TARGETS and missed:
        sys.exit(1)


def report(records, rss_records, messages):
    by = {}
    versions = {}
    for r in records:
        by.setdefault((r["message"], r["client"]), []).append(r)
        if r.get("version"):
            versions[r["client"].rsplit("-", 1)[0]] = r["version"]
    versions["smtp-source"] = sc.version_of("smtp-source")

    def col(m, c, field):
        return [r[field] for r in by.get((m, c), []) if r.get(field) is not None]

    def ratio(m, a, b, field):
        ra = {r["round"]: r for r in by.get((m, a), [])}
        rb = {r["round"]: r for r in by.get((m, b), [])}
        return [ra[k][field] / rb[k][field] for k in ra if k in rb]

    missed = False
    print()
    print(f"## Pool: many messages to smtp-sink on loopback (median of {ROUNDS} round(s))")
    print()
    print("| message | client | msg/s | CPU us/msg | loop msg/s | peak RSS MB "
          "| sink CPU us/msg |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for msg in messages:
        for c in CLIENTS:
            if (msg.name, c) not in by:
                continue
            rss = col(msg.name, c, "maxrss_kb")
            print(f"| {msg.name} ({msg.bytes:,} B) | {LABELS[c]} "
                  f"| {fmt(med(col(msg.name, c, 'msg_per_s')))} "
                  f"| {fmt(med(col(msg.name, c, 'cpu_us_per_msg')), 1)} "
                  f"| {fmt(med(col(msg.name, c, 'loop_msg_per_s')))} "
                  f"| {fmt(med(rss) / 1024 if rss else None, 1)} "
                  f"| {fmt(med(col(msg.name, c, 'sink_cpu_us_per_msg')), 1)} |")
    print()
    print("| message | lettre / other | msg/s | CPU per msg | peak RSS | target |")
    print("|---|---|---:|---:|---:|---|")
    for msg in messages:
        for a, b, target in RATIOS:
            rate = ratio(msg.name, a, b, "msg_per_s")
            if not rate:
                continue
            cpu = ratio(msg.name, a, b, "cpu_us_per_msg")
            rss = ratio(msg.name, a, b, "maxrss_kb") if col(msg.name, a, "maxrss_kb") else []
            verdict = ""
            if target is not None:
                ok = med(rate) >= target
                missed |= not ok
                verdict = f"msg/s >= {target:g}x: {'met' if ok else 'MISSED'}"
            print(f"| {msg.name} | {LABELS[a]} / {LABELS[b]} | {med(rate):.2f}x "
                  f"| {med(cpu):.2f}x | {f'{med(rss):.2f}x' if rss else '-'} | {verdict} |")
    if rss_records:
        peak = med([q["maxrss_kb"] for q in rss_records]) / 1024
        before = med([q["rss_before_kb"] for q in rss_records]) / 1024
        queued = med([q["queued_bytes"] for q in rss_records]) / 1024 / 1024
        over = med([q["overhead_kb"] for q in rss_records]) / 1024
        ok = over <= RSS_TARGET_MB
        missed |= not ok
        print()
        print(f"lettre, {QUEUED:,} small messages queued at once (10 connections): peak RSS "
              f"{peak:.1f} MB = {before:.1f} MB before queueing + {queued:.1f} MB of message "
              f"copies + {over:.1f} MB beyond them (target <= {RSS_TARGET_MB} MB: "
              f"{'met' if ok else 'MISSED'})")
    print()
    print("CPU per msg ratio < 1: lettre uses less CPU per message. loop msg/s: the client's "
          "own timing of its sends (smtp-source has none).")
    print("message size, bytes: " + ", ".join(f"{m.name} {m.bytes}" for m in messages))
    for name, v in sorted(versions.items()):
        print(f"{name}: {v}")
    cpu = sc.platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(f"machine: {cpu}, {os.cpu_count()} CPUs, load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    if CHART and CHART != "none":
        write_svg(CHART, by, messages)
        print(f"chart: {os.path.relpath(CHART, ROOT)}")
    return missed


if __name__ == "__main__":
    main()
