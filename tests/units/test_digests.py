"""spec/digests.py gives the digests hashlib and hmac give (it exists only to skip their import)."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from nats_kplugin.spec import digests


@given(st.binary(max_size=200), st.binary(max_size=300))
def test_hmac_sha256_is_hmacs(key: bytes, message: bytes) -> None:
    assert digests.hmac_sha256(key, message) == hmac.new(key, message, hashlib.sha256).digest()


@given(st.binary(max_size=300))
def test_sha256_is_hashlibs(data: bytes) -> None:
    assert digests.sha256_hex(data) == hashlib.sha256(data).hexdigest()


def test_keys_of_every_length_around_the_block() -> None:
    for length in (0, 1, 63, 64, 65, 128, 1000):
        key = bytes(range(256))[:length] * (1 + length // 256)
        assert digests.hmac_sha256(key, b"m") == hmac.new(key, b"m", hashlib.sha256).digest()
