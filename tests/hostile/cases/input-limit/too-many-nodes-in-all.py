"""Twenty documents of 150,000 nodes: each under the per-document limit, 3 million over the 1 million."""


def attack() -> bytes:
    return (b"---\na: [" + b"1," * 150_000 + b"1]\n") * 20
