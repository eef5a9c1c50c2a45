"""The pipeline in one place: documents → spec → passwords → nats-server configuration, checked →
Kubernetes objects, and the stream checked as a whole (every object once).

Pure: documents and options in, output documents and problems out. No file, environment or terminal access
happens here (the CLI and the plugin adapters do that), so the tests call it directly.
"""

from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from .codes import Code, Severity
from .documents.reader import Document
from .kubernetes import certificates
from .kubernetes.network_policy import DEFAULT_SCRAPER_NAMESPACE
from .kubernetes.objects import Extras, Images, build_objects
from .kubernetes.sync import argocd_annotations
from .nats_server import checks as server_checks
from .nats_server import config as server_config
from .nats_server import pod_filesystem, resolver, secret_files, tls, topology
from .nats_server.encoder import EncodeError
from .nats_server.leaf_domains import LeafDomains
from .problems import Location, Problem, error
from .spec import model as spec
from .spec import passwords


class RenderOptions(NamedTuple):
    render_key: bytes | None = None  # for passwords the spec does not give (SPEC section 5)
    default_namespace: str | None = None  # for NATS objects that name none (Argo CD's app namespace)
    # Where default_namespace is where every object lands, what put it there ("--namespace", a
    # kustomization's namespace:): a NATS object naming another namespace is refused, as kubectl refuses it.
    namespace_from: str | None = None
    images: Images = Images()
    strict: bool = False  # warnings become errors; information stays
    cluster_domain: str = tls.DEFAULT_CLUSTER_DOMAIN  # the cluster's DNS domain, in TLS certificate names
    tls_issuer: certificates.IssuerRef | None = None  # an existing issuer instead of the self-signed chain
    pod_monitor: bool = False  # a PodMonitor per cluster (needs the Prometheus Operator's CRDs)
    network_policy: bool = False  # a NetworkPolicy per cluster (docs/network-policy.md)
    scraper_namespace: str = DEFAULT_SCRAPER_NAMESPACE  # its monitor and metrics ports' peers
    # The managed service's selector labels, claim template and account names, for a takeover in place
    # (SPEC section 12). The option table will fold this in with the others.
    managed_service_names: bool = False


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
    for objects, found in render_each(documents, options):
        rendered.extend(objects)
        problems.extend(found)
    result = RenderResult(rendered, problems)
    # All or nothing: Argo CD and kustomize must never apply a partial stream.
    return result if result.ok else RenderResult([], problems)


def render_each(
    documents: Iterable[Document], options: RenderOptions = RenderOptions()
) -> Iterator[tuple[list[Any], list[Problem]]]:
    """The output objects and problems of each document in turn, so a caller can write large streams
    without keeping every object (entrypoints/process.py). The stream is still checked as a whole:
    every object seen so far is remembered by its identity, so a clash is reported on the later document.
    Whether any document failed is the caller's to collect: all or nothing is decided over the stream."""
    seen = _Identities(options.default_namespace)
    leaf_domains = LeafDomains()  # edges and hubs rendered together: their JetStream domains differ
    for document in documents:
        if spec.is_nats_object(document.data):
            objects, problems = render_object(document, options, leaf_domains)
        else:
            objects, problems = [document.data], []
            near_miss = spec.near_miss(document.data)
            if near_miss is not None:
                problems.append(
                    near_miss._replace(location=document.location, object_ref=object_ref(document.data))
                )
        problems += seen.add(objects, document)
        if options.strict:
            problems = [p.as_strict() for p in problems]
        yield objects, problems
    if problems := leaf_domains.problems():  # checks over the whole set, after its last document
        yield [], problems


