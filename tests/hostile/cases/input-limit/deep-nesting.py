"""A mapping nested 300 levels deep: past MAX_DEPTH, before any recursive code sees it."""


def attack() -> bytes:
    return "".join("  " * level + "k:\n" for level in range(300)).encode()
