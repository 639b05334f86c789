#!/usr/bin/python3
"""Reads lettre's MIME interop corpus back with Python's email package.

For every <n>.eml written by lettre_mime_interop_gen, parses it with
email.parser.BytesParser(policy=email.policy.default) and checks it against
<n>.json:

* wire rules: every line ends CRLF, no line over 998 octets (RFC 5322 2.1.1),
  header lines folded to 78 where a fold point exists, no whitespace-only
  continuation lines, encoded-words at most 75 characters (RFC 2047 2),
  headers ASCII unless the message needs SMTPUTF8 (RFC 6532), single fields
  not repeated (RFC 5322 3.6), Bcc never written;
* MIME rules: zero defects on the message, every part and every header,
  Content-Transfer-Encoding consistent with the bytes (RFC 2045 2.7, 2.8,
  6.7, 6.8), multiparts only 7bit/8bit/binary (RFC 2045 6.4), boundaries
  valid (RFC 2046 5.1.1), multipart/related with a type parameter
  (RFC 2387 3.1), text in canonical CRLF form (RFC 2046 4.1.1);
* round trip: every header, address, body text, attachment (name, type,
  bytes), inline part and the MIME tree shape decode to what was put in.

Usage: check_corpus.py <corpus-dir> [<n> ...]
       check_corpus.py --self-test   (the checks catch known-bad messages)
Exits 1 when any message fails; prints each failure under its message.
"""

import base64
import datetime
import email._header_value_parser as hvp
import email.policy
import email.utils
import json
import pathlib
import re
import sys
from email.parser import BytesParser

SINGLE_FIELDS = ["Date", "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Message-ID",
                 "In-Reply-To", "References", "Subject", "MIME-Version"]
ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
WSP = " \t"
BCHARS = re.compile(r"^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$")
# Defects Python reports for what RFC 6532 allows in an SMTPUTF8 message.
SMTPUTF8_DEFECTS = {"NonASCIILocalPartDefect", "UndecodableBytesDefect"}


def _get_atom_rfc2047_6_2(value, _orig=hvp.get_atom):
    """Python < 3.14 keeps the whitespace between two adjacent encoded-words in
    a phrase (display name), against RFC 2047 6.2 (CPython gh-128110, fixed
    upstream in get_atom by PR 130749). Apply the same fix here so that a
    display name split into several encoded-words reads back as written."""
    atom, rest = _orig(value)
    if (len(atom) >= 2 and atom[-1].token_type == "cfws"
            and atom[-2].token_type == "encoded-word" and rest.startswith("=?")
            and all(t.token_type == "fws" for t in atom[-1])):
        try:
            hvp.get_encoded_word(rest)
        except hvp.errors.HeaderParseError:
            return atom, rest
        atom[-1] = hvp.EWWhiteSpaceTerminal(str(atom[-1]), "fws")
    return atom, rest


hvp.get_atom = _get_atom_rfc2047_6_2


def fix(s):
    """Python keeps undecodable 8-bit header octets as surrogates; a UTF-8
    header (RFC 6532) is read back as its text."""
    if s is None:
        return None
    try:
        return s.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeError:
        return s


def short(v, n=160):
    r = repr(v)
    return r if len(r) <= n else r[:n] + "...(%d chars)" % len(r)


def ws_norm(s):
    return " ".join(s.split())


class Report:
    def __init__(self):
        self.problems = []
        self.notes = []

    def fail(self, msg):
        self.problems.append(msg)

    def note(self, msg):
        self.notes.append(msg)


# ------------------------------------------------------------ wire rules --

def check_lines(raw, r):
    if not raw.endswith(b"\r\n"):
        r.fail("message does not end with CRLF (last bytes %s)" % short(raw[-20:]))
    lines = raw.split(b"\r\n")
    for i, line in enumerate(lines, 1):
        if b"\r" in line or b"\n" in line:
            r.fail("line %d has a bare CR or LF: %s" % (i, short(line[:80])))
        if len(line) > 998:
            r.fail("line %d is %d octets (> 998, RFC 5322 2.1.1): %s"
                   % (i, len(line), short(line[:60])))


