"""The nats-server zone: everything that knows nats-server's configuration language.

option_table.py  nats-server's options as data (blocks, spellings, kinds): the table a maintainer refreshes
values.py        values as nats-server reads them: sizes, durations, host:port
merge_reader.py  config.merge read through the table: canonical spellings, values, paths
config.py        generate the renderer's configuration, merge config.merge into it, describe
resolver.py      config.resolver, either shape, and the claim it needs
pod_filesystem.py  the pod's folders, volumes and paths, and the resolver's claim
secret_files.py  Secrets for the server's own files and values: /etc/nats-secrets/<secret>/<key>, the volume
topology.py      the cluster among others (gateways, leaf nodes): server names, an edge's JetStream domain
leaf_domains.py  the JetStream domains of edges and hubs rendered together, checked over the whole stream
members.py       a supercluster's members, each rendered alone, checked as a set (`nats-render members`)
reload_table.py  what nats-server applies on a reload signal; the restart hash covers the rest
tls.py           the tls blocks, and routes by the names the certificate covers
tls_values.py    TLS versions and cipher suites as the pinned nats-server takes them
checks.py        combinations nats-server refuses or accepts but cannot run in the pod
auth_checks.py   the same for authentication: users beside spec.users, open servers, operator mode
start_rules.py   what nats-server checks only at start (passes -t, then exits), as data
listeners.py     where the merged configuration listens, so the pod and Services can follow it
encoder.py       the one writer of nats.conf text
"""
