"""10,001 minimal NATS objects: over the limit of NATS objects in one input."""


def attack() -> bytes:
    return "".join(
        f"---\napiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata:\n  name: n{index}\n"
        for index in range(10_001)
    ).encode()