def foldable(line, value_start):
    """True when `line` (over 78) has a whitespace fold point at or before
    column 78 with value text before it and text after it."""
    for p in range(value_start + 1, min(len(line), 79)):
        if line[p] in WSP and line[value_start:p].strip(WSP) and line[p:].strip(WSP):
            return True
    return False


def check_header_field(name, raw_value, smtputf8, where, r):
    """raw_value: the field body as on the wire, folding CRLFs included."""
    physical = (name + ":" + raw_value).split("\r\n")
    mime_param = name.lower() in ("content-type", "content-disposition")
    for k, line in enumerate(physical):
        if k > 0 and not line.strip(WSP):
            r.fail("%s %s: whitespace-only continuation line (RFC 5322 3.2.2)" % (where, name))
        if k > 0 and line[:1] not in (" ", "\t"):
            r.fail("%s %s: continuation line does not start with WSP" % (where, name))
        if len(line) > 78:
            start = len(name) + 1 if k == 0 else 0
            if mime_param:
                r.fail("%s %s: line of %d chars; RFC 2231 continuations allow <= 78: %s"
                       % (where, name, len(line), short(line, 120)))
            elif foldable(line, start):
                r.fail("%s %s: line of %d chars could have been folded at whitespace: %s"
                       % (where, name, len(line), short(line, 120)))
    unfolded = raw_value.replace("\r\n", "")
    for w in ENCODED_WORD.findall(unfolded):
        if len(w) > 75:
            r.fail("%s %s: encoded-word of %d chars (> 75, RFC 2047 2): %s"
                   % (where, name, len(w), short(w)))
    if not smtputf8:
        try:
            fix(raw_value).encode("ascii")
        except UnicodeError:
            r.fail("%s %s: non-ASCII octets in a header of a non-SMTPUTF8 message: %s"
                   % (where, name, short(fix(raw_value))))
    if not re.fullmatch(r"[!-9;-~]+", name):
        r.fail("%s: invalid header field name %r" % (where, name))


def check_header_defects(part, smtputf8, where, r):
    for name in set(part.keys()):
        for h in part.get_all(name, []):
            defects = list(getattr(h, "defects", ()))
            if smtputf8:
                defects = [d for d in defects if type(d).__name__ not in SMTPUTF8_DEFECTS]
            if defects:
                r.fail("%s header %s: Python defects %s in %s"
                       % (where, name, [repr(d) for d in defects], short(fix(str(h)))))


# ------------------------------------------------------------ MIME rules --

def raw_body_bytes(part):
    payload = part.get_payload()
    if isinstance(payload, str):
        return payload.encode("ascii", "surrogateescape")
    return None


