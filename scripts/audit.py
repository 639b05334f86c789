#!/usr/bin/python3
"""Compares the dependency versions in a CycloneDX SBOM (lettre.cdx.json)
with the known vulnerable version ranges in cmake/known-vulnerable.json.

Usage: audit.py SBOM [TABLE]   (scripts/audit.sh is the entry point)

Exit 0 when no dependency is in a vulnerable range (or each match is fixed
by its Debian package, or accepted for that exact version); 1 when one is,
naming the CVE and the dependency; 2 when the SBOM or the table cannot be
read. The rules are in docs/release.md.
"""

import json
import re
import sys
from pathlib import Path
from urllib.parse import unquote

MAX_INPUT_BYTES = 4 * 1024 * 1024


# Debian version comparison (deb-version(7), as dpkg --compare-versions).
def _char_order(c):
    if c == "~":
        return -1
    if c.isalpha():
        return ord(c)
    return ord(c) + 256


def _compare_part(a, b):
    i = j = 0
    while i < len(a) or j < len(b):
        # The non-digit runs, character by character ("~" sorts first, even
        # before the end of the string).
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ca = _char_order(a[i]) if i < len(a) and not a[i].isdigit() else 0
            cb = _char_order(b[j]) if j < len(b) and not b[j].isdigit() else 0
            if ca != cb:
                return -1 if ca < cb else 1
            i += 1
            j += 1
        # Then the digit runs, as numbers.
        na = re.match(r"\d*", a[i:]).group()
        nb = re.match(r"\d*", b[j:]).group()
        i += len(na)
        j += len(nb)
        if int(na or 0) != int(nb or 0):
            return -1 if int(na or 0) < int(nb or 0) else 1
    return 0


def split_debian(version):
    """(epoch, upstream, revision) of a Debian version string."""
    epoch, _, rest = version.rpartition(":") if ":" in version else ("0", "", version)
    upstream, dash, revision = rest.rpartition("-")
    if not dash:
        upstream, revision = rest, "0"
    return int(epoch or 0), upstream, revision


def compare_debian(a, b):
    ea, ua, ra = split_debian(a)
    eb, ub, rb = split_debian(b)
    if ea != eb:
        return -1 if ea < eb else 1
    return _compare_part(ua, ub) or _compare_part(ra, rb)


def compare_upstream(a, b):
    return _compare_part(a, b)


def in_range(version, affected):
    return any(compare_upstream(r["introduced"], version) <= 0 < compare_upstream(r["fixed"], version)
               for r in affected)


def fixed_in_for(version, affected):
    for r in affected:
        if compare_upstream(r["introduced"], version) <= 0 < compare_upstream(r["fixed"], version):
            return r["fixed"]
    return "?"


def debian_version(purl):
    """The package version of a pkg:deb purl, or None."""
    m = re.match(r"^pkg:deb/[^/]+/[^@]+@([^?#]+)", purl or "")
    return unquote(m.group(1)) if m else None


def debian_fix(deb_version, entry):
    """The debian_fixed version that covers deb_version, or None: same
    upstream part, package version not older."""
    _, upstream, _ = split_debian(deb_version)
    for fixed in entry.get("debian_fixed", []):
        if split_debian(fixed)[1] == upstream and compare_debian(deb_version, fixed) >= 0:
            return fixed
    return None


def load_json(path, what):
    p = Path(path)
    try:
        if p.stat().st_size > MAX_INPUT_BYTES:
            raise ValueError(f"larger than {MAX_INPUT_BYTES} bytes")
        return json.loads(p.read_text())
    except (OSError, ValueError) as e:
        print(f"audit: cannot read the {what} {path}: {e}", file=sys.stderr)
        sys.exit(2)


def audit(bom, table):
    """Prints one line per finding; returns the number of vulnerable ones."""
    libraries = [c for c in bom.get("components", []) if c.get("type") == "library"]
    vulnerable = 0
    for c in libraries:
        name, version, purl = c.get("name"), c.get("version"), c.get("purl", "")
        entries = [e for e in table["vulnerabilities"] if e["component"] == name]
        if not entries:
            continue
        if not version:
            print(f"VULNERABLE? {name}: the SBOM gives no version, so nothing can be ruled out")
            vulnerable += 1
            continue
        deb = debian_version(purl)
        shown = f"{name} {version}" + (f" (Debian {deb})" if deb else "")
        clean = True
        for e in entries:
            if not in_range(version, e["affected"]):
                continue
            clean = False
            fixed_by = debian_fix(deb, e) if deb else None
            accepted = next((a for a in table.get("accepted", [])
                             if a["id"] == e["id"] and a["component"] == name
                             and a["purl_version"] == (deb or version)), None)
            if fixed_by:
                print(f"fixed      {shown}: {e['id']} patched by Debian in {fixed_by}")
            elif accepted:
                print(f"accepted   {shown}: {e['id']} ({e['summary']}); reviewed "
                      f"{accepted.get('reviewed', '?')}: {accepted['reason']}")
            else:
                print(f"VULNERABLE {shown}: {e['id']} ({e['summary']}); "
                      f"fixed upstream in {fixed_in_for(version, e['affected'])}; "
                      f"source: {e['source']}")
                vulnerable += 1
        if clean:
            print(f"ok         {shown}: none of {len(entries)} known issues applies")
    return vulnerable


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 64
    sbom_path = sys.argv[1]
    table_path = sys.argv[2] if len(sys.argv) == 3 else \
        Path(__file__).resolve().parent.parent / "cmake" / "known-vulnerable.json"
    bom = load_json(sbom_path, "SBOM")
    table = load_json(table_path, "table")
    if bom.get("bomFormat") != "CycloneDX":
        print(f"audit: {sbom_path} is not a CycloneDX SBOM (bomFormat "
              f"{bom.get('bomFormat')!r})", file=sys.stderr)
        return 2
    print(f"audit: {sbom_path} against {table_path} "
          f"({len(table['vulnerabilities'])} known issues)")
    vulnerable = audit(bom, table)
    if vulnerable:
        print(f"audit: {vulnerable} known vulnerabilit{'y' if vulnerable == 1 else 'ies'} "
              "in the dependencies (VULNERABLE above): upgrade them, or review and "
              "add an 'accepted' entry with the reason", file=sys.stderr)
        return 1
    print("audit: no known vulnerable dependency version")
    return 0


if __name__ == "__main__":
    sys.exit(main())
