"""What Argo CD needs to sync the objects of one NATS object in order, and to sync them at all.

- The NATS object's own `argocd.argoproj.io/*` annotations (a sync wave, sync options, a compare option)
  go onto every object rendered from it, so the cluster moves as the object says. Its other annotations
  are not copied: they were written for the NATS object, not for its Secrets and pods.
- cert-manager's Issuers and Certificates sync a wave before the rest: Argo CD then waits for the
  Certificate to be Ready (its built-in health check) before it creates the pods that mount its Secret.
- Custom resources carry `SkipDryRunOnMissingResource=true`: when the same Application installs
  cert-manager or the Prometheus Operator, their CRDs do not exist yet at the dry run.
"""

from typing import Any

from ..codes import Code
from ..problems import Problem, error
from .certificates import API_VERSION as CERT_MANAGER
from .metrics import POD_MONITOR_API_VERSION

PREFIX = "argocd.argoproj.io/"
SYNC_WAVE = PREFIX + "sync-wave"
SYNC_OPTIONS = PREFIX + "sync-options"
SKIP_DRY_RUN = "SkipDryRunOnMissingResource=true"
CUSTOM_RESOURCES = frozenset({CERT_MANAGER, POD_MONITOR_API_VERSION})


def argocd_annotations(annotations: Any) -> tuple[dict[str, str], list[Problem]]:
    """The NATS object's annotations that speak to Argo CD, or the problem with its sync wave."""
    found = {
        key: value
        for key, value in (annotations or {}).items()
        if isinstance(key, str) and key.startswith(PREFIX) and isinstance(value, str)
    }
    wave = found.get(SYNC_WAVE)
    if wave is not None and _wave(wave) is None:
        message = "must be a whole number such as -1 or 5, as Argo CD reads a sync wave"
        return {}, [error(Code.INVALID_FORMAT, message, ("metadata", "annotations", SYNC_WAVE))]
    return found, []


def annotate(objects: list[dict[str, Any]], annotations: dict[str, str]) -> None:
    """Give every object the NATS object's Argo CD annotations, and what its own kind needs."""
    wave = _wave(annotations.get(SYNC_WAVE, "0")) or 0
    for kube_object in objects:
        own = dict(annotations)
        version = kube_object.get("apiVersion")
        if version == CERT_MANAGER:
            own[SYNC_WAVE] = str(wave - 1)
        if version in CUSTOM_RESOURCES:
            options = [o for o in own.get(SYNC_OPTIONS, "").split(",") if o.strip()]
            if SKIP_DRY_RUN not in options:
                own[SYNC_OPTIONS] = ",".join([*options, SKIP_DRY_RUN])
        if own:
            metadata = kube_object["metadata"]
            metadata["annotations"] = {**metadata.get("annotations", {}), **own}


def _wave(text: str) -> int | None:
    stripped = text.strip()
    digits = stripped[1:] if stripped[:1] in "+-" else stripped
    return int(stripped) if digits.isascii() and digits.isdigit() else None
