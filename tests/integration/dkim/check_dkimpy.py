#!/usr/bin/python3
"""Verifies lettre's DKIM signatures with dkimpy (python3-dkim).

  check_dkimpy.py <corpus-dir>        verify the generator's output
  check_dkimpy.py --rfc8463 <shared>  verify the RFC 8463 Appendix A message
                                      (a check of this harness itself)

<corpus-dir> holds manifest.json (file, expect: one bool per DKIM-Signature
field, top first), dns.json (TXT owner name -> character-strings, made by
lettre::dkim::make_dns_record) and the messages. Every signature whose
expectation is true must verify; every one whose expectation is false must
not. DNS answers come only from dns.json: a lookup of any other name fails
the run (dkimpy must never reach the network).
"""

import json
import os
import re
import sys

import dkim


class LookupError_(Exception):
    pass


def make_dnsfunc(records, looked_up):
    def dnsfunc(name, timeout=5):
        key = name.decode("ascii") if isinstance(name, bytes) else name
        key = key.rstrip(".").lower()
        looked_up.append(key)
        if key not in records:
            raise LookupError_("unexpected DNS lookup: %s" % key)
        # A TXT record's character-strings are concatenated without separator
        # (RFC 6376 3.6.2.2).
        return "".join(records[key]).encode("ascii")
    return dnsfunc


def signature_count(message):
    return sum(1 for line in re.split(rb"\r\n", message.split(b"\r\n\r\n", 1)[0])
               if line[:15].lower() == b"dkim-signature:")


def verify_one(message, idx, records):
    """Returns (ok, detail)."""
    looked_up = []
    d = dkim.DKIM(message, minkey=1024)
    try:
        ok = d.verify(idx=idx, dnsfunc=make_dnsfunc(records, looked_up))
    except LookupError_ as e:
        raise
    except dkim.DKIMException as e:
        return False, "%s: %s" % (type(e).__name__, e)
    return bool(ok), "looked up %s" % ", ".join(looked_up)


def check_corpus(directory):
    with open(os.path.join(directory, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    with open(os.path.join(directory, "dns.json"), encoding="utf-8") as f:
        dns = json.load(f)
    records = {k.lower(): v for k, v in dns.items()}
    for name, strings in records.items():
        assert all(len(s.encode()) <= 255 for s in strings), "%s: TXT string over 255 bytes" % name
        assert "".join(strings).startswith("v=DKIM1; k="), "%s: unexpected record %r" % (name, strings)

    failures = []
    passes = fails = 0
    for entry in manifest:
        path = os.path.join(directory, entry["file"])
        with open(path, "rb") as f:
            message = f.read()
        expect = entry["expect"]
        n = signature_count(message)
        if n != len(expect):
            failures.append("%s: %d DKIM-Signature fields, manifest expects %d" % (entry["file"], n, len(expect)))
            continue
        for idx, want in enumerate(expect):
            try:
                ok, detail = verify_one(message, idx, records)
            except LookupError_ as e:
                failures.append("%s sig %d: %s" % (entry["file"], idx, e))
                continue
            if ok != want:
                failures.append("%s sig %d (%s): dkimpy says %s, expected %s [%s]" % (
                    entry["file"], idx, entry["note"], "pass" if ok else "fail",
                    "pass" if want else "fail", detail))
            elif want:
                passes += 1
            else:
                fails += 1

    print("dkimpy %s: %d messages, %d signatures verified, %d tampered signatures refused" % (
        getattr(dkim, "__version__", "?"), len(manifest), passes, fails))
    # The corpus must really hold both kinds; an empty run proves nothing.
    if passes < 100 or fails < 50:
        failures.append("too few checks (passes=%d, refusals=%d): generator broken?" % (passes, fails))
    for line in failures:
        print("FAIL " + line)
    return 1 if failures else 0


def rfc8463_records(example_text):
    """TXT records of RFC 8463 A.2, read from the transcription."""
    records = {}
    for m in re.finditer(r"^(\S+\._domainkey\.\S+?)\.? IN TXT \((.*?)\)", example_text, re.M | re.S):
        records[m.group(1).lower()] = re.findall(r'"([^"]*)"', m.group(2))
    return records


def check_rfc8463(shared):
    with open(os.path.join(shared, "vectors", "rfc8463_signed_message.eml"), "rb") as f:
        message = f.read()
    with open(os.path.join(shared, "vectors", "rfc8463_example.txt"), encoding="utf-8") as f:
        records = rfc8463_records(f.read())
    failures = []
    if sorted(records) != ["brisbane._domainkey.football.example.com", "test._domainkey.football.example.com"]:
        failures.append("could not read the RFC 8463 DNS records: %r" % sorted(records))
    else:
        for idx in (0, 1):
            ok, detail = verify_one(message, idx, records)
            if not ok:
                failures.append("RFC 8463 signature %d does not verify: %s" % (idx, detail))
        # The harness must also see a failure when there is one.
        tampered = message.replace(b"hungry", b"hangry")
        for idx in (0, 1):
            ok, _ = verify_one(tampered, idx, records)
            if ok:
                failures.append("RFC 8463 signature %d verifies after a body change" % idx)
    for line in failures:
        print("FAIL " + line)
    if not failures:
        print("dkimpy verifies both RFC 8463 signatures and refuses a tampered copy")
    return 1 if failures else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--rfc8463":
        return check_rfc8463(argv[2])
    if len(argv) == 2:
        return check_corpus(argv[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
