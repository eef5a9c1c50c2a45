"""SHA-256 and HMAC-SHA256 (derived passwords, the restart hash) without importing hashlib and hmac.

hashlib loads OpenSSL's binding, 12M instructions (4% of a seed render, as bench/instructions.py counts)
for two digests of a few hundred bytes. The interpreter's own SHA-256 module gives the same digest for
almost nothing; HMAC (RFC 2104) is written out here over it, as hmac.py does it.
tests/units/test_digests.py holds both to hashlib and hmac on generated keys and messages.
"""

try:  # CPython's built-in SHA-256: _sha256 up to 3.11, _sha2 from 3.12
    from _sha256 import sha256  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - other versions and interpreters
    try:
        from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        from hashlib import sha256

_BLOCK = 64  # SHA-256's block size, in bytes
_INNER = bytes(byte ^ 0x36 for byte in range(256))  # HMAC's ipad and opad, as translation tables
_OUTER = bytes(byte ^ 0x5C for byte in range(256))


def sha256_hex(data: bytes) -> str:
    return sha256(data).hexdigest()  # type: ignore[no-any-return,unused-ignore]


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    """HMAC-SHA256(key, message), as hmac.new(key, message, hashlib.sha256).digest()."""
    if len(key) > _BLOCK:
        key = sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    inner = sha256(key.translate(_INNER) + message).digest()
    return sha256(key.translate(_OUTER) + inner).digest()  # type: ignore[no-any-return,unused-ignore]
