"""`spec.config.resolver` in both of its shapes, as the raw nats-server `resolver` block.

The managed service passes `config.resolver` on to the upstream nats Helm chart, whose block is not
nats-server's: `enabled` switches it, `dir` is where the account JWTs live (default `/data/resolver`), `merge`
holds the nats-server settings (`type: full`, `interval`, ...), and `pvc` (`enabled` by default, `size` 1Gi,
`storageClassName`, `name`) gives the JWTs a volume of their own, mounted at `dir`. The chart writes
`resolver: {dir, ...merge}`; so does this module. A block with none of the chart's keys is nats-server's
own (`type`, `dir`, `allow_delete`, ...) and is passed through unchanged, as it always was.

`patch` (a JSON patch in the chart) is refused: nothing else in the renderer is patched, config.merge
says the same thing as data.
"""

import posixpath
import re
from typing import Any, NamedTuple

from ..codes import Code
from ..problems import Path, Problem, error
from ..spec.names import ObjectNames
from ..spec.quantities import to_bytes
from .pod_filesystem import (
    CONFIG_VOLUME,
    PID_VOLUME,
    SECRETS_VOLUME,
    STORE_VOLUME,
    TLS_VOLUME,
    ResolverClaim,
)
from .values import is_clean_folder

CHART_KEYS = frozenset({"enabled", "merge", "patch", "pvc"})
CHART_DIR = "/data/resolver"  # the chart's default
CLAIM_SIZE = "1Gi"  # the chart's default
_PVC_KEYS = frozenset({"enabled", "size", "storageClassName", "name", "merge", "patch"})
_BASE: Path = ("spec", "config", "resolver")
# The volumes the pod has already; the claim's name must be another.
_POD_VOLUMES = frozenset({CONFIG_VOLUME, PID_VOLUME, TLS_VOLUME, STORE_VOLUME, SECRETS_VOLUME})
_DNS_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"  # (compiled on first use, by re)


class Resolver(NamedTuple):
    block: dict[str, Any]  # the raw nats-server block to merge into `resolver` ({} for none)
    claim: ResolverClaim | None = None


def is_chart_shaped(given: dict[str, Any]) -> bool:
    return any(key in given for key in CHART_KEYS)


def translate(given: dict[str, Any], names: ObjectNames) -> tuple[Resolver, list[Problem]]:
    """The raw block and the claim of either shape; problems for what nats-server or the pod cannot take.

    Refused (not-applied at spec.config.resolver.patch):
        spec: {config: {resolver: {enabled: true, patch: []}}}
    Refused (invalid-format at spec.config.resolver.dir):
        spec: {config: {resolver: {enabled: true, dir: /data/../etc/jwt}}}
    Refused (missing-field at spec.config.resolver.merge.type):
        spec:
          config:
            merge: {operator: <the operator JWT>}
            resolver: {enabled: true, merge: {interval: 2m}}
    Accepted:
        spec:
          config:
            merge: {operator: <the operator JWT>}
            resolver: {enabled: true, merge: {type: full}}
    """
    if not is_chart_shaped(given):
        return Resolver(given), []
    problems = _unknown_keys(given, CHART_KEYS | {"dir"}, _BASE)
    if "patch" in given:
        message = "JSON patches are not applied; write the settings under merge"
        problems.append(error(Code.NOT_APPLIED, message, (*_BASE, "patch")))
    enabled, merge, directory = (
        given.get("enabled", False),
        given.get("merge", {}),
        given.get("dir", CHART_DIR),
    )
    if not isinstance(enabled, bool):
        problems.append(error(Code.WRONG_TYPE, "must be true or false", (*_BASE, "enabled")))
    if not isinstance(merge, dict):
        message = "must be a mapping of nats-server resolver settings"
        problems.append(error(Code.WRONG_TYPE, message, (*_BASE, "merge")))
    if not isinstance(directory, str) or not directory.startswith("/") or directory.rstrip("/") == "":
        problems.append(error(Code.INVALID_FORMAT, "must be an absolute folder path", (*_BASE, "dir")))
    elif not is_clean_folder(directory):
        message = (
            f"must be a folder path without '.', '..' or '//' parts, such as {CHART_DIR}: the claim is "
            f"mounted at it, and nats-server would resolve it to {posixpath.normpath(directory)}"
        )
        problems.append(error(Code.INVALID_FORMAT, message, (*_BASE, "dir")))
    pvc = given.get("pvc", {})
    if not isinstance(pvc, dict):
        message = "must be a mapping (enabled, size, storageClassName, name)"
        problems.append(error(Code.WRONG_TYPE, message, (*_BASE, "pvc")))
        pvc = {}
    problems += _unknown_keys(pvc, _PVC_KEYS, (*_BASE, "pvc"))
    for key in ("merge", "patch"):
        if pvc.get(key):
            problems.append(
                error(
                    Code.NOT_APPLIED,
                    "is not applied: the claim is sized by pvc.size and pvc.storageClassName",
                    (*_BASE, "pvc", key),
                )
            )
    if problems or not enabled:
        return Resolver({}), problems
    assert isinstance(merge, dict) and isinstance(directory, str)
    block = {"dir": directory.rstrip("/"), **merge}
    if not isinstance(block.get("type"), str):
        problems.append(
            error(
                Code.MISSING_FIELD,
                "needs type (full or cache, as nats-server's resolver block says): nats-server refuses "
                "a resolver block without one",
                (*_BASE, "merge", "type"),
            )
        )
    claim, found = _claim(pvc, names, block["dir"])
    return Resolver(block, claim), problems + found


