"""Values as nats-server reads them (nats_kplugin/nats_server/values.py), in process. The booted server
holds the same readings in tests/live/test_judge.py (probes under http_base_path) and tests/servers."""

from __future__ import annotations

import pytest

from nats_kplugin.nats_server.values import listen_port, monitor_base_path, port_number, split_host_port


@pytest.mark.parametrize(
    ("given", "served"),
    [  # what a booted 2.15.1 answered /healthz under, for each spelling
        ("/nats", "/nats"),
        ("nats", "/nats"),
        ("/nats/", "/nats"),
        ("/a//b/../c", "/a/c"),
        ("//nats", "/nats"),
        ("/", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_the_monitor_base_path_is_cleaned_as_the_server_cleans_it(given: str | None, served: str) -> None:
    assert monitor_base_path(given) == served


@pytest.mark.parametrize(
    ("value", "port"),
    [
        (4222, 4222),
        ("0.0.0.0:4222", 4222),
        (":4222", 4222),
        ("[::]:4222", 4222),
        ("host:4_222", None),  # int() would take it; the server does not
        ("host: 4222", None),
        ("host:٤٢٢٢", None),  # Arabic-Indic digits
        ("4222", None),  # a listen value needs its colon
        (True, None),
    ],
)
def test_a_listen_value_s_port_is_ascii_digits_after_the_last_colon(value: object, port: int | None) -> None:
    assert listen_port(value) == port


def test_host_and_port_are_cut_at_the_last_colon() -> None:
    assert split_host_port("[::1]:4222") == ("[::1]", "4222")
    assert split_host_port("nats") is None
    assert port_number("65535") == 65535 and port_number("") is None
