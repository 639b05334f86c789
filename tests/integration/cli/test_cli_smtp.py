#!/usr/bin/python3
"""Integration tests for `lettre send --smtp`.

Usage: test_cli_smtp.py PATH_TO_LETTRE [unittest arguments]

The SMTP servers run in threads of this process on 127.0.0.1, at ports the
kernel picks, and are stopped when the tests are done:
  - aiosmtpd (Debian's python3-aiosmtpd), offering PIPELINING, records every
    message as it was received (envelope.original_content: the bytes after
    dot-unstuffing); recipients whose local part starts with "reject" get
    550, "defer" 450 (on every aiosmtpd server here);
  - one with AUTH PLAIN/LOGIN (and an XOAUTH2 written here) over plaintext;
  - STARTTLS ones with a throwaway CA and certificate made by the openssl
    command, one offering DSN and (after TLS) REQUIRETLS;
  - tiny socket servers that never speak, hang up at once, or go silent
    after the end of the data.
DKIM signatures are verified with dkimpy (Debian's python3-dkim).
"""

import asyncio
import base64
import logging
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import warnings
from pathlib import Path

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

import test_cli
from test_cli import (BASIC, EX_DATAERR, EX_NOINPUT, EX_OK, EX_USAGE, LF_MESSAGE, dkim_case,
                      parse)

EX_UNAVAILABLE, EX_TEMPFAIL = 69, 75

warnings.simplefilter("ignore", DeprecationWarning)
# aiosmtpd logs failed handshakes (caused on purpose here) and more.
logging.getLogger("mail.log").setLevel(logging.CRITICAL)
logging.getLogger("asyncio").setLevel(logging.CRITICAL)

USER = "ann@example.com"
PASSWORD = "S3cret pass-w0rd!"
TOKEN = "ya29.A0-token_only-for.tests"
DATE = "Sat, 01 Nov 2025 12:00:00 +0100"
MESSAGE_ID = "<smtp.test.1@example.com>"
QUEUED_RE = re.compile(r"^queued: 250 2\.0\.0 Ok: queued as 4F2A\d+$")


# -- servers -------------------------------------------------------------------

class dsn_smtp(SMTP):
    """aiosmtpd answers 555 to MAIL/RCPT parameters it does not know; this
    one lets the DSN (RFC 3461) and REQUIRETLS (RFC 8689) ones through to
    the handler, which records them."""

    def _getparams(self, params):
        result = super()._getparams(params)
        if result is not None:
            for name in ("RET", "ENVID", "NOTIFY", "ORCPT", "REQUIRETLS"):
                result.pop(name, None)
        return result


class recorder:
    """The aiosmtpd handler: answers by the local part and records messages."""

    def __init__(self, peer):
        self.peer = peer

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.peer.ehlo_names.append(hostname)
        extra = ["250-ENHANCEDSTATUSCODES"]
        if self.peer.pipelining:
            extra.append("250-PIPELINING")
        if self.peer.dsn:
            extra.append("250-DSN")
        if self.peer.requiretls and server._tls_protocol is not None:
            extra.append("250-REQUIRETLS")
        return responses[:-1] + extra + responses[-1:]

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 No such user"
        if local.startswith("defer"):
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_QUIT(self, server, session, envelope):
        self.peer.quits += 1
        return "221 Bye"

    async def handle_DATA(self, server, session, envelope):
        # A recipient named spamtrap.* or greylist.* is taken at RCPT TO;
        # the message is then refused at the end of the data.
        locals_ = [a.split("@")[0].lower() for a in envelope.rcpt_tos]
        if any(l.startswith("spamtrap") for l in locals_):
            return "550 5.7.1 Message rejected as spam"
        if any(l.startswith("greylist") for l in locals_):
            return "451 4.7.1 Greylisted, try again later"
        self.peer.messages.append({
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "mail_options": list(envelope.mail_options),
            "rcpt_options": list(envelope.rcpt_options),
            "content": bytes(envelope.original_content),
            "tls": server._tls_protocol is not None,
            "login": session.login_data,
        })
        return "250 2.0.0 Ok: queued as 4F2A%02d" % len(self.peer.messages)

    async def auth_XOAUTH2(self, server, args):
        """XOAUTH2 as Gmail speaks it: base64 of user=U^Aauth=Bearer T^A^A."""
        if len(args) < 2:
            return AuthResult(success=False, handled=False)
        try:
            fields = base64.b64decode(args[1], validate=True).decode().split("\x01")
            user = fields[0].removeprefix("user=")
            token = fields[1].removeprefix("auth=Bearer ")
        except Exception:  # pylint: disable=broad-except
            return AuthResult(success=False, handled=False)
        self.peer.logins.append(("XOAUTH2", user, token))
        if token != TOKEN:
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))


class smtp_peer:
    """aiosmtpd on 127.0.0.1 at a kernel-chosen port, served by a thread."""

    def __init__(self, *, tls_context=None, auth=False, dsn=False, requiretls=False,
                 pipelining=False):
        self.messages, self.logins, self.ehlo_names = [], [], []
        self.quits = 0
        self.dsn, self.requiretls, self.pipelining = dsn, requiretls, pipelining
        handler = recorder(self)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        self.port = sock.getsockname()[1]
        self.loop = asyncio.new_event_loop()
        kwargs = {"hostname": "mx.test", "loop": self.loop}
        if tls_context is not None:
            kwargs.update(tls_context=tls_context, require_starttls=True)
        if auth:
            kwargs.update(authenticator=self._authenticate, auth_require_tls=False)
        else:
            # Without AUTH: no mechanisms offered at all.
            kwargs.update(auth_exclude_mechanism=["PLAIN", "LOGIN", "XOAUTH2"])

        def factory():
            return dsn_smtp(handler, **kwargs)

        self.server = self.loop.run_until_complete(self.loop.create_server(factory, sock=sock))
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((mechanism, user, password))
        # handled=False: aiosmtpd answers 535 itself when success is False.
        return AuthResult(success=user == USER and password == PASSWORD, handled=False,
                          auth_data=auth_data)

    def clear(self):
        self.messages.clear()
        self.logins.clear()
        self.ehlo_names.clear()
        self.quits = 0

    def stop(self):
        def shut():
            self.server.close()
            for task in asyncio.all_tasks(self.loop):
                task.cancel()
            self.loop.stop()

        self.loop.call_soon_threadsafe(shut)
        self.thread.join(10)
        pending = asyncio.all_tasks(self.loop)
        if pending:
            self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self.loop.run_until_complete(self.server.wait_closed())
        self.loop.close()


