"""nats-render: `apps.cozystack.io/v1alpha1` NATS objects into plain, deterministic Kubernetes manifests.

The pipeline, one module per step, data flowing one way:

    documents.py      read YAML streams strictly           -> Document
    spec.py           validate against the JSON Schema      -> NatsSpec
    passwords.py      given or HMAC-derived passwords       -> {user: password}
    server_config.py  generate, merge, normalise, check     -> ServerConfig   (nats_conf.py encodes it)
    manifests.py      Secrets, Services, StatefulSet, PDB   -> [dict]
    output.py         one YAML stream                       -> str

`pipeline.py` runs the steps; `cli.py` is the command line on top. Every check returns `problems.Problem`
values instead of raising.
"""

__version__ = "0.1.0"
