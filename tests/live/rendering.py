"""The NATS objects the live tests run: the seed example (fixtures/seed) and variants of it, rendered by
the real pipeline and read back from the YAML stream it writes, exactly as Argo CD would apply it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from nats_kplugin.documents import writer as output
from nats_kplugin.documents.reader import parse_stream
from nats_kplugin.pipeline import RenderOptions, render
from nats_kplugin.spec.reading import NATS_OBJECTS

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed" / "input.yaml"
SEED_AS_WRITTEN = SEED.parents[1] / "seed-as-written" / "input.yaml"
RENDER_KEY = b"live-test-render-key"


def seed() -> dict[str, Any]:
    """The seed example without its token, as a document to vary."""
    loaded: dict[str, Any] = yaml.safe_load(SEED.read_text())
    return loaded


def removed_token() -> str:
    """The token the published seed example carries and the rendered example must not accept."""
    token: str = yaml.safe_load(SEED_AS_WRITTEN.read_text())["spec"]["config"]["merge"]["authorization"][
        "token"
    ]
    return token


def with_merge(document: dict[str, Any], merge: dict[str, Any]) -> dict[str, Any]:
    """`document` with `merge` deep-merged into its spec.config.merge."""
    changed = copy.deepcopy(document)
    target = changed["spec"].setdefault("config", {}).setdefault("merge", {})
    _deep_update(target, merge)
    return changed


def _deep_update(target: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_update(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def rendered(document: dict[str, Any], **options: Any) -> list[dict[str, Any]]:
    """The objects of one NATS document (with render `options`, e.g. cluster_domain); fails on any error,
    as a render with errors writes nothing."""
    documents, problems = parse_stream(yaml.safe_dump(document).encode(), NATS_OBJECTS, "live-test")
    assert not problems, problems
    result = render(documents, RenderOptions(render_key=RENDER_KEY, **options))
    assert result.ok, [str(p) for p in result.problems]
    return [d for d in yaml.safe_load_all(output.dump_documents(result.documents)) if d]


def credentials(objects: list[dict[str, Any]]) -> dict[str, str]:
    """user -> password, from the rendered credentials Secret."""
    secret = next(
        o for o in objects if o["kind"] == "Secret" and o["metadata"]["name"].endswith("-credentials")
    )
    return {user: str(password) for user, password in secret["stringData"].items()}
