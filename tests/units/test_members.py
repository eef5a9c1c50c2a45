"""The checks over a supercluster's member set (nats_server/members.py), each refused and accepted, on
members built by the real pipeline from YAML sources of their own: each refusal is located at one member's
field, by source and line, and its message names the other place (source:line and field)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from nats_kplugin.codes import Code
from nats_kplugin.documents.reader import parse_stream
from nats_kplugin.nats_server.members import Member, advertised, check, servers
from nats_kplugin.pipeline import RenderOptions, render, server_configuration
from nats_kplugin.problems import Problem
from nats_kplugin.spec.reading import NATS_OBJECTS

NAMES = ("us-east", "eu-west", "ap-south")
OPTIONS = RenderOptions(default_namespace="messaging")


def address(name: str) -> str:
    return f"gateway.{name}.example.com:7222"


def member_object(name: str, listed: tuple[str, ...] = NAMES, **merge: Any) -> dict[str, Any]:
    gateways = [{"name": n, "urls": [f"nats://{address(n)}"]} for n in listed]
    gateway = {"name": name, "port": 7222, "gateways": gateways, **merge.pop("gateway", {})}
    return {
        "apiVersion": "apps.cozystack.io/v1alpha1",
        "kind": "NATS",
        "metadata": {"name": "events"},
        "spec": {
            "replicas": 3,
            "jetstream": {"enabled": False},
            "config": {"merge": {"cluster": {"name": name}, "gateway": gateway, **merge}},
        },
    }


def member(data: dict[str, Any], source: str) -> Member:
    """One member as `nats-render members` builds it: the document read from its own source, rendered
    alone (it must render), its merged configuration."""
    documents, problems = parse_stream(yaml.safe_dump(data, sort_keys=False).encode(), NATS_OBJECTS, source)
    assert not problems and len(documents) == 1
    assert render(documents, OPTIONS).ok, render(documents, OPTIONS).problems
    configured = server_configuration(documents[0], OPTIONS)
    assert configured is not None
    spec, config, ref = configured
    return Member(config, spec.replicas, ref, documents[0].location, documents[0].line_of)


def members(*objects: dict[str, Any]) -> list[Member]:
    return [member(data, f"m{index}.yaml") for index, data in enumerate(objects)]


def the_set(**changed: dict[str, Any]) -> list[Member]:
    """The three members, agreeing, with `changed` (by name) in place of a member's object."""
    return members(*(changed.get(name.replace("-", "_"), member_object(name)) for name in NAMES))


def one_refusal(found: list[Problem]) -> Problem:
    assert [p.code for p in found] == [Code.MEMBER_SET], [str(p) for p in found]
    return found[0]


def line_of(data: dict[str, Any], pattern: str) -> int:
    """The 1-based line of the first line of a member's YAML text matching `pattern`."""
    text = yaml.safe_dump(data, sort_keys=False).splitlines()
    return next(i for i, line in enumerate(text, 1) if re.search(pattern, line))


def test_members_that_agree_pass_and_say_their_servers_and_address() -> None:
    found = the_set()
    assert check(found) == []
    assert [servers(m) for m in found] == [tuple(f"{n}-{i}" for i in range(3)) for n in NAMES]
    assert [advertised(m)[0] for m in found if advertised(m)] == [address(n) for n in NAMES]


def test_a_nats_object_without_a_gateway_is_refused() -> None:
    data = member_object("us-east")
    del data["spec"]["config"]["merge"]["gateway"]
    data["spec"]["config"]["merge"]["cluster"]["name"] = "nats-events"
    problem = one_refusal(check(members(data)))
    assert problem.field == "spec.config.merge" and "no gateway" in problem.message


def test_two_members_of_one_name_are_refused_naming_both() -> None:
    found = members(member_object("us-east"), member_object("us-east"), member_object("eu-west"))
    problems = check(found)
    names = [p for p in problems if "two members of one name" in p.message]
    assert len(names) == 1, [str(p) for p in problems]
    problem = names[0]
    line = line_of(member_object("us-east"), r"^      gateway:") + 1
    assert (problem.location.source, problem.field) == ("m1.yaml", "spec.config.merge.gateway.name")
    assert f"m0.yaml:{line} (document 1) NATS/messaging/events spec.config.merge.gateway.name" in (
        problem.message
    )
    assert problem.location.line == line
    # ap-south is listed by every member but given by none: refused too, each time (below)
    assert all(p.code is Code.MEMBER_SET for p in problems)


def test_a_list_missing_a_member_is_refused_naming_that_member() -> None:
    short = member_object("eu-west", listed=("us-east", "eu-west"))
    problem = one_refusal(check(the_set(eu_west=short)))
    assert (problem.location.source, problem.field) == ("m1.yaml", "spec.config.merge.gateway.gateways")
    # a list is located where its value starts, at its first entry
    assert problem.location.line == line_of(short, r"^        gateways:") + 1
    assert "'ap-south'" in problem.message and "m2.yaml:" in problem.message
    assert "spec.config.merge.gateway.name" in problem.message


