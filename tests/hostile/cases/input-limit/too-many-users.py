"""One NATS object with 10,001 users, none with a password and no render key: over the users limit,
refused as it is read rather than located 10,001 times."""


def attack() -> bytes:
    users = "".join(f"    u{index}: {{}}\n" for index in range(10_001))
    head = "apiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata:\n  name: hostile\nspec:\n  users:\n"
    return (head + users).encode()
