"""The messages of `spec`: one problem per validation error of jsonschema, in our own words.

Only an invalid document gets here, so a valid render never imports this module (nor difflib). The
validator's own messages quote the offending value, and that value may be a password: every message here
names the field and what would be valid, never the value.
"""

from __future__ import annotations

import difflib
from typing import Any

from .codes import Code
from .presets import LEGACY, MIB_PER_CPU, MILLICORES, RESOURCE_PRESETS
from .problems import Path, Problem, error

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "boolean": "true or false",
    "null": "empty",
    "number": "a number",
}
# Fields a NATS object has at the top level and in its metadata, so that `replicas` under metadata or
# `jetstream` beside spec get "did you mean spec.replicas?".
_PLACES = {(): "the top level", ("metadata",): "metadata"}
_NEWLINE_HINT = " (this value ends in a newline: a `|` block keeps it, `|-` drops it)"
_DNS_LABEL = (
    "must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit"
)
_QUALIFIED_NAME = (
    "{what} keys must be valid Kubernetes {what} keys: an optional DNS-subdomain prefix and '/', "
    "then at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric"
)


def problems_from(errors: Any, schema: dict[str, Any]) -> list[Problem]:
    """Our problems for jsonschema's errors of one document against `schema` (the whole NATS schema)."""
    spec_fields = sorted(schema["properties"]["spec"]["properties"])
    return [p for err in errors for p in _problem_from(err, spec_fields)]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    for python_type, name in (
        (bool, "boolean"),
        (int, "integer"),
        (float, "number"),
        (str, "string"),
        (list, "array"),
        (dict, "object"),
    ):
        if isinstance(value, python_type):
            return name
    return type(value).__name__


def _problem_from(err: Any, spec_fields: list[str]) -> list[Problem]:  # noqa: C901 (a flat dispatch, one message per JSON Schema keyword)
    """Our own message for one validation error, naming what would be valid and never the value."""
    path: Path = tuple(err.absolute_path)
    kind, schema, instance = err.validator, err.schema, err.instance
    hint = _NEWLINE_HINT if isinstance(instance, str) and instance.endswith("\n") else ""
    if kind == "additionalProperties":
        known = sorted(k for k in schema.get("properties", {}) if k not in _ignored(schema))
        extra = sorted(k for k in instance if k not in schema.get("properties", {}))
        elsewhere = spec_fields if path in _PLACES else []
        return [
            error(Code.UNKNOWN_FIELD, _unknown_field(name, known, elsewhere), (*path, name)) for name in extra
        ]
    if kind == "required":
        missing = [name for name in schema["required"] if name not in instance]
        return [error(Code.MISSING_FIELD, "is required", (*path, name)) for name in missing]
    if kind == "type":
        return [error(Code.WRONG_TYPE, _type_message(schema, instance), path)]
    if kind == "enum" and path == ("spec", "resourcesPreset"):
        return [error(Code.UNKNOWN_PRESET, _preset_message(instance), path)]
    if kind == "enum":
        return [error(Code.INVALID_CHOICE, "must be one of " + ", ".join(map(str, schema["enum"])), path)]
    if kind == "const":
        return [error(Code.INVALID_CHOICE, f"must be {schema['const']}", path)]
    if kind == "anyOf":  # only quantities use anyOf
        quantity = "must be a Kubernetes quantity such as 10Gi, 512Mi, 500M or 250m"
        return [error(Code.INVALID_QUANTITY, quantity + hint, path)]
    if kind == "maxLength" and path == ("metadata", "name"):
        return [
            error(
                Code.OUT_OF_RANGE,
                f"must be at most {schema['maxLength']} characters: the StatefulSet nats-<name> must leave "
                "room for its pods' controller-revision-hash label (nats-<name>-<10-character hash>), "
                "which Kubernetes limits to 63 characters",
                path,
            )
        ]
    if kind == "maxLength" and path[-1:] == ("password",):
        return [
            error(
                Code.OUT_OF_RANGE,
                f"must be at most {schema['maxLength']} characters: a longer password does not fit the "
                "4 KiB CONNECT line nats-server accepts from a client",
                path,
            )
        ]
    if kind == "pattern" or "propertyNames" in err.relative_schema_path:
        message = _pattern_message(path, err.relative_schema_path)
        if message is not None:
            key = "propertyNames" in err.relative_schema_path and kind != "propertyNames"
            hint = "" if "newline" in message else hint
            return [error(Code.INVALID_FORMAT, message + hint, (*path, instance) if key else path)]
    limits = {"minimum": "at least", "maximum": "at most", "minLength": "at least", "maxLength": "at most"}
    if kind in limits:
        unit = " characters" if kind.endswith("Length") else ""
        return [error(Code.OUT_OF_RANGE, f"must be {limits[kind]} {schema[kind]}{unit}", path)]
    if kind == "pattern":
        return [error(Code.INVALID_FORMAT, "is not valid here" + hint, path)]
    return [error(Code.SCHEMA_VIOLATION, f"is invalid ({kind})", path)]


