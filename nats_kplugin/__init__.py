"""nats-render: `apps.cozystack.io/v1alpha1` NATS objects into plain, deterministic Kubernetes manifests.

The pipeline, one module per step, data flowing one way (`pipeline.py` runs it, pure, no I/O, and checks
the stream as a whole: every object once, near misses of the NATS kind):

    documents.py           read YAML streams strictly            -> Document
    spec.py                validate against the JSON Schema      -> NatsSpec (schema_check.py: fast yes;
                           spec_schema.py loads it, spec_messages.py words its errors, presets.py sizes)
    passwords.py           given or HMAC-derived passwords       -> {user: password}
    nats_server/resolver.py  config.resolver, either shape       -> raw block, claim
    nats_server/config.py  generate, merge, normalise            -> config   (nats_server/encoder.py: text)
    nats_server/tls.py     tls blocks, routes by full name       -> config
    nats_server/checks.py  what nats-server refuses or can't run -> [Problem] (nats_server/listeners.py)
    nats_server/config.py  describe the listeners and names      -> ServerLayout
    manifests.py           Secrets, Services, StatefulSet, PDB   -> [dict]
                           (certificates.py: cert-manager objects; metrics.py: exporter, PodMonitor)
    output.py              one YAML stream                       -> str

Every check returns `problems.Problem` values instead of raising; `quantities.py` reads Kubernetes sizes.
The values passed between steps are immutable `typing.NamedTuple`s, not dataclasses, whose import and
generated methods took 40% of a cold render (docs/performance.md). The modules that define them do without
`from __future__ import annotations`: typing compiles each string annotation of a NamedTuple, and the first
compile() of a process costs more than a seed render's work (tests/units/test_import_budget.py).

On top, in `entrypoints/` and imported by nothing below them, the entry points: `cli.py` (`nats-render`;
`arguments.py` reads a well-formed command line, `click_command.py` answers everything else), `argocd.py`,
`kustomize.py` and `krm.py`; `invocation.py` is what they share as processes (key, report, exit codes).
"""

__version__ = "0.1.0"
