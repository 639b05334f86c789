#!/usr/bin/python3
"""Integration tests for `lettre send --smtp URL --each-to FILE`.

Usage: test_cli_each_to.py PATH_TO_LETTRE [unittest arguments]

The server is aiosmtpd from test_cli_smtp.py, in a thread of this process on
127.0.0.1 at a port the kernel picks: recipients whose local part starts
with "reject" get 550, "defer" 450; every accepted message is recorded.
"""

import os
import pty
import re
import subprocess
import sys
import threading
import unittest
from pathlib import Path

import test_cli
import test_cli_smtp
from test_cli import EX_DATAERR, EX_NOINPUT, EX_OK, EX_USAGE, lettre_case, parse
from test_cli_smtp import EX_TEMPFAIL, EX_UNAVAILABLE, closed_port, smtp_peer

SUMMARY_RE = re.compile(
    r"^sent (?P<sent>\d+), failed (?P<failed>\d+), in (?P<secs>\d+\.\d\d) s "
    r"\((?P<rate>\d+\.\d) msg/s\)$")
FROM = "Ann Example <ann@example.com>"


class each_to_tests(lettre_case):
    @classmethod
    def setUpClass(cls):
        cls.peer = smtp_peer(pipelining=True)

    @classmethod
    def tearDownClass(cls):
        cls.peer.stop()

    def setUp(self):
        super().setUp()
        self.peer.clear()

    def url(self, port=None):
        return f"smtp://127.0.0.1:{port or self.peer.port}?tls=none"

    def send(self, *args, stdin=b"", stderr=subprocess.PIPE):
        environ = {k: v for k, v in os.environ.items() if k != "LETTRE_PASSWORD"}
        return subprocess.run([test_cli.LETTRE, "send", *args], input=stdin,
                              stdout=subprocess.PIPE, stderr=stderr, cwd=self.dir, env=environ,
                              timeout=120, check=False)

    def summary(self, proc):
        lines = proc.stdout.decode().splitlines()
        self.assertEqual(len(lines), 1, proc.stdout)
        match = SUMMARY_RE.match(lines[0])
        self.assertIsNotNone(match, lines[0])
        return int(match["sent"]), int(match["failed"])

    def received(self):
        """Every recipient the server took a message for, one per message."""
        out = []
        for m in self.peer.messages:
            self.assertEqual(len(m["rcpt_tos"]), 1, m["rcpt_tos"])
            out.append(m["rcpt_tos"][0])
        return out

    def test_many_addresses_with_comments_blank_and_invalid_lines(self):
        good = [f"reader{i}@example.org" for i in range(240)]
        lines = ["# subscribers, exported today", ""]
        invalid = {}  # line number -> text
        for i, addr in enumerate(good):
            lines.append(addr if i % 3 else f"  Reader {i} <{addr}>  ")
            if i % 50 == 7:
                lines.append("   ")
                lines.append("# a comment in the middle")
            if i % 80 == 11:
                bad = f"not an address {i}"
                lines.append(bad)
                invalid[len(lines)] = bad
        lines.append("x@@example.org")
        invalid[len(lines)] = "x@@example.org"
        self.write("list.txt", "\r\n".join(lines) + "\r\n")

        proc = self.send("--smtp", self.url(), "--each-to", "list.txt", "--failed-out",
                         "failed.txt", "--from", FROM, "--to", "Readers <list@example.org>", "--subject",
                         "News", "--text", "Hello readers")
        self.assert_status(proc, EX_DATAERR)  # invalid lines, every address sent
        self.assertEqual(self.summary(proc), (len(good), len(invalid)))
        self.assertEqual(sorted(self.received()), sorted(good))
        # --to given: every copy is the same message with that To.
        for m in self.peer.messages:
            msg = parse(m["content"])
            self.assertEqual(str(msg["To"]), "Readers <list@example.org>")
            self.assertEqual(m["mail_from"], "ann@example.com")
        err = proc.stderr.decode()
        failed = (self.dir / "failed.txt").read_text().splitlines()
        self.assertEqual(len(failed), len(invalid))
        for number, text in invalid.items():
            self.assertIn(f"line {number}: \"{text}\"", err)
            self.assertTrue(
                any(f.startswith(f"{text}\tline {number}: invalid address") for f in failed),
                failed)

    def test_all_sent_sets_to_per_recipient(self):
        good = [f"member{i}@example.org" for i in range(210)]
        self.write("list.txt", "\n".join(good) + "\n")
        proc = self.send("--smtp", self.url(), "--each-to", "list.txt", "--connections", "8",
                         "--from", FROM, "--subject", "Hi", "--text", "Hello")
        self.assert_status(proc, EX_OK)
        self.assertEqual(self.summary(proc), (210, 0))
        self.assertEqual(proc.stderr, b"")
        self.assertEqual(sorted(self.received()), sorted(good))
        # No --to: each copy's To is its recipient, with its own Message-ID.
        ids = set()
        for m in self.peer.messages:
            msg = parse(m["content"])
            self.assertEqual([a.addr_spec for a in msg["To"].addresses], m["rcpt_tos"])
            ids.add(str(msg["Message-ID"]))
        self.assertEqual(len(ids), 210)

    def test_refused_recipients_go_to_failed_out(self):
        addrs, refused = [], set()
        for i in range(230):
            if i % 17 == 3:
                addrs.append(f"reject{i}@example.org")
                refused.add(addrs[-1])
            else:
                addrs.append(f"user{i}@example.org")
        self.write("list.txt", "\n".join(addrs) + "\n")
        proc = self.send("--smtp", self.url(), "--each-to", "list.txt", "--connections", "3",
                         "--failed-out", "failed.txt", "--from", FROM, "--to",
                         "list@example.org", "--subject", "S", "--text", "T")
        self.assert_status(proc, EX_UNAVAILABLE)
        self.assertEqual(self.summary(proc), (230 - len(refused), len(refused)))
        self.assertEqual(sorted(self.received()), sorted(set(addrs) - refused))
        failed = (self.dir / "failed.txt").read_text().splitlines()
        self.assertEqual(sorted(f.split("\t")[0] for f in failed), sorted(refused))
        for f in failed:
            self.assertEqual(f.split("\t")[1], "550 5.1.1 No such user", f)
        err = proc.stderr.decode()
        for addr in refused:
            self.assertIn(f"not sent to {addr}: 550 5.1.1 No such user", err)

    def test_only_transient_failures_exit_75(self):
        self.write("list.txt", "ok1@example.org\ndefer1@example.org\nok2@example.org\n")
        proc = self.send("--smtp", self.url(), "--each-to", "list.txt", "--failed-out",
                         "failed.txt", "--from", FROM, "--subject", "S", "--text", "T")
        self.assert_status(proc, EX_TEMPFAIL)
        self.assertEqual(self.summary(proc), (2, 1))
        self.assertEqual((self.dir / "failed.txt").read_text(),
                         "defer1@example.org\t450 4.2.1 Mailbox busy, try again later\n")

    def test_no_server_every_address_fails(self):
        self.write("list.txt", "a@example.org\nb@example.org\n")
        proc = self.send("--smtp", self.url(closed_port()), "--each-to", "list.txt",
                         "--failed-out", "failed.txt", "--from", FROM, "--text", "T")
        self.assert_status(proc, EX_TEMPFAIL)
        self.assertEqual(self.summary(proc), (0, 2))
        failed = (self.dir / "failed.txt").read_text().splitlines()
        self.assertEqual(sorted(f.split("\t")[0] for f in failed),
                         ["a@example.org", "b@example.org"])
        for f in failed:
            self.assertTrue(f.split("\t")[1], f)

    def test_message_file_and_stdin_list(self):
        raw = (b"From: ann@example.com\r\nTo: undisclosed-recipients:;\r\n"
               b"Subject: raw\r\n\r\nbody\r\n")
        self.write("m.eml", raw)
        proc = self.send("--smtp", self.url(), "--each-to", "-", "--message", "m.eml",
                         "--envelope-from", "bounce@example.com",
                         stdin=b"one@example.org\n# c\ntwo@example.org\n")
        self.assert_status(proc, EX_OK)
        self.assertEqual(self.summary(proc), (2, 0))
        self.assertEqual(sorted(self.received()), ["one@example.org", "two@example.org"])
        for m in self.peer.messages:
            self.assertEqual(m["mail_from"], "bounce@example.com")
            self.assertEqual(m["content"].replace(b"\r\n", b"\n"), raw.replace(b"\r\n", b"\n"))

    def test_empty_list(self):
        self.write("list.txt", "# nobody yet\n\n")
        proc = self.send("--smtp", self.url(), "--each-to", "list.txt", "--from", FROM,
                         "--text", "T")
        self.assert_status(proc, EX_DATAERR)
        self.assertEqual(self.summary(proc), (0, 0))
        self.assertIn("holds no address", proc.stderr.decode())
        self.assertEqual(self.peer.messages, [])

    def test_progress_bar_on_a_terminal_only(self):
        self.write("list.txt", "".join(f"p{i}@example.org\n" for i in range(50)))
        args = ["--smtp", self.url(), "--each-to", "list.txt", "--from", FROM, "--text", "T"]
        # Not a terminal: nothing on stderr.
        proc = self.send(*args)
        self.assert_status(proc, EX_OK)
        self.assertEqual(proc.stderr, b"")
        # A terminal: the bar (drawn once at the start at least), then cleared.
        master, slave = pty.openpty()
        chunks = []

        def read():
            while True:
                try:
                    data = os.read(master, 4096)
                except OSError:
                    return
                if not data:
                    return
                chunks.append(data)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            proc = self.send(*args, stderr=slave)
        finally:
            os.close(slave)
        reader.join(30)
        os.close(master)
        self.assert_status(proc, EX_OK)
        self.assertEqual(self.summary(proc), (50, 0))
        shown = b"".join(chunks).decode()
        self.assertRegex(shown, r"\[[#.]{24}\] +\d+% sent \d+, failed 0, \d+ msg/s")
        self.assertTrue(shown.endswith("\r\x1b[K"), repr(shown[-40:]))

    def test_usage_errors(self):
        self.write("list.txt", "a@example.org\n")
        msg = ["--from", FROM, "--text", "T"]
        url = self.url(closed_port())
        cases = [
            (["--each-to", "list.txt", *msg], ["--each-to", "--smtp"]),
            (["--each-to", "list.txt", "--outbox", "out", *msg], ["--each-to", "--outbox"]),
            (["--each-to", "list.txt", "--mx", *msg], ["--each-to", "--mx"]),
            (["--smtp", url, "--connections", "3", "--to", "b@example.org", *msg],
             ["--connections", "--each-to"]),
            (["--smtp", url, "--failed-out", "f.txt", "--to", "b@example.org", *msg],
             ["--failed-out", "--each-to"]),
            (["--smtp", url, "--each-to", "list.txt", "--connections", "0", *msg],
             ["--connections", "\"0\""]),
            (["--smtp", url, "--each-to", "list.txt", "--connections", "many", *msg],
             ["--connections"]),
            (["--smtp", url, "--each-to", "list.txt", "--envelope-to", "b@example.org", *msg],
             ["--each-to", "--envelope-to"]),
            (["--smtp", url, "--each-to", "list.txt", "--message", "m.eml"],
             ["--message", "--envelope-from"]),
            (["--smtp", url, "--each-to", "-", "--text-file", "-", "--from", FROM],
             ["--each-to -", "standard input"]),
        ]
        for args, named in cases:
            with self.subTest(args=args):
                self.assert_error(self.send(*args), EX_USAGE, *named)
        self.assert_error(self.send("--smtp", url, "--each-to", "missing.txt", *msg), EX_NOINPUT,
                          "missing.txt")

    def test_help_mentions_each_to(self):
        proc = self.send("--help")
        self.assert_status(proc, EX_OK)
        text = proc.stdout.decode()
        for word in ("--each-to FILE", "--connections N", "--failed-out FILE",
                     "sent 998, failed 2, in 1.52 s (656.6 msg/s)"):
            self.assertIn(word, text)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    test_cli.LETTRE = str(Path(sys.argv[1]).resolve())
    test_cli_smtp.test_cli.LETTRE = test_cli.LETTRE
    unittest.main(argv=[sys.argv[0], *sys.argv[2:]], verbosity=2)


if __name__ == "__main__":
    main()
