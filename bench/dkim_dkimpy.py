#!/usr/bin/python3
"""DKIM signing rate of dkimpy (Debian python3-dkim), and a verifier.

bench/dkim_speed.sh runs it beside lettre's DKIM benchmark and Nodemailer.

    /usr/bin/python3 dkim_dkimpy.py <small|typical> <rsa2048|ed25519> [seconds=2] [--print]
    /usr/bin/python3 dkim_dkimpy.py --verify FILE...

Signing: the message (../shared/corpus/<msg>.eml, or $LETTRE_SHARED_DIR/corpus)
and the key (corpus/keys/dkim_<key>.pem; for Ed25519 the raw 32-byte seed
in base64, the form dkimpy takes) are read once, outside the timed loop.
Each iteration is one dkim.sign() call, relaxed/relaxed, domain example.com,
selector = the key name, dkimpy's default header list (with its oversigning
of From), t= now; the signed message is the field + the message bytes.
Prints one JSON line; --print writes one signed message to stdout instead.
dkimpy parses the key on every call (its API takes the key bytes) and does
RSA in Python (pow()); Ed25519 goes through PyNaCl (libsodium).

--verify: checks every DKIM-Signature field of each FILE with dkimpy, the
public keys coming from corpus/keys/dns_txt.json through dkimpy's dnsfunc
(selector rsa2048 or ed25519 at example.com; any other lookup fails).
Exits 1 unless all verify.
"""

import base64
import json
import os
import re
import sys
import time

import dkim


def shared_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get("LETTRE_SHARED_DIR") or os.path.join(here, "..", "..", "shared")


def keys_dir():
    return os.path.join(shared_dir(), "corpus", "keys")


def dkimpy_key(name):
    with open(os.path.join(keys_dir(), "dkim_%s.pem" % name), "rb") as f:
        pem = f.read()
    if name == "rsa2048":
        return pem
    # PKCS#8 Ed25519: a 16-byte prefix, then the 32-byte seed.
    der = base64.b64decode(b"".join(l for l in pem.splitlines() if not l.startswith(b"-----")))
    if len(der) != 48:
        raise SystemExit("dkim_dkimpy.py: unexpected Ed25519 PKCS#8 key")
    return base64.b64encode(der[16:])


def make_dnsfunc():
    with open(os.path.join(keys_dir(), "dns_txt.json"), encoding="utf-8") as f:
        txt = json.load(f)
    records = {"rsa2048._domainkey.example.com": txt["dkim_rsa2048"],
               "ed25519._domainkey.example.com": txt["dkim_ed25519"]}

    def dnsfunc(name, timeout=5):
        key = name.decode("ascii") if isinstance(name, bytes) else name
        key = key.rstrip(".").lower()
        if key not in records:
            raise dkim.DKIMException("unexpected DNS lookup: %s" % key)
        return records[key].encode("ascii")
    return dnsfunc


def verify_files(paths):
    dnsfunc = make_dnsfunc()
    ok_all = True
    for path in paths:
        with open(path, "rb") as f:
            message = f.read()
        header = message.split(b"\r\n\r\n", 1)[0]
        count = sum(1 for line in header.split(b"\r\n") if line[:15].lower() == b"dkim-signature:")
        if count == 0:
            print("%s: no DKIM-Signature field" % path)
            ok_all = False
            continue
        for idx in range(count):
            d = dkim.DKIM(message, minkey=1024)
            try:
                ok = d.verify(idx=idx, dnsfunc=dnsfunc)
            except dkim.DKIMException as e:
                ok = False
                print("%s: signature %d: %s: %s" % (path, idx, type(e).__name__, e))
            print("%s: signature %d %s" % (path, idx, "verifies" if ok else "FAILS"))
            ok_all = ok_all and bool(ok)
    return 0 if ok_all else 1


def dkimpy_version():
    try:
        import importlib.metadata
        return importlib.metadata.version("dkimpy")
    except Exception:  # noqa: BLE001 - only for the report
        return getattr(dkim, "__version__", "?")


def usage():
    sys.stderr.write("usage: dkim_dkimpy.py <small|typical> <rsa2048|ed25519> [seconds] [--print]\n"
                     "       dkim_dkimpy.py --verify FILE...\n")
    sys.exit(2)


def main():
    args = sys.argv[1:]
    if args and args[0] == "--verify":
        if len(args) < 2:
            usage()
        return verify_files(args[1:])
    do_print = "--print" in args
    positional = [a for a in args if a != "--print"]
    if len(positional) < 2 or positional[0] not in ("small", "typical") or \
            positional[1] not in ("rsa2048", "ed25519"):
        usage()
    which, key_name = positional[0], positional[1]
    try:
        seconds = float(positional[2]) if len(positional) > 2 else 2.0
    except ValueError:
        usage()
    if seconds <= 0:
        usage()

    with open(os.path.join(shared_dir(), "corpus", which + ".eml"), "rb") as f:
        message = f.read()
    key = dkimpy_key(key_name)
    algorithm = b"rsa-sha256" if key_name == "rsa2048" else b"ed25519-sha256"
    selector = key_name.encode("ascii")

    def sign_once():
        field = dkim.sign(message, selector, b"example.com", key,
                          canonicalize=(b"relaxed", b"relaxed"), signature_algorithm=algorithm)
        return field + message

    if do_print:
        sys.stdout.buffer.write(sign_once())
        return 0

    warm_end = time.perf_counter() + max(0.3, seconds * 0.1)
    while time.perf_counter() < warm_end:
        sign_once()
    n = 0
    size = 0
    cpu_start = time.process_time()
    start = time.perf_counter()
    end = start + seconds
    now = start
    while now < end:
        size = len(sign_once())
        n += 1
        now = time.perf_counter()
    elapsed = now - start
    cpu = time.process_time() - cpu_start
    print(json.dumps({
        "impl": "dkimpy",
        "version": dkimpy_version(),
        "runtime": "python " + sys.version.split()[0],
        "message": which,
        "key": key_name,
        "supported": True,
        "iterations": n,
        "seconds": elapsed,
        "sig_per_s": n / elapsed,
        "cpu_seconds": cpu,
        "sig_per_cpu_s": n / cpu if cpu > 0 else 0.0,
        "bytes": size,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
