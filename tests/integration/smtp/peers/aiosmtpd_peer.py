#!/usr/bin/env python3
"""aiosmtpd test peer for lettre's SMTP integration tests.

Starts several SMTP listeners on 127.0.0.1 (ports chosen by the kernel), one
per name given with --listen, prints "PORT <name> <port>" for each and then
"READY", and serves until SIGTERM/SIGINT or until its standard input closes
(so it never outlives the test that started it).

Every accepted message is written to OUTDIR/<name>/<seq>.eml (the content
exactly as received, after dot-unstuffing) and OUTDIR/<name>/<seq>.env (the
envelope: "from", "option", "rcpt", "tls", "auth" lines), the .env last and
by rename, so that a reader that sees it sees the whole message.

Listener kinds (--listen NAME:KIND):
  plain        no TLS, PIPELINING and SMTPUTF8 offered
  nopipe       no TLS, no PIPELINING, no SMTPUTF8
  size         plain with SIZE 2000
  auth_plain   no TLS, AUTH PLAIN LOGIN offered in plaintext
  starttls     STARTTLS required; AUTH PLAIN LOGIN SCRAM-SHA-256 after TLS
  impostor     STARTTLS; SCRAM-SHA-256 whose server does not know the password
  implicit     TLS from the first byte; AUTH PLAIN LOGIN
  count        plain, but stores nothing: appends each accepted message's
               Subject to OUTDIR/<name>.subjects (one line, flushed before
               the 250), for load tests
  starttls12   STARTTLS required, TLS 1.2 at most and no session tickets:
               resumption by session ID (RFC 5246)
  flaky        STARTTLS required; while the file OUTDIR/<name>.fail exists,
               the next handshake is refused (handshake_failure alert, at
               the ClientHello) and the file removed

The .env of a message received over TLS also has "reused 0|1" (whether the
TLS session was resumed: the server's view) and "tlsversion" lines.

Mailbox behaviour (any listener): a sender whose local part starts with
"reject" gets 550, "defer" 451; a recipient starting with "reject" 550,
"defer" 450; a message with a recipient starting with "finalreject" gets
554 after the data.

Users (AUTH): "user" / "secret password"; SCRAM iterations 4096.
"""

import argparse
import asyncio
import base64
import hashlib
import hmac
import logging
import os
import signal
import ssl
import sys
import warnings

from aiosmtpd.smtp import MISSING, SMTP, AuthResult, LoginPassword

warnings.simplefilter("ignore", DeprecationWarning)
# aiosmtpd logs every failed handshake (the tests cause many on purpose) and
# deprecation notes of its own; the tests check outcomes, not this log.
logging.getLogger("mail.log").setLevel(logging.CRITICAL)

USERS = {"user": "secret password"}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class Handler:
    def __init__(self, name, outdir, pipelining):
        self.name = name
        self.dir = os.path.join(outdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.pipelining = pipelining
        self.seq = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.pipelining:
            responses.insert(len(responses) - 1, "250-PIPELINING")
        responses.insert(len(responses) - 1, "250-ENHANCEDSTATUSCODES")
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        local = address.split("@")[0].lower()
        if local.startswith("reject"):
            return "550 5.7.1 <%s>: Sender address rejected: Access denied" % address
        if local.startswith("defer"):
            return "451 4.7.1 <%s>: Sender address rejected: try again later" % address
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 Ok"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if local.startswith("defer"):
            return "450 4.2.1 <%s>: Recipient address rejected: mailbox busy" % address
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        if any(r.split("@")[0].lower().startswith("finalreject") for r in envelope.rcpt_tos):
            return "554 5.7.1 Message rejected as spam"
        self.seq += 1
        base = os.path.join(self.dir, "%04d" % self.seq)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        tls = server.transport is not None and server.transport.get_extra_info("ssl_object") is not None
        lines = ["from %s" % envelope.mail_from]
        lines += ["option %s" % o for o in envelope.mail_options]
        lines += ["rcpt %s" % r for r in envelope.rcpt_tos]
        lines.append("tls %d" % (1 if tls else 0))
        if tls:
            ssl_object = server.transport.get_extra_info("ssl_object")
            lines.append("reused %d" % (1 if ssl_object.session_reused else 0))
            lines.append("tlsversion %s" % ssl_object.version())
        login = getattr(session.auth_data, "login", None)
        if login is not None:
            lines.append("auth %s" % (login.decode() if isinstance(login, bytes) else login))
        with open(base + ".env.tmp", "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        os.rename(base + ".env.tmp", base + ".env")
        return "250 2.0.0 Ok: queued as %s-%04d" % (self.name, self.seq)


def authenticator(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword):
        user = auth_data.login.decode("utf-8", "replace")
        if USERS.get(user) == auth_data.password.decode("utf-8", "replace"):
            return AuthResult(success=True, auth_data=auth_data)
    return AuthResult(success=False, handled=False)


class CountHandler(Handler):
    """Keeps only the Subject of each message, for tests that send thousands."""

    def __init__(self, name, outdir, pipelining):
        super().__init__(name, outdir, pipelining)
        self.out = open(os.path.join(outdir, name + ".subjects"), "a", buffering=1)

    async def handle_DATA(self, server, session, envelope):
        subject = "-"
        for line in envelope.original_content.split(b"\r\n"):
            if not line:
                break
            if line.startswith(b"Subject: "):
                subject = line[9:].decode("utf-8", "replace")
                break
        self.out.write(subject + "\n")
        return "250 2.0.0 Ok: queued"


class ScramHandler(Handler):
    """SCRAM-SHA-256 (RFC 5802, RFC 7677) written here, independent of lettre."""

    impostor = False

    async def auth_SCRAM__SHA__256(self, server, args):
        if len(args) >= 2:
            try:
                client_first = base64.b64decode(args[1], validate=True)
            except Exception:
                await server.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False, handled=True)
        else:
            client_first = await server.challenge_auth("")
            if client_first is MISSING:
                return AuthResult(success=False, handled=True)
        try:
            text = client_first.decode()
            gs2_cb, authzid, bare = text.split(",", 2)
            if gs2_cb != "n":
                raise ValueError("channel binding")
            attrs = dict(kv.split("=", 1) for kv in bare.split(","))
            user = attrs["n"].replace("=2C", ",").replace("=3D", "=")
            cnonce = attrs["r"]
        except Exception:
            await server.push("501 5.5.2 bad SCRAM client-first message")
            return AuthResult(success=False, handled=True)
        password = USERS.get(user, "")
        salt = os.urandom(16)
        iterations = 4096
        snonce = cnonce + b64(os.urandom(12))
        server_first = "r=%s,s=%s,i=%d" % (snonce, b64(salt), iterations)
        client_final = await server.challenge_auth(server_first)
        if client_final is MISSING:
            return AuthResult(success=False, handled=True)
        try:
            without_proof, proof = client_final.decode().rsplit(",p=", 1)
            if not without_proof.startswith("c=biws,r=" + snonce):
                raise ValueError("nonce")
        except Exception:
            await server.push("501 5.5.2 bad SCRAM client-final message")
            return AuthResult(success=False, handled=True)
        auth_message = ",".join([bare, server_first, without_proof])
        salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored_key = hashlib.sha256(client_key).digest()
        signature = hmac.new(stored_key, auth_message.encode(), hashlib.sha256).digest()
        expected = bytes(a ^ b for a, b in zip(client_key, signature))
        if not self.impostor and (user not in USERS or not hmac.compare_digest(b64(expected), proof)):
            return AuthResult(success=False, handled=False)
        server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        v = b64(hmac.new(server_key, auth_message.encode(), hashlib.sha256).digest())
        if self.impostor:
            v = b64(os.urandom(32))  # does not know the password: cannot prove it
        final = await server.challenge_auth("v=" + v)
        if final is MISSING:
            return AuthResult(success=False, handled=True)
        return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))


