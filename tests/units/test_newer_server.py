"""Upgrading the server ahead of the renderer: with `--nats-image` of a newer nats-server than the
vocabulary's, an option the vocabulary lacks is written unchecked with a warning (an error under
`--strict`); with the vocabulary's own version, or an older one, it stays an error."""

from __future__ import annotations

import pytest

from nats_kplugin.codes import Code
from nats_kplugin.kubernetes.objects import Images
from nats_kplugin.nats_server.option_table import SERVER_VERSION, newer_server
from nats_kplugin.pipeline import RenderOptions
from tests.support.rendered import config_of, document, objects, run

MERGE = {"some_future_option": 5, "jetstream": {"future_limit": "x"}}


@pytest.mark.parametrize(
    ("image", "newer"),
    [
        ("nats:2.16.0-alpine", "2.16.0"),
        ("registry.example.com/mirror/nats:3.0", "3.0"),
        ("nats:v2.17.1@sha256:" + "0" * 64, "2.17.1"),
        (f"nats:{SERVER_VERSION}-alpine", None),
        ("nats:2.15.9", None),  # a patch release adds no option
        ("nats:2.14.2-alpine", None),
        ("nats:latest", None),  # no version to trust: the vocabulary holds
        ("localhost:5000/nats", None),  # a registry port is no tag
    ],
)
def test_a_newer_server_is_read_from_the_image_tag(image: str, newer: str | None) -> None:
    assert newer_server(image) == newer


def test_an_unknown_option_is_written_for_a_newer_server_with_a_warning() -> None:
    options = RenderOptions(images=Images(nats="nats:2.16.0-alpine"))
    result = run(document(config={"merge": MERGE}), options)
    assert result.ok
    assert {p.path for p in result.problems if p.code is Code.NEWER_SERVER_OPTION} == {
        ("spec", "config", "merge", "some_future_option"),
        ("spec", "config", "merge", "jetstream", "future_limit"),
    }
    conf = config_of(objects(document(config={"merge": MERGE}), options))
    assert '"some_future_option": 5' in conf and '"future_limit": "x"' in conf


def test_strict_refuses_what_it_cannot_check() -> None:
    options = RenderOptions(images=Images(nats="nats:2.16.0-alpine"), strict=True)
    result = run(document(config={"merge": MERGE}), options)
    assert not result.ok
    assert {p.code for p in result.problems if p.is_error} == {Code.NEWER_SERVER_OPTION}


def test_the_vocabulary_s_own_version_refuses_an_unknown_option() -> None:
    result = run(document(config={"merge": MERGE}))
    assert not result.ok
    assert {p.code for p in result.problems if p.is_error} == {Code.UNKNOWN_OPTION}


def test_a_newer_server_still_gets_every_other_check() -> None:
    options = RenderOptions(images=Images(nats="nats:2.16.0-alpine"))
    result = run(document(config={"merge": {"max_payload": "lots", "Port": 1, "port": 2}}), options)
    assert {p.code for p in result.problems if p.is_error} >= {Code.DUPLICATE_SETTING}
