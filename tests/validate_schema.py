#!/usr/bin/env python3
"""Validate JSON files against one of optbench's JSON Schemas.

    python3 tests/validate_schema.py SCHEMA.json FILE.json...

The schema itself is checked first (check_schema against its own
metaschema: draft 2020-12 or draft-07, whichever its "$schema" names). Each
FILE is then read as strict JSON -- no NaN or Infinity, no number that
overflows a double, no duplicate object key, as optbench's own reader
(jansson with JSON_REJECT_DUPLICATES) requires -- and validated. Prints
"ok FILE" for a valid file, else "FAIL FILE" followed by the first errors,
each with the JSON path of the offending value ("$.runs[3].status").

Exit status: 0 when the schema and every file are valid, 1 otherwise
(including usage errors and a missing jsonschema module). Never 77 or 99:
this is a check, not a test that may be skipped.

Needs python3-jsonschema (Debian 12 ships 4.10; any 4.x works).
"""
import json
import math
import sys

MAX_ERRORS = 5


def fail(msg):
    print(f"validate_schema: {msg}", file=sys.stderr)
    return 1


class StrictJSONError(ValueError):
    pass


def _reject_constant(name):
    raise StrictJSONError(f"{name} is not JSON (non-finite numbers must be written as null)")


def _parse_float(text):
    v = float(text)
    if math.isinf(v):
        raise StrictJSONError(f"number {text} overflows a double")
    return v


def _no_duplicates(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise StrictJSONError(f"duplicate object key {k!r}")
        obj[k] = v
    return obj


def load_strict(path):
    """Reads a JSON file the way optbench does; raises OSError or ValueError."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return json.loads(text, parse_constant=_reject_constant, parse_float=_parse_float,
                      object_pairs_hook=_no_duplicates)


def json_path(parts):
    out = "$"
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif p.isidentifier():
            out += f".{p}"
        else:
            out += "[" + json.dumps(p) + "]"
    return out


def _leaves(error):
    if not error.context:
        yield error
        return
    for sub in error.context:
        yield from _leaves(sub)


def describe(error):
    """One line for an error. An anyOf/oneOf failure is replaced by the most
    telling failure inside it: a branch whose type matched the value is the
    one the author meant, so its (deepest) failure names the real problem."""
    if error.context:
        leaves = list(_leaves(error))
        meant = [e for e in leaves if e.validator != "type"] or leaves
        error = max(meant, key=lambda e: len(e.absolute_path))
    message = error.message
    if error.validator == "pattern" and isinstance(error.schema, dict) and "description" in error.schema:
        message = f"{error.instance!r} is not valid: expected {error.schema['description']}"
    return f"{json_path(error.absolute_path)}: {message}"


def _error_order(error):
    """Document order: array indexes numerically, then the message."""
    return ([(0, p) if isinstance(p, int) else (1, p) for p in error.absolute_path], error.message)


def main(argv):
    if len(argv) >= 2 and argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    if len(argv) < 3:
        return fail("usage: python3 tests/validate_schema.py SCHEMA.json FILE.json...")
    try:
        import jsonschema
        from jsonschema.validators import validator_for
    except ImportError as e:
        return fail(f"cannot import jsonschema ({e}); install python3-jsonschema")

    schema_path, files = argv[1], argv[2:]
    try:
        schema = load_strict(schema_path)
    except (OSError, ValueError) as e:
        return fail(f"{schema_path}: cannot read schema: {e}")
    if not isinstance(schema, dict) or "$schema" not in schema:
        return fail(f"{schema_path}: not a JSON Schema (no \"$schema\" key)")
    cls = validator_for(schema, default=None)
    if cls is None:
        return fail(f"{schema_path}: unsupported metaschema {schema['$schema']!r}")
    try:
        cls.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        return fail(f"{schema_path}: invalid schema at {json_path(e.absolute_path)}: {e.message}")
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER if hasattr(cls, "FORMAT_CHECKER")
                    else jsonschema.FormatChecker())

    status = 0
    for path in files:
        try:
            doc = load_strict(path)
        except (OSError, ValueError) as e:
            print(f"FAIL {path}\n  cannot read: {e}")
            status = 1
            continue
        errors = sorted(validator.iter_errors(doc), key=_error_order)
        if not errors:
            print(f"ok {path}")
            continue
        status = 1
        print(f"FAIL {path}")
        for e in errors[:MAX_ERRORS]:
            print(f"  {describe(e)}")
        if len(errors) > MAX_ERRORS:
            print(f"  ... and {len(errors) - MAX_ERRORS} more")
    return status


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(1)
