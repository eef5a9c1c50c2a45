"""Kubernetes quantities (`10Gi`, `500M`, `250m`, `1e3`) as exact numbers.

nats-server reads `2Gi` quoted as an error, `20G` as 10^9 units and `1.5G` as an error (SPEC section 4),
so every size the renderer writes into nats.conf is an integer number of bytes computed here.
"""

from __future__ import annotations

import re

_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?\Z"  # \Z: `$` allows a final newline
)
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": -9,
    "u": -6,
    "m": -3,
    "": 0,
    "k": 3,
    "M": 6,
    "G": 9,
    "T": 12,
    "P": 15,
    "E": 18,
}  # powers of 10


def parse_quantity(value: object) -> tuple[int, int] | None:
    """The exact value of a quantity given as a string or integer, as a numerator and a positive
    denominator; None when it is not one. (Integers, not fractions.Fraction: its import, with decimal's,
    cost a render 3% of its instructions; tests/units/test_units.py holds this to Fraction.)"""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value, 1
    if not isinstance(value, str):
        return None
    match = _QUANTITY.match(value)
    if not match:
        return None
    number = match["number"]
    whole, _, decimals = number.lstrip("+-").partition(".")
    numerator = int(whole + decimals) * (-1 if number.startswith("-") else 1)
    denominator = 10 ** len(decimals)
    suffix = match["suffix"] or ""
    if suffix in _BINARY:
        return numerator * _BINARY[suffix], denominator
    exponent = _DECIMAL.get(suffix)
    if exponent is None:
        exponent = int(suffix[1:])
        if abs(exponent) > 30:
            return None  # no real size needs it, and 10**huge is a cheap way to burn memory
    if exponent >= 0:
        return numerator * 10**exponent, denominator
    return numerator, denominator * 10**-exponent


def _ceil(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def to_bytes(value: object) -> int | None:
    """A quantity as whole bytes (rounded up, as Kubernetes does); None when it is not a quantity."""
    quantity = parse_quantity(value)
    return None if quantity is None else _ceil(*quantity)


def to_millicores(value: object) -> int | None:
    quantity = parse_quantity(value)
    return None if quantity is None else _ceil(quantity[0] * 1000, quantity[1])


def format_millicores(millicores: int) -> str:
    """The canonical Kubernetes spelling: `2` for 2000m, `100m` otherwise."""
    return str(millicores // 1000) if millicores % 1000 == 0 else f"{millicores}m"
