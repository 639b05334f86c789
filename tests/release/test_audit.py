#!/usr/bin/python3
"""scripts/audit.sh against crafted SBOMs: vulnerable versions must fail
(exit 1, naming the CVE and the dependency), fixed ones and Debian-patched
ones must pass, an acceptance must hold for its exact version only.

Usage: test_audit.py SOURCE_DIR [unittest arguments]
"""

import importlib.util
import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

SOURCE = Path()


def sbom(*libraries):
    """A minimal CycloneDX SBOM with (name, version, purl) libraries."""
    return {
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "components": [{"type": "library", "name": n, "version": v, "purl": p, "bom-ref": p}
                       for n, v, p in libraries],
    }


def generic(name, version):
    return (name, version, f"pkg:generic/{name}@{version}")


def debian(name, version, package, deb_version):
    quoted = deb_version.replace("+", "%2B")
    return (name, version, f"pkg:deb/debian/{package}@{quoted}?arch=amd64&distro=bookworm")


class audit_tests(unittest.TestCase):
    def run_audit(self, *libraries):
        with tempfile.TemporaryDirectory(prefix="lettre-audit-") as tmp:
            path = Path(tmp) / "crafted.cdx.json"
            path.write_text(json.dumps(sbom(*libraries)))
            proc = subprocess.run([SOURCE / "scripts" / "audit.sh", path],
                                  capture_output=True, text=True, timeout=60, check=False)
        return proc.returncode, proc.stdout + proc.stderr

    def assert_vulnerable(self, libraries, *cves, not_cves=()):
        status, out = self.run_audit(*libraries)
        self.assertEqual(status, 1, out)
        for cve in cves:
            self.assertRegex(out, rf"VULNERABLE {libraries[0][0]} .*: {cve} ")
        for cve in not_cves:
            self.assertNotRegex(out, rf"VULNERABLE .*: {cve} ")
        return out

    def assert_clean(self, *libraries):
        status, out = self.run_audit(*libraries)
        self.assertEqual(status, 0, out)
        self.assertNotIn("VULNERABLE", out)
        return out

    def test_upstream_c_ares_1_18_1_is_vulnerable(self):
        self.assert_vulnerable([generic("c-ares", "1.18.1")], "CVE-2022-4904",
                               "CVE-2023-31130", "CVE-2023-32067", "CVE-2024-25629",
                               not_cves=["CVE-2025-31498", "CVE-2021-3672"])

    def test_debian_revision_before_the_fix_is_vulnerable(self):
        out = self.assert_vulnerable(
            [debian("c-ares", "1.18.1", "libc-ares-dev", "1.18.1-2")],
            "CVE-2023-31130", "CVE-2023-32067", not_cves=["CVE-2022-4904"])
        self.assertIn("CVE-2022-4904 patched by Debian in 1.18.1-2", out)

    def test_debian_12_c_ares_passes_with_its_fixes_and_the_acceptance(self):
        out = self.assert_clean(debian("c-ares", "1.18.1", "libc-ares-dev", "1.18.1-3"))
        self.assertIn("CVE-2023-31130 patched by Debian in 1.18.1-3", out)
        self.assertRegex(out, r"accepted .*CVE-2024-25629")

    def test_acceptance_holds_for_its_exact_version_only(self):
        out = self.assert_vulnerable(
            [debian("c-ares", "1.18.1", "libc-ares-dev", "1.18.1-3+deb12u1")],
            "CVE-2024-25629", not_cves=["CVE-2023-31130"])
        self.assertIn("patched by Debian in 1.18.1-3", out)

    def test_debian_fix_for_another_upstream_version_does_not_count(self):
        # 1.19.0-1 sorts after 1.18.1-3, which patched CVE-2023-31130, but that
        # patch says nothing about a package of upstream 1.19.0.
        self.assert_vulnerable([debian("c-ares", "1.19.0", "libc-ares-dev", "1.19.0-1")],
                               "CVE-2023-31130", "CVE-2023-32067", not_cves=["CVE-2022-4904"])
        self.assert_vulnerable([debian("c-ares", "1.17.1", "libc-ares-dev", "1.17.1-1+deb11u9")],
                               "CVE-2023-31130", "CVE-2021-3672")

    def test_c_ares_read_answers_range(self):
        self.assert_vulnerable([generic("c-ares", "1.34.4")], "CVE-2025-31498",
                               "CVE-2025-62408", not_cves=["CVE-2024-25629"])
        self.assert_vulnerable([generic("c-ares", "1.34.5")], "CVE-2025-62408",
                               not_cves=["CVE-2025-31498"])
        self.assert_clean(generic("c-ares", "1.34.6"))
        self.assert_clean(generic("c-ares", "1.32.2"))

    def test_openssl(self):
        self.assert_vulnerable([generic("openssl", "3.0.7")], "CVE-2023-0286",
                               "CVE-2024-6119", not_cves=["CVE-2022-3602"])
        self.assert_vulnerable([generic("openssl", "3.1.0")], "CVE-2023-0464",
                               not_cves=["CVE-2023-0286"])
        out = self.assert_vulnerable([debian("openssl", "3.0.14", "libssl-dev",
                                             "3.0.14-1~deb12u2")],
                                     "CVE-2024-5535", not_cves=["CVE-2024-6119"])
        self.assertIn("CVE-2024-6119 patched by Debian in 3.0.14-1~deb12u2", out)
        self.assert_vulnerable([debian("openssl", "3.0.14", "libssl-dev", "3.0.14-1~deb12u1")],
                               "CVE-2024-6119")
        self.assert_clean(generic("openssl", "3.0.15"))
        self.assert_clean(generic("openssl", "3.3.2"))

    def test_libidn2(self):
        self.assert_vulnerable([generic("libidn2", "2.0.5")], "CVE-2019-18224", "CVE-2019-12290")
        self.assert_clean(generic("libidn2", "2.3.3"))

    def test_every_finding_is_counted(self):
        status, out = self.run_audit(generic("openssl", "3.0.7"), generic("c-ares", "1.34.6"))
        self.assertEqual(status, 1)
        self.assertRegex(out, r"ok +c-ares 1\.34\.6")

    def test_unreadable_sbom_is_not_a_pass(self):
        proc = subprocess.run([SOURCE / "scripts" / "audit.sh", "/nonexistent.cdx.json"],
                              capture_output=True, text=True, timeout=60, check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("/nonexistent.cdx.json", proc.stderr)


class debian_version_tests(unittest.TestCase):
    def setUp(self):
        spec = importlib.util.spec_from_file_location("audit", SOURCE / "scripts" / "audit.py")
        self.audit = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(self.audit)

    def test_order_as_dpkg(self):
        less = [("1.0~rc1-1", "1.0-1"), ("1.18.1-2", "1.18.1-3"), ("1.18.1-3", "1.18.1-3+deb12u1"),
                ("3.0.14-1~deb12u1", "3.0.14-1~deb12u2"), ("3.0.14-1~deb12u2", "3.0.14-1"),
                ("1.9-1", "1.10-1"), ("2:1.0-1", "3:0.1-1"), ("1.0-1", "1:0.1-1"),
                ("1.0a-1", "1.0b-1"), ("1.0-1", "1.0+ds-1")]
        for a, b in less:
            self.assertLess(self.audit.compare_debian(a, b), 0, f"{a} < {b}")
            self.assertGreater(self.audit.compare_debian(b, a), 0, f"{b} > {a}")
        self.assertEqual(self.audit.compare_debian("1.18.1-3", "1.18.1-3"), 0)
        self.assertEqual(self.audit.compare_debian("0:1.0-1", "1.0-1"), 0)


if __name__ == "__main__":
    SOURCE = Path(sys.argv.pop(1))
    unittest.main()
