"""Live: the rendered StatefulSet run as real nats-server processes in network namespaces (needs root)."""
