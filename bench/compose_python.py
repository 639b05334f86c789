#!/usr/bin/python3
"""Compose and format the corpus messages with Python's email package.

The same work bench/compose_rate.cpp does with lettre: build an EmailMessage
(policy.SMTP) from the description in ../shared/corpus/message.json, add the
text, the HTML alternative and the attachment, then serialize it with
as_bytes(). Prints the rate as one JSON line.

    /usr/bin/python3 compose_python.py <small|typical> [seconds=2] [--print]

The corpus ($LETTRE_SHARED_DIR/corpus, default ../../shared/corpus from this
file) is read once, outside the timed loop. --print writes one message to
stdout instead of timing.
"""

import json
import os
import sys
import time
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage


def usage():
    sys.stderr.write("usage: compose_python.py <small|typical> [seconds] [--print]\n")
    sys.exit(2)


def main():
    args = sys.argv[1:]
    do_print = "--print" in args
    positional = [a for a in args if a != "--print"]
    if not positional or positional[0] not in ("small", "typical"):
        usage()
    which = positional[0]
    try:
        seconds = float(positional[1]) if len(positional) > 1 else 2.0
    except ValueError:
        usage()
    if seconds <= 0:
        usage()

    here = os.path.dirname(os.path.abspath(__file__))
    shared = os.environ.get("LETTRE_SHARED_DIR") or os.path.join(here, "..", "..", "shared")
    corpus = os.path.join(shared, "corpus")
    with open(os.path.join(corpus, "message.json"), encoding="utf-8") as f:
        spec = json.load(f)[which]

    # Everything read from disk once, before timing.
    with open(os.path.join(corpus, spec["text"]), encoding="utf-8") as f:
        text = f.read()
    html = None
    if spec.get("html"):
        with open(os.path.join(corpus, spec["html"]), encoding="utf-8") as f:
            html = f.read()
    attachment = None
    if spec.get("attachment"):
        a = spec["attachment"]
        with open(os.path.join(corpus, a["path"]), "rb") as f:
            data = f.read()
        maintype, subtype = a["content_type"].split("/", 1)
        attachment = (data, maintype, subtype, a["filename"])

    def compose_once():
        msg = EmailMessage(policy=policy.SMTP)
        msg["From"] = Address(display_name=spec["from"]["name"], addr_spec=spec["from"]["address"])
        msg["To"] = [Address(display_name=t["name"], addr_spec=t["address"]) for t in spec["to"]]
        msg["Subject"] = spec["subject"]
        msg["Date"] = spec["date"]
        msg["Message-ID"] = spec["message_id"]
        msg.set_content(text)
        if html is not None:
            msg.add_alternative(html, subtype="html")
        if attachment is not None:
            data, maintype, subtype, filename = attachment
            msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
        return msg.as_bytes()

    if do_print:
        sys.stdout.buffer.write(compose_once())
        return

    # Warm-up, untimed (max(0.5 s, 25% of the run)): imports, caches.
    warm_end = time.perf_counter() + max(0.5, seconds * 0.25)
    while time.perf_counter() < warm_end:
        compose_once()

    n = 0
    size = 0
    cpu_start = time.process_time()
    start = time.perf_counter()
    end = start + seconds
    now = start
    while now < end:
        size = len(compose_once())
        n += 1
        now = time.perf_counter()
    elapsed = now - start
    cpu = time.process_time() - cpu_start
    print(json.dumps({
        "impl": "python-email",
        "version": "python " + sys.version.split()[0],
        "runtime": sys.executable,
        "message": which,
        "iterations": n,
        "seconds": elapsed,
        "msg_per_s": n / elapsed,
        "cpu_seconds": cpu,
        "msg_per_cpu_s": n / cpu,
        "bytes": size,
    }))


if __name__ == "__main__":
    main()
