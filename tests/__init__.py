"""The test suite of nats-render, a package: support code is imported as `tests.support.<module>`."""
