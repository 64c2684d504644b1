#!/usr/bin/env python3
"""Check orgconform's JSON Schemas with a second implementation: Python's jsonschema.

Usage: validate_schemas.py SCHEMAS_DIR [MANIFEST]

Every *.json file under SCHEMAS_DIR is checked against the Draft 2020-12
metaschema with format checking on (so every "pattern" must compile as a
Python regular expression). Then every case of MANIFEST is validated against
its schema, $refs resolved across the files offline, formats checked. A
manifest is a JSON file:

    {"cases": [{"name": "AcceptHandshake/sample.response.http",
                "schema": "AcceptHandshake/response.schema.json",
                "instance": {...}}]}

One JSON document is printed on stdout:

    {"jsonschema": "4.26.0",
     "schemas": [{"file": "defs.schema.json", "ok": true, "error": ""}],
     "cases": [{"name": "...", "valid": false,
                "errors": [{"path": "/Handshake/Id", "rule": "pattern", "message": "..."}]}]}

path is a JSON Pointer into the instance ("" for the whole of it), rule the
failed keyword. Exit status: 0 when every schema passes the metaschema, 1
when one does not, 2 on bad usage, an unreadable file or a missing module.
Standard library and jsonschema only (referencing, which jsonschema 4.18
and later bring, when installed).
"""

import json
import os
import sys

# The base the schema files are known under, as in schemas/schemas.go, so
# that relative $refs ("../defs.schema.json#/$defs/Handshake") resolve
# without touching the network or the file system.
BASE = "https://orgconform.invalid/schemas/"


def fail(message):
    print("validate_schemas.py: " + message, file=sys.stderr)
    sys.exit(2)


try:
    import jsonschema
    from jsonschema import Draft202012Validator
except ImportError as e:  # the Go test names the missing module
    fail("the jsonschema module is missing (pip install jsonschema): %s" % e)

try:
    from importlib.metadata import version as _version

    JSONSCHEMA_VERSION = _version("jsonschema")
except Exception:  # pragma: no cover - very old Pythons
    JSONSCHEMA_VERSION = getattr(jsonschema, "__version__", "unknown")

try:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012
except ImportError:  # jsonschema before 4.18: RefResolver below
    Registry = None


def load_schemas(root):
    """Returns {relative path with / separators: document} of every *.json under root."""
    docs = {}
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            if not name.endswith(".json"):
                continue
            full = os.path.join(folder, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            try:
                with open(full, encoding="utf-8") as f:
                    docs[rel] = json.load(f)
            except (OSError, ValueError) as e:
                fail("%s: %s" % (full, e))
    return docs


class Validators:
    """Builds a validator for each schema file, all files known to each."""

    def __init__(self, docs):
        self.docs = docs
        if Registry is not None:
            self.registry = Registry().with_resources(
                (BASE + rel, Resource.from_contents(doc, default_specification=DRAFT202012))
                for rel, doc in docs.items()
            )

    def for_file(self, rel):
        checker = Draft202012Validator.FORMAT_CHECKER
        if Registry is not None:
            return Draft202012Validator({"$ref": BASE + rel}, registry=self.registry, format_checker=checker)
        store = {BASE + r: d for r, d in self.docs.items()}
        resolver = jsonschema.RefResolver(base_uri=BASE + rel, referrer=self.docs[rel], store=store)
        return Draft202012Validator(self.docs[rel], resolver=resolver, format_checker=checker)


def pointer(path):
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def leaves(error):
    """The innermost errors: those of anyOf/oneOf branches, else the error itself."""
    if error.context:
        for sub in error.context:
            yield from leaves(sub)
    else:
        yield error


def check_schemas(docs):
    """Checks each document against the Draft 2020-12 metaschema, every failure listed."""
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    out = []
    for rel in sorted(docs):
        errors = ["%s: %s" % (pointer(e.absolute_path) or "(root)", e.message) for e in meta.iter_errors(docs[rel])]
        out.append({"file": rel, "ok": not errors, "error": "; ".join(errors)})
    return out


def validate_cases(docs, cases):
    validators = Validators(docs)
    out = []
    for case in cases:
        schema = case.get("schema")
        if schema not in docs:
            fail("case %r: no schema %r under the schemas folder" % (case.get("name"), schema))
        errors = []
        for top in validators.for_file(schema).iter_errors(case.get("instance")):
            for e in leaves(top):
                errors.append({"path": pointer(e.absolute_path), "rule": str(e.validator), "message": e.message})
        errors.sort(key=lambda e: (e["path"], e["rule"]))
        out.append({"name": case.get("name"), "valid": not errors, "errors": errors})
    return out


def main(argv):
    if len(argv) not in (2, 3) or argv[1] in ("-h", "--help"):
        fail("usage: validate_schemas.py SCHEMAS_DIR [MANIFEST]")
    root = argv[1]
    if not os.path.isdir(root):
        fail("%s is not a folder" % root)
    docs = load_schemas(root)
    if not docs:
        fail("no *.json schema under %s" % root)
    cases = []
    if len(argv) == 3:
        try:
            with open(argv[2], encoding="utf-8") as f:
                cases = json.load(f).get("cases", [])
        except (OSError, ValueError, AttributeError) as e:
            fail("manifest %s: %s" % (argv[2], e))
    schemas = check_schemas(docs)
    result = {"jsonschema": JSONSCHEMA_VERSION, "schemas": schemas, "cases": []}
    if all(s["ok"] for s in schemas):
        result["cases"] = validate_cases(docs, cases)
    json.dump(result, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0 if all(s["ok"] for s in schemas) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
