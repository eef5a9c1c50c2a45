"""20,001 small documents: over the limit of documents in one input."""


def attack() -> bytes:
    return b"---\na: 1\n" * 20_001
