#!/usr/bin/python3
"""Writes hand-made seed inputs for the fuzz targets added in session 6 into
DIR/<target>/ (then: scripts/fuzz.sh --minimize merges them into
tests/fuzz/corpus/). Needs dnspython and the openssl command.

    /usr/bin/python3 tests/fuzz/make_seeds.py DIR
"""
import base64
import os
import subprocess
import sys
import tempfile

import dns.edns
import dns.flags
import dns.message
import dns.rrset

out = sys.argv[1]


def put(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("latin-1"))


# fuzz_dns_answer: real responses, with name compression.
def response(qname, qtype, answers):
    q = dns.message.make_query(qname, qtype)
    r = dns.message.make_response(q)
    for name, rtype, ttl, text in answers:
        r.answer.append(dns.rrset.from_text(name, ttl, "IN", rtype, *text))
    return r.to_wire()

dns_cases = {
    "mx": response("example.com.", "MX", [("example.com.", "MX", 300, ["10 mx1.example.com.", "20 mx2.example.net."])]),
    "null-mx": response("example.com.", "MX", [("example.com.", "MX", 300, ["0 ."])]),
    "a": response("mx1.example.com.", "A", [("mx1.example.com.", "A", 60, ["192.0.2.1", "192.0.2.2"])]),
    "aaaa": response("mx1.example.com.", "AAAA", [("mx1.example.com.", "AAAA", 60, ["2001:db8::1"])]),
    "txt": response("_mta-sts.example.com.", "TXT", [("_mta-sts.example.com.", "TXT", 60, ['"v=STSv1; id=1" "more"'])]),
    "tlsa": response("_25._tcp.mx1.example.com.", "TLSA", [("_25._tcp.mx1.example.com.", "TLSA", 60, ["3 1 1 " + "ab" * 32])]),
    "cname-mx": response("alias.example.com.", "MX", [("alias.example.com.", "CNAME", 60, ["example.com."]),
                                                       ("example.com.", "MX", 60, ["5 mx.example.com."])]),
    "cname-a": response("www.example.com.", "A", [("www.example.com.", "CNAME", 60, ["host.example.com."]),
                                                   ("host.example.com.", "A", 60, ["192.0.2.7"])]),
    "cname-loop": response("a.example.com.", "A", [("a.example.com.", "CNAME", 60, ["b.example.com."]),
                                                    ("b.example.com.", "CNAME", 60, ["a.example.com."])]),
}
for name, wire in dns_cases.items():
    put("fuzz_dns_answer", name, wire)


# The DNSSEC-aware lookups' answers (read_meta): the AD bit, RRSIGs, an OPT
# record with the DO bit, NSEC proofs of denial, Extended DNS Errors.
def dnssec_response(qname, qtype, answers=(), authority=(), rcode=0, ad=True, ede=None):
    q = dns.message.make_query(qname, qtype, want_dnssec=True)
    q.flags |= dns.flags.AD
    r = dns.message.make_response(q)
    if ad:
        r.flags |= dns.flags.AD
    r.set_rcode(rcode)
    for section, rrs in ((r.answer, answers), (r.authority, authority)):
        for name, rtype, ttl, text in rrs:
            section.append(dns.rrset.from_text(name, ttl, "IN", rtype, *text))
    if ede is not None:
        # A cookie first: the reader must skip options that are no EDE.
        r.use_edns(0, dns.flags.DO, 1232, options=[
            dns.edns.GenericOption(10, b"\x01" * 16), dns.edns.EDEOption(*ede)])
    return r.to_wire()


