"""The demo's "Federated" panel on the server side: a ``webgrad.federated.Server`` over the demo's
trainable bundle, its protocol mounted under ``/fl/`` of the demo app (same origin as the page), and two
demo-only routes: ``GET /api/federated`` (is it on, the settings, the bundle's preprocessing) and
``POST /api/federated/token`` (a fresh enrollment token per browser tab: on the demo anyone may join; a
real deployment issues tokens with ``webgrad federated token``).

>>> FederatedDemo.find_bundle("/nowhere") is None
True
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger("demo_app")

TRAINABLE_SUFFIX = "-trainable"
EVAL_DIGITS = 500


class FederatedDemo:
    """A federated run for the demo page's tabs.

    ``bundle``: a trainable bundle directory (``FederatedDemo.find_bundle(bundle_dir)`` picks the demo's);
    ``rounds``, ``clients_per_round`` (tabs a round waits for), ``round_timeout`` (seconds), ``settings``
    (the tabs' local training: epochs, batchSize, learningRate), ``dp`` (a ``webgrad.federated.dp.DPFedAvg``
    for ε per round; off by default: with a handful of tabs the noise DP needs would drown the updates),
    ``eval_digits``: how many MNIST test digits score each global version (0: none).
    """

    def __init__(self, bundle: str | Path, *, rounds: int = 100, clients_per_round: int = 2,
                 round_timeout: float = 60.0, settings: dict[str, Any] | None = None, dp: Any = None,
                 eval_digits: int = EVAL_DIGITS):
        from webgrad.federated.server import Server

        self.bundle = Path(bundle)
        self._state = tempfile.TemporaryDirectory(prefix="webgrad-demo-fl-")
        self._lock = threading.Lock()
        self._issued = 0
        manifest = json.loads((self.bundle / "model.json").read_text(encoding="utf-8"))
        self.preprocessing = (manifest.get("metadata") or {}).get("preprocessing") or {}
        self.settings = {"epochs": 5, "batchSize": 16, "learningRate": 1e-3, **(settings or {})}
        self.server = Server(self.bundle, rounds=rounds, clients_per_round=clients_per_round,
                             min_clients=clients_per_round, dp=dp, settings=self.settings,
                             round_timeout=round_timeout, checkpoint_dir=self._state.name,
                             eval_data=self._eval_data(manifest, eval_digits))

    @staticmethod
    def find_bundle(bundle_dir: str | Path) -> Path | None:
        """The first ``<model>-trainable`` bundle under ``bundle_dir`` (mnist_cnn's first), or None."""
        root = Path(bundle_dir)
        if not root.is_dir():
            return None
        found = sorted(p for p in root.iterdir() if p.name.endswith(TRAINABLE_SUFFIX) and (p / "model.json").is_file())
        found.sort(key=lambda p: p.name != f"mnist_cnn{TRAINABLE_SUFFIX}")
        return found[0] if found else None

    def _eval_data(self, manifest: dict[str, Any], n: int) -> tuple[Any, Any] | None:
        """MNIST test digits in the bundle's input layout and preprocessing, when the model takes 28x28
        images and the data set is installed; else None (the panel then shows the tabs' own accuracy)."""
        shape = manifest["signature"]["inputs"][0]["shape"]
        if n <= 0 or list(shape[1:3]) != [28, 28]:
            return None
        try:
            import numpy as np

            import webgrad as wg

            (_, _), (xt, yt) = wg.datasets.mnist()
        except Exception as e:  # a missing data set only turns the global accuracy off
            log.warning("federated demo: no MNIST test digits to score the global model (%s)", e)
            return None
        pre = self.preprocessing
        first = (lambda v, d: (v[0] if isinstance(v, list) else v) if v is not None else d)  # noqa: E731
        x = xt[:n].astype(np.float32) * first(pre.get("scale"), 1.0)
        x = ((x - first(pre.get("mean"), 0.0)) / first(pre.get("std"), 1.0)).reshape(n, *shape[1:])
        return x.astype(np.float32), yt[:n]

    def config(self) -> dict[str, Any]:
        """What the panel shows before joining."""
        s = self.server
        return {"enabled": True, "bundle": self.bundle.name, "rounds": s.rounds, "clientsPerRound": s.k,
                "settings": self.settings, "dp": s.dp is not None, "preprocessing": self.preprocessing,
                "evaluated": s.eval_data is not None}

    def issue_token(self) -> str:
        """A new enrolled token (one per tab)."""
        from webgrad.federated.tokens import issue_token

        with self._lock:  # issue_token rewrites the tokens file: one at a time
            self._issued += 1
            return issue_token(self._state.name, name=f"tab-{self._issued}")

    def wsgi(self, inner: Any) -> Any:
        """``inner`` (the demo's WSGI app) with the protocol's paths (``/fl/...``) sent to the server."""
        fl = self.server.app

        def dispatch(environ: dict[str, Any], start_response: Any) -> Any:
            if environ.get("PATH_INFO", "").startswith("/fl/"):
                return fl(environ, start_response)
            return inner(environ, start_response)

        return dispatch


def mount(app: Any, demo: FederatedDemo | None) -> None:
    """Adds the panel's routes to the demo ``app`` and, with a ``demo``, mounts its server under ``/fl/``."""
    from flask import jsonify

    @app.get("/api/federated")
    def federated_config() -> Any:
        if demo is None:
            return jsonify({"enabled": False})
        return jsonify(demo.config())

    @app.post("/api/federated/token")
    def federated_token() -> Any:
        if demo is None:
            return jsonify({"error": "federated training is off on this server"}), 404
        return jsonify({"token": demo.issue_token()})

    if demo is not None:
        app.wsgi_app = demo.wsgi(app.wsgi_app)
