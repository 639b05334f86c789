#!/usr/bin/python3
"""An HTTPS MTA-STS policy server (RFC 8461 §3.3) for the tests: one
process on --ip and a free port, answering for many mta-sts.<domain> host
names (by Host header; SNI picks the certificate). Makes its own test CA
(with make_certs.py of the SMTP tests) in DIR: DIR/ca.pem. Prints
"PORT https <n>" and "READY"; exits when stdin closes.

    mta_sts_server.py --ip 127.0.0.30 --dir DIR

Behaviour by policy domain (the host name without "mta-sts."):
  enforce.test    mode enforce, mx: mx1.enforce.test only
  testing.test    mode testing
  none.test       mode none
  charset.test    enforce, Content-Type "text/plain; charset=utf-8"
  rotate.test     enforce, mx: new.rotate.test
  redirect.test   301 to https://mta-sts.enforce.test/.well-known/mta-sts.txt
  big.test        a 70 KiB body
  ctype.test      Content-Type text/html
  notfound.test   404
  failing.test    500
  invalid.test    a body that is no policy
  slow.test       waits 10 s before answering
  wrongname.test  a certificate for mta-sts.other.test (SNI)
  expired.test    enforce, mx: mx.expired.test (whose SMTP certificate expired)
Every request appends "<host> <path>" to DIR/requests.log.
"""

import argparse
import http.server
import os
import ssl
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "smtp", "peers"))
import make_certs  # noqa: E402  pylint: disable=wrong-import-position

POLICIES = {
    "enforce.test": "version: STSv1\r\nmode: enforce\r\nmx: mx1.enforce.test\r\nmax_age: 86400\r\n",
    "testing.test": "version: STSv1\nmode: testing\nmx: *.testing.test\nmax_age: 86400\n",
    "none.test": "version: STSv1\nmode: none\nmax_age: 86400\n",
    "charset.test": "version: STSv1\nmode: enforce\nmx: mx.charset.test\nmax_age: 600\n",
    "rotate.test": "version: STSv1\nmode: enforce\nmx: new.rotate.test\nmax_age: 86400\n",
    "invalid.test": "version: STSv1\nmode: strict\nmx: a.test\nmax_age: 1\n",
    "expired.test": "version: STSv1\nmode: enforce\nmx: mx.expired.test\nmax_age: 86400\n",
}
GOOD_NAMES = ["enforce.test", "testing.test", "none.test", "charset.test", "rotate.test",
              "redirect.test", "big.test", "ctype.test", "notfound.test", "failing.test",
              "invalid.test", "slow.test", "expired.test"]


def leaf(d, name, sans):
    make_certs.run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                   "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + sans[0],
                   cwd=d)
    with open(os.path.join(d, name + ".ext"), "w") as f:
        f.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                % ",".join("DNS:" + s for s in sans))
    make_certs.run("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                   "-CAcreateserial", "-out", name + ".pem", "-days", "2",
                   "-extfile", name + ".ext", cwd=d)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(d, name + ".pem"), os.path.join(d, name + ".key"))
    return ctx


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def send(self, status, body, ctype="text/plain", extra=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802
        host = (self.headers.get("Host") or "").split(":")[0]
        with open(os.path.join(self.server.dir, "requests.log"), "a") as f:
            f.write("%s %s\n" % (host, self.path))
        domain = host[len("mta-sts."):] if host.startswith("mta-sts.") else ""
        if self.path != "/.well-known/mta-sts.txt":
            return self.send(404, "not found\n")
        if domain in ("enforce.test", "testing.test", "none.test", "rotate.test",
                      "invalid.test", "expired.test"):
            return self.send(200, POLICIES[domain])
        if domain == "charset.test":
            return self.send(200, POLICIES[domain], "text/plain; charset=utf-8")
        if domain == "redirect.test":
            return self.send(301, "moved\n", extra=[(
                "Location", "https://mta-sts.enforce.test/.well-known/mta-sts.txt")])
        if domain == "big.test":
            return self.send(200, POLICIES["enforce.test"] + "x" * (70 * 1024))
        if domain == "ctype.test":
            return self.send(200, POLICIES["enforce.test"], "text/html")
        if domain == "failing.test":
            return self.send(500, "oops\n")
        if domain == "slow.test":
            time.sleep(10)
            return self.send(200, POLICIES["enforce.test"])
        return self.send(404, "unknown\n")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients that hang up early (the size limit test) are expected


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ip", required=True)
    ap.add_argument("--dir", required=True)
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    make_certs.make_ca(a.dir, "ca", "lettre mta-sts test CA")
    good = leaf(a.dir, "good", ["mta-sts." + n for n in GOOD_NAMES])
    wrong = leaf(a.dir, "wrong", ["mta-sts.other.test"])

    def pick(sock, server_name, _ctx):
        if server_name == "mta-sts.wrongname.test":
            sock.context = wrong

    good.sni_callback = pick
    srv = Server((a.ip, 0), Handler)
    srv.dir = a.dir
    srv.socket = good.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print("PORT https %d" % srv.server_address[1])
    print("READY", flush=True)
    sys.stdin.read()  # until the test closes our stdin
    os._exit(0)


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as e:
        sys.stderr.write(e.stderr.decode(errors="replace"))
        raise
