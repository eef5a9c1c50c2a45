"""The command line as click defines it: options, help, version, and every usage error in click's words.

A well-formed command line never gets here (arguments.quick_parse reads it without importing click); this
is the one description of the interface, and what answers `--help`, `--version` and every mistake.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import click

from .. import __version__
from ..certificates import check_cluster_domain, parse_issuer
from ..manifests import EXPORTER_IMAGE, NATS_IMAGE, RELOADER_IMAGE
from ..nats_server.tls import DEFAULT_CLUSTER_DOMAIN
from .arguments import KEY_ENV, KEY_FILE_ENV, Arguments
from .cli import run
from .invocation import UsageError, render_key


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=True, allow_dash=True))
@click.option(
    "--key-file",
    envvar=KEY_FILE_ENV,
    type=click.Path(dir_okay=False),
    help=f"File holding the render key for derived passwords (env {KEY_FILE_ENV}); "
    f"otherwise the key is read from {KEY_ENV}.",
)
@click.option(
    "-n",
    "--namespace",
    "default_namespace",
    metavar="NAMESPACE",
    help="Namespace for NATS objects that name none.",
)
@click.option("--nats-image", default=NATS_IMAGE, show_default=True, help="Image of nats-server.")
@click.option(
    "--reloader-image",
    default=RELOADER_IMAGE,
    show_default=True,
    help="Image of the config reloader sidecar.",
)
@click.option(
    "--exporter-image",
    default=EXPORTER_IMAGE,
    show_default=True,
    help="Image of the prometheus-nats-exporter sidecar.",
)
@click.option(
    "--cluster-domain",
    default=DEFAULT_CLUSTER_DOMAIN,
    show_default=True,
    callback=lambda _ctx, _param, value: _checked(check_cluster_domain, value),
    help="DNS domain of the cluster, in the names of the TLS certificate.",
)
@click.option(
    "--tls-issuer",
    metavar="KIND/NAME",
    callback=lambda _ctx, _param, value: value and _checked(parse_issuer, value) and value,
    help="Issue TLS certificates with an existing Issuer/NAME or ClusterIssuer/NAME instead of a "
    "self-signed CA per cluster.",
)
@click.option(
    "--pod-monitor",
    is_flag=True,
    help="Add a PodMonitor (monitoring.coreos.com/v1) per cluster; needs the Prometheus Operator's CRDs.",
)
@click.option(  # takeover (SPEC section 12); for the option table
    "--managed-service-names",
    is_flag=True,
    help="Keep the managed service's selector labels, JetStream claim and account names, to take over "
    "its running cluster with its data (see the README's takeover runbook).",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors (information stays information).")
@click.option("--print-schema", is_flag=True, help="Print the JSON Schema of the NATS object and exit.")
@click.version_option(__version__, prog_name="nats-render")
def command(
    paths: tuple[str, ...],
    key_file: str | None,
    default_namespace: str | None,
    nats_image: str,
    reloader_image: str,
    exporter_image: str,
    cluster_domain: str,
    tls_issuer: str | None,
    pod_monitor: bool,
    managed_service_names: bool,
    strict: bool,
    print_schema: bool,
) -> None:
    """Render NATS objects (apps.cozystack.io/v1alpha1) in PATHS (files or folders; stdin when none)
    into Kubernetes manifests on stdout. Every other document passes through unchanged."""
    arguments = Arguments(
        paths,
        key_file,
        default_namespace,
        nats_image,
        reloader_image,
        strict,
        print_schema,
        exporter_image,
        cluster_domain,
        tls_issuer,
        pod_monitor,
        managed_service_names,  # takeover; for the option table
    )
    try:
        key = None if arguments.print_schema else render_key(os.environ, arguments.key_file)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    sys.exit(run(arguments, key))


def _checked(check: Callable[[str], object], value: str) -> str:
    """An option value the renderer accepts, or click's usage error with the renderer's reason."""
    try:
        check(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value
