"""Hypothesis strategies over the NATS object: valid specs, specs with one known mistake, and garbage.

A valid spec is built field by field from the API (SPEC section 2) with hostile values where the API
allows anything: passwords are arbitrary Unicode (no lone surrogates, which no YAML input can hold), user
names any valid Secret key. `config.merge` draws from settings nats-server accepts, with listener ports
from disjoint ranges so they never collide. An invalid spec is a valid one with one mistake whose field
path is known, so the test can require that the error names it.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from nats_kplugin.spec.presets import RESOURCE_PRESETS

API = {"apiVersion": "apps.cozystack.io/v1alpha1", "kind": "NATS"}
PASSWORD_ALPHABET = st.characters(blacklist_categories=("Cs",))
DNS_LABEL = st.from_regex(r"\A[a-z]([-a-z0-9]{0,14}[a-z0-9])?\Z")
SECRET_KEY = st.from_regex(r"\A[-._a-zA-Z0-9]{1,20}\Z").filter(lambda n: n != "." and not n.startswith(".."))
# Any text but a final newline, which the API refuses (a `|` block adds it by accident).
PASSWORD = st.text(PASSWORD_ALPHABET, min_size=1, max_size=80).filter(lambda p: not p.endswith("\n"))
QUANTITY = st.sampled_from(["1Gi", "10Gi", "500M", "2Gi", "1.5Gi", "1e9", "64Mi"])
CPU = st.sampled_from(["100m", "250m", "1", "2", "1500m", "0.5"])
PRESETS = tuple(RESOURCE_PRESETS)
DURATION = st.sampled_from(["5s", "30s", "1m", "1m30s", "500ms", "2m"])


def users() -> st.SearchStrategy[dict[str, Any]]:
    user = st.one_of(st.none(), st.just({}), st.builds(lambda p: {"password": p}, PASSWORD))
    return st.dictionaries(SECRET_KEY, user, max_size=4)


def merge_settings() -> st.SearchStrategy[dict[str, Any]]:
    """A few of the settings an operator tunes, each optional."""
    options: dict[str, st.SearchStrategy[Any]] = {
        "debug": st.booleans(),
        "max_payload": st.sampled_from(["1M", "8Mi", 1048576, "64Ki"]),
        "max_connections": st.integers(1, 100_000),
        "ping_interval": DURATION,
        "write_deadline": DURATION,
        "lame_duck_duration": st.sampled_from(["30s", "45s", "1m", "2m30s"]),
        # shorter than any lame_duck_duration above: nats-server will not start otherwise
        "lame_duck_grace_period": st.sampled_from(["5s", "500ms", "10s", "29s"]),
        "port": st.integers(4000, 4999),
        "http_port": st.integers(8000, 8999),
        "websocket": st.builds(lambda p: {"port": p, "no_tls": True}, st.integers(9000, 9999)),
        "leafnodes": st.builds(lambda p: {"port": p}, st.integers(7000, 7999)),
        "server_name": st.sampled_from(["stem", "nats-box"]),
    }
    return st.fixed_dictionaries({}, optional=options)


def valid_nats() -> st.SearchStrategy[dict[str, Any]]:
    metadata = st.fixed_dictionaries(
        {"name": DNS_LABEL},
        optional={"namespace": DNS_LABEL, "labels": st.dictionaries(DNS_LABEL, DNS_LABEL, max_size=2)},
    )
    resources = st.fixed_dictionaries({}, optional={"cpu": CPU, "memory": st.sampled_from(["128Mi", "1Gi"])})
    spec = st.fixed_dictionaries(
        {},
        optional={
            "external": st.booleans(),
            "tls": st.fixed_dictionaries({}, optional={"enabled": st.booleans()}),
            "replicas": st.integers(1, 5),
            "storageClass": st.sampled_from(["", "fast", "local-path"]),
            "users": users(),
            "jetstream": st.fixed_dictionaries({}, optional={"enabled": st.booleans(), "size": QUANTITY}),
            "config": st.fixed_dictionaries({}, optional={"merge": merge_settings()}),
            "resources": resources,
            "resourcesPreset": st.sampled_from(PRESETS),
        },
    )
    return st.builds(lambda m, s: {**API, "metadata": _namespaced_for_tls(m, s), "spec": s}, metadata, spec)


def _namespaced_for_tls(metadata: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """TLS (tls.enabled, or external when it is unset) needs a namespace: a valid object has one."""
    tls_on = spec.get("tls", {}).get("enabled", spec.get("external", False))
    return {**metadata, "namespace": metadata.get("namespace", "tls")} if tls_on else metadata


# One mistake each: where it goes (relative to the document), the wrong values, and the field the
# error must name (None: the same path).
MISTAKES: list[tuple[tuple[str, ...], st.SearchStrategy[Any]]] = [
    (
        ("spec", "replicas"),
        st.one_of(st.integers(max_value=0), st.integers(min_value=101), st.text(), st.booleans()),
    ),
    (("spec", "external"), st.one_of(st.sampled_from(["yes", "no", "on", "true"]), st.integers())),
    (("spec", "jetstream", "size"), st.sampled_from(["10 Gi", "ten", "1Xi", "-5Gi", "1k", "", True, 1.5])),
    (("spec", "jetstream", "enabled"), st.sampled_from(["yes", "false", 0, None])),
    (("spec", "resources", "cpu"), st.sampled_from(["lots", "0", "-1", "1.5.5", [1]])),
    (("spec", "resourcesPreset"), st.text(max_size=10).filter(lambda t: t not in PRESETS)),
    (
        ("spec", "storageClass"),
        st.one_of(
            st.integers(), st.booleans(), st.lists(st.text(), max_size=1), st.sampled_from(["fast\n", "A"])
        ),
    ),
    (("metadata", "replicas"), st.integers()),
    (
        ("spec", "users", "alice", "password"),
        st.one_of(
            st.integers(),
            st.booleans(),
            st.sampled_from(["", "secret\n"]),
            st.text(PASSWORD_ALPHABET, min_size=257, max_size=300),
        ),
    ),
    (("metadata", "name"), st.sampled_from(["Upper", "-dash", "x" * 48, "a_b", "", 7, "ok\n"])),
    (("spec", "config", "merge", "port"), st.sampled_from([-1, 0, 70000, "4222", True])),
    (("spec", "config", "merge", "http_port"), st.sampled_from([None, -1, 0, 65536])),
    (("spec", "config", "merge", "pid_file"), st.text(min_size=1, max_size=20)),
    (
        ("spec", "config", "merge", "lame_duck_duration"),
        st.sampled_from(["soon", "5 s", [1], 1.5, "5s", "29s"]),
    ),
]
UNKNOWN_FIELDS = st.text(st.characters(min_codepoint=97, max_codepoint=122), min_size=1, max_size=12)


def _set(document: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    target = document
    for step in path[:-1]:
        if not isinstance(target.get(step), dict):
            target[step] = {}
        target = target[step]
    target[path[-1]] = value


@st.composite
def invalid_nats(draw: st.DrawFn) -> tuple[dict[str, Any], tuple[str, ...]]:
    """A valid document with one mistake, and the field path the error must name."""
    document = copy.deepcopy(draw(valid_nats()))
    if draw(st.booleans()) and draw(st.integers(0, 3)) == 0:
        name = draw(UNKNOWN_FIELDS.filter(lambda n: n not in _SPEC_FIELDS))
        _set(document, ("spec", name), draw(st.integers()))
        return document, ("spec", name)
    path, values = draw(st.sampled_from(MISTAKES))
    _set(document, path, draw(values))
    return document, path


_SPEC_FIELDS = {
    "external",
    "replicas",
    "storageClass",
    "users",
    "jetstream",
    "config",
    "resources",
    "resourcesPreset",
}

JSON_LIKE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def garbage_nats(draw: st.DrawFn) -> dict[str, Any]:
    """A valid document with arbitrary data somewhere in it: any outcome but a crash is fine."""
    document = copy.deepcopy(draw(valid_nats()))
    path = draw(
        st.sampled_from(
            [
                ("metadata",),
                ("spec",),
                ("spec", "users"),
                ("spec", "users", "bob"),
                ("spec", "config", "merge"),
                ("spec", "config", "resolver"),
                ("spec", "config", "merge", "cluster"),
                ("spec", "jetstream"),
                ("spec", "config", "merge", "accounts"),
                ("spec", "config", "merge", "authorization"),
                ("metadata", "labels"),
                ("spec", "resources"),
            ]
        )
    )
    _set(document, (*path, draw(st.text(max_size=8))), draw(JSON_LIKE))
    if draw(st.booleans()):
        _set(document, path, draw(JSON_LIKE))
    return document