def render_object(
    document: Document, options: RenderOptions, leaf_domains: LeafDomains | None = None
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The Kubernetes objects of one NATS document, or the problems that prevent them; a rendered object
    that takes part in leaf-node links is noted in `leaf_domains`."""
    data, nats_spec, problems = _validated(document, options)
    objects: list[dict[str, Any]] = []
    if nats_spec is not None:
        objects, problems = _expand_spec(nats_spec, data, options)
        if objects and leaf_domains is not None:
            where = document.line_of(("spec", "config", "merge", "jetstream", "domain"))
            leaf_domains.add(nats_spec, object_ref(data) or "NATS", document.location._replace(line=where))
    return objects, _locate(problems, document, data)


def _validated(document: Document, options: RenderOptions) -> tuple[Any, spec.NatsSpec | None, list[Problem]]:
    """The document's data in the namespace it lands in, and its spec as a render reads it; the spec is
    None, beside the problems, when the object lands in another namespace or does not validate."""
    data = _with_namespace(document.data, options.default_namespace)
    mismatch = _namespace_mismatch(data, options)
    if mismatch is not None:
        return data, None, [mismatch]
    nats_spec, problems = spec.validate(data, document.positions)
    if nats_spec is not None:
        nats_spec = nats_spec._replace(managed_service_names=options.managed_service_names)
    return data, nats_spec, problems


def _namespace_mismatch(data: Any, options: RenderOptions) -> Problem | None:
    """A NATS object rendered for one namespace that lands in another: its routes, certificate names and
    derived passwords would name the wrong one."""
    metadata = data.get("metadata") if isinstance(data, dict) else None
    named = metadata.get("namespace") if isinstance(metadata, dict) else None
    if options.namespace_from is None or not named or named == options.default_namespace:
        return None
    message = (
        f"is {named!r}, but {options.namespace_from} {options.default_namespace!r} puts every object in "
        f"{options.default_namespace!r} (as kubectl refuses such a mismatch); make the two agree, or remove "
        "metadata.namespace"
    )
    return error(Code.NAMESPACE_MISMATCH, message, ("metadata", "namespace"))


def _with_namespace(data: Any, default_namespace: str | None) -> Any:
    """The object with the default namespace where it names none (Argo CD's app namespace, `-n`)."""
    metadata = data.get("metadata") if isinstance(data, dict) else None
    if default_namespace and isinstance(metadata, dict) and not metadata.get("namespace"):
        return {**data, "metadata": {**metadata, "namespace": default_namespace}}
    return data


# A NATS object's merged nats-server configuration, as a render builds it, and what its objects need: its
# spec (resolver translated), the configuration, the pod's folders, the resolver's claim, the passwords. A
# plain tuple: a NamedTuple's class would cost every render about 0.7M instructions at import
# (collections.namedtuple compiles its methods), for one private value.
_Configured = tuple[
    spec.NatsSpec,
    dict[str, Any],
    tuple[pod_filesystem.Folder, ...],
    pod_filesystem.ResolverClaim | None,
    dict[str, str],
]


def server_configuration(
    document: Document, options: RenderOptions = RenderOptions()
) -> tuple[spec.NatsSpec, dict[str, Any], str] | None:
    """The spec and merged nats-server configuration of one NATS document, built as a render builds them
    (a member's gateway completed), and the object as problems name it; None when it does not render. Its
    problems are `render_object`'s."""
    data, nats_spec, _ = _validated(document, options)
    if nats_spec is None:
        return None
    configured, _ = _configure(nats_spec, options)
    return None if configured is None else (configured[0], configured[1], object_ref(data) or "NATS")


def _configure(nats_spec: spec.NatsSpec, options: RenderOptions) -> tuple[_Configured | None, list[Problem]]:
    user_passwords, problems = passwords.resolve_passwords(nats_spec, options.render_key)
    # config.resolver as nats-server's block, whichever shape it was written in; its claim for the pod.
    translated, found = resolver.translate(nats_spec.resolver, nats_spec.names)
    problems += found
    nats_spec = nats_spec._replace(resolver=translated.block)
    claim = translated.claim
    pod_folders = pod_filesystem.folders(nats_spec, claim)
    # config.merge is read once, as nats-server reads it, and passed on in canonical spellings.
    merge_config, found = server_config.read_merge(nats_spec, pod_folders, options.images.nats)
    if not any(p.is_error for p in found):
        found += server_checks.check_overrides(nats_spec, merge_config)
    problems += found
    if any(p.is_error for p in found):
        return None, problems
    # The configuration is checked even when a password is missing, so one run reports every error.
    placeholders = {user: user_passwords.get(user, "") for user in nats_spec.users}
    config, found = server_config.build(nats_spec, merge_config, placeholders)
    problems += found
    if config is None:
        return None, problems
    if nats_spec.tls_enabled:
        problems += tls.secure(nats_spec, config, shared_issuer=options.tls_issuer is not None)
    problems += tls.plain_outside(nats_spec)
    server_config.authorize_routes(config)
    topology.complete_gateway(config)  # a supercluster member advertises the address its entry names
    pod_folders = secret_files.with_folder(pod_folders, config)  # the Secrets' files config.merge names
    problems += server_checks.check(nats_spec, config, pod_folders)
    if any(p.is_error for p in problems):
        return None, problems
    return (nats_spec, config, pod_folders, claim, user_passwords), problems


def _expand_spec(
    nats_spec: spec.NatsSpec, data: dict[str, Any], options: RenderOptions
) -> tuple[list[dict[str, Any]], list[Problem]]:
    configured, problems = _configure(nats_spec, options)
    if configured is None:
        return [], problems
    nats_spec, config, pod_folders, claim, user_passwords = configured
    server = server_config.describe(nats_spec, config, pod_folders)
    labels = (data.get("metadata") or {}).get("labels")
    annotations, found = argocd_annotations((data.get("metadata") or {}).get("annotations"))
    if found:
        return [], [*problems, *found]
    try:
        scraper = options.scraper_namespace if options.network_policy else None
        extras = Extras(
            options.cluster_domain,
            options.tls_issuer,
            claim,
            options.pod_monitor,
            scraper,
            tuple(annotations.items()),
            tls.certificate_hosts(config) if nats_spec.tls_enabled else (),
        )
        objects = build_objects(nats_spec, server, user_passwords, options.images, labels, extras)
    except EncodeError as exc:
        where = ("spec", "config", "merge", *exc.path)
        return [], [*problems, Problem(Severity.ERROR, Code.NOT_ENCODABLE, str(exc), path=where)]
    return objects, problems


def _locate(problems: list[Problem], document: Document, data: dict[str, Any]) -> list[Problem]:
    ref = object_ref(data)
    return [
        p._replace(location=document.location._replace(line=document.line_of(p.path)), object_ref=ref)
        for p in problems
    ]


def object_ref(data: Any) -> str | None:
    """How problems name an object: `NATS/name`, `NATS/namespace/name`, `Service/name`."""
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
        return None
    metadata = data.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    name = metadata.get("name") if isinstance(metadata.get("name"), str) else "<unnamed>"
    namespace = metadata.get("namespace")
    return (
        f"{data['kind']}/{namespace}/{name}"
        if isinstance(namespace, str) and namespace
        else f"{data['kind']}/{name}"
    )


Identity = tuple[str, str, str, str]  # API group, kind, namespace, name: one object in a cluster


def object_identity(obj: Any, default_namespace: str | None) -> Identity | None:
    """What names `obj` in a cluster. The group, not the version: `apps/v1` and `apps/v1beta2` StatefulSets of
    one name are one object. An object without a namespace lands in the default one (kubectl's context, Argo
    CD's destination), which is `default_namespace` when it is given."""
    if not isinstance(obj, dict):
        return None
    api_version, kind, metadata = obj.get("apiVersion"), obj.get("kind"), obj.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not (isinstance(api_version, str) and isinstance(kind, str) and isinstance(name, str)):
        return None
    namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
    namespace = namespace if isinstance(namespace, str) and namespace else default_namespace or ""
    group = api_version.rpartition("/")[0]
    return group, kind, namespace, name


class _Origin:
    """What a clash says of the earlier document: kept instead of the document, which is let go once
    rendered (its data and positions are most of a large stream's memory)."""

    __slots__ = ("identity", "location", "object_ref")

    def __init__(self, location: Location, object_ref: str | None, identity: "Identity | None") -> None:
        self.location, self.object_ref, self.identity = location, object_ref, identity


class _Identities:
    """Every object of the stream so far, by identity, and the document it came from."""

    def __init__(self, default_namespace: str | None) -> None:
        self.default_namespace = default_namespace
        self.first: dict[Identity, _Origin] = {}

    def add(self, objects: list[Any], document: Document) -> list[Problem]:
        """An error for each earlier document that already put one of `objects` into the stream (two NATS
        objects of one name, NATS `x` beside NATS `x-headless`, a passed-through Service `nats-x` beside
        NATS `x`): kubectl and Argo CD would apply one over the other."""
        clashes: dict[int, tuple[_Origin, list[str]]] = {}
        origin: _Origin | None = None
        for obj in objects:
            identity = object_identity(obj, self.default_namespace)
            if identity is None:
                continue
            if origin is None:
                ref, own = object_ref(document.data), object_identity(document.data, self.default_namespace)
                origin = _Origin(document.location, ref, own)
            earlier = self.first.setdefault(identity, origin)
            if earlier is not origin:
                clashes.setdefault(id(earlier), (earlier, []))[1].append(f"{identity[1]} {identity[3]}")
        return [self._clash(earlier, document, names) for earlier, names in clashes.values()]

    def _clash(self, earlier: _Origin, later: Document, objects: list[str]) -> Problem:
        later_identity = object_identity(later.data, self.default_namespace)
        where = f" in namespace {later_identity[2]}" if later_identity and later_identity[2] else ""
        also = f"{earlier.object_ref or 'a document'} at {earlier.location}"
        if earlier.identity == later_identity:  # one NATS object, twice
            message = (
                f"is defined twice{where}: also at {earlier.location}, so both render {', '.join(objects)}"
            )
        else:
            verb = "comes" if len(objects) == 1 else "come"
            message = f"{', '.join(objects)}{where} also {verb} from {also}"
        message += (
            "; every object may appear once in the stream (kubectl and Argo CD apply one over the other)"
        )
        line = later.line_of(("metadata", "name")) if later.positions is not None else later.location.line
        location = later.location._replace(line=line)
        return Problem(Severity.ERROR, Code.DUPLICATE_OBJECT, message, location, object_ref(later.data))
