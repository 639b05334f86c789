#!/usr/bin/python3
"""The decisions on careless input (docs/security.md), through the `lettre` tool.

Usage: test_cli_decisions.py PATH_TO_LETTRE [unittest arguments]

Passwords with NUL, CR or LF; a password file others can read; the process
not dumpable; a key file with two keys or trailing data; an empty
--envelope-from; --dns-timeout against a name server that never answers;
--tls dane-only against an unsigned zone. Peers (a TCP listener, a silent
UDP socket, a small DNS server) run in this process on 127.0.0.1 and free
ports.
"""

import os
import socket
import json
import subprocess
import sys
import threading
import time
import unittest
from pathlib import Path

import dns.flags
import dns.message
import dns.rdatatype
import dns.rrset

import test_cli
from test_cli import EX_DATAERR, EX_OK, EX_USAGE, lettre_case

EX_TEMPFAIL = 75
BASIC = ["--from", "ann@example.com", "--to", "bob@example.org", "--subject", "hi",
         "--text", "hello"]


def closed_port():
    """A port on 127.0.0.1 that nothing listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class decision_case(lettre_case):
    def run_env(self, args, env_extra, stdin=b""):
        env = {k: v for k, v in os.environ.items() if k != "LETTRE_PASSWORD"}
        env.update(env_extra)
        return subprocess.run([test_cli.LETTRE, *args], input=stdin, capture_output=True,
                              cwd=self.dir, env=env, timeout=60, check=False)

    def smtp_login(self, *extra):
        """send through smtps to a closed port: everything before connecting runs."""
        return ["send", "--smtp", f"smtps://127.0.0.1:{closed_port()}", "--user", "ann",
                "--timeout", "5", *BASIC, *extra]


class password_tests(decision_case):
    def test_nul_in_password_file_is_refused(self):
        self.write("pw", b"sec\0ret\n")
        os.chmod(self.dir / "pw", 0o600)
        proc = self.run_env(self.smtp_login("--password-file", "pw"), {})
        self.assert_error(proc, EX_DATAERR, "--password-file", "NUL")
        self.assertNotIn(b"sec", proc.stderr)

    def test_carriage_return_inside_is_refused_one_line_end_is_not(self):
        self.write("pw", b"sec\rret\r\n")
        os.chmod(self.dir / "pw", 0o600)
        proc = self.run_env(self.smtp_login("--password-file", "pw"), {})
        self.assert_error(proc, EX_DATAERR, "--password-file", "carriage return inside")
        # One line end, LF or CRLF, is the end of the line, not the password.
        for data in (b"secret\n", b"secret\r\n", b"secret"):
            self.write("pw", data)
            proc = self.run_env(self.smtp_login("--password-file", "pw"), {})
            self.assertNotIn(proc.returncode, (EX_OK, EX_USAGE, EX_DATAERR), proc.stderr)
            self.assertNotIn(b"password", proc.stderr)

    def test_line_end_in_environment_password_is_refused(self):
        for value, named in (("secret\r", "carriage return at its end"),
                             ("secret\n", "line feed at its end"),
                             ("sec\rret", "carriage return inside")):
            proc = self.run_env(self.smtp_login(), {"LETTRE_PASSWORD": value})
            self.assert_error(proc, EX_DATAERR, "LETTRE_PASSWORD", named)
            self.assertNotIn(b"secret", proc.stderr)


class password_file_mode_tests(decision_case):
    def test_readable_by_others_warns_and_goes_on(self):
        self.write("pw", b"secret\n")
        for mode, who in ((0o644, "every user"), (0o640, "its group")):
            os.chmod(self.dir / "pw", mode)
            proc = self.run_env(self.smtp_login("--password-file", "pw"), {})
            err = proc.stderr.decode()
            self.assertIn("lettre: warning: --password-file \"pw\" can be read by " + who, err)
            self.assertIn("chmod 600", err)
            # It went on to connect (and failed there: nothing listens).
            self.assertNotIn(proc.returncode, (EX_OK, EX_USAGE, EX_DATAERR), err)

    def test_private_file_gives_no_warning(self):
        self.write("pw", b"secret\n")
        os.chmod(self.dir / "pw", 0o600)
        proc = self.run_env(self.smtp_login("--password-file", "pw"), {})
        self.assertNotIn(b"warning", proc.stderr)


NOBODY = 65534


class dumpable_tests(decision_case):
    def test_process_holding_a_password_is_not_dumpable(self):
        """The kernel makes /proc/PID/environ of a non-dumpable process
        root's; a dumpable one's belongs to the process's user. So the tool
        runs as a user other than root (nobody, when the tests run as root),
        and the owner of that file tells which."""
        as_user = {"user": NOBODY, "group": NOBODY} if os.geteuid() == 0 else {}
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            server.settimeout(30)
            port = server.getsockname()[1]
            env = dict(os.environ, LETTRE_PASSWORD="secret")
            # smtps: the tool waits for the TLS handshake we never answer.
            proc = subprocess.Popen(
                [test_cli.LETTRE, "send", "--smtp", f"smtps://127.0.0.1:{port}", "--user",
                 "ann", "--timeout", "30", *BASIC],
                cwd="/", env=env, **as_user,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                conn, _ = server.accept()
                with conn:
                    owner = os.stat(f"/proc/{proc.pid}/environ").st_uid
                    self.assertEqual(owner, 0, "the process holding the password is dumpable")
            finally:
                proc.kill()
                proc.wait(timeout=30)


class key_file_tests(decision_case):
    def keygen(self, name):
        path = self.dir / name
        proc = self.lettre("dkim", "keygen", "--algorithm", "ed25519", "--domain",
                           "example.com", "--selector", "s1", "--out", str(path))
        self.assert_status(proc, EX_OK)
        return path.read_bytes()

    def test_two_keys_or_trailing_data_are_refused(self):
        one, two = self.keygen("one.pem"), self.keygen("two.pem")
        self.write("m.eml", b"From: ann@example.com\r\nSubject: x\r\n\r\nhi\r\n")
        for name, data, named in (("both.pem", one + two, "2 blocks"),
                                  ("tail.pem", one + b"garbage\n", "trailing data")):
            self.write(name, data)
            os.chmod(self.dir / name, 0o600)
            proc = self.lettre("dkim", "sign", "--domain", "example.com", "--selector", "s1",
                               "--key", name, "--in", "m.eml")
            self.assert_error(proc, EX_DATAERR, "--key", name, named, "exactly one")
            proc = self.lettre("send", *BASIC, "--outbox", "out", "--dkim-domain",
                               "example.com", "--dkim-selector", "s1", "--dkim-key", name)
            self.assert_error(proc, EX_DATAERR, "--dkim-key", named)
        self.write("ok.pem", one + b"\n\n")
        proc = self.lettre("dkim", "sign", "--domain", "example.com", "--selector", "s1",
                           "--key", "ok.pem", "--in", "m.eml")
        self.assert_status(proc, EX_OK)


class envelope_from_tests(decision_case):
    def test_empty_envelope_from_is_refused_with_a_hint(self):
        self.write("ready.eml", b"From: ann@example.com\r\nSubject: x\r\n\r\nhi\r\n")
        for value in ("", "  "):
            proc = self.lettre("send", "--message", "ready.eml", "--envelope-from", value,
                               "--envelope-to", "bob@example.org", "--outbox", "out")
            self.assert_error(proc, EX_USAGE, "--envelope-from is empty", "'<>'")
        self.assertFalse((self.dir / "out").exists())
        proc = self.lettre("send", "--message", "ready.eml", "--envelope-from", "<>",
                           "--envelope-to", "bob@example.org", "--outbox", "out")
        self.assert_status(proc, EX_OK)
        _, env = self.sent_files(proc)
        self.assertIn(b'"from": null', env.read_bytes())


class dns_timeout_tests(decision_case):
    def test_silent_name_server_is_given_up_on(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
            silent.bind(("127.0.0.1", 0))  # queries queue up unread: no answer ever
            dns = f"127.0.0.1:{silent.getsockname()[1]}"
            started = time.monotonic()
            proc = self.lettre("mx", "example.test", "--dns", dns, "--dns-timeout", "2")
            self.assert_status(proc, EX_TEMPFAIL)
            self.assertIn(b"try again later", proc.stderr)
            proc = self.lettre("send", "--mx", "--dns", dns, "--dns-timeout", "1",
                               "--from", "ann@example.com", "--to", "bob@example.test",
                               "--subject", "x", "--text", "x")
            self.assert_status(proc, EX_TEMPFAIL)
            # Not a timing assertion: c-ares alone would take 75 s twice.
            self.assertLess(time.monotonic() - started, 60)

    def test_bounds(self):
        for value in ("0", "301", "1.5", "x", ""):
            proc = self.lettre("mx", "example.test", "--dns-timeout", value)
            self.assert_error(proc, EX_USAGE, "--dns-timeout", "1 to 300")


class unsigned_zone:
    """A DNS server on 127.0.0.1 (UDP) for an unsigned zone: dane.test MX 10
    mx.dane.test, mx.dane.test A 127.0.0.1, no AD bit ever, nothing else."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.server = f"127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                data, peer = self.sock.recvfrom(4096)
            except OSError:
                return  # closed
            query = dns.message.from_wire(data)
            resp = dns.message.make_response(query)
            resp.flags |= dns.flags.AA
            q = query.question[0]
            name = q.name.to_text().rstrip(".").lower()
            if name == "dane.test" and q.rdtype == dns.rdatatype.MX:
                resp.answer.append(dns.rrset.from_text(q.name, 60, "IN", "MX", "10 mx.dane.test."))
            elif name == "mx.dane.test" and q.rdtype == dns.rdatatype.A:
                resp.answer.append(dns.rrset.from_text(q.name, 60, "IN", "A", "127.0.0.1"))
            self.sock.sendto(resp.to_wire(), peer)

    def close(self):
        self.sock.close()