def check_cte(part, where, r):
    cte = (part.get("Content-Transfer-Encoding") or "7bit").strip().lower()
    if part.is_multipart() or part.get_content_maintype() == "message":
        if cte not in ("7bit", "8bit", "binary"):
            r.fail("%s: %s must not be %s-encoded (RFC 2045 6.4 / RFC 2046 5.2.1)"
                   % (where, part.get_content_type(), cte))
        return
    body = raw_body_bytes(part)
    if body is None:
        return
    lines = body.split(b"\r\n")
    if cte in ("7bit", "8bit"):
        if cte == "7bit" and any(b > 127 for b in body):
            r.fail("%s: 7bit body has 8-bit octets (RFC 2045 2.7)" % where)
        if b"\0" in body:
            r.fail("%s: %s body has NUL (RFC 2045 2.7/2.8)" % (where, cte))
        if re.search(rb"\r(?!\n)|(?<!\r)\n", body):
            r.fail("%s: %s body has bare CR or LF" % (where, cte))
        for line in lines:
            if len(line) > 998:
                r.fail("%s: %s body line of %d octets (> 998)" % (where, cte, len(line)))
                break
    elif cte == "quoted-printable":
        for i, line in enumerate(lines):
            if len(line) > 76:
                r.fail("%s: quoted-printable line %d is %d chars (> 76, RFC 2045 6.7(5))"
                       % (where, i + 1, len(line)))
                break
            if re.search(rb"[^\t -~]", line):
                r.fail("%s: quoted-printable line %d has unencoded octets %s"
                       % (where, i + 1, short(line)))
                break
            if line[-1:] in (b" ", b"\t"):
                r.fail("%s: quoted-printable line %d ends in whitespace (RFC 2045 6.7(3)): %s"
                       % (where, i + 1, short(line)))
                break
            if re.search(rb"=(?![0-9A-F]{2}|$)", line):
                r.fail("%s: quoted-printable line %d has '=' not followed by two upper-case "
                       "hex digits or a line end (RFC 2045 6.7(1)): %s" % (where, i + 1, short(line)))
                break
    elif cte == "base64":
        for i, line in enumerate(lines):
            if len(line) > 76:
                r.fail("%s: base64 line %d is %d chars (> 76, RFC 2045 6.8)" % (where, i + 1, len(line)))
                break
            if re.search(rb"[^A-Za-z0-9+/=]", line):
                r.fail("%s: base64 line %d has characters outside the alphabet" % (where, i + 1))
                break
    else:
        r.fail("%s: unexpected Content-Transfer-Encoding %r" % (where, cte))


def check_multipart(part, where, r):
    boundary = part.get_boundary()
    if boundary is None:
        r.fail("%s: multipart without boundary" % where)
    elif not BCHARS.match(boundary):
        r.fail("%s: boundary %r is not 1..70 bchars ending in a non-space (RFC 2046 5.1.1)"
               % (where, boundary))
    if part.get_content_type() == "multipart/related":
        kids = part.get_payload()
        t = part.get_param("type")
        if t is None:
            r.fail("%s: multipart/related has no type parameter (RFC 2387 3.1: 'The type "
                   "parameter must be specified')" % where)
        elif kids and t.lower() != kids[0].get_content_type():
            r.fail("%s: multipart/related type=%r but the root part is %s"
                   % (where, t, kids[0].get_content_type()))


# ----------------------------------------------------------- round trip --

