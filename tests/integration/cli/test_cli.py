#!/usr/bin/python3
"""Integration tests for the `lettre` command-line tool.

Usage: test_cli.py PATH_TO_LETTRE [unittest arguments, e.g. compose_tests]

Every case runs the binary in a fresh temporary directory and checks the exit
status, stdout/stderr and the files it wrote; messages are parsed with
Python's email package (policy.default); DKIM signatures are verified with
dkimpy against the DNS records `lettre dkim keygen` printed.
"""

import base64
import email
import email.policy
import json
import re
import secrets
import stat
import subprocess
import sys
import tempfile
import unittest
from datetime import datetime, timedelta, timezone
from pathlib import Path

import dkim  # Debian's python3-dkim; python3-nacl comes with it
import dkim.crypto
import nacl.signing

LETTRE = ""  # set from argv before unittest runs

EX_OK, EX_FAILURE, EX_USAGE, EX_DATAERR, EX_NOINPUT = 0, 1, 64, 65, 66

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")

SENT_RE = re.compile(r"^sent to outbox: (?P<eml>\S+\.eml) \(envelope (?P<json>\S+\.json)\)$")


def memory_cap():
    """A preexec_fn that caps the child at 1 GiB of address space, so that a
    reader without a size limit dies quickly on /dev/zero instead of taking
    the machine's memory; None for a tool built with AddressSanitizer, which
    reserves terabytes of shadow address space before main()."""
    with open(LETTRE, "rb") as tool:
        if b"__asan_init" in tool.read():
            return None

    def limit():
        import resource  # pylint: disable=import-outside-toplevel
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    return limit


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

    def test_mx_port_does_not_apply_to_the_mx_command(self):
        # Refused before any DNS query (the name server here does not exist).
        proc = self.lettre("mx", "example.com", "--dns", "127.0.0.1:1", "--mx-port", "2525")
        self.assert_error(proc, EX_USAGE, "--mx-port", "does not apply to lettre mx")

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


# --- DKIM ------------------------------------------------------------------

KEYGEN_RE = re.compile(
    r"\AWrote the private key \((?P<alg>[a-z0-9-]+)(?:, (?P<bits>\d+) bits)?\) to (?P<out>.+), "
    r"mode 0600\.\nPublish this TXT record in the DNS of (?P<domain>\S+)\.\n\n"
    r"Zone-file line:\n(?P<zone>[^\n]+)\n\n"
    r"Record name:\n(?P<name>[^\n]+)\n\n"
    r"Record text:\n(?P<text>[^\n]+)\n\Z")

LF_MESSAGE = (b"From: Ann Example <ann@example.com>\n"
              b"To: Bob <bob@example.org>\n"
              b"Subject: Quarterly report\n"
              b"Date: Sat, 01 Nov 2025 12:00:00 +0100\n"
              b"Message-ID: <report.1@example.com>\n"
              b"\n"
              b"Hello Bob,\n"
              b"the figures are in.  Two spaces, a tab\there.\n"
              b"\n"
              b"Ann\n")


def der(tag, content):
    """One DER TLV."""
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def der_int(value):
    return der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def der_read(data, pos=0):
    """(tag, content, next position) of the TLV at `pos`."""
    tag, first = data[pos], data[pos + 1]
    pos += 2
    if first & 0x80:
        count = first & 0x7F
        first, pos = int.from_bytes(data[pos:pos + count], "big"), pos + count
    return tag, data[pos:pos + first], pos + first


def pem(label, body):
    b64 = base64.b64encode(body).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


def pem_body(text):
    """The DER inside a PEM text."""
    inner = re.search(r"-----BEGIN [A-Z ]+-----\n(.*?)-----END", text, re.S)
    return base64.b64decode("".join(inner.group(1).split()))


