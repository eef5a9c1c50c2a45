"""The pipeline in one place: documents → spec → passwords → nats-server configuration, checked →
Kubernetes objects.

Pure: documents and options in, output documents and problems out. No file, environment or terminal access
happens here (the CLI and the plugin adapters do that), so the tests call it directly.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from . import certificates, manifests, passwords, spec
from .documents import Document
from .nats_server import checks as server_checks
from .nats_server import config as server_config
from .nats_server import resolver, tls
from .nats_server.encoder import EncodeError
from .problems import Problem, Severity


class RenderOptions(NamedTuple):
    render_key: bytes | None = None  # for passwords the spec does not give (SPEC section 5)
    default_namespace: str | None = None  # for NATS objects that name none (Argo CD's app namespace)
    images: manifests.Images = manifests.Images()
    strict: bool = False  # warnings become errors
    cluster_domain: str = tls.DEFAULT_CLUSTER_DOMAIN  # the cluster's DNS domain, in TLS certificate names
    tls_issuer: certificates.IssuerRef | None = None  # an existing issuer instead of the self-signed chain
    pod_monitor: bool = False  # a PodMonitor per cluster (needs the Prometheus Operator's CRDs)


class RenderResult(NamedTuple):
    documents: list[Any]  # empty whenever a problem is an error
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def render(documents: list[Document], options: RenderOptions = RenderOptions()) -> RenderResult:
    """Expand every NATS object, pass every other document through, and collect every problem."""
    rendered: list[Any] = []
    problems: list[Problem] = []
    for document in documents:
        if spec.is_nats_object(document.data):
            objects, found = expand(document, options)
            rendered.extend(objects)
            problems.extend(found)
        else:
            rendered.append(document.data)
    if options.strict:
        problems = [p.as_error() for p in problems]
    result = RenderResult(rendered, problems)
    # All or nothing: Argo CD and kustomize must never apply a partial stream.
    return result if result.ok else RenderResult([], problems)


def expand(document: Document, options: RenderOptions) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The Kubernetes objects of one NATS document, or the problems that prevent them."""
    data = document.data
    metadata = data.get("metadata")
    if options.default_namespace and isinstance(metadata, dict) and not metadata.get("namespace"):
        data = {**data, "metadata": {**metadata, "namespace": options.default_namespace}}
    nats_spec, problems = spec.validate(data)
    problems += [
        Problem(Severity.ERROR, _LEADING_ZERO_MESSAGE, path=path) for path in document.leading_zero_numbers()
    ]
    if problems:
        nats_spec = None
    objects: list[dict[str, Any]] = []
    if nats_spec is not None:
        objects, problems = _expand_spec(nats_spec, data, options)
    return objects, _locate(problems, document, data)


_LEADING_ZERO_MESSAGE = (
    "a number with a leading zero is octal in YAML 1.1 and decimal in YAML 1.2: "
    "drop the zero, or quote the value for a string"
)


def _expand_spec(
    nats_spec: spec.NatsSpec, data: dict[str, Any], options: RenderOptions
) -> tuple[list[dict[str, Any]], list[Problem]]:
    user_passwords, problems = passwords.resolve_passwords(nats_spec, options.render_key)
    # config.resolver as nats-server's block, whichever shape it was written in; its claim for the pod.
    translated, found = resolver.translate(nats_spec.resolver, nats_spec.full_name)
    problems += found
    nats_spec = nats_spec._replace(resolver=translated.block)
    # The configuration is checked even when a password is missing, so one run reports every error.
    placeholders = {user: user_passwords.get(user, "") for user in nats_spec.users}
    overridden = server_checks.check_overrides(nats_spec)
    problems += overridden
    if overridden:
        return [], problems
    config, found = server_config.build(nats_spec, placeholders)
    problems += found
    if config is None:
        return [], problems
    if nats_spec.tls_enabled:
        problems += tls.secure(nats_spec, config, options.cluster_domain)
    problems += tls.plain_outside(nats_spec)
    claim = translated.claim
    problems += server_checks.check(nats_spec, config, (claim.mount_path,) if claim else ())
    if any(p.is_error for p in problems):
        return [], problems
    server = server_config.describe(nats_spec, config)
    labels = (data.get("metadata") or {}).get("labels")
    try:
        extras = manifests.Extras(
            options.cluster_domain, options.tls_issuer, translated.claim, options.pod_monitor
        )
        objects = manifests.build_objects(nats_spec, server, user_passwords, options.images, labels, extras)
    except EncodeError as exc:
        return [], [*problems, Problem(Severity.ERROR, str(exc), path=("spec", "config", "merge", *exc.path))]
    return objects, problems


def _locate(problems: list[Problem], document: Document, data: dict[str, Any]) -> list[Problem]:
    metadata = data.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    name = metadata.get("name") if isinstance(metadata.get("name"), str) else "<unnamed>"
    namespace = metadata.get("namespace")
    ref = f"NATS/{namespace}/{name}" if isinstance(namespace, str) and namespace else f"NATS/{name}"
    return [
        p._replace(location=document.location._replace(line=document.line_of(p.path)), object_ref=ref)
        for p in problems
    ]
