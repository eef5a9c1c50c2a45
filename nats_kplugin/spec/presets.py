"""The managed service's `resourcesPreset` values and the container limits each one stands for.

This table is the one home of the presets: the schema's enum is tested against it
(tests/units/test_spec_api.py), the README's table is written from the same numbers, and `spec` reads the
limits from here. Requests are not in the table: the managed service derives them from the limits
(cpu a tenth, memory equal), and so does `spec.Resources`.

The instance types `t1`, `c1`, `s1`, `u1`, `m1` give 0.5, 1, 2, 4 and 8 GiB of memory per cpu; their
sizes `nano` ... `4xlarge` give 250m, 500m, 1, 2, 4, 8, 16 and 32 cpus (so `t1.nano` is 250m/128Mi and
`m1.4xlarge` 32/256Gi). The legacy names, kept by the managed service, have numbers of their own.
"""

from __future__ import annotations

from .quantities import format_millicores

MIB_PER_CPU = {"t1": 512, "c1": 1024, "s1": 2048, "u1": 4096, "m1": 8192}
MILLICORES = {
    "nano": 250,
    "micro": 500,
    "small": 1000,
    "medium": 2000,
    "large": 4000,
    "xlarge": 8000,
    "2xlarge": 16000,
    "4xlarge": 32000,
}
LEGACY: dict[str, tuple[str, str]] = {
    "nano": ("250m", "128Mi"),
    "micro": ("500m", "256Mi"),
    "small": ("1", "512Mi"),
    "medium": ("1", "1Gi"),
    "large": ("2", "2Gi"),
    "xlarge": ("4", "4Gi"),
    "2xlarge": ("8", "8Gi"),
}


def _memory(mebibytes: int) -> str:
    return f"{mebibytes // 1024}Gi" if mebibytes % 1024 == 0 else f"{mebibytes}Mi"


def _instance_types() -> dict[str, tuple[str, str]]:
    return {
        f"{family}.{size}": (format_millicores(millicores), _memory(per_cpu * millicores // 1000))
        for family, per_cpu in MIB_PER_CPU.items()
        for size, millicores in MILLICORES.items()
    }


# Limits per preset, (cpu, memory): the instance types first, then the legacy names.
RESOURCE_PRESETS: dict[str, tuple[str, str]] = {**_instance_types(), **LEGACY}
