#!/usr/bin/env python3
"""Makes throwaway certificates for the SMTP TLS tests with the openssl CLI.

    make_certs.py DIR

DIR/ca.pem          a test CA (EC P-256, valid 2 days)
DIR/server.pem/.key server certificate signed by it, SAN IP:127.0.0.1 and
                    DNS:localhost (CN "lettre test server"); server-chain.pem
                    is it followed by ca.pem (what aiosmtpd_peer.py serves)
DIR/other-ca.pem    an unrelated CA: trusting it must make verification fail
DIR/selfsigned.pem/.key  a self-signed certificate for 127.0.0.1 and localhost
DIR/expired.pem/.key     signed by the test CA for 127.0.0.1 and localhost, but
                    valid only in the past (made with python3-cryptography:
                    the openssl command of Debian 12 cannot back-date)
"""

import datetime

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


def make_self_signed(d):
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "selfsigned.key", "-out", "selfsigned.pem", "-days", "2",
        "-subj", "/CN=lettre self-signed server",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", cwd=d)


def make_expired(d):
    import ipaddress  # pylint: disable=import-outside-toplevel
    from cryptography import x509  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import hashes, serialization  # noqa
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa
    from cryptography.x509.oid import NameOID  # noqa

    with open(os.path.join(d, "ca.key"), "rb") as f:
        ca_key = serialization.load_pem_private_key(f.read(), None)
    with open(os.path.join(d, "ca.pem"), "rb") as f:
        ca = x509.load_pem_x509_certificate(f.read())
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                                        "lettre expired server")]))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=10))
            .not_valid_after(now - datetime.timedelta(days=3))
            .add_extension(x509.SubjectAlternativeName([
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=False)
            .sign(ca_key, hashes.SHA256()))
    with open(os.path.join(d, "expired.pem"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(d, "expired.key"), "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))


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
    # What a real server sends: its certificate, then the issuer's. DANE-TA
    # digests (2 x 1/2) need the issuer in the chain (RFC 7672 §3.1.2).
    with open(os.path.join(d, "server-chain.pem"), "w") as out:
        for name in ("server.pem", "ca.pem"):
            with open(os.path.join(d, name)) as f:
                out.write(f.read())
    make_self_signed(d)
    make_expired(d)
    print("ok")


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as e:
        sys.stderr.write(e.stderr.decode(errors="replace"))
        raise
