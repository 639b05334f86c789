#!/usr/bin/python3
"""SMTP servers standing in for MX hosts: one process listening on several
loopback addresses (127.0.0.2, 127.0.0.3, ...) on one shared port, each
address with its own behaviour. Prints "PORT smtp <n>" and "READY"; exits
when stdin closes.

    mx_smtp_server.py --outdir DIR [--tls-name NAME[,NAME...]] --host IP=BEHAVIOUR[,...] ...

Behaviours:
  accept            take every message (the default)
  tempfail_rcpt     451 4.3.0 to every RCPT
  reject_rcpt       550 5.1.1 to every RCPT
  reject_user=NAME  550 5.1.1 to RCPTs whose local part is NAME
  greet421          421 at connection, then close
  stall             greet, then never answer (until the client hangs up)
  trickle           send a long greeting one byte a second (minutes in all),
                    then hang up: a deadline counted from the start of the
                    greeting gives up long before
  tempfail_data     451 after the end of data
  reject_mail       550 5.7.1 to MAIL FROM
  starttls          offer STARTTLS (certificate for the --tls-name names, from a
                    test CA written to DIR/ca.pem; sent with the CA: DIR/chain.pem;
                    the server's own certificate is DIR/server.pem)
  badtls            with starttls: answer STARTTLS with 220, then send bytes
                    that are no TLS record and hang up (a failed handshake)
  expired           with starttls: present DIR/expired-chain.pem instead, for the same
                    names from the same CA but valid only in the past (from 10
                    to 3 days ago; python3-cryptography: the openssl command of
                    Debian 12 cannot back-date)

Every accepted message is written to DIR/<ip>/<n>.txt: lines "from X",
"rcpt X" (each), "tls 0|1", "reused 0|1" (the TLS session was resumed),
"helo NAME", then "data" and the message.
Every connection appends a line to DIR/<ip>.connections.
"""

import argparse
import asyncio
import datetime
import os
import ssl
import subprocess
import sys


def make_cert(d, name):
    def run(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=lettre mx test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    names = name.split(",")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=" + names[0])
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                % ",".join("DNS:" + n for n in names))
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext")
    # The chain the server sends: its certificate and the CA (DANE-TA 2
    # records name the CA, which the client only sees when it is sent).
    with open(os.path.join(d, "chain.pem"), "w") as out:
        for part in ("server.pem", "ca.pem"):
            with open(os.path.join(d, part)) as f:
                out.write(f.read())


