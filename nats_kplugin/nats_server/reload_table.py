"""What nats-server 2.15.1 applies on a reload signal (SIGHUP, which the config reloader sends when the
mounted nats.conf changes), as data: the restart hash of the pod template covers everything else, so the
pods roll exactly for what the server cannot reload. Held option by option to the booted binary by
tests/live/test_reload.py: a running server, a changed option, SIGHUP, then the same PID and the server's
own verdict ("Reloaded: ..." or "Failed to reload").
"""

# Top-level options (canonical spellings, option_table.py) nats-server applies on a reload signal (checked
# against the real server by tests/live/test_reload.py). A change elsewhere changes the pod template's
# restart hash, so Kubernetes rolls the pods. Not here, because nats-server 2.15.1 refuses to reload them:
# no_auth_user, max_pending, lame_duck_duration, lame_duck_grace_period.
RELOADABLE_KEYS = frozenset(
    {
        "accounts",
        "authorization",
        "debug",
        "trace",
        "trace_verbose",
        "logtime",
        "logtime_utc",
        "log_file",
        "log_size_limit",
        "syslog",
        "remote_syslog",
        "max_connections",
        "max_control_line",
        "max_payload",
        "ping_interval",
        "ping_max",
        "write_deadline",
        "max_traced_msg_len",
        "connect_error_reports",
        "reconnect_error_reports",
    }
)
# Settings inside the `cluster` block that nats-server reloads; the rest of the block (name, port) stays in
# the restart hash. The routes reload ("Reloaded: cluster routes"), so a change of replicas rolls no pod:
# the servers that stay take the new route list on the reloader's signal.
RELOADABLE_CLUSTER_KEYS = frozenset({"pool_size", "compression", "no_advertise", "routes"})
# Settings inside the `jetstream` block that stay out of the restart hash. nats-server reloads a larger
# max_file_store ("Reloaded: JetStream max_file_store") and refuses a smaller one ("config reload not
# supported for decreasing jetstream max memory and store"); the hash sees only the new value, so it cannot
# tell the two apart. Left out on purpose: the size follows spec.jetstream.size, a claim only grows, and a
# smaller size has no way through in place (docs/volumes.md), so a restart onto a limit the running server
# refused would buy nothing. max_memory_store stays in: lowering it is a change a restart does apply.
RELOADABLE_JETSTREAM_KEYS = frozenset({"max_file_store"})
