"""One 5 MiB scalar: over the 4 MiB document limit."""


def attack() -> bytes:
    return b'a: "' + b"x" * (5 * 1024 * 1024) + b'"\n'
