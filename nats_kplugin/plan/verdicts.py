"""One verdict per change, with its reason, in the words a reviewer reads: what the change does to the
running NATS cluster.

The verdicts, from the most to the least serious (PRECEDENCE): `blocked` (the API server refuses the
update, immutables.py), `data-risk` (JetStream peers, volumes or their names lost), `access` (clients
refused or exposed), `rolling-restart` (every pod replaced, in lame duck), `reload` (the reloader's SIGHUP
applies it, no restart) and `none`. A change may call for several; it takes the most serious, and the
others stay beside it as `also`, so nothing a reviewer should know is dropped.

The knowledge is the renderer's own, read from the rendered objects rather than restated: whether a
change of nats.conf restarts the pods is whether the pod template's restart hash changed (the hash covers
exactly what nats_server/reload_table.py says nats-server cannot reload); what the API server refuses is
immutables.py.
"""

import enum
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from ..kubernetes.objects import RESTART_HASH_ANNOTATION
from ..nats_server.reload_table import RELOADABLE_JETSTREAM_KEYS
from ..nats_server.secret_files import VARIABLES as SECRET_VARIABLES
from ..nats_server.secret_files import SecretFile
from ..spec.names import object_names
from ..spec.quantities import parse_quantity
from .changes import ADDED, CHANGED, REMOVED, ObjectChange
from .immutables import STATEFULSET_UPDATABLE, refused_fields

VOLUMES_RUNBOOK = "docs/volumes.md"
TAKEOVER_RUNBOOK = "docs/takeover.md"


class Verdict(str, enum.Enum):
    NONE = "none"
    RELOAD = "reload"
    ROLLING_RESTART = "rolling-restart"
    ACCESS = "access"
    DATA_RISK = "data-risk"
    BLOCKED = "blocked"


# The most serious first: a change's verdict is the first of its findings in this order.
PRECEDENCE = (
    Verdict.BLOCKED,
    Verdict.DATA_RISK,
    Verdict.ACCESS,
    Verdict.ROLLING_RESTART,
    Verdict.RELOAD,
    Verdict.NONE,
)
# What fails a CI gate unless allowed (`--allow`).
GATED = (Verdict.BLOCKED, Verdict.DATA_RISK)


class Finding(NamedTuple):
    verdict: Verdict
    reason: str


class Judged(NamedTuple):
    """One change and its verdict; `also` holds the less serious findings of the same change."""

    change: ObjectChange
    verdict: Verdict
    reason: str
    also: tuple[Finding, ...]


class ClusterPlan(NamedTuple):
    cluster: str | None  # `NATS/ns/name`; None for the objects no NATS object produced
    changes: tuple[Judged, ...]

    @property
    def verdict(self) -> Verdict:
        return most_serious([j.verdict for j in self.changes])


def most_serious(verdicts: list[Verdict]) -> Verdict:
    return next((v for v in PRECEDENCE if v in verdicts), Verdict.NONE)


class Context(NamedTuple):
    """What a cluster's changes are judged against: its StatefulSet on both sides, and the names of its
    Secrets. `cluster` None: the objects no NATS object rendered."""

    cluster: str | None
    old_statefulset: Any
    new_statefulset: Any
    config_secret: str | None
    credentials_secret: str | None

    @property
    def restart_hash_changed(self) -> bool:
        return _restart_hash(self.old_statefulset) != _restart_hash(self.new_statefulset)


def judge_cluster(cluster: str | None, changes: list[ObjectChange], unchanged: list[Any]) -> ClusterPlan:
    """Each change of one cluster judged; `unchanged` holds the cluster's objects on both sides that did
    not change (its StatefulSet, when only a Secret changed)."""
    context = _context(cluster, changes, unchanged)
    return ClusterPlan(cluster, tuple(judge(change, context) for change in changes))


def judge(change: ObjectChange, context: Context) -> Judged:
    findings = list(_findings(change, context)) or [Finding(Verdict.NONE, _default_reason(change, context))]
    ordered = sorted(findings, key=lambda f: PRECEDENCE.index(f.verdict))
    return Judged(change, ordered[0].verdict, ordered[0].reason, tuple(ordered[1:]))


def _findings(change: ObjectChange, context: Context) -> Iterator[Finding]:
    group = change.identity[0]
    rule = _RULES.get((group, change.kind))
    refused = refused_fields(change.kind, group, change.fields, change.old, change.new)
    if refused:
        yield Finding(Verdict.BLOCKED, _blocked_reason(change, refused))
    # Only what the API server refuses is known of objects nats-render did not render.
    if rule is not None and context.cluster is not None:
        yield from rule(change, context)


