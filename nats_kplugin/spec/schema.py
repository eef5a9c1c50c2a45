"""The API's JSON Schema (`nats.schema.json` beside it): package data, loaded once, printable for editors, and
the reference validator built on it, for invalid documents only."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def schema_text() -> str:
    # Package data through the package's own loader, as pkgutil.get_data does, without importing
    # importlib.resources or pkgutil (9 ms together, more than the render's own work).
    loader: Any = __spec__.loader
    data: bytes = loader.get_data(os.path.join(os.path.dirname(__file__), "nats.schema.json"))
    return data.decode("utf-8")


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The API's JSON Schema, parsed once."""
    return json.loads(schema_text())  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def reference_validator() -> Any:
    """jsonschema's Draft 2020-12 validator for the schema, with JSON's integers: 3.0 is not one (jsonschema
    would take it, and `replicas: 3.0` would reach the renderer as a float), as in `fast_check`."""
    # Imported here: jsonschema is the heaviest import, and only invalid documents need it.
    from jsonschema import Draft202012Validator, validators

    checker = Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool)
    )
    strict = validators.extend(Draft202012Validator, type_checker=checker)
    return strict(schema())
