"""Apply a rendered stream to the real kube-apiserver of the tests and report what it refused: the plan's
`blocked` is held to this (test_apiserver.py, test_properties.py)."""

from __future__ import annotations

import re
from typing import Any

from nats_kplugin.documents.writer import dump_documents
from tests.support import kube

REFUSAL = re.compile(r'The (\w+) "([^"]+)" is invalid')


MODES = ("client-side", "server-side")  # Argo CD's default sync, and its ServerSideApply=true
SERVER_SIDE = ("--server-side", "--field-manager=argocd-controller")


def apply(
    cluster: kube.Cluster, objects: list[Any], mode: str = "client-side"
) -> tuple[int, set[tuple[str, str]], str]:
    """kubectl apply of a rendered stream, as Argo CD syncs in `mode`: the exit code, the objects the API
    server refused (kind, name) and what kubectl said."""
    flags = SERVER_SIDE if mode == "server-side" else ()
    done = cluster.kubectl("apply", *flags, "-f", "-", input=dump_documents(objects), check=False)
    return done.returncode, set(REFUSAL.findall(done.stderr)), done.stderr


def make_namespace(cluster: kube.Cluster, name: str) -> None:
    """The namespace, made if it is not there yet (no controller runs, so none is ever deleted)."""
    cluster.kubectl("create", "namespace", name, check=False)
