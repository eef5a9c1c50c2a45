"""Secrets for the server's own values: the JetStream encryption key, `jetstream.key` and `prev_key`.

nats-server takes these as values, not files (opts.go: parseJetStream reads `mv.(string)`), so a Secret's
key cannot be mounted for them. In config.merge they may name `/etc/nats-secrets/<secret>/<key>` all the
same, checked as a Secret's file is (secret_files.problem, `secret-file-name`):

    jetstream:
      key: /etc/nats-secrets/nats-js/key

The renderer then writes the option as an environment variable, `key: $NATS_JETSTREAM_KEY`, and the nats
container gets that variable from the Secret's key (`valueFrom.secretKeyRef`): the upstream chart's way. It
is not a file: not in the projected volume, not watched by the reloader (nats-server cannot reload a key
anyway). Any other value of these options stays the literal it is.
"""

from typing import Any

from .encoder import Variable
from .secret_files import SecretFile, is_secret_path, named

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