def make_expired_cert(d, name):
    from cryptography import x509  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import hashes, serialization  # noqa
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa
    from cryptography.x509.oid import NameOID  # noqa

    with open(os.path.join(d, "ca.key"), "rb") as f:
        ca_key = serialization.load_pem_private_key(f.read(), None)
    with open(os.path.join(d, "ca.pem"), "rb") as f:
        ca = x509.load_pem_x509_certificate(f.read())
    names = name.split(",")
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=10))
            .not_valid_after(now - datetime.timedelta(days=3))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=False)
            .sign(ca_key, hashes.SHA256()))
    with open(os.path.join(d, "expired-chain.pem"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(d, "expired.key"), "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))


class Session:
    def __init__(self, ip, behaviour, outdir, tls_ctx, counter):
        self.ip = ip
        self.b = behaviour
        self.outdir = outdir
        self.tls_ctx = tls_ctx
        self.counter = counter

    async def run(self, reader, writer):
        self.reader, self.writer = reader, writer
        with open(os.path.join(self.outdir, self.ip + ".connections"), "a") as f:
            f.write("connect\n")
        if "greet421" in self.b:
            await self.reply("421 4.3.2 busy, try later")
            writer.close()
            return
        if "trickle" in self.b:
            await self.trickle(("220 %s ESMTP %s\r\n" % (self.ip, "." * 300)).encode())
            return
        await self.reply("220 %s ESMTP test" % self.ip)
        if "stall" in self.b:
            while await reader.readline():
                pass
            writer.close()
            return
        tls = False
        reused = False
        helo = ""
        mail = None
        rcpts = []
        while True:
            line = await reader.readline()
            if not line:
                break
            cmd = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = cmd.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                helo = cmd[5:]
                caps = ["250-%s" % self.ip, "250-PIPELINING", "250-8BITMIME", "250-SMTPUTF8"]
                if "starttls" in self.b and not tls and self.tls_ctx:
                    caps.append("250-STARTTLS")
                caps.append("250 ENHANCEDSTATUSCODES")
                await self.reply("\r\n".join(caps))
            elif verb == "STARTTLS" and self.tls_ctx and not tls:
                await self.reply("220 2.0.0 go ahead")
                if "badtls" in self.b:
                    # Wait for the ClientHello, so that the garbage cannot
                    # arrive with the 220 (which the client refuses earlier).
                    await reader.read(1)
                    await self.reply("this is not a TLS server hello")
                    break
                try:
                    await writer.start_tls(self.tls_ctx)
                except (ssl.SSLError, ConnectionError):
                    # The client refused the certificate (a DANE or PKIX
                    # test): its alert ends the session.
                    writer.close()
                    return
                tls = True
                reused = writer.get_extra_info("ssl_object").session_reused
                helo = ""
            elif verb == "MAIL":
                if "reject_mail" in self.b:
                    await self.reply("550 5.7.1 sender refused")
                    continue
                mail = cmd[10:].split(" ")[0]
                rcpts = []
                await self.reply("250 2.1.0 ok")
            elif verb == "RCPT":
                addr = cmd[8:].split(" ")[0].strip("<>")
                local = addr.split("@")[0]
                if mail is None:
                    await self.reply("503 5.5.1 need MAIL")
                elif "tempfail_rcpt" in self.b:
                    await self.reply("451 4.3.0 try again later")
                elif "reject_rcpt" in self.b or self.b.get("reject_user") == local:
                    await self.reply("550 5.1.1 no such user here")
                else:
                    rcpts.append(addr)
                    await self.reply("250 2.1.5 ok")
            elif verb == "DATA":
                if mail is None or not rcpts:
                    await self.reply("503 5.5.1 no valid recipients")
                    continue
                await self.reply("354 go ahead")
                data = []
                while True:
                    l = await reader.readline()
                    if not l or l == b".\r\n":
                        break
                    data.append(l[1:] if l.startswith(b"..") else l)
                if "tempfail_data" in self.b:
                    await self.reply("451 4.3.0 cannot take it now")
                else:
                    self.counter[self.ip] = self.counter.get(self.ip, 0) + 1
                    d = os.path.join(self.outdir, self.ip)
                    os.makedirs(d, exist_ok=True)
                    n = self.counter[self.ip]
                    tmp = os.path.join(d, "%03d.tmp" % n)
                    with open(tmp, "wb") as f:
                        f.write(("from %s\n" % mail).encode())
                        for r in rcpts:
                            f.write(("rcpt %s\n" % r).encode())
                        f.write(("tls %d\nreused %d\nhelo %s\ndata\n" % (tls, reused, helo)).encode())
                        f.write(b"".join(data))
                    os.rename(tmp, os.path.join(d, "%03d.txt" % n))
                    await self.reply("250 2.0.0 queued as %s-%d" % (self.ip, n))
                mail = None
                rcpts = []
            elif verb == "RSET":
                mail = None
                rcpts = []
                await self.reply("250 2.0.0 ok")
            elif verb == "NOOP":
                await self.reply("250 2.0.0 ok")
            elif verb == "QUIT":
                await self.reply("221 2.0.0 bye")
                break
            else:
                await self.reply("502 5.5.2 unknown command")
        writer.close()

    async def trickle(self, data):
        try:
            for byte in data:
                self.writer.write(bytes([byte]))
                await self.writer.drain()
                await asyncio.sleep(1)
        except ConnectionError:
            pass  # the client gave up, as it should
        self.writer.close()

    async def reply(self, text):
        self.writer.write(text.encode() + b"\r\n")
        await self.writer.drain()


def parse_behaviour(spec):
    out = {}
    for item in spec.split(","):
        if "=" in item:
            k, v = item.split("=", 1)
            out[k] = v
        elif item:
            out[item] = True
    return out


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--outdir", required=True)
    p.add_argument("--tls-name")
    p.add_argument("--host", action="append", default=[])
    args = p.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    tls_ctx = expired_ctx = None
    if args.tls_name:
        make_cert(args.outdir, args.tls_name)
        tls_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_ctx.load_cert_chain(os.path.join(args.outdir, "chain.pem"),
                                os.path.join(args.outdir, "server.key"))
        if any("expired" in h for h in args.host):
            make_expired_cert(args.outdir, args.tls_name)
            expired_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            expired_ctx.load_cert_chain(os.path.join(args.outdir, "expired-chain.pem"),
                                        os.path.join(args.outdir, "expired.key"))
    hosts = []
    for h in args.host:
        ip, _, spec = h.partition("=")
        hosts.append((ip, parse_behaviour(spec or "accept")))
    counter = {}

    def ctx_of(b):
        return expired_ctx if "expired" in b else tls_ctx

    loop = asyncio.get_running_loop()
    for _ in range(30):
        servers = []
        try:
            first = await asyncio.start_server(
                lambda r, w, ip=hosts[0][0], b=hosts[0][1]:
                    Session(ip, b, args.outdir, ctx_of(b), counter).run(r, w),
                hosts[0][0], 0)
            servers.append(first)
            port = first.sockets[0].getsockname()[1]
            for ip, b in hosts[1:]:
                servers.append(await asyncio.start_server(
                    lambda r, w, ip=ip, b=b:
                        Session(ip, b, args.outdir, ctx_of(b), counter).run(r, w),
                    ip, port))
            break
        except OSError:
            for s in servers:
                s.close()
            continue
    else:
        sys.exit("no common free port")
    print("PORT smtp %d" % port, flush=True)
    print("READY", flush=True)
    await loop.run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main())
