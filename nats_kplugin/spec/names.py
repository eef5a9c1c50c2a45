"""Every name the objects of one NATS object carry, and the labels that say whose they are.

The names follow the managed service (SPEC section 3), so clients and tooling written for it keep working:
for `metadata.name: X` everything is named after `nats-X`.
"""

from typing import NamedTuple

# The managed service installs the upstream nats chart as the Helm release `nats-X-system` (its
# HelmRelease) with fullnameOverride `nats-X`; the chart selects its pods by these, and names its JetStream
# claim template `<fullname>-js` (SPEC section 12). --managed-service-names keeps them, for a takeover.
MANAGED_SERVICE_RELEASE_SUFFIX = "-system"
INSTANCE_LABEL = "app.kubernetes.io/instance"
MANAGED_BY = ("app.kubernetes.io/managed-by", "nats-render")  # on every rendered object


class ObjectNames(NamedTuple):
    """The names of one cluster's objects, all derived from `full` (`nats-X`)."""

    full: str  # the client Service, the StatefulSet, the PDB, the PodMonitor, the cluster's name

    @property
    def headless(self) -> str:
        """The headless Service that gives each pod its DNS name, and the StatefulSet's serviceName."""
        return f"{self.full}-headless"

    @property
    def gateway(self) -> str:
        """The Service of a supercluster member's gateway port."""
        return f"{self.full}-gateway"

    @property
    def credentials(self) -> str:
        """The Secret of the users' passwords, one key per user."""
        return f"{self.full}-credentials"

    @property
    def config(self) -> str:
        """The Secret of nats.conf (a Secret: it holds passwords)."""
        return f"{self.full}-config"

    @property
    def tls(self) -> str:
        """The server certificate, and the Secret cert-manager writes it to."""
        return f"{self.full}-tls"

    @property
    def selfsigned_issuer(self) -> str:
        return f"{self.full}-selfsigned"

    @property
    def ca(self) -> str:
        """The CA certificate, its Secret and the Issuer that signs with it."""
        return f"{self.full}-ca"

    @property
    def managed_store_volume(self) -> str:
        """The managed service's JetStream claim template (`<fullname>-js`)."""
        return f"{self.full}-js"

    @property
    def resolver_claim(self) -> str:
        """The chart-shaped resolver's own claim template, unless it names one."""
        return f"{self.full}-resolver"

    @property
    def instances(self) -> tuple[str, str]:
        """The instance label of the cluster's objects: the renderer's own, and the managed service's."""
        return self.full, self.full + MANAGED_SERVICE_RELEASE_SUFFIX

    def pod(self, index: int) -> str:
        return f"{self.full}-{index}"

    def route_urls(self, replicas: int, port: int, domain: str = "") -> list[str]:
        """A route to every pod by its name under the headless Service (`nats-X-N.nats-X-headless`),
        followed by `domain` (`.NS.svc.cluster.local`) where the name must be the full one."""
        return [f"nats://{self.pod(index)}.{self.headless}{domain}:{port}" for index in range(replicas)]


def object_names(name: str) -> ObjectNames:
    """The names for the NATS object `name`: `nats-<name>`, as the managed service."""
    return ObjectNames(f"nats-{name}")
