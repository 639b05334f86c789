#!/usr/bin/python3
"""Integration tests for the `lettre` command-line tool.

Usage: test_cli.py PATH_TO_LETTRE [unittest arguments, e.g. compose_tests]

Every case runs the binary in a fresh temporary directory and checks the exit
status, stdout/stderr and the files it wrote; messages are parsed with
Python's email package (policy.default).
"""

import email
import email.policy
import json
import re
import subprocess
import sys
import tempfile
import unittest
from datetime import datetime, timedelta, timezone
from pathlib import Path

LETTRE = ""  # set from argv before unittest runs

EX_OK, EX_FAILURE, EX_USAGE, EX_DATAERR, EX_NOINPUT = 0, 1, 64, 65, 66

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")

SENT_RE = re.compile(r"^sent to outbox: (?P<eml>\S+\.eml) \(envelope (?P<json>\S+\.json)\)$")


def parse(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


def addr_specs(msg, field):
    header = msg[field]
    return [] if header is None else [a.addr_spec for a in header.addresses]


def leaf_parts(msg):
    return [p for p in msg.walk() if not p.is_multipart()]


class lettre_case(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="lettre-cli-")
        self.dir = Path(self._tmp.name)

    def tearDown(self):
        self._tmp.cleanup()

    def lettre(self, *args, stdin=b""):
        return subprocess.run([LETTRE, *args], input=stdin, capture_output=True,
                              cwd=self.dir, timeout=60, check=False)

    def assert_status(self, proc, status):
        self.assertEqual(proc.returncode, status,
                         f"\nstdout: {proc.stdout[:2000]!r}\nstderr: {proc.stderr!r}")

    def assert_error(self, proc, status, *named):
        """Fails unless `proc` exited with `status`, wrote nothing to stdout
        and its stderr starts with 'lettre: ' and names every `named` text."""
        self.assert_status(proc, status)
        self.assertEqual(proc.stdout, b"")
        err = proc.stderr.decode("utf-8", "replace")
        self.assertTrue(err.startswith("lettre: "), err)
        for text in named:
            self.assertIn(text, err)

    def write(self, name, data):
        path = self.dir / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return path

    def compose(self, *args, stdin=b""):
        proc = self.lettre("compose", *args, stdin=stdin)
        self.assert_status(proc, EX_OK)
        return proc.stdout

    def sent_files(self, proc):
        """The (eml, json) paths named on send's stdout, checked to exist."""
        line = proc.stdout.decode().strip()
        match = SENT_RE.match(line)
        self.assertIsNotNone(match, line)
        eml, env = self.dir / match["eml"], self.dir / match["json"]
        self.assertEqual(eml.stem, env.stem)
        self.assertTrue(eml.is_file(), eml)
        self.assertTrue(env.is_file(), env)
        return eml, env


BASIC = ["--from", "Ann Example <ann@example.com>", "--to", "bob@example.org",
         "--subject", "Hello"]


class compose_tests(lettre_case):
    def test_stdout_message_parses_with_right_headers(self):
        data = self.compose(
            "--from", "Ann Example <ann@example.com>",
            "--to", "bob@example.org, Carol Q <carol@example.net>", "--to", "dave@example.net",
            "--cc", "Érin Ñoël <erin@example.com>", "--reply-to", "replies@example.com",
            "--subject", "Grüße aus Zürich", "--text", "Hello Bob,\nsee you.\n")
        self.assertIn(b"\r\n", data)
        self.assertNotRegex(data, rb"[^\r]\n", "bare LF in the formatted message")
        self.assertTrue(all(b < 0x80 for b in data.split(b"\r\n\r\n", 1)[0]),
                        "non-ASCII bytes in the header")
        msg = parse(data)
        self.assertEqual(msg["From"].addresses[0].display_name, "Ann Example")
        self.assertEqual(addr_specs(msg, "From"), ["ann@example.com"])
        self.assertEqual(addr_specs(msg, "To"),
                         ["bob@example.org", "carol@example.net", "dave@example.net"])
        self.assertEqual(addr_specs(msg, "Cc"), ["erin@example.com"])
        self.assertEqual(msg["Cc"].addresses[0].display_name, "Érin Ñoël")
        self.assertEqual(addr_specs(msg, "Reply-To"), ["replies@example.com"])
        self.assertEqual(str(msg["Subject"]), "Grüße aus Zürich")
        self.assertIsNotNone(msg["Date"])
        self.assertIsNotNone(msg["Message-ID"])
        self.assertEqual(msg.get_content_type(), "text/plain")
        self.assertEqual(msg.get_content().replace("\r\n", "\n"), "Hello Bob,\nsee you.\n")

    def test_equals_form_and_values_that_look_like_options(self):
        data = self.compose("--from=ann@example.com", "--to=bob@example.org",
                            "--subject=--help", "--text=-o x")
        msg = parse(data)
        self.assertEqual(addr_specs(msg, "From"), ["ann@example.com"])
        self.assertEqual(str(msg["Subject"]), "--help")
        self.assertEqual(msg.get_content().strip(), "-o x")

    def test_output_file(self):
        for flag in ("-o", "--output"):
            out = self.dir / f"out{flag}.eml"
            proc = self.lettre("compose", *BASIC, "--text", "hi", flag, str(out))
            self.assert_status(proc, EX_OK)
            self.assertEqual(proc.stdout, b"")
            msg = parse(out.read_bytes())
            self.assertEqual(addr_specs(msg, "To"), ["bob@example.org"])
            self.assertEqual(str(msg["Subject"]), "Hello")

    def test_bcc_stays_out_of_the_message(self):
        data = self.compose(*BASIC, "--bcc", "hidden@example.net", "--text", "x")
        msg = parse(data)
        self.assertEqual(addr_specs(msg, "To"), ["bob@example.org"])
        self.assertIsNone(msg["Bcc"])
        self.assertNotIn(b"hidden@example.net", data)

    def test_text_and_html_files_make_an_alternative(self):
        self.write("body.txt", "plain body ✓\n")
        self.write("body.html", "<p>html body ✓</p>\n")
        msg = parse(self.compose(*BASIC, "--text-file", "body.txt", "--html-file", "body.html"))
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        types = [p.get_content_type() for p in leaf_parts(msg)]
        self.assertEqual(types, ["text/plain", "text/html"])
        self.assertIn("plain body ✓", msg.get_body(("plain",)).get_content())
        self.assertIn("<p>html body ✓</p>", msg.get_body(("html",)).get_content())

    def test_text_file_from_stdin(self):
        msg = parse(self.compose(*BASIC, "--text-file", "-", stdin="from stdin\n".encode()))
        self.assertEqual(msg.get_content().strip(), "from stdin")

    def test_attach_with_and_without_type(self):
        self.write("report.dat", b"%PDF-1.4 not really\x00\xff")
        self.write("notes.txt", "some notes\n")
        self.write("odd:name.bin", b"\x01\x02\x03")
        msg = parse(self.compose(*BASIC, "--text", "see attached",
                                 "--attach", "report.dat:application/pdf",
                                 "--attach", "notes.txt",
                                 "--attach", "odd:name.bin"))
        self.assertEqual(msg.get_content_type(), "multipart/mixed")
        atts = {a.get_filename(): a for a in msg.iter_attachments()}
        self.assertEqual(set(atts), {"report.dat", "notes.txt", "odd:name.bin"})
        self.assertEqual(atts["report.dat"].get_content_type(), "application/pdf")
        self.assertEqual(atts["report.dat"].get_content(), b"%PDF-1.4 not really\x00\xff")
        self.assertEqual(atts["notes.txt"].get_content_type(), "text/plain")
        self.assertEqual(atts["odd:name.bin"].get_payload(decode=True), b"\x01\x02\x03")

    def test_inline_part_for_html(self):
        self.write("logo.png", PNG)
        self.write("page.html", '<p><img src="cid:logo@example.com"></p>\n')
        msg = parse(self.compose(*BASIC, "--text", "text version", "--html-file", "page.html",
                                 "--inline", "logo@example.com=logo.png"))
        related = [p for p in msg.walk() if p.get_content_type() == "multipart/related"]
        self.assertEqual(len(related), 1, [p.get_content_type() for p in msg.walk()])
        images = [p for p in related[0].walk() if p.get_content_type() == "image/png"]
        self.assertEqual(len(images), 1)
        self.assertEqual(images[0]["Content-ID"].strip(), "<logo@example.com>")
        self.assertEqual(images[0].get_content(), PNG)
        self.assertIn("text/plain", [p.get_content_type() for p in leaf_parts(msg)])

    def test_inline_with_type(self):
        self.write("logo.img", PNG)
        self.write("page.html", '<img src="cid:logo">')
        msg = parse(self.compose(*BASIC, "--html-file", "page.html",
                                 "--inline", "logo=logo.img:image/png"))
        images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
        self.assertEqual(len(images), 1)
        self.assertEqual(images[0]["Content-ID"].strip(), "<logo>")

    def test_header_date_and_message_id(self):
        msg = parse(self.compose(*BASIC, "--text", "x", "--header", "X-Mailer-Test: yes please",
                                 "--header", "X-Second:two",
                                 "--date", "Sat, 01 Nov 2025 12:00:00 +0100",
                                 "--message-id", "<abc.123@example.com>"))
        self.assertEqual(str(msg["X-Mailer-Test"]), "yes please")
        self.assertEqual(str(msg["X-Second"]), "two")
        self.assertEqual(msg["Date"].datetime,
                         datetime(2025, 11, 1, 12, 0, 0, tzinfo=timezone(timedelta(hours=1))))
        self.assertEqual(str(msg["Message-ID"]).strip(), "<abc.123@example.com>")

    def test_sender_and_several_from(self):
        msg = parse(self.compose("--from", "a@example.com", "--from", "b@example.com",
                                 "--sender", "sec@example.com", "--to", "c@example.org",
                                 "--text", "x"))
        self.assertEqual(addr_specs(msg, "From"), ["a@example.com", "b@example.com"])
        self.assertEqual(addr_specs(msg, "Sender"), ["sec@example.com"])

    def test_demo(self):
        msg = parse(self.compose("--demo"))
        self.assertEqual(msg["From"].addresses[0].display_name, "Lettre Demo")
        self.assertEqual(addr_specs(msg, "From"), ["demo@example.com"])
        self.assertEqual(msg["To"].addresses[0].display_name, "Zoë Ångström")
        self.assertEqual(addr_specs(msg, "To"), ["zoe@example.org"])
        subject = str(msg["Subject"])
        self.assertTrue(subject and any(ord(c) > 127 for c in subject), subject)
        self.assertEqual(msg.get_content_type(), "multipart/mixed")
        types = [p.get_content_type() for p in leaf_parts(msg)]
        self.assertIn("text/plain", types)
        self.assertIn("text/html", types)
        alternative = [p for p in msg.walk() if p.get_content_type() == "multipart/alternative"]
        self.assertEqual(len(alternative), 1)
        attachments = list(msg.iter_attachments())
        self.assertEqual(len(attachments), 1)
        payload = attachments[0].get_payload(decode=True)
        self.assertTrue(payload.startswith(b"\x89PNG\r\n\x1a\n"), payload[:8])

    def test_demo_keeps_what_is_given(self):
        msg = parse(self.compose("--demo", "--to", "me@example.net", "--subject", "Mine"))
        self.assertEqual(addr_specs(msg, "To"), ["me@example.net"])
        self.assertEqual(str(msg["Subject"]), "Mine")
        self.assertEqual(addr_specs(msg, "From"), ["demo@example.com"])


class send_tests(lettre_case):
    def test_send_writes_eml_and_envelope(self):
        outbox = self.dir / "box"
        proc = self.lettre("send", "--from", "Ann <ann@example.com>",
                           "--to", "bob@example.org", "--cc", "carol@example.net",
                           "--bcc", "hidden@example.net, hidden2@example.net",
                           "--subject", "Report", "--text", "hello",
                           "--outbox", str(outbox))
        self.assert_status(proc, EX_OK)
        eml, env = self.sent_files(proc)
        self.assertEqual(eml.parent, outbox)
        envelope = json.loads(env.read_text())
        self.assertEqual(envelope["from"], "ann@example.com")
        self.assertEqual(sorted(envelope["to"]),
                         sorted(["bob@example.org", "carol@example.net",
                                 "hidden@example.net", "hidden2@example.net"]))
        data = eml.read_bytes()
        msg = parse(data)
        self.assertIsNone(msg["Bcc"])
        self.assertNotIn(b"hidden", data)
        self.assertEqual(addr_specs(msg, "To"), ["bob@example.org"])
        self.assertEqual(str(msg["Subject"]), "Report")

    def test_default_outbox_is_relative_outbox(self):
        proc = self.lettre("send", *BASIC, "--text", "x")
        self.assert_status(proc, EX_OK)
        eml, _ = self.sent_files(proc)
        self.assertTrue(proc.stdout.decode().startswith("sent to outbox: outbox/"), proc.stdout)
        self.assertEqual(eml.parent, self.dir / "outbox")

    def test_message_file_with_envelope_options(self):
        original = self.compose(*BASIC, "--text", "ready-made")
        self.write("ready.eml", original)
        proc = self.lettre("send", "--message", "ready.eml",
                           "--envelope-from", "bounce@example.com",
                           "--envelope-to", "x@example.org, y@example.org",
                           "--envelope-to=z@example.net", "--outbox", "out")
        self.assert_status(proc, EX_OK)
        eml, env = self.sent_files(proc)
        self.assertEqual(eml.read_bytes(), original)
        envelope = json.loads(env.read_text())
        self.assertEqual(envelope["from"], "bounce@example.com")
        self.assertEqual(envelope["to"], ["x@example.org", "y@example.org", "z@example.net"])

    def test_envelope_options_override_a_built_message(self):
        proc = self.lettre("send", *BASIC, "--text", "x", "--envelope-to", "list@example.net",
                           "--outbox", "out")
        self.assert_status(proc, EX_OK)
        eml, env = self.sent_files(proc)
        envelope = json.loads(env.read_text())
        self.assertEqual(envelope["from"], "ann@example.com")
        self.assertEqual(envelope["to"], ["list@example.net"])
        self.assertEqual(addr_specs(parse(eml.read_bytes()), "To"), ["bob@example.org"])

    def test_message_file_needs_an_envelope(self):
        self.write("ready.eml", self.compose(*BASIC, "--text", "x"))
        proc = self.lettre("send", "--message", "ready.eml", "--outbox", "out")
        self.assert_error(proc, EX_USAGE, "--envelope-to")
        proc = self.lettre("send", "--message", "ready.eml", "--envelope-to", "a@example.org",
                           "--outbox", "out")
        self.assert_error(proc, EX_USAGE, "--envelope-from")
        self.assertFalse((self.dir / "out").exists())

    def test_message_file_excludes_message_options(self):
        self.write("ready.eml", self.compose(*BASIC, "--text", "x"))
        proc = self.lettre("send", "--message", "ready.eml", "--envelope-from", "a@example.com",
                           "--envelope-to", "b@example.org", "--subject", "again")
        self.assert_error(proc, EX_USAGE, "--subject")

    def test_missing_message_file(self):
        proc = self.lettre("send", "--message", "nowhere.eml", "--envelope-from", "a@example.com",
                           "--envelope-to", "b@example.org")
        self.assert_error(proc, EX_NOINPUT, "nowhere.eml")

    def test_send_demo(self):
        proc = self.lettre("send", "--demo")
        self.assert_status(proc, EX_OK)
        eml, env = self.sent_files(proc)
        self.assertEqual(eml.parent, self.dir / "outbox")
        envelope = json.loads(env.read_text())
        self.assertEqual(envelope["from"], "demo@example.com")
        self.assertEqual(envelope["to"], ["zoe@example.org"])
        msg = parse(eml.read_bytes())
        self.assertEqual(msg["To"].addresses[0].display_name, "Zoë Ångström")

    def test_nothing_is_invented_without_options(self):
        for command in ("send", "compose"):
            proc = self.lettre(command)
            self.assert_error(proc, EX_USAGE, "--demo")
        self.assertFalse((self.dir / "outbox").exists())


class errors_tests(lettre_case):
    def test_unknown_option(self):
        for command in ("compose", "send"):
            proc = self.lettre(command, *BASIC, "--bogus", "x")
            self.assert_error(proc, EX_USAGE, "--bogus")
        self.assert_error(self.lettre("--bogus"), EX_USAGE, "--bogus")
        self.assert_error(self.lettre("frobnicate"), EX_USAGE, "frobnicate")

    def test_missing_value(self):
        proc = self.lettre("compose", "--from", "ann@example.com", "--to")
        self.assert_error(proc, EX_USAGE, "--to")
        proc = self.lettre("compose", "--from", "--to", "bob@example.org")
        self.assert_error(proc, EX_USAGE, "--from")
        proc = self.lettre("send", *BASIC, "--text", "x", "--outbox")
        self.assert_error(proc, EX_USAGE, "--outbox")

    def test_usage_errors(self):
        cases = [
            (["--to", "bob@example.org", "--text", "x"], "--from"),
            (["--from", "ann@example.com", "--text", "x"], "--to"),
            ([*BASIC, "--text", "x", "--text-file", "t.txt"], "--text-file"),
            ([*BASIC, "--subject", "again"], "--subject"),
            ([*BASIC, "--demo=yes"], "--demo"),
            ([*BASIC, "stray"], "stray"),
            ([*BASIC, "--header", "no colon here"], "no colon here"),
            ([*BASIC, "--inline", "logo.png"], "logo.png"),
        ]
        for args, named in cases:
            with self.subTest(args=args):
                self.assert_error(self.lettre("compose", *args), EX_USAGE, named)

    def test_invalid_address(self):
        proc = self.lettre("compose", "--from", "ann@example.com", "--to", "bob@@example.org",
                           "--text", "x")
        self.assert_error(proc, EX_DATAERR, "bob@@example.org")
        proc = self.lettre("send", "--from", "not an address", "--to", "bob@example.org",
                           "--text", "x")
        self.assert_error(proc, EX_DATAERR, "not an address")
        self.assertFalse((self.dir / "outbox").exists())

    def test_header_injection(self):
        out = self.dir / "out.eml"
        proc = self.lettre("compose", *BASIC, "--text", "x",
                           "--header", "X-Note: a\r\nBcc: evil@x", "-o", str(out))
        self.assert_error(proc, EX_DATAERR)
        self.assertFalse(out.exists())
        proc = self.lettre("send", *BASIC, "--text", "x", "--header", "X-Note: a\nBcc: evil@x")
        self.assert_error(proc, EX_DATAERR)
        self.assertFalse((self.dir / "outbox").exists())

    def test_subject_with_newline(self):
        proc = self.lettre("compose", "--from", "ann@example.com", "--to", "bob@example.org",
                           "--subject", "Hello\nBcc: evil@example.net", "--text", "x")
        self.assert_error(proc, EX_DATAERR)
        proc = self.lettre("compose", "--from", "ann@example.com", "--to", "bob@example.org",
                           "--subject", "Hello\r\n", "--text", "x")
        self.assert_error(proc, EX_DATAERR)

    def test_invalid_date_message_id_and_type(self):
        self.write("a.bin", b"x")
        cases = [
            (["--date", "yesterday at noon"], "yesterday at noon"),
            (["--message-id", "no-brackets"], "no-brackets"),
            (["--attach", 'a.bin:text/plain; charset="utf-8'], "--attach"),
        ]
        for args, named in cases:
            with self.subTest(args=args):
                proc = self.lettre("compose", *BASIC, "--text", "x", *args)
                self.assert_error(proc, EX_DATAERR, named)

    def test_missing_attachment(self):
        proc = self.lettre("compose", *BASIC, "--text", "x", "--attach", "missing-report.pdf")
        self.assert_error(proc, EX_NOINPUT, "missing-report.pdf")
        proc = self.lettre("compose", *BASIC, "--text", "x",
                           "--attach", "missing.pdf:application/pdf")
        self.assert_error(proc, EX_NOINPUT, "missing.pdf")
        proc = self.lettre("compose", *BASIC, "--html", "<img src=cid:x>",
                           "--inline", "x=missing.png")
        self.assert_error(proc, EX_NOINPUT, "missing.png")

    def test_missing_body_files(self):
        proc = self.lettre("compose", *BASIC, "--text-file", "missing-body.txt")
        self.assert_error(proc, EX_NOINPUT, "missing-body.txt")
        proc = self.lettre("compose", *BASIC, "--html-file", "missing-body.html")
        self.assert_error(proc, EX_NOINPUT, "missing-body.html")
        (self.dir / "a-directory").mkdir()
        proc = self.lettre("compose", *BASIC, "--text-file", "a-directory")
        self.assert_error(proc, EX_NOINPUT, "a-directory")

    def test_unwritable_output(self):
        proc = self.lettre("compose", *BASIC, "--text", "x",
                           "-o", str(self.dir / "no" / "such" / "dir" / "m.eml"))
        self.assert_error(proc, EX_FAILURE, "m.eml")


# Every option each help text must document.
MESSAGE_OPTIONS = ["--from", "--sender", "--to", "--cc", "--bcc", "--reply-to", "--subject",
                   "--text", "--text-file", "--html", "--html-file", "--attach", "--inline",
                   "--header", "--date", "--message-id", "--demo", "--help"]
COMPOSE_OPTIONS = MESSAGE_OPTIONS + ["--output", "-o"]
SEND_OPTIONS = MESSAGE_OPTIONS + ["--message", "--envelope-from", "--envelope-to", "--outbox"]


class help_tests(lettre_case):
    def help_text(self, *args):
        proc = self.lettre(*args)
        self.assert_status(proc, EX_OK)
        self.assertEqual(proc.stderr, b"")
        return proc.stdout.decode()

    def assert_documents(self, text, options):
        for option in options:
            self.assertRegex(text, r"(?m)^\s+(-\w, )?" + re.escape(option) + r"\b",
                             f"{option} is not documented")

    def test_global_help(self):
        for args in (["--help"], ["-h"], ["help"]):
            text = self.help_text(*args)
            self.assertIn("lettre compose", text)
            self.assertIn("lettre send", text)
            self.assertIn("--version", text)
            self.assert_documents(text, COMPOSE_OPTIONS + SEND_OPTIONS)
            for status in ("64", "65", "66"):
                self.assertRegex(text, rf"(?m)^\s+{status}\s")

    def test_command_help(self):
        for args in (["compose", "--help"], ["compose", "-h"], ["help", "compose"],
                     ["compose", *BASIC, "--help"]):
            text = self.help_text(*args)
            self.assertIn("lettre compose", text)
            self.assert_documents(text, COMPOSE_OPTIONS)
        for args in (["send", "--help"], ["send", "-h"], ["help", "send"]):
            text = self.help_text(*args)
            self.assertIn("lettre send", text)
            self.assert_documents(text, SEND_OPTIONS)
        self.assertFalse((self.dir / "outbox").exists())

    def test_version(self):
        text = self.help_text("--version")
        self.assertRegex(text, r"^lettre \d+\.\d+\.\d+\n$")

    def test_no_arguments_is_a_usage_error(self):
        proc = self.lettre()
        self.assert_status(proc, EX_USAGE)
        self.assertIn(b"lettre --help", proc.stderr)


def main():
    global LETTRE
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    LETTRE = str(Path(sys.argv[1]).resolve())
    unittest.main(argv=[sys.argv[0], *sys.argv[2:]], verbosity=2)


if __name__ == "__main__":
    main()
