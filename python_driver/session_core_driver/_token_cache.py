"""The cache of verified tokens: a bounded LRU keyed by SHA-256, behind a cheap doorkeeper.

Most tokens a server sees are used many times (every request until they expire), but
a first sighting should cost next to nothing. So a token is admitted on its second
sighting: the first only records its 64-bit `hash()` in a bounded set (no token
material is kept, and a collision merely costs one SHA-256 lookup), and only a token
seen before is hashed with SHA-256 and looked up. Entries are keyed by that digest, so
a hit is for exactly the same token, and the cache never holds a token itself.

Thread-safe without a lock: each step is one call into a C dict, set or OrderedDict
(atomic under the GIL); racing threads can at worst evict early or forget a sighting,
never return a wrong entry or grow past the bounds.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import OrderedDict
from typing import Generic, TypeVar

V = TypeVar("V")


class TokenCache(Generic[V]):
    """At most `size` verified tokens (least recently used leave first)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[bytes, V] = OrderedDict()
        self._seen: set[int] = set()

    def lookup(self, token: str) -> tuple[bytes | None, V | None]:
        """(digest, entry): digest None on a first sighting (then do not `store`)."""
        sighting = hash(token)
        seen = self._seen
        if sighting not in seen:
            if len(seen) >= 4 * self._size:
                seen.clear()
            seen.add(sighting)
            return None, None
        digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
        value = self._items.get(digest)
        if value is not None:
            with contextlib.suppress(KeyError):  # evicted by another thread meanwhile
                self._items.move_to_end(digest)
        return digest, value

    def store(self, digest: bytes, value: V) -> None:
        items = self._items
        items[digest] = value
        while len(items) > self._size:
            try:
                items.popitem(last=False)
            except KeyError:  # emptied by another thread meanwhile
                return

    def forget(self, digest: bytes) -> None:
        self._items.pop(digest, None)

    def __len__(self) -> int:
        return len(self._items)
