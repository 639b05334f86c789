#!/usr/bin/env python3
"""Runs lettre, Postfix's smtp-source and Nodemailer against one smtp-sink
and prints messages/s, client CPU per message and peak RSS side by side.

Called by bench/smtp_compare.sh (which builds lettre_smtp_bench and installs
Nodemailer first); see that script and docs/benchmarks.md for the knobs.

Every client sends the same bytes: the message lettre's builder formats
(`lettre_smtp_bench <message> --print`), with the same envelope. smtp-source
gets the file with LF line ends (-F reads lines and sends each with CRLF,
dot-stuffed; it appends one empty line at the end), Nodemailer gets the CRLF
bytes as `raw`. Before timing, one message from each client goes to a
second smtp-sink that dumps what it receives, and the bodies are compared.

Figures per run:
  msg/s        messages / wall-clock seconds of the whole client process
               (spawn to exit: start-up, connect, every transaction, QUIT)
  CPU us/msg   (user + sys CPU of the whole client process, from wait4) /
               messages
  loop         the same two figures measured by lettre_smtp_bench and
               smtp_nodemailer.js around their send loop only (per-message:
               all sends after start-up; one-connection: from the first
               message's reply to the last, so the session is open).
               smtp-source has no such figure; its start-up is about a
               millisecond.
  RSS          peak resident set of the client (GNU time's %M)
  sink us/msg  CPU the smtp-sink process spent per message during the run
               (from /proc, 10 ms ticks)

Each client's message count is sized from an untimed probe so that one run
lasts about RUN_SECONDS. Rounds rotate the order of the clients; ratios are
taken within a round (the same minutes of machine noise) and the table shows
the median over rounds with [min-max].
"""
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))


def env(name, default):
    v = os.environ.get(name)
    return default if v in (None, "") else v


LETTRE = env("LETTRE_SMTP_BENCH", "")
# Another build of lettre_smtp_bench (say, with a change to src/) measured in
# the same run as "lettre-candidate" (the async transport, like "lettre").
CANDIDATE = env("CANDIDATE", "")
SMTP_SINK = env("SMTP_SINK", "/usr/sbin/smtp-sink")
SMTP_SOURCE = env("SMTP_SOURCE", "/usr/sbin/smtp-source")
NODE = env("NODE", "node")
ROUNDS = int(env("ROUNDS", "3"))
RUN_SECONDS = float(env("RUN_SECONDS", "3"))
MESSAGES = env("MESSAGES", "small 100k").split()
MODES = env("MODES", "one-connection per-message").split()
CLIENTS = env("CLIENTS", "lettre lettre-blocking lettre-conn lettre-nopipe smtp-source "
                         "nodemailer nodemailer-conn").split()
MAX_COUNT = int(env("MAX_COUNT", "200000"))
CHECK_TARGETS = env("CHECK_TARGETS", "0") == "1"
RESULTS = env("RESULTS", "")
TICK = os.sysconf("SC_CLK_TCK")
GNU_TIME = env("GNU_TIME", "/usr/bin/time")
if not os.access(GNU_TIME, os.X_OK):
    GNU_TIME = ""  # no peak RSS figures (Debian: apt-get install time)

# lettre: the public async transport (one-connection: its pool, one
# connection; per-message: pool off). The other lettre rows are informative:
# the blocking transport, the internal connection class without transport and
# pool, and the async transport with PIPELINING off (one command, one reply,
# as smtp-source speaks).
LABELS = {
    "lettre": "lettre async_smtp_transport",
    "lettre-blocking": "lettre smtp_transport (blocking)",
    "lettre-conn": "lettre connection (internal)",
    "lettre-nopipe": "lettre async, no PIPELINING",
    "smtp-source": "smtp-source",
    "nodemailer": "Nodemailer sendMail",
    "nodemailer-conn": "Nodemailer SMTPConnection",
    "lettre-candidate": "lettre async_smtp_transport, CANDIDATE build",
}
LETTRE_ARGS = {
    "lettre": ["--api", "async"],
    "lettre-blocking": ["--api", "blocking"],
    "lettre-conn": ["--api", "connection"],
    "lettre-nopipe": ["--api", "async", "--no-pipelining"],
}
MODE_CLIENTS = {
    "one-connection": ["lettre", "lettre-blocking", "lettre-conn", "lettre-nopipe", "smtp-source",
                       "nodemailer", "nodemailer-conn"],
    "per-message": ["lettre", "lettre-blocking", "smtp-source", "nodemailer", "nodemailer-conn"],
}
RATIOS = [("lettre", "smtp-source"), ("lettre-blocking", "smtp-source"),
          ("lettre-conn", "smtp-source"), ("lettre-nopipe", "smtp-source"),
          ("lettre", "nodemailer"), ("lettre", "nodemailer-conn")]
