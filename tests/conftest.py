import os
import sys
from typing import Any

from hypothesis import HealthCheck, settings

# Hypothesis profiles for tests/servers/test_properties.py: `ci` (the default, what .ci/run runs) generates
# 2,600 cases in each of its four tests, over 10,000 in all; `dev` a quick 100 each.
_COMMON: dict[str, Any] = {
    "deadline": None,  # no speed targets in tests; bench/ measures speed
    "derandomize": True,  # the same cases on every run: CI failures reproduce
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
}
settings.register_profile("ci", max_examples=2600, **_COMMON)
settings.register_profile("dev", max_examples=100, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for name in (
        "tests.servers.test_properties",
        "tests.servers.test_merge_against_server",
        "tests.servers.test_boot_properties",
    ):
        if name in sys.modules:
            sys.modules[name].summary(terminalreporter.write_line)
