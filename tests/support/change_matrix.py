"""The kinds of change a user makes to a NATS object, each as an old and a new render input.

One catalogue for every test that asks what a change does: the change matrix applies OLD's render and then
NEW's to a real kube-apiserver (tests/apiserver), and `nats-render plan` must give each row the verdict that
applying it showed. A row is data only; what happens is for the real API server and the real nats-server
to say.

Every row starts from BASE, a small cluster with JetStream and users, and changes one thing. `options` are
the render's command-line options for both sides, `new_options` those of NEW where a change is a render
option (the takeover switch, an image).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

NAMESPACE = "changes"

BASE: dict[str, Any] = {
    "apiVersion": "apps.cozystack.io/v1alpha1",
    "kind": "NATS",
    "metadata": {"name": "change", "namespace": NAMESPACE},
    "spec": {
        "replicas": 3,
        "storageClass": "standard",
        "users": {"app": {"password": "app-password-1"}, "ops": {"password": "ops-password-1"}},
        "jetstream": {"enabled": True, "size": "10Gi"},
        "config": {"merge": {"max_payload": "1MB", "write_deadline": "10s"}},
    },
}


@dataclass(frozen=True)
class Change:
    name: str
    old: dict[str, Any]
    new: dict[str, Any]
    options: tuple[str, ...] = ()
    new_options: tuple[str, ...] | None = None  # None: the same as `options`

    @property
    def old_args(self) -> tuple[str, ...]:
        return self.options

    @property
    def new_args(self) -> tuple[str, ...]:
        return self.options if self.new_options is None else self.new_options


def _changed(edit: Callable[[dict[str, Any]], None], base: dict[str, Any] | None = None) -> dict[str, Any]:
    obj = copy.deepcopy(BASE if base is None else base)
    edit(obj["spec"])
    return obj


def _with(base_edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    return _changed(base_edit)


def _set(**values: Any) -> Callable[[dict[str, Any]], None]:
    def edit(spec: dict[str, Any]) -> None:
        spec.update(copy.deepcopy(values))

    return edit


def _merge(**values: Any) -> Callable[[dict[str, Any]], None]:
    def edit(spec: dict[str, Any]) -> None:
        spec["config"]["merge"].update(values)

    return edit


def _drop_user(name: str) -> Callable[[dict[str, Any]], None]:
    def edit(spec: dict[str, Any]) -> None:
        del spec["users"][name]

    return edit


def _add_user(name: str, password: str) -> Callable[[dict[str, Any]], None]:
    def edit(spec: dict[str, Any]) -> None:
        spec["users"][name] = {"password": password}

    return edit


def _password(name: str, password: str) -> Callable[[dict[str, Any]], None]:
    def edit(spec: dict[str, Any]) -> None:
        spec["users"][name]["password"] = password

    return edit


def _jetstream(**values: Any) -> Callable[[dict[str, Any]], None]:
    def edit(spec: dict[str, Any]) -> None:
        spec["jetstream"].update(values)

    return edit


def _both_ways(name: str, off: dict[str, Any], on: dict[str, Any]) -> list[Change]:
    return [Change(f"{name} on", off, on), Change(f"{name} off", on, off)]


_TLS_OFF = _with(_set(tls={"enabled": False}))
_TLS_ON = _with(_set(tls={"enabled": True}))
_JETSTREAM_OFF = _with(_jetstream(enabled=False))

CHANGES: tuple[Change, ...] = (
    Change("replicas up", BASE, _with(_set(replicas=5))),
    Change("replicas down", _with(_set(replicas=5)), BASE),
    Change("replicas to 1", BASE, _with(_set(replicas=1))),
    Change("size up", BASE, _with(_jetstream(size="20Gi"))),
    Change("size down", _with(_jetstream(size="20Gi")), BASE),
    Change("storage class", BASE, _with(_set(storageClass="fast"))),
    Change("jetstream off", BASE, _JETSTREAM_OFF),
    Change("jetstream on", _JETSTREAM_OFF, BASE),
    Change("user added", BASE, _with(_add_user("audit", "audit-password-1"))),
    Change("user removed", BASE, _with(_drop_user("ops"))),
    Change("password", BASE, _with(_password("app", "app-password-2"))),
    *_both_ways("tls", _TLS_OFF, _TLS_ON),
    Change("external on", BASE, _with(_set(external=True, tls={"enabled": True}))),
    Change("external off", _with(_set(external=True, tls={"enabled": True})), BASE),
    Change("preset", BASE, _with(_set(resourcesPreset="large"))),
    Change("image", BASE, BASE, options=(), new_options=("--nats-image", "nats:2.15.1")),
    # max_payload is reloaded on SIGHUP; the listen port is not.
    Change("reloadable merge option", BASE, _with(_merge(max_payload="2MB"))),
    Change("non-reloadable merge option", BASE, _with(_merge(port=4333))),
    Change("takeover names on", BASE, BASE, options=(), new_options=("--managed-service-names",)),
    Change("takeover names off", BASE, BASE, options=("--managed-service-names",), new_options=()),
    # The claims of a taken-over cluster carry the managed service's template name (nats-X-js-nats-X-N).
    Change(
        "size up, takeover names", BASE, _with(_jetstream(size="20Gi")), options=("--managed-service-names",)
    ),
)

KINDS = tuple(change.name for change in CHANGES)
