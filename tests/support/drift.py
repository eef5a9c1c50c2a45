"""Does an object read back from the API server as it was rendered? Two judges of drift.

`argo_verdicts` asks Argo CD's own diff code (tests/argodiff, gitops-engine's pkg/diff built into
build/bin/argodiff): Argo CD shows an object OutOfSync exactly when the live object it predicts after
applying Git's version differs from the live object it normalised. `paths_between` names the fields
where the two differ.

`readback_differences` is the field-by-field model: it walks the rendered object and compares every field
it sets with the live object, the way Argo CD's comparison treats them:
- fields the server adds and the render does not set are ignored (defaults, status, metadata);
- quantities compare by value, as the server rewrites them in canonical form ("1000m" reads back as "1");
- an empty map, an empty list and null equal a missing field (the server drops them; Argo CD's
  remarshalling through the Kubernetes types does the same);
- a Secret's stringData is compared as the data the server stores;
- a list that the API server's schema declares atomic is compared whole, item by item, fields the server
  added to an item included: that is how the API server's structured merge sees it, and with it Argo CD's
  comparison under the ServerSideApply=true sync option, the reason a StatefulSet's volumeClaimTemplates
  drift there (argo-cd#11143, #16707).

The model is stricter than Argo CD's default comparison in one place, on purpose: after a client-side
apply, Argo CD's three-way diff strips from each live volumeClaimTemplates item the fields its
last-applied configuration lacks (gitops-engine's statefulSetWorkaround), so it does not show the
claim templates' server-added fields; Argo CD's structured-merge comparison does (apiVersion and kind,
after it defaults both sides). The model asks for what both agree on when the render writes every field
the server stores in an item.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ARGODIFF = ROOT / "build" / "bin" / "argodiff"

# (apiVersion group, kind) -> paths of lists the API server's OpenAPI schema marks x-kubernetes-list-type:
# atomic and whose items are objects the server defaults. A list of scalars compares whole anyway.
ATOMIC_LISTS: dict[tuple[str, str], set[tuple[str, ...]]] = {
    ("apps", "StatefulSet"): {("spec", "volumeClaimTemplates")},
}

# The keys under which Kubernetes holds resource.Quantity values in the objects the renderer emits.
QUANTITY_PARENTS = {"requests", "limits", "capacity", "allocatable"}
QUANTITY_KEYS = {"sizeLimit", "storage"}

_QUANTITY = re.compile(r"^([+-]?[0-9.]+)([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?$")
_SUFFIX = {
    "": Decimal(1),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
    "Ki": Decimal(2**10),
    "Mi": Decimal(2**20),
    "Gi": Decimal(2**30),
    "Ti": Decimal(2**40),
    "Pi": Decimal(2**50),
    "Ei": Decimal(2**60),
}


def quantity_value(value: Any) -> Decimal | None:
    """The value of a Kubernetes quantity ("10Gi", "500m", 2, "1e3"), or None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    match = _QUANTITY.match(str(value))
    if not match:
        return None
    try:
        number = Decimal(match.group(1))
    except InvalidOperation:
        return None
    suffix = match.group(2) or ""
    if suffix[:1] in ("e", "E"):
        return number * Decimal(10) ** int(suffix[1:])
    return number * _SUFFIX[suffix]


def _empty(value: Any) -> bool:
    return value is None or value == {} or value == []


def _is_quantity_path(path: tuple[str, ...]) -> bool:
    return bool(path) and (path[-1] in QUANTITY_KEYS or (len(path) > 1 and path[-2] in QUANTITY_PARENTS))


def _same_value(path: tuple[str, ...], rendered: Any, live: Any) -> bool:
    if rendered == live and type(rendered) is type(live):
        return True
    if _is_quantity_path(path):
        a, b = quantity_value(rendered), quantity_value(live)
        return a is not None and a == b
    return False


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _render_path(path: tuple[str, ...]) -> str:
    return ".".join(path)


