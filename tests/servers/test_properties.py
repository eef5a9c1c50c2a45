"""Property tests over the spec space (hypothesis): the renderer never crashes, valid specs give
deterministic output that the real tools accept, invalid ones give a clean refusal naming the field.

The number of generated cases comes from the hypothesis profile (tests/conftest.py): `ci`, the default,
runs at least 10,000 in all. Rendering is pure and in-process; the real checks are batched: every distinct
nats.conf goes through `nats-server -t` once (in parallel), every object through the Kubernetes schemas
with validators built once per kind. The case count and the slowest case are printed at the end of the run.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from nats_kplugin.documents.reader import Document, parse_stream
from nats_kplugin.documents.writer import dump_documents
from nats_kplugin.entrypoints import cli
from nats_kplugin.entrypoints.click_command import command
from nats_kplugin.pipeline import RenderOptions, render
from nats_kplugin.problems import Location
from nats_kplugin.spec.reading import NATS_OBJECTS
from tests.support import k8s_reader, kubeschema, pods, realcheck
from tests.support.nats_specs import garbage_nats, invalid_nats, valid_nats

pytestmark = pytest.mark.slow  # 5 minutes under the ci profile (10,400 cases, each checked by the real tools)

OPTIONS = RenderOptions(render_key=b"property-render-key")
OTHER_KEY = RenderOptions(render_key=b"another-render-key")
TIMES: list[float] = []
STATS: dict[str, Any] = {"cases": 0, "slowest": 0.0, "slowest_test": "", "configs": 0, "objects": 0}
STATS["read_back"] = 0


class ReadBack:
    """Every stream a property test writes, read back in kubectl's reader (tests/k8syaml) and compared
    with the documents it was written from, types included: one Go process per batch of streams, and the
    verdict once the test's cases are done (an assertion inside a case would make Hypothesis shrink it)."""

    BATCH = 250

    def __init__(self) -> None:
        self.streams: list[str] = []
        self.meant: list[list[Any]] = []
        self.found: list[str] = []

    def add(self, text: str, documents: list[Any]) -> None:
        self.streams.append(text)
        self.meant.append(documents)
        if len(self.streams) >= self.BATCH:
            self._read()

    def _read(self) -> None:
        if self.streams:
            self.found.extend(k8s_reader.mismatches(self.streams, self.meant)[:3])
            STATS["read_back"] += len(self.streams)
            self.streams, self.meant = [], []

    def check(self) -> None:
        self._read()
        assert not self.found, "kubectl reads otherwise:\n" + "\n\n".join(self.found[:3])


@contextmanager
def timed_case(test: str, case: Any) -> Iterator[None]:
    start = time.perf_counter()
    yield
    elapsed = time.perf_counter() - start
    STATS["cases"] += 1
    TIMES.append(elapsed)
    if elapsed > STATS["slowest"]:
        STATS["slowest"], STATS["slowest_test"] = elapsed, f"{test}: {repr(case)[:300]}"


def render_data(data: Any, options: RenderOptions = OPTIONS) -> Any:
    return render([Document(data, Location("<generated>", 0, 1))], options)


SECRET_NAMES = ("-credentials", "-config")


def _outside_secrets(result: Any) -> list[Any]:
    """Everything a render shows except the two Secrets: the other objects and every problem message."""
    objects = [o for o in result.documents if not o["metadata"]["name"].endswith(SECRET_NAMES)]
    return [objects, [str(p) for p in result.problems]]


def _other_credentials(document: dict[str, Any]) -> dict[str, Any]:
    """The same document with every given password changed; rendered with another key, every derived
    password changes too."""
    changed = copy.deepcopy(document)
    for body in (changed["spec"].get("users") or {}).values():
        if body and "password" in body:
            body["password"] = "changed-" + body["password"]
    return changed


