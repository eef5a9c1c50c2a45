"""Kubernetes quantities (`10Gi`, `500M`, `250m`, `1e3`) as exact numbers.

nats-server reads `2Gi` quoted as an error, `20G` as 10^9 units and `1.5G` as an error (SPEC section 4),
so every size the renderer writes into nats.conf is an integer number of bytes computed here.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?\Z"  # \Z: `$` allows a final newline
)
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 1000),
    "": Fraction(1),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
}


def parse_quantity(value: object) -> Fraction | None:
    """The exact value of a quantity given as a string or integer; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if not isinstance(value, str):
        return None
    match = _QUANTITY.match(value)
    if not match:
        return None
    number = Fraction(match["number"])
    suffix = match["suffix"] or ""
    if suffix in _BINARY:
        return number * _BINARY[suffix]
    if suffix in _DECIMAL:
        return number * _DECIMAL[suffix]
    exponent = int(suffix[1:])
    if abs(exponent) > 30:
        return None  # no real size needs it, and 10**huge is a cheap way to burn memory
    return number * Fraction(10) ** exponent


def to_bytes(value: object) -> int | None:
    """A quantity as whole bytes (rounded up, as Kubernetes does); None when it is not a quantity."""
    quantity = parse_quantity(value)
    return None if quantity is None else math.ceil(quantity)


def to_millicores(value: object) -> int | None:
    quantity = parse_quantity(value)
    return None if quantity is None else math.ceil(quantity * 1000)


def format_millicores(millicores: int) -> str:
    """The canonical Kubernetes spelling: `2` for 2000m, `100m` otherwise."""
    return str(millicores // 1000) if millicores % 1000 == 0 else f"{millicores}m"
