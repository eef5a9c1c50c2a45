"""Step 3b, check, for authentication: who may log in, and whether anyone may without credentials.

The users config.merge adds beside spec.users, an open server behind a LoadBalancer, operator (JWT) mode
and where its resolver keeps the account JWTs. checks.py runs these with the rest; each returns
problems with the field path of the spec, never raises, and changes nothing.
"""

from __future__ import annotations

import posixpath
from typing import Any

from ..codes import Code
from ..problems import Path, Problem, error, warning
from ..spec.model import NatsSpec
from .config import account_name
from .pod_filesystem import STORE_DIR, Folder
from .values import is_clean_folder


def _auth_block(config: dict[str, Any]) -> dict[str, Any]:
    block = config.get("authorization")
    return block if isinstance(block, dict) else {}


def check_open_server(spec: NatsSpec, config: dict[str, Any]) -> list[Problem]:
    """A LoadBalancer in front of a server that lets clients in without credentials.
    Refused (open-server at spec.external):
        {metadata: {namespace: tenant}, spec: {external: true}}
    Accepted:
        {metadata: {namespace: tenant}, spec: {external: true, users: {app: {password: app-password}}}}
    """
    if not spec.external or _has_credentials(config):
        return []
    return [
        warning(
            Code.OPEN_SERVER,
            "the client Service is a LoadBalancer and the server takes clients without credentials; "
            "add spec.users (or an authorization, or operator mode, in config.merge)",
            ("spec", "external"),
        )
    ]


def _has_credentials(config: dict[str, Any]) -> bool:
    """Whether every client must log in: users, nkeys, a token, auth callout or operator mode, and no
    no_auth_user letting clients without credentials in as someone."""
    if config.get("no_auth_user"):
        return False
    if "operator" in config or "trusted" in config:
        return True
    auth = _auth_block(config)
    if any(auth.get(key) for key in ("user", "token", "users", "auth_callout")):
        return True
    accounts = config.get("accounts")
    bodies = accounts.values() if isinstance(accounts, dict) else ()
    return any(isinstance(body, dict) and body.get("users") for body in bodies)


def check_auth(spec: NatsSpec, config: dict[str, Any], base: Path) -> list[Problem]:
    """Logins nats-server refuses: a token beside users, a user twice, an unknown user or account.
    Refused (conflicting-auth at spec.config.merge.authorization.token):
        authorization: {token: s3cret-token, users: [{user: a, password: a-password}]}
    Accepted:
        authorization: {users: [{user: a, password: a-password}]}
    """
    problems: list[Problem] = []
    auth = _auth_block(config)
    auth_key = "authorization"
    if "token" in auth and (config.get("accounts") or auth.get("users")):
        # nats-server: "Can not have a token and accounts" / "Can not have a token and a users array".
        if spec.users:
            message = (
                "a token cannot be combined with users: nats-server refuses a token beside accounts "
                "or users; remove the token and log in as one of spec.users"
            )
        else:
            message = "a token cannot be combined with accounts or users (nats-server refuses it)"
        problems.append(error(Code.CONFLICTING_AUTH, message, (*base, auth_key, "token")))
        if spec.users:
            problems.append(
                error(
                    Code.CONFLICTING_AUTH,
                    f"users cannot be combined with config.merge.{auth_key}.token (nats-server refuses it)",
                    ("spec", "users"),
                )
            )
    problems += _single_user_beside_users(spec, config, base)
    names: dict[str, Path] = {}
    for user_path, name in _configured_users(config, base, account_name(spec)):
        if name in names:
            problems.append(
                error(
                    Code.DUPLICATE_USER,
                    f"user {name!r} is defined twice (also at "
                    f"{'.'.join(map(str, names[name]))}); nats-server refuses it",
                    user_path,
                )
            )
        names.setdefault(name, user_path)
    no_auth_user = config.get("no_auth_user")
    if no_auth_user is not None and no_auth_user not in names:
        problems.append(
            error(
                Code.UNKNOWN_USER,
                "must name a configured user (nats-server starts, then refuses every "
                "connection without credentials)",
                (*base, "no_auth_user"),
            )
        )
    system_account = config.get("system_account")
    accounts = config.get("accounts")
    accounts = accounts if isinstance(accounts, dict) else {}
    if (
        system_account is not None
        and "operator" not in config
        and system_account not in accounts
        and system_account != "$SYS"
    ):
        message = "must name an account of config.merge.accounts"
        problems.append(error(Code.UNKNOWN_ACCOUNT, message, (*base, "system_account")))
    return problems


def check_global_mappings(spec: NatsSpec, config: dict[str, Any], base: Path) -> list[Problem]:
    """Top-level `mappings` belong to the global account, and every user of spec.users is in an account of
    its own: the booted server never maps their messages (tests/servers/test_mappings.py). Say where the
    mappings go (strict: refuse).

    Refused (global-mappings at spec.config.merge.mappings):
        spec:
          users: {app: {password: app-password}}
          config: {merge: {mappings: {orders.*: "shipped.{{wildcard(1)}}"}}}
    Accepted:
        spec:
          users: {app: {password: app-password}}
          config: {merge: {accounts: {users: {mappings: {orders.*: "shipped.{{wildcard(1)}}"}}}}}
    """
    if (
        not spec.users
        or not config.get("mappings")
        or "operator" in config
        or _auth_block(config).get("users")
    ):
        return []
    message = (
        "top-level mappings apply to the global account, where no user of spec.users logs in, so their "
        f"messages are never mapped; write them under accounts.{account_name(spec)}.mappings"
    )
    return [warning(Code.GLOBAL_MAPPINGS, message, (*base, "mappings"))]