def _default_reason(change: ObjectChange, context: Context) -> str:
    if context.cluster is None:
        return (
            f"{change.action} as given; not rendered by nats-render, so only an API server refusal is judged"
        )
    if change.action == ADDED:
        return "created; no running server depends on it yet"
    if change.action == REMOVED:
        return "deleted (pruned); no running server reads it"
    return "updated in place; no server reads it"


def _blocked_reason(change: ObjectChange, refused: tuple[str, ...]) -> str:
    fields = sorted({f.split("[")[0].split(".")[1] for f in refused})
    named = " and ".join(f"spec.{field}" for field in fields)
    refusal = f"the API server refuses to change {named} of a {change.kind}"
    if change.kind == "Service":
        return f"{refusal}; the way through: delete the Service and sync (clients lose it until it is back)"
    if "selector" in fields:
        way = (
            "none that keeps the pods: an orphaned pod matches no new selector, so keep the selector (and "
            f"--managed-service-names) as the cluster was created ({TAKEOVER_RUNBOOK}) and revert this change"
        )
    elif "volumeClaimTemplates" in fields:
        way = (
            "resize the claims (for a larger size), orphan the StatefulSet (kubectl delete statefulset "
            f"--cascade=orphan), sync; the pods and claims stay ({VOLUMES_RUNBOOK})"
        )
    else:
        way = (
            "orphan the StatefulSet (kubectl delete statefulset --cascade=orphan) and sync; "
            "the pods and claims stay"
        )
    updatable = ", ".join(sorted(STATEFULSET_UPDATABLE))
    return f"{refusal} (only {updatable} may change); the way through: {way}"


def _statefulset(change: ObjectChange, context: Context) -> Iterator[Finding]:
    if change.action == ADDED:
        yield Finding(Verdict.NONE, "the servers start")
        return
    if change.action == REMOVED:
        yield Finding(
            Verdict.DATA_RISK,
            "the cluster is deleted: every server stops, and its JetStream data stays only on the claims",
        )
        return
    yield from _replicas(change.old, change.new)
    yield from _claims(change.old, change.new)
    yield from _encryption_key(change.old, change.new)
    if _selector(change.old) != _selector(change.new):
        yield Finding(
            Verdict.DATA_RISK,
            "the pod selector changes (takeover names switched): the running pods and their JetStream claims "
            "are no longer this StatefulSet's",
        )
    template = [f for f in change.fields if f.startswith("spec.template.")]
    if template:
        yield Finding(Verdict.ROLLING_RESTART, _rolling_reason(change, template, context))


def _replicas(old: Any, new: Any) -> Iterator[Finding]:
    before, after = _spec(old).get("replicas", 1), _spec(new).get("replicas", 1)
    name = old["metadata"]["name"]
    if after < before:
        gone = ", ".join(f"{name}-{i}" for i in range(after, before))
        if _claim_templates(old):
            yield Finding(
                Verdict.DATA_RISK,
                f"replicas {before} -> {after}: JetStream peers {gone} are removed; streams with replicas "
                "there lose a peer and R1 streams there become unavailable (their claims stay)",
            )
        else:
            yield Finding(
                Verdict.RELOAD, f"replicas {before} -> {after}: {gone} stop; the others reload the routes"
            )
    elif after > before:
        added = ", ".join(f"{name}-{i}" for i in range(before, after))
        yield Finding(
            Verdict.RELOAD,
            f"replicas {before} -> {after}: {added} start; the running servers take the new routes on the "
            "reloader's SIGHUP",
        )


def _claims(old: Any, new: Any) -> Iterator[Finding]:
    before, after = _claim_templates(old), _claim_templates(new)
    for name, claim in before.items():
        if name not in after:
            what = "JetStream is turned off or the claim renamed"
            yield Finding(
                Verdict.DATA_RISK,
                f"the volume claim template {name} is dropped ({what}): its data is left behind",
            )
            continue
        old_size, new_size = _storage(claim), _storage(after[name])
        if _quantity_less(new_size, old_size):
            yield Finding(
                Verdict.DATA_RISK,
                f"the volumes of claim template {name} shrink from {old_size} to {new_size}",
            )
        if _spec(claim).get("storageClassName") != _spec(after[name]).get("storageClassName"):
            yield Finding(
                Verdict.DATA_RISK,
                f"the storage class of claim template {name} changes: claims made from it now start empty",
            )


# The nats container's variables that carry the JetStream key and the previous one from Secrets.
_KEY = SECRET_VARIABLES[("jetstream", "key")]
_PREV_KEY = SECRET_VARIABLES[("jetstream", "prev_key")]


