"""The seed example's promises about what it renders, checked on the pipeline's result in process: the six
objects and the passwords derived from the render key are pure functions of the input and the key.

Moved from tests/golden/test_render.py, which keeps what only the process shows: the same bytes on stdout
anywhere, output fed back, folders and files named as given, exit codes and stderr."""

from __future__ import annotations

from typing import Any

import yaml

from nats_kplugin.documents import writer
from nats_kplugin.documents.reader import parse_stream
from nats_kplugin.pipeline import RenderOptions, render
from nats_kplugin.spec.reading import NATS_OBJECTS
from tests.support import realcheck
from tests.support.fixture_cases import FIXTURES

SEED = FIXTURES / "seed" / "input.yaml"


def rendered(key: bytes) -> list[dict[str, Any]]:
    """The seed rendered with a render key, as the writer writes it and a reader reads it back."""
    documents, problems = parse_stream(SEED.read_bytes(), NATS_OBJECTS, str(SEED))
    assert not problems, [str(p) for p in problems]
    result = render(documents, RenderOptions(render_key=key))
    assert result.ok, [str(p) for p in result.problems]
    return list(yaml.safe_load_all(writer.dump_documents(result.documents)))


def test_derived_passwords_depend_on_the_key_only_through_hmac() -> None:
    def credentials(key: bytes) -> dict[str, str]:
        secret = next(d for d in rendered(key) if d["metadata"]["name"].endswith("-credentials"))
        return dict(secret["stringData"])

    one, same, other = credentials(b"key-one"), credentials(b"key-one"), credentials(b"key-two")
    assert one == same
    assert one["user1"] == other["user1"] == "strongpassword"  # given passwords are kept
    assert one["user2"] != other["user2"]
    assert len(one["user2"]) == 32


def test_seed_renders_the_six_objects_and_every_pod_config_is_accepted() -> None:
    objects = rendered(b"k")
    kinds = [(o["kind"], o["metadata"]["name"]) for o in objects]
    assert kinds == [
        ("Secret", "nats-nats-example-credentials"),
        ("Secret", "nats-nats-example-config"),
        ("Service", "nats-nats-example-headless"),
        ("Service", "nats-nats-example"),
        ("StatefulSet", "nats-nats-example"),
        ("PodDisruptionBudget", "nats-nats-example"),
    ]
    realcheck.assert_server_accepts(objects)
    realcheck.assert_valid_kubernetes(objects)