def check_tree(part, exp, where, top_single, smtputf8, r):
    ctype = part.get_content_type()
    if ctype != exp["type"]:
        r.fail("%s: content type %s, expected %s" % (where, ctype, exp["type"]))
        return
    check_cte(part, where, r)
    if "children" in exp:
        if not part.is_multipart():
            r.fail("%s: expected a multipart" % where)
            return
        check_multipart(part, where, r)
        kids = part.get_payload()
        if len(kids) != len(exp["children"]):
            r.fail("%s: %d children, expected %d (%s vs %s)"
                   % (where, len(kids), len(exp["children"]), [k.get_content_type() for k in kids],
                      [c["type"] for c in exp["children"]]))
            return
        for i, (k, c) in enumerate(zip(kids, exp["children"])):
            check_tree(k, c, "%s/%d" % (where, i + 1), False, smtputf8, r)
        return
    if ctype == "message/rfc822":
        inner = part.get_payload()
        if not isinstance(inner, list) or len(inner) != 1:
            r.fail("%s: message/rfc822 not parsed as a message (payload %s)" % (where, short(inner)))
            return
        m = inner[0]
        if str(m.get("Subject", "")) != exp["inner_subject"]:
            r.fail("%s: inner Subject %s, expected %s"
                   % (where, short(str(m.get("Subject"))), short(exp["inner_subject"])))
        body = m.get_payload(decode=True) or b""
        if body.replace(b"\r\n", b"\n") != exp["inner_body"].encode():
            r.fail("%s: inner body %s, expected %s" % (where, short(body), short(exp["inner_body"])))
        return
    if part.is_multipart():
        r.fail("%s: expected a leaf, got a multipart" % where)
        return
    payload = part.get_payload(decode=True)
    if payload is None:
        payload = b""
    expected = base64.b64decode(exp["data_b64"])
    if exp["text"]:
        if re.search(rb"\r(?!\n)|(?<!\r)\n", payload):
            r.fail("%s: decoded %s is not in canonical CRLF form (RFC 2046 4.1.1): %s"
                   % (where, ctype, short(re.search(rb".{0,20}(\r(?!\n)|(?<!\r)\n).{0,20}",
                                                    payload, re.S).group(0))))
        actual = payload.replace(b"\r\n", b"\n")
        if actual != expected:
            cte = (part.get("Content-Transfer-Encoding") or "7bit").strip().lower()
            if (top_single and not expected.endswith(b"\n") and actual == expected + b"\n"
                    and cte in ("7bit", "8bit")):
                r.note("%s: %s body gained a final line break (single-part %s body whose text "
                       "does not end in one)" % (where, ctype, cte))
            else:
                first = next((i for i in range(min(len(actual), len(expected)))
                              if actual[i] != expected[i]), min(len(actual), len(expected)))
                r.fail("%s: %s body differs (%d vs %d octets, first difference at %d: got %s, "
                       "expected %s)" % (where, ctype, len(actual), len(expected), first,
                                         short(actual[max(0, first - 20):first + 30]),
                                         short(expected[max(0, first - 20):first + 30])))
        if ctype.startswith("text/") and any(b > 127 for b in payload) and not part.get_param("charset"):
            r.fail("%s: non-ASCII text without a charset parameter" % where)
    elif payload != expected:
        r.fail("%s: %s bytes differ (%d vs %d octets)" % (where, ctype, len(payload), len(expected)))
    for k, v in exp["params"].items():
        got = part.get_param(k)
        if isinstance(got, tuple):
            got = email.utils.collapse_rfc2231_value(got)
        if got is None or (got.lower() != v.lower() if k == "charset" else got != v):
            r.fail("%s: parameter %s=%s, expected %s" % (where, k, short(got), short(v)))
    disp = part.get_content_disposition()
    want = exp["disposition"]
    if want is None and disp not in (None, "inline"):
        r.fail("%s: Content-Disposition %s, expected none or inline" % (where, disp))
    elif want == "inline?" and disp not in (None, "inline"):
        r.fail("%s: Content-Disposition %s, expected inline" % (where, disp))
    elif want in ("attachment", "inline") and disp != want:
        r.fail("%s: Content-Disposition %s, expected %s" % (where, disp, want))
    if exp["filename"] is not None:
        name = exp["filename"]
        got = part.get_filename()
        if got != name:
            r.fail("%s: get_filename() %s, expected %s" % (where, short(got), short(name)))
        cd = part["Content-Disposition"]
        got_cd = cd.params.get("filename") if cd is not None else None
        if got_cd != name:
            r.fail("%s: Content-Disposition filename %s, expected %s"
                   % (where, short(got_cd), short(name)))
        raw_cd = next((v for k, v in part.raw_items() if k.lower() == "content-disposition"), "")
        if any(ord(ch) > 127 for ch in name) and "filename*" not in raw_cd:
            r.fail("%s: non-ASCII file name not written with RFC 2231 filename*: %s"
                   % (where, short(raw_cd)))
        if re.search(r'filename="[^"]*=\?', raw_cd.replace("\r\n", "")):
            r.fail("%s: file name in a quoted-string holds '=?', which readers (Python, "
                   "Thunderbird, ...) decode as an RFC 2047 word: %s" % (where, short(raw_cd)))
    if exp["content_id"] is not None:
        got = part.get("Content-ID")
        got = "".join(str(got).split()) if got is not None else None
        if got != exp["content_id"]:
            r.fail("%s: Content-ID %s, expected %s" % (where, short(got), short(exp["content_id"])))
    for h in exp["headers"]:
        got = part.get(h["name"])
        if got is None or str(got) != h["value"]:
            r.fail("%s: header %s is %s, expected %s"
                   % (where, h["name"], short(None if got is None else str(got)), short(h["value"])))


