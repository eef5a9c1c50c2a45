"""The operator's own Secrets that config.merge names (`/etc/nats-secrets/<secret>/<key>`): test files for
each key of the pod's projected volume, fit for the option that reads it, and a value for each variable the
nats container takes from a Secret the render does not produce (a JetStream key, `secretKeyRef`), so
`nats-server -t` and the judge's pods load real files and values. The renderer never sees these Secrets;
the tests play their owner, here and nowhere else."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nkeys

from tests.support import certs, operator_jwts

# What a key holds, by the option that names it: one certificate per Secret, so tls.crt and tls.key match.
_ISSUED = {"cert_file": "tls.crt", "key_file": "tls.key", "ca_file": "ca.crt"}


def creds_file(label: str) -> bytes:
    """A user's .creds file issued by an account key that guards nothing: what a leaf-node remote's
    `credentials` names, enough for the server to start."""
    return operator_jwts.user_creds(
        label, operator_jwts.keypair(f"{label} account", nkeys.PREFIX_BYTE_ACCOUNT)
    )


def env_value(secret: str, key: str) -> str:
    """What the owner's Secret `secret` holds at `key`, for a variable of the nats container: a plain token
    (a letter first, then letters, digits, '-' and '.'), as docs/topologies.md asks of a JetStream key,
    since nats-server parses the variable's value again as configuration text."""
    return f"owner-{secret}-{key}"


def projected_files(
    objects: list[dict[str, Any]], config: str, ca: certs.TestCA
) -> dict[str, dict[str, bytes]]:
    """volume name -> {path in the volume: content} for every Secret key of the nats container's projected
    volumes, the content chosen by the option of `config` (the pod's nats.conf) that names the file."""
    # Not pods.find: pods.py asks this module for the owner's values, so it must not import pods.
    template = next(o for o in objects if o["kind"] == "StatefulSet")["spec"]["template"]["spec"]
    nats = next(c for c in template["containers"] if c["name"] == "nats")
    mounts = {m["name"]: m["mountPath"] for m in nats.get("volumeMounts", [])}
    found: dict[str, dict[str, bytes]] = {}
    for volume in (v for v in template.get("volumes", []) if "projected" in v and v["name"] in mounts):
        for source in volume["projected"]["sources"]:
            secret = source["secret"]["name"]
            issued = ca.issue([f"{secret}.secret-owner.invalid"])
            for item in source["secret"]["items"]:
                where = re.escape(f"{mounts[volume['name']]}/{item['path']}")
                option = re.search(r'"(\w+)":\s*"' + where + '"', config)
                name = option[1] if option else ""
                content = (
                    creds_file(secret) if name == "credentials" else issued[_ISSUED.get(name, "ca_file")]
                )
                found.setdefault(volume["name"], {})[item["path"]] = content
    return found


def write(files: dict[str, bytes], folder: Path) -> None:
    """The files of one projected volume into the folder standing for it (`<secret>/<key>` each)."""
    for path, content in files.items():
        target = folder / path
        certs.write_secret(target.parent, {target.name: content})