class ImpostorHandler(ScramHandler):
    impostor = True


def tls_context(certdir):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(certdir, "server-chain.pem"), os.path.join(certdir, "server.key"))
    return ctx


def tls12_session_id_context(certdir):
    ctx = tls_context(certdir)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.options |= ssl.OP_NO_TICKET
    return ctx


def flaky_tls_context(certdir, fail_file):
    ctx = tls_context(certdir)

    def on_client_hello(ssl_object, server_name, context):
        if os.path.exists(fail_file):
            os.remove(fail_file)
            return ssl.ALERT_DESCRIPTION_HANDSHAKE_FAILURE
        return None

    ctx.sni_callback = on_client_hello
    return ctx


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--certdir")
    ap.add_argument("--listen", action="append", default=[], help="NAME:KIND")
    args = ap.parse_args()

    loop = asyncio.get_running_loop()
    servers = []
    for spec in args.listen:
        name, kind = spec.split(":", 1)
        kw = dict(hostname="peer.example", decode_data=False, loop=loop)
        handler_cls = Handler
        pipelining = True
        server_ssl = None
        if kind == "plain":
            kw.update(enable_SMTPUTF8=True)
        elif kind == "nopipe":
            pipelining = False
        elif kind == "size":
            kw.update(data_size_limit=2000)
        elif kind == "auth_plain":
            kw.update(authenticator=authenticator, auth_require_tls=False)
        elif kind in ("starttls", "impostor"):
            handler_cls = ScramHandler if kind == "starttls" else ImpostorHandler
            kw.update(tls_context=tls_context(args.certdir), require_starttls=True,
                      authenticator=authenticator, auth_require_tls=True)
        elif kind in ("starttls12", "flaky"):
            ctx = (tls12_session_id_context(args.certdir) if kind == "starttls12"
                   else flaky_tls_context(args.certdir, os.path.join(args.outdir, name + ".fail")))
            kw.update(tls_context=ctx, require_starttls=True)
        elif kind == "count":
            handler_cls = CountHandler
        elif kind == "implicit":
            server_ssl = tls_context(args.certdir)
            kw.update(authenticator=authenticator, auth_require_tls=False)
        else:
            raise SystemExit("unknown listener kind " + kind)
        handler = handler_cls(name, args.outdir, pipelining)
        srv = await loop.create_server(lambda h=handler, k=kw: SMTP(h, **k), "127.0.0.1", 0,
                                       ssl=server_ssl)
        servers.append(srv)
        print("PORT %s %d" % (name, srv.sockets[0].getsockname()[1]), flush=True)
    print("READY", flush=True)

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    # The test keeps our stdin open; when it goes away, so do we.
    loop.add_reader(sys.stdin.fileno(), lambda: stop.set() if not os.read(sys.stdin.fileno(), 4096) else None)
    await stop.wait()
    for srv in servers:
        srv.close()


if __name__ == "__main__":
    asyncio.run(main())
