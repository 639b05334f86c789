#!/usr/bin/env python3
"""Makes throwaway certificates for the SMTP TLS tests with the openssl CLI.

    make_certs.py DIR

DIR/ca.pem          a test CA (EC P-256, valid 2 days)
DIR/server.pem/.key server certificate signed by it, SAN IP:127.0.0.1 and
                    DNS:localhost (CN "lettre test server")
DIR/other-ca.pem    an unrelated CA: trusting it must make verification fail
"""

import os
import subprocess
import sys


def run(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_ca(d, name, cn):
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", name + ".key", "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + cn,
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    make_ca(d, "ca", "lettre test CA")
    make_ca(d, "other-ca", "unrelated test CA")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=lettre test server", cwd=d)
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                "basicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext", cwd=d)
    print("ok")


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as e:
        sys.stderr.write(e.stderr.decode(errors="replace"))
        raise
