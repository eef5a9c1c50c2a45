"""Makes the operator and system-account JWTs of fixtures/resolver-operator/input.yaml, and the accounts and
users' .creds files of the live operator-mode tests.

Keys come from fixed seeds and Ed25519 signatures are deterministic, so running it again prints the same
JWTs. They are test data for operator mode, signed by keys that guard nothing.

    python -m tests.support.operator_jwts
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import nkeys

ISSUED_AT = 1_767_225_600  # 2026-01-01, fixed so the output never changes
# An account without limits (-1: unlimited), leaf-node connections included.
ACCOUNT_LIMITS = {
    "subs": -1,
    "data": -1,
    "payload": -1,
    "imports": -1,
    "exports": -1,
    "wildcards": True,
    "conn": -1,
    "leaf": -1,
}


def keypair(label: str, prefix: int) -> nkeys.KeyPair:
    raw = hashlib.sha256(f"nats-render fixture {label}".encode()).digest()
    return nkeys.from_seed(nkeys.encode_seed(raw, prefix))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def jwt(claims: dict[str, Any], signer: nkeys.KeyPair) -> str:
    # jti: base32 of SHA-512/256 over the claims with an empty jti, as the Go jwt library computes it.
    claims = {"jti": "", **claims}
    digest = hashlib.new("sha512_256", json.dumps(claims, separators=(",", ":")).encode()).digest()
    claims["jti"] = base64.b32encode(digest).decode().rstrip("=")
    header = _b64(json.dumps({"typ": "JWT", "alg": "ed25519-nkey"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = signer.sign(f"{header}.{payload}".encode())
    return f"{header}.{payload}.{_b64(signature)}"


def operator_jwt(name: str, operator: nkeys.KeyPair, system: nkeys.KeyPair) -> str:
    """The operator's own JWT, self-signed, naming its system account."""
    operator_pub = operator.public_key.decode()
    claims = {
        "iat": ISSUED_AT,
        "iss": operator_pub,
        "name": name,
        "sub": operator_pub,
        "nats": {"system_account": system.public_key.decode(), "type": "operator", "version": 2},
    }
    return jwt(claims, operator)


def account_jwt(name: str, account: nkeys.KeyPair, operator: nkeys.KeyPair) -> str:
    """The JWT of an account the operator signs, without limits."""
    claims = {
        "iat": ISSUED_AT,
        "iss": operator.public_key.decode(),
        "name": name,
        "sub": account.public_key.decode(),
        "nats": {"limits": ACCOUNT_LIMITS, "type": "account", "version": 2},
    }
    return jwt(claims, operator)


def user_creds(name: str, account: nkeys.KeyPair) -> bytes:
    """A user's .creds file as `nsc generate creds` writes it (its JWT, then its seed), the user signed
    by `account`: what a client's or a leaf-node remote's `credentials` names."""
    user = keypair(f"{name} user", nkeys.PREFIX_BYTE_USER)
    claims = {
        "iat": ISSUED_AT,
        "iss": account.public_key.decode(),
        "name": name,
        "sub": user.public_key.decode(),
        "nats": {"pub": {}, "sub": {}, "subs": -1, "data": -1, "payload": -1, "type": "user", "version": 2},
    }
    token = jwt(claims, account)
    return (
        f"-----BEGIN NATS USER JWT-----\n{token}\n------END NATS USER JWT------\n\n"
        f"-----BEGIN USER NKEY SEED-----\n{user.seed.decode()}\n------END USER NKEY SEED------\n"
    ).encode()


def main() -> None:
    operator = keypair("operator", nkeys.PREFIX_BYTE_OPERATOR)
    system = keypair("system account", nkeys.PREFIX_BYTE_ACCOUNT)
    sys_pub = system.public_key.decode()
    operator_token = operator_jwt("fixture-operator", operator, system)
    system_jwt = account_jwt("SYS", system, operator)
    print(f"operator: {operator_token}\nsystem_account: {sys_pub}\n{sys_pub}: {system_jwt}")


if __name__ == "__main__":
    main()
