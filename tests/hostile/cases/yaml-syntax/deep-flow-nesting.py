"""A flow list nested 100,000 levels deep: libyaml stops at 1000, long before the C stack."""


def attack() -> bytes:
    return b"a: " + b"[" * 100_000 + b"]" * 100_000 + b"\n"
