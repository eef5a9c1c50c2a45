"""The command line's arguments as one value, read without click when they are well-formed.

click (click_command.py) defines the interface: help, version, every usage error and its wording. Importing
it costs about 20 ms, more than half of what a whole render may take, and Argo CD and kustomize run the
renderer with the same few well-formed options hundreds of times. So this module reads exactly the
documented options, in the forms click accepts, and gives up (None) on anything else: help, version, an
unknown option, a missing value, a path that does not exist. The CLI then hands the whole command line to
click, which answers as it always did. tests/test_arguments.py holds the two readings equal.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from ..certificates import check_cluster_domain, parse_issuer
from ..manifests import EXPORTER_IMAGE, NATS_IMAGE, RELOADER_IMAGE
from ..nats_server.tls import DEFAULT_CLUSTER_DOMAIN

KEY_ENV = "NATS_RENDER_KEY"
KEY_FILE_ENV = "NATS_RENDER_KEY_FILE"
# click's shell completion answers when this is set; only click can.
COMPLETION_ENV = "_NATS_RENDER_COMPLETE"

# option -> field, for the options that take a value ...
VALUE_OPTIONS = {
    "--key-file": "key_file",
    "-n": "default_namespace",
    "--namespace": "default_namespace",
    "--nats-image": "nats_image",
    "--reloader-image": "reloader_image",
    "--exporter-image": "exporter_image",
    "--cluster-domain": "cluster_domain",
    "--tls-issuer": "tls_issuer",
}
# ... and for the flags.
FLAGS = {
    "--strict": "strict",
    "--print-schema": "print_schema",
    "--pod-monitor": "pod_monitor",
    "--managed-service-names": "managed_service_names",  # takeover (SPEC section 12); for the option table
}


class Arguments(NamedTuple):
    paths: tuple[str, ...] = ()
    key_file: str | None = None
    default_namespace: str | None = None
    nats_image: str = NATS_IMAGE
    reloader_image: str = RELOADER_IMAGE
    strict: bool = False
    print_schema: bool = False
    exporter_image: str = EXPORTER_IMAGE
    cluster_domain: str = DEFAULT_CLUSTER_DOMAIN
    tls_issuer: str | None = None  # Issuer/NAME or ClusterIssuer/NAME, checked by certificates.parse_issuer
    pod_monitor: bool = False
    managed_service_names: bool = False  # takeover (SPEC section 12); for the option table


def quick_parse(argv: Sequence[str], environ: Mapping[str, str]) -> Arguments | None:
    """The arguments of a well-formed command line, as click would read them; None for anything else."""
    if COMPLETION_ENV in environ:
        return None
    values: dict[str, str] = {}
    flags: set[str] = set()
    paths: list[str] = []
    tokens = iter(argv)
    for token in tokens:
        if token == "--":
            paths.extend(tokens)
        elif token == "-" or not token.startswith("-"):
            paths.append(token)
        elif token in FLAGS:
            flags.add(FLAGS[token])
        else:
            option, value = _split_option(token)
            value = next(tokens, None) if value is None else value
            if option not in VALUE_OPTIONS or value is None:
                return None
            values[VALUE_OPTIONS[option]] = value
    # An option given wins, even empty; an empty variable counts as unset (click reads both so).
    key_file = values["key_file"] if "key_file" in values else environ.get(KEY_FILE_ENV) or None
    if key_file and _unusable_key_file(key_file):
        return None
    if not all(path == "-" or _readable(path) for path in paths):
        return None
    try:  # a value the renderer refuses: click says so in its words
        for check, field in ((check_cluster_domain, "cluster_domain"), (parse_issuer, "tls_issuer")):
            if field in values:
                check(values[field])
    except ValueError:
        return None
    return Arguments(
        paths=tuple(paths),
        key_file=key_file,
        default_namespace=values.get("default_namespace"),
        nats_image=values.get("nats_image", NATS_IMAGE),
        reloader_image=values.get("reloader_image", RELOADER_IMAGE),
        strict="strict" in flags,
        print_schema="print_schema" in flags,
        exporter_image=values.get("exporter_image", EXPORTER_IMAGE),
        cluster_domain=values.get("cluster_domain", DEFAULT_CLUSTER_DOMAIN),
        tls_issuer=values.get("tls_issuer"),
        pod_monitor="pod_monitor" in flags,
        managed_service_names="managed_service_names" in flags,  # takeover; for the option table
    )


def _split_option(token: str) -> tuple[str, str | None]:
    """`--name=value`, `--name`, `-nvalue`, `-n` into the option and its attached value, if any."""
    if token.startswith("--"):
        option, equals, value = token.partition("=")
        return option, value if equals else None
    return token[:2], token[2:] or None


def _readable(path: str) -> bool:
    return os.path.exists(path) and os.access(path, os.R_OK)


def _unusable_key_file(path: str) -> bool:
    """What click's check of --key-file refuses: a folder, or a file that exists but cannot be read."""
    return os.path.isdir(path) or (os.path.exists(path) and not os.access(path, os.R_OK))
