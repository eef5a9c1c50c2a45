"""A manifest saved as UTF-16 (with a byte order mark), as some Windows editors do."""

HEADER = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: utf16\n"


def attack() -> bytes:
    return HEADER.encode("utf-16")