def _pattern_message(path: Path, schema_path: Any) -> str | None:
    """What a string at `path` must look like, for the fields whose schema has a pattern."""
    if "propertyNames" in schema_path:
        if path == ("metadata", "labels"):
            return _QUALIFIED_NAME.format(what="label")
        if path == ("metadata", "annotations"):
            return _QUALIFIED_NAME.format(what="annotation")
        return (
            "user names must be valid Secret keys: letters, digits, '-', '_' and '.', "
            "not '.' and not starting with '..'"
        )
    if path in (("metadata", "name"), ("metadata", "namespace")):
        return _DNS_LABEL
    if path[:2] == ("metadata", "labels"):
        return (
            "label values must be at most 63 letters, digits, '-', '_' or '.', starting and ending "
            "alphanumeric (the labels are copied onto every rendered object)"
        )
    if path == ("spec", "storageClass"):
        return (
            "must be a storage class name (a DNS subdomain: lowercase letters, digits, '-' and '.'), or empty"
        )
    if path[-1:] == ("password",):
        return "must not end in a newline"  # the only rule of its pattern
    return None


def _type_message(schema: dict[str, Any], instance: Any) -> str:
    wanted = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    expected = " or ".join(_TYPE_NAMES.get(str(t), str(t)) for t in wanted)
    got = _TYPE_NAMES.get(_json_type(instance), _json_type(instance))
    message = f"must be {expected}, not {got}"
    if _json_type(instance) == "boolean" and "string" in wanted:
        message += " (YAML reads yes/no/on/off/true/false as booleans: quote the value)"
    if "string" in wanted and _json_type(instance) in ("integer", "number"):
        message += " (quote the value)"
    if "integer" in wanted and _json_type(instance) == "number":
        message += " (write it without a decimal point)"
    if (
        "integer" in wanted
        and isinstance(instance, str)
        and instance.lstrip("+-")[:2].lower() in ("0o", "0b")
    ):
        message += " (0o and 0b forms are strings in YAML 1.1: write the number in decimal)"
    return message


def _preset_message(instance: Any) -> str:
    close = (
        difflib.get_close_matches(instance, list(RESOURCE_PRESETS), n=1) if isinstance(instance, str) else []
    )
    hint = f" (did you mean {close[0]}?)" if close else ""
    return (
        f"must be a preset{hint}: an instance type {', '.join(MIB_PER_CPU)} with a size "
        f"{', '.join(MILLICORES)} (such as t1.nano or u1.large), or a legacy name {', '.join(LEGACY)}"
    )


def _ignored(schema: dict[str, Any]) -> set[str]:
    """Fields the schema lists only to ignore them (API-server metadata, status): no use suggesting them."""
    return {
        k
        for k, sub in schema.get("properties", {}).items()
        if str(sub.get("description", "")).startswith("Ignored")
    }


def _unknown_field(name: str, known: list[str], spec_fields: list[str]) -> str:
    if name in spec_fields:
        hint = f" (did you mean spec.{name}? it belongs under spec)"
    else:
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
    return f"unknown field{hint}; valid fields here: {', '.join(known)}"
