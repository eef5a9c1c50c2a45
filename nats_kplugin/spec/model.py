"""Step 2, validate: a `NATS` document against the API's JSON Schema, into a `NatsSpec` with defaults.

The whole object is read strictly: top level, metadata and spec (SPEC section 2). `status` and the metadata
the API server writes are listed in the schema as ignored, so an object exported from a cluster renders;
any other field is an error. The schema is package data (`schema.py` loads it). A valid document passes
`fast_check`, which needs no import; only an invalid one loads jsonschema, the reference, to find every
error, and `messages`, which words them. Integers are YAML 1.2 integers, checked on the YAML source
text (`integer_problems`), because the value PyYAML constructs has already lost `0b11`, `1:30` or `010`.
The presets live in `presets`.
"""

from typing import Any, NamedTuple

from ..codes import Code
from ..documents.positions import Positions
from ..problems import Path, Problem, error, warning
from . import fast_check
from .names import ObjectNames, object_names
from .presets import RESOURCE_PRESETS
from .quantities import format_millicores, to_bytes, to_millicores
from .schema import reference_validator, schema, schema_text

API_VERSION = "apps.cozystack.io/v1alpha1"
KIND = "NATS"
GROUP = API_VERSION.split("/")[0]

__all__ = [
    "API_VERSION",
    "KIND",
    "RESOURCE_PRESETS",
    "NatsSpec",
    "Resources",
    "reference_validator",
    "schema",
    "schema_text",
    "validate",
]


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
    # The render option --managed-service-names (SPEC section 12): the managed service's selector labels,
    # claim template and account names, so a running managed cluster is taken over with its data.
    managed_service_names: bool = False

    @property
    def names(self) -> ObjectNames:
        """The names of everything rendered for it (names.py)."""
        return object_names(self.name)

    @property
    def full_name(self) -> str:
        """The managed service's name for everything rendered: `nats-<name>`."""
        return self.names.full

    @property
    def headless_name(self) -> str:
        return self.names.headless


def is_nats_object(data: Any) -> bool:
    return isinstance(data, dict) and data.get("apiVersion") == API_VERSION and data.get("kind") == KIND


def near_miss(data: Any) -> Problem | None:
    """A warning for a document that is almost a NATS object (`apps.cozystack.io/v1`, `kind: Nats`, another
    version of the group, no apiVersion): it is passed through as it is, and probably not what its author
    meant. Other groups' NATS kinds (the NATS operator's `nats.io`) are no near miss."""
    if not isinstance(data, dict) or is_nats_object(data):
        return None
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if not isinstance(kind, str) or kind.strip().casefold() != KIND.casefold():
        return None
    if api_version is None:
        what = f"kind {kind!r} without an apiVersion"
    elif isinstance(api_version, str) and (
        api_version.split("/")[0].strip().casefold() == GROUP or "cozystack" in api_version.casefold()
    ):
        shown = api_version if len(api_version) <= 80 else api_version[:77] + "..."
        what = f"apiVersion {shown!r} kind {kind!r}"
    else:
        return None
    return warning(
        Code.NEAR_MISS_KIND,
        f"passed through unrendered: {what} is close to {API_VERSION} {KIND}, the only kind nats-render "
        "expands; correct it to render the object",
    )


def validate(
    document: dict[str, Any], positions: Positions | None = None
) -> tuple[NatsSpec | None, list[Problem]]:
    """The spec of one `NATS` document, or the problems that make it invalid (all of them). `positions`
    are where the document was written (documents/positions.py), for the checks on how numbers are written."""
    problems = _non_string_keys(document, ())
    if not problems and not fast_check.is_valid(document, schema()):
        from .messages import problems_from

        problems = problems_from(reference_validator().iter_errors(document), schema())
    problems += integer_problems(positions)
    if problems:
        return None, sorted(problems, key=lambda p: (tuple(map(str, p.path)), p.message))
    data = _with_defaults(document, schema())
    spec_data = data["spec"]
    problems = _check_values(spec_data)
    if problems:
        return None, problems
    return _build(data), []


