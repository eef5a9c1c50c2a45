"""How the reader reads for the spec step: NATS objects are read by its rules, kept with their nodes for
line numbers, and held to the per-object limits here; everything else passes through as kubectl reads it.
"""

from typing import Any

from ..documents.loader import ReadingPolicy
from ..problems import Path
from .model import KIND

MAX_NATS_OBJECTS = 10_000  # NATS objects in all streams together: what fits the sidecar's 256 Mi
MAX_USERS = 10_000  # users of one NATS object


def _users_over_limit(data: dict[str, Any]) -> tuple[str, Path] | None:
    spec = data.get("spec")
    users = spec.get("users") if isinstance(spec, dict) else None
    if isinstance(users, dict) and len(users) > MAX_USERS:
        return f"{len(users)} users, the limit is {MAX_USERS} per object", ("spec", "users")
    return None


# The KRM function's input carries its NATS object as a ResourceList's functionConfig.
NATS_OBJECTS = ReadingPolicy(KIND, (("ResourceList", "functionConfig"),), MAX_NATS_OBJECTS, _users_over_limit)
