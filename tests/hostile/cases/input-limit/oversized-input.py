"""33 MiB of small documents: over the 32 MiB input limit, refused before parsing."""


def attack() -> bytes:
    return b"---\na: 1\n" * (33 * 1024 * 1024 // 9 + 1)
