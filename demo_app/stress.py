"""The demo server under continuous re-export: a real threaded server, one thread exporting a small model
into the bundle directory over and over (two weight sets, so the bytes change every time) and many client
threads fetching ``/api/bundles``, ``model.json`` and the shards, as the page does.

Every answer is checked: no 5xx; every 200's ETag is the SHA-256 of the body sent (for a gzip body,
``<sha of the decoded bytes>.gz``, the form the server uses); a shard asked for with ``?sha256=`` (the
digest the client's own ``model.json`` declares) comes back as exactly those bytes or as a 404.
A plain shard request may get a newer version than the client's ``model.json`` (counted as
``moved_on``: its ETag differs from the declared digest, so the loader's check rejects it).
Used by ``tests/test_demo_snapshot.py`` and ``benchmarks/demo_reexport_stress.py``.
"""

from __future__ import annotations

import collections
import gzip
import hashlib
import http.client
import json
import os
import random
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

LIVE = "live-float32"  # the bundle re-exported all the time
STEADY = "steady-float32"  # one exported once, for contrast


@dataclass
class StressReport:
    """What the clients saw: request counts by kind and status, and every failed check."""

    seconds: float = 0.0
    exports: int = 0
    export_errors: list[str] = field(default_factory=list)
    statuses: collections.Counter = field(default_factory=collections.Counter)
    by_kind: collections.Counter = field(default_factory=collections.Counter)
    failures: list[str] = field(default_factory=list)
    moved_on: int = 0
    complete_sets: int = 0

    @property
    def requests(self) -> int:
        """All requests answered."""
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        """Answers with a 5xx status other than 503 (503 + Retry-After is the documented 'busy' answer)."""
        return sum(n for s, n in self.statuses.items() if s >= 500 and s != 503)

    def summary(self) -> str:
        """A few lines for a person."""
        rate = self.requests / self.seconds if self.seconds else 0.0
        lines = [f"{self.seconds:.1f} s: {self.requests} requests ({rate:.0f}/s), {self.exports} re-exports, "
                 f"{self.complete_sets} complete model.json+shards sets",
                 "status: " + ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items())),
                 "by kind: " + ", ".join(f"{k}: {n}" for k, n in sorted(self.by_kind.items())),
                 f"plain shard requests answered with a newer version than the client's model.json: {self.moved_on}",
                 f"failed checks: {len(self.failures)}"]
        lines += [f"  {f}" for f in self.failures[:10]]
        lines += [f"export errors: {len(self.export_errors)}"] + [f"  {e}" for e in self.export_errors[:5]]
        return "\n".join(lines)


def two_versions() -> tuple[Any, Any]:
    """Two graphs of the same small MLP with different weights (same shard names, different bytes)."""
    import webgrad as wg
    from webgrad.exporter.capture import capture

    graphs = []
    for seed in (1, 2):
        wg.set_seed(seed)
        model = wg.Sequential([wg.layers.Input((16,)), wg.layers.Dense(32, activation="relu"), wg.layers.Dense(4)])
        graphs.append(capture(model))
    return graphs[0], graphs[1]


def export_version(graph: Any, path: Path, shard_bytes: int = 1024) -> None:
    """Writes ``graph`` as a bundle at ``path`` with the exporter (several shards of ``shard_bytes``)."""
    from webgrad.exporter.bundle_writer import write_bundle

    write_bundle(graph, path, shard_bytes=shard_bytes)


def swap_version(graph: Any, path: Path, token: int) -> None:
    """Writes ``graph`` into a hidden sibling folder, then swaps it in for ``path`` by two renames (how
    deploy scripts and older exporters replace a folder: for a moment there is no bundle at ``path``)."""
    tmp, old = path.with_name(f".{path.name}.tmp-{token}"), path.with_name(f".{path.name}.old-{token}")
    export_version(graph, tmp)
    os.rename(path, old)
    os.rename(tmp, path)
    shutil.rmtree(old)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # thousands of requests a second: the report counts them


def _get(port: int, path: str, gzip_ok: bool) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def etag_problem(headers: dict[str, str], body: bytes) -> str | None:
    """Why a 200's ETag is not the SHA-256 of its body (in the server's form), or None.

    >>> body = b"x"; sha = hashlib.sha256(body).hexdigest()
    >>> etag_problem({"etag": f'"{sha}"'}, body) is None, etag_problem({"etag": '"00"'}, body) is not None
    (True, True)
    """
    tag = headers.get("etag", "").strip('"')
    if headers.get("content-encoding") == "gzip":
        if not tag.endswith(".gz"):
            return f"gzip body with ETag {tag!r}"
        tag, body = tag[:-3], gzip.decompress(body)
    digest = hashlib.sha256(body).hexdigest()
    return None if tag == digest else f"ETag {tag[:16]}... but the body hashes to {digest[:16]}..."