class dane_only_tests(decision_case):
    def test_unsigned_zone_is_a_temporary_failure_without_connecting(self):
        zone = unsigned_zone()
        self.addCleanup(zone.close)
        with socket.socket() as mx:
            mx.bind(("127.0.0.1", 0))
            mx.listen()
            proc = self.lettre("send", "--mx", "--dns", zone.server, "--mx-port",
                               str(mx.getsockname()[1]), "--mx-allow-local", "--tls",
                               "dane-only", "--tls-report", "report.json", "--from",
                               "ann@example.com", "--to", "bob@dane.test", "--subject", "x",
                               "--text", "x")
            self.assert_status(proc, EX_TEMPFAIL)
            out = proc.stdout.decode()
            self.assertIn("transient failure  bob@dane.test", out)
            self.assertIn("DANE: dane-only policy, but the MX answer for dane.test is not "
                          "DNSSEC-validated", out)
            # Never plaintext, never unauthenticated TLS: no connection at all.
            mx.setblocking(False)
            with self.assertRaises(BlockingIOError):
                mx.accept()
        reports = json.loads((Path(self.dir) / "report.json").read_text())
        details = reports[0]["policies"][0]["failure-details"]
        self.assertEqual(details[0]["result-type"], "dane-required")
        self.assertEqual(details[0]["receiving-mx-hostname"], "mx.dane.test")

    def test_needs_dane(self):
        proc = self.lettre("send", "--mx", "--tls", "dane-only", "--no-dane", *BASIC)
        self.assert_error(proc, EX_USAGE, "--tls dane-only needs DANE", "--no-dane")
        proc = self.lettre("send", "--mx", "--tls", "dane", *BASIC)
        self.assert_error(proc, EX_USAGE, '--tls "dane"', "dane-only")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    test_cli.LETTRE = str(Path(sys.argv[1]).resolve())
    unittest.main(argv=[sys.argv[0], *sys.argv[2:]], verbosity=2)


if __name__ == "__main__":
    main()