def _encryption_key(old: Any, new: Any) -> Iterator[Finding]:
    """The JetStream key from a Secret, changed without the old one as prev_key: every restarted server
    finds streams it cannot decrypt (nats-server logs "Error decrypting", /healthz answers 503), so the pods
    never start and the streams are unreadable until the change is reverted. A rotation names the old key
    in prev_key (docs/topologies.md)."""
    before = _secret_ref(old, _KEY)
    after, kept = _secret_ref(new, _KEY), _secret_ref(new, _PREV_KEY)
    if before is None or before == after or kept == before:
        return
    now = after or "no key from a Secret"
    yield Finding(
        Verdict.DATA_RISK,
        f"the JetStream encryption key changes from {before} to {now}, without the old one as "
        "jetstream.prev_key: the restarted servers cannot decrypt their streams and never start; to "
        f"rotate, name {before} in jetstream.prev_key in the same change",
    )


def _secret_ref(statefulset: Any, variable: str) -> str | None:
    """The Secret's key the nats container's variable comes from, as config.merge names it, or None."""
    template = _spec(_spec(statefulset).get("template"))
    for container in template.get("containers") or []:
        if container.get("name") != "nats":
            continue
        for var in container.get("env") or []:
            ref = (var.get("valueFrom") or {}).get("secretKeyRef") if var.get("name") == variable else None
            if isinstance(ref, dict):
                return SecretFile(str(ref.get("name")), str(ref.get("key"))).path
    return None


def _rolling_reason(change: ObjectChange, template: list[str], context: Context) -> str:
    replicas = _spec(change.new).get("replicas", 1)
    order = ", ".join(f"{change.name}-{i}" for i in reversed(range(replicas)))
    hash_path = f"spec.template.metadata.annotations.{RESTART_HASH_ANNOTATION}"
    others = sorted({_short(f) for f in template if f != hash_path})
    why = []
    if context.restart_hash_changed:
        why.append("nats.conf settings nats-server cannot reload changed (the restart hash)")
    if others:
        why.append(f"the pod template changed ({', '.join(others)})")
    return f"{'; '.join(why)}: the pods are replaced one at a time, in lame duck mode first: {order}"


def _short(path: str) -> str:
    return path.removeprefix("spec.template.")


def _config_secret(change: ObjectChange, context: Context) -> Iterator[Finding]:
    if change.name != context.config_secret or change.action != CHANGED:
        return
    before, after = conf_options(_only_value(change.old)), conf_options(_only_value(change.new))
    changed = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    names = ", ".join(changed)
    shrunk = _shrunk_jetstream_limits(before.get("jetstream", ""), after.get("jetstream", ""))
    if context.restart_hash_changed:
        yield Finding(Verdict.ROLLING_RESTART, f"nats.conf changes ({names}); the rolling restart applies it")
    elif shrunk:
        statefulset = ((context.new_statefulset or {}).get("metadata") or {}).get("name", "nats-X")
        yield Finding(
            Verdict.ROLLING_RESTART,
            f"nats.conf changes ({names}) with a smaller jetstream {', '.join(shrunk)}, which nats-server "
            "refuses to reload and the restart hash leaves out: restart the pods once (kubectl rollout "
            f"restart statefulset {statefulset}), or this and every later reload fails",
        )
    else:
        yield Finding(
            Verdict.RELOAD, f"nats.conf changes ({names}); the servers reload it on the reloader's SIGHUP"
        )
    yield from _access_in_conf(before, after)


def _shrunk_jetstream_limits(before: str, after: str) -> list[str]:
    """The limits of the jetstream block that nats-server reloads only upwards, where NEW's is smaller."""
    old, new = _block_integers(before), _block_integers(after)
    return sorted(k for k in RELOADABLE_JETSTREAM_KEYS if k in old and k in new and new[k] < old[k])


def _block_integers(block: str) -> dict[str, int]:
    """The integer options of a nats.conf block as the encoder writes them: `"name": 123` on a line."""
    values: dict[str, int] = {}
    for line in block.splitlines():
        name, colon, value = line.strip().partition(": ")
        if colon and name.startswith('"') and value.lstrip("-").isdigit():
            values[name.strip('"')] = int(value)
    return values


def _access_in_conf(before: dict[str, str], after: dict[str, str]) -> Iterator[Finding]:
    if "tls" in after and "tls" not in before:
        yield Finding(Verdict.ACCESS, "TLS is turned on: clients must connect with tls:// and trust the CA")
    if "tls" in before and "tls" not in after:
        yield Finding(Verdict.ACCESS, "TLS is turned off: clients that insist on tls:// are refused")
    auth = ("accounts", "authorization", "operator")
    had, has = any(k in before for k in auth), any(k in after for k in auth)
    if has != had:
        turned = "on: clients without credentials are refused" if has else "off: any client may connect"
        yield Finding(Verdict.ACCESS, f"authentication is turned {turned}")


