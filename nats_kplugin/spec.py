"""Step 2, validate: a `NATS` document against the API's JSON Schema, into a `NatsSpec` with defaults.

The schema (`schema/nats.schema.json`) is package data, loaded once and printable for editors
(`nats-render --print-schema`). A valid document passes `schema_check`, which needs no import; only an
invalid one loads jsonschema, the reference, to find every error. Messages are written here rather than
taken from the validator, because the validator's own messages quote the offending value, and that value
may be a password.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any, NamedTuple

from . import schema_check
from .problems import Path, Problem, error
from .quantities import format_millicores, to_bytes, to_millicores

API_VERSION = "apps.cozystack.io/v1alpha1"
KIND = "NATS"

# Limits per preset, as the managed service defines them: (cpu, memory).
RESOURCE_PRESETS: dict[str, tuple[str, str]] = {
    "nano": ("250m", "128Mi"),
    "micro": ("500m", "256Mi"),
    "small": ("1", "512Mi"),
    "medium": ("1", "1Gi"),
    "large": ("2", "2Gi"),
    "xlarge": ("4", "4Gi"),
    "2xlarge": ("8", "8Gi"),
}


class Resources(NamedTuple):
    """Container resources: limits as given, requests derived (cpu a tenth, memory equal)."""

    cpu_limit: str
    memory_limit: str
    memory_bytes: int

    @property
    def cpu_request(self) -> str:
        millicores = to_millicores(self.cpu_limit) or 0
        return format_millicores(max(1, -(-millicores // 10)))


class NatsSpec(NamedTuple):
    """One validated `NATS` object with every default applied."""

    name: str
    namespace: str | None
    external: bool
    replicas: int
    storage_class: str
    tls_enabled: bool  # spec.tls.enabled, or spec.external where it is unset (SPEC section 8)
    users: dict[str, str | None]  # name -> password as given (None: derive one)
    jetstream_enabled: bool
    jetstream_size: str  # as given, for the volume claim
    jetstream_size_bytes: int
    merge: dict[str, Any]
    resolver: dict[str, Any]
    resources: Resources

    @property
    def full_name(self) -> str:
        """The managed service's name for everything rendered: `nats-<name>`."""
        return f"nats-{self.name}"


def is_nats_object(data: Any) -> bool:
    return isinstance(data, dict) and data.get("apiVersion") == API_VERSION and data.get("kind") == KIND


@lru_cache(maxsize=1)
def schema_text() -> str:
    # Package data through the package's own loader, as pkgutil.get_data does, without importing
    # importlib.resources or pkgutil (9 ms together, more than the render's own work).
    loader: Any = __spec__.loader
    data: bytes = loader.get_data(os.path.join(os.path.dirname(__file__), "schema", "nats.schema.json"))
    return data.decode("utf-8")


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    return json.loads(schema_text())  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def _validator() -> Any:
    # Imported here: jsonschema is the heaviest import, and only invalid documents need it.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_schema())


def validate(document: dict[str, Any]) -> tuple[NatsSpec | None, list[Problem]]:
    """The spec of one `NATS` document, or the problems that make it invalid (all of them)."""
    problems = _non_string_keys(document, ())
    if not problems and not schema_check.is_valid(document, _schema()):
        problems = [p for err in _validator().iter_errors(document) for p in _problem_from(err)]
    if problems:
        return None, sorted(problems, key=lambda p: (tuple(map(str, p.path)), p.message))
    data = _with_defaults(document, _schema())
    spec_data = data["spec"]
    problems = _check_values(spec_data)
    if problems:
        return None, problems
    return _build(data), []


def _non_string_keys(value: Any, path: Path) -> list[Problem]:
    """YAML 1.1 reads `yes:`, `on:` and `1:` as non-string keys; every key in this API is a name."""
    found: list[Problem] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                found.append(error(f"key {key!r} must be a string; quote it", path))
            else:
                found.extend(_non_string_keys(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_non_string_keys(item, (*path, index)))
    return found


_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "boolean": "true or false",
    "null": "empty",
    "number": "a number",
}


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


