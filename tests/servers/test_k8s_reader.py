"""What the renderer writes is what kubectl and Argo CD read: the real reader (tests/k8syaml, sigs.k8s.io/yaml
on gopkg.in/yaml.v2) against nats_kplugin/documents/yaml_v2.py, the port of yaml.v2's resolve, over a
generated corpus of strings that look like other types, as keys and as values; and the hostile cases of
SPEC section 11."""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from nats_kplugin.documents.reader import parse_stream
from nats_kplugin.documents.writer import dump_documents
from nats_kplugin.documents.yaml_v2 import plain_scalar, plain_type
from nats_kplugin.spec.reading import NATS_OBJECTS
from tests.support.k8s_reader import Read, mismatches, read_stream, read_streams, same_json
from tests.support.launcher import run_module

ROOT = Path(__file__).resolve().parents[2]


def corpus() -> list[str]:
    """Strings near YAML 1.1's other types, built without the port's tables: short strings over the
    characters numbers, booleans and nulls are made of, the words of YAML 1.1 in every case, numbers in
    Go's and YAML's notations at the edges of int64 and uint64 and of float64's range, timestamps,
    sexagesimals, and seeded random strings."""
    found: set[str] = set()
    alphabet = "0123456789+-._eExXoObByYnN~:<tTfF"
    for length in (1, 2):
        found.update(map("".join, itertools.product(alphabet, repeat=length)))
    found.update(map("".join, itertools.product("01_.eE+-xob9", repeat=3)))
    for word in ("yes", "no", "true", "false", "on", "off", "null", "y", "n", "nan", "inf", "infinity"):
        variants = {word, word.upper(), word.title(), word[:-1] + word[-1].upper(), word.swapcase().title()}
        for variant, prefix in itertools.product(variants, ("", "+", "-", ".", "+.", "-.", "~")):
            found.add(prefix + variant)
    bodies = ["0", "1", "7", "8", "9", "10", "17", "08", "1A", "ff", "1_000", "_1", "1_", "1__0", "101"]
    bodies += ["1.5", ".5", "1e3", "1E+3", "1e-3", "1.e3", "1e1_0", ".5_5", "1_0.5", "1.5_0e3", "-1", "+1"]
    bodies += [str(2**63 - 1), str(2**63), str(2**64 - 1), str(2**64), "1e308", "1e309", "1e-400"]
    bodies += [format(2**64 - 1, "x"), format(2**64, "x"), format(2**63, "b"), format(2**64, "o")]
    for sign, prefix, body in itertools.product(
        ("", "+", "-"), ("", "0", "0x", "0X", "0o", "0O", "0b"), bodies
    ):
        found.add(sign + prefix + body)
    found.update(("2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "2001-1-2"))
    found.update(("2001-12-14 21:59:43.10 -5", "2001-13-45", "12:30", "190:20:30", "1:30.5", "-1:30"))
    found.update(("0:0", "1_0:30", "<<", "="))
    rng = random.Random(20261201)
    for _ in range(4000):
        found.add("".join(rng.choice(alphabet + " abf#") for _ in range(rng.randint(1, 8))))
    return sorted(found)


CORPUS = corpus()


def _plain(text: str) -> bool:
    """Whether `text` can stand in YAML as a plain scalar: PyYAML's emitter's own analysis."""
    return bool(text) and yaml.emitter.Emitter.analyze_scalar(None, text).allow_block_plain  # type: ignore[arg-type]


def _reads_as(read: Read, text: str) -> bool:
    """Whether the reader's view of the document `v: <text>` is what the port predicts, type and value."""
    kind, value = plain_scalar(text)
    if kind == "float" and not math.isfinite(value):
        return read.error is not None and "unsupported value" in read.error  # JSON has no NaN, no infinity
    if read.error is not None:
        return False
    got = read.value["v"]
    if kind == "int":
        return type(got) is int and got == value
    if kind == "float":  # one JSON number type: Go writes 1e3 as 1000, 2.0**64 as 18446744073709552000
        return type(got) in (int, float) and float(got) == value
    return same_json(got, value)


def test_the_port_of_yaml_v2_resolve_agrees_with_the_real_reader() -> None:
    plain = [text for text in CORPUS if _plain(text)]
    assert len(plain) > 5000
    values = "".join(f"---\nv: {text}\n" for text in plain)
    keys = "".join(f"---\n{text}: v\n" for text in plain)
    read_values, read_keys = read_streams([values, keys])
    assert len(read_values) == len(read_keys) == len(plain)
    wrong = [
        (text, plain_scalar(text), read)
        for text, read in zip(plain, read_values, strict=True)
        if not _reads_as(read, text)
    ]
    assert not wrong, f"{len(wrong)} strings read otherwise than the port says, e.g. {wrong[:10]}"
    # A key the port calls a string is that very string as a JSON key.
    wrong_keys = [
        (text, read)
        for text, read in zip(plain, read_keys, strict=True)
        if plain_type(text) == "str" and read.value != {text: "v"}
    ]
    assert not wrong_keys, wrong_keys[:10]


def test_every_string_reads_back_as_itself_as_key_and_as_value() -> None:
    strings = [*CORPUS, " ", " lead", "trail ", "a: b", "- a", "#x", "multi\nline", "end\n", "\u2028", "é"]
    strings += ["\x85", "\ufeff", "a\x00b", "\x1b[31m", "😀", "'q'", '"q"', "? a", "|", ">", "%x", "@x"]
    strings += ["---", "--- x", "--- {}", "...", "... x", "x\n---\ny", "x\n--- {}\n", "\n---\n", "# c"]
    documents: list[Any] = [
        {text: text for text in strings},
        [text for text in strings],
        {"data": {text: [text, {text: text}] for text in strings[::7]}},
    ]
    assert not mismatches([dump_documents(documents)], [documents])


def test_passed_through_plain_scalars_mean_what_they_mean_in_their_source() -> None:
    """Each corpus string plain as a value and as a key of a passed-through document: what the renderer
    accepts, kubectl reads in its output exactly as in its source; what kubectl cannot read, it refuses."""
    sources = [f"kind: X\nvalue: {text}\n{text}: key\n" for text in CORPUS if _plain(text)]
    accepted, outputs, refused = [], [], 0
    for source in sources:
        documents, problems = parse_stream(source.encode(), NATS_OBJECTS)
        if problems:
            refused += 1
            continue
        accepted.append(source)
        outputs.append(dump_documents([d.data for d in documents]))
    reads = read_streams(accepted + outputs)
    wrong = [
        (source, reads[i], reads[len(accepted) + i])
        for i, source in enumerate(accepted)
        if reads[i] != reads[len(accepted) + i] or any(r.error for r in reads[i])
    ]
    assert not wrong, f"{len(wrong)} documents read otherwise after passing through, e.g. {wrong[:5]}"
    assert len(accepted) > 5000 and refused < 100  # duplicate keys (value, kind), .inf and .nan, null keys


JSON_SCALARS = st.one_of(
    st.text(),
    st.sampled_from(CORPUS),
    st.integers(-(2**63), 2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
JSON_KEYS = st.one_of(st.text(), st.sampled_from(CORPUS), st.integers(-(2**63), 2**63 - 1), st.booleans())
JSON_TREES = st.recursive(
    JSON_SCALARS,
    lambda items: st.one_of(st.lists(items, max_size=4), st.dictionaries(JSON_KEYS, items, max_size=4)),
    max_leaves=16,
)


@pytest.mark.slow  # at least 500 documents through the Go reader: 23 s under ci
def test_any_json_document_reads_back_as_written() -> None:
    """Generated documents of every JSON type, any Unicode text (control characters, line and paragraph
    separators, byte order marks) and the corpus, as keys and values: one Go process for all of them."""
    written: list[tuple[str, list[Any]]] = []

    @settings(max_examples=min(max(settings.default.max_examples, 500), 1000))  # about 10 s
    @given(st.lists(JSON_TREES, min_size=1, max_size=3))
    def case(documents: list[Any]) -> None:
        written.append((dump_documents(documents), documents))

    case()
    found = mismatches([text for text, _ in written], [documents for _, documents in written])
    assert not found, "\n\n".join(found[:3])


def test_misread_before_now_quoted() -> None:
    """What plain PyYAML wrote unquoted and the real reader took for something else: now quoted."""

    def misread(text: str) -> bool:
        return yaml.safe_dump(text) in (f"{text}\n", f"{text}\n...\n") and plain_type(text) != "str"

    for text in ("y", "n", "Y", "N", "08", "09", "1e3", "0o17", "0O7", "+1e3", "0b-1", "-5e3", "1e-400"):
        assert misread(text), text
    words = [text for text in CORPUS if misread(text)]
    assert len(words) > 200
    assert not mismatches([dump_documents([{t: t for t in words}])], [[{t: t for t in words}]])


def test_documents_that_are_not_block_collections_start_on_their_own_line() -> None:
    """libyaml writes `--- {}` and `--- text`; Kubernetes splits streams at `---` lines and refuses those."""
    documents: list[Any] = [{"a": 1}, {}, [], "text", 5, {"b": "y"}, ["x"], "multi\nline\n"]
    text = dump_documents(documents)
    assert all(line == "---" for line in text.splitlines() if line.startswith("---"))
    assert not mismatches([text], [documents])
    assert read_stream("--- {}\n")[0].error == "invalid Yaml document separator: {}"  # the reader is strict


HOSTILE_CONFIGMAP = b"""apiVersion: v1
kind: ConfigMap
metadata:
  name: tricky
  labels:
    size: "1e3"
    "on": "off"
data: {a: "y", b: "08", c: "1e3", "n": v, d: "0o17", e: "12:30", f: "2001-12-14", g: "~", h: "<<"}
"""
# Plain, these mean to kubectl what yaml.v2 makes of them; passed through, they must keep that meaning.
PLAIN_CONFIGMAP = b"""apiVersion: v1
kind: ConfigMap
metadata: {name: plain, labels: {size: 1e3, y: n}}
data: {a: y, b: 08, c: 1e3, d: 0o17, e: 12:30, f: 2001-12-14, g: =, h: 0b-1, i: 99999999999999999999}
more: {t: 2001-12-14t21:59:43.10-05:00, u: 2001-12-14 21:59:43.10 -5, v: 1_000, w: +.5, x: !!float 1}
"""


def _render(raw: bytes, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return run_module(
        [],
        stdin=raw,
        env={
            "NATS_RENDER_KEY": "k",
            "PYTHONPATH": str(ROOT),
            "PATH": os.environ.get("PATH", ""),
            **(env or {}),
        },
        timeout=60,
    )


def test_a_passed_through_configmap_reads_back_as_written() -> None:
    done = _render(HOSTILE_CONFIGMAP)
    assert done.returncode == 0, done.stderr
    [read] = read_stream(done.stdout.decode())
    assert read.error is None and read.value["data"] == {
        **{"a": "y", "b": "08", "c": "1e3", "n": "v", "d": "0o17", "e": "12:30", "f": "2001-12-14"},
        **{"g": "~", "h": "<<"},
    }
    assert read.value["metadata"]["labels"] == {"size": "1e3", "on": "off"}


def test_a_passed_through_document_means_to_kubectl_what_its_source_means() -> None:
    done = _render(PLAIN_CONFIGMAP)
    assert done.returncode == 0, done.stderr
    [source], [written] = read_streams([PLAIN_CONFIGMAP.decode(), done.stdout.decode()])
    assert source.error is None and same_json(written.value, source.value)
    assert written.value["data"]["a"] is True
    assert written.value["metadata"]["labels"] == {"size": 1000, "true": False}


def test_a_password_y_and_a_label_1e3_read_back_as_strings() -> None:
    raw = b"""apiVersion: apps.cozystack.io/v1alpha1
kind: NATS
metadata:
  name: tricky
  namespace: ns
  labels: {tier: "1e3", flag: "y"}
spec:
  users:
    alice: {password: "y"}
    bob: {password: "08"}
"""
    done = _render(raw)
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode()
    reads = read_stream(text)
    assert all(r.error is None for r in reads)
    meant = [d for d in yaml.safe_load_all(text) if d is not None]
    assert same_json([r.value for r in reads], meant)
    [credentials] = [r.value for r in reads if r.value["metadata"]["name"] == "nats-tricky-credentials"]
    assert credentials["stringData"] == {"alice": "y", "bob": "08"}
    assert all(r.value["metadata"]["labels"]["tier"] == "1e3" for r in reads)
    assert all(r.value["metadata"]["labels"]["flag"] == "y" for r in reads)


def test_binary_in_a_secrets_data_is_written_as_its_base64() -> None:
    """The one place !!binary means what it says in Kubernetes: a Secret's data holds bytes, as base64."""
    raw = b"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  k: !!binary |\n    aGVs\n    bG8=\n"
    done = _render(raw)
    assert done.returncode == 0, done.stderr
    assert read_stream(done.stdout.decode())[0].value["data"] == {"k": "aGVsbG8="}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("kind: ConfigMap\ndata:\n  s: !!set {a, b}\n", 3, "!!set is not a Kubernetes type"),
        ("kind: X\nspec:\n  - !!omap [a: 1]\n", 3, "!!omap is not a Kubernetes type"),
        ("kind: X\nspec: !!pairs [a: 1]\n", 2, "!!pairs is not a Kubernetes type"),
        ("kind: ConfigMap\nbinaryData: {b: !!binary aGk=}\n", 2, "!!binary is only for the values of a"),
        ("kind: Secret\napiVersion: v1\nstringData: {b: !!binary aGk=}\n", 3, "!!binary is only for"),
        ("kind: X\nspec:\n  at: !!timestamp 2001-12-14\n", 3, "!!timestamp is not a Kubernetes type"),
        ("kind: X\nspec: {ratio: .inf}\n", 2, "NaN and infinity are no JSON numbers"),
        ("kind: X\nspec: {ratio: !!float nan}\n", 2, "NaN and infinity are no JSON numbers"),
        ("kind: X\nspec: {n: !!int 99999999999999999999}\n", 2, "an !!int beyond 64 bits"),
        ("kind: X\nspec:\n  null: x\n", 3, "a null mapping key"),
        ("kind: X\nspec:\n  9223372036854775808: x\n", 3, "an integer key beyond 63 bits"),
    ],
)
def test_what_kubernetes_cannot_hold_is_refused_with_its_line(text: str, line: int, message: str) -> None:
    documents, problems = parse_stream(
        ("kind: ConfigMap\n---\n" + text).encode(), NATS_OBJECTS, "app/tags.yaml"
    )
    assert documents == [] and [str(p) for p in problems] == [
        f"app/tags.yaml:{line + 2} (document 2): error[{problems[0].code.value}]: {problems[0].message}"
    ]
    assert problems[0].message.startswith(message)
    [read] = read_stream(text)  # and kubectl would have refused it too, or read it otherwise than PyYAML
    assert read.error is not None or not same_json(read.value, yaml.safe_load(text))


def test_json_surrogate_pairs_read_as_one_character() -> None:
    raw = json.dumps(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "emoji"}, "data": {"a": "😀"}}
    )
    assert "\\ud83d\\ude00" in raw
    documents, problems = parse_stream(raw.encode(), NATS_OBJECTS, "emoji.json")
    assert not problems and documents[0].data["data"] == {"a": "😀"}
    done = _render(raw.encode())
    assert done.returncode == 0, done.stderr
    assert read_stream(done.stdout.decode())[0].value["data"] == {"a": "😀"}


def test_a_lone_surrogate_is_refused() -> None:
    documents, problems = parse_stream(
        b'{"kind": "ConfigMap", "data": {"a": "\\ud83d"}}', NATS_OBJECTS, "lone.json"
    )
    assert documents == [] and len(problems) == 1
    assert str(problems[0]).startswith("lone.json:1 (document 1): error[yaml-syntax]: ")
    assert "surrogate" in problems[0].message


@pytest.mark.parametrize("locale", ["C", "en_US.ISO-8859-1", "POSIX"])
def test_output_is_utf8_whatever_the_locale(locale: str) -> None:
    raw = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: 名前, b: 😀, c: é}\n".encode()
    env = {"LC_ALL": locale, "LANG": locale, "PYTHONIOENCODING": "", "PYTHONUTF8": "0"}
    done = _render(raw, env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("utf-8") == _render(raw).stdout.decode("utf-8")
    assert "名前" in done.stdout.decode("utf-8")


def test_output_is_independent_of_the_hash_seed() -> None:
    raw = HOSTILE_CONFIGMAP + b"---\n" + (ROOT / "fixtures" / "seed" / "input.yaml").read_bytes()
    outputs = {_render(raw, {"PYTHONHASHSEED": seed}).stdout for seed in ("0", "1", "12345", "random")}
    assert len(outputs) == 1 and outputs != {b""}
