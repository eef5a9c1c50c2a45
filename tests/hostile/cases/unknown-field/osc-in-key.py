"""A key carrying terminal control sequences (an OSC title, an OSC 52 clipboard write ended by ST, an 8-bit
CSI, ESC c which resets a terminal) into a field path, as YAML escapes: each sequence is dropped from the
problem line, so the path reads `spec.abcde`."""


def attack() -> bytes:
    key = r"a\e]0;owned\ab\e]52;c;SGVsbG8=\e\\c\x9b31md\ece"
    return (
        "apiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata:\n  name: hostile\nspec:\n"
        f'  "{key}": 1\n'
    ).encode()
