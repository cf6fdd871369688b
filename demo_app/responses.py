"""HTTP responses for files: strong ETags, conditional GETs (304), gzip for text-like types and the
headers every response of the demo carries (COOP/COEP, so the page is cross-origin isolated as
WebAssembly threads will need)."""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from pathlib import Path

from flask import Request, Response

# Types worth compressing: text, JSON, JavaScript and WebAssembly (weights are dense binary: skipped).
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "text/javascript", "application/wasm",
                "image/svg+xml")
MIMETYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json",
             ".wasm": "application/wasm", ".bin": "application/octet-stream", ".css": "text/css",
             ".html": "text/html", ".md": "text/markdown", ".ts": "text/plain", ".svg": "image/svg+xml",
             ".map": "application/json"}
MIN_GZIP_BYTES = 512

ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def mimetype_for(path: str | Path) -> str:
    """The Content-Type of a served file, by extension (``application/octet-stream`` if unknown)."""
    return MIMETYPES.get(Path(path).suffix.lower(), "application/octet-stream")


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


class GzipCache:
    """Compressed bodies keyed by their strong ETag, so a file is gzipped once, not per request."""

    def __init__(self, max_entries: int = 128) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, etag: str, data: bytes) -> bytes:
        """The gzip of ``data`` (whose ETag is ``etag``), compressed at most once while cached."""
        with self._lock:
            hit = self._items.get(etag)
            if hit is not None:
                self._items.move_to_end(etag)
                return hit
        # mtime=0: the same bytes always give the same gzip (a stable ETag for the compressed variant)
        packed = gzip.compress(data, compresslevel=6, mtime=0)
        with self._lock:
            self._items[etag] = packed
            while len(self._items) > self._max:
                self._items.popitem(last=False)
        return packed


def _accepts_gzip(request: Request) -> bool:
    return "gzip" in request.accept_encodings and request.accept_encodings["gzip"] > 0


def _matches(request: Request, etag: str) -> bool:
    return request.if_none_match.contains(etag) or request.if_none_match.star_tag


def file_response(request: Request, data: bytes, etag: str, mimetype: str, cache: GzipCache,
                  cache_control: str = "no-cache") -> Response:
    """A response for ``data`` with the strong ETag ``etag`` (a hex digest, unquoted).

    The gzip variant has its own strong ETag (``<etag>.gz``: a strong validator must change with the
    bytes on the wire). ``no-cache`` by default: the browser keeps the file and revalidates it with
    a cheap 304, so a retrained bundle is picked up at once.
    """
    compress = mimetype.startswith(COMPRESSIBLE) and len(data) >= MIN_GZIP_BYTES and _accepts_gzip(request)
    tag = f"{etag}.gz" if compress else etag
    headers = {"Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    if _matches(request, tag):
        response = Response(status=304, headers=headers)
        response.set_etag(tag)
        return response
    body = cache.get(tag, data) if compress else data
    response = Response(body, mimetype=mimetype, headers=headers)
    if compress:
        response.headers["Content-Encoding"] = "gzip"
    response.set_etag(tag)
    return response


def add_isolation_headers(response: Response) -> Response:
    """Adds COOP/COEP/CORP and nosniff to ``response`` (an ``after_request`` hook)."""
    for key, value in ISOLATION_HEADERS.items():
        response.headers.setdefault(key, value)
    return response


class FileCache:
    """File bytes with their SHA-256, re-read only when the file's size or mtime changes."""

    def __init__(self) -> None:
        self._items: dict[Path, tuple[tuple[int, int], bytes, str]] = {}
        self._lock = threading.Lock()

    def read(self, path: Path) -> tuple[bytes, str] | None:
        """``(bytes, sha256 hex)`` of ``path``, or None if it cannot be read."""
        try:
            st = path.stat()
        except OSError:
            return None
        key = (st.st_size, st.st_mtime_ns)
        with self._lock:
            hit = self._items.get(path)
        if hit is not None and hit[0] == key:
            return hit[1], hit[2]
        try:
            data = path.read_bytes()
        except OSError:
            return None
        with self._lock:
            self._items[path] = (key, data, sha256_hex(data))
        return data, self._items[path][2]