def test_valid_specs_render_deterministic_real_output() -> None:
    rendered: dict[str, tuple[dict[str, str], str]] = {}  # nats.conf -> (pod env, the spec, for a failure)
    objects_seen: dict[str, dict[str, Any]] = {}
    read_back = ReadBack()

    @given(valid_nats())
    def case(document: dict[str, Any]) -> None:
        with timed_case("valid", document):
            first = render_data(document)
            assert first.ok, [str(p) for p in first.problems]
            text = dump_documents(first.documents)
            assert dump_documents(render_data(document).documents) == text, "not deterministic"
            assert list(yaml.load_all(text, Loader=yaml.CSafeLoader)) == first.documents, "no read-back"
            read_back.add(text, first.documents)
            # Credentials live only in the two Secrets: changing every one of them changes nothing else.
            other = render_data(_other_credentials(document), OTHER_KEY)
            assert _outside_secrets(other) == _outside_secrets(first), "a credential outside the Secrets"
            for obj in first.documents:
                objects_seen.setdefault(json.dumps(obj, sort_keys=True), obj)
            pod = pods.pods(first.documents)[0]
            rendered.setdefault(pod.config, (pod.env, json.dumps(document)))

    case()
    read_back.check()
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
        with timed_case("invalid", document):
            result = render_data(document)
            assert not result.ok and result.documents == []
            fields = {p.path[: len(path)] for p in result.problems if p.is_error}
            assert path in fields, f"no error names {'.'.join(path)}: {[str(p) for p in result.problems]}"
            done = runner.invoke(command, [], input=yaml.safe_dump(document), env={"NATS_RENDER_KEY": "k"})
            assert done.exit_code == cli.EXIT_INVALID and done.stdout == ""
            assert ".".join(path[:2]) in done.stderr

    case()


def test_garbage_anywhere_never_crashes() -> None:
    read_back = ReadBack()

    @given(garbage_nats())
    def case(document: dict[str, Any]) -> None:
        with timed_case("garbage", document):
            result = render_data(document, RenderOptions(render_key=b"k", default_namespace="ns"))
            if result.ok:
                read_back.add(dump_documents(result.documents), result.documents)
            else:
                assert result.documents == []
                assert all(p.object_ref and p.object_ref.startswith("NATS/") for p in result.problems)

    case()
    read_back.check()


YAML_TEXT = st.text(st.sampled_from(list("ab:-[]{}&*!|>'\"#%@`,? \n\t0123456789.yes~\\")), max_size=60)


def test_raw_streams_never_crash() -> None:
    read_back = ReadBack()

    @given(st.one_of(YAML_TEXT.map(str.encode), st.binary(max_size=60)))
    def case(raw: bytes) -> None:
        with timed_case("raw", raw):
            documents, problems = parse_stream(
                b"apiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\n" + raw, NATS_OBJECTS
            )
            if not problems:
                result = render(documents, OPTIONS)
                if result.ok:
                    read_back.add(dump_documents(result.documents), result.documents)
            for document in parse_stream(raw, NATS_OBJECTS)[0]:
                result = render([document], OPTIONS)
                if result.ok:  # a passed-through document: written as kubectl would read its source
                    read_back.add(dump_documents(result.documents), result.documents)

    case()
    read_back.check()


def summary(write: Callable[[str], None]) -> None:
    if STATS["cases"]:
        ordered = sorted(TIMES)
        median, p99 = ordered[len(ordered) // 2], ordered[len(ordered) * 99 // 100]
        write(f"property tests: median case {median * 1000:.1f} ms, 99th percentile {p99 * 1000:.1f} ms")
        write(
            f"property tests: {STATS['cases']} generated cases, slowest {STATS['slowest'] * 1000:.1f} ms "
            f"({STATS['slowest_test']}); {STATS['configs']} distinct nats.conf checked by nats-server -t, "
            f"{STATS['objects']} distinct objects by the Kubernetes schemas; "
            f"{STATS['read_back']} written streams read back by sigs.k8s.io/yaml"
        )
