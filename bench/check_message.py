#!/usr/bin/python3
"""Check that a composed message carries the corpus content.

    /usr/bin/python3 check_message.py [--allow-lf] <small|typical> <file.eml> [label]

Parses the message with Python's email package and compares it with
../shared/corpus/message.json: From, To, Subject, Date, Message-ID, the text
and HTML bodies and the attachment (name, type, bytes), and that every line
ends in CRLF and is at most 998 octets. compare_compose.sh runs it on one
message from each implementation so the rates compare the same work.
--allow-lf accepts bare LF line ends (Nodemailer's composer leaves body line
ends as given; its SMTP transport converts them while sending).
Prints "ok" or the differences; exit status 1 on a difference.
"""

import json
import os
import sys
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime


def norm_text(s):
    return s.replace("\r\n", "\n").rstrip("\n")


def main():
    args = sys.argv[1:]
    allow_lf = "--allow-lf" in args
    args = [a for a in args if a != "--allow-lf"]
    if len(args) not in (2, 3) or args[0] not in ("small", "typical"):
        sys.stderr.write("usage: check_message.py [--allow-lf] <small|typical> <file.eml> [label]\n")
        return 2
    which, path = args[0], args[1]
    label = args[2] if len(args) == 3 else path
    here = os.path.dirname(os.path.abspath(__file__))
    shared = os.environ.get("LETTRE_SHARED_DIR") or os.path.join(here, "..", "..", "shared")
    corpus = os.path.join(shared, "corpus")
    with open(os.path.join(corpus, "message.json"), encoding="utf-8") as f:
        spec = json.load(f)[which]
    with open(path, "rb") as f:
        raw = f.read()

    problems = []

    # Wire form: CRLF only, no line over 998 octets.
    lines = raw.split(b"\r\n")
    if allow_lf:
        lines = [part for line in lines for part in line.split(b"\n")]
    if any(b"\n" in line or b"\r" in line for line in lines):
        problems.append("bare CR or LF in the message")
    longest = max((len(line) for line in lines), default=0)
    if longest > 998:
        problems.append(f"line of {longest} octets (limit 998)")

    msg = BytesParser(policy=policy.default).parsebytes(raw)
    for defect in msg.defects:
        problems.append(f"parser defect: {defect!r}")

    def check(what, got, want):
        if got != want:
            problems.append(f"{what}: got {got!r}, want {want!r}")

    frm = msg["From"].addresses if msg["From"] else ()
    check("From", [(a.display_name, a.addr_spec) for a in frm],
          [(spec["from"]["name"], spec["from"]["address"])])
    to = msg["To"].addresses if msg["To"] else ()
    check("To", [(a.display_name, a.addr_spec) for a in to],
          [(t["name"], t["address"]) for t in spec["to"]])
    check("Subject", str(msg["Subject"]), spec["subject"])
    try:
        check("Date", parsedate_to_datetime(str(msg["Date"])), parsedate_to_datetime(spec["date"]))
    except (TypeError, ValueError) as e:
        problems.append(f"Date: {e}")
    check("Message-ID", str(msg["Message-ID"]).strip(), spec["message_id"])
    check("MIME-Version", str(msg["MIME-Version"]), "1.0")

    with open(os.path.join(corpus, spec["text"]), encoding="utf-8") as f:
        want_text = f.read()
    body = msg.get_body(preferencelist=("plain",))
    if body is None:
        problems.append("no text/plain body")
    else:
        check("text body", norm_text(body.get_content()), norm_text(want_text))

    if spec.get("html"):
        with open(os.path.join(corpus, spec["html"]), encoding="utf-8") as f:
            want_html = f.read()
        html = msg.get_body(preferencelist=("html",))
        if html is None:
            problems.append("no text/html body")
        else:
            check("html body", norm_text(html.get_content()), norm_text(want_html))
        if msg.get_content_type() != "multipart/mixed":
            problems.append(f"top-level type {msg.get_content_type()}, want multipart/mixed")

    atts = list(msg.iter_attachments()) if msg.is_multipart() else []
    if spec.get("attachment"):
        a = spec["attachment"]
        with open(os.path.join(corpus, a["path"]), "rb") as f:
            want = f.read()
        if len(atts) != 1:
            problems.append(f"{len(atts)} attachments, want 1")
        else:
            att = atts[0]
            check("attachment filename", att.get_filename(), a["filename"])
            check("attachment type", att.get_content_type(), a["content_type"])
            data = att.get_content()
            if data != want:
                problems.append(f"attachment bytes differ ({len(data)} vs {len(want)} bytes)")
    elif atts:
        problems.append(f"{len(atts)} unexpected attachments")

    if problems:
        print(f"{label}: {which}: MISMATCH")
        for p in problems:
            print(f"  - {p}")
        return 1
    print(f"{label}: {which}: ok ({len(raw)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