def address_entries(header):
    out = []
    for g in header.groups:
        out.append({
            "group": fix(g.display_name),
            "members": [{"name": fix(a.display_name), "local": fix(a.username),
                         "domain": fix(a.domain)} for a in g.addresses],
        })
    return out


def norm_entries(entries):
    return [{"group": e["group"],
             "members": [dict(m, domain=m["domain"].lower()) for m in e["members"]]}
            for e in entries]


def check_addresses(msg, exp, r):
    for field, entries in exp["addresses"].items():
        hs = msg.get_all(field, [])
        if len(hs) != 1:
            r.fail("%s: %d fields, expected 1" % (field, len(hs)))
            continue
        got = address_entries(hs[0])
        if norm_entries(got) != norm_entries(entries):
            r.fail("%s addresses differ:\n      got      %s\n      expected %s"
                   % (field, json.dumps(got, ensure_ascii=False),
                      json.dumps(entries, ensure_ascii=False)))


def check_headers(msg, exp, r):
    for h in exp["headers"]:
        name, values, match = h["name"], h["values"], h["match"]
        got = [fix(str(v)) for v in msg.get_all(name, [])]
        if match == "exact":
            ok = got == values
        elif match == "ws":
            ok = [ws_norm(v) for v in got] == [ws_norm(v) for v in values]
            if ok and got != values:
                r.note("%s: whitespace runs normalized: %s -> %s" % (name, short(values), short(got)))
        elif match in ("ids", "uris"):
            def ids(vs):
                return [re.sub(r"\s+", "", x) for v in vs for x in re.findall(r"<[^>]*>", v)]
            want = ids(values) if match == "ids" else ["<%s>" % u for u in values]
            ok = len(got) == 1 and ids(got) == want
        elif match == "date":
            ok = False
            if len(got) == 1:
                try:
                    d = email.utils.parsedate_to_datetime(got[0])
                    w = datetime.datetime.fromisoformat(values[0])
                    ok = d == w and d.utcoffset() == w.utcoffset()
                except (TypeError, ValueError) as e:
                    r.fail("%s: %s does not parse: %s" % (name, short(got[0]), e))
        elif match == "msgid-domain":
            ok = len(got) == 1 and re.fullmatch(r"<[^<>@\s]+@%s>" % re.escape(values[0]),
                                                got[0], re.I) is not None
        elif match == "present":
            ok = len(got) == 1
        else:
            raise ValueError(match)
        if not ok:
            r.fail("%s (%s) differs:\n      got      %s\n      expected %s"
                   % (name, match, short(got, 400), short(values, 400)))
    mv = msg.get_all("MIME-Version", [])
    if [str(v).strip() for v in mv] != ["1.0"]:
        r.fail("MIME-Version is %s, expected one field 1.0" % [str(v) for v in mv])
    for h in exp["absent_headers"]:
        if msg.get(h) is not None:
            r.fail("header %s must not be written, got %s" % (h, short(fix(str(msg.get(h))))))
    for name in SINGLE_FIELDS:
        n = len(msg.get_all(name, []))
        if n > 1:
            r.fail("%s occurs %d times (RFC 5322 3.6: at most once)" % (name, n))


def check_envelope(exp, r):
    def norm(e):
        return {"from": None if e["from"] is None else [e["from"][0], e["from"][1].lower()],
                "to": [[a[0], a[1].lower()] for a in e["to"]]}
    got, want = exp.get("envelope_actual"), exp["envelope_expected"]
    if norm(got) != norm(want):
        r.fail("envelope differs:\n      got      %s\n      expected %s"
               % (json.dumps(got, ensure_ascii=False), json.dumps(want, ensure_ascii=False)))


