"""Small pure pieces: quantities, the nats.conf encoder, the schema's quantity pattern, problem fields."""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nats_kplugin.codes import Code, Severity
from nats_kplugin.nats_server import encoder as nats_conf
from nats_kplugin.problems import Problem
from nats_kplugin.spec import model as spec
from nats_kplugin.spec import quantities


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10Gi", 10 * 2**30),
        ("500M", 500 * 10**6),
        ("1.5Gi", 3 * 2**29),
        ("1e3", 1000),
        ("2k", 2000),
        (1024, 1024),
        ("0.5", 1),
        ("100m", 1),
    ],
)
def test_sizes_in_bytes_round_up_like_kubernetes(text: object, expected: int) -> None:
    assert quantities.to_bytes(text) == expected


@pytest.mark.parametrize("text", ["10 GB", "10GB", "Gi", "", "1e999", "ten", "1.2.3", True, 1.5, None])
def test_what_is_not_a_quantity(text: object) -> None:
    assert quantities.parse_quantity(text) is None


_SUFFIXES = [
    "",
    "Ki",
    "Mi",
    "Gi",
    "Ti",
    "Pi",
    "Ei",
    "n",
    "u",
    "m",
    "k",
    "M",
    "G",
    "T",
    "P",
    "E",
    "e3",
    "E-2",
    "e+30",
    "e-30",
]
_FACTORS = {"": 1, "n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000), "k": 10**3}
_FACTORS.update({"M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18})
_FACTORS.update({f"{s}i": 2 ** (10 * (i + 1)) for i, s in enumerate("KMGTPE")})


@given(
    st.sampled_from(["", "+", "-"]),
    st.from_regex(r"[0-9]{0,12}", fullmatch=True),
    st.one_of(st.none(), st.from_regex(r"[0-9]{0,9}", fullmatch=True)),
    st.sampled_from(_SUFFIXES),
)
def test_quantities_are_exact_as_fractions_make_them(
    sign: str, whole: str, decimals: str | None, suffix: str
) -> None:
    """parse_quantity does with integers what fractions.Fraction did (the reference, kept here)."""
    text = sign + whole + ("" if decimals is None else "." + decimals) + suffix
    if not (whole or decimals):
        assert quantities.parse_quantity(text) is None
        return
    factor = _FACTORS[suffix] if suffix in _FACTORS else Fraction(10) ** int(suffix[1:])
    exact = Fraction(sign + (whole or "0") + "." + (decimals or "0")) * factor
    assert quantities.to_bytes(text) == math.ceil(exact)
    assert quantities.to_millicores(text) == math.ceil(exact * 1000)


@pytest.mark.parametrize(
    ("cpu", "millicores", "spelled"), [("250m", 250, "250m"), ("2", 2000, "2"), (1, 1000, "1")]
)
def test_cpu(cpu: object, millicores: int, spelled: str) -> None:
    assert quantities.to_millicores(cpu) == millicores
    assert quantities.format_millicores(millicores) == spelled


def test_schema_quantity_pattern_is_the_parser_pattern() -> None:
    schema = json.loads(spec.schema_text())
    assert (
        schema["properties"]["spec"]["properties"]["jetstream"]["properties"]["size"]["$ref"]
        == "#/$defs/quantity"
    )
    pattern = schema["$defs"]["quantity"]["anyOf"][0]["pattern"]
    texts = ["10Gi", "1.5", ".5", "1e3", "5E-2", "+1k", "-1", "10 Gi", "1Gb", "1e", "Ki", "0x10", "1Gi\n"]
    for text in texts:
        assert bool(re.match(pattern, text)) == (quantities.parse_quantity(text) is not None), text


def test_encoder_quotes_every_string_and_escapes_every_non_printable_byte() -> None:
    assert nats_conf.quote('a"b\\c') == '"a\\x22b\\x5cc"'
    assert nats_conf.quote("é\n\0$x") == '"\\xc3\\xa9\\x0a\\x00$x"'
    text = nats_conf.encode(
        {"server_name": nats_conf.Variable("SERVER_NAME"), "a": {"b": [1, "x"]}, "t": True}
    )
    assert text == '"server_name": $SERVER_NAME\n"a": {\n  "b": [\n    1,\n    "x",\n  ]\n}\n"t": true\n'


def test_every_character_is_quoted_by_the_escape_rule() -> None:
    # The rule of SPEC section 4, spelled out here independently of the encoder's fast path for plain text.
    # Every 1-, 2- and 3-byte UTF-8 form (surrogates included), and 4-byte ones.
    for code in [*range(0x10000), 0x10000, 0x1F600, 0x10FFFF]:
        char = chr(code)
        if " " <= char <= "~" and char not in '"\\':
            expected = char
        else:
            expected = "".join(f"\\x{byte:02x}" for byte in char.encode("utf-8", "surrogatepass"))
        assert nats_conf.quote(f"a{char}") == f'"a{expected}"', hex(code)


@pytest.mark.parametrize(
    ("config", "path"),
    [({"bad key": 1}, ("bad key",)), ({"a": {"b": None}}, ("a", "b")), ({"a": [float("nan")]}, ("a", 0))],
)
def test_encoder_refuses_what_it_cannot_write(config: dict[str, object], path: tuple[object, ...]) -> None:
    with pytest.raises(nats_conf.EncodeError) as raised:
        nats_conf.encode(config)
    assert raised.value.path == path


def test_problem_field_paths_read_like_yaml_paths() -> None:
    path = ("spec", "config", "merge", "cluster", "routes", 0)
    problem = Problem(Severity.ERROR, Code.UNKNOWN_OPTION, "m", path=path)
    assert problem.field == "spec.config.merge.cluster.routes[0]"
