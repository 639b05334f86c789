#!/usr/bin/env python3
"""Scripted misbehaving SMTP server for lettre's fault-injection tests.

One listener per scenario on 127.0.0.1 (kernel-chosen ports). Prints
"PORT <scenario> <port>" for each, then "READY"; serves until SIGTERM or
until its standard input closes. Every connection's received bytes are
written to OUTDIR/<scenario>.<n>.log when the connection ends, so that a test
can check what the client sent (or did not send).

Scenarios:
  drop_after_greeting  220, then closes when the EHLO arrives
  drop_after_mail      EHLO ok, closes when MAIL arrives (no reply)
  drop_after_dot       takes the whole message, closes without a final reply
  stall_greeting       accepts the connection and never says anything
  stall_ehlo           greets, never answers EHLO
  stall_data           answers up to RCPT, never answers DATA
  stall_final          takes the whole message, never answers the dot
  reply_421_mail       answers MAIL with 421 and closes
  garbage              answers EHLO with an HTTP response
  overlong             answers EHLO with one endless line
  too_many_lines       answers EHLO with 100000 continuation lines
  starttls_inject      answers STARTTLS with "220" plus a pipelined fake EHLO
                       reply in the same segment
  slow_greeting        sends its greeting one byte per 200 ms; gives up (closes)
                       after 60 bytes, so that an idle timer fails instead of
                       hanging
  slow_ehlo            greets, then answers EHLO one byte per 200 ms (60 bytes,
                       then closes)
  auth_refused         offers AUTH PLAIN LOGIN, answers AUTH with 535, then
                       serves on (QUIT gets 221)
  greeting_554         greets with 554 and waits for QUIT
  good                 a correct minimal server (control)
  close_after_message  like good, but closes the connection (without a word)
                       right after accepting each message
  pipelining           like good, offering PIPELINING
  pipelining_slow      like pipelining, but the replies to all the input at
                       hand go back together, 5 ms late (a distant server: the
                       client then writes queued sends ahead)
  pipelining_hold      like good, offering PIPELINING; at the first DATA of a
                       connection n it creates OUTDIR/hold-pipelining_hold.n.held
                       and holds its replies until OUTDIR/hold-pipelining_hold.n.go
                       exists (30 s at most), so that a test acts while the
                       client's window is full
"""

import argparse
import asyncio
import os
import signal
import sys

SCENARIOS = [
    "drop_after_greeting", "drop_after_mail", "drop_after_dot", "stall_greeting",
    "stall_ehlo", "stall_data", "stall_final", "reply_421_mail", "garbage", "overlong",
    "too_many_lines", "starttls_inject", "good", "close_after_message", "slow_greeting",
    "slow_ehlo", "auth_refused", "greeting_554", "pipelining", "pipelining_slow", "pipelining_hold",
]

EHLO_REPLY = b"250-fake.example\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n"
EHLO_PIPELINING = b"250-fake.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n"