def check_message(raw, exp):
    r = Report()
    smtputf8 = exp["smtputf8"]
    if exp["library_smtputf8"] != smtputf8:
        r.fail("requires_smtputf8() is %s, expected %s" % (exp["library_smtputf8"], smtputf8))
    if exp["formatted_size"] != exp["library_formatted_size"]:
        r.fail("formatted_size() %d != formatted().size() %d"
               % (exp["library_formatted_size"], exp["formatted_size"]))
    if not exp.get("format_consistent", True):
        r.fail("formatted(), format_to() and write_to() give different bytes")
    check_lines(raw, r)
    for t in exp["absent_text"]:
        if t.encode() in raw:
            r.fail("%r appears in the message (Bcc must not be written)" % t)
    msg = BytesParser(policy=email.policy.default).parsebytes(raw)
    for i, part in enumerate(msg.walk()):
        where = "message" if i == 0 else "part %d (%s)" % (i, part.get_content_type())
        for name, value in part.raw_items():
            check_header_field(name, value, smtputf8, where, r)
        check_header_defects(part, smtputf8, where, r)
        for d in part.defects:
            r.fail("%s: Python defect %r" % (where, d))
    check_addresses(msg, exp, r)
    check_headers(msg, exp, r)
    check_envelope(exp, r)
    check_tree(msg, exp["body"], "body", True, smtputf8, r)
    return r


# ------------------------------------------------------------- self-test --

