"""A demo user store: usernames and scrypt password hashes, held in memory.

Passwords are hashed with a per-user random salt (hashlib.scrypt, n=2**14, r=8, p=1) and
compared in constant time; an unknown username costs the same scrypt run as a known one,
so timing does not tell which usernames exist.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
# The demo's accounts (username, display name, password): change them for anything real.
DEMO_USERS = (
    ("alice", "Alice Liddell", "wonderland-2024"),
    ("bob", "Bob Builder", "can-we-fix-it"),
)


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    salt: bytes = field(repr=False)
    password_hash: bytes = field(repr=False)


class UserStore:
    """Users by username; `authenticate` is the only way to check a password."""

    def __init__(self) -> None:
        self._users: dict[str, User] = {}
        self._dummy_salt = secrets.token_bytes(16)

    def add(self, username: str, display_name: str, password: str) -> None:
        salt = secrets.token_bytes(16)
        self._users[username] = User(username, display_name, salt, _hash(password, salt))

    def get(self, username: str) -> User | None:
        return self._users.get(username)

    def authenticate(self, username: str, password: str) -> User | None:
        """The user if the password is right, else None (same work either way)."""
        user = self._users.get(username)
        salt = user.salt if user else self._dummy_salt
        candidate = _hash(password, salt)
        if user is not None and hmac.compare_digest(candidate, user.password_hash):
            return user
        return None


def demo_store() -> UserStore:
    store = UserStore()
    for username, display_name, password in DEMO_USERS:
        store.add(username, display_name, password)
    return store
