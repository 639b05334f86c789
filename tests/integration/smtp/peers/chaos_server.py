#!/usr/bin/env python3
"""SMTP server that fails at random, for lettre's pool fault tests.

One listener on 127.0.0.1 (kernel-chosen port): prints "PORT chaos <port>",
then "READY", and serves until SIGTERM or until its standard input closes.

A correct server (PIPELINING, ENHANCEDSTATUSCODES) except that:

  * each new connection is dropped right after the greeting with
    probability --greeting-drop;
  * each transaction meets, with probability --fault-rate, one fault chosen
    at random (from --faults, when given): the connection dropped without a reply after MAIL, after RCPT,
    after DATA, in the middle of the message (before the final dot) or after
    the final dot (before the reply); or "421" (then closed) in reply to
    MAIL, RCPT, DATA or the final dot;
  * a connection idle (between transactions) for --idle-close-ms is closed,
    half the time with "421 4.4.2 idle timeout" first, half the time
    silently, as busy servers do;
  * a recipient whose local part is "stall-data" gets no reply to DATA, and
    "stall-final" none to the final dot (the connection stays open until the
    client goes);
  * with --reply-fault-rate R (bench/soak.sh), every reply the server is
    about to send, at every phase (greeting, EHLO, MAIL, RCPT, DATA, final
    dot), is with probability R replaced by one of: the connection dropped
    without it, "421" then closed, or the first half of the reply then the
    connection dropped (a drop in the middle of a reply).

--port makes it listen on a given port (so that a run can kill the server
and start it again on the same port); events.log is appended to, so the
record survives restarts.

Every message is named by a token: the value of its Subject field. What the
server did with each is appended, one line per event and flushed before the
client can see the reply, to OUTDIR/events.log:

  ACK <token>     250 sent in reply to the final dot: the server took it
  DOT <token>     the final dot arrived, the connection was dropped unanswered
  R421 <token>    the final dot was answered with 421 (not taken)
  CUT <token>     dropped in the middle of the message (before the dot)
  PARTIAL <token> the server took it (logged before replying), then dropped
                  the connection in the middle of its 250 (--reply-fault-rate)

so that the test can check that lettre reported as sent exactly the messages
acknowledged here, and outcome-unknown for every DOT.
"""

import argparse
import asyncio
import os
import random
import signal
import sys

EHLO_REPLY = (b"250-chaos.example\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
              b"250 ENHANCEDSTATUSCODES\r\n")

FAULTS = ["drop_mail", "drop_rcpt", "drop_data", "drop_in_data", "drop_after_dot",
          "421_mail", "421_rcpt", "421_data", "421_dot"]


class Drop(Exception):
    """Close the connection now, without a word."""