def self_test():
    """Feeds the checks known-bad messages: each must be caught, so that a
    passing corpus run means something."""
    head = ("From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\n"
            "Date: Sat, 01 Nov 2025 12:00:00 +0100\r\nMessage-ID: <x@example.com>\r\n"
            "MIME-Version: 1.0\r\n")
    leaf = ("Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 7bit\r\n\r\nhello\r\n")

    def exp(body=None, **kw):
        e = {
            "smtputf8": False, "library_smtputf8": False, "formatted_size": 1,
            "library_formatted_size": 1, "absent_headers": ["Bcc"], "absent_text": [],
            "addresses": {
                "From": [{"group": None, "members": [{"name": "", "local": "a", "domain": "example.com"}]}],
                "To": [{"group": None, "members": [{"name": "", "local": "b", "domain": "example.com"}]}]},
            "headers": [{"name": "Subject", "values": ["hi"], "match": "exact"},
                        {"name": "Date", "values": ["2025-11-01T12:00:00+01:00"], "match": "date"}],
            "envelope_expected": {"from": ["a", "example.com"], "to": [["b", "example.com"]]},
            "envelope_actual": {"from": ["a", "example.com"], "to": [["b", "example.com"]]},
            "body": body or text_leaf(b"hello\n"),
        }
        e.update(kw)
        return e

    def text_leaf(data, ctype="text/plain", **kw):
        d = {"type": ctype, "text": True, "data_b64": base64.b64encode(data).decode(),
             "disposition": None, "filename": None, "content_id": None,
             "params": {"charset": "utf-8"}, "headers": []}
        d.update(kw)
        return d

    long_subject = "Subject: " + " ".join(["word"] * 30) + "\r\n"
    related = ("Content-Type: multipart/related; boundary=b\r\n\r\n--b\r\n" + leaf
               + "--b--\r\n")
    related_exp = {"type": "multipart/related", "children": [text_leaf(b"hello\n")]}
    att = ("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
           "Content-Disposition: attachment; filename=\"=?utf-8?q?=C3=BC?=\"\r\n\r\nAA==\r\n")
    att_exp = {"type": "application/octet-stream", "text": False, "data_b64": "AA==",
               "disposition": "attachment", "filename": "\u00fc", "content_id": None,
               "params": {}, "headers": []}
    cases = [
        ("good message", head + leaf, exp(), None),
        ("bare LF", head + leaf.replace("hello\r\n", "hel\nlo\r\n"), exp(), "bare CR or LF"),
        ("no final CRLF", head + leaf[:-2], exp(), "does not end with CRLF"),
        ("long foldable header", head.replace("Subject: hi\r\n", long_subject) + leaf,
         exp(headers=[]), "could have been folded"),
        ("whitespace-only continuation", head.replace("Subject: hi", "Subject: hi\r\n \r\n x")
         + leaf, exp(headers=[]), "whitespace-only"),
        ("Bcc written", head + "Bcc: c@example.com\r\n" + leaf, exp(), "must not be written"),
        ("999-octet line", head + leaf.replace("hello", "h" * 999), exp(), "> 998"),
        ("QP trailing space", head + leaf.replace("7bit", "quoted-printable")
         .replace("hello", "hello "), exp(body=text_leaf(b"hello \n")), "ends in whitespace"),
        ("long base64 line", head + leaf.replace("7bit", "base64")
         .replace("hello", "aGVsbG8K" * 10), exp(), "> 76"),
        ("non-ASCII header", head.replace("Subject: hi", "Subject: h\u00ef") + leaf,
         exp(headers=[]), "non-ASCII"),
        ("long encoded-word", head.replace("Subject: hi", "Subject: =?utf-8?q?" + "a" * 70
                                           + "?=") + leaf, exp(headers=[]), "encoded-word of"),
        ("related without type", head + related, exp(body=related_exp), "RFC 2387"),
        ("body differs", head + leaf, exp(body=text_leaf(b"hellO\n")), "body differs"),
        ("subject differs", head + leaf,
         exp(headers=[{"name": "Subject", "values": ["ho"], "match": "exact"}]), "Subject (exact)"),
        ("non-canonical text", head + leaf.replace("7bit", "base64")
         .replace("hello", "aGVsbG8K"), exp(), "canonical CRLF"),
        ("RFC 2047 file name", head + att, exp(body=att_exp), "RFC 2231"),
        ("two Subject fields", head + "Subject: hi\r\n" + leaf, exp(), "at most once"),
        ("address differs", head.replace("To: b@", "To: c@") + leaf, exp(), "To addresses"),
    ]
    bad = 0
    for title, raw, e, want in cases:
        r = check_message(raw.encode("utf-8"), e)
        text = "\n".join(r.problems)
        if want is None and r.problems:
            print("self-test FAIL %s: unexpected problems:\n%s" % (title, text))
            bad += 1
        elif want is not None and want not in text:
            print("self-test FAIL %s: expected a problem containing %r, got:\n%s"
                  % (title, want, text or "(none)"))
            bad += 1
        else:
            print("self-test ok   %s" % title)
    print("mime_interop self-test: %d passed, %d failed" % (len(cases) - bad, bad))
    return 1 if bad else 0


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--self-test":
        return self_test()
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    d = pathlib.Path(sys.argv[1])
    only = set(sys.argv[2:])
    files = sorted(d.glob("*.json"), key=lambda p: int(p.stem))
    if not files:
        print("no corpus in %s (did the generator run?)" % d)
        return 1
    passed = failed = 0
    for jf in files:
        if only and jf.stem not in only:
            continue
        exp = json.loads(jf.read_text(encoding="utf-8"))
        label = "%s (%s)" % (jf.stem, exp["title"])
        if exp.get("build_error"):
            r = Report()
            r.fail("lettre failed to build the message: %s" % exp["build_error"])
        else:
            raw = (d / (jf.stem + ".eml")).read_bytes()
            try:
                r = check_message(raw, exp)
            except Exception as e:  # a crash in the checker is a failure too
                import traceback
                r = Report()
                r.fail("checker raised %s\n%s" % (e, traceback.format_exc()))
        if r.problems:
            failed += 1
            print("FAIL %s  [%s]" % (label, d / (jf.stem + ".eml")))
            for p in r.problems:
                print("    - " + p)
        else:
            passed += 1
            print("ok   %s" % label)
        for n in r.notes:
            print("    note: " + n)
    print("mime_interop: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
