"""nats-render: `apps.cozystack.io/v1alpha1` NATS objects into plain, deterministic Kubernetes manifests.

The pipeline, one folder per zone, data flowing one way (`pipeline.py` runs it, pure, no I/O, and checks
the stream as a whole: every object once, near misses of the NATS kind):

    documents/sources.py, reader.py   read YAML streams strictly                -> Document
    spec/model.py                     validate against the JSON Schema          -> NatsSpec
    spec/passwords.py                 given or HMAC-derived passwords           -> {user: password}
    nats_server/config.py             generate, merge config.merge, check       -> config, ServerLayout
                                      (resolver.py, tls.py, checks.py; encoder.py writes nats.conf)
    kubernetes/objects.py             Secrets, Services, StatefulSet, PDB       -> [dict]
                                      (certificates.py: cert-manager; metrics.py: exporter, PodMonitor;
                                      network_policy.py: the opt-in NetworkPolicy)
    documents/writer.py               one YAML stream                           -> str

Each zone's `__init__.py` maps its modules. Every check returns `problems.Problem` values, each with a code
of `codes.py`, instead of raising. The values passed between steps are immutable `typing.NamedTuple`s, not
dataclasses, whose import and generated methods took 40% of a cold render (docs/performance.md). The
modules that define them do without `from __future__ import annotations`: typing compiles each string
annotation of a NamedTuple, and the first compile() of a process costs more than a seed render's work
(tests/units/test_import_budget.py).

Beside the render path, `plan/` (`nats-render plan`): both sides rendered through `pipeline.render_each`,
their objects compared, and one verdict per change; nothing in the render path imports it.

On top, in `entrypoints/` and imported by nothing below them, the entry points: `cli.py` (`nats-render`;
`arguments.py` reads a well-formed command line, `click_command.py` answers everything else), `argocd.py`,
`kustomize.py` and `krm.py`; `process.py` is what they share as processes (key, report, exit codes).
"""

__version__ = "0.1.0"
