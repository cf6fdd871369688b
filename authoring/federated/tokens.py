"""Enrollment tokens of a federated server: the operator issues one per participant; the server keeps only
their sha256 (``<state dir>/tokens.json``), so a leaked state directory lets nobody join.

>>> import tempfile
>>> state = tempfile.mkdtemp()
>>> token = issue_token(state, name="alice")
>>> store = TokenStore(state)
>>> store.verify(token) == token_hash(token), store.verify("forged")
(True, None)
>>> revoke_token(state, "alice"), TokenStore(state).verify(token)
(1, None)
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from webgrad.exporter.atomic_write import write_durably

__all__ = ["TOKENS_FILE", "TokenStore", "issue_token", "revoke_token", "token_hash"]

TOKENS_FILE = "tokens.json"


def token_hash(token: str) -> str:
    """The sha256 hex of ``token`` (what the server stores and compares).

    >>> token_hash("abc")[:16]
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(state_dir: str | Path, name: str | None = None) -> str:
    """A new random token enrolled in ``state_dir`` (created if missing) under ``name`` (default
    ``client-<n>``); returns the token itself, which is shown once and never stored."""
    token = secrets.token_urlsafe(24)
    path = Path(state_dir) / TOKENS_FILE
    Path(state_dir).mkdir(parents=True, exist_ok=True)
    entries = _read(path)
    name = name if name is not None else f"client-{len(entries) + 1}"
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    entries[token_hash(token)] = {"name": name, "issued": int(time.time()), "revoked": False}
    _write(path, entries)
    return token


def revoke_token(state_dir: str | Path, name_or_token: str) -> int:
    """Revokes the tokens named ``name_or_token`` (or that token itself); returns how many were revoked.
    A running server sees it on the next request."""
    path = Path(state_dir) / TOKENS_FILE
    entries = _read(path)
    digest = token_hash(name_or_token)
    hit = [h for h, e in entries.items() if not e["revoked"] and (e["name"] == name_or_token or h == digest)]
    for h in hit:
        entries[h]["revoked"] = True
    if hit:
        _write(path, entries)
    return len(hit)


class TokenStore:
    """The enrolled tokens a server accepts: those of ``<state_dir>/tokens.json`` (re-read when the file
    changes, so tokens issued while the server runs work at once) plus ``extra`` raw tokens given in code.
    """

    def __init__(self, state_dir: str | Path | None = None, extra: list[str] | tuple[str, ...] = ()):
        if isinstance(extra, str) or not all(isinstance(t, str) and t for t in extra):
            raise TypeError(f"tokens must be a list of non-empty strings, got {extra!r}")
        self._path = None if state_dir is None else Path(state_dir) / TOKENS_FILE
        self._extra = {token_hash(t) for t in extra}
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._enrolled: set[str] = set()

    def verify(self, token: str) -> str | None:
        """The token's hash when it is enrolled and not revoked, else None."""
        digest = token_hash(token)
        return digest if digest in self._extra or digest in self._file_tokens() else None

    def _file_tokens(self) -> set[str]:
        if self._path is None:
            return set()
        with self._lock:
            try:
                st = os.stat(self._path)
            except FileNotFoundError:
                return set()
            stamp = (st.st_mtime_ns, st.st_size)
            if stamp != self._stamp:
                self._enrolled = {h for h, e in _read(self._path).items() if not e["revoked"]}
                self._stamp = stamp
            return self._enrolled


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    if not isinstance(doc, dict) or not isinstance(doc.get("tokens"), dict):
        raise ValueError(f"{path}: not a webgrad tokens file (expected {{\"tokens\": {{sha256: entry}}}})")
    return doc["tokens"]


def _write(path: Path, entries: dict[str, Any]) -> None:
    """Replaces the tokens file atomically (a temporary file renamed over it)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    write_durably(tmp, json.dumps({"tokens": entries}, indent=1, sort_keys=True).encode("utf-8"))
    os.replace(tmp, path)