SIG = "20300101000000 20200101000000 12345 example.com. " + "AAAA" * 16
dnssec_cases = {
    "dnssec-tlsa-secure": dnssec_response(
        "_25._tcp.mx1.example.com.", "TLSA",
        [("_25._tcp.mx1.example.com.", "TLSA", 60, ["3 1 1 " + "ab" * 32, "2 0 2 " + "cd" * 64]),
         ("_25._tcp.mx1.example.com.", "RRSIG", 60, ["TLSA 13 5 60 " + SIG])]),
    "dnssec-mx-insecure": dnssec_response(
        "example.com.", "MX", [("example.com.", "MX", 300, ["10 mx1.example.com."])], ad=False),
    "dnssec-nxdomain-nsec": dnssec_response(
        "_25._tcp.mx2.example.com.", "TLSA", rcode=3,
        authority=[("example.com.", "NSEC", 60, ["mx1.example.com. A MX RRSIG NSEC"]),
                   ("example.com.", "RRSIG", 60, ["NSEC 13 2 60 " + SIG])]),
    "dnssec-bogus-ede": dnssec_response(
        "_25._tcp.mx1.example.com.", "TLSA", rcode=2, ad=False, ede=(6, "signature expired")),
    "dnssec-tlsa-unusable-ede": dnssec_response(
        "_25._tcp.mx1.example.com.", "TLSA",
        [("_25._tcp.mx1.example.com.", "TLSA", 60, ["1 1 1 " + "ef" * 32, "0 0 1 " + "01" * 32])],
        ede=(1, "")),
}
for name, wire in dnssec_cases.items():
    put("fuzz_dns_answer", name, wire)

# fuzz_sasl: byte 0 = mechanism (0 SCRAM, 1 OAUTHBEARER, 2 XOAUTH2, 3 PLAIN,
# 4 LOGIN, 5 CRAM-MD5) | 0x80 to base64-encode each challenge.
first = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
final = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
sasl = {
    "scram-ok": "\x80" + first + "\n" + final,
    "scram-bad-proof": "\x80" + first + "\nv=AAAA",
    "scram-error": "\x80" + first + "\ne=invalid-proof",
    "scram-ext": "\x80m=ext," + first,
    "scram-low-i": "\x80r=rOprNGfwEbeRWgbNEkqOx,s=c2FsdA==,i=4095",
    "scram-raw": "\x00" + base64.b64encode(first.encode()).decode() + "\n" + base64.b64encode(final.encode()).decode(),
    "oauthbearer": "\x81{\"status\":\"invalid_token\",\"scope\":\"mail\"}\nagain",
    "xoauth2": "\x82{\"status\":\"401\",\"schemes\":\"Bearer\"}\nagain",
    "plain": "\x83anything",
    "login": "\x84Username:\nPassword:\nAgain:",
    "cram": "\x85<1896.697170952@postoffice.example.net>\nsecond",
    "raw-not-b64": "\x04Username:",
}
for name, data in sasl.items():
    put("fuzz_sasl", name, data)

# fuzz_smtp_url
urls = ["smtp://mail.example.com", "smtps://mail.example.com:465", "smtp://mail.example.com:465",
        "smtp://u:p@mail.example.com:2525", "smtps://user%40x:pa%25ss@[2001:db8::1]:465/",
        "smtp://127.0.0.1?ehlo=%5B192.0.2.1%5D", "smtp://h?ehlo=a%20b",
        "smtp://h?tls=opportunistic&auth=PLAIN,LOGIN,SCRAM-SHA-256&timeout=30&pipelining=false&chunking=true",
        "smtp://h?tls=none&plaintext_auth=dangerous&certificates=dangerous-accept-invalid&ca_file=/etc/ca.pem",
        "smtps://u:@h", "smtp://:p@h", "smtp://h:0", "smtp://h/path", "smtp://[::1", "mail.example.com",
        "smtp://u:p%zz@h", "smtp://h?bogus=1", "smtp://h?auth=XOAUTH2,OAUTHBEARER,CRAM-MD5"]
for i, u in enumerate(urls):
    put("fuzz_smtp_url", "url-%02d" % i, u)

