#!/usr/bin/python3
"""Checks a CycloneDX 1.5 JSON SBOM against the official schema.

Usage: validate_sbom.py SCHEMA_DIR SBOM [--self-test]

SCHEMA_DIR holds bom-1.5.schema.json, spdx.schema.json and
jsf-0.82.schema.json (cmake/cyclonedx, copied from CycloneDX/specification).
Beyond the schema, checks what the schema cannot say: a serialNumber, every
component with a bom-ref, version, purl and license, unique bom-refs, and a
dependency graph that names only components of this document and has an
entry for each of them.

--self-test: SBOM must pass, and each of a set of broken copies of it must
fail (the check is only worth something if it can fail).

Debian's python3-jsonschema; format checks run for the formats whose
checker packages are installed (none of this SBOM's fields has a format).
"""

import copy
import json
import sys
from pathlib import Path

import jsonschema

SCHEMAS = ("bom-1.5.schema.json", "spdx.schema.json", "jsf-0.82.schema.json")
MAX_SBOM_BYTES = 4 * 1024 * 1024


def load_validator(schema_dir):
    store = {}
    for name in SCHEMAS:
        schema = json.loads((Path(schema_dir) / name).read_text())
        store[schema["$id"]] = schema
    bom = store["http://cyclonedx.org/schema/bom-1.5.schema.json"]
    resolver = jsonschema.RefResolver.from_schema(bom, store=store)
    cls = jsonschema.Draft7Validator
    cls.check_schema(bom)
    return cls(bom, resolver=resolver, format_checker=cls.FORMAT_CHECKER)


def graph_errors(bom):
    """What the schema does not check: identity and the dependency graph."""
    errors = []
    if not str(bom.get("serialNumber", "")).startswith("urn:uuid:"):
        errors.append("no serialNumber urn:uuid:...")
    root = bom.get("metadata", {}).get("component")
    if root is None:
        errors.append("no metadata.component (the thing this SBOM describes)")
        return errors
    components = [root, *bom.get("components", [])]
    refs = [c.get("bom-ref") for c in components]
    if len(set(refs)) != len(refs):
        errors.append(f"duplicate bom-ref in {refs}")
    for c in components:
        for field in ("bom-ref", "version", "purl", "licenses"):
            if not c.get(field):
                errors.append(f"component {c.get('name')!r} has no {field}")
    graph = {d.get("ref"): d.get("dependsOn", []) for d in bom.get("dependencies", [])}
    for ref in refs:
        if ref not in graph:
            errors.append(f"no dependencies entry for {ref}")
    for ref, targets in graph.items():
        for name in [ref, *targets]:
            if name not in refs:
                errors.append(f"dependency graph names {name!r}, which is no component")
    return errors


def problems(validator, bom):
    found = [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
             for e in validator.iter_errors(bom)]
    return found + graph_errors(bom)


def broken_copies(bom):
    """(what is wrong, broken copy) pairs, each breaking one rule."""
    def edit(what, change):
        b = copy.deepcopy(bom)
        change(b)
        return what, b

    def first_library(b):
        return next(c for c in b["components"] if c["type"] == "library")

    return [
        edit("specVersion missing", lambda b: b.pop("specVersion")),
        edit("bomFormat not CycloneDX", lambda b: b.update(bomFormat="SPDX")),
        edit("an unknown top-level field", lambda b: b.update(vulnerable=True)),
        edit("a component type outside the enum",
             lambda b: first_library(b).update(type="dll")),
        edit("a license id that is not SPDX",
             lambda b: first_library(b).update(licenses=[{"license": {"id": "MIT-ish"}}])),
        edit("a version that is a number", lambda b: first_library(b).update(version=3)),
        edit("serialNumber not a urn:uuid", lambda b: b.update(serialNumber="42")),
        edit("a component without a version", lambda b: first_library(b).pop("version")),
        edit("a dependency on a component not listed",
             lambda b: b["dependencies"][0]["dependsOn"].append("pkg:generic/ghost@1")),
        edit("a component missing from the graph", lambda b: b["dependencies"].pop()),
    ]


def main():
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] != "--self-test"):
        print(__doc__, file=sys.stderr)
        return 64
    schema_dir, sbom_path = sys.argv[1], Path(sys.argv[2])
    if sbom_path.stat().st_size > MAX_SBOM_BYTES:
        print(f"{sbom_path}: larger than {MAX_SBOM_BYTES} bytes; not an SBOM of lettre",
              file=sys.stderr)
        return 1
    bom = json.loads(sbom_path.read_text())
    validator = load_validator(schema_dir)
    found = problems(validator, bom)
    for p in found:
        print(f"{sbom_path}: {p}", file=sys.stderr)
    if found:
        return 1
    print(f"{sbom_path}: valid CycloneDX {bom['specVersion']}, "
          f"{len(bom.get('components', []))} components")
    if len(sys.argv) == 4:
        accepted = 0
        for what, broken in broken_copies(bom):
            errors = problems(validator, broken)
            if errors:
                print(f"rejected as it should: {what} ({errors[0]})")
            else:
                print(f"FAIL: accepted a broken SBOM: {what}", file=sys.stderr)
                accepted += 1
        if accepted:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