if CANDIDATE:
    for _clients in MODE_CLIENTS.values():
        _clients.insert(1, "lettre-candidate")
    CLIENTS.append("lettre-candidate")
    RATIOS[1:1] = [("lettre-candidate", "smtp-source"), ("lettre-candidate", "lettre")]
PROBE = {
    ("one-connection", "small"): 1000,
    ("one-connection", "100k"): 200,
    ("one-connection", "typical"): 150,
    ("per-message", "small"): 200,
    ("per-message", "100k"): 100,
    ("per-message", "typical"): 80,
}


def append_results(path, records):
    """Appends each record as one JSON line to `path` (nothing when empty)."""
    if not path:
        return
    with open(path, "a") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")


def say(msg):
    print("== " + msg, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Sink:
    """One smtp-sink process on a free loopback port, stopped by its PID."""

    def __init__(self, extra_args=()):
        self.proc = None
        self.port = None
        self.extra = list(extra_args)

    def start(self):
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        errors = tempfile.TemporaryFile()
        for _ in range(10):
            port = free_port()
            proc = subprocess.Popen(
                [SMTP_SINK, *user, *self.extra, f"127.0.0.1:{port}", "1024"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors)
            if self._wait_listening(proc, port):
                self.proc, self.port = proc, port
                return self
            self._kill(proc)
        errors.seek(0)
        raise SystemExit("smtp-sink did not start (tried 10 ports):\n" +
                         errors.read().decode(errors="replace"))

    @staticmethod
    def _wait_listening(proc, port):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.settimeout(2)
                    if s.recv(512).startswith(b"220"):
                        s.sendall(b"QUIT\r\n")
                        return True
            except OSError:
                time.sleep(0.05)
        return False

    @staticmethod
    def _kill(proc):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime

    def stop(self):
        if self.proc is not None:
            self._kill(self.proc)
            self.proc = None


def run_measured(cmd, cwd=None):
    """Runs cmd; returns (stdout, wall seconds, cpu seconds, maxrss KB).

    CPU comes from wait4 (user + sys of the child and the children it
    waited for, in microseconds). Peak RSS cannot come from there: a child
    forked from this Python process starts with Python's resident pages
    and ru_maxrss keeps that high-water mark across exec. So the client runs
    under GNU time (a small C program whose own footprint is what its child
    inherits) and %M gives the client's peak RSS; time's own CPU, well
    under a millisecond, is in the CPU figure.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as rss:
        wrapped = ([GNU_TIME, "-f", "%M", "-o", rss.name, *cmd] if GNU_TIME else cmd)
        t0 = time.monotonic()
        proc = subprocess.Popen(wrapped, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=err)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, errors = out.read().decode(), err.read().decode()
        maxrss = None
        if GNU_TIME:
            last = rss.read().strip().splitlines()
            maxrss = int(last[-1]) if last and last[-1].isdigit() else None
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{errors}{text}")
    return text, wall, ru.ru_utime + ru.ru_stime, maxrss


class Message:
    def __init__(self, name, workdir):
        self.name = name
        self.crlf = os.path.join(workdir, f"{name}.eml")
        self.lf = os.path.join(workdir, f"{name}.lf.eml")
        data = subprocess.run([LETTRE, name, "--print"], check=True, capture_output=True).stdout
        with open(self.crlf, "wb") as f:
            f.write(data)
        with open(self.lf, "wb") as f:
            f.write(data.replace(b"\r\n", b"\n"))
        self.bytes = len(data)
        envelope = json.loads(subprocess.run([LETTRE, name, "--print-envelope"], check=True,
                                             capture_output=True).stdout)
        self.mail_from, self.rcpt_to = envelope["from"], envelope["to"]


def command(client, mode, msg, count, port):
    if client == "lettre-candidate":
        return [CANDIDATE, msg.name, str(count), "--port", str(port), "--mode", mode,
                "--message-file", msg.crlf, "--api", "async"], None
    if client in LETTRE_ARGS:
        return [LETTRE, msg.name, str(count), "--port", str(port), "--mode", mode,
                "--message-file", msg.crlf, *LETTRE_ARGS[client]], None
    if client == "smtp-source":
        cmd = [SMTP_SOURCE, "-s", "1", "-m", str(count), "-F", msg.lf, "-M", "localhost",
               "-f", msg.mail_from, "-t", msg.rcpt_to[0]]
        if len(msg.rcpt_to) > 1:
            cmd += ["-r", str(len(msg.rcpt_to))]  # numbered recipients, same count
        if mode == "one-connection":
            cmd.append("-d")  # don't disconnect after each message
        return cmd + [f"127.0.0.1:{port}"], None
    api = "connection" if client == "nodemailer-conn" else "sendmail"
    cmd = [NODE, "smtp_nodemailer.js", msg.crlf, str(count), "--port", str(port), "--mode",
           mode, "--api", api, "--from", msg.mail_from]
    for r in msg.rcpt_to:
        cmd += ["--to", r]
    return cmd, BENCH_DIR


def run_client(client, mode, msg, count, sink):
    cmd, cwd = command(client, mode, msg, count, sink.port)
    sink_cpu0 = sink.cpu_seconds()
    out, wall, cpu, rss = run_measured(cmd, cwd)
    sink_cpu = sink.cpu_seconds() - sink_cpu0
    rec = {"client": client, "mode": mode, "message": msg.name, "bytes": msg.bytes,
           "count": count, "wall_s": wall, "cpu_s": cpu, "maxrss_kb": rss,
           "msg_per_s": count / wall, "cpu_us_per_msg": cpu * 1e6 / count,
           "sink_cpu_us_per_msg": sink_cpu * 1e6 / count}
    line = out.strip().splitlines()[-1] if out.strip() else ""
    if line.startswith("{"):
        inner = json.loads(line)
        if inner.get("count") != count:
            raise SystemExit(f"{client} sent {inner.get('count')} of {count} messages")
        rec["loop_msg_per_s"] = inner["msg_per_s"]
        rec["loop_cpu_us_per_msg"] = inner["cpu_us_per_msg"]
        rec["version"] = inner.get("version", "") + (
            f" ({inner['runtime']})" if inner.get("runtime") else "")
    return rec


def version_of(client):
    if client == "smtp-source":
        try:
            # -d: the compiled-in default, which needs no main.cf.
            v = subprocess.run(["/usr/sbin/postconf", "-d", "-h", "mail_version"],
                               capture_output=True, text=True).stdout.strip()
            return f"Postfix {v}" if v else "Postfix"
        except OSError:
            return "Postfix"
    return ""


# ---------------------------------------------------------------------------

def content_check(messages, clients):
    """One message from each client to a dumping smtp-sink; compare bodies."""
    dump_dir = tempfile.mkdtemp(prefix="lettre-smtp-dump-")
    os.chmod(dump_dir, 0o777)  # smtp-sink drops to nobody when run as root
    sink = Sink(["-d", os.path.join(dump_dir, "m.")]).start()
    ok = True
    try:
        for msg in messages:
            want = open(msg.lf, "rb").read()
            for client in clients:
                before = set(os.listdir(dump_dir))
                for mode in ("one-connection",):
                    cmd, cwd = command(client, mode, msg, 1, sink.port)
                    run_measured(cmd, cwd)
                new = sorted(set(os.listdir(dump_dir)) - before)
                if len(new) != 1:
                    say(f"check {msg.name} {client}: expected one dumped message, got {len(new)}")
                    ok = False
                    continue
                got = open(os.path.join(dump_dir, new[0]), "rb").read()
                # smtp-sink's own header block ends with its three-line Received:.
                lines = got.split(b"\n")
                i = next(k for k, l in enumerate(lines) if l.startswith(b"Received: "))
                body = b"\n".join(lines[i + 3:]).rstrip(b"\n")
                if body != want.rstrip(b"\n"):
                    say(f"check {msg.name} {client}: the sink received different content")
                    ok = False
    finally:
        sink.stop()
        shutil.rmtree(dump_dir, ignore_errors=True)
    return ok


def median_range(values):
    return statistics.median(values), min(values), max(values)


def fmt_rate(x):
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def fmt_cell(values, f=fmt_rate):
    med, lo, hi = median_range(values)
    return f"{f(med)} [{f(lo)}-{f(hi)}]" if len(values) > 1 else f(med)


def rss_cell(values):
    values = [v for v in values if v is not None]
    return f"{statistics.median(values) / 1024:.1f}" if values else "-"


def main():
    if not LETTRE or not os.access(LETTRE, os.X_OK):
        raise SystemExit("set LETTRE_SMTP_BENCH to the lettre_smtp_bench binary")
    for tool in (SMTP_SINK, SMTP_SOURCE):
        if not os.access(tool, os.X_OK):
            raise SystemExit(f"{tool} not found (Debian: apt-get install postfix)")

    work = tempfile.mkdtemp(prefix="lettre-smtp-bench-")
    try:
        messages = [Message(m, work) for m in MESSAGES]
        for m in messages:
            say(f"message {m.name}: {m.bytes} bytes, {m.mail_from} -> {', '.join(m.rcpt_to)}")
        say("content check: one message from each client to a dumping smtp-sink")
        check_ok = content_check(messages, [c for c in CLIENTS if c in (
            "lettre", "lettre-candidate", "smtp-source", "nodemailer", "nodemailer-conn")])
        if check_ok:
            say("content check: every client delivered the same bytes")

        sink = Sink().start()
        say(f"smtp-sink pid {sink.proc.pid} on 127.0.0.1:{sink.port}")
        records = []
        try:
            plan = [(mode, msg, [c for c in MODE_CLIENTS[mode] if c in CLIENTS])
                    for mode in MODES for msg in messages]
            # Untimed probes size each client's count to about RUN_SECONDS.
            counts = {}
            for mode, msg, clients in plan:
                for c in clients:
                    n = PROBE[(mode, msg.name)]
                    r = run_client(c, mode, msg, n, sink)
                    rate = r.get("loop_msg_per_s", r["msg_per_s"])
                    counts[(mode, msg.name, c)] = max(50, min(MAX_COUNT, int(rate * RUN_SECONDS)))
                    say(f"probe {mode} {msg.name} {c}: {rate:,.0f} msg/s -> "
                        f"{counts[(mode, msg.name, c)]} messages per run")
            for rnd in range(1, ROUNDS + 1):
                for mode, msg, clients in plan:
                    k = (rnd - 1) % len(clients)
                    for c in clients[k:] + clients[:k]:
                        r = run_client(c, mode, msg, counts[(mode, msg.name, c)], sink)
                        r["round"] = rnd
                        records.append(r)
                        loop = (f", loop {r['loop_msg_per_s']:,.0f} msg/s "
                                f"{r['loop_cpu_us_per_msg']:.1f} us/msg"
                                if "loop_msg_per_s" in r else "")
                        say(f"round {rnd}/{ROUNDS} {mode} {msg.name} {c}: "
                            f"{r['msg_per_s']:,.0f} msg/s, {r['cpu_us_per_msg']:.1f} us CPU/msg"
                            f"{loop}, RSS {rss_cell([r['maxrss_kb']])} MB")
        finally:
            sink.stop()
        append_results(RESULTS, records)
        missed = report(records, messages, check_ok)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if CHECK_TARGETS and missed:
        sys.exit(1)


def report(records, messages, check_ok):
    by = {}
    versions = {}
    for r in records:
        by.setdefault((r["mode"], r["message"], r["client"]), {})[r["round"]] = r
        if r.get("version"):
            versions[r["client"]] = r["version"]
    for c in ("smtp-source",):
        versions.setdefault(c, version_of(c))

    def col(mode, m, c, field):
        rs = by.get((mode, m, c), {})
        return [r[field] for r in rs.values() if field in r]

    def ratio(mode, m, a, b, field):
        ra, rb = by.get((mode, m, a), {}), by.get((mode, m, b), {})
        return [ra[k][field] / rb[k][field] for k in ra if k in rb and field in ra[k]
                and field in rb[k]]

    missed = False
    print()
    print(f"SMTP to smtp-sink on loopback: median of {ROUNDS} rounds [min-max]")
    for mode in MODES:
        print()
        title = ("one connection, messages sent one after another" if mode == "one-connection"
                 else "a new connection for every message")
        print(f"### {mode}: {title}")
        print()
        print("| message | client | msg/s | CPU us/msg | loop msg/s | loop CPU us/msg "
              "| peak RSS MB | sink CPU us/msg |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for msg in messages:
            for c in MODE_CLIENTS[mode]:
                if (mode, msg.name, c) not in by:
                    continue
                loop_rate = col(mode, msg.name, c, "loop_msg_per_s")
                loop_cpu = col(mode, msg.name, c, "loop_cpu_us_per_msg")
                print(f"| {msg.name} ({msg.bytes:,} B) | {LABELS[c]} "
                      f"| {fmt_cell(col(mode, msg.name, c, 'msg_per_s'))} "
                      f"| {fmt_cell(col(mode, msg.name, c, 'cpu_us_per_msg'), lambda x: f'{x:,.1f}')} "
                      f"| {fmt_cell(loop_rate) if loop_rate else '-'} "
                      f"| {fmt_cell(loop_cpu, lambda x: f'{x:,.1f}') if loop_cpu else '-'} "
                      f"| {rss_cell(col(mode, msg.name, c, 'maxrss_kb'))} "
                      f"| {statistics.median(col(mode, msg.name, c, 'sink_cpu_us_per_msg')):.1f} |")
        print()
        print("| message | ratio | msg/s | CPU per msg | loop msg/s | loop CPU per msg | target |")
        print("|---|---|---:|---:|---:|---:|---|")
        for msg in messages:
            for a, b in RATIOS:
                rate = ratio(mode, msg.name, a, b, "msg_per_s")
                if not rate:
                    continue
                cpu = ratio(mode, msg.name, a, b, "cpu_us_per_msg")
                lrate = ratio(mode, msg.name, a, b, "loop_msg_per_s")
                lcpu = ratio(mode, msg.name, a, b, "loop_cpu_us_per_msg")
                fx = lambda x: f"{x:.2f}x"
                target = ""
                if mode == "one-connection" and a == "lettre" and b == "smtp-source":
                    ok_rate = statistics.median(rate) >= 1.0
                    ok_cpu = statistics.median(cpu) <= 1.0
                    missed |= not (ok_rate and ok_cpu)
                    target = (f"msg/s >= 1.0x: {'met' if ok_rate else 'MISSED'}; "
                              f"CPU <= 1.0x: {'met' if ok_cpu else 'MISSED'}")
                print(f"| {msg.name} | {LABELS[a]} / {LABELS[b]} | {fmt_cell(rate, fx)} "
                      f"| {fmt_cell(cpu, fx)} | {fmt_cell(lrate, fx) if lrate else '-'} "
                      f"| {fmt_cell(lcpu, fx) if lcpu else '-'} | {target} |")
    print()
    print("msg/s and CPU us/msg: whole client process (wall clock; user+sys from wait4). "
          "loop: the client's own timing of its send loop (lettre, Node only). "
          "CPU per msg ratio < 1 means lettre uses less CPU.")
    print("target (one connection): lettre >= 1.0x smtp-source's msg/s and <= 1.0x its CPU per "
          "message.")
    print("message size, bytes: " + ", ".join(f"{m.name} {m.bytes}" for m in messages) +
          " (smtp-source sends 2 more: an empty last line)")
    for c, v in sorted(versions.items()):
        print(f"{LABELS.get(c, c)}: {v}")
    cpu = platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(f"machine: {cpu}, {os.cpu_count()} CPUs, load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    if not check_ok:
        print("WARNING: a client delivered different content (see above)")
    return missed


if __name__ == "__main__":
    main()
