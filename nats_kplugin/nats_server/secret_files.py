"""Secrets for the server's own files (leaf-node credentials, a remote's or a gateway's certificate and CA)
and values (a JetStream encryption key).

A file option of config.merge naming `/etc/nats-secrets/<secret>/<key>` (SECRETS_DIR) mounts key `<key>` of
the Secret `<secret>` of the object's namespace at that path, read-only, and the reloader watches it:

    leafnodes:
      remotes:
        - urls: ["nats-leaf://hub.example.com:7422"]
          credentials: /etc/nats-secrets/hub-leaf/edge.creds

The path is the whole interface, so the NATS object keeps the managed service's API (no new field), and an
object exported from the managed service renders unchanged: it names no such path. Only options that read
a file (option_table's `file read` kind) take it; every other path outside the pod's volumes is refused as
before (`path-outside-volume`), and so is a path here that names no Secret key (`secret-file-name`).

Every Secret the configuration names goes into one projected volume at SECRETS_DIR with only the keys
named: the pod sees nothing else of those Secrets, and a missing key keeps the pod from starting (the
kubelet reports it) rather than letting nats-server start without its file.

Values, not files: the JetStream encryption key, `jetstream.key` and `prev_key`. nats-server takes these as
values, not files (opts.go: parseJetStream reads `mv.(string)`), so a Secret's key cannot be mounted for them.
In config.merge they may name `/etc/nats-secrets/<secret>/<key>` all the same, checked as a Secret's file is
(`problem`, `secret-file-name`):

    jetstream:
      key: /etc/nats-secrets/nats-js/key

The renderer then writes the option as an environment variable, `key: $NATS_JETSTREAM_KEY`, and the nats
container gets that variable from the Secret's key (`valueFrom.secretKeyRef`): the upstream chart's way. It
is not a file: not in the projected volume, not watched by the reloader (nats-server cannot reload a key
anyway). Any other value of these options stays the literal it is.
"""

import re
from typing import Any, NamedTuple

from .encoder import Variable
from .option_table import BLOCKS_VOCABULARY, RFILE
from .pod_filesystem import SECRETS_DIR, SECRETS_VOLUME, Folder

# The options whose value is a file nats-server reads, in canonical spellings: the only places a Secret's
# file may be named (derived from the vocabulary, the one home of option kinds).
FILE_OPTIONS = frozenset(
    option.name
    for options in BLOCKS_VOCABULARY.values()
    for option in options.values()
    if option.kind == RFILE
)
# Kubernetes' own rules (apimachinery validation): a Secret's name is a DNS-1123 subdomain, a key is a
# ConfigMap/Secret key. Compiled on first use by re's cache: a render without secret files never needs them.
_SUBDOMAIN = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
_KEY = r"[-._a-zA-Z0-9]+"
_NAME_MAX = 253
TEMPLATE = f"{SECRETS_DIR}/<secret>/<key>"  # as messages spell the reserved paths


class SecretFile(NamedTuple):
    """One key of one Secret, as a file of the nats container."""

    secret: str
    key: str

    @property
    def path(self) -> str:
        return f"{SECRETS_DIR}/{self.secret}/{self.key}"


def is_secret_path(path: str) -> bool:
    """Whether `path` lies in the reserved folder (then `problem` says whether it names a Secret key)."""
    return path.startswith(SECRETS_DIR + "/")


def named(path: str) -> SecretFile:
    """The Secret key a path in the reserved folder names (checked by `problem` first)."""
    secret, _, key = path[len(SECRETS_DIR) + 1 :].partition("/")
    return SecretFile(secret, key)


