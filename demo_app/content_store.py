"""File bytes kept in memory by their SHA-256, least recently used first out, within a byte budget.

Keyed by content, not by path: a body taken from here always hashes to its key, so the ETag sent
with it (the key) is right by construction, and the shard a client's older ``model.json`` declared
can still be answered after a re-export replaced it on disk, as long as it is held.
"""

from __future__ import annotations

import threading
from collections import OrderedDict


class ContentStore:
    """Bytes by SHA-256 hex, at most ``max_bytes`` in all (a body larger than that is not kept).

    >>> store = ContentStore(max_bytes=5)
    >>> store.put("a", b"abc"); store.put("b", b"de"); store.get("a")
    b'abc'
    >>> store.put("c", b"fg"); store.get("b") is None, store.held_bytes
    (True, 5)
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.held_bytes = 0
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, sha: str) -> bytes | None:
        """The bytes whose SHA-256 is ``sha``, or None if not held."""
        with self._lock:
            data = self._items.get(sha)
            if data is not None:
                self._items.move_to_end(sha)
            return data

    def put(self, sha: str, data: bytes) -> None:
        """Keeps ``data`` (whose SHA-256 the caller computed as ``sha``), evicting the least recently used."""
        if len(data) > self.max_bytes:
            return
        with self._lock:
            if sha in self._items:
                self._items.move_to_end(sha)
                return
            self._items[sha] = data
            self.held_bytes += len(data)
            while self.held_bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self.held_bytes -= len(dropped)