def _problem_from(err: Any) -> list[Problem]:
    """Our own message for one validation error, naming what would be valid and never the value."""
    path: Path = tuple(err.absolute_path)
    kind, schema, instance = err.validator, err.schema, err.instance
    if kind == "additionalProperties":
        known = sorted(schema.get("properties", {}))
        extra = sorted(k for k in instance if k not in schema.get("properties", {}))
        return [error(_unknown_field(name, known), (*path, name)) for name in extra]
    if kind == "required":
        missing = [name for name in schema["required"] if name not in instance]
        return [error("is required", (*path, name)) for name in missing]
    if kind == "type":
        wanted = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        expected = " or ".join(_TYPE_NAMES.get(str(t), str(t)) for t in wanted)
        got = _TYPE_NAMES.get(_json_type(instance), _json_type(instance))
        message = f"must be {expected}, not {got}"
        if _json_type(instance) == "boolean" and "string" in wanted:
            message += " (YAML reads yes/no/on/off/true/false as booleans: quote the value)"
        if "string" in wanted and _json_type(instance) in ("integer", "number"):
            message += " (quote the value)"
        return [error(message, path)]
    if kind == "enum":
        return [error("must be one of " + ", ".join(map(str, schema["enum"])), path)]
    if kind == "const":
        return [error(f"must be {schema['const']}", path)]
    if kind == "anyOf":  # only quantities use anyOf
        return [error("must be a Kubernetes quantity such as 10Gi, 512Mi, 500M or 250m", path)]
    if path == ("metadata", "labels") and "propertyNames" in err.relative_schema_path:
        return [
            error(
                "label keys must be valid Kubernetes label keys: an optional DNS-subdomain prefix and '/', "
                "then at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric",
                (*path, err.instance) if kind == "pattern" else path,
            )
        ]
    if path[:2] == ("metadata", "labels") and kind == "pattern":
        return [
            error(
                "label values must be at most 63 letters, digits, '-', '_' or '.', starting and ending "
                "alphanumeric (the labels are copied onto every rendered object)",
                path,
            )
        ]
    if kind == "propertyNames" or (kind == "pattern" and "propertyNames" in err.relative_schema_path):
        return [
            error(
                "user names must be valid Secret keys: letters, digits, '-', '_' and '.', "
                "not '.' and not starting with '..'",
                (*path, instance) if kind == "pattern" else path,
            )
        ]
    if kind == "pattern":
        if path[-1:] in (("name",), ("namespace",)):
            return [
                error(
                    "must be a DNS label: lowercase letters, digits and '-', starting and ending "
                    "with a letter or digit",
                    path,
                )
            ]
        return [error(f"must match {schema['pattern']}", path)]
    if kind == "maxLength" and path == ("metadata", "name"):
        return [
            error(
                f"must be at most {schema['maxLength']} characters, so that nats-<name>-headless "
                "and the StatefulSet's pod labels fit in 63",
                path,
            )
        ]
    limits = {"minimum": "at least", "maximum": "at most", "minLength": "at least", "maxLength": "at most"}
    if kind == "maxLength" and path[-1:] == ("password",):
        return [
            error(
                f"must be at most {schema['maxLength']} characters: a longer password does not fit the "
                "4 KiB CONNECT line nats-server accepts from a client",
                path,
            )
        ]
    if kind in limits:
        unit = " characters" if kind.endswith("Length") else ""
        return [error(f"must be {limits[kind]} {schema[kind]}{unit}", path)]
    return [error(f"is invalid ({kind})", path)]


def _unknown_field(name: str, known: list[str]) -> str:
    import difflib  # only invalid documents get here; a valid render does not pay for the import

    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"unknown field{hint}; valid fields here: {', '.join(known)}"


def _with_defaults(value: Any, schema: dict[str, Any]) -> Any:
    """A copy of `value` with the schema's defaults filled in, recursively through `properties`."""
    if not isinstance(value, dict):
        return value
    result = dict(value)
    for key, sub in schema.get("properties", {}).items():
        if key not in result and "default" in sub:
            result[key] = json.loads(json.dumps(sub["default"]))
        if key in result:
            result[key] = _with_defaults(result[key], sub)
    return result


def _check_values(spec: dict[str, Any]) -> list[Problem]:
    """What the schema cannot say: sizes that are positive, a usable amount of memory and cpu."""
    problems: list[Problem] = []
    size = to_bytes(spec["jetstream"]["size"])
    if size is None or size < 1024 * 1024:
        problems.append(error("must be at least 1Mi", ("spec", "jetstream", "size")))
    for name, minimum in (("cpu", 1), ("memory", 1024 * 1024)):
        given = spec.get("resources", {}).get(name)
        if given is None:
            continue
        amount = to_millicores(given) if name == "cpu" else to_bytes(given)
        if amount is None or amount < minimum:
            problems.append(
                error("must be at least " + ("1m" if name == "cpu" else "1Mi"), ("spec", "resources", name))
            )
    return problems


def _build(data: dict[str, Any]) -> NatsSpec:
    spec = data["spec"]
    preset_cpu, preset_memory = RESOURCE_PRESETS[spec["resourcesPreset"]]
    given = spec.get("resources", {})
    memory = str(given.get("memory", preset_memory))
    return NatsSpec(
        name=data["metadata"]["name"],
        namespace=data["metadata"].get("namespace"),
        external=spec["external"],
        replicas=spec["replicas"],
        storage_class=spec["storageClass"],
        tls_enabled=spec["tls"].get("enabled", spec["external"]),
        users={name: (user or {}).get("password") for name, user in sorted(spec["users"].items())},
        jetstream_enabled=spec["jetstream"]["enabled"],
        jetstream_size=str(spec["jetstream"]["size"]),
        jetstream_size_bytes=to_bytes(spec["jetstream"]["size"]) or 0,
        merge=spec["config"]["merge"],
        resolver=spec["config"]["resolver"],
        resources=Resources(str(given.get("cpu", preset_cpu)), memory, to_bytes(memory) or 0),
    )
