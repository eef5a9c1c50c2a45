"""A flat list of 2 million one-character items in under 4 MiB: refused while composing, not after."""


def attack() -> bytes:
    return b"a: [" + b"1," * 2_000_000 + b"1]\n"
