"""What changed between two rendered streams, object by object: the objects only in OLD, only in NEW, and
in both with the paths of the fields that differ.

Objects are matched by `pipeline.object_identity` (API group, kind, namespace, name), the identity a cluster
gives them: `apps/v1` and `apps/v1beta2` of one StatefulSet are one object. Field paths are dotted
(`spec.template.spec.containers[nats].image`); items of a list whose entries all carry distinct names
(containers, ports, volumes, claim templates) are matched by name, any other list by position, and a list
whose length changes is one path. Only paths are kept beside the objects: a value (a password) is never
part of a change's description.
"""

from typing import Any, NamedTuple

from ..pipeline import Identity, object_identity

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


class ObjectChange(NamedTuple):
    identity: Identity  # (group, kind, namespace, name)
    action: str  # ADDED, REMOVED or CHANGED
    fields: tuple[str, ...]  # the paths that differ (CHANGED only)
    old: Any  # the object in OLD, None when added
    new: Any  # the object in NEW, None when removed

    @property
    def kind(self) -> str:
        return self.identity[1]

    @property
    def name(self) -> str:
        return self.identity[3]

    @property
    def api_version(self) -> str:
        return str((self.new if self.new is not None else self.old).get("apiVersion", ""))


def diff(old: list[Any], new: list[Any], default_namespace: str | None = None) -> list[ObjectChange]:
    """Every object added, removed or changed from `old` to `new`, in NEW's order, then the removed ones in
    OLD's order (so the output follows the stream a reviewer reads)."""
    before = _by_identity(old, default_namespace)
    after = _by_identity(new, default_namespace)
    changes: list[ObjectChange] = []
    for identity, obj in after.items():
        previous = before.get(identity)
        if previous is None:
            changes.append(ObjectChange(identity, ADDED, (), None, obj))
        elif previous != obj:
            changes.append(ObjectChange(identity, CHANGED, tuple(field_paths(previous, obj)), previous, obj))
    changes += [ObjectChange(i, REMOVED, (), obj, None) for i, obj in before.items() if i not in after]
    return changes


def _by_identity(objects: list[Any], default_namespace: str | None) -> dict[Identity, Any]:
    found: dict[Identity, Any] = {}
    for obj in objects:
        identity = object_identity(obj, default_namespace)
        if identity is not None:  # a rendered stream holds each identity once (the pipeline checks it)
            found[identity] = obj
    return found


def field_paths(old: Any, new: Any, path: str = "") -> list[str]:
    """The dotted paths under which `old` and `new` differ, leaves first-class: a whole subtree added or
    removed is one path."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        paths: list[str] = []
        for key in [*old, *(k for k in new if k not in old)]:
            paths += field_paths(old.get(key), new.get(key), f"{path}.{key}" if path else str(key))
        return paths
    if isinstance(old, list) and isinstance(new, list):
        return _list_paths(old, new, path)
    return [path]


def _list_paths(old: list[Any], new: list[Any], path: str) -> list[str]:
    old_named, new_named = _named(old), _named(new)
    if old_named is not None and new_named is not None:
        paths: list[str] = []
        for name in [*old_named, *(n for n in new_named if n not in old_named)]:
            paths += field_paths(old_named.get(name), new_named.get(name), f"{path}[{name}]")
        return paths
    if len(old) != len(new):
        return [path]
    return [
        p
        for index, (a, b) in enumerate(zip(old, new, strict=True))
        for p in field_paths(a, b, f"{path}[{index}]")
    ]


def _named(items: list[Any]) -> dict[str, Any] | None:
    """The items by their name (`name`, or `metadata.name` for claim templates) when each has a distinct
    one; None otherwise."""
    named: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, dict):
            return None
        metadata = item.get("metadata")
        name = item.get("name", metadata.get("name") if isinstance(metadata, dict) else None)
        if not isinstance(name, str) or name in named:
            return None
        named[name] = item
    return named
