"""The render options, stated once: every entry point reads its options through this table.

Each `Option` says how one option is spelt on every surface: the command line (flags, help, the variable
click also reads), the kustomize plugins' NATS_RENDER_* variable, the Argo CD plugin parameter and its plugin
env, the default, how a value is checked and read, and the `RenderOptions` field it sets. From it:
arguments.py reads a well-formed command line without click, click_command.py builds the click command,
argocd.py its `PARAMETERS`, and `from_environment` / `environment_of` the kustomize plugins' variables.
plugin.yaml and the README's option tables are written by hand and held to this table by tests
(tests/plugins/test_options.py); adding an option is adding an entry here, and those tests then name the lines
plugin.yaml and the README lack.

No click here: the command line's fast path imports this module.
"""

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from ..kubernetes.certificates import check_cluster_domain, parse_issuer
from ..kubernetes.network_policy import DEFAULT_SCRAPER_NAMESPACE, check_namespace
from ..kubernetes.objects import EXPORTER_IMAGE, NATS_IMAGE, RELOADER_IMAGE, Images
from ..nats_server.tls import DEFAULT_CLUSTER_DOMAIN
from ..pipeline import RenderOptions
from . import process
from .process import KEY_ENV, KEY_FILE_ENV


def _namespace(value: str, setting: str) -> str | None:
    return process.text_setting(value, setting) or None


def _issuer_check(value: str) -> object:
    # What the command line refuses; an empty value means none (the self-signed chain).
    return parse_issuer(value) if value else None


class Option(NamedTuple):
    """One render option on every surface; None where a surface does not offer it."""

    name: str  # as the messages name it: "the <name> ..."
    flags: tuple[str, ...]  # on the command line
    field: str  # click's parameter name, the key in Arguments.values
    help: str  # click's --help text
    default: str | bool | None = None  # the command line's default; a flag's is False
    is_flag: bool = False  # a command-line flag; true/false text elsewhere
    metavar: str | None = None  # click's name for the value (None: click's own, FILE for a file)
    is_file: bool = False  # a file to read: click.Path(dir_okay=False), and the fast path's same check
    cli_env: str | None = None  # the variable the command line reads when the option is not given
    env: str | None = None  # the kustomize plugins' variable (also the Argo CD kustomize path's)
    parameter: str | None = None  # the Argo CD plugin parameter ...
    argocd_env: str | None = None  # ... and its plugin env (Argo CD passes it as ARGOCD_ENV_<NAME>)
    check: Callable[[str], object] | None = None  # raises ValueError for a value the command line refuses
    # (text, setting) -> the RenderOptions value, or a UsageError naming the setting; None: text, refused
    # when it is not UTF-8 in a message that names the option itself ("the nats-server image ...")
    parse: Callable[[str, str], Any] | None = None
    render: str | None = None  # the RenderOptions field it sets (`images.<part>` for an image)

    @property
    def text_default(self) -> str:
        """The default as the text a variable or a parameter holds (what plugin.yaml announces)."""
        if self.is_flag:
            return "false"
        return "" if self.default is None else str(self.default)

    def read(self, text: str, setting: str) -> Any:
        """The value of this option from a variable or a parameter (`setting` names it in a message)."""
        if self.is_flag:
            return process.parse_bool(text, setting)
        if text == self.default:  # ours, and read as itself (a test holds it): checking it compiled patterns
            return self.default
        if self.parse is None:
            return process.text_setting(text, f"the {self.name}")
        return self.parse(text, setting)


