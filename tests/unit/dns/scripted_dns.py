#!/usr/bin/python3
"""A scripted DNS server for what dnsmasq will not do: SERVFAIL, REFUSED,
silence (timeouts), truncation with a TCP retry. UDP and TCP on one port of
127.0.0.1; prints "PORT dns <n>" then "READY"; exits when stdin closes.
Every query is logged to stderr-free counters that "stats.<proto>" TXT
queries report (e.g. how many TCP queries were seen).

Names (any type unless said):
  servfail.test       SERVFAIL
  refused.test        REFUSED
  silent.test         no answer at all (the client times out)
  nx.test             NXDOMAIN
  nodata.test         NOERROR, no answer
  big.test TXT        40 TXT records: truncated (TC) over UDP, whole over TCP
  mx-servfail.test    MX: SERVFAIL; A: 127.0.0.7 (must not be used)
  ttl.test MX         10 mx.ttl.test, TTL 3600; A: 127.0.0.7 TTL 120
  cname.test A        CNAME to target.test, which has A 127.0.0.9
  stats.test TXT      "udp=<n> tcp=<n>"
  ad.test A           127.0.0.10, with the AD bit set when the query had the
                      DO bit (a validating resolver's "secure")
  mid.test TXT        12 TXT records, about 900 octets: fits the EDNS0 size
                      of a DNSSEC-aware query, not 512
"""
import socket
import struct
import sys
import threading

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

counts = {"udp": 0, "tcp": 0}


def answer(query, proto):
    counts[proto] += 1
    q = query.question[0]
    name = q.name.to_text().rstrip(".").lower()
    rtype = q.rdtype
    resp = dns.message.make_response(query)
    resp.flags |= dns.flags.AA
    if name == "silent.test":
        return None
    if name == "servfail.test":
        resp.set_rcode(dns.rcode.SERVFAIL)
    elif name == "refused.test":
        resp.set_rcode(dns.rcode.REFUSED)
    elif name == "nx.test":
        resp.set_rcode(dns.rcode.NXDOMAIN)
    elif name == "nodata.test":
        pass
    elif name == "big.test" and rtype == dns.rdatatype.TXT:
        if proto == "udp":
            resp.flags |= dns.flags.TC
        else:
            texts = ['"record %02d %s"' % (i, "x" * 40) for i in range(40)]
            resp.answer.append(dns.rrset.from_text(q.name, 60, "IN", "TXT", *texts))
    elif name == "mx-servfail.test":
        if rtype == dns.rdatatype.MX:
            resp.set_rcode(dns.rcode.SERVFAIL)
        elif rtype == dns.rdatatype.A:
            resp.answer.append(dns.rrset.from_text(q.name, 60, "IN", "A", "127.0.0.7"))
    elif name == "ttl.test":
        if rtype == dns.rdatatype.MX:
            resp.answer.append(dns.rrset.from_text(q.name, 3600, "IN", "MX", "10 mx.ttl.test."))
        elif rtype == dns.rdatatype.A:
            resp.answer.append(dns.rrset.from_text(q.name, 120, "IN", "A", "127.0.0.7"))
    elif name == "cname.test":
        resp.answer.append(dns.rrset.from_text(q.name, 60, "IN", "CNAME", "target.test."))
        if rtype == dns.rdatatype.A:
            resp.answer.append(dns.rrset.from_text("target.test.", 30, "IN", "A", "127.0.0.9"))
    elif name == "ad.test" and rtype == dns.rdatatype.A:
        resp.answer.append(dns.rrset.from_text(q.name, 60, "IN", "A", "127.0.0.10"))
        if query.ednsflags & dns.flags.DO:
            resp.flags |= dns.flags.AD
    elif name == "mid.test" and rtype == dns.rdatatype.TXT:
        texts = ['"record %02d %s"' % (i, "x" * 50) for i in range(12)]
        resp.answer.append(dns.rrset.from_text(q.name, 60, "IN", "TXT", *texts))
    elif name == "stats.test" and rtype == dns.rdatatype.TXT:
        resp.answer.append(dns.rrset.from_text(
            q.name, 0, "IN", "TXT", '"udp=%d tcp=%d"' % (counts["udp"], counts["tcp"])))
    else:
        resp.set_rcode(dns.rcode.NXDOMAIN)
    return resp


def serve_udp(sock):
    while True:
        data, peer = sock.recvfrom(4096)
        try:
            query = dns.message.from_wire(data)
        except Exception:
            continue
        resp = answer(query, "udp")
        if resp is not None:
            sock.sendto(resp.to_wire(max_size=65535), peer)


def serve_tcp_client(conn):
    with conn:
        while True:
            head = conn.recv(2)
            if len(head) < 2:
                return
            (length,) = struct.unpack("!H", head)
            data = b""
            while len(data) < length:
                chunk = conn.recv(length - len(data))
                if not chunk:
                    return
                data += chunk
            resp = answer(dns.message.from_wire(data), "tcp")
            if resp is None:
                continue
            wire = resp.to_wire(max_size=65535)
            conn.sendall(struct.pack("!H", len(wire)) + wire)


def serve_tcp(sock):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=serve_tcp_client, args=(conn,), daemon=True).start()


def main():
    for _ in range(20):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        port = udp.getsockname()[1]
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            tcp.bind(("127.0.0.1", port))
        except OSError:
            udp.close()
            tcp.close()
            continue
        tcp.listen(16)
        break
    else:
        sys.exit("no free port")
    threading.Thread(target=serve_udp, args=(udp,), daemon=True).start()
    threading.Thread(target=serve_tcp, args=(tcp,), daemon=True).start()
    print("PORT dns %d" % port, flush=True)
    print("READY", flush=True)
    sys.stdin.read()  # until the test closes our stdin


if __name__ == "__main__":
    main()
