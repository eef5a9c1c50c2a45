"""Sizes in config.merge are read as the booted nats-server reads them (issue 17, SPEC section 4).

For a sample of every suffix spelling (each letter, each of b/i/ib, in several cases), the real nats-server
is booted on 127.0.0.1 with the value written unquoted for max_payload, max_pending and the JetStream
limits max_memory_store and max_file_store, and /varz must report the very bytes the renderer reads
(`merge_reader.read`, the reader of `config.merge`). The renderer writes sizes as integer bytes, so what it
must match is the server's reading of the value as the user wrote it, unquoted.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

from nats_kplugin.codes import Code
from nats_kplugin.documents.reader import parse_stream
from nats_kplugin.nats_server import merge_reader
from nats_kplugin.nats_server.values import SIZE_SUFFIXES
from nats_kplugin.pipeline import RenderOptions, render
from nats_kplugin.spec.reading import NATS_OBJECTS
from tests.support import loopback, pods
from tests.support.netns import varz
from tests.support.rendered import render_merge

BASE = ("spec", "config", "merge")


def _spellings(suffix: str) -> list[str]:
    """The suffix in lower case, upper case and three mixed cases (`Kib`, `kiB`, `KiB`)."""
    last_up = suffix[:-1] + suffix[-1:].upper()
    found = {suffix, suffix.upper(), suffix.capitalize(), last_up, last_up[:1].upper() + last_up[1:]}
    return sorted(found)


def _sample(letters: str) -> list[str]:
    """A value for each spelling of each suffix of these letters; g stays below max_payload's 2^31."""
    return [
        f"{1 if suffix[0] == 'g' else count}{spelt}"
        for suffix in SIZE_SUFFIXES
        if suffix and suffix[0] in letters
        for count, spelt in enumerate(_spellings(suffix), start=1)
    ]


# k, m and g fit max_payload (below 2^31); t, p and e the int64 sizes: (max_payload, max_pending,
# max_memory_store, max_file_store) per boot.
SMALL, LARGE = _sample("kmg"), _sample("tpe")
CASES: list[tuple[str, str, str, str]] = [
    (SMALL[index % len(SMALL)], "7EiB", large, LARGE[(index * 7) % len(LARGE)])
    for index, large in enumerate(LARGE)
] + [("0", "0", "-1", "0"), ("1024", "1048576", "-1k", "08m"), ("1gb", "2GB", "1", "1")]


def _renderer_bytes(payload: str, pending: str, memory: str, file: str) -> dict[str, Any]:
    merge = {
        "max_payload": payload,
        "max_pending": pending,
        "jetstream": {"max_memory_store": memory, "max_file_store": file},
    }
    read, problems = merge_reader.read(merge, None)
    assert not problems, [str(p) for p in problems]
    return read


def test_the_sample_covers_every_suffix() -> None:
    seen = {value.lstrip("-0123456789").lower() for case in CASES for value in case}
    assert seen == set(SIZE_SUFFIXES)
    cased = {value.lstrip("-0123456789") for case in CASES for value in case}
    assert {"k", "K", "KB", "kB", "Mi", "MiB", "GIB", "Tb", "pI", "EiB"} <= cased


@pytest.mark.parametrize("case", CASES, ids=["/".join(case) for case in CASES])
def test_sizes_are_the_bytes_the_booted_server_reports(case: tuple[str, ...], tmp_path: Path) -> None:
    payload, pending, memory, file = case
    config = (
        f"max_payload: {payload}\nmax_pending: {pending}\n"
        f"jetstream: {{store_dir: {str(tmp_path)!r}, max_memory_store: {memory}, max_file_store: {file}}}\n"
    )
    with loopback.server(config, settle=0) as booted:
        varz = booted.varz()
    ours = _renderer_bytes(*case)
    # 0 means the server's default (1 MiB, 64 MiB); -1 JetStream's own limit: /varz reports what it chose.
    if ours["max_payload"]:
        assert varz["max_payload"] == ours["max_payload"], config
    if ours["max_pending"]:
        assert varz["max_pending"] == ours["max_pending"], config
    limits = varz["jetstream"]["config"]
    if ours["jetstream"]["max_memory_store"] > 0:
        assert limits["max_memory"] == ours["jetstream"]["max_memory_store"], config
    if ours["jetstream"]["max_file_store"] > 0:
        assert limits["max_storage"] == ours["jetstream"]["max_file_store"], config


REFUSED: dict[str, tuple[Any, Code]] = {
    "fraction": ("1.5", Code.INVALID_SIZE),
    "fraction-with-unit": ("1.5k", Code.INVALID_SIZE),
    "unknown-unit": ("8x", Code.INVALID_SIZE),
    "unit-run-the-parser-drops": ("8mbib", Code.INVALID_SIZE),
    "digit-after-unit": ("8k8", Code.INVALID_SIZE),
    "space": ("8 m", Code.INVALID_SIZE),
    "plus": ("+8", Code.INVALID_SIZE),
    "unit-alone": ("MB", Code.INVALID_SIZE),
    "arabic-digits": ("\u0668m", Code.INVALID_SIZE),
    "float": (1.5, Code.NOT_A_NUMBER),
    "past-max-payload": ("3g", Code.OUT_OF_RANGE),
    "wraps-int64": ("8EiB", Code.OUT_OF_RANGE),
}


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
def test_what_the_server_does_not_read_as_a_size_is_refused(case: tuple[Any, Code]) -> None:
    value, code = case
    key = "max_pending" if value == "8EiB" else "max_payload"
    result = render_merge({key: value})
    assert not result.ok
    problem = next(p for p in result.problems if p.is_error)
    assert (problem.code, problem.field) == (code, f"spec.config.merge.{key}"), str(problem)
    if code is Code.INVALID_SIZE:
        assert "kb/ki/kib = 2^10" in problem.message and "m = 10^6" in problem.message


def test_megabytes_are_not_millibytes() -> None:
    """The issue's cases: 8m was written as 1 (Kubernetes milli), 8MB was refused."""
    read, problems = merge_reader.read(
        {"max_payload": "8m", "max_pending": "8MB", "jetstream": {"max_memory_store": "512m"}}, None
    )
    assert not problems
    assert (read["max_payload"], read["max_pending"]) == (8_000_000, 8_388_608)
    assert read["jetstream"]["max_memory_store"] == 512_000_000


@pytest.mark.skipif(os.geteuid() != 0, reason="a network namespace of our own needs root")
def test_the_sizes_fixture_boots_with_the_sizes_it_shows() -> None:
    """fixtures/merge-sizes, rendered and booted as rendered: /varz reports 8m as 8000000, 8MB as 8388608."""
    folder = Path(__file__).resolve().parents[2] / "fixtures" / "merge-sizes"
    documents, problems = parse_stream((folder / "input.yaml").read_bytes(), NATS_OBJECTS, "input.yaml")
    assert not problems
    result = render(documents, RenderOptions(render_key=b"sizes"))
    assert result.ok, [str(p) for p in result.problems]
    pod = pods.pods(result.documents)[0]
    with tempfile.TemporaryDirectory() as store:
        real = varz(pod.config.replace('"/data"', f'"{store}"'), pod.ports["monitor"], pod.env)
    assert (real["max_payload"], real["max_pending"], real["max_control_line"]) == (
        8_000_000,
        8_388_608,
        8192,
    )
    assert real["jetstream"]["config"]["max_memory"] == 256_000_000
    assert real["jetstream"]["config"]["max_storage"] == 8 * 2**30
