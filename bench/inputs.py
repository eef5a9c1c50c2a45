"""The benchmark's inputs, all derived from the seed example (fixtures/seed/input.yaml).

- `seed`: the example itself, one NATS object as the managed service documents it (token removed);
- `objects(n)`: one stream of n such objects, each with its own name, the way an Argo CD application holding
  many clusters renders;
- `object_files(n)`: the same n objects as n files of one folder, the way an Argo CD source holds them;
- `users(n)`: one such object with n users, half with a password and half derived from the render key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "seed" / "input.yaml"


def seed_object() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SEED.read_text())
    return document


def objects(count: int) -> str:
    documents = []
    for index in range(count):
        document = seed_object()
        document["metadata"]["name"] = f"nats-example-{index:04d}"
        documents.append(document)
    return yaml.safe_dump_all(documents, sort_keys=False)


def object_files(count: int, folder: Path) -> None:
    """The objects of `objects(count)`, one per file of `folder` (which is made)."""
    folder.mkdir()
    for index in range(count):
        document = seed_object()
        document["metadata"]["name"] = f"nats-example-{index:04d}"
        (folder / f"nats-{index:05d}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))


def users(count: int) -> str:
    document = seed_object()
    document["spec"]["users"] = {
        f"user-{index:04d}": ({"password": f"password-{index:04d}"} if index % 2 else {})
        for index in range(count)
    }
    return yaml.safe_dump(document, sort_keys=False)


def write_all(folder: Path, sizes: dict[str, tuple[int, ...]]) -> dict[str, Path]:
    """Every input as a file in `folder`, by name: seed, objects-N, users-N for the sizes of each kind."""
    files = {"seed": folder / "seed.yaml"}
    files["seed"].write_bytes(SEED.read_bytes())
    makers = {"objects": objects, "users": users}
    for kind, counts in sizes.items():
        for count in counts:
            path = folder / f"{kind}-{count}.yaml"
            path.write_text(makers[kind](count))
            files[path.stem] = path
    return files
