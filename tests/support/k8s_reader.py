"""The real YAML reader of kubectl and Argo CD, for the tests: tests/k8syaml/main.go, which splits a stream
as k8s.io/apimachinery does and decodes each document with sigs.k8s.io/yaml (gopkg.in/yaml.v2).

`read_streams` runs it once for many streams. `kubernetes_json` turns the data the renderer meant to
write into the JSON the reader should give back, and `same_json` compares two such values with their JSON
types (true is not 1, "1" is not 1), so a test can say "reads back exactly as meant".

The program is a Go module (tests/k8syaml/go.mod pins sigs.k8s.io/yaml), built by scripts/build-kube.sh
into build/bin (git-ignored); here the script is run again, which rebuilds only when the source or the pins
changed.
"""

from __future__ import annotations

import json
import math
import struct
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / "build" / "bin" / "k8syaml"
BUILD = ROOT / "scripts" / "build-kube.sh"


class Read(NamedTuple):
    """One document as the reader saw it: its JSON value, or the error kubectl would report."""

    value: Any = None
    error: str | None = None


@lru_cache(maxsize=1)
def binary() -> str:
    subprocess.run(["bash", str(BUILD), "k8syaml"], check=True, timeout=600)
    return str(BINARY)


def read_streams(streams: list[str]) -> list[list[Read]]:
    """Every document of every stream, as kubectl reads it; one process for all of them."""
    done = subprocess.run(
        [binary(), "-batch"],
        input=json.dumps(streams).encode(),
        capture_output=True,
        check=True,
        timeout=600,
    )
    return [
        [Read(item.get("json"), item.get("error")) for item in documents]
        for documents in json.loads(done.stdout)
    ]


def read_stream(stream: str) -> list[Read]:
    return read_streams([stream])[0]


def kubernetes_json(data: Any) -> Any:
    """The JSON sigs.k8s.io/yaml makes of `data` read back: mapping keys become strings as its
    convertToJSONableObject writes them (a bool as true/false, an integer in decimal); values keep
    their JSON type. Anything JSON cannot hold (bytes, dates, sets, NaN, a null key) is a test failure."""
    kind = type(data)
    if kind is dict:
        return {_key(key): kubernetes_json(value) for key, value in data.items()}
    if kind is list:
        return [kubernetes_json(item) for item in data]
    if kind is float:
        assert math.isfinite(data), "JSON has no NaN or infinity"
        return data
    if data is None or kind in (str, int, bool):
        return data
    raise AssertionError(f"{kind.__name__} cannot be written as JSON")


def _key(key: Any) -> str:
    if type(key) is str:
        return key
    if type(key) is bool:
        return "true" if key else "false"
    if type(key) is int and -(2**63) <= key < 2**63:
        return str(key)
    if type(key) is float:
        return _go_float32_g(key)
    raise AssertionError(f"a mapping key of type {type(key).__name__} has no JSON form here")


def _go_float32_g(number: float) -> str:
    """strconv.FormatFloat(number, 'g', -1, 32), as sigs.k8s.io/yaml writes a float key: the shortest
    digits that give the same float32, in %e form when the exponent is below -4 or at least 6."""
    if math.isnan(number):
        return ".nan"
    if math.isinf(number):
        return ".inf" if number > 0 else "-.inf"
    single = struct.unpack("f", struct.pack("f", number))[0]
    if single == 0:
        return "-0" if math.copysign(1, single) < 0 else "0"
    for precision in range(1, 10):
        text = f"{single:.{precision - 1}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            break
    mantissa, exponent_text = text.split("e")
    sign = "-" if mantissa.startswith("-") else ""
    digits = mantissa.lstrip("-").replace(".", "").rstrip("0") or "0"
    exponent = int(exponent_text)
    if exponent < -4 or exponent >= 6:
        tail = "." + digits[1:] if len(digits) > 1 else ""
        return f"{sign}{digits[0]}{tail}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    if exponent < 0:
        return f"{sign}0.{'0' * (-exponent - 1)}{digits}"
    whole, fraction = digits[: exponent + 1].ljust(exponent + 1, "0"), digits[exponent + 1 :]
    return f"{sign}{whole}{'.' + fraction if fraction else ''}"


def same_json(left: Any, right: Any) -> bool:
    """Equal as JSON values, types included: numbers equal by value (JSON has one number type), but a
    boolean, a number, a string and null are never equal to one another."""
    kinds = (_json_kind(left), _json_kind(right))
    if kinds[0] != kinds[1]:
        return False
    if kinds[0] == "object":
        return left.keys() == right.keys() and all(same_json(left[k], right[k]) for k in left)
    if kinds[0] == "array":
        return len(left) == len(right) and all(same_json(a, b) for a, b in zip(left, right, strict=True))
    if kinds[0] == "number" and (type(left) is float or type(right) is float):
        # Go writes a float64 in its shortest digits, 6.233868339523416e16 as 62338683395234160, which
        # Python reads as an int of another value: as JSON numbers they are the same float64.
        return float(left) == float(right)
    return bool(left == right)


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


def mismatches(streams: list[str], meant: list[list[Any]]) -> list[str]:
    """For each stream and the documents it was written from, what the reader saw differently."""
    found: list[str] = []
    for index, (documents, reads) in enumerate(zip(meant, read_streams(streams), strict=True)):
        expected = [kubernetes_json(document) for document in documents]
        errors = [r.error for r in reads if r.error is not None]
        values = [r.value for r in reads if r.error is None]
        if errors:
            found.append(f"stream {index}: {errors[0]}\n{streams[index][:2000]}")
        elif not same_json(values, expected):
            found.append(f"stream {index} reads as {values!r}\nmeant {expected!r}\n{streams[index][:2000]}")
    return found