def _single_user_beside_users(spec: NatsSpec, config: dict[str, Any], base: Path) -> list[Problem]:
    """A single `authorization: {user, password}` beside any users list: nats-server refuses it (opts.go:
    "Can not have a single user/pass and a users array", "... and accounts").

    Refused (conflicting-auth at spec.config.merge.authorization.user):
        spec:
          users: {app: {password: app-password}}
          config: {merge: {authorization: {user: a, password: b}}}
    Accepted:
        authorization: {user: a, password: a-password}
    """
    auth = _auth_block(config)
    if not auth.get("user"):
        return []
    accounts = config.get("accounts")
    bodies = accounts.values() if isinstance(accounts, dict) else ()
    in_accounts = any(isinstance(body, dict) and (body.get("users") or body.get("nkeys")) for body in bodies)
    if "users" not in auth and not in_accounts:
        return []
    if spec.users:
        message = (
            "a single user and password cannot stand beside spec.users (nats-server refuses it): add "
            "this login to spec.users instead"
        )
    else:
        message = (
            "a single user and password cannot stand beside a users list or users in accounts "
            "(nats-server refuses it): put the login in that list"
        )
    return [error(Code.CONFLICTING_AUTH, message, (*base, "authorization", "user"))]


def _configured_users(config: dict[str, Any], base: Path, spec_account: str) -> list[tuple[Path, str]]:
    found: list[tuple[Path, str]] = []
    accounts = config.get("accounts")
    if isinstance(accounts, dict):
        for account, body in accounts.items():
            users = body.get("users") if isinstance(body, dict) else None
            for index, user in enumerate(users if isinstance(users, list) else []):
                if isinstance(user, dict) and isinstance(user.get("user"), str):
                    where: Path = (
                        ("spec", "users", user["user"])
                        if account == spec_account
                        else (*base, "accounts", account, "users", index)
                    )
                    found.append((where, user["user"]))
    auth = _auth_block(config)
    users = auth.get("users")
    for index, user in enumerate(users if isinstance(users, list) else []):
        if isinstance(user, dict) and isinstance(user.get("user"), str):
            found.append(((*base, "authorization", "users", index), user["user"]))
    return found


def check_operator(
    spec: NatsSpec, config: dict[str, Any], base: Path, pod_folders: tuple[Folder, ...]
) -> list[Problem]:
    """Operator mode: a resolver needs an operator, excludes spec.users, keeps its JWTs on a volume.
    Refused (resolver-without-operator at spec.config.merge.resolver):
        resolver: MEMORY
    Accepted:
        {operator: <the operator JWT>, resolver: MEMORY}
    """
    problems: list[Problem] = []
    if "resolver" in config and "operator" not in config:
        where = ("spec", "config", "resolver") if spec.resolver else (*base, "resolver")
        problems.append(
            error(
                Code.RESOLVER_WITHOUT_OPERATOR,
                "a resolver needs an operator (config.merge.operator: the operator JWT or "
                "its path); without one nats-server refuses the resolver",
                where,
            )
        )
    if "operator" in config and spec.users:
        problems.append(
            error(
                Code.CONFLICTING_AUTH,
                "users in the configuration cannot be combined with operator mode: in "
                "operator mode users come from account JWTs",
                ("spec", "users"),
            )
        )
    resolver = config.get("resolver")
    if isinstance(resolver, dict) and str(resolver.get("type", "")).lower() in ("full", "cache"):
        directory = resolver.get("dir")
        if directory is None:
            if not spec.jetstream_enabled:
                problems.append(
                    error(
                        Code.PATH_OUTSIDE_VOLUME,
                        "a full or cache resolver needs a persistent dir; enable JetStream "
                        f"(its volume holds {STORE_DIR}/resolver)",
                        ("spec", "config", "resolver"),
                    )
                )
        elif isinstance(directory, str) and directory.startswith("/") and not is_clean_folder(directory):
            problems.append(
                error(
                    Code.INVALID_FORMAT,
                    "must be a folder path without '.', '..' or '//' parts (nats-server would keep the "
                    f"account JWTs in {posixpath.normpath(directory)})",
                    ("spec", "config", "resolver", "dir"),
                )
            )
        elif not (isinstance(directory, str) and _lasting_folder(directory, pod_folders)):
            problems.append(
                error(
                    Code.PATH_OUTSIDE_VOLUME,
                    f"must be a folder under {STORE_DIR}/ (the only writable volume, present "
                    "when JetStream is enabled)",
                    ("spec", "config", "resolver", "dir"),
                )
            )
    return problems


def _lasting_folder(directory: str, pod_folders: tuple[Folder, ...]) -> bool:
    """Whether account JWTs written to `directory` outlive the pod: inside a claim, or the whole of one
    other than the JetStream volume (whose top holds the streams)."""
    return any(
        directory.startswith(folder.path + "/") or (directory == folder.path and folder.path != STORE_DIR)
        for folder in pod_folders
        if folder.persistent
    )