OPTIONS: tuple[Option, ...] = (
    Option(
        "key file",
        ("--key-file",),
        "key_file",
        f"File holding the render key for derived passwords (env {KEY_FILE_ENV}); "
        f"otherwise the key is read from {KEY_ENV}.",
        is_file=True,
        cli_env=KEY_FILE_ENV,
    ),
    Option(
        "namespace",
        ("-n", "--namespace"),
        "default_namespace",
        "Namespace for NATS objects that name none.",
        metavar="NAMESPACE",
        env="NATS_RENDER_NAMESPACE",
        parse=_namespace,
        render="default_namespace",
    ),
    Option(
        "nats-server image",
        ("--nats-image",),
        "nats_image",
        "Image of nats-server.",
        default=NATS_IMAGE,
        env="NATS_RENDER_NATS_IMAGE",
        parameter="nats-image",
        argocd_env="NATS_IMAGE",
        render="images.nats",
    ),
    Option(
        "reloader image",
        ("--reloader-image",),
        "reloader_image",
        "Image of the config reloader sidecar.",
        default=RELOADER_IMAGE,
        env="NATS_RENDER_RELOADER_IMAGE",
        parameter="reloader-image",
        argocd_env="RELOADER_IMAGE",
        render="images.reloader",
    ),
    Option(
        "exporter image",
        ("--exporter-image",),
        "exporter_image",
        "Image of the prometheus-nats-exporter sidecar.",
        default=EXPORTER_IMAGE,
        env="NATS_RENDER_EXPORTER_IMAGE",
        parameter="exporter-image",
        argocd_env="EXPORTER_IMAGE",
        render="images.exporter",
    ),
    Option(
        "cluster domain",
        ("--cluster-domain",),
        "cluster_domain",
        "DNS domain of the cluster, in the names of the TLS certificate.",
        default=DEFAULT_CLUSTER_DOMAIN,
        env="NATS_RENDER_CLUSTER_DOMAIN",
        parameter="cluster-domain",
        argocd_env="CLUSTER_DOMAIN",
        check=check_cluster_domain,
        parse=process.parse_cluster_domain,
        render="cluster_domain",
    ),
    Option(
        "TLS issuer",
        ("--tls-issuer",),
        "tls_issuer",
        "Issue TLS certificates with an existing Issuer/NAME or ClusterIssuer/NAME instead of a "
        "self-signed CA per cluster.",
        metavar="KIND/NAME",
        env="NATS_RENDER_TLS_ISSUER",
        parameter="tls-issuer",
        argocd_env="TLS_ISSUER",
        check=_issuer_check,
        parse=process.parse_tls_issuer,
        render="tls_issuer",
    ),
    Option(
        "PodMonitor",
        ("--pod-monitor",),
        "pod_monitor",
        "Add a PodMonitor (monitoring.coreos.com/v1) per cluster; needs the Prometheus Operator's CRDs.",
        is_flag=True,
        env="NATS_RENDER_POD_MONITOR",
        parameter="pod-monitor",
        argocd_env="POD_MONITOR",
        render="pod_monitor",
    ),
    Option(
        "NetworkPolicy",
        ("--network-policy",),
        "network_policy",
        "Add a NetworkPolicy per cluster: clients, leaf nodes and gateways from anywhere, routes from the "
        "cluster's own pods, monitor and metrics from the scraper's namespace (docs/network-policy.md).",
        is_flag=True,
        env="NATS_RENDER_NETWORK_POLICY",
        parameter="network-policy",
        argocd_env="NETWORK_POLICY",
        render="network_policy",
    ),
    Option(
        "scraper namespace",
        ("--scraper-namespace",),
        "scraper_namespace",
        "With --network-policy: the namespace whose pods may read the monitor and metrics ports.",
        default=DEFAULT_SCRAPER_NAMESPACE,
        metavar="NAMESPACE",
        env="NATS_RENDER_SCRAPER_NAMESPACE",
        parameter="scraper-namespace",
        argocd_env="SCRAPER_NAMESPACE",
        check=check_namespace,
        parse=process.parse_scraper_namespace,
        render="scraper_namespace",
    ),
    Option(
        "managed-service names",
        ("--managed-service-names",),
        "managed_service_names",
        "Keep the managed service's selector labels, JetStream claim and account names, to take over "
        "its running cluster with its data (see the README's takeover runbook).",
        is_flag=True,
        env="NATS_RENDER_MANAGED_SERVICE_NAMES",
        parameter="managed-service-names",
        argocd_env="MANAGED_SERVICE_NAMES",
        render="managed_service_names",
    ),
    Option(
        "strict mode",
        ("--strict",),
        "strict",
        "Treat warnings as errors (information stays information).",
        is_flag=True,
        env="NATS_RENDER_STRICT",
        parameter="strict",
        argocd_env="STRICT",
        render="strict",
    ),
    Option(
        "print schema",
        ("--print-schema",),
        "print_schema",
        "Print the JSON Schema of the NATS object and exit.",
        is_flag=True,
    ),
)


class Arguments(NamedTuple):
    """The command line as one value: the paths, and every option's value by field (click's reading)."""

    paths: tuple[str, ...]
    values: Mapping[str, Any]  # str | bool | None, as click gives them


def render_options(values: Mapping[str, Any], render_key: bytes | None) -> RenderOptions:
    """RenderOptions from the read values of the options, by field (an option left out keeps its default)."""
    fields: dict[str, Any] = {}
    images: dict[str, str] = {}
    for option in OPTIONS:
        if option.render is None or option.field not in values:
            continue
        group, _, part = option.render.partition(".")
        if part:
            images[part] = values[option.field]
        else:
            fields[group] = values[option.field]
    return RenderOptions(render_key=render_key, images=Images()._replace(**images), **fields)


def command_line_options(arguments: Arguments, render_key: bytes | None) -> RenderOptions:
    """RenderOptions from the command line's values (already checked by click or the fast reading). As
    with kubectl, `-n` is where the objects land, so an object naming another namespace is refused."""
    values = {}
    for option in OPTIONS:
        if option.render is not None:
            value = arguments.values[option.field]
            values[option.field] = (
                option.read(value, f"the {option.name}") if isinstance(value, str) else value
            )
    options = render_options(values, render_key)
    return options._replace(namespace_from="--namespace") if options.default_namespace else options


def from_environment(environ: Mapping[str, str]) -> RenderOptions:
    """Render options of the kustomize plugins: the NATS_RENDER_* variables, the defaults where unset or
    empty; a value that is wrong is a UsageError naming its variable."""
    render_key = process.render_key(environ)
    values = {}
    for option in OPTIONS:
        if option.env is not None:
            values[option.field] = option.read(environ.get(option.env) or option.text_default, option.env)
    return render_options(values, render_key)


def environment_of(options: RenderOptions) -> dict[str, str]:
    """The NATS_RENDER_* variables that from_environment reads back as `options` (the render key aside:
    it travels in the caller's own environment, never re-encoded)."""
    environment: dict[str, str] = {}
    for option in OPTIONS:
        if option.env is None or option.render is None:
            continue
        group, _, part = option.render.partition(".")
        value = getattr(getattr(options, group), part) if part else getattr(options, group)
        if isinstance(value, bool):
            environment[option.env] = "true" if value else "false"
        else:
            environment[option.env] = "" if value is None else str(value)
    return environment