def _claim(
    pvc: dict[str, Any], names: ObjectNames, mount_path: str
) -> tuple[ResolverClaim | None, list[Problem]]:
    """The resolver's own volume claim (`pvc`), as the chart sizes and names it.

    Refused (invalid-quantity at spec.config.resolver.pvc.size):
        spec:
          jetstream: {enabled: true}
          config:
            merge: {operator: <the operator JWT>}
            resolver: {enabled: true, merge: {type: full}, pvc: {size: 1Ki}}
    Refused (volume-name-taken at spec.config.resolver.pvc.name):
        spec:
          jetstream: {enabled: true}
          config:
            merge: {operator: <the operator JWT>}
            resolver: {enabled: true, merge: {type: full}, pvc: {name: config}}
    Accepted:
        spec:
          config:
            merge: {operator: <the operator JWT>}
            resolver: {enabled: true, merge: {type: full}, pvc: {size: 2Gi}}
    """
    if pvc.get("enabled", True) is False:
        return None, []
    where = (*_BASE, "pvc")
    problems: list[Problem] = []
    size = pvc.get("size", CLAIM_SIZE)
    if not isinstance(size, (str, int)) or isinstance(size, bool) or (to_bytes(size) or 0) < 1024 * 1024:
        message = "must be a Kubernetes quantity of at least 1Mi, such as 1Gi"
        problems.append(error(Code.INVALID_QUANTITY, message, (*where, "size")))
    name = pvc.get("name") or names.resolver_claim
    if not isinstance(name, str) or not re.fullmatch(_DNS_LABEL, name) or len(name) > 63:
        message = "must be a DNS label (the volume's name in the pod)"
        problems.append(error(Code.INVALID_FORMAT, message, (*where, "name")))
    elif name in _POD_VOLUMES or name == names.managed_store_volume:
        message = f"{name!r} is a volume of the pod already; choose another name"
        problems.append(error(Code.VOLUME_NAME_TAKEN, message, (*where, "name")))
    storage_class = pvc.get("storageClassName")
    if storage_class is not None and not isinstance(storage_class, str):
        problems.append(error(Code.WRONG_TYPE, "must be a string", (*where, "storageClassName")))
    if problems:
        return None, problems
    return ResolverClaim(str(name), str(size), storage_class or None, mount_path), []


def _unknown_keys(given: dict[str, Any], known: frozenset[str], where: Path) -> list[Problem]:
    """The keys of a chart-shaped block that the chart does not have.

    Refused (unknown-field at spec.config.resolver.pvc.sise):
        spec: {config: {resolver: {enabled: false, pvc: {sise: 2Gi}}}}
    Accepted:
        spec: {config: {resolver: {enabled: false, pvc: {size: 2Gi}}}}
    """
    return [
        error(
            Code.UNKNOWN_FIELD,
            f"unknown field of the chart's resolver block; valid fields here: {', '.join(sorted(known))}",
            (*where, k),
        )
        for k in sorted(given)
        if k not in known
    ]
