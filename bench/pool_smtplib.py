#!/usr/bin/python3
"""Sends one ready-made message N times with Python's smtplib over one
connection and prints one JSON line (the shape bench/pool_bench.cpp prints;
see bench/pool_compare.sh).

    pool_smtplib.py <message.eml> <N> --port P [--host H] [--from ADDR] [--to ADDR]...

smtplib has no pool and no asynchronous sends: one SMTP session, N
sendmail() calls one after another, then QUIT. "seconds" and "cpu_seconds"
cover the sends only.
"""
import argparse
import json
import platform
import resource
import smtplib
import sys
import time


def cpu_now():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def main():
    p = argparse.ArgumentParser()
    p.add_argument("message")
    p.add_argument("count", type=int)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--from", dest="mail_from", default="sender@example.com")
    p.add_argument("--to", action="append", default=[])
    a = p.parse_args()
    data = open(a.message, "rb").read()
    to = a.to or ["rcpt@example.org"]
    smtp = smtplib.SMTP(a.host, a.port, local_hostname="localhost")
    smtp.ehlo()
    cpu0, t0 = cpu_now(), time.monotonic()
    for i in range(a.count):
        refused = smtp.sendmail(a.mail_from, to, data)
        if refused:
            sys.exit(f"message {i + 1}: refused {refused}")
    seconds, cpu = time.monotonic() - t0, cpu_now() - cpu0
    smtp.quit()
    print(json.dumps({
        "impl": "python-smtplib", "version": platform.python_version(),
        "runtime": f"Python {platform.python_version()}", "connections": 1,
        "bytes": len(data), "count": a.count, "seconds": round(seconds, 6),
        "cpu_seconds": round(cpu, 6), "msg_per_s": round(a.count / seconds, 1),
        "cpu_us_per_msg": round(cpu * 1e6 / a.count, 2)}))


if __name__ == "__main__":
    main()
