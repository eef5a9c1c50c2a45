"""Passwords for users that the spec gives none (SPEC section 5).

A password is derived, not generated: HMAC-SHA256 over namespace, object name and user name, keyed with a
secret the operator keeps outside Git. Every render gives the same password (no drift in Argo CD), and
nobody without the key can compute it. The key reaches this module as bytes; where it comes from
(`NATS_RENDER_KEY`, a key file) is the entry points' business.
"""

from __future__ import annotations

import base64
import re

from ..codes import Code
from ..problems import Problem, error
from .digests import hmac_sha256
from .model import NatsSpec

# nats-server treats every password with this prefix as a bcrypt hash (its isBcrypt check) ...
_BCRYPT_PREFIX = r"\$2[abxy]?\$[0-9]{2}\$"  # (compiled on first use, by re)
# ... and only a well-formed hash can ever match a login.
_BCRYPT = r"\$2[abxy]?\$[0-9]{2}\$[./A-Za-z0-9]{53}"
_DERIVATION_CONTEXT = b"nats-render/password/v1"
# The no-render-key message, and its fix in the command line's words. Each front end words the fix its own
# way (entrypoints/process.py, `Advice`): the Argo CD sidecar's Secret, kustomize's environment.
NO_KEY_MESSAGE = (
    "has no password and no render key is set: {render_key} so one is derived, or give the user a password"
)
COMMAND_LINE_KEY_FIX = "export NATS_RENDER_KEY (or pass --key-file)"


def is_bcrypt_hash(password: str) -> bool:
    return password.startswith("$2") and re.fullmatch(_BCRYPT, password) is not None


def looks_like_bcrypt(password: str) -> bool:
    """True where nats-server will compare logins against this password as a bcrypt hash."""
    return password.startswith("$2") and re.match(_BCRYPT_PREFIX, password) is not None


def _encodable(text: str) -> bool:
    """YAML input never holds a lone surrogate, but the pipeline can be called with any str."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def derive_password(key: bytes, namespace: str, name: str, user: str) -> str:
    """32 characters of base32 (160 bits) from HMAC-SHA256(key, context, namespace, name, user).

    Fields are separated by NUL, which none of them can contain, so no two inputs share a message.
    base32 keeps the password free of characters that need quoting anywhere (URLs, shells, nats.conf).
    """
    message = b"\0".join(part.encode() for part in (namespace, name, user))
    digest = hmac_sha256(key, _DERIVATION_CONTEXT + b"\0" + message)
    return base64.b32encode(digest).decode().rstrip("=").lower()[:32]


def resolve_passwords(spec: NatsSpec, key: bytes | None) -> tuple[dict[str, str], list[Problem]]:
    """Every user's password: as given, or derived from the render key. Never quotes a password."""
    passwords: dict[str, str] = {}
    problems: list[Problem] = []
    for user, given in spec.users.items():
        path = ("spec", "users", user, "password")
        if given is not None:
            if not _encodable(given):
                message = "is not valid Unicode (a lone surrogate); it cannot be written out"
                problems.append(error(Code.NOT_ENCODABLE, message, path))
            elif looks_like_bcrypt(given) and not is_bcrypt_hash(given):
                problems.append(
                    error(
                        Code.INVALID_BCRYPT,
                        "starts like a bcrypt hash ($2a$NN$...), so nats-server compares logins "
                        "against it as one, but it is not a valid 60-character hash",
                        path,
                    )
                )
            passwords[user] = given
        elif key is None:
            problems.append(
                error(Code.NO_RENDER_KEY, NO_KEY_MESSAGE.format(render_key=COMMAND_LINE_KEY_FIX), path)
            )
        else:
            passwords[user] = derive_password(key, spec.namespace or "", spec.name, user)
    return passwords, problems
