"""The quick yes/no check of a `NATS` document against the API's JSON Schema, for the render path.

jsonschema stays the reference validator and the source of every error message (model.py), but importing it
costs more than a whole render (about 55 ms against a 35 ms budget). Valid documents are the common case,
so they are checked here first, by interpreting directly the few keywords our schema uses; only a document
this check refuses loads jsonschema, which then finds every error.

The schema is the one source of truth: this module interprets it, it holds no rule of its own. Patterns are
written so that Python's `re` (this check, and jsonschema) and the ECMA regexes of editors read them alike
(no bare `$`, which Python lets match before a final newline). The check may be stricter than jsonschema,
never looser (tests/units/test_schema_check.py holds it to that): a keyword it does not know, a `$ref` it
cannot resolve, makes it answer "not valid", and jsonschema decides. Integers are JSON's: `3.0` is no
integer here, nor for the reference validator that `spec` builds.
"""

from __future__ import annotations

import re

# Keywords that only describe; they never make a document invalid.
# `$defs` holds schemas only reached through `$ref`.
ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "default", "$defs", "x-messages"})
KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "propertyNames",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "enum",
        "const",
        "anyOf",
        "$ref",
    }
)

_KNOWN = KEYWORDS | ANNOTATIONS
_PATTERNS: dict[str, re.Pattern[str]] = {}


def unknown_keywords(schema: object) -> set[str]:
    """Keywords anywhere in `schema` that this check does not interpret (each one sends a document to
    jsonschema, so the shipped schema should have none)."""
    if not isinstance(schema, dict):
        return set()
    found = set(schema) - KEYWORDS - ANNOTATIONS
    subschemas = [*schema.get("properties", {}).values(), *schema.get("anyOf", [])]
    subschemas += [*schema.get("$defs", {}).values()]
    subschemas += [schema.get(k) for k in ("additionalProperties", "propertyNames") if k in schema]
    for sub in subschemas:
        found |= unknown_keywords(sub)
    return found


def is_valid(instance: object, schema: object, root: object = None) -> bool:
    """True only where jsonschema (Draft 2020-12) also finds `instance` valid against `schema`; `$ref`s
    are resolved in `root`, the whole schema (by default `schema` itself)."""
    if isinstance(schema, bool):
        return schema
    if not isinstance(schema, dict) or not schema.keys() <= _KNOWN:
        return False
    root = schema if root is None else root
    if "$ref" in schema and not is_valid(instance, _resolve(schema["$ref"], root), root):
        return False
    if "type" in schema and not _has_type(instance, schema["type"]):
        return False
    if "anyOf" in schema and not any(is_valid(instance, sub, root) for sub in schema["anyOf"]):
        return False
    if "enum" in schema and not any(_same_scalar(instance, value) for value in schema["enum"]):
        return False
    if "const" in schema and not _same_scalar(instance, schema["const"]):
        return False
    if isinstance(instance, dict):
        return _object_is_valid(instance, schema, root)
    if isinstance(instance, str):
        return _string_is_valid(instance, schema)
    if isinstance(instance, (int, float)) and not isinstance(instance, bool):
        return _within(instance, schema.get("minimum"), schema.get("maximum"))
    return True


def _resolve(reference: object, root: object) -> object:
    """The schema a local `$ref` (`#/$defs/quantity`) points at; False (nothing valid) for any other."""
    if not isinstance(reference, str) or not reference.startswith("#/"):
        return False
    target = root
    for step in reference[2:].split("/"):
        if not isinstance(target, dict) or step not in target:
            return False
        target = target[step]
    return target


def _object_is_valid(instance: dict[object, object], schema: dict[str, object], root: object) -> bool:
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    if not isinstance(properties, dict) or not isinstance(required, list):
        return False
    if any(name not in instance for name in required):
        return False
    names = schema.get("propertyNames", True)
    additional = schema.get("additionalProperties", True)
    for key, value in instance.items():
        if not isinstance(key, str):
            return False  # JSON has only string keys; let jsonschema say what it makes of this
        if names is not True and not is_valid(key, names, root):
            return False
        if not is_valid(value, properties.get(key, additional), root):
            return False
    return True


def _string_is_valid(instance: str, schema: dict[str, object]) -> bool:
    if not _within(len(instance), schema.get("minLength"), schema.get("maxLength")):
        return False
    pattern = schema.get("pattern")
    if pattern is None:
        return True
    if not isinstance(pattern, str):
        return False
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        compiled = _PATTERNS[pattern] = re.compile(pattern)
    return compiled.search(instance) is not None  # search, not match: what jsonschema does


def _within(amount: float, low: object, high: object) -> bool:
    """`low <= amount <= high` for the bounds given (NaN is within no bound, which is stricter)."""
    if low is not None and not (isinstance(low, (int, float)) and amount >= low):
        return False
    return high is None or (isinstance(high, (int, float)) and amount <= high)


def _has_type(instance: object, wanted: object) -> bool:
    if isinstance(wanted, str):
        return _is_type(instance, wanted)
    return isinstance(wanted, list) and any(_is_type(instance, name) for name in wanted)


_PYTHON_TYPES: dict[object, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "integer": int,
    "number": (int, float),
}


def _is_type(instance: object, name: object) -> bool:
    # Stricter than jsonschema where it is generous: 1.0 is no integer here.
    python_type = _PYTHON_TYPES.get(name)
    if python_type is None:
        return name == "null" and instance is None
    if isinstance(instance, bool):
        return name == "boolean"
    return isinstance(instance, python_type)


def _same_scalar(instance: object, value: object) -> bool:
    """Equality as JSON means it for scalars (true is not 1); lists and mappings are left to jsonschema."""
    scalar = (str, int, float, bool, type(None))
    return isinstance(value, scalar) and type(instance) is type(value) and instance == value
