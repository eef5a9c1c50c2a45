"""The input limits hold for the whole input, across files and stdin; within them the render keeps text,
not objects, and writes exactly the bytes one dump of everything would."""

from __future__ import annotations

import gc
import io
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from nats_kplugin.codes import Code
from nats_kplugin.documents import loader, spool
from nats_kplugin.documents import reader as documents
from nats_kplugin.documents.reader import Budget, parse_stream
from nats_kplugin.documents.sources import read_lazily, read_sources
from nats_kplugin.documents.writer import dump_documents
from nats_kplugin.entrypoints import process
from nats_kplugin.pipeline import RenderOptions, render
from nats_kplugin.spec import reading
from nats_kplugin.spec.reading import NATS_OBJECTS

NATS = "---\napiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata:\n  name: n{index}\n"


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text)


def messages(problems: list[documents.Problem]) -> list[str]:
    return [str(p) for p in problems]


def test_nodes_are_counted_across_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_INPUT_NODES", 1_000)
    for index in range(3):
        write(tmp_path, f"part{index}.yaml", "a: [" + "1," * 399 + "1]\n")  # 402 nodes each
    _, problems = read_sources([str(tmp_path)], NATS_OBJECTS)
    assert [p.location.source for p in problems] == [f"{tmp_path}/part2.yaml"], messages(problems)
    assert problems[0].code is Code.INPUT_LIMIT
    assert "input has more than 1000 nodes in all its documents" in problems[0].message  # names the limit


def test_documents_and_objects_are_counted_across_files_and_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "MAX_INPUT_DOCUMENTS", 5)
    three_objects = NATS_OBJECTS._replace(max_objects=3)
    write(tmp_path, "a.yaml", NATS.format(index=1) + NATS.format(index=2))
    write(tmp_path, "b.yaml", NATS.format(index=3) + NATS.format(index=4))
    _, problems = read_sources([str(tmp_path)], three_objects)
    assert messages(problems) == [
        f"{tmp_path}/b.yaml:7 (document 2): error[input-limit]: input has more than 3 NATS objects"
    ]
    budget = Budget()
    read_sources([str(tmp_path / "a.yaml")], NATS_OBJECTS, budget)
    stdin = b"---\na: 1\n---\nb: 1\n---\nc: 1\n---\nd: 1\n"
    _, problems = parse_stream(stdin, NATS_OBJECTS, "<stdin>", budget=budget)
    assert messages(problems) == [
        "<stdin>:8 (document 4): error[input-limit]: input has more than 5 documents in all its sources"
    ]


def test_users_over_the_limit_are_refused_as_the_object_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_USERS", 2)
    text = NATS.format(index=0) + "spec:\n  users:\n    a: {}\n    b: {}\n    c: {}\n"
    _, problems = parse_stream(text.encode(), NATS_OBJECTS)
    assert messages(problems) == [
        "<stdin>:2 (document 1): error[input-limit]: spec.users: 3 users, the limit is 2 per object"
    ]


def test_locating_many_problems_indexes_each_mapping_once() -> None:
    users = "".join(f"    u{index}: {{}}\n" for index in range(2_000))
    (document,), _ = parse_stream((NATS.format(index=0) + "spec:\n  users:\n" + users).encode(), NATS_OBJECTS)
    assert document.line_of(("spec", "users", "u1999")) == 2_007
    assert document.positions is not None
    users_positions = document.positions.tree[1]["spec"][1]["users"]  # type: ignore[index]
    assert type(users_positions[1]) is dict and len(users_positions[1]) == 2_000  # one lookup per user
    assert document.line_of(("spec", "users", "u0", "password")) == 8
    assert document.line_of(("spec", "users", "missing")) == 8  # the users mapping, its nearest parent


def test_the_stream_written_in_pieces_is_the_stream_of_one_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(process, "RENDER_CHUNK", 7)
    shared = (  # a ConfigMap of its own name each time (every object once), with a shared mapping inside
        "---\nkind: ConfigMap\napiVersion: v1\nmetadata: {{name: shared{index}}}\ndata: &d {{a: '1', b: x}}\n"
        "extra: *d\n"
    )
    text = "".join(
        NATS.format(index=index) + (shared.format(index=index) if index % 3 else "") for index in range(10)
    )
    parsed, problems = parse_stream(text.encode(), NATS_OBJECTS)
    assert not problems
    options = RenderOptions(render_key=b"k")
    out, err = io.StringIO(), io.StringIO()
    assert process.render_and_write(parsed, [], options, out, err) == 0
    assert out.getvalue() == dump_documents(render(parsed, options).documents)
    assert "&id001" in out.getvalue() and len(list(yaml.safe_load_all(out.getvalue()))) == 56