def _walk(  # noqa: C901 (one branch per JSON type and per Argo CD normalisation, as its diff has them)
    path: tuple[str, ...], rendered: Any, live: Any, atomic: set[tuple[str, ...]], out: list[str]
) -> None:
    if isinstance(rendered, dict):
        if not isinstance(live, dict):
            if not (_empty(rendered) and live is None):
                out.append(f"{_render_path(path)}: rendered {_show(rendered)}, live {_show(live)}")
            return
        for key, value in rendered.items():
            child = (*path, str(key))
            if key not in live:
                if not _empty(value):
                    out.append(f"{_render_path(child)}: rendered {_show(value)}, live has no such field")
                continue
            _walk(child, value, live[key], atomic, out)
        return
    if isinstance(rendered, list):
        if not isinstance(live, list):
            if not (_empty(rendered) and live is None):
                out.append(f"{_render_path(path)}: rendered {_show(rendered)}, live {_show(live)}")
            return
        if len(rendered) != len(live):
            out.append(f"{_render_path(path)}: rendered {len(rendered)} items, live {len(live)}")
            return
        whole = path in atomic
        for index, (item, live_item) in enumerate(zip(rendered, live, strict=True)):
            child = (*path, f"[{index}]")
            if whole:
                _whole(child, item, live_item, out)
            else:
                _walk(child, item, live_item, atomic, out)
        return
    if not _same_value(path, rendered, live):
        out.append(f"{_render_path(path)}: rendered {_show(rendered)}, live {_show(live)}")


def _whole(path: tuple[str, ...], rendered: Any, live: Any, out: list[str]) -> None:
    """An item of an atomic list: every field of either side must match, the live object's extras too."""
    _walk(path, rendered, live, set(), out)
    extra: list[str] = []
    _extra_fields(path, rendered, live, extra)
    out.extend(f"{p}: not rendered, live {_show(v)} (list compared whole)" for p, v in extra)


def _extra_fields(path: tuple[str, ...], rendered: Any, live: Any, out: list[Any]) -> None:
    if isinstance(live, dict):
        rendered_map = rendered if isinstance(rendered, dict) else {}
        for key, value in live.items():
            child = (*path, str(key))
            if key not in rendered_map:
                if not _empty(value):
                    out.append((_render_path(child), value))
            else:
                _extra_fields(child, rendered_map[key], value, out)
    elif isinstance(live, list) and isinstance(rendered, list):
        for index, (item, live_item) in enumerate(zip(rendered, live, strict=False)):
            _extra_fields((*path, f"[{index}]"), item, live_item, out)


def _as_stored(rendered: dict[str, Any]) -> dict[str, Any]:
    """A Secret's stringData as the data the server keeps (Argo CD's NormalizeSecret does the same)."""
    if rendered.get("apiVersion") != "v1" or rendered.get("kind") != "Secret" or "stringData" not in rendered:
        return rendered
    stored = json.loads(json.dumps(rendered))
    data = dict(stored.get("data") or {})
    for key, value in (stored.pop("stringData") or {}).items():
        data[key] = base64.b64encode(str(value).encode()).decode()
    stored["data"] = data
    return stored


def readback_differences(rendered: dict[str, Any], live: dict[str, Any]) -> list[str]:
    """Every field the render sets that does not read back equal from `live`: "path: rendered X, live Y"."""
    group = rendered.get("apiVersion", "").rpartition("/")[0]
    atomic = ATOMIC_LISTS.get((group, rendered.get("kind", "")), set())
    out: list[str] = []
    _walk((), _as_stored(rendered), live, atomic, out)
    return out


def argo_verdicts(pairs: list[dict[str, Any]], openapi: Path, manager: str) -> list[dict[str, Any]]:
    """Argo CD's verdict on each {"mode", "config", "live"}: see tests/argodiff/main.go."""
    done = subprocess.run(
        [str(ARGODIFF), "-openapi", str(openapi), "-manager", manager],
        input=json.dumps(pairs).encode(),
        capture_output=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr.decode()
    verdicts: list[dict[str, Any]] = json.loads(done.stdout)
    return verdicts


def paths_between(normalized: Any, predicted: Any, path: tuple[str, ...] = ()) -> list[str]:
    """The fields where Argo CD's predicted live object differs from the live one, with both values."""
    if isinstance(normalized, dict) and isinstance(predicted, dict):
        out: list[str] = []
        for key in sorted(set(normalized) | set(predicted)):
            out.extend(paths_between(normalized.get(key), predicted.get(key), (*path, str(key))))
        return out
    if isinstance(normalized, list) and isinstance(predicted, list) and len(normalized) == len(predicted):
        out = []
        for index, (a, b) in enumerate(zip(normalized, predicted, strict=True)):
            out.extend(paths_between(a, b, (*path, f"[{index}]")))
        return out
    if normalized == predicted:
        return []
    return [f"{_render_path(path)}: live {_show(normalized)}, Argo CD expects {_show(predicted)}"]
