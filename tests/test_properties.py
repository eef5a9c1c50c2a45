"""Property tests over the spec space (hypothesis): the renderer never crashes, valid specs give
deterministic output that the real tools accept, invalid ones give a clean refusal naming the field.

The number of generated cases comes from the hypothesis profile (tests/conftest.py): `ci`, the default,
runs at least 10,000 in all. Rendering is pure and in-process; the real checks are batched: every distinct
nats.conf goes through `nats-server -t` once (in parallel), every object through the Kubernetes schemas
with validators built once per kind. The case count and the slowest case are printed at the end of the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import kubeschema
import pods
import realcheck
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from nats_specs import garbage_nats, invalid_nats, valid_nats

from nats_kplugin import cli
from nats_kplugin.documents import Document, parse_stream
from nats_kplugin.output import dump_documents
from nats_kplugin.passwords import derive_password
from nats_kplugin.pipeline import RenderOptions, render
from nats_kplugin.problems import Location

OPTIONS = RenderOptions(render_key=b"property-render-key")
STATS: dict[str, Any] = {"cases": 0, "slowest": 0.0, "slowest_test": "", "configs": 0, "objects": 0}


@contextmanager
def timed_case(test: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    elapsed = time.perf_counter() - start
    STATS["cases"] += 1
    if elapsed > STATS["slowest"]:
        STATS["slowest"], STATS["slowest_test"] = elapsed, test


def render_data(data: Any, options: RenderOptions = OPTIONS) -> Any:
    return render([Document(data, Location("<generated>", 0, 1))], options)


def _secrets_only_in_secrets(objects: list[dict[str, Any]], secrets: list[str], problems: list[Any]) -> None:
    """Passwords appear in the two Secrets and nowhere else: not in other objects, labels, messages."""
    for obj in objects:
        if obj["kind"] == "Secret":
            continue
        text = yaml.safe_dump(obj)
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{obj['kind']}/{obj['metadata']['name']} holds a password"
    messages = "\n".join(str(p) for p in problems)
    assert not [s for s in secrets if s in messages], "a password in a problem message"


def _secrets(document: dict[str, Any]) -> list[str]:
    """The passwords of a document long enough not to occur by chance, given and derived, and the key."""
    found = [OPTIONS.render_key.decode()] if OPTIONS.render_key else []
    metadata = document["metadata"]
    for user, body in (document["spec"].get("users") or {}).items():
        given = (body or {}).get("password")
        if given is None and OPTIONS.render_key:
            given = derive_password(OPTIONS.render_key, metadata.get("namespace", ""), metadata["name"], user)
        if given and len(given) >= 16:
            found.append(given)
    return found


def test_valid_specs_render_deterministic_real_output() -> None:
    rendered: dict[str, tuple[dict[str, str], str]] = {}  # nats.conf -> (pod env, the spec, for a failure)
    objects_seen: dict[str, dict[str, Any]] = {}

    @given(valid_nats())
    def case(document: dict[str, Any]) -> None:
        with timed_case("valid"):
            first = render_data(document)
            assert first.ok, [str(p) for p in first.problems]
            text = dump_documents(first.documents)
            assert dump_documents(render_data(document).documents) == text, "not deterministic"
            assert list(yaml.safe_load_all(text)) == first.documents, "the YAML stream does not read back"
            _secrets_only_in_secrets(first.documents, _secrets(document), first.problems)
            for obj in first.documents:
                objects_seen.setdefault(yaml.safe_dump(obj), obj)
            pod = pods.pods(first.documents)[0]
            rendered.setdefault(pod.config, (pod.env, yaml.safe_dump(document)))

    case()
    STATS["objects"] += len(objects_seen)
    for obj in objects_seen.values():
        assert not kubeschema.errors(obj), kubeschema.errors(obj)
    STATS["configs"] += len(rendered)
    with ThreadPoolExecutor(max_workers=4) as pool:
        checked = pool.map(lambda item: (item, realcheck.check_config(item[0], item[1][0])), rendered.items())
        for (config, (_, spec)), done in checked:
            assert done.returncode == 0, (
                f"nats-server -t refused:\n{done.stderr}\nconfig:\n{config}\nspec:\n{spec}"
            )


def test_invalid_specs_are_refused_naming_the_field() -> None:
    runner = CliRunner()

    @given(invalid_nats())
    def case(mistake: tuple[dict[str, Any], tuple[str, ...]]) -> None:
        document, path = mistake
        with timed_case("invalid"):
            result = render_data(document)
            assert not result.ok and result.documents == []
            fields = {p.path[: len(path)] for p in result.problems if p.is_error}
            assert path in fields, f"no error names {'.'.join(path)}: {[str(p) for p in result.problems]}"
            done = runner.invoke(
                cli.command, [], input=yaml.safe_dump(document), env={"NATS_RENDER_KEY": "k"}
            )
            assert done.exit_code == cli.EXIT_INVALID and done.stdout == ""
            assert ".".join(path[:2]) in done.stderr

    case()


def test_garbage_anywhere_never_crashes() -> None:
    @given(garbage_nats())
    def case(document: dict[str, Any]) -> None:
        with timed_case("garbage"):
            result = render_data(document, RenderOptions(render_key=b"k", default_namespace="ns"))
            if result.ok:
                dump_documents(result.documents)
            else:
                assert result.documents == []
                assert all(p.object_ref and p.object_ref.startswith("NATS/") for p in result.problems)

    case()


YAML_TEXT = st.text(st.sampled_from(list("ab:-[]{}&*!|>'\"#%@`,? \n\t0123456789.yes~\\")), max_size=60)


def test_raw_streams_never_crash() -> None:
    @given(st.one_of(YAML_TEXT.map(str.encode), st.binary(max_size=60)))
    def case(raw: bytes) -> None:
        with timed_case("raw"):
            documents, problems = parse_stream(b"apiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\n" + raw)
            if not problems:
                result = render(documents, OPTIONS)
                if result.ok:
                    dump_documents(result.documents)
            for document in parse_stream(raw)[0]:
                render([document], OPTIONS)

    case()


def summary(write: Callable[[str], None]) -> None:
    if STATS["cases"]:
        write(
            f"property tests: {STATS['cases']} generated cases, slowest {STATS['slowest'] * 1000:.1f} ms "
            f"({STATS['slowest_test']}); {STATS['configs']} distinct nats.conf checked by nats-server -t, "
            f"{STATS['objects']} distinct objects by the Kubernetes schemas"
        )