def test_an_error_anywhere_leaves_stdout_empty() -> None:
    text = "".join(NATS.format(index=index) for index in range(5)) + "spec:\n  replicas: many\n"
    parsed, _ = parse_stream(text.encode(), NATS_OBJECTS)
    out, err = io.StringIO(), io.StringIO()
    assert process.render_and_write(parsed, [], RenderOptions(render_key=b"k"), out, err) == 1
    assert out.getvalue() == "" and "spec.replicas" in err.getvalue()


def test_a_stream_spooled_to_a_file_is_the_stream_of_one_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(process, "RENDER_CHUNK", 3)
    monkeypatch.setattr(spool, "MEMORY_LIMIT", 2_000)  # a few objects' text: the rest goes to the file
    monkeypatch.setattr(spool, "COPY_PIECE", 333)
    files: list[object] = []
    real = tempfile.TemporaryFile

    def counted(*args: Any, **kwargs: Any) -> Any:
        files.append(real(*args, **kwargs))
        return files[-1]

    monkeypatch.setattr(tempfile, "TemporaryFile", counted)
    text = "".join(NATS.format(index=index) for index in range(12))
    parsed, _ = parse_stream(text.encode(), NATS_OBJECTS)
    options = RenderOptions(render_key=b"k")
    out, err = io.StringIO(), io.StringIO()
    assert process.render_and_write(parsed, [], options, out, err) == 0
    assert len(files) == 1 and out.getvalue() == dump_documents(render(parsed, options).documents)
    assert files[0].closed  # type: ignore[attr-defined]


def test_without_a_temporary_folder_the_stream_stays_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spool, "MEMORY_LIMIT", 2_000)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    text = "".join(NATS.format(index=index) for index in range(12))
    parsed, _ = parse_stream(text.encode(), NATS_OBJECTS)
    options = RenderOptions(render_key=b"k")
    out, err = io.StringIO(), io.StringIO()
    assert process.render_and_write(parsed, [], options, out, err) == 0
    assert out.getvalue() == dump_documents(render(parsed, options).documents)


def test_a_source_read_late_with_an_error_leaves_stdout_empty(tmp_path: Path) -> None:
    """Sources are read as their documents are rendered: an error in the last one still empties stdout,
    and a stream with an error gives no document (so no problem of its own documents)."""
    write(tmp_path, "a.yaml", "".join(NATS.format(index=index) for index in range(3)))
    write(tmp_path, "b.yaml", NATS.format(index=3) + "spec:\n  replicas: many\n" + "---\n[unclosed\n")
    problems: list[documents.Problem] = []
    found = read_lazily([str(tmp_path)], NATS_OBJECTS, problems)
    assert problems == []  # nothing read before the documents are taken
    out, err = io.StringIO(), io.StringIO()
    assert process.render_and_write(found, problems, RenderOptions(render_key=b"k"), out, err) == 1
    assert out.getvalue() == ""
    assert [p.code for p in problems] == [Code.YAML_SYNTAX]
    assert "NATS/n0" in err.getvalue() and "NATS/n3" not in err.getvalue()


def test_a_render_leaves_no_reference_cycles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What lets the entry points collect garbage less often (process.collect_less): everything a render
    makes, read to written, is freed by reference counting. A cycle (two closures that call each other
    held the writer's text) would be kept until a collection."""
    monkeypatch.setattr(process, "RENDER_CHUNK", 3)
    monkeypatch.setattr(spool, "MEMORY_LIMIT", 2_000)
    shared = "---\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: s}\ndata: &d {a: '1'}\nextra: *d\n"
    write(tmp_path, "a.yaml", "".join(NATS.format(index=index) for index in range(6)) + shared)
    write(tmp_path, "b.yaml", NATS.format(index=9) + "spec:\n  users: {a: {}, b: {password: x}}\n")
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        problems: list[documents.Problem] = []
        found = read_lazily([str(tmp_path)], NATS_OBJECTS, problems)
        out, err = io.StringIO(), io.StringIO()
        code = process.render_and_write(found, problems, RenderOptions(render_key=b"k"), out, err)
        del found
        gc.collect()
        garbage = [type(thing).__name__ for thing in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert code == 0 and out.getvalue().count("\n---\n") > 20
    assert garbage == []


def test_an_entry_point_collects_garbage_once_it_runs() -> None:
    """The collector is off while an entry point's modules load (entrypoints/__init__.py) and on again
    from process.run on: a fresh interpreter, as the console scripts start."""
    probe = (
        "import gc, sys; from nats_kplugin.entrypoints import process; loading = gc.isenabled(); "
        "process.collect_less(); print(loading, gc.isenabled(), gc.get_threshold()[0])"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True", str(process.GC_YOUNG)]