def test_a_list_naming_no_member_is_refused_naming_the_set() -> None:
    long = member_object("us-east", listed=(*NAMES, "sa-east"))
    problems = check(the_set(us_east=long))
    problem = one_refusal(problems)
    assert problem.field == "spec.config.merge.gateway.gateways[3].name"
    assert "'sa-east'" in problem.message
    assert all(f"m{i}.yaml:" in problem.message for i in range(3))


def test_an_address_the_member_does_not_advertise_is_refused_naming_where_it_advertises() -> None:
    moved = member_object("us-east")
    moved["spec"]["config"]["merge"]["gateway"]["gateways"][1]["urls"] = [
        "nats://gw.eu-west.example.com:7222"
    ]
    problem = one_refusal(check(the_set(us_east=moved)))
    assert problem.location.source == "m0.yaml"
    assert problem.field == "spec.config.merge.gateway.gateways[1].urls"
    assert "gw.eu-west.example.com:7222" in problem.message and address("eu-west") in problem.message
    # eu-west advertises the address of its own entry, where complete_gateway took it
    assert "m1.yaml:" in problem.message and "spec.config.merge.gateway.gateways[1].urls" in problem.message


def test_a_literal_advertise_is_the_place_named() -> None:
    advertising = member_object("eu-west", gateway={"advertise": "lb.eu-west.example.com:7222"})
    problems = check(the_set(eu_west=advertising))
    assert len(problems) == 2 and {p.location.source for p in problems} == {"m0.yaml", "m2.yaml"}
    for problem in problems:
        assert "lb.eu-west.example.com:7222" in problem.message
        assert "m1.yaml:" in problem.message and "spec.config.merge.gateway.advertise" in problem.message
    # the same address written literally agrees
    agreeing = member_object("eu-west", gateway={"advertise": address("eu-west")})
    assert check(the_set(eu_west=agreeing)) == []


def test_server_names_shared_across_members_are_refused_naming_both() -> None:
    clashing = member_object("ap-south", server_name="eu-west")
    problem = one_refusal(check(the_set(ap_south=clashing)))
    assert (problem.location.source, problem.field) == ("m2.yaml", "spec.config.merge.server_name")
    assert "eu-west-0, eu-west-1, eu-west-2" in problem.message
    assert "m1.yaml:" in problem.message and "spec.config.merge.gateway.name" in problem.message
    # a literal server name of its own is unique
    own = member_object("ap-south", server_name="south")
    found = the_set(ap_south=own)
    assert check(found) == [] and servers(found[2]) == ("south-0", "south-1", "south-2")


def test_gateway_tls_in_some_members_only_is_refused_naming_a_member_that_differs() -> None:
    tls = {"tls": {"cert_file": "/etc/nats-secrets/gw/tls.crt", "key_file": "/etc/nats-secrets/gw/tls.key"}}
    problem = one_refusal(check(the_set(eu_west=member_object("eu-west", gateway=tls))))
    assert (problem.location.source, problem.field) == ("m1.yaml", "spec.config.merge.gateway.tls")
    assert "m0.yaml:" in problem.message and "spec.config.merge.gateway" in problem.message
    every = {name.replace("-", "_"): member_object(name, gateway=tls) for name in NAMES}
    assert check(the_set(**every)) == []


@pytest.mark.parametrize("jetstream", [True, False])
def test_jetstream_in_some_members_only_is_accepted(jetstream: bool) -> None:
    # nats-server runs a supercluster whose clusters do not all run JetStream (mixed mode)
    data = member_object("eu-west")
    data["spec"]["jetstream"] = {"enabled": jetstream}
    assert check(the_set(eu_west=data)) == []


def test_an_advertise_without_a_port_is_the_gateways_port_and_ipv6_is_bracketed() -> None:
    # nats-server parses an advertise as host:port, the gateway's port when none is given, and an IPv6
    # address only in brackets: a member listed at an IPv6 address advertises "[addr]:port"
    bare = member_object("eu-west", gateway={"advertise": "gateway.eu-west.example.com"})
    found = the_set(eu_west=bare)
    assert check(found) == [] and advertised(found[1]) == (
        address("eu-west"),
        ("spec", "config", "merge", "gateway", "advertise"),
    )
    ipv6 = [{"name": n, "urls": [f"nats://[fd00::{i + 1}]:7222"]} for i, n in enumerate(NAMES)]
    objects = [member_object(n) for n in NAMES]
    for data in objects:
        data["spec"]["config"]["merge"]["gateway"]["gateways"] = ipv6
    on_ipv6 = members(*objects)
    assert check(on_ipv6) == []
    assert [advertised(m)[0] for m in on_ipv6 if advertised(m)] == [
        "[fd00::1]:7222",
        "[fd00::2]:7222",
        "[fd00::3]:7222",
    ]