class Session:
    def __init__(self, server, reader, writer):
        self.srv = server
        self.reader = reader
        self.writer = writer

    async def line(self, timeout=None):
        if timeout is None:
            data = await self.reader.readline()
        else:
            data = await asyncio.wait_for(self.reader.readline(), timeout)
        if not data:
            raise ConnectionError("client closed")
        return data

    async def send(self, data):
        self.writer.write(data)
        await self.writer.drain()

    async def forever(self):
        while await self.reader.read(65536):
            pass

    async def close_421(self, text=b"421 4.3.2 Service shutting down, closing channel\r\n"):
        await self.send(text)
        raise Drop()

    async def reply(self, phase, data, token=None):
        """Sends `data`, unless --reply-fault-rate picks a fault for it."""
        srv = self.srv
        if srv.reply_fault_rate and srv.rng.random() < srv.reply_fault_rate:
            kind = srv.rng.choice(["drop", "421", "partial"])
            srv.stats["%s_%s" % (kind, phase)] = srv.stats.get("%s_%s" % (kind, phase), 0) + 1
            if token is not None:  # the final dot
                srv.event({"drop": "DOT", "421": "R421", "partial": "PARTIAL"}[kind], token)
            if kind == "421":
                await self.close_421()
            if kind == "partial":
                await self.send(data[:max(1, len(data) // 2)])
            raise Drop()
        if token is not None:
            srv.event("ACK", token)
        await self.send(data)

    async def run(self):
        rng = self.srv.rng
        await self.reply("greeting", b"220 chaos.example ESMTP\r\n")
        if rng.random() < self.srv.greeting_drop:
            self.srv.stats["drop_greeting"] += 1
            raise Drop()
        fault = None
        rcpts = []
        in_transaction = False
        idle = self.srv.idle_close
        while True:
            try:
                cmd = await self.line(None if in_transaction else idle)
            except asyncio.TimeoutError:
                self.srv.stats["idle_close"] += 1
                if rng.random() < 0.5:
                    await self.close_421(b"421 4.4.2 chaos.example Error: timeout exceeded\r\n")
                raise Drop()
            verb = cmd.split(b" ", 1)[0].split(b":", 1)[0].strip().upper()
            if verb in (b"EHLO", b"HELO"):
                await self.reply("ehlo", EHLO_REPLY)
            elif verb == b"MAIL":
                rcpts = []
                fault = None
                in_transaction = True
                if rng.random() < self.srv.fault_rate:
                    fault = rng.choice(self.srv.faults)
                    self.srv.stats[fault] += 1
                if fault == "drop_mail":
                    raise Drop()
                if fault == "421_mail":
                    await self.close_421()
                await self.reply("mail", b"250 2.1.0 Ok\r\n")
            elif verb == b"RCPT":
                if fault == "drop_rcpt":
                    raise Drop()
                if fault == "421_rcpt":
                    await self.close_421()
                addr = cmd.split(b":", 1)[1].strip().split(b" ", 1)[0].strip(b"<>")
                rcpts.append(addr.split(b"@", 1)[0].lower())
                await self.reply("rcpt", b"250 2.1.5 Ok\r\n")
            elif verb == b"DATA":
                if fault == "drop_data":
                    raise Drop()
                if fault == "421_data":
                    await self.close_421()
                if b"stall-data" in rcpts:
                    return await self.forever()
                await self.reply("data", b"354 End data with <CR><LF>.<CR><LF>\r\n")
                token = None
                while True:
                    data = await self.line()
                    if token is None and data.startswith(b"Subject: "):
                        token = data[9:].strip().decode("utf-8", "replace")
                        if fault == "drop_in_data":
                            self.srv.event("CUT", token)
                            raise Drop()
                    if data == b".\r\n":
                        break
                token = token or "-"
                if b"stall-final" in rcpts:
                    return await self.forever()
                if fault == "drop_after_dot":
                    self.srv.event("DOT", token)
                    raise Drop()
                if fault == "421_dot":
                    self.srv.event("R421", token)
                    await self.close_421()
                await self.reply("dot", b"250 2.0.0 Ok: queued\r\n", token)
                rcpts = []
                fault = None
                in_transaction = False
            elif verb == b"RSET":
                rcpts = []
                fault = None
                in_transaction = False
                await self.send(b"250 2.0.0 Ok\r\n")
            elif verb == b"NOOP":
                await self.send(b"250 2.0.0 Ok\r\n")
            elif verb == b"QUIT":
                await self.send(b"221 2.0.0 Bye\r\n")
                return
            else:
                await self.send(b"502 5.5.2 Error: command not recognized\r\n")


class Server:
    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.fault_rate = args.fault_rate
        self.faults = args.faults.split(",") if args.faults else FAULTS
        for f in self.faults:
            if f not in FAULTS:
                raise SystemExit("unknown fault " + f)
        self.greeting_drop = args.greeting_drop
        self.reply_fault_rate = args.reply_fault_rate
        self.idle_close = args.idle_close_ms / 1000.0 if args.idle_close_ms > 0 else None
        self.log = open(os.path.join(args.outdir, "events.log"), "a", buffering=1)
        self.stats = {k: 0 for k in FAULTS + ["drop_greeting", "idle_close", "connections"]}
        self.statsfile = os.path.join(args.outdir, "stats.txt")

    def event(self, what, token):
        self.log.write("%s %s\n" % (what, token))  # line-buffered: flushed before the reply

    def write_stats(self):
        with open(self.statsfile + ".tmp", "w") as f:
            for k, v in sorted(self.stats.items()):
                f.write("%s %d\n" % (k, v))
        os.rename(self.statsfile + ".tmp", self.statsfile)

    async def handle(self, reader, writer):
        self.stats["connections"] += 1
        try:
            await Session(self, reader, writer).run()
        except (ConnectionError, Drop, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ValueError):
            pass
        finally:
            self.write_stats()
            writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--fault-rate", type=float, default=0.0)
    ap.add_argument("--faults", default="", help="comma-separated subset of the faults")
    ap.add_argument("--greeting-drop", type=float, default=0.0)
    ap.add_argument("--idle-close-ms", type=int, default=0)
    ap.add_argument("--reply-fault-rate", type=float, default=0.0,
                    help="probability of a fault in place of each reply, at every phase")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0: a port the kernel picks")
    args = ap.parse_args()
    loop = asyncio.get_running_loop()
    server = Server(args)
    srv = await asyncio.start_server(server.handle, args.host, args.port, backlog=200,
                                     reuse_address=True)
    print("PORT chaos %d" % srv.sockets[0].getsockname()[1], flush=True)
    print("READY", flush=True)

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.add_reader(sys.stdin.fileno(),
                    lambda: stop.set() if not os.read(sys.stdin.fileno(), 4096) else None)
    await stop.wait()
    srv.close()


if __name__ == "__main__":
    asyncio.run(main())