def _credentials(change: ObjectChange, context: Context) -> Iterator[Finding]:
    if change.old is None or change.new is None:
        return
    before, after = _string_data(change.old), _string_data(change.new)
    removed = sorted(set(before) - set(after))
    changed = sorted(u for u in before if u in after and before[u] != after[u])
    if removed:
        yield Finding(
            Verdict.ACCESS, f"users removed: {', '.join(removed)}; their clients are refused after the reload"
        )
    if changed:
        yield Finding(
            Verdict.ACCESS, f"passwords changed: {', '.join(changed)}; clients with the old one are refused"
        )


def _secret(change: ObjectChange, context: Context) -> Iterator[Finding]:
    if change.name == context.config_secret:
        yield from _config_secret(change, context)
    elif change.name == context.credentials_secret:
        yield from _credentials(change, context)


def _service(change: ObjectChange, context: Context) -> Iterator[Finding]:
    if change.action == CHANGED and _spec(change.old).get("type") != _spec(change.new).get("type"):
        before, after = _spec(change.old).get("type", "ClusterIP"), _spec(change.new).get("type", "ClusterIP")
        yield Finding(
            Verdict.ACCESS, f"the Service type changes from {before} to {after}: clients reach it otherwise"
        )


def _certificate(change: ObjectChange, context: Context) -> Iterator[Finding]:
    if change.action == CHANGED and any(f.startswith("spec.") for f in change.fields):
        yield Finding(
            Verdict.RELOAD, "cert-manager reissues the certificate; the reloader reloads the new files"
        )


_RULES: dict[tuple[str, str], Callable[[ObjectChange, Context], Iterator[Finding]]] = {
    ("apps", "StatefulSet"): _statefulset,
    ("", "Secret"): _secret,
    ("", "Service"): _service,
    ("cert-manager.io", "Certificate"): _certificate,
}


def conf_options(text: str) -> dict[str, str]:
    """nats.conf as its encoder writes it (nats_server/encoder.py), top-level option by option: each
    starts on a line of its own with its quoted name, and its value runs up to the next such line."""
    options: dict[str, str] = {}
    current: str | None = None
    for line in text.splitlines():
        if line.startswith('"'):
            current = line[1:].split('"', 1)[0]
            options[current] = line
        elif current is not None:
            options[current] += "\n" + line
    return options


def _context(cluster: str | None, changes: list[ObjectChange], unchanged: list[Any]) -> Context:
    old_sts = new_sts = None
    for obj in unchanged:
        if obj.get("kind") == "StatefulSet":
            old_sts = new_sts = obj
    for change in changes:
        if change.kind == "StatefulSet" and change.identity[0] == "apps":
            old_sts, new_sts = change.old, change.new
    names = object_names(cluster.rpartition("/")[2]) if cluster else None
    return Context(cluster, old_sts, new_sts, names and names.config, names and names.credentials)


def _restart_hash(statefulset: Any) -> str | None:
    template = _spec(statefulset).get("template") or {}
    annotations = (template.get("metadata") or {}).get("annotations") or {}
    value = annotations.get(RESTART_HASH_ANNOTATION)
    return value if isinstance(value, str) else None


def _spec(obj: Any) -> dict[str, Any]:
    spec = obj.get("spec") if isinstance(obj, dict) else None
    return spec if isinstance(spec, dict) else {}


def _selector(obj: Any) -> Any:
    return _spec(obj).get("selector")


def _claim_templates(obj: Any) -> dict[str, Any]:
    return {t["metadata"]["name"]: t for t in _spec(obj).get("volumeClaimTemplates") or []}


def _storage(claim: Any) -> str:
    return str(((_spec(claim).get("resources") or {}).get("requests") or {}).get("storage", ""))


def _quantity_less(new: str, old: str) -> bool:
    """Whether the new size is smaller (quantities by value: 10240Mi is 10Gi)."""
    before, after = parse_quantity(old), parse_quantity(new)
    return before is not None and after is not None and after < before


def _string_data(secret: Any) -> dict[str, Any]:
    data = secret.get("stringData") or secret.get("data") or {}
    return data if isinstance(data, dict) else {}


def _only_value(secret: Any) -> str:
    values = list(_string_data(secret).values())
    return values[0] if len(values) == 1 and isinstance(values[0], str) else ""