# YAML 1.2's core schema: decimal digits with an optional sign, no leading zero. PyYAML reads YAML 1.1,
# where `010` is 8, `0b11` 3, `0x3` 3, `1_0` 10 and `1:30` 90; a YAML 1.2 reader reads them otherwise.


def _is_yaml12_int(text: str) -> bool:
    """[-+]?(0|[1-9][0-9]*), without compiling a pattern for it."""
    digits = text[1:] if text[:1] in ("+", "-") else text
    return digits.isascii() and digits.isdigit() and (digits == "0" or not digits.startswith("0"))


def integer_problems(positions: Positions | None) -> list[Problem]:
    """An error for every integer under `spec` that is not written as a YAML 1.2 integer."""
    return [
        error(Code.AMBIGUOUS_INTEGER, _integer_message(text), path)
        for path, text in (positions.integers if positions is not None else ())
        if path[:1] == ("spec",) and not _is_yaml12_int(text)
    ]


def _integer_message(text: str) -> str:
    digits = text.lstrip("+-")
    if ":" in digits:
        reason = "is a base-60 number in YAML 1.1 (1:30 is 90) and a string in YAML 1.2"
    elif digits[:2].lower() in ("0b", "0x", "0o"):
        base = {"b": 2, "x": 16, "o": 8}[digits[1].lower()]
        reason = f"is written in base {base}, which YAML 1.1 and 1.2 readers do not read alike"
    elif "_" in digits:
        reason = "has a '_' separator: a number in YAML 1.1, a string in YAML 1.2"
    else:
        reason = "has a leading zero: octal in YAML 1.1, decimal in YAML 1.2"
    return f"{reason}; write the number in plain decimal digits, or quote it for a string"


def _non_string_keys(value: Any, path: Path) -> list[Problem]:
    """YAML 1.1 reads `yes:`, `on:` and `1:` as non-string keys; every key in this API is a name."""
    found: list[Problem] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                found.append(error(Code.NON_STRING_KEY, f"key {key!r} must be a string; quote it", path))
            else:
                found.extend(_non_string_keys(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_non_string_keys(item, (*path, index)))
    return found


def _with_defaults(value: Any, sub_schema: dict[str, Any]) -> Any:
    """A copy of `value` with the schema's defaults filled in, recursively through `properties`."""
    if not isinstance(value, dict):
        return value
    result = dict(value)
    for key, sub in sub_schema.get("properties", {}).items():
        if key not in result and "default" in sub:
            result[key] = _copied(sub["default"])
        if key in result:
            result[key] = _with_defaults(result[key], _resolved(sub))
    return result


def _copied(value: Any) -> Any:
    """A schema default (JSON: dicts, lists, scalars) as a copy of its own, for the document to own."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value


def _resolved(sub: dict[str, Any]) -> dict[str, Any]:
    """A sub-schema with its `$ref` followed (the defaults of a referenced schema apply too)."""
    reference = sub.get("$ref")
    if not isinstance(reference, str) or not reference.startswith("#/$defs/"):
        return sub
    return {**schema()["$defs"][reference.removeprefix("#/$defs/")], **sub}


def _check_values(spec: dict[str, Any]) -> list[Problem]:
    """What the schema cannot say: sizes that are positive, a usable amount of memory and cpu."""
    problems: list[Problem] = []
    size = to_bytes(spec["jetstream"]["size"])
    if size is None or size < 1024 * 1024:
        problems.append(error(Code.OUT_OF_RANGE, "must be at least 1Mi", ("spec", "jetstream", "size")))
    for name, minimum in (("cpu", 1), ("memory", 1024 * 1024)):
        given = spec.get("resources", {}).get(name)
        if given is None:
            continue
        amount = to_millicores(given) if name == "cpu" else to_bytes(given)
        if amount is None or amount < minimum:
            minimum_text = "must be at least " + ("1m" if name == "cpu" else "1Mi")
            problems.append(error(Code.OUT_OF_RANGE, minimum_text, ("spec", "resources", name)))
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