class _Client:
    """One client thread's loop: the index, a bundle's model.json, then its shards (versioned or not)."""

    def __init__(self, port: int, report: StressReport, lock: threading.Lock, seed: int) -> None:
        self.port, self.report, self.lock = port, report, lock
        self.rng = random.Random(seed)
        self.gzip_ok = seed % 2 == 0

    def fetch(self, kind: str, path: str) -> tuple[int, dict[str, str], bytes]:
        status, headers, body = _get(self.port, path, self.gzip_ok)
        problem = etag_problem(headers, body) if status == 200 and kind != "index" else None
        if status == 503 and "retry-after" not in headers:
            problem = "503 without Retry-After"
        with self.lock:
            self.report.statuses[status] += 1
            self.report.by_kind[f"{kind} {status}"] += 1
            if problem:
                self.report.failures.append(f"{path}: {problem}")
            if status >= 500 and status != 503:
                self.report.failures.append(f"{path}: {status} {body[:200]!r}")
        return status, headers, body

    def round(self) -> None:
        status, headers, body = self.fetch("index", "/api/bundles")
        if status != 200:
            return
        names = [b["name"] for b in json.loads(body)["bundles"]]
        if not names:
            return
        name = LIVE if LIVE in names and self.rng.random() < 0.9 else self.rng.choice(names)
        status, headers, body = self.fetch("model.json", f"/bundles/{name}/model.json")
        if status != 200:
            return
        raw = gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body
        versioned = self.rng.random() < 0.5
        complete = True
        for shard in json.loads(raw)["weights"]["shards"]:
            query = f"?sha256={shard['sha256']}" if versioned else ""
            status, _, data = self.fetch("shard versioned" if versioned else "shard", f"/bundles/{name}/"
                                         f"{shard['file']}{query}")
            complete = complete and status == 200
            if status != 200:
                continue
            digest = hashlib.sha256(data).hexdigest()
            if digest != shard["sha256"]:
                with self.lock:
                    if versioned:
                        self.report.failures.append(f"{name}/{shard['file']}?sha256=: other bytes than asked for")
                    else:
                        self.report.moved_on += 1
                complete = False
        if complete:
            with self.lock:
                self.report.complete_sets += 1


def run_stress(bundle_dir: Path, seconds: float = 8.0, clients: int = 50, writer: str = "export",
               make_app: Callable[[Path], Any] | None = None) -> StressReport:
    """Serves ``bundle_dir``, re-exports the bundle ``LIVE`` there in a loop and runs ``clients`` client
    threads for ``seconds``; returns what they saw.

    ``writer``: ``export`` (``write_bundle`` into the folder, as ``wg.export`` does) or ``swap`` (a new
    folder renamed in place of the old one, see ``swap_version``). ``make_app(bundle_dir)``: the WSGI
    app to serve (default ``demo_app.create_app``).
    """
    from . import create_app

    if writer not in ("export", "swap"):
        raise ValueError(f"writer must be 'export' or 'swap', got {writer!r}")

    bundle_dir.mkdir(parents=True, exist_ok=True)
    v1, v2 = two_versions()
    export_version(v1, bundle_dir / STEADY)
    export_version(v1, bundle_dir / LIVE)
    server = make_server("127.0.0.1", 0, (make_app or create_app)(bundle_dir), threaded=True,
                         request_handler=_QuietHandler)
    server.daemon_threads = True  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    report, lock, stop = StressReport(), threading.Lock(), threading.Event()

    def rewrite() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            try:
                if writer == "swap":
                    swap_version(v2 if i % 2 else v1, bundle_dir / LIVE, i)
                else:
                    export_version(v2 if i % 2 else v1, bundle_dir / LIVE)
                report.exports += 1
            except Exception as e:  # reported, not raised: the clients keep going
                report.export_errors.append(f"{type(e).__name__}: {e}")

    def client(seed: int) -> None:
        c = _Client(server.server_port, report, lock, seed)
        while not stop.is_set():
            try:
                c.round()
            except (OSError, http.client.HTTPException, ValueError, KeyError) as e:
                with lock:
                    report.failures.append(f"client {seed}: {type(e).__name__}: {e}")

    threads = [threading.Thread(target=rewrite, daemon=True)]
    threads += [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    report.seconds = time.perf_counter() - t0
    server.shutdown()
    server.server_close()
    return report