# fuzz_dkim_key
with tempfile.TemporaryDirectory() as tmp:
    def ossl(*args):
        return subprocess.run(["openssl", *args], check=True, capture_output=True).stdout
    rsa = os.path.join(tmp, "rsa.pem")
    ossl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", rsa)
    ed = os.path.join(tmp, "ed.pem")
    ossl("genpkey", "-algorithm", "ED25519", "-out", ed)
    put("fuzz_dkim_key", "rsa-pkcs8.pem", open(rsa, "rb").read())
    put("fuzz_dkim_key", "rsa-pkcs1.pem", ossl("rsa", "-in", rsa, "-traditional"))
    put("fuzz_dkim_key", "rsa.der", ossl("pkey", "-in", rsa, "-outform", "DER"))
    put("fuzz_dkim_key", "ed25519.pem", open(ed, "rb").read())
    ed_der = ossl("pkey", "-in", ed, "-outform", "DER")
    put("fuzz_dkim_key", "ed25519.der", ed_der)
    put("fuzz_dkim_key", "ed25519-seed", base64.b64encode(ed_der[-32:]) + b"\n")
    put("fuzz_dkim_key", "two-keys.pem", open(ed, "rb").read() + open(rsa, "rb").read())
    put("fuzz_dkim_key", "encrypted.pem", b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n")

# fuzz_each_to
each = {
    "plain": "a@example.com\nb@example.org\n",
    "comments": "# list\n\n  c@example.net  \r\n\t# x\nName <d@example.com>\n",
    "invalid": "not an address\n<>\n\"q\"@x\n",
    "utf8": "\xce\xb4@example.org\nJos\xc3\xa9 <j@example.com>",
    "long": "a@example.com\n\x7fa\x7fa\x7fa\x7fa\x7fa@example.com\nb@example.com\n",
    "crlf": "a@example.com\r\nb@example.com\r\n",
}
for name, data in each.items():
    put("fuzz_each_to", name, data)

# fuzz_smtp_dialogue: config byte, EHLO byte, shape byte, then chunks.
# config: bits 0-1 TLS (none, opportunistic, required, implicit), 2-3
# credentials (password, oauth2), 4 pipelining, 5 chunking, 6 REQUIRETLS, 7 DSN.
# EHLO: 1 PIPELINING 2 CHUNKING 4 SMTPUTF8 8 DSN 16 SIZE (32: small, +REQUIRETLS)
# 64 STARTTLS 128 8BITMIME. shape: bits 0-1 recipients-1, 2-3 message kind,
# 4-7 read size.
ok_tx = "250 ok\n250 ok\n354 go\n250 queued\n221 bye"
dialogue = {
    "plain": (0x00, 0x00, 0x00, "220 hi\nE\n" + ok_tx),
    "two-rcpt": (0x00, 0x00, 0x11, "220 hi\nE\n250 ok\n250 ok\n550 no\n354 go\n250 queued\n221 bye"),
    "pipelining": (0x10, 0x01, 0x22, "220 hi\nE\n250 ok|250 ok|550 no|250 ok|354 go\n250 queued\n221 bye"),
    "pipelining-all-refused": (0x10, 0x01, 0x00, "220 hi\nE\n250 ok|550 no|354 go\n250 ok\n250 ok\n221 bye"),
    "bdat": (0x20, 0x02, 0x00, "220 hi\nE\n250 ok\n250 ok\n250 done\n221 bye"),
    "bdat-pipelining": (0x30, 0x03, 0x01, "220 hi\nE\n250 ok|250 ok|250 ok\n250 done\n221 bye"),
    "starttls": (0x02, 0x40, 0x00, "220 hi\nE\n220 go\nE\n" + ok_tx),
    "starttls-injection": (0x02, 0x40, 0x00, "220 hi\nE\n220 go|250 injected"),
    "implicit": (0x03, 0x00, 0x30, "220 hi\nE\n" + ok_tx),
    "auth-plain": (0x04, 0x00, 0x00, "220 hi\nE\n235 ok\n" + ok_tx),
    "auth-login": (0x04, 0x00, 0x00, "220 hi\n250-mx|250 AUTH LOGIN\n334 VXNlcm5hbWU6\n334 UGFzc3dvcmQ6\n235 ok\n" + ok_tx),
    "auth-cram": (0x04, 0x00, 0x00, "220 hi\n250-mx|250 AUTH CRAM-MD5\n334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\n235 ok\n" + ok_tx),
    "auth-refused": (0x04, 0x00, 0x00, "220 hi\nE\n535 5.7.8 no\n221 bye"),
    "xoauth2": (0x08, 0x00, 0x00, "220 hi\nE\n334 eyJzdGF0dXMiOiI0MDEifQ==\n535 no\n221 bye"),
    "421-mid": (0x00, 0x00, 0x01, "220 hi\nE\n250 ok\n421 4.3.2 closing"),
    "dsn-utf8": (0x80, 0x8d, 0x08, "220 hi\nE\n" + ok_tx),
    "eightbit": (0x00, 0x80, 0x04, "220 hi\nE\n" + ok_tx),
    "helo": (0x00, 0x00, 0x00, "220 hi\n500 what\n250 ok\n" + ok_tx),
    "size-refused": (0x40, 0x30, 0x00, "220 hi\nE\n221 bye"),
    "final-refused": (0x00, 0x00, 0x00, "220 hi\nE\n250 ok\n250 ok\n354 go\n554 5.7.1 spam\n221 bye"),
    "long-line": (0x00, 0x00, 0xf0, "220 hi\n~250-\x7fa\x7fa\x7fa\x7fa\x7fa"),
    "garbage": (0x00, 0x00, 0x00, "220 hi\nE\nxyz\n"),
    "greeting-554": (0x00, 0x00, 0x00, "554 go away\n221 bye"),
}
for name, (cfg, caps, shape, chunks) in dialogue.items():
    put("fuzz_smtp_dialogue", name, bytes([cfg, caps, shape]) + chunks.encode("latin-1"))
# Windowed mode (message kind 3: shape 0x0c; 0x80 withdraws a queued send):
# four sends through the pipelining window.
ok_next = "250 queued\n250 ok\n250 ok\n354 go\n"
window = {
    "window-data": (0x10, 0x01, 0x0c, "220 hi\nE\n250 ok\n250 ok\n354 go\n" + ok_next * 3 + "250 queued\n221 bye"),
    "window-bdat": (0x30, 0x03, 0x0c, "220 hi\nE\n" + "250 ok\n" * 15 + "221 bye"),
    "window-bdat-refused": (0x30, 0x03, 0x1d, "220 hi\nE\n250 ok\n250 ok\n250 ok\n554 no\n" + "250 ok\n" * 14 + "221 bye"),
    "window-421": (0x10, 0x01, 0x0c, "220 hi\nE\n250 ok\n250 ok\n354 go\n250 queued\n250 ok\n250 ok\n354 go\n421 closing"),
    "window-withdraw": (0x10, 0x01, 0x8c, "220 hi\nE\n250 ok\n250 ok\n354 go\n" + ok_next * 2 + "250 queued\n221 bye"),
    "window-bdat-withdraw": (0x30, 0x03, 0xac, "220 hi\nE\n" + "250 ok\n" * 11 + "221 bye"),
    "window-quiet": (0x10, 0x01, 0x0c, "220 hi\nE\n250 ok\n250 ok\n354 go\n250 queued\n250 ok"),
    "window-bdat-quiet": (0x30, 0x03, 0x0c, "220 hi\nE\n250 ok\n250 ok\n250 ok\n250 ok\n250 ok"),
}
for name, (cfg, caps, shape, chunks) in window.items():
    put("fuzz_smtp_dialogue", name, bytes([cfg, caps, shape]) + chunks.encode("latin-1"))
