#!/usr/bin/python3
"""Checks an SMTP TLS report (RFC 8460 §4.4) field by field. Prints "ok",
or what is wrong (and exits 1).

    tlsrpt_check.py REPORT.json POLICY_TYPE:SUCCESSES:FAILURES[:RESULT_TYPE]

The report must hold exactly one policy, of POLICY_TYPE, with those
session counts, and (when given) a failure detail of RESULT_TYPE whose
failed-session-count adds up to FAILURES.
"""

import json
import re
import sys

RESULT_TYPES = {
    "starttls-not-supported", "certificate-host-mismatch", "certificate-expired",
    "certificate-not-trusted", "validation-failure", "tlsa-invalid", "dnssec-invalid",
    "dane-required", "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid",
}
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
DETAIL_STRINGS = ("sending-mta-ip", "receiving-mx-hostname", "receiving-mx-helo", "receiving-ip",
                  "additional-information", "failure-reason-code")


class Bad(Exception):
    pass


def need(cond, what):
    if not cond:
        raise Bad(what)


def is_str(v):
    return isinstance(v, str)


def is_count(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def check_policy(p, want_type, successes, failures, result_type):
    need(set(p) <= {"policy", "summary", "failure-details"}, "unknown policy field: %s" % list(p))
    pol = p.get("policy")
    need(isinstance(pol, dict), "policy: not an object")
    need(pol.get("policy-type") in ("tlsa", "sts", "no-policy-found"), "policy-type: %r"
         % pol.get("policy-type"))
    need(pol["policy-type"] == want_type, "policy-type %s, expected %s"
         % (pol["policy-type"], want_type))
    strings = pol.get("policy-string")
    need(isinstance(strings, list) and all(is_str(s) for s in strings),
         "policy-string: not an array of strings")
    if want_type == "no-policy-found":
        need(strings == [], "policy-string of no-policy-found not empty")
    else:
        need(strings, "policy-string empty")
    if want_type == "tlsa":
        for s in strings:
            need(re.match(r"^[23] [01] [012] [0-9A-F]+$", s), "not a TLSA record: %r" % s)
    need(is_str(pol.get("policy-domain")) and pol["policy-domain"], "policy-domain missing")
    mx = pol.get("mx-host", [])
    need(isinstance(mx, list) and all(is_str(m) for m in mx), "mx-host: not an array of strings")
    summary = p.get("summary")
    need(isinstance(summary, dict), "summary: not an object")
    ok = summary.get("total-successful-session-count")
    bad = summary.get("total-failure-session-count")
    need(is_count(ok) and is_count(bad), "summary counts: %r" % summary)
    need(ok == successes, "total-successful-session-count %d, expected %d" % (ok, successes))
    need(bad == failures, "total-failure-session-count %d, expected %d" % (bad, failures))
    details = p.get("failure-details", [])
    need(isinstance(details, list), "failure-details: not an array")
    total = 0
    for d in details:
        need(d.get("result-type") in RESULT_TYPES, "result-type: %r" % d.get("result-type"))
        need(is_count(d.get("failed-session-count")), "failed-session-count: %r"
             % d.get("failed-session-count"))
        for k in DETAIL_STRINGS:
            need(k not in d or is_str(d[k]), "%s: not a string" % k)
        need(set(d) <= set(DETAIL_STRINGS) | {"result-type", "failed-session-count"},
             "unknown failure-details field: %s" % list(d))
        total += d["failed-session-count"]
    need(total == failures, "failure-details count %d, expected %d" % (total, failures))
    if result_type:
        need(any(d["result-type"] == result_type for d in details), "no %s detail" % result_type)


def check(report, expect):
    parts = expect.split(":")
    want_type, successes, failures = parts[0], int(parts[1]), int(parts[2])
    result_type = parts[3] if len(parts) > 3 else None
    if isinstance(report, list):  # lettre send --tls-report: one report per domain
        need(len(report) == 1, "expected one report: %d" % len(report))
        report = report[0]
    need(isinstance(report, dict), "not an object")
    for k in ("organization-name", "contact-info", "report-id"):
        need(is_str(report.get(k)) and report[k], "%s missing" % k)
    dr = report.get("date-range")
    need(isinstance(dr, dict), "date-range: not an object")
    for k in ("start-datetime", "end-datetime"):
        need(is_str(dr.get(k)) and DATE_TIME.match(dr[k]), "%s: %r" % (k, dr.get(k)))
    need(dr["start-datetime"] <= dr["end-datetime"], "date-range: start after end")
    policies = report.get("policies")
    need(isinstance(policies, list) and len(policies) == 1, "expected one policy: %r" % policies)
    check_policy(policies[0], want_type, successes, failures, result_type)


def main():
    with open(sys.argv[1]) as f:
        text = f.read()
    try:
        check(json.loads(text), sys.argv[2])
    except (Bad, ValueError, KeyError) as e:
        print("%s in %s" % (e, text))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