class Session:
    def __init__(self, scenario, reader, writer, outdir, n):
        self.scenario = scenario
        self.reader = reader
        self.writer = writer
        self.log = bytearray()
        self.path = os.path.join(outdir, "%s.%d.log" % (scenario, n))
        self.hold = os.path.join(outdir, "hold-%s.%d" % (scenario, n))
        self.replies = None  # replies being held (pipelining_hold)
        self.pending = bytearray()  # replies not sent yet (pipelining_slow)

    async def line(self):
        if self.pending and not self.reader._buffer:  # pylint: disable=protected-access
            # pipelining_slow: the replies to all that came in at once go
            # back together, 5 ms late, as from a distant server.
            await asyncio.sleep(0.005)
            data, self.pending = bytes(self.pending), bytearray()
            self.writer.write(data)
            await self.writer.drain()
        data = await self.reader.readline()
        self.log += data
        if not data:
            raise ConnectionError("client closed")
        return data

    async def send(self, data):
        if self.replies is not None:
            self.replies.append(data)
            return
        if self.scenario == "pipelining_slow":
            self.pending += data  # flushed by line(), once all input is answered
            if not data.startswith(b"221"):  # nothing is read after QUIT
                return
            data, self.pending = bytes(self.pending), bytearray()
        self.writer.write(data)
        await self.writer.drain()

    async def release(self):
        # pipelining_hold: MAIL, RCPT and DATA are in; the client's window
        # holds its queued sends. Wait for the test, then answer them all.
        open(self.hold + ".held", "w").close()
        for _ in range(3000):
            if os.path.exists(self.hold + ".go"):
                break
            await asyncio.sleep(0.01)
        held, self.replies = self.replies, None
        await self.send(b"".join(held))

    async def until_dot(self):
        while True:
            if await self.line() == b".\r\n":
                return

    async def forever(self):
        # Keep the connection open, reading whatever comes, until the client goes.
        while True:
            data = await self.reader.read(65536)
            if not data:
                return
            self.log += data

    async def trickle(self, data, limit=60, delay=0.2):
        # One byte at a time; closes after `limit` bytes (a bounded test).
        for i in range(min(len(data), limit)):
            await self.send(data[i:i + 1])
            await asyncio.sleep(delay)

    async def run(self):
        s = self.scenario
        if s == "stall_greeting":
            return await self.forever()
        if s == "slow_greeting":
            return await self.trickle(b"220 " + b"x" * 200 + b"\r\n")
        if s == "greeting_554":
            await self.send(b"554 5.7.1 fake.example: no SMTP service for you\r\n")
            if (await self.line()).upper().startswith(b"QUIT"):
                await self.send(b"221 2.0.0 Bye\r\n")
            return
        await self.send(b"220 fake.example ESMTP\r\n")
        if s == "drop_after_greeting":
            await self.line()
            return
        await self.line()  # EHLO
        if s == "stall_ehlo":
            return await self.forever()
        if s == "slow_ehlo":
            return await self.trickle(b"250-fake.example\r\n" + b"250-" + b"x" * 200 + b"\r\n")
        if s == "auth_refused":
            await self.send(b"250-fake.example\r\n250 AUTH PLAIN LOGIN\r\n")
        if s == "garbage":
            await self.send(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return await self.forever()
        if s == "overlong":
            await self.send(b"250-")
            chunk = b"x" * 65536
            for _ in range(64):  # 4 MiB at most, then give up
                if self.writer.is_closing():
                    break
                self.writer.write(chunk)
                try:
                    await self.writer.drain()
                except ConnectionError:
                    break
            return await self.forever()
        if s == "too_many_lines":
            try:
                await self.send(b"250-x\r\n" * 100000 + b"250 x\r\n")
            except ConnectionError:
                pass
            return await self.forever()
        if s == "starttls_inject":
            await self.send(b"250-fake.example\r\n250 STARTTLS\r\n")
            cmd = await self.line()
            if cmd.upper().startswith(b"STARTTLS"):
                # One write: the 220 and a forged reply to the EHLO the client
                # will send after the handshake (CVE-2011-0411 class).
                await self.send(b"220 2.0.0 Ready to start TLS\r\n"
                                b"250-evil.example\r\n250 AUTH PLAIN\r\n")
            return await self.forever()
        if s in ("pipelining", "pipelining_slow"):
            await self.send(EHLO_PIPELINING)
        elif s == "pipelining_hold":
            await self.send(EHLO_PIPELINING)
            self.replies = []  # until the first DATA's release()
        elif s != "auth_refused":
            await self.send(EHLO_REPLY)
        while True:
            cmd = await self.line()
            verb = cmd.split(b" ", 1)[0].split(b":", 1)[0].strip().upper()
            if verb == b"MAIL":
                if s == "drop_after_mail":
                    return
                if s == "reply_421_mail":
                    await self.send(b"421 4.3.2 Service shutting down, closing channel\r\n")
                    return
                await self.send(b"250 2.1.0 Ok\r\n")
            elif verb == b"RCPT":
                await self.send(b"250 2.1.5 Ok\r\n")
            elif verb == b"DATA":
                if s == "stall_data":
                    return await self.forever()
                await self.send(b"354 go ahead\r\n")
                if self.replies is not None:
                    await self.release()
                await self.until_dot()
                if s == "drop_after_dot":
                    return
                if s == "stall_final":
                    return await self.forever()
                await self.send(b"250 2.0.0 Ok: queued\r\n")
                if s == "close_after_message":
                    return
            elif verb == b"QUIT":
                await self.send(b"221 2.0.0 Bye\r\n")
                return
            elif verb == b"AUTH":
                await self.send(b"535 5.7.8 Error: authentication failed\r\n")
            elif verb in (b"RSET", b"NOOP"):
                await self.send(b"250 2.0.0 Ok\r\n")
            else:
                await self.send(b"502 5.5.2 Error: command not recognized\r\n")


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--outdir", required=True)
    args = ap.parse_args()
    loop = asyncio.get_running_loop()
    counters = {s: 0 for s in SCENARIOS}
    servers = []

    def make_handler(scenario):
        async def handle(reader, writer):
            counters[scenario] += 1
            sess = Session(scenario, reader, writer, args.outdir, counters[scenario])
            try:
                await sess.run()
            except (ConnectionError, asyncio.IncompleteReadError):
                pass
            finally:
                # Whole or not at all: a test polls for the file and must
                # never read it half written (it did, once, under load).
                partial = os.path.join(args.outdir, ".partial-" + os.path.basename(sess.path))
                with open(partial, "wb") as f:
                    f.write(bytes(sess.log))
                os.replace(partial, sess.path)
                writer.close()
        return handle

    for scenario in SCENARIOS:
        srv = await asyncio.start_server(make_handler(scenario), "127.0.0.1", 0)
        servers.append(srv)
        print("PORT %s %d" % (scenario, srv.sockets[0].getsockname()[1]), flush=True)
    print("READY", flush=True)

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.add_reader(sys.stdin.fileno(),
                    lambda: stop.set() if not os.read(sys.stdin.fileno(), 4096) else None)
    await stop.wait()
    for srv in servers:
        srv.close()


if __name__ == "__main__":
    asyncio.run(main())
