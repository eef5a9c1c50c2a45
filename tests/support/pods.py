"""What a pod of the rendered StatefulSet would get, computed from the rendered objects themselves.

Used by every test that runs the real nats-server on rendered output: the environment (field refs,
secret refs, `$(VAR)` expansion as the kubelet does it), the command line, the config file from the
Secret, and what the kubelet acts on: ports, probe paths, the preStop hook and the grace period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tests.support import secret_owner


@dataclass
class Pod:
    name: str
    index: int
    command: list[str]
    env: dict[str, str]
    config: str  # nats.conf from the config Secret
    mounts: dict[str, str]  # volume name -> mount path in the nats container
    ports: dict[str, int]  # container port name -> port
    probes: dict[str, str]  # startupProbe/livenessProbe/readinessProbe -> the HTTP path it asks
    pre_stop: list[str]  # the preStop exec command, `$(VAR)` expanded
    grace_seconds: int  # terminationGracePeriodSeconds


def find(objects: list[dict[str, Any]], kind: str, suffix: str = "") -> dict[str, Any]:
    matches = [o for o in objects if o["kind"] == kind and o["metadata"]["name"].endswith(suffix)]
    assert len(matches) == 1, f"expected one {kind} named *{suffix}, found {len(matches)}"
    return matches[0]


def _secret_value(secret: dict[str, Any], key: str) -> str:
    return str(secret["stringData"][key])


def _expand(value: str, env: dict[str, str]) -> str:
    """Kubernetes dependent environment variables: `$(NAME)` of an earlier variable, `$$` escapes."""
    return re.sub(
        r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: "$" if m[0] == "$$" else env.get(m[1], m[0]), value
    )


def _env_value(
    var: dict[str, Any], env: dict[str, str], fields: dict[str, str], objects: list[dict[str, Any]]
) -> str:
    if "value" in var:
        return _expand(var["value"], env)
    source = var["valueFrom"]
    if "secretKeyRef" in source:
        ref = source["secretKeyRef"]
        rendered = [o for o in objects if o["kind"] == "Secret" and o["metadata"]["name"] == ref["name"]]
        if not rendered:  # the operator's own Secret (a JetStream key): the tests play its owner
            return secret_owner.env_value(ref["name"], ref["key"])
        return _secret_value(rendered[0], ref["key"])
    ref = source["fieldRef"]["fieldPath"]
    assert ref in fields, f"unknown field ref {ref}"
    return fields[ref]


def pods(objects: list[dict[str, Any]]) -> list[Pod]:
    sts = find(objects, "StatefulSet")
    template = sts["spec"]["template"]
    container = next(c for c in template["spec"]["containers"] if c["name"] == "nats")
    config_volume = next(v for v in template["spec"]["volumes"] if v["name"] == "config")
    config_secret = next(
        o
        for o in objects
        if o["kind"] == "Secret" and o["metadata"]["name"] == config_volume["secret"]["secretName"]
    )
    config = _secret_value(config_secret, "nats.conf")
    result = []
    for index in range(sts["spec"]["replicas"]):
        name = f"{sts['metadata']['name']}-{index}"
        labels = {
            **template["metadata"].get("labels", {}),
            "apps.kubernetes.io/pod-index": str(index),
            "statefulset.kubernetes.io/pod-name": name,
        }
        fields = {"metadata.name": name, "metadata.namespace": sts["metadata"].get("namespace", "default")}
        fields.update({f"metadata.labels['{k}']": v for k, v in labels.items()})
        env: dict[str, str] = {}
        for var in container.get("env", []):
            env[var["name"]] = _env_value(var, env, fields, objects)
        command = [_expand(arg, env) for arg in container.get("command", []) + container.get("args", [])]
        mounts = {m["name"]: m["mountPath"] for m in container.get("volumeMounts", [])}
        ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
        probes = {
            kind: container[kind]["httpGet"]["path"]
            for kind in ("startupProbe", "livenessProbe", "readinessProbe")
            if "httpGet" in container.get(kind, {})
        }
        pre_stop = [_expand(a, env) for a in container["lifecycle"]["preStop"]["exec"]["command"]]
        grace = template["spec"]["terminationGracePeriodSeconds"]
        result.append(Pod(name, index, command, env, config, mounts, ports, probes, pre_stop, grace))
    return result