class socket_peer:
    """A tiny server on a raw socket. mode "silent": accepts and never says a
    word; "hangup": closes every connection at once; "blackhole": a plain
    SMTP dialogue up to the end of the data, then silence; "hostile": replies
    with terminal control bytes (raw C1 0x9b CSI, UTF-8 encoded U+009B, ESC)
    and refuses MAIL; "chunking": offers CHUNKING and takes one BDAT LAST."""

    def __init__(self, mode):
        self.mode = mode
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = []
        self.got_data = threading.Event()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._serve, daemon=True)]
        self.threads[0].start()

    def _serve(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(None)
            self.connections.append(conn)
            if self.mode == "hangup":
                conn.close()
            elif self.mode in ("blackhole", "hostile", "chunking"):
                target = {"blackhole": self._blackhole, "hostile": self._hostile,
                          "chunking": self._chunking}[self.mode]
                t = threading.Thread(target=target, args=(conn,), daemon=True)
                self.threads.append(t)
                t.start()

    def _blackhole(self, conn):
        try:
            conn.sendall(b"220 blackhole.test ESMTP\r\n")
            in_data = False
            for line in conn.makefile("rb"):
                if in_data:
                    if line == b".\r\n":
                        self.got_data.set()  # and never answer
                    continue
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    conn.sendall(b"250 blackhole.test\r\n")
                elif verb == b"DATA":
                    conn.sendall(b"354 go ahead\r\n")
                    in_data = True
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"250 OK\r\n")
        except OSError:
            pass

    def _hostile(self, conn):
        try:
            conn.sendall(b"220 evil\x9b31m.test \xc2\x9b2J\x1b[0m ESMTP\r\n")
            for line in conn.makefile("rb"):
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    conn.sendall(b"250 evil.test\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"550 5.7.1 go away \x9b1m\xc2\x85now\r\n")
        except OSError:
            pass

    def _chunking(self, conn):
        try:
            conn.sendall(b"220 chunks.test ESMTP\r\n")
            reader = conn.makefile("rb")
            while True:
                line = reader.readline()
                if not line:
                    return
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    conn.sendall(b"250-chunks.test\r\n250-CHUNKING\r\n250 8BITMIME\r\n")
                elif verb == b"BDAT":
                    reader.read(int(line.split()[1]))
                    conn.sendall(b"250 2.0.0 Ok: queued in chunks\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"250 OK\r\n")
        except OSError:
            pass

    def stop(self):
        self.stopping.set()
        self.sock.close()
        for conn in self.connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()
        for t in self.threads:
            t.join(10)


def closed_port():
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certificates(directory):
    """A throwaway CA and a certificate for 127.0.0.1 / localhost it signed."""
    d = Path(directory)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True, timeout=60)

    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=lettre CLI test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (d / "server.ext").write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "basicConstraints=CA:FALSE\n"
        "keyUsage=digitalSignature\n"
        "extendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(d / "server.pem", d / "server.key")
    return d / "ca.pem", context


def b64(data):
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


def normalize_boundaries(data):
    """The message with each MIME boundary replaced by B0, B1... in order of
    first use (boundaries are random: two builds never share them)."""
    names = []
    for m in re.finditer(rb'boundary="([^"]+)"', data):
        if m.group(1) not in names:
            names.append(m.group(1))
    for i, name in enumerate(names):
        data = data.replace(name, b"B%d" % i)
    return data


# -- tests ---------------------------------------------------------------------

class smtp_tests(dkim_case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._certs_tmp = tempfile.TemporaryDirectory(prefix="lettre-cli-certs-")
        cls.ca, tls_context = make_certificates(cls._certs_tmp.name)
        # PIPELINING (RFC 2920): MAIL, every RCPT and DATA in one write; the
        # others answer one command at a time. aiosmtpd reads either way.
        cls.plain = smtp_peer(pipelining=True)
        cls.auth = smtp_peer(auth=True)
        cls.tls = smtp_peer(tls_context=tls_context, dsn=True, requiretls=True)
        cls.tls_basic = smtp_peer(tls_context=tls_context)

    @classmethod
    def tearDownClass(cls):
        for peer in (cls.plain, cls.auth, cls.tls, cls.tls_basic):
            peer.stop()
        cls._certs_tmp.cleanup()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        for peer in (self.plain, self.auth, self.tls, self.tls_basic):
            peer.clear()

    # -- helpers --

    def url(self, peer, query="tls=none"):
        port = peer if isinstance(peer, int) else peer.port
        return f"smtp://127.0.0.1:{port}" + (f"?{query}" if query else "")

    def send(self, *args, env=None, stdin=b"", timeout=60):
        environ = {k: v for k, v in os.environ.items() if k != "LETTRE_PASSWORD"}
        environ.update(env or {})
        return subprocess.run([test_cli.LETTRE, "send", *args], input=stdin,
                              capture_output=True, cwd=self.dir, env=environ,
                              timeout=timeout, check=False)

    def lines(self, proc):
        return proc.stdout.decode().splitlines()

    def stderr(self, proc):
        return proc.stderr.decode("utf-8", "replace")

    def assert_usage(self, proc, *named, status=EX_USAGE):
        self.assert_error(proc, status, *named)

    def assert_not_connected(self, *peers):
        for peer in peers:
            self.assertEqual(peer.ehlo_names, [])
            self.assertEqual(peer.messages, [])

    # -- delivery --

    def test_message_arrives_byte_identical_to_compose(self):
        args = ["--from", "Ann Example <ann@example.com>", "--to", "Bob <bob@example.org>",
                "--cc", "carol@example.net", "--bcc", "hidden@example.net",
                "--subject", "Grüße: report", "--date", DATE, "--message-id", MESSAGE_ID,
                "--text", "Hello Bob,\n.\n.a line that starts with a dot\n..two dots\nend\n"]
        composed = self.compose(*args)
        proc = self.send("--smtp", self.url(self.plain), "--ehlo", "client.example.net", *args)
        self.assert_status(proc, EX_OK)
        self.assertEqual(proc.stderr, b"")
        lines = self.lines(proc)
        self.assertEqual(lines[:3], ["accepted  bob@example.org  250 2.1.5 OK",
                                     "accepted  carol@example.net  250 2.1.5 OK",
                                     "accepted  hidden@example.net  250 2.1.5 OK"])
        self.assertEqual(len(lines), 4, lines)
        self.assertRegex(lines[3], QUEUED_RE)
        self.assertEqual(len(self.plain.messages), 1)
        got = self.plain.messages[0]
        self.assertEqual(got["content"], composed)
        self.assertNotIn(b"hidden@example.net", got["content"])
        self.assertEqual(got["mail_from"], "ann@example.com")
        self.assertEqual(got["rcpt_tos"],
                         ["bob@example.org", "carol@example.net", "hidden@example.net"])
        self.assertFalse(got["tls"])
        self.assertEqual(self.plain.ehlo_names, ["client.example.net"])

    def test_multipart_message_identical_up_to_boundaries(self):
        self.write("report.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 8)
        args = [*BASIC, "--date", DATE, "--message-id", MESSAGE_ID, "--text", "Plain.\n",
                "--html", "<p>HTML</p>", "--attach", "report.pdf"]
        composed = self.compose(*args)
        proc = self.send("--smtp", self.url(self.plain), *args)
        self.assert_status(proc, EX_OK)
        got = self.plain.messages[0]["content"]
        self.assertEqual(normalize_boundaries(got), normalize_boundaries(composed))
        self.assertIn(b'boundary="B1"', normalize_boundaries(got))  # mixed + alternative

    def test_message_file_with_envelope_options(self):
        message = LF_MESSAGE.replace(b"\n", b"\r\n") + b".leading dot\r\n"
        self.write("ready.eml", message)
        proc = self.send("--smtp", self.url(self.plain), "--message", "ready.eml",
                         "--envelope-from", "bounces@example.com",
                         "--envelope-to", "bob@example.org, rejected@example.org",
                         "--envelope-to", "dave@example.net")
        self.assert_status(proc, EX_UNAVAILABLE)
        self.assertEqual(self.lines(proc)[:3],
                         ["accepted  bob@example.org  250 2.1.5 OK",
                          "refused  rejected@example.org  550 5.1.1 No such user",
                          "accepted  dave@example.net  250 2.1.5 OK"])
        got = self.plain.messages[0]
        self.assertEqual(got["content"], message)
        self.assertEqual(got["mail_from"], "bounces@example.com")
        self.assertEqual(got["rcpt_tos"], ["bob@example.org", "dave@example.net"])

        # The null reverse-path, and the message from stdin.
        proc = self.send("--smtp", self.url(self.plain), "--message", "-",
                         "--envelope-from", "<>", "--envelope-to", "bob@example.org",
                         stdin=message)
        self.assert_status(proc, EX_OK)
        self.assertEqual(self.plain.messages[1]["mail_from"], "<>")
        self.assertEqual(self.plain.messages[1]["content"], message)

    # -- outcomes and exit statuses --

    def test_permanently_refused_recipient_exits_69(self):
        proc = self.send("--smtp", self.url(self.plain), *BASIC, "--text", "x",
                         "--to", "reject.carol@example.org")
        self.assert_status(proc, EX_UNAVAILABLE)
        lines = self.lines(proc)
        self.assertEqual(lines[:2], ["accepted  bob@example.org  250 2.1.5 OK",
                                     "refused  reject.carol@example.org  550 5.1.1 No such user"])
        self.assertRegex(lines[2], QUEUED_RE)
        self.assertIn("refused 1 of 2 recipients", self.stderr(proc))
        self.assertEqual(self.plain.messages[0]["rcpt_tos"], ["bob@example.org"])

        # A permanent refusal among transient ones is still permanent.
        proc = self.send("--smtp", self.url(self.plain), "--from", "ann@example.com",
                         "--to", "defer.dan@example.org, reject.carol@example.org",
                         "--text", "x")
        self.assert_status(proc, EX_UNAVAILABLE)
        self.assertEqual(self.lines(proc),
                         ["refused  defer.dan@example.org  450 4.2.1 Mailbox busy, try again "
                          "later",
                          "refused  reject.carol@example.org  550 5.1.1 No such user"])
        self.assertIn("lettre: delivery failed: the server refused every recipient",
                      self.stderr(proc))
        self.assertEqual(len(self.plain.messages), 1)

    def test_transiently_refused_recipients_exit_75(self):
        proc = self.send("--smtp", self.url(self.plain), *BASIC, "--text", "x",
                         "--cc", "defer.dan@example.org")
        self.assert_status(proc, EX_TEMPFAIL)
        lines = self.lines(proc)
        self.assertEqual(lines[:2], ["accepted  bob@example.org  250 2.1.5 OK",
                                     "refused  defer.dan@example.org  450 4.2.1 Mailbox busy, "
                                     "try again later"])
        self.assertRegex(lines[2], QUEUED_RE)

        proc = self.send("--smtp", self.url(self.plain), "--from", "ann@example.com",
                         "--to", "defer.dan@example.org", "--bcc", "defer.eve@example.org",
                         "--text", "x")
        self.assert_status(proc, EX_TEMPFAIL)
        self.assertEqual(len(self.lines(proc)), 2)
        self.assertTrue(all(l.startswith("refused  defer.") for l in self.lines(proc)))
        self.assertIn("the server refused every recipient", self.stderr(proc))
        self.assertEqual(len(self.plain.messages), 1)

    def test_connection_refused_exits_75(self):
        proc = self.send("--smtp", self.url(closed_port()), *BASIC, "--text", "x")
        self.assert_error(proc, EX_TEMPFAIL, "delivery failed", "onnection refused")

    def test_server_hanging_up_exits_75(self):
        peer = socket_peer("hangup")
        try:
            proc = self.send("--smtp", self.url(peer), "--timeout", "10", *BASIC, "--text", "x")
        finally:
            peer.stop()
        self.assert_error(proc, EX_TEMPFAIL, "delivery failed")

    def test_timeout_against_a_silent_server_exits_75(self):
        peer = socket_peer("silent")
        try:
            start = time.monotonic()
            proc = self.send("--smtp", self.url(peer), "--timeout", "2", *BASIC, "--text", "x")
            elapsed = time.monotonic() - start
        finally:
            peer.stop()
        self.assert_error(proc, EX_TEMPFAIL, "greeting timed out")
        self.assertGreater(elapsed, 1.5)
        self.assertLess(elapsed, 15)

    def test_no_reply_after_the_data_is_an_unknown_outcome_69(self):
        peer = socket_peer("blackhole")
        try:
            proc = self.send("--smtp", self.url(peer), "--timeout", "2", *BASIC, "--text", "x")
        finally:
            peer.stop()
        self.assertTrue(peer.got_data.is_set())
        self.assert_status(proc, EX_UNAVAILABLE)
        # Not "accepted": the server may or may not have taken the message.
        lines = self.lines(proc)
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith("unknown  bob@example.org  no reply after the end "
                                            "of data"), lines)
        err = self.stderr(proc)
        self.assertTrue(err.startswith("lettre: delivery outcome unknown: "), err)
        self.assertIn("twice", err)

    # -- AUTH and --trace --

    def assert_secret_hidden(self, proc, secret):
        for text in (proc.stdout, proc.stderr):
            for hidden in (secret, b64(secret), b64(f"\0{USER}\0{secret}"),
                           b64(f"user={USER}\x01auth=Bearer {secret}\x01\x01")):
                self.assertNotIn(hidden.encode(), text)

    def test_trace_shows_the_dialogue_but_never_the_password(self):
        url = self.url(self.auth, "tls=none&plaintext_auth=dangerous")
        self.write("password.txt", PASSWORD + "\nsecond line is ignored\n")
        (self.dir / "password.txt").chmod(0o600)  # else a warning joins the trace on stderr
        runs = [
            ("PLAIN", ["--password-file", "password.txt"], None),
            ("LOGIN", [], {"LETTRE_PASSWORD": PASSWORD}),
        ]
        for mechanism, extra, env in runs:
            with self.subTest(mechanism=mechanism):
                self.auth.clear()
                proc = self.send("--smtp", url, "--user", USER, "--auth", mechanism, *extra,
                                 "--trace", *BASIC, "--text", "x", env=env)
                self.assert_status(proc, EX_OK)
                self.assertEqual(self.auth.logins, [(mechanism, USER, PASSWORD)])
                self.assertEqual(len(self.auth.messages), 1)
                err = self.stderr(proc)
                for line in ("S: 220 mx.test", "C: EHLO ", "S: 250-AUTH ",
                             f"C: AUTH {mechanism}", "S: 235 2.7.0 Authentication successful",
                             "C: MAIL FROM:<ann@example.com>", "C: RCPT TO:<bob@example.org>",
                             "S: 250 2.1.5 OK", "C: DATA", "C: <message: ", "C: QUIT",
                             "S: 221 "):
                    self.assertRegex(err, "(?m)^" + re.escape(line), err)
                self.assertIn("<redacted>", err)
                self.assertTrue(all(l.startswith(("C: ", "S: ")) for l in err.splitlines()),
                                err)
                self.assert_secret_hidden(proc, PASSWORD)

    def test_crlf_password_file_and_wrong_password(self):
        url = self.url(self.auth, "tls=none&plaintext_auth=dangerous")
        self.write("crlf.txt", PASSWORD + "\r\n")
        proc = self.send("--smtp", url, "--user", USER, "--password-file", "crlf.txt",
                         *BASIC, "--text", "x")
        self.assert_status(proc, EX_OK)
        self.assertEqual(self.auth.logins, [("PLAIN", USER, PASSWORD)])

        self.auth.clear()
        proc = self.send("--smtp", url, "--user", USER, "--trace", *BASIC, "--text", "x",
                         env={"LETTRE_PASSWORD": "not the password"})
        self.assert_status(proc, EX_UNAVAILABLE)
        self.assertIn("lettre: delivery failed: PLAIN authentication failed: 535 ",
                      self.stderr(proc))
        # The reply once (--trace shows it as "S: 535 ..." besides).
        self.assertEqual(self.stderr(proc).count("535 "), 2, self.stderr(proc))
        self.assertNotIn("lettre: server reply:", self.stderr(proc))
        # A refused AUTH ends the session with QUIT, not a dropped connection.
        self.assertRegex(self.stderr(proc), "(?m)^C: QUIT$")
        self.assertEqual(self.auth.quits, 1)
        self.assertEqual(self.auth.messages, [])
        self.assert_secret_hidden(proc, "not the password")

    def test_xoauth2_sends_the_token(self):
        url = self.url(self.auth, "tls=none&plaintext_auth=dangerous")
        proc = self.send("--smtp", url, "--user", USER, "--auth", "xoauth2", "--trace",
                         *BASIC, "--text", "x", env={"LETTRE_PASSWORD": TOKEN})
        self.assert_status(proc, EX_OK)
        self.assertEqual(self.auth.logins, [("XOAUTH2", USER, TOKEN)])
        self.assertIn("C: AUTH XOAUTH2 <redacted>", self.stderr(proc))
        self.assert_secret_hidden(proc, TOKEN)

    def test_user_from_the_url_and_no_login_without_a_user(self):
        url = f"smtp://ann%40example.com@127.0.0.1:{self.auth.port}" \
              "?tls=none&plaintext_auth=dangerous&auth=LOGIN"
        proc = self.send("--smtp", url, *BASIC, "--text", "x", env={"LETTRE_PASSWORD": PASSWORD})
        self.assert_status(proc, EX_OK)
        self.assertEqual(self.auth.logins, [("LOGIN", USER, PASSWORD)])

        # LETTRE_PASSWORD alone does not log in.
        self.auth.clear()
        proc = self.send("--smtp", self.url(self.auth), *BASIC, "--text", "x",
                         env={"LETTRE_PASSWORD": PASSWORD})
        self.assert_status(proc, EX_OK)
        self.assertEqual(self.auth.logins, [])
        self.assertIsNone(self.auth.messages[0]["login"])

    # -- TLS --

    def test_starttls_with_the_test_ca(self):
        proc = self.send("--smtp", f"smtp://127.0.0.1:{self.tls_basic.port}", "--ca",
                         str(self.ca), "--trace", *BASIC, "--text", "over TLS")
        self.assert_status(proc, EX_OK)
        self.assertIn("C: STARTTLS", self.stderr(proc))
        # The protocol and cipher the handshake settled on.
        self.assertRegex(self.stderr(proc), r"(?m)^S: TLS TLSv1\.[23] [A-Z0-9_-]+$")
        self.assertEqual(len(self.tls_basic.messages), 1)
        self.assertTrue(self.tls_basic.messages[0]["tls"])

        # ca_file= in the URL does the same.
        proc = self.send("--smtp", f"smtp://127.0.0.1:{self.tls_basic.port}?ca_file={self.ca}",
                         *BASIC, "--text", "over TLS")
        self.assert_status(proc, EX_OK)
        self.assertEqual(len(self.tls_basic.messages), 2)

    def test_certificate_from_an_unknown_ca_is_refused(self):
        proc = self.send("--smtp", f"smtp://127.0.0.1:{self.tls_basic.port}", *BASIC,
                         "--text", "x")
        self.assert_error(proc, EX_UNAVAILABLE, "delivery failed", "TLS",
                          "unable to get local issuer certificate",
                          "checked for the name 127.0.0.1", "give it with --ca FILE")
        self.assertNotIn("tls ca_file", self.stderr(proc))
        # tls=required (the default) never falls back to plaintext.
        proc = self.send("--smtp", f"smtp://127.0.0.1:{self.plain.port}", "--ca",
                         str(self.ca), *BASIC, "--text", "x")
        self.assert_error(proc, EX_UNAVAILABLE, "STARTTLS")
        self.assertEqual(self.tls_basic.messages + self.plain.messages, [])
        # A CA file that holds no certificate.
        self.write("junk.pem", "not a certificate\n")
        proc = self.send("--smtp", f"smtp://127.0.0.1:{self.tls_basic.port}", "--ca",
                         "junk.pem", *BASIC, "--text", "x")
        self.assert_error(proc, EX_UNAVAILABLE, "junk.pem")
        self.assertEqual(self.tls_basic.messages, [])

    def test_dsn_and_requiretls_parameters(self):
        proc = self.send("--smtp", f"smtp://127.0.0.1:{self.tls.port}", "--ca", str(self.ca),
                         "--notify", "success,failure", "--ret", "hdrs", "--envid", "Q4+report=1",
                         "--requiretls", "--trace", *BASIC, "--text", "x")
        self.assert_status(proc, EX_OK)
        got = self.tls.messages[0]
        self.assertTrue(got["tls"])
        # aiosmtpd upper-cases the parameters; ENVID is xtext ('+' and '=' as +XX).
        self.assertIn("REQUIRETLS", got["mail_options"])
        self.assertIn("RET=HDRS", got["mail_options"])
        self.assertIn("ENVID=Q4+2BREPORT+3D1", got["mail_options"])
        self.assertEqual(got["rcpt_options"], ["NOTIFY=SUCCESS,FAILURE"])
        self.assertRegex(self.stderr(proc),
                         r"(?m)^C: MAIL FROM:<ann@example.com> .*REQUIRETLS.*RET=HDRS "
                         r"ENVID=Q4\+2Breport\+3D1")

        proc = self.send("--smtp", f"smtp://127.0.0.1:{self.tls.port}", "--ca", str(self.ca),
                         "--notify", "NEVER", *BASIC, "--text", "x")
        self.assert_status(proc, EX_OK)
        self.assertEqual(self.tls.messages[1]["rcpt_options"], ["NOTIFY=NEVER"])
        self.assertFalse([o for o in self.tls.messages[1]["mail_options"]
                          if o.startswith(("RET", "ENVID", "REQUIRETLS"))])

    def test_requiretls_fails_when_not_offered(self):
        proc = self.send("--smtp", f"smtp://127.0.0.1:{self.tls_basic.port}", "--ca",
                         str(self.ca), "--requiretls", *BASIC, "--text", "x")
        self.assert_error(proc, EX_UNAVAILABLE, "REQUIRETLS")
        self.assertEqual(self.tls_basic.messages, [])

    # -- errors that say what to do --

    def test_message_refused_at_end_of_data_lists_no_recipient_as_accepted(self):
        for local, status, reply in (("spamtrap", EX_UNAVAILABLE,
                                      "550 5.7.1 Message rejected as spam"),
                                     ("greylist", EX_TEMPFAIL,
                                      "451 4.7.1 Greylisted, try again later")):
            with self.subTest(local=local):
                proc = self.send("--smtp", self.url(self.plain), *BASIC, "--text", "x",
                                 "--cc", f"{local}.x@example.org")
                self.assert_status(proc, status)
                self.assertEqual(self.lines(proc), [
                    f"failed  bob@example.org  rejected at end of data: {reply}",
                    f"failed  {local}.x@example.org  rejected at end of data: {reply}"])
                err = self.stderr(proc)
                self.assertIn("lettre: delivery failed: ", err)
                self.assertEqual(err.count(reply), 1, err)  # printed once
        self.assertEqual(self.plain.messages, [])

    def test_control_bytes_from_the_server_are_escaped(self):
        peer = socket_peer("hostile")
        try:
            proc = self.send("--smtp", self.url(peer), "--timeout", "10", "--trace", *BASIC,
                             "--text", "x")
        finally:
            peer.stop()
        self.assert_status(proc, EX_UNAVAILABLE)
        for raw in (b"\x9b", b"\xc2\x9b", b"\xc2\x85", b"\x1b"):
            self.assertNotIn(raw, proc.stderr)
            self.assertNotIn(raw, proc.stdout)
        err = self.stderr(proc)
        self.assertIn("S: 220 evil\\x9b31m.test \\u009b2J\\x1b[0m ESMTP", err)
        self.assertIn("delivery failed: MAIL FROM refused: 550 5.7.1 go away \\x9b1m\\u0085now",
                      err)

    def test_trace_shows_bdat(self):
        peer = socket_peer("chunking")
        try:
            proc = self.send("--smtp", self.url(peer, "tls=none&chunking=true"), "--trace",
                             *BASIC, "--text", "x")
        finally:
            peer.stop()
        self.assert_status(proc, EX_OK)
        err = self.stderr(proc)
        self.assertRegex(err, r"(?m)^C: BDAT \d+ LAST$")
        self.assertRegex(err, r"(?m)^C: <message: \d+ octets>$")
        self.assertIn("S: 250 2.0.0 Ok: queued in chunks", err)

    def test_opportunistic_tls_refuses_plaintext_auth_by_the_url_option(self):
        proc = self.send("--smtp", self.url(self.auth, "tls=opportunistic"), "--user", USER,
                         *BASIC, "--text", "x", env={"LETTRE_PASSWORD": PASSWORD})
        self.assert_error(proc, EX_UNAVAILABLE, "unencrypted", "plaintext_auth=dangerous",
                          "--smtp")
        self.assertNotIn("allow_plaintext_auth_dangerous", self.stderr(proc))
        self.assertEqual(self.auth.logins, [])

    def test_tls_port_mixups_name_the_scheme(self):
        # 465 is implicit TLS: smtp:// there would wait for a greeting.
        start = time.monotonic()
        proc = self.send("--smtp", "smtp://127.0.0.1:465", *BASIC, "--text", "x")
        self.assert_usage(proc, "use smtps:// for port 465")
        self.assertLess(time.monotonic() - start, 10)
        # smtps:// to a server that greets in plaintext (a STARTTLS port).
        proc = self.send("--smtp", f"smtps://127.0.0.1:{self.plain.port}", "--timeout", "10",
                         *BASIC, "--text", "x")
        self.assert_error(proc, EX_UNAVAILABLE, "the server did not answer with TLS",
                          "use smtp://")

    # -- DKIM --

    def test_dkim_signs_before_sending(self):
        ed, rsa = self.key("ed25519", "ed1"), self.key("rsa", "rsa1")
        proc = self.send("--smtp", self.url(self.plain), *BASIC, "--text", "Signed.\n",
                         "--dkim-domain", "example.com", "--dkim-selector", "ed1",
                         "--dkim-key", str(ed), "--dkim-selector", "rsa1", "--dkim-key", str(rsa))
        self.assert_status(proc, EX_OK)
        self.assert_signed(self.plain.messages[0]["content"],
                           [("ed25519-sha256", "example.com", "ed1"),
                            ("rsa-sha256", "example.com", "rsa1")])

        self.write("ready.eml", LF_MESSAGE)
        proc = self.send("--smtp", self.url(self.plain), "--message", "ready.eml",
                         "--envelope-from", "ann@example.com", "--envelope-to", "bob@example.org",
                         "--dkim-domain", "example.com", "--dkim-selector", "ed1",
                         "--dkim-key", str(ed))
        self.assert_status(proc, EX_OK)
        got = self.plain.messages[1]["content"]
        self.assert_signed(got, [("ed25519-sha256", "example.com", "ed1")])
        self.assertTrue(got.endswith(LF_MESSAGE.replace(b"\n", b"\r\n")))

    # -- command-line errors (nothing is sent) --

    def test_usage_errors(self):
        port = closed_port()
        url = self.url(port)
        auth_url = self.url(port, "tls=none&plaintext_auth=dangerous")
        msg = [*BASIC, "--text", "x"]
        self.write("pw.txt", "pw\n")
        cases = [
            (["--smtp", url, "--outbox", "box", *msg], ["--smtp", "--outbox"]),
            (["--user", USER, *msg], ["--user", "--smtp"]),
            (["--trace", *msg], ["--trace", "--smtp"]),
            (["--smtp", "ftp://127.0.0.1", *msg], ["smtp://"]),
            (["--smtp", url + "&bogus=1", *msg], ["bogus"]),
            (["--smtp", auth_url, "--user", USER, *msg], ["password", "LETTRE_PASSWORD"]),
            (["--smtp", auth_url, "--password-file", "pw.txt", *msg], ["--user"]),
            (["--smtp", auth_url, "--auth", "PLAIN", *msg], ["--user"]),
            (["--smtp", auth_url, "--user", USER, "--password-file", "pw.txt", "--auth", "FOO",
              *msg], ["FOO", "SCRAM-SHA-256"]),
            (["--smtp", auth_url, "--user", USER, "--password-file", "pw.txt", "--auth",
              "PLAIN,XOAUTH2", *msg], ["XOAUTH2"]),
            (["--smtp", url, "--user", USER, "--password-file", "pw.txt", *msg],
             ["plaintext_auth=dangerous"]),
            (["--smtp", url, "--requiretls", *msg], ["--requiretls"]),
            (["--smtp", url, "--ca", "ca.pem", *msg], ["--ca", "tls=none"]),
            (["--smtp", url, "--timeout", "0", *msg], ["--timeout", '"0"']),
            (["--smtp", url, "--timeout", "2.5", *msg], ["--timeout"]),
            (["--smtp", url, "--notify", "never,success", *msg], ["--notify"]),
            (["--smtp", url, "--notify", "sometimes", *msg], ["--notify", "sometimes"]),
            (["--smtp", url, "--ret", "body", *msg], ["--ret", "body"]),
            (["--smtp", url, "--password-file", "-", "--message", "-", "--envelope-from",
              "a@example.com", "--envelope-to", "b@example.com"], ["standard input"]),
        ]
        for args, named in cases:
            with self.subTest(args=args):
                self.assert_usage(self.send(*args), *named)

    def test_password_in_the_url_is_refused_unseen(self):
        proc = self.send("--smtp", f"smtp://ann:{PASSWORD.replace(' ', '%20')}@127.0.0.1:"
                         f"{self.auth.port}?tls=none&plaintext_auth=dangerous", *BASIC,
                         "--text", "x")
        self.assert_usage(proc, "password", "--password-file")
        self.assertNotIn(b"S3cret", proc.stderr)
        self.assert_not_connected(self.auth)

    def test_data_and_file_errors(self):
        url = self.url(closed_port(), "tls=none&plaintext_auth=dangerous")
        msg = [*BASIC, "--text", "x"]
        self.write("empty.txt", "\nsecret on the second line\n")
        cases = [
            (["--user", USER, "--password-file", "missing.txt"], EX_NOINPUT, ["missing.txt"]),
            (["--user", USER, "--password-file", "empty.txt"], EX_DATAERR,
             ["empty.txt", "empty"]),
            (["--envid", "has space"], EX_DATAERR, ["--envid", "has space"]),
            (["--envid", "x" * 101], EX_DATAERR, ["--envid"]),
            (["--ehlo", "bad name!"], EX_DATAERR, ["--ehlo"]),
        ]
        for extra, status, named in cases:
            with self.subTest(extra=extra):
                self.assert_error(self.send("--smtp", url, *extra, *msg), status, *named)
        proc = self.send("--smtp", f"smtp://127.0.0.1:{closed_port()}", "--ca", "nope.pem", *msg)
        self.assert_error(proc, EX_NOINPUT, "--ca", "nope.pem")
        proc = self.send("--smtp", f"smtp://127.0.0.1:{closed_port()}?ca_file=nope.pem", *msg)
        self.assert_error(proc, EX_NOINPUT, "ca_file", "nope.pem")

    # -- options that do not apply, EHLO names, input limits --

    def test_options_that_do_not_apply_to_the_target_are_refused(self):
        msg = [*BASIC, "--text", "x"]
        self.write("pw.txt", "pw\n")
        self.write("list.txt", "bob@example.org\n")
        nowhere = str(self.dir / "no-such-sendmail")
        targets = {
            "--smtp URL": ["--smtp", self.url(self.plain)],
            "--mx": ["--mx", "--dns", f"127.0.0.1:{closed_port()}"],
            "--sendmail": ["--sendmail", "--sendmail-program", nowhere],
            "--outbox DIR": ["--outbox", "box"],
        }
        smtp_only = [["--requiretls"], ["--ehlo", "client.example"], ["--timeout", "5"],
                     ["--ca", str(self.ca)], ["--trace"], ["--notify", "never"],
                     ["--envid", "id1"], ["--ret", "full"], ["--auth", "PLAIN"],
                     ["--user", USER], ["--password-file", "pw.txt"]]
        # --ca (the trust anchors of --tls verified, MTA-STS), --ehlo,
        # --timeout, --trace and the DSN options conduct --mx's sessions too
        # (tests/integration/mx/mx_cli_options_test.cpp); no login, no
        # REQUIRETLS to MX hosts.
        mx_too = ("--ca", "--ehlo", "--timeout", "--trace", "--notify", "--envid", "--ret")
        cases = [(target, option) for target in ("--mx", "--sendmail", "--outbox DIR")
                 for option in smtp_only if not (target == "--mx" and option[0] in mx_too)]
        cases += [(target, option) for target in ("--smtp URL", "--sendmail", "--outbox DIR")
                  for option in (["--mx-port", "2525"], ["--tls", "required"], ["--no-dane"],
                                 ["--no-mta-sts"], ["--mta-sts-cache", "cache"],
                                 ["--mta-sts-port", "4443"], ["--tls-report", "r.json"])]
        cases += [(target, ["--dns", "127.0.0.1"]) for target in ("--smtp URL", "--sendmail")]
        cases += [(target, ["--sendmail-program", nowhere])
                  for target in ("--smtp URL", "--mx", "--outbox DIR")]
        for target, option in cases:
            with self.subTest(target=target, option=option):
                proc = self.send(*targets[target], *option, *msg,
                                 env={"LETTRE_PASSWORD": "pw"})
                self.assert_usage(proc, option[0], f"does not apply to {target}")
                self.assert_not_connected(self.plain)
                self.assertFalse((self.dir / "box").exists())
        # With --mx the refusal says why.
        whys = {"--user": "without a login", "--password-file": "without a login",
                "--auth": "without a login", "--requiretls": "RFC 8689"}
        for option in smtp_only:
            if option[0] not in whys:
                continue
            with self.subTest(why=option):
                proc = self.send(*targets["--mx"], *option, *msg, env={"LETTRE_PASSWORD": "pw"})
                self.assert_usage(proc, option[0], whys[option[0]])
        # No target given: the outbox is the default, and the error says so.
        for option in smtp_only:
            with self.subTest(target="default", option=option):
                proc = self.send(*option, *msg, env={"LETTRE_PASSWORD": "pw"})
                self.assert_usage(proc, option[0], "needs --smtp URL", "--outbox")
                self.assertFalse((self.dir / "outbox").exists())

    def test_bad_ehlo_names_are_refused_before_connecting(self):
        msg = [*BASIC, "--text", "x"]
        for name in ("ex<>ample.com", "a:b", "-x", "a..b", "[999.1.1.1]", "x-", "[1.2.3]"):
            with self.subTest(name=name):
                proc = self.send("--smtp", self.url(self.plain), f"--ehlo={name}", *msg)
                self.assert_error(proc, EX_DATAERR, "--ehlo", name)
                self.assert_not_connected(self.plain)
        for query, shown in (("ehlo=a%20b", "a b"), ("ehlo=%5B999.1.1.1%5D", "[999.1.1.1]")):
            with self.subTest(query=query):
                proc = self.send("--smtp", self.url(self.plain, "tls=none&" + query), *msg)
                self.assert_usage(proc, "ehlo", shown)
                self.assert_not_connected(self.plain)
        for name in ("[127.0.0.1]", "[IPv6:::1]", "client-1.example"):
            with self.subTest(good=name):
                proc = self.send("--smtp", self.url(self.plain), "--ehlo", name, *msg)
                self.assert_status(proc, EX_OK)
                self.assertEqual(self.plain.ehlo_names[-1], name)

    def send_limited(self, *args):
        """send under a 1 GiB address-space limit: a reader without a limit
        dies quickly on /dev/zero instead of taking the machine's memory."""
        limit = test_cli.memory_cap()
        environ = {k: v for k, v in os.environ.items() if k != "LETTRE_PASSWORD"}
        return subprocess.run([test_cli.LETTRE, "send", *args], capture_output=True,
                              cwd=self.dir, env=environ, timeout=60, check=False,
                              preexec_fn=limit)

    def test_inputs_past_their_limit_are_refused(self):
        url = self.url(self.auth, "tls=none&plaintext_auth=dangerous")
        msg = [*BASIC, "--text", "x"]
        self.write("long-pw.txt", "p" * 4097 + "\n")
        self.write("pw-4k.txt", "p" * 4096 + "\nnext line\n")
        self.write("big-ca.pem", self.ca.read_bytes() + b"\n" * (4 * 1024 * 1024))
        self.write("long-line.txt", "bob@example.org\n" + "a" * 5000 + "@example.org\n")
        cases = [
            (["--smtp", url, "--user", USER, "--password-file", "/dev/zero"],
             ["--password-file", "/dev/zero", "4 KiB"]),
            (["--smtp", url, "--user", USER, "--password-file", "long-pw.txt"],
             ["long-pw.txt", "4 KiB"]),
            (["--smtp", self.url(self.tls, ""), "--ca", "/dev/zero"],
             ["--ca", "/dev/zero", "4 MiB"]),
            (["--smtp", self.url(self.tls, ""), "--ca", "big-ca.pem"],
             ["--ca", "big-ca.pem", "4 MiB"]),
            (["--smtp", self.url(self.tls, "ca_file=big-ca.pem")], ["big-ca.pem", "4 MiB"]),
        ]
        for args, named in cases:
            with self.subTest(args=args):
                proc = self.send_limited(*args, *msg)
                self.assert_error(proc, EX_DATAERR, *named)
                self.assert_not_connected(self.auth, self.tls)
        # A first line of exactly 4 KiB is a password (a wrong one here).
        proc = self.send_limited("--smtp", url, "--user", USER, "--password-file", "pw-4k.txt",
                                 *msg)
        self.assertNotIn(b"4 KiB", proc.stderr)
        self.assertNotEqual(proc.returncode, EX_DATAERR, self.stderr(proc))
        self.auth.clear()
        # --each-to stops at the first line over the limit, after a summary
        # of what was sent before it.
        for each, named, sent in (("/dev/zero", ["/dev/zero", "line 1", "4 KiB"], 0),
                                  ("long-line.txt", ["long-line.txt", "line 2", "4 KiB"], 1)):
            with self.subTest(each_to=each):
                proc = self.send_limited("--smtp", url, "--each-to", each, *BASIC[:2],
                                         "--text", "x")
                self.assert_status(proc, EX_DATAERR)
                self.assertTrue(proc.stdout.startswith(f"sent {sent}, failed 0".encode()),
                                proc.stdout)
                for text in named:
                    self.assertIn(text, self.stderr(proc))
                self.assertEqual(len(self.auth.messages), sent)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    test_cli.LETTRE = str(Path(sys.argv[1]).resolve())
    unittest.main(argv=[sys.argv[0], *sys.argv[2:]], verbosity=2)


if __name__ == "__main__":
    main()
