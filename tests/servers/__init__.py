"""Servers: against a real nats-server or the real Go YAML reader (vocabulary, merge, credentials, ...)."""