def problem(path: str) -> str | None:
    """Why `path`, in the reserved folder, names no Secret key; None when it names one."""
    parts = path[len(SECRETS_DIR) + 1 :].split("/")
    if len(parts) != 2:
        return (
            f"must be {TEMPLATE}: a Secret's name and one of its keys, nothing more "
            "or less (the option then gets that Secret's key)"
        )
    secret, key = parts
    if len(secret) > _NAME_MAX or not re.fullmatch(_SUBDOMAIN, secret):
        return (
            f"names Secret {secret!r}, which is not a Secret name Kubernetes accepts: a DNS-1123 subdomain "
            f"(lowercase letters, digits, '-' and '.', starting and ending alphanumeric, at most {_NAME_MAX})"
        )
    if len(key) > _NAME_MAX or not re.fullmatch(_KEY, key) or key in (".", "..") or key.startswith(".."):
        return (
            "names a key that is not a Secret key Kubernetes accepts: letters, digits, '-', '_' and '.', "
            f"at most {_NAME_MAX}, not '.' or '..' nor starting with '..'"
        )
    return None


def find(config: dict[str, Any]) -> tuple[SecretFile, ...]:
    """Every Secret key the configuration names as a file, sorted and once each (checked by `problem` when
    config.merge was read)."""
    found: set[SecretFile] = set()
    _walk(config, found)
    return tuple(sorted(found))


def _walk(value: Any, found: set[SecretFile]) -> None:
    # A module function, not a nested one that calls itself: that is a reference cycle per render, which
    # only the garbage collector frees (entrypoints/process.py collects rarely; a test holds renders to
    # no cycles).
    if isinstance(value, dict):
        for key, item in value.items():
            if key in FILE_OPTIONS and isinstance(item, str) and is_secret_path(item):
                found.add(named(item))
            else:
                _walk(item, found)
    elif isinstance(value, list):
        for item in value:
            _walk(item, found)


def with_folder(folders: tuple[Folder, ...], config: dict[str, Any]) -> tuple[Folder, ...]:
    """The pod's folders, and the reserved one when the configuration names a Secret's file."""
    return (*folders, Folder(SECRETS_VOLUME, SECRETS_DIR)) if find(config) else folders


def volume(files: tuple[SecretFile, ...]) -> dict[str, Any]:
    """One projected volume: each Secret the files name, with only the keys named, at `<secret>/<key>`."""
    secrets: dict[str, list[str]] = {}
    for file in files:
        secrets.setdefault(file.secret, []).append(file.key)
    sources = [
        {"secret": {"name": secret, "items": [{"key": key, "path": f"{secret}/{key}"} for key in keys]}}
        for secret, keys in secrets.items()
    ]
    return {"name": SECRETS_VOLUME, "projected": {"sources": sources}}


# (block, option in its canonical spelling) -> the environment variable nats-server reads it from: the
# only options that take a Secret's value.
VARIABLES = {
    ("jetstream", "key"): "NATS_JETSTREAM_KEY",
    ("jetstream", "prev_key"): "NATS_JETSTREAM_PREV_KEY",
}


# One key of one Secret as an environment variable of the nats container: the variable's name, and the
# Secret and key as a file option would name them. A plain tuple: a NamedTuple class costs every render its
# compile at import (as pipeline.py's `_Configured` says).
SecretValue = tuple[str, SecretFile]


def takes_secret(block: str, option: str) -> bool:
    """Whether option `option` of `block` (canonical spelling) may take a Secret's value."""
    return (block, option) in VARIABLES


def as_variables(config: dict[str, Any]) -> tuple[dict[str, Any], tuple[SecretValue, ...]]:
    """The configuration with each option naming a Secret's key written as its variable (a copy where it
    changes, so the caller's is left as it is), and those Secrets' keys, sorted by variable."""
    found: list[SecretValue] = []
    blocks: dict[str, dict[str, Any]] = {}
    for (block, option), variable in VARIABLES.items():
        body = blocks.get(block, config.get(block))
        value = body.get(option) if isinstance(body, dict) else None
        if isinstance(body, dict) and isinstance(value, str) and is_secret_path(value):
            found.append((variable, named(value)))
            blocks[block] = {**body, option: Variable(variable)}
    if not found:
        return config, ()
    return {**config, **blocks}, tuple(sorted(found))
