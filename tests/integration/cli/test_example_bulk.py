#!/usr/bin/python3
"""Runs examples/send_bulk_coroutines against Postfix's smtp-sink.

Usage: test_example_bulk.py PATH_TO_EXAMPLE [unittest arguments]

smtp-sink (Debian's postfix; SMTP_SINK overrides /usr/sbin/smtp-sink) is
started on a free port of 127.0.0.1 with -c, which prints running counters
"sess=N quit=N mesg=N" on its stdout; it runs as nobody when this test runs
as root, and is stopped by its PID.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

EXAMPLE = ""  # set from argv
SMTP_SINK = os.environ.get("SMTP_SINK") or "/usr/sbin/smtp-sink"
SUMMARY_RE = re.compile(r"^sent (\d+), failed (\d+), in \d+\.\d\d s \(\d+ msg/s\); reconnects \d+$")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class sink:
    """smtp-sink -c on a free loopback port; stop() returns what it counted."""

    def __init__(self):
        if not os.access(SMTP_SINK, os.X_OK):
            raise RuntimeError(f"{SMTP_SINK} not found (Debian package postfix; see "
                               "scripts/install-deps.sh)")
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        for _ in range(10):
            self.port = free_port()
            self.out = tempfile.TemporaryFile()
            self.proc = subprocess.Popen(
                [SMTP_SINK, *user, "-c", f"127.0.0.1:{self.port}", "256"],
                stdin=subprocess.DEVNULL, stdout=self.out, stderr=subprocess.STDOUT)
            if self._listening():
                return
            self._kill()
        raise RuntimeError("smtp-sink did not start")

    def _listening(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                    s.settimeout(5)
                    if s.recv(512).startswith(b"220"):
                        s.sendall(b"QUIT\r\n")
                        s.recv(512)
                        return True
            except OSError:
                time.sleep(0.05)
        return False

    def _kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def stop(self):
        """Stops the sink; the last counter value of delivered messages."""
        self._kill()
        self.out.seek(0)
        counts = re.findall(rb"mesg=(\d+)", self.out.read())
        self.out.close()
        return int(counts[-1]) if counts else 0


class example_tests(unittest.TestCase):
    def run_example(self, *args):
        return subprocess.run([EXAMPLE, *args], capture_output=True, timeout=300, check=False)

    def test_ten_thousand_messages_through_a_pool_of_ten(self):
        peer = sink()
        try:
            proc = self.run_example("127.0.0.1", str(peer.port), "10000", "10")
        finally:
            counted = peer.stop()
        self.assertEqual(proc.returncode, 0, proc.stderr)
        match = SUMMARY_RE.match(proc.stdout.decode().strip())
        self.assertIsNotNone(match, proc.stdout)
        self.assertEqual((int(match[1]), int(match[2])), (10000, 0))
        # The health-check connection above counts as a session, not a message.
        self.assertEqual(counted, 10000)

    def test_no_server_fails_cleanly(self):
        proc = self.run_example("127.0.0.1", str(free_port()), "10000", "4")
        self.assertEqual(proc.returncode, 1, proc.stdout)
        match = SUMMARY_RE.match(proc.stdout.decode().strip())
        self.assertIsNotNone(match, proc.stdout)
        self.assertEqual(int(match[1]), 0)
        self.assertIn(b"is an SMTP server listening there?", proc.stderr)


def main():
    global EXAMPLE
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    EXAMPLE = os.path.abspath(sys.argv[1])
    unittest.main(argv=[sys.argv[0], *sys.argv[2:]], verbosity=2)


if __name__ == "__main__":
    main()