def is_probable_prime(n):
    if n % 2 == 0:
        return n == 2
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(32):
        x = pow(secrets.randbelow(n - 3) + 2, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def random_prime(bits):
    """A prime of exactly `bits` bits, its top two bits set."""
    while True:
        n = secrets.randbits(bits) | (3 << (bits - 2)) | 1
        if is_probable_prime(n):
            return n


def weak_rsa_pem(bits=512):
    """A PKCS#1 RSA key of `bits` bits, made here: keygen refuses to make one."""
    e = 65537
    while True:
        p, q = random_prime(bits // 2), random_prime(bits // 2)
        phi = (p - 1) * (q - 1)
        if p != q and phi % e:
            break
    d = pow(e, -1, phi)
    fields = [0, p * q, e, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p)]
    return pem("RSA PRIVATE KEY", der(0x30, b"".join(der_int(v) for v in fields)))


def ec_p256_pem():
    """An unencrypted PKCS#8 P-256 key: a valid key DKIM cannot use."""
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    scalar = secrets.randbelow(order - 1) + 1
    algorithm = der(0x30, der(0x06, bytes.fromhex("2a8648ce3d0201")) +
                    der(0x06, bytes.fromhex("2a8648ce3d030107")))
    ec_key = der(0x30, der_int(1) + der(0x04, scalar.to_bytes(32, "big")))
    return pem("PRIVATE KEY", der(0x30, der_int(0) + algorithm + der(0x04, ec_key)))


def ed25519_seed(pkcs8_pem):
    """The 32-byte seed inside a PKCS#8 Ed25519 key (RFC 8410)."""
    _, info, _ = der_read(pem_body(pkcs8_pem))
    pos = 0
    for _ in range(2):  # version, algorithm
        _, _, pos = der_read(info, pos)
    tag, octets, _ = der_read(info, pos)
    assert tag == 0x04
    tag, seed, _ = der_read(octets)
    assert tag == 0x04 and len(seed) == 32
    return seed


def record_tags(text):
    return dict(t.strip().split("=", 1) for t in text.split(";") if t.strip())


def signature_tags(data):
    """The tags of each DKIM-Signature field, top first."""
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    return [record_tags(re.sub(r"\s+", "", v)) for v in msg.get_all("DKIM-Signature", [])]


class dkim_case(lettre_case):
    """Keys are made once per class with `lettre dkim keygen`; self.records
    maps record names to the TXT text keygen printed."""

    @classmethod
    def setUpClass(cls):
        cls._keys_tmp = tempfile.TemporaryDirectory(prefix="lettre-dkim-keys-")
        cls.keys = Path(cls._keys_tmp.name)
        cls.records = {}

    @classmethod
    def tearDownClass(cls):
        cls._keys_tmp.cleanup()

    def keygen(self, algorithm, selector, domain="example.com", *extra, directory=None):
        """Runs keygen (must succeed); returns (key path, parsed output)."""
        out = (directory or self.keys) / f"{selector}.{domain}.pem"
        proc = subprocess.run([LETTRE, "dkim", "keygen", "--algorithm", algorithm,
                               "--domain", domain, "--selector", selector, "--out", str(out),
                               *extra], capture_output=True, timeout=120, check=False)
        self.assert_status(proc, EX_OK)
        match = KEYGEN_RE.match(proc.stdout.decode())
        self.assertIsNotNone(match, proc.stdout.decode())
        self.records[match["name"]] = match["text"]
        return out, match, proc

    def key(self, algorithm, selector, domain="example.com"):
        """A key made once for the class."""
        path = self.keys / f"{selector}.{domain}.pem"
        if not path.exists():
            self.keygen(algorithm, selector, domain)
        return path

    def dns(self, name, timeout=5):
        text = self.records.get(name.decode().rstrip(".").lower())
        return None if text is None else text.encode()

    def verify(self, data, idx):
        """(ok, reason) of dkimpy's check of signature `idx` (0 = top)."""
        try:
            ok = dkim.DKIM(data).verify(idx=idx, dnsfunc=self.dns)
            return ok, "verify() returned False"
        except dkim.DKIMException as e:
            return False, f"{type(e).__name__}: {e}"

    def assert_signed(self, data, expected):
        """`data` holds exactly the signatures `expected` [(a, d, s)...], top
        first, each verified by dkimpy; and a tampered copy fails each."""
        self.assertNotRegex(data, rb"(?<!\r)\n", "bare LF in signed output")
        self.assertNotRegex(data, rb"\r(?!\n)", "bare CR in signed output")
        tags = signature_tags(data)
        self.assertEqual([(t["a"], t["d"], t["s"]) for t in tags], expected)
        for idx in range(len(expected)):
            ok, why = self.verify(data, idx)
            self.assertTrue(ok, f"signature {idx} ({expected[idx]}) does not verify: {why}")
        head, body = data.split(b"\r\n\r\n", 1)
        self.assertTrue(body, "nothing after the header")
        tampered_body = head + b"\r\n\r\nX" + body
        self.assertNotEqual(tampered_body, data)
        subject = re.search(rb"(?m)^Subject: ", head)
        self.assertIsNotNone(subject)
        tampered_head = data[:subject.end()] + b"Re: " + data[subject.end():]
        # An added From after signing is caught by oversigning.
        added_from = head + b"\r\nFrom: mallory@example.net\r\n\r\n" + body
        for tampered in (tampered_body, tampered_head, added_from):
            for idx in range(len(expected)):
                ok, _ = self.verify(tampered, idx)
                self.assertFalse(ok, f"tampered copy verifies with signature {idx}")
        return tags

    def sign(self, *args, stdin=b""):
        proc = self.lettre("dkim", "sign", *args, stdin=stdin)
        self.assert_status(proc, EX_OK)
        return proc


class dkim_tests(dkim_case):
    # -- keygen --
    def assert_key_file(self, path):
        mode = stat.S_IMODE(path.stat().st_mode)
        self.assertEqual(mode, 0o600, oct(mode))
        text = path.read_text()
        self.assertTrue(text.startswith("-----BEGIN PRIVATE KEY-----\n"), text[:40])
        return text

    def assert_record(self, match, selector, domain, k):
        self.assertEqual(match["name"], f"{selector}._domainkey.{domain}")
        tags = record_tags(match["text"])
        self.assertEqual(tags["v"], "DKIM1")
        self.assertEqual(tags["k"], k)
        strings = re.fullmatch(re.escape(match["name"]) + r'\. IN TXT \( ((?:"[^"]*" )+)\)',
                               match["zone"])
        self.assertIsNotNone(strings, match["zone"])
        pieces = re.findall(r'"([^"]*)"', strings.group(1))
        self.assertTrue(all(len(p) <= 255 for p in pieces), [len(p) for p in pieces])
        self.assertEqual("".join(pieces), match["text"])
        return base64.b64decode(tags["p"])

    def test_keygen_rsa(self):
        path, match, proc = self.keygen("rsa", "rsa2048", directory=self.dir)
        self.assertEqual(proc.stderr, b"", "a 2048-bit key draws no warning")
        self.assertEqual((match["alg"], match["bits"]), ("rsa-sha256", "2048"))
        text = self.assert_key_file(path)
        public = dkim.crypto.parse_public_key(self.assert_record(match, "rsa2048",
                                                                 "example.com", "rsa"))
        private = dkim.crypto.parse_private_key(pem_body(text))
        self.assertEqual(private["modulus"], public["modulus"], "p= is not the key's")
        self.assertEqual(private["modulus"].bit_length(), 2048)
        self.assertEqual(private["publicExponent"], public["publicExponent"])
        # The key file signs with another implementation, checked against the record.
        signed = dkim.sign(LF_MESSAGE, b"rsa2048", b"example.com", text.encode(),
                           include_headers=[b"from", b"subject"])
        ok, why = self.verify(signed + LF_MESSAGE, 0)
        self.assertTrue(ok, why)

    def test_keygen_ed25519(self):
        path, match, proc = self.keygen("ed25519", "ed1", "example.net", directory=self.dir)
        self.assertEqual(proc.stderr, b"")
        self.assertEqual((match["alg"], match["bits"]), ("ed25519-sha256", None))
        text = self.assert_key_file(path)
        p = self.assert_record(match, "ed1", "example.net", "ed25519")
        seed = ed25519_seed(text)
        self.assertEqual(bytes(nacl.signing.SigningKey(seed).verify_key), p,
                         "p= is not the key's public key")
        signed = dkim.sign(LF_MESSAGE, b"ed1", b"example.net", base64.b64encode(seed),
                           signature_algorithm=b"ed25519-sha256",
                           include_headers=[b"from", b"subject"])
        ok, why = self.verify(signed + LF_MESSAGE, 0)
        self.assertTrue(ok, why)

    def test_keygen_idn_domain_record_in_a_labels(self):
        _, match, _ = self.keygen("ed25519", "s1", "bücher.de", directory=self.dir)
        self.assertEqual(match["name"], "s1._domainkey.xn--bcher-kva.de")

    def test_keygen_key_is_0600_whatever_the_umask(self):
        out = self.dir / "k.pem"
        proc = subprocess.run(["/bin/sh", "-c", 'umask 000 && exec "$@"', "sh", LETTRE, "dkim",
                               "keygen", "--algorithm", "ed25519", "--domain", "example.com",
                               "--selector", "s", "--out", str(out)],
                              capture_output=True, timeout=60, check=False)
        self.assert_status(proc, EX_OK)
        self.assertEqual(stat.S_IMODE(out.stat().st_mode), 0o600)

    def test_keygen_refuses_to_overwrite(self):
        out = self.write("taken.pem", "precious\n")
        out.chmod(0o644)
        args = ["dkim", "keygen", "--algorithm", "ed25519", "--domain", "example.com",
                "--selector", "s1", "--out", str(out)]
        self.assert_error(self.lettre(*args), EX_FAILURE, "taken.pem", "--force")
        self.assertEqual(out.read_text(), "precious\n")
        self.assertEqual(stat.S_IMODE(out.stat().st_mode), 0o644)
        link = self.dir / "link.pem"
        link.symlink_to(self.dir / "nowhere.pem")
        self.assert_error(self.lettre(*args[:-1], str(link)), EX_FAILURE, "--force")
        self.assertFalse((self.dir / "nowhere.pem").exists())

        proc = self.lettre(*args, "--force")
        self.assert_status(proc, EX_OK)
        self.assertIsNotNone(KEYGEN_RE.match(proc.stdout.decode()))
        self.assertTrue(self.assert_key_file(out))
        self.assertEqual(sorted(p.name for p in self.dir.iterdir()), ["link.pem", "taken.pem"])

    def test_keygen_bits(self):
        out = self.dir / "weak.pem"
        base = ["dkim", "keygen", "--algorithm", "rsa", "--domain", "example.com",
                "--selector", "s1", "--out", str(out)]
        for bits in ("512", "1023"):
            self.assert_error(self.lettre(*base, "--bits", bits), EX_DATAERR, bits, "1024")
            self.assertFalse(out.exists())
        self.assert_error(self.lettre(*base, "--bits", "999999"), EX_DATAERR, "16384")
        self.assert_error(self.lettre(*base, "--bits", "big"), EX_USAGE, "--bits", "big")
        self.assert_error(self.lettre(*base, "--bits", "-2048"), EX_USAGE, "--bits")
        self.assertFalse(out.exists())

        proc = self.lettre(*base, "--bits", "1024")
        self.assert_status(proc, EX_OK)
        self.assertRegex(proc.stderr.decode(), r"^lettre: warning: .*1024 bits.*2048")
        match = KEYGEN_RE.match(proc.stdout.decode())
        self.assertEqual(match["bits"], "1024")
        private = dkim.crypto.parse_private_key(pem_body(out.read_text()))
        self.assertEqual(private["modulus"].bit_length(), 1024)

    def test_keygen_usage_errors(self):
        out = self.dir / "k.pem"
        full = {"--algorithm": "ed25519", "--domain": "example.com", "--selector": "s1",
                "--out": str(out)}
        for missing in full:
            args = [x for k, v in full.items() if k != missing for x in (k, v)]
            self.assert_error(self.lettre("dkim", "keygen", *args), EX_USAGE, missing)
        cases = [
            (["--algorithm", "dsa"], "dsa"),
            (["--algorithm", "ed25519", "--bits", "2048"], "--bits"),
            (["--out", "-"], "--out"),
        ]
        for change, named in cases:
            with self.subTest(change=change):
                args = dict(full)
                args.update(zip(change[::2], change[1::2]))
                flat = [x for kv in args.items() for x in kv]
                self.assert_error(self.lettre("dkim", "keygen", *flat), EX_USAGE, named)
        self.assert_error(self.lettre("dkim"), EX_USAGE, "keygen")
        self.assert_error(self.lettre("dkim", "verify"), EX_USAGE, "verify")
        self.assertFalse(out.exists())

    def test_keygen_bad_domain_or_selector_leaves_no_key(self):
        out = self.dir / "k.pem"
        for domain, selector, named in (("exa mple.com", "s1", "exa mple.com"),
                                        ("example.com", "bad selector", "bad selector")):
            proc = self.lettre("dkim", "keygen", "--algorithm", "ed25519", "--domain", domain,
                               "--selector", selector, "--out", str(out))
            self.assert_error(proc, EX_DATAERR, named)
            self.assertFalse(out.exists())
        proc = self.lettre("dkim", "keygen", "--algorithm", "ed25519", "--domain", "example.com",
                           "--selector", "s1", "--out", str(self.dir / "no" / "dir" / "k.pem"))
        self.assert_error(proc, EX_FAILURE, "k.pem")

    # -- sign --
    def test_sign_stdin_with_lf_line_ends(self):
        key = self.key("rsa", "rsa1")
        proc = self.sign("--domain", "example.com", "--selector", "rsa1", "--key", str(key),
                         stdin=LF_MESSAGE)
        self.assertEqual(proc.stderr, b"")
        data = proc.stdout
        tags = self.assert_signed(data, [("rsa-sha256", "example.com", "rsa1")])
        self.assertEqual(tags[0]["c"], "relaxed/relaxed")
        # The message itself, made CRLF, follows the signature unchanged.
        self.assertTrue(data.endswith(LF_MESSAGE.replace(b"\n", b"\r\n")))
        self.assertTrue(data.startswith(b"DKIM-Signature: "))

    def test_sign_crlf_input_and_in_output_files(self):
        key = self.key("ed25519", "ed1")
        crlf = LF_MESSAGE.replace(b"\n", b"\r\n")
        self.write("m.eml", crlf)
        proc = self.sign("--domain", "example.com", "--selector", "ed1", "--key", str(key),
                         "--in", "m.eml", "-o", "signed.eml")
        self.assertEqual(proc.stdout, b"")
        data = (self.dir / "signed.eml").read_bytes()
        self.assert_signed(data, [("ed25519-sha256", "example.com", "ed1")])
        self.assertTrue(data.endswith(crlf))
        # Same key and time, LF or CRLF input: the same signature.
        lf = self.sign("--domain", "example.com", "--selector", "ed1", "--key", str(key),
                       "--time", "1790000000", stdin=LF_MESSAGE).stdout
        cr = self.sign("--domain", "example.com", "--selector", "ed1", "--key", str(key),
                       "--time", "1790000000", "--in", "m.eml", "--output=-").stdout
        self.assertEqual(lf, cr)

    def test_sign_options(self):
        key = self.key("rsa", "rsa1")
        now = int(datetime.now(timezone.utc).timestamp())
        proc = self.sign("--domain", "example.com", "--selector", "rsa1", "--key", str(key),
                         "--canon", "simple/simple", "--headers", "From:Subject : date",
                         "--time", str(now - 60), "--expire", "3600",
                         "--identity", "reports@mail.example.com", stdin=LF_MESSAGE)
        tags = self.assert_signed(proc.stdout, [("rsa-sha256", "example.com", "rsa1")])[0]
        self.assertEqual(tags["c"], "simple/simple")
        self.assertEqual(tags["h"].split(":"), ["from", "from", "subject", "subject", "date",
                                                "date"])
        self.assertEqual(int(tags["t"]), now - 60)
        self.assertEqual(int(tags["x"]), now - 60 + 3600)
        self.assertEqual(tags["i"], "reports@mail.example.com")
        for canon, expected in (("relaxed", "relaxed/relaxed"), ("simple", "simple/simple"),
                                ("relaxed/simple", "relaxed/simple"),
                                ("simple/relaxed", "simple/relaxed")):
            with self.subTest(canon=canon):
                proc = self.sign("--domain", "example.com", "--selector", "rsa1",
                                 "--key", str(key), "--canon", canon, stdin=LF_MESSAGE)
                tags = self.assert_signed(proc.stdout, [("rsa-sha256", "example.com", "rsa1")])
                self.assertEqual(tags[0]["c"], expected)

    def test_sign_expired_signature_fails(self):
        key = self.key("ed25519", "ed1")
        proc = self.sign("--domain", "example.com", "--selector", "ed1", "--key", str(key),
                         "--time", "1000000000", "--expire", "60", stdin=LF_MESSAGE)
        tags = signature_tags(proc.stdout)[0]
        self.assertEqual((tags["t"], tags["x"]), ("1000000000", "1000000060"))
        ok, why = self.verify(proc.stdout, 0)
        self.assertFalse(ok)
        self.assertIn("x=", why)

    def test_dual_signing_in_one_pass(self):
        rsa, ed = self.key("rsa", "rsa1"), self.key("ed25519", "ed1")
        proc = self.sign("--domain", "example.com", "--key", str(rsa), "--selector", "rsa1",
                         "--key", str(ed), "--selector", "ed1", stdin=LF_MESSAGE)
        tags = self.assert_signed(proc.stdout, [("rsa-sha256", "example.com", "rsa1"),
                                                ("ed25519-sha256", "example.com", "ed1")])
        self.assertEqual(tags[0]["bh"], tags[1]["bh"])
        # Reversed order, and a domain per key.
        other = self.key("ed25519", "ed2", "example.net")
        proc = self.sign("--key", str(other), "--selector", "ed2", "--domain", "example.net",
                         "--key", str(rsa), "--selector", "rsa1", "--domain", "example.com",
                         "--identity", "@example.net", "--identity", "@example.com",
                         stdin=LF_MESSAGE)
        tags = self.assert_signed(proc.stdout, [("ed25519-sha256", "example.net", "ed2"),
                                                ("rsa-sha256", "example.com", "rsa1")])
        self.assertEqual([t["i"] for t in tags], ["@example.net", "@example.com"])

    def test_compose_signs(self):
        rsa, ed = self.key("rsa", "rsa1"), self.key("ed25519", "ed1")
        data = self.compose(*BASIC, "--text", "Signed at compose time.\n",
                            "--dkim-domain", "example.com", "--dkim-selector", "rsa1",
                            "--dkim-key", str(rsa))
        self.assert_signed(data, [("rsa-sha256", "example.com", "rsa1")])
        self.assertEqual(str(parse(data)["Subject"]), "Hello")
        data = self.compose("--demo", "--dkim-domain", "example.com",
                            "--dkim-key", str(rsa), "--dkim-selector", "rsa1",
                            "--dkim-key", str(ed), "--dkim-selector", "ed1")
        self.assert_signed(data, [("rsa-sha256", "example.com", "rsa1"),
                                  ("ed25519-sha256", "example.com", "ed1")])
        out = self.dir / "out.eml"
        proc = self.lettre("compose", *BASIC, "--text", "x", "-o", str(out),
                           "--dkim-domain", "example.com", "--dkim-selector", "ed1",
                           "--dkim-key", str(ed))
        self.assert_status(proc, EX_OK)
        self.assert_signed(out.read_bytes(), [("ed25519-sha256", "example.com", "ed1")])

    def test_send_signs_built_message(self):
        rsa, ed = self.key("rsa", "rsa1"), self.key("ed25519", "ed1")
        proc = self.lettre("send", *BASIC, "--text", "Signed at send time.\n",
                           "--bcc", "hidden@example.net", "--outbox", "box",
                           "--dkim-domain", "example.com", "--dkim-selector", "ed1",
                           "--dkim-key", str(ed), "--dkim-selector", "rsa1",
                           "--dkim-key", str(rsa))
        self.assert_status(proc, EX_OK)
        eml, env = self.sent_files(proc)
        self.assert_signed(eml.read_bytes(), [("ed25519-sha256", "example.com", "ed1"),
                                              ("rsa-sha256", "example.com", "rsa1")])
        self.assertIn("hidden@example.net", json.loads(env.read_text())["to"])

    def test_send_signs_message_file(self):
        ed = self.key("ed25519", "ed1")
        other = self.key("rsa", "rsa9", "example.org")
        self.write("ready.eml", LF_MESSAGE)
        proc = self.lettre("send", "--message", "ready.eml", "--envelope-from", "ann@example.com",
                           "--envelope-to", "bob@example.org", "--outbox", "box",
                           "--dkim-domain", "example.com", "--dkim-selector", "ed1",
                           "--dkim-key", str(ed), "--dkim-domain", "example.org",
                           "--dkim-selector", "rsa9", "--dkim-key", str(other))
        self.assert_status(proc, EX_OK)
        eml, _ = self.sent_files(proc)
        data = eml.read_bytes()
        self.assert_signed(data, [("ed25519-sha256", "example.com", "ed1"),
                                  ("rsa-sha256", "example.org", "rsa9")])
        self.assertTrue(data.endswith(LF_MESSAGE.replace(b"\n", b"\r\n")))
        self.assertEqual((self.dir / "ready.eml").read_bytes(), LF_MESSAGE)

    # -- errors --
    def test_key_file_errors(self):
        ed = self.key("ed25519", "ed1")
        self.write("garbage.pem", "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n"
                                  "-----END PRIVATE KEY-----\n")
        self.write("noise.key", b"\x01\x02 not a key at all")
        self.write("weak.pem", weak_rsa_pem(512))
        self.write("ec.pem", ec_p256_pem())
        (self.dir / "keydir").mkdir()
        cases = [
            ("missing.pem", EX_NOINPUT, "missing.pem"),
            ("keydir", EX_NOINPUT, "keydir"),
            ("garbage.pem", EX_DATAERR, "garbage.pem"),
            ("noise.key", EX_DATAERR, "noise.key"),
            ("weak.pem", EX_DATAERR, "1024"),
            ("ec.pem", EX_DATAERR, "neither RSA nor Ed25519"),
        ]
        out = self.dir / "out.eml"
        for key, status, named in cases:
            with self.subTest(key=key):
                proc = self.lettre("dkim", "sign", "--domain", "example.com", "--selector", "s",
                                   "--key", key, "-o", str(out), stdin=LF_MESSAGE)
                self.assert_error(proc, status, named)
                # Dual signing: the good key first changes nothing.
                proc = self.lettre("dkim", "sign", "--domain", "example.com",
                                   "--selector", "ed1", "--key", str(ed), "--selector", "s",
                                   "--key", key, stdin=LF_MESSAGE)
                self.assert_error(proc, status, named)
                proc = self.lettre("compose", *BASIC, "--text", "x", "-o", str(out),
                                   "--dkim-domain", "example.com", "--dkim-selector", "s",
                                   "--dkim-key", key)
                self.assert_error(proc, status, named, "--dkim-key")
                proc = self.lettre("send", *BASIC, "--text", "x", "--dkim-domain", "example.com",
                                   "--dkim-selector", "s", "--dkim-key", key)
                self.assert_error(proc, status, named, "--dkim-key")
                self.assertFalse(out.exists())
                self.assertFalse((self.dir / "outbox").exists())

    def test_message_without_separator(self):
        ed = self.key("ed25519", "ed1")
        args = ["--domain", "example.com", "--selector", "ed1", "--key", str(ed)]
        for text in (b"From: ann@example.com\nSubject: no body\n", b"",
                     b"From: ann@example.com\nSubject: no line end"):
            with self.subTest(text=text):
                self.assert_error(self.lettre("dkim", "sign", *args, stdin=text), EX_DATAERR,
                                  "empty line")
        self.write("headless.eml", b"From: ann@example.com\n")
        self.assert_error(self.lettre("dkim", "sign", *args, "--in", "headless.eml"),
                          EX_DATAERR, "headless.eml", "empty line")
        self.assert_error(self.lettre("dkim", "sign", *args, stdin=b"To: bob@example.org\n\nx\n"),
                          EX_DATAERR, "From")
        proc = self.lettre("send", "--message", "headless.eml", "--envelope-from",
                           "ann@example.com", "--envelope-to", "bob@example.org",
                           "--dkim-domain", "example.com", "--dkim-selector", "ed1",
                           "--dkim-key", str(ed))
        self.assert_error(proc, EX_DATAERR, "headless.eml", "empty line")
        self.assertFalse((self.dir / "outbox").exists())
        self.assert_error(self.lettre("dkim", "sign", *args, "--in", "none.eml"), EX_NOINPUT,
                          "none.eml")

    def test_options_that_do_not_pair_up(self):
        rsa, ed = str(self.key("rsa", "rsa1")), str(self.key("ed25519", "ed1"))
        out = self.dir / "out.eml"
        sign_cases = [
            (["--domain", "example.com", "--key", rsa, "--selector", "rsa1", "--key", ed],
             "--selector"),
            (["--domain", "example.com", "--key", rsa, "--selector", "a", "--selector", "b"],
             "--selector"),
            (["--domain", "a.example", "--domain", "b.example", "--domain", "c.example",
              "--key", rsa, "--selector", "rsa1", "--key", ed, "--selector", "ed1"], "--domain"),
            (["--key", rsa, "--selector", "rsa1"], "--domain"),
            (["--domain", "example.com", "--selector", "rsa1"], "--key"),
            (["--domain", "example.com", "--key", rsa, "--selector", "rsa1",
              "--identity", "@example.com", "--identity", "@example.com",
              "--identity", "@example.com"], "--identity"),
            ([], "--key"),
        ]
        for args, named in sign_cases:
            with self.subTest(args=args):
                proc = self.lettre("dkim", "sign", *args, "-o", str(out), stdin=LF_MESSAGE)
                self.assert_error(proc, EX_USAGE, named)
        message_cases = [
            (["--dkim-domain", "example.com", "--dkim-key", rsa], "--dkim-selector"),
            (["--dkim-domain", "example.com", "--dkim-selector", "rsa1"], "--dkim-key"),
            (["--dkim-key", rsa, "--dkim-selector", "rsa1"], "--dkim-domain"),
            (["--dkim-domain", "example.com", "--dkim-key", rsa, "--dkim-selector", "rsa1",
              "--dkim-key", ed], "--dkim-selector"),
            (["--dkim-domain", "a.example", "--dkim-domain", "b.example", "--dkim-key", rsa,
              "--dkim-selector", "rsa1"], "--dkim-domain"),
        ]
        for args, named in message_cases:
            with self.subTest(args=args):
                proc = self.lettre("compose", *BASIC, "--text", "x", "-o", str(out), *args)
                self.assert_error(proc, EX_USAGE, named)
                proc = self.lettre("send", *BASIC, "--text", "x", *args)
                self.assert_error(proc, EX_USAGE, named)
        self.assertFalse(out.exists())
        self.assertFalse((self.dir / "outbox").exists())

    def test_header_names_cannot_inject_tags(self):
        ed = str(self.key("ed25519", "ed1"))
        base = ["--domain", "example.com", "--selector", "ed1", "--key", ed]
        out = self.dir / "signed.eml"
        for headers, bad in (("from:x-e;l=0", "x-e;l=0"), ("from:to;", "to;"),
                             ("from:x\x7fy", "x\\x7fy"), ("from:sub\u00e9", "sub"),
                             ("from:a b", "a b")):
            with self.subTest(headers=headers):
                proc = self.lettre("dkim", "sign", *base, "--headers", headers, "-o", str(out),
                                   stdin=LF_MESSAGE)
                self.assert_error(proc, EX_USAGE, "--headers", bad)
                self.assertFalse(out.exists())
        signed = self.sign(*base, "--headers", "from:x-e:subject", stdin=LF_MESSAGE).stdout
        self.assertNotIn("l", signature_tags(signed)[0])

    def test_key_files_past_the_limit_are_refused(self):
        ed = self.key("ed25519", "ed1")
        # A real key, then padding: 64 KiB + 1 byte in all.
        padded = ed.read_bytes()
        self.write("padded.pem", padded + b"\n" * (64 * 1024 + 1 - len(padded)))

        limit = memory_cap()
        for key in ("/dev/zero", "padded.pem"):
            for command in (["dkim", "sign", "--domain", "example.com", "--selector", "s",
                             "--key", key],
                            ["compose", *BASIC, "--text", "x", "--dkim-domain", "example.com",
                             "--dkim-selector", "s", "--dkim-key", key]):
                with self.subTest(key=key, command=command[0]):
                    proc = subprocess.run([LETTRE, *command], input=LF_MESSAGE,
                                          capture_output=True, cwd=self.dir, timeout=60,
                                          check=False, preexec_fn=limit)
                    self.assert_error(proc, EX_DATAERR, key, "64 KiB")

    def test_bad_option_values(self):
        ed = str(self.key("ed25519", "ed1"))
        base = ["--domain", "example.com", "--selector", "ed1", "--key", ed]
        usage = [
            (["--canon", "strict"], "strict"),
            (["--canon", "relaxed/"], "--canon"),
            (["--time", "yesterday"], "yesterday"),
            (["--time", "-5"], "--time"),
            (["--expire", "0"], "--expire"),
            (["--headers", "from::to"], "--headers"),
            (["--headers", "from:bad name"], "bad name"),
            (["--key", "-", "--selector", "s2"], "--key"),
        ]
        for args, named in usage:
            with self.subTest(args=args):
                self.assert_error(self.lettre("dkim", "sign", *base, *args, stdin=LF_MESSAGE),
                                  EX_USAGE, named)
        data = [
            (["--identity", "@elsewhere.example"], "elsewhere.example"),
        ]
        for args, named in data:
            with self.subTest(args=args):
                self.assert_error(self.lettre("dkim", "sign", *base, *args, stdin=LF_MESSAGE),
                                  EX_DATAERR, named)
        proc = self.lettre("dkim", "sign", "--domain", "exa mple.com", "--selector", "ed1",
                           "--key", ed, stdin=LF_MESSAGE)
        self.assert_error(proc, EX_DATAERR, "exa mple.com")
        proc = self.lettre("dkim", "sign", *base, "-o", str(self.dir / "no" / "dir" / "s.eml"),
                           stdin=LF_MESSAGE)
        self.assert_error(proc, EX_FAILURE, "s.eml")


# Every option each help text must document.
MESSAGE_OPTIONS = ["--from", "--sender", "--to", "--cc", "--bcc", "--reply-to", "--subject",
                   "--text", "--text-file", "--html", "--html-file", "--attach", "--inline",
                   "--header", "--date", "--message-id", "--demo", "--help"]
DKIM_MESSAGE_OPTIONS = ["--dkim-domain", "--dkim-selector", "--dkim-key"]
COMPOSE_OPTIONS = MESSAGE_OPTIONS + DKIM_MESSAGE_OPTIONS + ["--output", "-o"]
SMTP_OPTIONS = ["--smtp", "--user", "--password-file", "--auth", "--ca", "--timeout", "--ehlo",
                "--trace", "--notify", "--ret", "--envid", "--requiretls"]
SEND_OPTIONS = (MESSAGE_OPTIONS + DKIM_MESSAGE_OPTIONS + SMTP_OPTIONS +
                ["--message", "--envelope-from", "--envelope-to", "--outbox"])
KEYGEN_OPTIONS = ["--algorithm", "--bits", "--domain", "--selector", "--out", "--force",
                  "--help"]
SIGN_OPTIONS = ["--key", "--selector", "--domain", "--canon", "--headers", "--identity",
                "--time", "--expire", "--in", "--output", "-o", "--help"]


def pkg_config_version(module):
    return subprocess.run(["pkg-config", "--modversion", module], capture_output=True,
                          text=True, check=True).stdout.strip()


def openssl_runtime_version():
    # "OpenSSL 3.0.19 27 Jan 2026 (Library: OpenSSL 3.0.19 27 Jan 2026)"
    out = subprocess.run(["openssl", "version"], capture_output=True, text=True,
                         check=True).stdout
    return re.search(r"Library: OpenSSL (\S+)", out).group(1)


def header_define(header, name):
    text = Path(header).read_text()
    return int(re.search(rf"#define {name} (\d+)", text).group(1))


def boost_version():
    v = header_define("/usr/include/boost/version.hpp", "BOOST_VERSION")
    return f"{v // 100000}.{v // 100 % 1000}.{v % 100}"


def fmt_version():
    v = header_define("/usr/include/fmt/core.h", "FMT_VERSION")
    return f"{v // 10000}.{v // 100 % 100}.{v % 100}"


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
            self.assertIn("lettre dkim keygen", text)
            self.assertIn("lettre dkim sign", text)
            self.assertIn("--version", text)
            self.assert_documents(text, COMPOSE_OPTIONS + SEND_OPTIONS + KEYGEN_OPTIONS +
                                  SIGN_OPTIONS)
            for status in ("64", "65", "66", "69", "75"):
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
            for status in ("69", "75"):
                self.assertRegex(text, rf"(?m)^\s+{status}\s")
            self.assertIn("LETTRE_PASSWORD", text)
        self.assertFalse((self.dir / "outbox").exists())

    def test_dkim_help(self):
        for args in (["dkim", "--help"], ["dkim", "-h"], ["help", "dkim"],
                     ["help", "dkim", "keygen"], ["help", "dkim", "sign"],
                     ["dkim", "keygen", "--help"], ["dkim", "sign", "-h"],
                     ["dkim", "sign", "--key", "k.pem", "--help"]):
            text = self.help_text(*args)
            self.assertIn("lettre dkim keygen", text)
            self.assertIn("lettre dkim sign", text)
            self.assert_documents(text, KEYGEN_OPTIONS + SIGN_OPTIONS)
            self.assertIn("0600", text)
            self.assertIn("CRLF", text)
        self.assertEqual(list(self.dir.iterdir()), [])
        self.assert_error(self.lettre("help", "dkim", "verify"), EX_USAGE, "verify")

    def test_version(self):
        text = self.help_text("--version")
        lines = text.splitlines()
        self.assertRegex(lines[0], r"^lettre \d+\.\d+\.\d+$")
        deps = {line.split()[0]: line for line in lines[1:]}
        self.assertEqual(sorted(deps), ["Boost", "OpenSSL", "c-ares", "fmt", "libidn2"])
        # Built with and running with: the versions pkg-config and the
        # openssl tool report for this machine's libraries.
        for name, module in (("OpenSSL", "openssl"), ("c-ares", "libcares"),
                             ("libidn2", "libidn2")):
            want = pkg_config_version(module)
            self.assertRegex(deps[name], rf"built with {re.escape(want)}, "
                                         rf"running with {re.escape(want)}$")
        self.assertIn(f"running with {openssl_runtime_version()}", deps["OpenSSL"])
        self.assertRegex(deps["Boost"], rf"built with {re.escape(boost_version())} ")
        self.assertRegex(deps["fmt"], rf"built with {re.escape(fmt_version())} ")

    def test_no_arguments_is_a_usage_error(self):
        proc = self.lettre()
        self.assert_status(proc, EX_USAGE)
        self.assertIn(b"lettre --help", proc.stderr)


FAKE_SENDMAIL = """#!/bin/sh
# Stands in for sendmail: records its arguments and standard input, says
# something on stderr, exits with $FAKE_EXIT (0 by default).
dir=$(dirname "$0")
printf '%s\\n' "$@" > "$dir/args.txt"
cat > "$dir/stdin.eml"
echo "fake sendmail: status ${FAKE_EXIT:-0}" >&2
exit "${FAKE_EXIT:-0}"
"""


class sendmail_tests(lettre_case):
    """send --sendmail: the message goes to a program's stdin; a real
    sendmail (msmtp to aiosmtpd) is exercised by sendmail.integration."""

    def setUp(self):
        super().setUp()
        self.fake = self.dir / "fake-sendmail"
        self.fake.write_text(FAKE_SENDMAIL)
        self.fake.chmod(0o755)

    def send(self, *args, status=0):
        return subprocess.run([LETTRE, "send", *args, "--sendmail",
                               "--sendmail-program", str(self.fake)],
                              capture_output=True, cwd=self.dir, timeout=60, check=False,
                              env={"PATH": "/usr/bin:/bin", "FAKE_EXIT": str(status)})

    def test_message_on_stdin_and_envelope_as_arguments(self):
        proc = self.send(*BASIC, "--cc", "carol@example.net", "--bcc", "-dash@example.net",
                         "--text", "first\n.\nlast")
        self.assert_status(proc, EX_OK)
        self.assertEqual(proc.stdout.decode(), f"handed to {self.fake}\n")
        args = (self.dir / "args.txt").read_text().splitlines()
        self.assertEqual(args, ["-i", "-f", "ann@example.com", "--", "bob@example.org",
                                "carol@example.net", "-dash@example.net"])
        data = (self.dir / "stdin.eml").read_bytes()
        self.assertNotIn(b"\r", data)  # LF line ends for the local MTA
        msg = parse(data)
        self.assertEqual(addr_specs(msg, "To"), ["bob@example.org"])
        self.assertIsNone(msg["Bcc"])
        self.assertEqual(msg.get_content(), "first\n.\nlast\n")

    def test_ready_message_with_null_sender(self):
        original = self.compose(*BASIC, "--text", "ready-made")
        self.write("ready.eml", original)
        proc = self.send("--message", "ready.eml", "--envelope-from", "<>",
                         "--envelope-to", "x@example.org")
        self.assert_status(proc, EX_OK)
        self.assertEqual((self.dir / "args.txt").read_text().splitlines(),
                         ["-i", "-f", "<>", "--", "x@example.org"])
        self.assertEqual((self.dir / "stdin.eml").read_bytes(), original.replace(b"\r\n", b"\n"))

    def test_exit_statuses(self):
        proc = self.send(*BASIC, "--text", "x", status=75)
        self.assert_error(proc, 75, "status 75", "EX_TEMPFAIL", "fake sendmail: status 75")
        proc = self.send(*BASIC, "--text", "x", status=1)
        self.assert_error(proc, 69, "status 1", "fake sendmail: status 1")

    def test_missing_program_and_usage_errors(self):
        proc = self.lettre("send", *BASIC, "--text", "x", "--sendmail",
                           "--sendmail-program", str(self.dir / "nowhere"))
        self.assert_error(proc, 69, "nowhere")
        for extra in (["--outbox", "out"], ["--smtp", "smtp://127.0.0.1:1"], ["--mx"]):
            self.assert_error(self.lettre("send", *BASIC, "--text", "x", "--sendmail", *extra),
                              EX_USAGE, "exclude each other")
        self.assert_error(self.lettre("send", *BASIC, "--text", "x", "--sendmail-program", "x"),
                          EX_USAGE, "--sendmail-program needs --sendmail")
        # The options of the other targets are refused, not ignored.
        for extra in (["--timeout", "5"], ["--requiretls"], ["--dns", "127.0.0.1"],
                      ["--user", "ann"], ["--trace"]):
            proc = self.send(*BASIC, "--text", "x", *extra)
            self.assert_error(proc, EX_USAGE, extra[0], "does not apply to --sendmail")
            self.assertFalse((self.dir / "args.txt").exists())
        self.assertFalse((self.dir / "out").exists())
        self.assertFalse((self.dir / "outbox").exists())


def main():
    global LETTRE
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    LETTRE = str(Path(sys.argv[1]).resolve())
    unittest.main(argv=[sys.argv[0], *sys.argv[2:]], verbosity=2)


if __name__ == "__main__":
    main()
